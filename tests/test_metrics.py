import math

import numpy as np
import pytest

from outpaint_lib.baselines import edge_replication
from outpaint_lib.metrics import strip_psnr, strip_rmse, strip_scores, strip_ssim, strip_streak_error

from conftest import smooth_image


def test_rmse_is_the_papers_formula_over_strips_only():
    truth = np.zeros((8, 16, 3), np.uint8)
    output = truth.copy()
    output[:, :4] = 10   # left strip off by 10
    output[:, 4:12] = 255  # the centre is ignored
    expected = math.sqrt((10**2 * 8 * 4 * 3) / (8 * 8 * 3))
    assert strip_rmse(truth, output, 4) == pytest.approx(expected)
    assert strip_psnr(truth, output, 4) == pytest.approx(20 * math.log10(255 / expected))


def test_identical_strips_score_perfectly():
    image = smooth_image(32, 32)
    scores = strip_scores(image, image, 8)
    assert scores == {"rmse": 0.0, "psnr": float("inf"), "ssim": pytest.approx(1.0), "streaks": 0.0}


def test_ssim_falls_with_noise():
    image = smooth_image(32, 32)
    noisy = np.clip(image + np.random.default_rng(0).normal(0, 40, image.shape), 0, 255).astype(np.uint8)
    assert strip_ssim(image, noisy, 8) < 0.9


def _with_streaks(image: np.ndarray, strip_width: int) -> np.ndarray:
    """Every third column of each strip 20 levels brighter, all the way down."""
    streaked = image.astype(np.int16)
    width = image.shape[1]
    for start in (0, width - strip_width):
        streaked[:, start : start + strip_width : 3] += 20
    return np.clip(streaked, 0, 255).astype(np.uint8)


def test_streaks_are_what_the_streak_error_measures():
    truth = smooth_image(64, 64)
    streaked = _with_streaks(truth, 16)
    # Light noise costs more RMSE than the streaks, yet leaves the streak error near zero:
    # it cancels down the columns, where the streaks add up.
    noisy = np.clip(truth + np.random.default_rng(1).normal(0, 20, truth.shape), 0, 255).astype(np.uint8)
    assert strip_rmse(truth, noisy, 16) > strip_rmse(truth, streaked, 16)
    assert strip_streak_error(truth, streaked, 16) > 4 * strip_streak_error(truth, noisy, 16)
    assert strip_streak_error(truth, streaked, 16) > 5


def test_the_streak_error_ignores_smooth_horizontal_gradients_and_row_offsets():
    truth = smooth_image(32, 48)
    halved = truth // 2
    ramp = 2 * np.arange(48)[None, :, None]  # a straight left-to-right brightening
    rows = np.arange(32)[:, None, None]  # and a brighter bottom
    shifted = (halved + ramp + rows).astype(np.uint8)
    assert strip_streak_error(truth, shifted, 12) == pytest.approx(strip_streak_error(truth, halved, 12))
    assert strip_streak_error(truth, halved, 12) > 0


def test_a_fill_without_vertical_structure_scores_the_photos_own_column_structure():
    truth = smooth_image(32, 48, seed=3)
    filled = edge_replication(truth[:, 12:36], 12)
    own = np.mean([np.abs(np.diff(truth[:, columns].astype(np.float64), n=2, axis=1).mean(axis=0)).mean()
                   for columns in (slice(0, 12), slice(36, 48))])
    assert strip_streak_error(truth, filled, 12) == pytest.approx(own)


def test_shapes_must_match():
    with pytest.raises(ValueError):
        strip_rmse(np.zeros((8, 16, 3), np.uint8), np.zeros((8, 12, 3), np.uint8), 4)
    with pytest.raises(ValueError):
        strip_streak_error(np.zeros((8, 16, 3), np.uint8), np.zeros((8, 12, 3), np.uint8), 4)
