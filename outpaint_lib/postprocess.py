"""Between uint8 RGB pictures and the generator's float range, and compositing the known photo
back into the generated image: pasted, or Poisson-blended at any size."""

from __future__ import annotations

import cv2
import numpy as np

HIDDEN_GREY = 128

# Above this many output pixels the Poisson correction is solved at a reduced scale and
# upsampled: the correction is a smooth membrane, and a full-resolution solve of a camera
# photo would need gigabytes.
BLEND_MAX_PIXELS = 1_500_000

# Poisson cloning reads a ring of destination pixels around the mask; a mask that touches the
# image border is OpenCV's known source of ROI errors, so the destination is padded first.
BLEND_PADDING = 2

# The most ``match_mean_colour`` lightens or darkens a channel: room for the few per cent a
# round would otherwise lose, none for turning a dark strip into sky.
COLOUR_GAIN_LIMITS = (0.5, 2.0)


def to_model_range(images, value_range: tuple[float, float]):
    """uint8 [0, 255] to the model's float range; NumPy arrays stay arrays (inference),
    tensors stay tensors (the tf.data pipeline)."""
    low, high = value_range
    scale = (high - low) / 255.0
    if isinstance(images, np.ndarray):
        return images.astype(np.float32) * scale + low
    import tensorflow as tf

    return tf.cast(images, tf.float32) * scale + low


def to_uint8(image, value_range: tuple[float, float]) -> np.ndarray:
    """Model range to uint8 [0, 255], rounded and clipped."""
    low, high = value_range
    scaled = (np.asarray(image, dtype=np.float32) - low) * (255.0 / (high - low))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def paste_centre(generated: np.ndarray, centre: np.ndarray, left: int | None = None) -> np.ndarray:
    """Copy the known centre over the generated image at column ``left`` (default: centred
    horizontally), no blending."""
    left = _check_fits(generated, centre, left)
    result = generated.copy()
    result[:, left : left + centre.shape[1]] = centre
    return result


def hide_strips(image: np.ndarray, strip_width: int) -> np.ndarray:
    """The image as the generator knows it, for display: the centre, with the hidden strips grey."""
    width = image.shape[1]
    return paste_centre(np.full_like(image, HIDDEN_GREY), image[:, strip_width : width - strip_width])


def poisson_blend(generated: np.ndarray, centre: np.ndarray, left: int | None = None) -> np.ndarray:
    """Blend the known centre into the generated image at column ``left`` (default: centred)
    with Poisson seamless cloning.

    The centre is cloned with an all-255 mask at its exact position (NORMAL_CLONE, as the
    paper does). Cloning keeps the centre's gradients rather than its values, so the centre
    shifts slightly to meet the generated strips instead of leaving a visible seam.
    """
    left = _check_fits(generated, centre, left)
    height, width = generated.shape[:2]
    if centre.shape[1] == width:
        return centre.copy()
    pad = BLEND_PADDING
    destination = cv2.copyMakeBorder(generated, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    # OpenCV solves over the bounding box of the mask's interior and takes that box's outer
    # ring from the destination as the boundary condition. Padding the source by two pixels
    # makes the box the centre plus a one-pixel ring, so every centre pixel is solved for and
    # the boundary is the generated image just outside the centre.
    source = cv2.copyMakeBorder(centre, 2, 2, 2, 2, cv2.BORDER_REPLICATE)
    mask = np.full(source.shape[:2], 255, dtype=np.uint8)
    left += pad
    # The box's top-left lands at point - (box size // 2); this point puts the centre at
    # (left, pad) for even and odd sizes alike.
    point = (left + centre.shape[1] // 2, pad + height // 2)
    blended = cv2.seamlessClone(source, np.ascontiguousarray(destination), mask, point, cv2.NORMAL_CLONE)
    return blended[pad : pad + height, pad : pad + width]


def blend_photo(canvas: np.ndarray, image: np.ndarray, left: int) -> np.ndarray:
    """Poisson-blend ``image`` into ``canvas`` at column ``left``, in place. Large canvases
    solve the correction (blended minus pasted) at a reduced scale and add it back upsampled."""
    pixels = canvas.shape[0] * canvas.shape[1]
    if pixels <= BLEND_MAX_PIXELS:
        return poisson_blend(canvas, image, left)
    scale = (BLEND_MAX_PIXELS / pixels) ** 0.5
    small_height = max(8, int(round(canvas.shape[0] * scale)))
    small_width = max(8, int(round(canvas.shape[1] * scale)))
    small_image_width = max(1, int(round(image.shape[1] * small_width / canvas.shape[1])))
    small_canvas = cv2.resize(canvas, (small_width, small_height), interpolation=cv2.INTER_AREA)
    small_image = cv2.resize(image, (small_image_width, small_height), interpolation=cv2.INTER_AREA)
    small_left = min(int(round(left * small_width / canvas.shape[1])), small_width - small_image_width)
    small_pasted = paste_centre(small_canvas, small_image, small_left)
    correction = poisson_blend(small_canvas, small_image, small_left).astype(np.float32) - small_pasted
    # Only the photo's columns are corrected, as in the full-resolution solve.
    correction = cv2.resize(
        np.ascontiguousarray(correction[:, small_left : small_left + small_image_width]),
        (image.shape[1], image.shape[0]),
        interpolation=cv2.INTER_LINEAR,
    )
    result = canvas  # corrected in place, in bands of rows
    for top in range(0, image.shape[0], 256):
        band = result[top : top + 256, left : left + image.shape[1]]
        band[:] = np.clip(np.rint(band + correction[top : top + 256]), 0, 255).astype(np.uint8)
    return result


def match_mean_colour(strip: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``strip`` (uint8 RGB, its first column adjoining ``reference``) brought, channel by
    channel, to the mean colour of ``reference``. The gain ramps from 1 at the first column to
    what the mean needs at the last: the strip still meets its neighbour as painted, and only
    the falloff across it is undone, with no step where it starts."""
    width = strip.shape[1]
    column_means = strip.mean(axis=0, dtype=np.float64)  # width x 3
    ramp = np.linspace(0.0, 1.0, width)[:, None]  # one column alone adjoins: it keeps its gain of 1
    reference_mean = reference.reshape(-1, 3).mean(axis=0, dtype=np.float64)
    # mean((1 + (gain - 1) ramp) column_means) = reference_mean, solved for the far gain.
    far_gain = 1 + (reference_mean - column_means.mean(axis=0)) / np.maximum((ramp * column_means).mean(axis=0), 1.0)
    far_gain = np.clip(far_gain, *COLOUR_GAIN_LIMITS)
    gains = (1 + (far_gain - 1) * ramp).astype(np.float32)  # width x 3
    return np.clip(np.rint(strip * gains[None]), 0, 255).astype(np.uint8)


def _check_fits(generated: np.ndarray, centre: np.ndarray, left: int | None) -> int:
    """The centre's left column, checked to fit."""
    if generated.dtype != np.uint8 or centre.dtype != np.uint8:
        raise TypeError("blending works on uint8 images")
    if centre.shape[0] != generated.shape[0] or centre.shape[1] > generated.shape[1]:
        raise ValueError(f"centre {centre.shape} does not fit in image {generated.shape}")
    if left is None:
        return (generated.shape[1] - centre.shape[1]) // 2
    if not 0 <= left <= generated.shape[1] - centre.shape[1]:
        raise ValueError(f"a centre {centre.shape[1]} wide does not fit at column {left} of {generated.shape[1]}")
    return left
