"""The reproduction's configurations: the faithful presets at the reproduction's scale, and a
no-dilation variant that differs from the paper's generator in its dilations alone."""

import pytest

from outpaint_lib import reproduction
from outpaint_lib.config import PAPER, PAPER_LOCAL


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
