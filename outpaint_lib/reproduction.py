"""The scale at which REPRODUCTION.md tests the paper's findings on a two-core machine: the
faithful presets at half width on 64-px outdoor scenes, the 18:2:80 schedule over 20,000
steps, and a no-dilation generator for the claim that dilation is what lets it outpaint.

One home for these settings: the notebook's reproduction option reads them, and a test holds
REPRODUCTION.md's commands to them."""

from __future__ import annotations

from outpaint_lib.config import OutpaintConfig, get_preset

IMAGE_SIZE = 64
WIDTH_MULTIPLIER = 0.5
PRECISION = "mixed_bfloat16"
STEPS = 20_000
INTERVAL = 250  # steps between checkpoints, validations and sample sheets
DATA = "data/scenes64"  # outpaint data prepare ../shared/data/scenes/train data/scenes64 --size 64 --val-fraction 0.05

# Each variant: the preset it starts from and what it changes beyond the scale.
VARIANTS = {
    "paper": ("paper", {}),
    "paper_local": ("paper_local", {}),
    "paper_nodilation": ("paper", {"generator_dilations": (1, 1, 1)}),
}


def configuration(variant: str) -> OutpaintConfig:
    """The configuration a reproduction run of ``variant`` trains."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown reproduction variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    preset, changes = VARIANTS[variant]
    return get_preset(preset).replace(
        image_size=IMAGE_SIZE, width_multiplier=WIDTH_MULTIPLIER, precision=PRECISION, **changes
    )
