"""The paper's strip RMSE, with PSNR, SSIM, a streak error, and two measures of what a user sees
beside the photo: detail (is the strip as sharp as reality?) and seam (does it meet the photo
without a visible edge?). All on uint8 RGB images, over the strips only."""

from __future__ import annotations

import cv2
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def _strip_pairs(ground_truth: np.ndarray, output: np.ndarray, strip_width: int):
    """The (truth, output) pair of the left strip, then of the right, in float64.

    Metrics with a spatial extent score each pair on its own, so that no window or difference
    straddles the artificial join between the two strips; the pixel-wise ones join them.
    """
    if ground_truth.shape != output.shape:
        raise ValueError(f"shapes differ: {ground_truth.shape} and {output.shape}")
    width = ground_truth.shape[1]
    return [
        (ground_truth[:, columns].astype(np.float64), output[:, columns].astype(np.float64))
        for columns in (slice(0, strip_width), slice(width - strip_width, width))
    ]


def _joined_strips(ground_truth: np.ndarray, output: np.ndarray, strip_width: int):
    truths, outputs = zip(*_strip_pairs(ground_truth, output, strip_width))
    return np.concatenate(truths, axis=1), np.concatenate(outputs, axis=1)


def strip_rmse(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """sqrt(sum(((gt - out) * M)^2) / (H * 2k * 3)) on the 0-255 scale, as the paper's code."""
    truth, generated = _joined_strips(ground_truth, output, strip_width)
    return float(np.sqrt(np.mean((truth - generated) ** 2)))


def strip_psnr(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """PSNR in dB over the strips (infinite for identical strips)."""
    truth, generated = _joined_strips(ground_truth, output, strip_width)
    if np.array_equal(truth, generated):
        return float("inf")
    return float(peak_signal_noise_ratio(truth, generated, data_range=255))


def strip_ssim(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """Mean SSIM of the left and the right strip, each scored on its own."""
    scores = []
    for truth, generated in _strip_pairs(ground_truth, output, strip_width):
        window = min(7, min(truth.shape[:2]) // 2 * 2 - 1)
        scores.append(
            structural_similarity(truth, generated, data_range=255, channel_axis=-1, win_size=window)
        )
    return float(np.mean(scores))


def _column_curvature(strip: np.ndarray) -> np.ndarray:
    """The second horizontal difference averaged down each column: texture cancels out, while a
    vertical streak or band (a whole column brighter or darker than its neighbours) remains, and
    smooth left-right gradients give zero."""
    return np.diff(strip, n=2, axis=1).mean(axis=0)


def strip_streak_error(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """Mean absolute difference between the output's and the truth's column curvature, per strip.

    RMSE spreads thin vertical streaks over the whole strip; this isolates them. A fill that
    invents no vertical structure (edge replication, inpainting) scores the photo's own column
    structure; invented streaks score above that, and only continuing the photo's real
    vertical structure scores below it.
    """
    errors = [
        np.abs(_column_curvature(truth) - _column_curvature(generated)).mean()
        for truth, generated in _strip_pairs(ground_truth, output, strip_width)
    ]
    return float(np.mean(errors))


def _ratio(numerator: float, denominator: float) -> float:
    """A ratio to the truth's own value; NaN where the truth has none (a flat strip), which the
    evaluation's means leave out."""
    return numerator / denominator if denominator > 0 else float("nan")


def _mean_absolute_laplacian(strip: np.ndarray) -> float:
    """Mean |Laplacian| (the 3 x 3 four-neighbour kernel) of the strip's grey image, over the
    pixels whose whole neighbourhood lies in the strip, so that no seam or border counts."""
    grey = cv2.cvtColor(strip.astype(np.float32), cv2.COLOR_RGB2GRAY)
    laplacian = cv2.Laplacian(grey, cv2.CV_32F, ksize=1)
    return float(np.abs(laplacian[1:-1, 1:-1]).mean())


def strip_detail(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """Mean absolute Laplacian of the painted strips over that of the true strips: 1 is as
    detailed as reality, 0 a flat fill, and a smeared strip lands in between."""
    painted, true = zip(*(
        (_mean_absolute_laplacian(generated), _mean_absolute_laplacian(truth))
        for truth, generated in _strip_pairs(ground_truth, output, strip_width)
    ))
    return _ratio(float(np.mean(painted)), float(np.mean(true)))


def _boundary_jump(image: np.ndarray, strip_width: int) -> float:
    """Mean absolute colour difference across the two strip-photo boundaries: between the last
    column of each strip and the first column of the photo beside it."""
    image = image.astype(np.float64)
    width = image.shape[1]
    left = np.abs(image[:, strip_width - 1] - image[:, strip_width])
    right = np.abs(image[:, width - strip_width] - image[:, width - strip_width - 1])
    return float((left.mean() + right.mean()) / 2)


def strip_seam(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """The jump across the boundaries in the output over the same jump in the truth: 1 is as
    natural as the photo's own neighbouring columns, above 1 a visible seam, near 0 a strip
    that starts by copying the photo's edge column."""
    if ground_truth.shape != output.shape:
        raise ValueError(f"shapes differ: {ground_truth.shape} and {output.shape}")
    return _ratio(_boundary_jump(output, strip_width), _boundary_jump(ground_truth, strip_width))


def strip_scores(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> dict[str, float]:
    return {
        "rmse": strip_rmse(ground_truth, output, strip_width),
        "psnr": strip_psnr(ground_truth, output, strip_width),
        "ssim": strip_ssim(ground_truth, output, strip_width),
        "streaks": strip_streak_error(ground_truth, output, strip_width),
        "detail": strip_detail(ground_truth, output, strip_width),
        "seam": strip_seam(ground_truth, output, strip_width),
    }


def outer_round_scores(photo: np.ndarray, widened: np.ndarray, columns: int) -> dict[str, float]:
    """How the outermost ``columns`` on each side of a recursively ``widened`` photo compare with
    the ``photo`` itself (no truth exists out there): ``brightness``, their mean grey level over
    the photo's (1 keeps the light; far ends that darken fall below), and ``detail``, their mean
    absolute Laplacian over the photo's (a smear falls toward 0)."""
    if widened.shape[0] != photo.shape[0] or widened.shape[1] < photo.shape[1] + 2 * columns:
        raise ValueError(f"{widened.shape} is not {photo.shape} widened by {columns} columns a side")
    outer = [widened[:, :columns], widened[:, -columns:]]
    grey = [cv2.cvtColor(part.astype(np.float32), cv2.COLOR_RGB2GRAY).mean() for part in outer]
    photo_grey = cv2.cvtColor(photo.astype(np.float32), cv2.COLOR_RGB2GRAY).mean()
    return {
        "brightness": _ratio(float(np.mean(grey)), float(photo_grey)),
        "detail": _ratio(float(np.mean([_mean_absolute_laplacian(part) for part in outer])),
                         _mean_absolute_laplacian(photo)),
    }

