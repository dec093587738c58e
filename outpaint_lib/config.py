"""Run configuration: one frozen dataclass, named presets, strict JSON round trip.

Every number that shapes a run lives here, so that a saved ``config.json`` is enough to rebuild
the networks of a checkpoint and to refuse a resume whose architecture differs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing
from pathlib import Path
from typing import Any

from outpaint_lib.errors import ConfigError
from outpaint_lib.generators import GENERATORS


def _shipped_checkpoint() -> Path:
    """The shipped, trained beach model, which ``paint`` and ``evaluate`` load by default: package
    data (``outpaint_lib/checkpoint``) in an installed wheel, the repository's top-level
    ``checkpoint/`` in a source checkout or an editable install."""
    package = Path(__file__).resolve().parent
    installed = package / "checkpoint"
    return installed if installed.is_dir() else package.parent / "checkpoint"


DEFAULT_CHECKPOINT = _shipped_checkpoint()

INPUT_MODES = ("mask", "crop")
# Which strips a generator paints: the left and right columns, or the top and bottom rows. A rows
# generator is trained and run on transposed images (``geometry.strip_frame``), so every strip
# computation stays one of columns; it learns from photos in their real orientation, so its first
# strip is always the top (sky) and its second the bottom (sand, sea), never rotated ones.
STRIP_AXES = ("columns", "rows")
GENERATOR_ARCHITECTURES = tuple(GENERATORS)
DISCRIMINATOR_ARCHITECTURES = ("paper", "keras256", "patch")
# How the hidden strips of the generator's input are filled: the paper's mean intensity, or the
# centre's outermost column repeated, which a residual generator then corrects.
INPUT_FILLS = ("mean", "edge")
DISCRIMINATOR_VIEWS = ("image", "strips")
ADVERSARIAL_LOSSES = ("cross_entropy", "least_squares", "hinge")
PRECISIONS = ("float32", "mixed_bfloat16")
LEARNING_RATE_DECAYS = ("constant", "cosine")
# "transposed" is the paper's 4 x 4 stride-2 transposed convolution; the others resize by 2 and
# then apply a 3 x 3 convolution, which cannot leave the 2-pixel checkerboard a transposed
# convolution's uneven kernel overlap can.
GENERATOR_UPSAMPLINGS = ("transposed", "nearest", "bilinear")
VALUE_RANGES = ((0.0, 1.0), (-1.0, 1.0))

# Settings introduced after configurations were first saved, with the value that reproduces how
# a configuration written before them behaved: older checkpoints and runs keep loading. Any other
# missing key still means a damaged or foreign file.
SETTINGS_ADDED_LATER = {
    "learning_rate_decay": "constant",
    "final_learning_rate_fraction": 0.01,
    "generator_upsampling": "transposed",
    "horizontal_flip": False,
    "input_fill": "mean",
    "generator_row_context": False,
    "feature_matching_weight": 0.0,
    "generator_gated_convolutions": False,
    "generator_fourier_unit": False,
    "strip_axis": "columns",
}

# Settings that configurations once held and no longer do, with the only value they could take:
# such a file still loads; any other value is refused, as it would describe another model.
SETTINGS_REMOVED = {"outpaint_fraction": 0.25}

# The outer quarter of the width on each side is hidden and generated: the geometry of both
# references, which the networks' shapes and every strip computation assume.
STRIP_FRACTION = 0.25


def strip_width_of(size: int) -> int:
    """Columns of one strip of a ``size``-wide (or ``size``-high) image: hidden in training,
    added per side by one round of painting; at least one."""
    return max(1, int(round(size * STRIP_FRACTION)))


def _architecture(default: Any) -> Any:
    """A field that shapes the networks' layers: saved weights only fit the value they were
    trained with, so a resume that changes it is refused (``architecture_differences``)."""
    return dataclasses.field(default=default, metadata={"architecture": True})


@dataclasses.dataclass(frozen=True)
class OutpaintConfig:
    """Everything a run needs. Fields are grouped as: geometry, networks, losses, optimizers,
    schedule, run."""

    name: str = "paper"

    # Geometry: an image_size x image_size image whose outer STRIP_FRACTION * image_size
    # columns on each side (rows, for strip_axis="rows") are hidden and generated.
    image_size: int = _architecture(128)
    strip_axis: str = "columns"
    input_mode: str = _architecture("mask")
    input_fill: str = _architecture("mean")
    value_range: tuple[float, float] = _architecture((0.0, 1.0))

    # Networks.
    generator_architecture: str = _architecture("paper")
    discriminator_architecture: str = _architecture("paper")
    width_multiplier: float = _architecture(1.0)
    generator_dilations: tuple[int, ...] = _architecture((2, 4, 8))
    generator_upsampling: str = _architecture("transposed")
    # The unet generator's bottleneck adds, to every position, a summary of its whole row: the
    # horizon, shore and sky bands run across the image, further than any convolution reaches.
    generator_row_context: bool = _architecture(False)
    # Two unet candidates, measured against the plain unet at equal wall time (the model card's
    # candidate table): gated convolutions, each a feature map times a learned sigmoid gate, so
    # that a layer can learn to ignore what the fill of the hidden strips tells it; and a Fourier
    # unit after the bottleneck, a learned mixing of the feature map's 2-D spectrum, through
    # which every position sees the whole image at once.
    generator_gated_convolutions: bool = _architecture(False)
    generator_fourier_unit: bool = _architecture(False)
    dropout_rate: float = _architecture(0.0)
    instance_normalization: bool = _architecture(False)
    use_local_discriminator: bool = _architecture(False)
    discriminator_view: str = _architecture("image")

    # Losses.
    reconstruction_weight: float = 1.0
    adversarial_weight: float = 0.0004
    adversarial_loss: str = "cross_entropy"
    # L1 distance between the patch discriminator's features of the real and the composited
    # image, which gives the generator a steadier signal toward realistic texture than the
    # adversarial term alone (0 turns it off).
    feature_matching_weight: float = 0.0
    log_epsilon: float = 1e-9

    # Optimizers (Adam, one per network).
    generator_learning_rate: float = 1e-3
    generator_beta_1: float = 0.9
    generator_beta_2: float = 0.999
    generator_epsilon: float = 1e-8
    discriminator_learning_rate: float = 1e-3
    discriminator_beta_1: float = 0.9
    discriminator_beta_2: float = 0.999
    discriminator_epsilon: float = 1e-8
    # "cosine" anneals each network's rate over its own updates in the run, from the rate above
    # down to final_learning_rate_fraction of it; "constant" keeps the paper's fixed rate.
    learning_rate_decay: str = "constant"
    final_learning_rate_fraction: float = 0.01

    # Schedule: phase 1 (G on reconstruction), phase 2 (D alone), phase 3 (both).
    phase_ratios: tuple[int, int, int] = (18, 2, 80)
    generator_updates_per_step: int = 1

    # Run.
    batch_size: int = 16
    augment: bool = False
    # Mirrors half the training images left to right: beach scenes have no preferred side, so
    # this doubles the distinct examples without leaving the data's distribution.
    horizontal_flip: bool = False
    precision: str = "float32"
    seed: int = 0

    def __post_init__(self) -> None:
        # JSON gives lists; tuples keep the dataclass hashable and comparable.
        for key in ("value_range", "generator_dilations", "phase_ratios"):
            value = getattr(self, key)
            if isinstance(value, list):
                object.__setattr__(self, key, tuple(value))
        problems = _type_problems(self)
        if problems:
            raise ConfigError("invalid configuration: " + "; ".join(problems))
        object.__setattr__(self, "value_range", tuple(float(v) for v in self.value_range))
        choices = {
            "input_mode": INPUT_MODES,
            "strip_axis": STRIP_AXES,
            "input_fill": INPUT_FILLS,
            "generator_architecture": GENERATOR_ARCHITECTURES,
            "discriminator_architecture": DISCRIMINATOR_ARCHITECTURES,
            "discriminator_view": DISCRIMINATOR_VIEWS,
            "adversarial_loss": ADVERSARIAL_LOSSES,
            "precision": PRECISIONS,
            "value_range": VALUE_RANGES,
            "learning_rate_decay": LEARNING_RATE_DECAYS,
            "generator_upsampling": GENERATOR_UPSAMPLINGS,
        }
        for key, allowed in choices.items():
            if getattr(self, key) not in allowed:
                problems.append(f"{key}={getattr(self, key)!r} (expected one of {list(allowed)})")
        if self.image_size % 16:
            problems.append(f"image_size={self.image_size} (must be a multiple of 16)")
        if not 0 <= self.final_learning_rate_fraction <= 1:
            problems.append(f"final_learning_rate_fraction={self.final_learning_rate_fraction} (must be in [0, 1])")
        if self.width_multiplier <= 0:
            problems.append(f"width_multiplier={self.width_multiplier} (must be positive)")
        if len(self.phase_ratios) != 3 or min(self.phase_ratios) < 0 or sum(self.phase_ratios) == 0:
            problems.append(f"phase_ratios={self.phase_ratios} (three non-negative numbers)")
        if self.batch_size < 1 or self.generator_updates_per_step < 1:
            problems.append("batch_size and generator_updates_per_step must be at least 1")
        if self.generator_architecture in GENERATORS:
            problems.extend(GENERATORS[self.generator_architecture].problems(self))
        if (self.discriminator_architecture == "patch") != (self.adversarial_loss == "hinge"):
            problems.append(
                "the patch discriminator and the hinge loss go together: it returns per-patch scores, not probabilities"
            )
        if self.discriminator_architecture == "patch" and (
            self.use_local_discriminator or self.discriminator_view != "image"
        ):
            problems.append(
                "the patch discriminator judges the whole composited image: no local discriminator, "
                "discriminator_view='image'"
            )
        if self.feature_matching_weight and self.discriminator_architecture != "patch":
            problems.append("feature_matching_weight needs the patch discriminator, whose features it compares")
        if self.use_local_discriminator and self.discriminator_view != "image":
            problems.append("use_local_discriminator needs discriminator_view='image'")
        if problems:
            raise ConfigError("invalid configuration: " + "; ".join(problems))

    # Derived geometry, so that no module recomputes it differently.
    @property
    def strip_width(self) -> int:
        """Width of one hidden side strip (k in the paper)."""
        return strip_width_of(self.image_size)

    @property
    def centre_width(self) -> int:
        return self.image_size - 2 * self.strip_width

    @property
    def input_channels(self) -> int:
        """Mask mode adds the paper's mask as a fourth channel."""
        return 4 if self.input_mode == "mask" else 3

    @property
    def output_activation(self) -> str:
        return "sigmoid" if self.value_range == (0.0, 1.0) else "tanh"

    def replace(self, **changes: Any) -> OutpaintConfig:
        known = [f.name for f in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ConfigError(f"unknown configuration keys: {', '.join(unknown)} (the keys are: {', '.join(known)})")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {key: list(v) if isinstance(v, tuple) else v for key, v in dataclasses.asdict(self).items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> OutpaintConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        values = dict(values)
        for key, only_value in SETTINGS_REMOVED.items():
            if key in values and values[key] == only_value:
                del values[key]
        values = {**{key: value for key, value in SETTINGS_ADDED_LATER.items() if key not in values}, **values}
        unknown = sorted(set(values) - known)
        missing = sorted(known - set(values))
        if unknown or missing:
            parts = []
            if unknown:
                parts.append(f"unknown keys: {', '.join(unknown)}")
            if missing:
                parts.append(f"missing keys: {', '.join(missing)}")
            raise ConfigError("configuration does not match this version: " + "; ".join(parts))
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> OutpaintConfig:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"configuration is not valid JSON: {error}") from None
        if not isinstance(values, dict):
            raise ConfigError("configuration JSON must be an object")
        return cls.from_dict(values)

    def save(self, path: str | os.PathLike) -> None:
        from outpaint_lib.files import atomic_write_text

        atomic_write_text(path, self.to_json() + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> OutpaintConfig:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            raise ConfigError(f"cannot read configuration {path}: {error.strerror}") from None
        return cls.from_json(text)


def _type_problems(config: OutpaintConfig) -> list[str]:
    """Each field whose value is not of its annotated type (``--set image_size=abc``, a
    hand-edited file). An int is accepted for a float; a bool is never taken for a number."""
    problems = []
    for name, annotation in typing.get_type_hints(type(config)).items():
        value = getattr(config, name)
        if typing.get_origin(annotation) is tuple:
            arguments = typing.get_args(annotation)
            item_type = arguments[0]
            ok = (
                isinstance(value, tuple)
                and (arguments[-1] is Ellipsis or len(value) == len(arguments))
                and all(_is_instance(item, item_type) for item in value)
            )
            expected = (
                f"{len(arguments)} {item_type.__name__} values"
                if arguments[-1] is not Ellipsis
                else f"{item_type.__name__} values"
            )
        else:
            ok, expected = _is_instance(value, annotation), annotation.__name__
        if not ok:
            problems.append(f"{name}={value!r} (expected {expected})")
    return problems


def _is_instance(value: Any, expected: type) -> bool:
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


# Keys whose change makes saved weights unusable: a resume must refuse to mix them.
ARCHITECTURE_KEYS = tuple(f.name for f in dataclasses.fields(OutpaintConfig) if f.metadata.get("architecture"))


def architecture_differences(saved: OutpaintConfig, current: OutpaintConfig) -> list[str]:
    """Names of the architecture keys on which two configurations disagree."""
    return [key for key in ARCHITECTURE_KEYS if getattr(saved, key) != getattr(current, key)]


PAPER = OutpaintConfig()

# The paper's variant with local discriminators on the left half and the mirrored right half.
PAPER_LOCAL = PAPER.replace(name="paper_local", use_local_discriminator=True)

# Reference B, the Keras re-implementation at 256 x 256 (cropping, deep generator, strip D).
# Its D loss was cross-entropy with a label/prediction mix-up; we keep cross-entropy, fixed.
# Its combined model used least-squares against "real" for the adversarial term with weight 1,
# and ran two generator updates per discriminator update.
KERAS256 = OutpaintConfig(
    name="keras256",
    image_size=256,
    input_mode="crop",
    value_range=(-1.0, 1.0),
    generator_architecture="keras256",
    discriminator_architecture="keras256",
    generator_dilations=(2, 4, 8, 16),
    dropout_rate=0.25,
    instance_normalization=True,
    discriminator_view="strips",
    adversarial_weight=1.0,
    adversarial_loss="least_squares",
    generator_learning_rate=1e-3,
    generator_beta_1=0.5,
    discriminator_learning_rate=1e-4,
    discriminator_beta_1=0.5,
    generator_epsilon=1e-7,
    discriminator_epsilon=1e-7,
    generator_updates_per_step=2,
    batch_size=1,
    augment=True,
)

# Our own design (not a reference): a U-Net generator with skip connections from the known
# centre, a bottleneck of dilated residual blocks (1, 2, 5: no gridding) with a row-context
# branch, bilinear resize upsampling, and a residual over edge replication; a spectrally
# normalised patch discriminator that judges the composited image, seams included, with a
# hinge loss and feature matching. See checkpoint/README.md for how it was chosen.
UNET = PAPER.replace(
    name="unet",
    input_fill="edge",
    generator_architecture="unet",
    discriminator_architecture="patch",
    generator_dilations=(1, 2, 5),
    generator_upsampling="bilinear",
    generator_row_context=True,
    adversarial_loss="hinge",
    adversarial_weight=0.01,
    feature_matching_weight=0.1,
    discriminator_learning_rate=4e-4,
    discriminator_beta_1=0.5,
    learning_rate_decay="cosine",
    phase_ratios=(30, 2, 68),
    horizontal_flip=True,
    augment=True,
)

PRESETS: dict[str, OutpaintConfig] = {c.name: c for c in (PAPER, PAPER_LOCAL, KERAS256, UNET)}

# The training steps of each preset's reference run, which a new run takes when it is given
# none: the paper's 227,500 iterations (both discriminator variants); the Keras version's 25
# epochs of its about 10,500 augmented photos at batch 1; the shipped unet's scene pretraining.
PRESET_STEPS: dict[str, int] = {"paper": 227_500, "paper_local": 227_500, "keras256": 262_500, "unet": 6_000}


def get_preset(name: str) -> OutpaintConfig:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
