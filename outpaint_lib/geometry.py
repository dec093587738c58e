"""How an image splits into the known centre and the hidden side strips, and back.

One definition serves the data pipeline, the GAN's train step and inference, so the three can
never disagree on where a strip starts. Every function works on a single H x W x C image or a
batch (the width is always axis -2). NumPy arrays are computed with NumPy, so that painting
never has to load TensorFlow; tensors with ``keras.ops``.
"""

from __future__ import annotations

import types

import numpy as np

from outpaint_lib.config import STRIP_AXES, OutpaintConfig
from outpaint_lib.generators import GENERATORS

_NUMPY_OPS = types.SimpleNamespace(
    concatenate=np.concatenate,
    mean=np.mean,
    repeat=np.repeat,
    ones_like=np.ones_like,
    zeros_like=np.zeros_like,
    convert_to_tensor=np.asarray,
)


def _ops(array):
    if isinstance(array, np.ndarray):
        return _NUMPY_OPS
    from keras import ops

    return ops


def strip_frame(image, axis: str):
    """``image`` (or a batch) with the strips of ``axis`` as its left and right columns: as it is
    for "columns", its height and width swapped for "rows" (``config.STRIP_AXES``), so that a
    rows generator's top and bottom rows are the columns every other function here works on.
    Its own inverse."""
    if axis not in STRIP_AXES:
        raise ValueError(f"axis must be one of {', '.join(STRIP_AXES)}, got {axis!r}")
    if axis == "columns":
        return image
    if isinstance(image, np.ndarray):
        return np.ascontiguousarray(np.swapaxes(image, -3, -2))
    from keras import ops

    return ops.swapaxes(image, -3, -2)


def input_stride(config: OutpaintConfig) -> int:
    """What a generator input's width must be a multiple of: the product of its strides."""
    return GENERATORS[config.generator_architecture].stride


def model_input_width(config: OutpaintConfig, height: int, width: int) -> int:
    """A height x width photo's width at the model's scale (height ``image_size``), rounded to
    what the strides accept; a crop-mode generator needs at least its training centre."""
    stride = input_stride(config)
    rounded = int(round(width * config.image_size / height / stride)) * stride
    return max(config.centre_width if config.input_mode == "crop" else stride, rounded)


# The strips the evaluation at a photo's own size hides, per side, as a fraction of the photo's
# height: for columns a quarter, what one round of painting adds; for rows a sixth, as much as a
# tight shot is usually given more sky or sand.
OWN_SIZE_HIDDEN = {"columns": 1 / 4, "rows": 1 / 6}


def own_size_centre(photo: np.ndarray, axis: str = "columns") -> tuple[np.ndarray, int]:
    """The evaluation protocol at a photo's own size: the photo once ``OWN_SIZE_HIDDEN`` of its
    height is hidden on each side of ``axis``, and how many columns (rows) that is a side."""
    strip = int(round(photo.shape[0] * OWN_SIZE_HIDDEN[axis]))
    framed = strip_frame(photo, axis)
    return strip_frame(np.ascontiguousarray(framed[:, strip : framed.shape[1] - strip]), axis), strip


def make_example(image, config: OutpaintConfig) -> dict:
    """One training example from one model-range image: the generator's input, the hidden
    strips (identity-loss target) and the whole image (for the discriminators)."""
    centre, strips = split_image(image, config.strip_width)
    return {"input": generator_input(centre, config), "strips": strips, "image": image}


def split_image(image, strip_width: int):
    """Return ``(centre, strips)``: the middle W - 2k columns, and the left and right k-column
    strips placed side by side (the target of the identity loss, as reference B arranges it)."""
    width = image.shape[-2]
    centre = image[..., :, strip_width : width - strip_width, :]
    strips = _ops(image).concatenate([image[..., :, :strip_width, :], image[..., :, width - strip_width :, :]], axis=-2)
    return centre, strips


def assemble_image(centre, strips):
    """Inverse of ``split_image``: left strip, centre, right strip."""
    strip_width = strips.shape[-2] // 2
    return _ops(strips).concatenate([strips[..., :, :strip_width, :], centre, strips[..., :, strip_width:, :]], axis=-2)


def masked_input(centre, strip_width: int, fill: str = "mean"):
    """The paper's four-channel generator input built from the centre alone.

    The hidden columns are filled and a mask channel is 1 there, 0 over the known centre.
    ``fill="mean"`` is the paper's mean intensity (one scalar over pixels and channels). The
    paper's training code took that mean over the whole image, hidden strips included; we take
    it over the centre, the only value available at inference, so training and use see the
    same input. ``fill="edge"`` repeats the centre's outermost column instead: the classical
    fill that a residual generator corrects.
    """
    ops = _ops(centre)
    centre = ops.convert_to_tensor(centre)
    # Built from slices of the centre, not from its shape: a batch may have no static size.
    if fill == "edge":
        left = ops.repeat(centre[..., :, :1, :], strip_width, axis=-2)
        right = ops.repeat(centre[..., :, -1:, :], strip_width, axis=-2)
    else:
        mean = ops.mean(centre, axis=(-3, -2, -1), keepdims=True)
        left = right = ops.repeat(ops.zeros_like(centre[..., :, :1, :]) + mean, strip_width, axis=-2)
    filled = ops.concatenate([left, centre, right], axis=-2)
    mask_strip = ops.repeat(ops.ones_like(centre[..., :, :1, :1]), strip_width, axis=-2)
    mask = ops.concatenate([mask_strip, ops.zeros_like(centre[..., :1]), mask_strip], axis=-2)
    return ops.concatenate([filled, mask], axis=-1)


def generator_input(centre, config: OutpaintConfig):
    """What the generator reads: the masked 4-channel image, or the bare centre crop."""
    if config.input_mode == "mask":
        return masked_input(centre, config.strip_width, config.input_fill)
    return _ops(centre).convert_to_tensor(centre)


def generated_strips(generator_output, config: OutpaintConfig):
    """The two generated strips, side by side, whatever the generator's output layout."""
    if config.input_mode == "mask":
        return split_image(generator_output, config.strip_width)[1]
    return generator_output


def generated_image(generator_output, centre, config: OutpaintConfig):
    """The full-width generated image. In mask mode the paper's generator paints the whole
    image (its centre is not pasted back during training); in crop mode the centre is known.
    The patch discriminator judges the composite, the real centre between the generated
    strips, so that the seam itself is what it sees, as a user will."""
    if config.input_mode == "mask" and config.discriminator_architecture != "patch":
        return generator_output
    return assemble_image(centre, generated_strips(generator_output, config))


def discriminator_view(image, config: OutpaintConfig):
    """What the discriminator judges: the whole image (paper) or the strips (reference B)."""
    if config.discriminator_view == "image":
        return image
    return split_image(image, config.strip_width)[1]
