"""The paper's strip RMSE, with PSNR, SSIM and a streak error, all on uint8 images and over the
strips only."""

from __future__ import annotations

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


def strip_scores(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> dict[str, float]:
    return {
        "rmse": strip_rmse(ground_truth, output, strip_width),
        "psnr": strip_psnr(ground_truth, output, strip_width),
        "ssim": strip_ssim(ground_truth, output, strip_width),
        "streaks": strip_streak_error(ground_truth, output, strip_width),
    }
