"""Every command of the README works as it stands: each is parsed, and those that finish in
seconds (or start a long job) are run as pasted; the others' commands answer ``--help``."""

import os
import subprocess
import sys
import time

import pytest
from PIL import Image

from support import REPOSITORY, SHARED_DATA, markdown_commands, smooth_image

COMMANDS = markdown_commands(REPOSITORY / "README.md")


def test_the_readme_shows_every_command():
    assert {command[0] for command in COMMANDS} >= {"paint", "train", "plot", "evaluate", "samples", "export", "data",
                                                    "summary"}
    assert len(COMMANDS) >= 20


def test_the_readme_opens_with_a_picture_whose_photo_is_credited():
    """Issue 33: the README opens with a before/after picture; every photo committed under
    docs/images names its source and licence in the credits beside it."""
    import re

    readme = (REPOSITORY / "README.md").read_text()
    first = next(line for line in readme.splitlines()[1:] if line.strip())
    (picture,) = re.findall(r"^!\[[^\]]+\]\(([^)]+)\)$", first)
    assert (REPOSITORY / picture).is_file()
    folder = REPOSITORY / "docs" / "images"
    credits = (folder / "CREDITS.md").read_text()
    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", credits, flags=re.S | re.M))
    images = sorted(path.name for path in folder.iterdir() if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    assert images and sorted(sections) == images and (folder / picture).name in images
    for name, text in sections.items():
        assert "Licence: " in text and ("Source: " in text or "Made by " in text), name
    for heading in ("In a browser", "From a shell", "From Python"):  # the three ways to use it, before the set-up
        assert heading in readme[: readme.index("## Set up and test")]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_readme_command_parses(command):
    from outpaint_lib.cli import build_parser

    build_parser().parse_args(command)  # a usage error exits


@pytest.fixture(scope="module")
def workplace(tmp_path_factory):
    """A folder laid out as the README assumes: ../shared beside it, a photo.jpg and photos/ in it."""
    root = tmp_path_factory.mktemp("readme")
    (root / "shared").symlink_to(SHARED_DATA.parent.resolve(), target_is_directory=True)
    work = root / "work"
    (work / "photos").mkdir(parents=True)
    (work / "my_photos").mkdir()
    Image.fromarray(smooth_image(60, 80, seed=1)).save(work / "photo.jpg", quality=95)
    for index in range(2):
        Image.fromarray(smooth_image(48, 64, seed=index)).save(work / "photos" / f"beach_{index}.jpg", quality=95)
    for index in range(12):
        Image.fromarray(smooth_image(40, 40, seed=10 + index)).save(work / "my_photos" / f"{index}.png")
    return work


def run(command, cwd, timeout=300):
    return subprocess.run([sys.executable, "-m", "outpaint_lib", *command], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def finishes_in_seconds(command) -> bool:
    return command[0] == "paint" or command[:2] in (["data", "prepare"], ["data", "list"]) or command[0] == "summary"


@pytest.mark.slow
def test_the_readme_commands_that_finish_in_seconds_work_as_pasted(workplace):
    quick = [command for command in COMMANDS if finishes_in_seconds(command)]
    assert len(quick) >= 5
    for command in quick:
        result = run(command, workplace)
        assert result.returncode == 0, (command, result.stderr)
    for command in COMMANDS:
        if not finishes_in_seconds(command):
            name = command[:2] if command[0] == "data" else command[:1]
            result = run([*name, "--help"], workplace)
            assert result.returncode == 0 and "examples:" in result.stdout, (command, result.stderr)


@pytest.mark.slow
def test_the_readmes_paper_training_command_starts_training_as_pasted(workplace):
    """Issue 30, defect 6: it stopped after 4 s: "the number of training steps must be given"."""
    (command,) = [command for command in COMMANDS if command[0] == "train" and "paper" in command
                  and "../shared/data/beach/train" in command and "--distribute" not in command]
    run_dir = workplace / command[command.index("--out") + 1]
    process = subprocess.Popen([sys.executable, "-m", "outpaint_lib", *command], cwd=workplace,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    try:
        deadline = time.monotonic() + 240
        history = run_dir / "history.jsonl"
        while time.monotonic() < deadline and process.poll() is None:
            if history.exists() and history.read_text().strip():
                break
            time.sleep(0.2)
        assert process.poll() is None, process.communicate()[1]
        assert history.read_text().strip(), "no step was trained in 240 s"
    finally:
        process.kill()
        process.wait()
    import json

    assert json.loads((run_dir / "run.json").read_text())["total_steps"] == 227_500  # the paper's run
