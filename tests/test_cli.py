import json

from support import REPOSITORY, immutable, run_cli, smooth_image


def test_summary_prints_the_papers_parameter_counts():
    result = run_cli("summary", "--preset", "paper")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["generator"] == 3_335_747 and counts["discriminator"] == 886_401


def test_summary_total_includes_the_local_discriminator():
    counts = json.loads(run_cli("summary", "--preset", "paper_local").stdout)
    assert counts["local_discriminator"] == 1_307_712
    assert counts["total"] == 3_335_747 + 2_195_137


def test_unknown_preset_is_a_usage_error():
    result = run_cli("summary", "--preset", "nope")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_unwritable_outputs_are_one_line_before_the_work(tmp_path):
    """Issue 19, defect 5, through the commands: each refuses before loading a model or data."""
    source = tmp_path / "source"
    source.mkdir()
    with immutable(tmp_path / "locked") as locked:
        runs = {
            "paint": ("paint", str(REPOSITORY / "README.md"), "-o", str(locked)),
            "samples": ("samples", "--data", str(source), "-o", str(locked / "sheet.png")),
            "plot": ("plot", str(source), "-o", str(locked / "losses.png")),
            "evaluate": ("evaluate", "--data", str(source), "--json", str(locked / "scores.json")),
            "train": ("train", "--data", str(source), "--out", str(locked / "run"), "--steps", "1"),
            "data": ("data", "prepare", str(source), str(locked / "prepared"), "--size", "32"),
        }
        for command, arguments in runs.items():
            result = run_cli(*arguments)
            assert result.returncode == 1, (command, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and "Operation not permitted" in lines[0], (command, lines)
            assert lines[0].startswith(f"outpaint {command}: error: cannot write"), (command, lines)


def test_a_sample_sheet_is_encoded_as_its_suffix_says(tmp_path):
    """Issue 19, defect 13: ``samples -o s.jpg`` wrote PNG bytes into a .jpg."""
    from PIL import Image

    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(2):
        Image.fromarray(smooth_image(40, 40, seed=index)).save(photos / f"{index}.png")
    result = run_cli(
        "samples", "--data", str(photos), "-o", str(tmp_path / "sheet.jpg"), "--count", "2", "--times", "1"
    )
    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "sheet.jpg").format == "JPEG"
    result = run_cli("samples", "--data", str(photos), "-o", str(tmp_path / "sheet.xyz"))
    assert result.returncode == 1 and "cannot write a .xyz file" in result.stderr


def test_small_usage_defects_each_get_a_clear_line(tmp_path):
    """Issue 19, defect 13: --times 1.5, --set bogus=1 and --version."""
    from outpaint_lib import __version__

    result = run_cli("paint", "photo.jpg", "-o", str(tmp_path), "--times", "1.5")
    assert result.returncode == 2 and "argument --times: expected a whole number, got '1.5'" in result.stderr
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"outpaint {__version__}"
    result = run_cli(
        "train", "--data", str(tmp_path), "--out", str(tmp_path / "run"), "--steps", "1", "--set", "bogus=1"
    )
    assert result.returncode == 1
    assert "unknown configuration keys: bogus (the keys are: name, image_size," in result.stderr
    assert not (tmp_path / "run").exists()


def test_resuming_a_finished_run_says_so(training_images, tmp_path):
    """Issue 19, defect 13: ``--resume`` on a finished run said it had trained."""
    arguments = ("train", "--data", str(training_images), "--out", str(tmp_path / "run"), "--image-size", "32",
                 "--width-multiplier", "0.0625", "--batch-size", "4", "--quiet")
    first = run_cli(*arguments, "--steps", "2")
    assert first.returncode == 0 and first.stdout.startswith("trained steps 1-2 of 2;"), first.stderr
    again = run_cli(*arguments, "--resume")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"the run in {tmp_path / 'run'} is already complete (2 steps); nothing was trained"


def _commands(parser, prefix=""):
    """Every command and sub-command parser, by name ("train", "data prepare")."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield f"{prefix}{name}", command
                yield from _commands(command, f"{prefix}{name} ")


def test_every_option_says_what_it_does_and_its_default_and_every_command_ends_with_examples():
    """Issue 30, defect 11: options without a word of help or their default; no examples."""
    import argparse

    from outpaint_lib.cli import build_parser
    from outpaint_lib.metrics import METRICS

    commands = dict(_commands(build_parser()))
    assert set(commands) >= {"summary", "train", "plot", "export", "paint", "evaluate", "samples", "data",
                             "data download", "data prepare", "data list"}
    for name, command in commands.items():
        examples = (command.epilog or "").splitlines()
        assert examples[:1] == ["examples:"] and 2 <= len(examples) - 1 <= 3, name
        assert all(line.strip().startswith("outpaint ") for line in examples[1:]), name
        assert "examples:" in command.format_help(), name
        for action in command._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, (name, action.dest)
            if action.nargs != 0 and action.default not in (None, [], argparse.SUPPRESS):  # flags are off unless given
                assert "default" in action.help, (name, action.dest)
    for name, option in [("train", "total_steps"), ("train", "batch_size"), ("train", "checkpoint_every"),
                         ("train", "validate_every"), ("samples", "count"), ("samples", "times"),
                         ("samples", "checkpoint"), ("evaluate", "checkpoint")]:
        (action,) = [action for action in commands[name]._actions if action.dest == option]
        assert "default" in action.help, (name, option)
    assert commands["samples"].parse_args(["--data", "d", "-o", "s.png", "--quiet"]).quiet
    description = " ".join(commands["evaluate"].format_help().split())
    for metric in METRICS:  # the columns its table prints, in their order
        assert f"{metric.name}: {metric.description}" in description
    positions = [description.index(f"{metric.name}: ") for metric in METRICS]
    assert positions == sorted(positions)
