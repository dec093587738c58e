import math

import cv2
import numpy as np
import pytest

from outpaint_lib.baselines import edge_replication
from outpaint_lib.metrics import (
    strip_detail, strip_psnr, strip_rmse, strip_scores, strip_seam, strip_ssim, strip_streak_error,
)

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
    assert scores == {
        "rmse": 0.0, "psnr": float("inf"), "ssim": pytest.approx(1.0), "streaks": 0.0,
        "detail": pytest.approx(1.0), "seam": pytest.approx(1.0),
    }


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


def _textured(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Uniform noise: a texture with a strong Laplacian everywhere."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_detail_is_zero_for_a_flat_fill_and_one_for_equally_busy_texture():
    truth = _textured(32, 48)
    flat = truth.copy()
    flat[:, :8] = 128
    flat[:, -8:] = 90
    assert strip_detail(truth, flat, 8) == 0.0
    # Another draw of the same noise is as detailed as the truth, though every pixel differs.
    other = truth.copy()
    other[:, :8], other[:, -8:] = _textured(32, 8, seed=1), _textured(32, 8, seed=2)
    assert strip_detail(truth, other, 8) == pytest.approx(1.0, abs=0.05)


def test_detail_of_a_smeared_strip_lies_between_and_ignores_the_centre():
    truth = _textured(32, 48)
    blurred = truth.copy()
    for columns in (slice(0, 8), slice(40, 48)):
        blurred[:, columns] = cv2.GaussianBlur(np.ascontiguousarray(truth[:, columns]), (3, 3), 0.6)
    smeared = strip_detail(truth, blurred, 8)
    assert 0.1 < smeared < 0.6
    busy_centre = blurred.copy()
    busy_centre[:, 8:40] = _textured(32, 32, seed=3)
    assert strip_detail(truth, busy_centre, 8) == smeared


def test_seam_is_the_boundary_jump_over_the_truths_own():
    # A horizontal ramp: neighbouring columns differ by 2 levels everywhere.
    ramp = np.broadcast_to((np.arange(48) * 2 + 20)[None, :, None], (16, 48, 3)).astype(np.uint8)
    assert strip_seam(ramp, ramp, 8) == pytest.approx(1.0)
    # Strips 10 levels too bright: a jump of 12 (ramp 2 + offset 10) on the left, where the strip
    # sits below the photo's brighter columns the jump is |2 - 10| = 8 on the right.
    offset = ramp.copy()
    offset[:, :8] += 10
    offset[:, -8:] += 10
    assert strip_seam(ramp, offset, 8) == pytest.approx(((10 - 2) + (10 + 2)) / 2 / 2)
    # Copying the photo's edge column into the strips makes the jump vanish.
    copied = ramp.copy()
    copied[:, :8] = ramp[:, 8:9]
    copied[:, -8:] = ramp[:, -9:-8]
    assert strip_seam(ramp, copied, 8) == 0.0


def test_ratio_metrics_are_undefined_against_a_flat_truth():
    flat = np.full((16, 32, 3), 100, np.uint8)
    textured = _textured(16, 32)
    assert math.isnan(strip_detail(flat, textured, 8))
    assert math.isnan(strip_seam(flat, textured, 8))


def test_the_outermost_round_is_scored_against_the_photo():
    from outpaint_lib.metrics import outer_round_scores

    rng = np.random.default_rng(0)
    photo = rng.integers(60, 200, size=(40, 60, 3)).astype(np.uint8)
    darker_flat = np.concatenate([np.full((40, 10, 3), 65, np.uint8), photo, np.full((40, 10, 3), 65, np.uint8)], axis=1)
    scores = outer_round_scores(photo, darker_flat, 10)
    assert scores["detail"] == 0.0
    assert scores["brightness"] == pytest.approx(65 / photo.mean(), rel=0.02)  # equal channels: grey is the mean
    same = np.concatenate([photo[:, :10], photo, photo[:, -10:]], axis=1)
    assert outer_round_scores(photo, same, 10)["brightness"] == pytest.approx(
        np.mean([photo[:, :10].mean(), photo[:, -10:].mean()]) / photo.mean(), rel=0.02)
    with pytest.raises(ValueError):
        outer_round_scores(photo, photo, 10)
