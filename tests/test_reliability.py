"""Faults and bad input across the library: killed runs, dirty data, fuzzed files, huge photos.
Each test is listed in RELIABILITY.md with the fault it injects and the outcome it proves."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from outpaint_lib import checkpoints
from outpaint_lib.cli import main as cli_main
from outpaint_lib.gan import OutpaintGAN
from outpaint_lib.generator_files import load_generator
from outpaint_lib.history import read_history
from outpaint_lib.images import ImageError, load_image
from support import REPOSITORY, SHARED_DATA, png_header_only, run_cli, smooth_image, tiny

FUZZ_EXAMPLES = int(os.environ.get("OUTPAINT_FUZZ_EXAMPLES", "300"))
ENVIRONMENT = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


# Killed training -----------------------------------------------------------------------------

def start_training(training_images, run, *options):
    command = [
        sys.executable, "-m", "outpaint_lib", "train", "--data", str(training_images), "--out", str(run),
        "--validate-every", "4", "--quiet", *options,
    ]
    return subprocess.Popen(command, cwd=REPOSITORY, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_when(process, condition, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if condition():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.001)
    process.wait()
    return False


def assert_every_checkpoint_is_complete(run):
    """No checkpoint folder in place is half-written: each one loads entirely."""
    gan = OutpaintGAN(tiny())
    gan.compile()
    saved = checkpoints.list_checkpoints(run)
    assert saved, "a checkpoint must exist"
    for path in saved:
        checkpoints.load_checkpoint(path, gan)
    return json.loads((saved[0] / "state.json").read_text())


def assert_history_continues(run, last_checkpoint):
    rows = read_history(run / "history.jsonl")
    steps = [row["step"] for row in rows]
    assert steps == list(range(1, len(rows) + 1))
    assert len(rows) >= last_checkpoint


@pytest.mark.slow
def test_training_killed_three_times_resumes_without_loss(training_images, tmp_path):
    run = tmp_path / "run"
    history = run / "history.jsonl"
    settings_ = ["--steps", "60", "--image-size", "32", "--width-multiplier", "0.0625", "--batch-size", "4"]

    # 1. Killed in the middle of phase 1 (60 steps split 11:1:48).
    process = start_training(training_images, run, *settings_, "--checkpoint-every", "3")
    assert kill_when(process, lambda: len(read_history(history)) >= 8)
    state = assert_every_checkpoint_is_complete(run)
    assert state["step"] in (6, 9) and state["step"] < 11  # a multiple of 3, still in phase 1
    assert_history_continues(run, state["step"])

    # 2. Killed while a checkpoint is being written (its hidden temporary folder exists).
    folder = run / "checkpoints"
    caught_mid_write = False
    for _ in range(5):
        process = start_training(training_images, run, "--resume", "--checkpoint-every", "1")
        kill_when(process, lambda: any(p.name.startswith(".step-") for p in os.scandir(folder)))
        caught_mid_write = any(p.name.startswith(".step-") for p in folder.iterdir())
        state = assert_every_checkpoint_is_complete(run)
        assert_history_continues(run, state["step"])
        if caught_mid_write:
            break
    assert caught_mid_write, "the kill never landed inside a checkpoint write"

    # 3. Killed in phase 3, after the discriminator phase.
    process = start_training(training_images, run, "--resume", "--checkpoint-every", "5")
    assert kill_when(process, lambda: len(read_history(history)) >= 40)
    state = assert_every_checkpoint_is_complete(run)
    assert state["step"] >= 20
    assert_history_continues(run, state["step"])

    # Finally resumed to the end: an unbroken history through all three phases, loadable weights.
    finished = subprocess.run(
        [sys.executable, "-m", "outpaint_lib", "train", "--data", str(training_images), "--out", str(run),
         "--resume", "--quiet"],
        cwd=REPOSITORY, env=ENVIRONMENT, capture_output=True, text=True, timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    rows = read_history(history)
    assert [row["step"] for row in rows] == list(range(1, 61))
    assert [row["phase"] for row in rows] == [1] * 11 + [2] + [3] * 48
    assert not any(p.name.startswith(".") for p in folder.iterdir())
    assert assert_every_checkpoint_is_complete(run)["step"] == 60
    load_generator(run / "generator")


# Dirty data ----------------------------------------------------------------------------------

def test_a_dirty_training_folder_trains_and_reports_what_it_skipped(tmp_path):
    folder = tmp_path / "dirty"
    folder.mkdir()
    good = Image.fromarray(smooth_image(40, 40))
    for index in range(36):
        image = Image.fromarray(smooth_image(40, 40, seed=index))
        kind = index % 4
        if kind == 1:
            image = image.convert("L")
        elif kind == 2:
            image = image.convert("RGBA")
        elif kind == 3:
            image = Image.fromarray(np.asarray(image.convert("L")).astype(np.uint16) * 257)
        image.save(folder / f"good_{index:02d}.png")
    whole = io.BytesIO()
    good.save(whole, format="JPEG")
    (folder / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(500))
    (folder / "truncated.jpg").write_bytes(whole.getvalue()[:300])
    (folder / "zero.png").write_bytes(b"")
    (folder / "notes.jpg").write_text("shopping list")
    result = run_cli(
        "train", "--data", str(folder), "--out", str(tmp_path / "run"), "--steps", "4", "--image-size", "32",
        "--width-multiplier", "0.0625", "--batch-size", "4", "--quiet", env=ENVIRONMENT,
    )
    assert result.returncode == 0, result.stderr
    assert "skipped 4 of 40 files" in result.stderr
    assert "2 corrupt" in result.stderr and "1 empty" in result.stderr and "1 not_an_image" in result.stderr
    assert len(read_history(tmp_path / "run" / "history.jsonl")) == 4


# Fuzzing -------------------------------------------------------------------------------------

def seed_files(shared_beach: Path) -> list[bytes]:
    """Real photo bytes to mutate: a beach JPEG from the shared data and PNG/JPEG encodings."""
    seeds = [sorted(shared_beach.glob("*.jpg"))[0].read_bytes()]
    for format in ("PNG", "JPEG"):
        buffer = io.BytesIO()
        Image.fromarray(smooth_image(24, 30)).save(buffer, format=format)
        seeds.append(buffer.getvalue())
    return seeds


@st.composite
def mutated_images(draw, seeds):
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 6))):
        operation = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if operation == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif operation == "truncate":
            del data[position:]
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 64))]
    return bytes(data)


@pytest.fixture(scope="module")
def fuzz_seeds(request):
    return seed_files(SHARED_DATA / "beach" / "val")


def test_fuzzed_bytes_either_decode_or_fail_with_one_line(fuzz_seeds):
    @settings(max_examples=FUZZ_EXAMPLES, deadline=2000, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.one_of(mutated_images(fuzz_seeds), st.binary(max_size=2048)))
    def check(data):
        try:
            image = load_image(data, max_pixels=4_000_000, min_side=8)
        except ImageError as error:
            assert str(error) and "\n" not in str(error)
        else:
            assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3

    check()


def test_fuzzed_files_through_the_paint_command(fuzz_seeds, checkpoint, tmp_path, capsys):
    examples = max(20, FUZZ_EXAMPLES // 6)

    @settings(max_examples=examples, deadline=5000, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(mutated_images(fuzz_seeds))
    def check(data):
        source = tmp_path / "fuzz.jpg"
        source.write_bytes(data)
        output = tmp_path / "out"
        code = cli_main([
            "paint", str(source), "-o", str(output), "--checkpoint", str(checkpoint),
            "--quiet", "--max-pixels", "4000000",
        ])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        if code == 0:
            assert (output / "fuzz.png").is_file() and captured.err == ""
        else:
            assert code == 1
            assert captured.err.count("\n") == 1 and captured.err.startswith(f"outpaint paint: error: {source}: ")

    check()


# Memory --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def camera_photo(tmp_path_factory):
    path = tmp_path_factory.mktemp("camera") / "camera.jpg"
    rows = np.linspace(0, 1, 4000, dtype=np.float32)[:, None]
    columns = np.linspace(0, 1, 6000, dtype=np.float32)[None, :]
    channels = [
        np.clip(128 + 100 * np.sin(6 * columns * (c + 1) + 4 * rows), 0, 255).astype(np.uint8) for c in range(3)
    ]
    Image.fromarray(np.stack(channels, axis=-1)).save(path, quality=85)
    return path


@pytest.mark.slow
def test_a_camera_photo_outpaints_within_two_gibibytes(camera_photo, checkpoint, tmp_path):
    # VmHWM is the peak of this process's own memory. ru_maxrss is not: Linux carries the
    # forking parent's peak over the exec, and this test's parent is the whole test session.
    script = (
        "import re, sys\n"
        "from outpaint_lib.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "with open('/proc/self/status') as status:\n"
        "    print('PEAK', re.search(r'VmHWM:\\s+(\\d+) kB', status.read()).group(1))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "paint", str(camera_photo), "-o", str(tmp_path),
         "--checkpoint", str(checkpoint), "--quiet"],
        cwd=REPOSITORY, env=ENVIRONMENT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    peak_kib = int(result.stdout.split("PEAK")[1].split()[0])
    assert peak_kib < 2 * 1024 * 1024, f"peak {peak_kib / 1024:.0f} MiB"
    painted = Image.open(tmp_path / "camera.png")
    assert painted.size == (6000 + 2 * 1000, 4000)


def test_a_header_over_the_pixel_limit_is_refused_before_decoding(camera_photo, checkpoint, tmp_path):
    (tmp_path / "bomb.png").write_bytes(png_header_only(200_000, 200_000))
    result = run_cli(
        "paint", str(camera_photo), str(tmp_path / "bomb.png"), "-o", str(tmp_path / "out"),
        "--checkpoint", str(checkpoint), "--max-pixels", "10000000", "--quiet", env=ENVIRONMENT,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all("more than the limit of 10,000,000 (max_pixels; paint --max-pixels)" in line for line in lines)
