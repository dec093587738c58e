"""What detail costs when it is not the truth's: the shipped model's strips with a real photo's
fine texture added, either another photo's (realistic, but uncorrelated with what lies beyond
this border) or the photo's own (what a perfect detail predictor would add), scored as
``evaluate`` scores them.

The fine texture is the true strips minus their Gaussian blur (sigma 1 px): the band the detail
metric's 3 x 3 Laplacian sees. Adding ``scale`` times it shows how far from the model's scores
a generator that paints realistic texture without predicting it would move, in RMSE, SSIM,
detail and seam, and that only predicted texture raises detail and SSIM together.

    python benchmarks/detail_cost.py [--data ../shared/data/beach/val] [--full-resolution] [--scales 0.25 0.5]
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from outpaint_lib.config import strip_width_of
from outpaint_lib.evaluation import mean_scores
from outpaint_lib.geometry import own_size_centre
from outpaint_lib.images import find_images, load_image, load_square
from outpaint_lib.inference import DEFAULT_CHECKPOINT, Outpainter
from outpaint_lib.metrics import strip_scores

SCALES = (0.25, 0.5, 0.75, 1.0)
TEXTURE_SIGMA = 1.0
BATCH_SIZE = 32


def fine_texture(image: np.ndarray) -> np.ndarray:
    """The image minus its Gaussian blur, in float32 grey levels."""
    image = image.astype(np.float32)
    return image - cv2.GaussianBlur(image, (0, 0), TEXTURE_SIGMA)


def with_texture(painted: np.ndarray, texture: np.ndarray, strip: int, scale: float) -> np.ndarray:
    """``painted`` with ``scale`` times ``texture``'s strips added to its strips only."""
    result = painted.astype(np.float32)
    result[:, :strip] += scale * texture[:, :strip]
    result[:, -strip:] += scale * texture[:, -strip:]
    return np.clip(np.rint(result), 0, 255).astype(np.uint8)


def borrowed(texture: np.ndarray, shape: tuple[int, ...], strip: int) -> np.ndarray:
    """Another photo's strip texture brought to ``shape``: its strips resized to this photo's."""
    height, width = shape[:2]
    result = np.zeros((height, width, 3), np.float32)
    result[:, :strip] = cv2.resize(np.ascontiguousarray(texture[:, :strip]), (strip, height))
    result[:, -strip:] = cv2.resize(np.ascontiguousarray(texture[:, -strip:]), (strip, height))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/beach/val")
    parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT)
    parser.add_argument("--full-resolution", action="store_true",
                        help="each photo at its own size, widened as paint widens it (default: 128-px squares)")
    parser.add_argument("--scales", type=float, nargs="+", default=SCALES, help="texture amplitudes to add")
    parser.add_argument("--limit", type=int)
    arguments = parser.parse_args()

    outpainter = Outpainter.load(arguments.checkpoint)
    paths = find_images(arguments.data)[: arguments.limit]
    if arguments.full_resolution:
        where = "at their own resolution"
        truths = [load_image(path) for path in paths]
        painted = [outpainter.outpaint_batch([own_size_centre(truth)[0]])[0] for truth in truths]
    else:
        where = f"at {outpainter.config.image_size} px"
        truths = [load_square(path, outpainter.config.image_size) for path in paths]
        painted = [image for start in range(0, len(truths), BATCH_SIZE) for image in outpainter.outpaint_batch(
            [own_size_centre(truth)[0] for truth in truths[start : start + BATCH_SIZE]], blend=False)]
    textures = [fine_texture(truth) for truth in truths]

    rows = [("model", None, 0.0)]
    for scale in arguments.scales:
        rows += [(f"+ {scale:g} x another photo's texture", "other", scale),
                 (f"+ {scale:g} x its own texture (oracle)", "own", scale)]
    print(f"{len(truths)} images from {arguments.data} {where}")
    print(f"{'strips':<42} {'RMSE':>7} {'SSIM':>6} {'detail':>7} {'seam':>6}")
    for label, source, scale in rows:
        scores = []
        for index, (truth, output) in enumerate(zip(truths, painted)):
            strip = strip_width_of(truth.shape[0])
            if source is not None:
                texture = textures[index] if source == "own" else borrowed(
                    textures[(index + 1) % len(truths)], truth.shape, strip)
                output = with_texture(output, texture, strip, scale)
            scores.append(strip_scores(truth, output, strip))
        mean = mean_scores(scores)  # as evaluate averages them
        print(f"{label:<42} {mean['rmse']:>7.2f} {mean['ssim']:>6.3f} {mean['detail']:>7.3f} {mean['seam']:>6.2f}")


if __name__ == "__main__":
    main()
