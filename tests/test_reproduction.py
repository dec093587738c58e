"""The reproduction's configurations: the faithful presets at the reproduction's scale, and a
no-dilation variant that differs from the paper's generator in its dilations alone."""

import pytest

from outpaint_lib import reproduction
from outpaint_lib.config import PAPER, PAPER_LOCAL
from support import REPOSITORY, markdown_commands


def test_each_variant_is_its_preset_at_the_reproductions_scale():
    scale = {"image_size": 64, "width_multiplier": 0.5, "precision": "mixed_bfloat16"}
    assert reproduction.configuration("paper") == PAPER.replace(**scale)
    assert reproduction.configuration("paper_local") == PAPER_LOCAL.replace(**scale)
    no_dilation = reproduction.configuration("paper_nodilation")
    assert PAPER.generator_dilations == (2, 4, 8) and no_dilation.generator_dilations == (1, 1, 1)
    assert no_dilation.replace(generator_dilations=PAPER.generator_dilations) == PAPER.replace(**scale)
    assert PAPER.phase_ratios == (18, 2, 80) == no_dilation.phase_ratios  # the paper's schedule kept


def test_an_unknown_variant_is_named():
    with pytest.raises(ValueError, match="choose one of paper, paper_local, paper_nodilation"):
        reproduction.configuration("paper_wide")


def test_the_commands_of_reproduction_md_train_its_configurations():
    from outpaint_lib.cli import build_parser
    from outpaint_lib.commands.train import configuration

    commands = markdown_commands(REPOSITORY / "REPRODUCTION.md")
    trained = {}
    for command in commands:
        arguments = build_parser().parse_args(command)  # every command parses; a usage error exits
        if command[0] == "train":
            trained[arguments.out] = arguments
    assert sorted(trained) == [f"runs/reproduction/{variant}64" for variant in sorted(reproduction.VARIANTS)]
    for out, arguments in trained.items():
        variant = out.removeprefix("runs/reproduction/").removesuffix("64")
        assert configuration(arguments) == reproduction.configuration(variant), variant
        assert arguments.total_steps == reproduction.STEPS
        assert arguments.checkpoint_every == arguments.validate_every == reproduction.INTERVAL
        assert (arguments.data_dir, arguments.val_dir) == (f"{reproduction.DATA}/train", f"{reproduction.DATA}/val")
    assert {command[0] for command in commands} >= {"data", "train", "evaluate", "plot", "samples"}
