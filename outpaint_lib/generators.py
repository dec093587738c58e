"""The generators a configuration can name, one entry each: what its input's width must be a
multiple of, the settings it cannot work with, and its builder in ``models``.

This module imports neither Keras nor the configuration, so that ``config`` can check a
configuration, and ``geometry`` size a photo for painting, without loading TensorFlow; the
builder is looked up in ``models`` only when a network is built. A new generator is one entry
here and its builder there."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outpaint_lib.config import OutpaintConfig

UNET_ONLY_SETTINGS = ("generator_row_context", "generator_gated_convolutions", "generator_fourier_unit")


@dataclasses.dataclass(frozen=True)
class Generator:
    name: str
    stride: int  # its total downsampling: what its input's width must be a multiple of
    builder: str  # the function of ``outpaint_lib.models`` that builds it from a configuration
    problems: Callable[[OutpaintConfig], list[str]]  # the settings it cannot work with, in words


def _unet_settings_elsewhere(config: OutpaintConfig) -> list[str]:
    return [f"{key} needs generator_architecture='unet'" for key in UNET_ONLY_SETTINGS if getattr(config, key)]


def _keras256_problems(config: OutpaintConfig) -> list[str]:
    problems = _unet_settings_elsewhere(config)
    # Reference B's dilated kernels are 4 x 4: no tap sits at the centre, the nearest are d/2
    # away. On a feature map narrower than that, every tap reads padding and the layer's output
    # is silently zero (so is every gradient through it).
    input_width = config.image_size if config.input_mode == "mask" else config.centre_width
    feature_width = input_width // 4
    too_wide = [d for d in config.generator_dilations if d // 2 >= feature_width]
    if too_wide:
        problems.append(
            f"generator_dilations={list(config.generator_dilations)} (dilations {too_wide} reach "
            f"past the {feature_width}-pixel-wide feature maps of a {config.image_size} px image)"
        )
    if config.generator_upsampling != "transposed":
        problems.append(
            f"generator_upsampling={config.generator_upsampling!r} (keras256 keeps its transposed convolutions)"
        )
    return problems


def _unet_problems(config: OutpaintConfig) -> list[str]:
    problems = []
    if config.generator_upsampling == "transposed":
        problems.append("generator_upsampling='transposed' (the unet generator resizes: 'nearest' or 'bilinear')")
    if config.input_mode != "mask":
        problems.append("the unet generator needs input_mode='mask'")
    return problems


GENERATORS: dict[str, Generator] = {
    generator.name: generator
    for generator in (
        # Reference A: ten layers, one stride-2 convolution and its transposed twin.
        Generator("paper", stride=2, builder="paper_generator", problems=_unet_settings_elsewhere),
        # Reference B at 256 px: two stride-2 convolutions.
        Generator("keras256", stride=4, builder="keras256_generator", problems=_keras256_problems),
        # Ours: four levels, three halvings (models.UNET_FILTERS).
        Generator("unet", stride=8, builder="unet_generator", problems=_unet_problems),
    )
}
