import math

import cv2
import numpy as np
import pytest

from outpaint_lib.baselines import edge_replication
from outpaint_lib.metrics import (
    REALISM_PATCHES_PER_STRIP,
    realism,
    realism_patches,
    strip_detail,
    strip_layout,
    strip_psnr,
    strip_rmse,
    strip_scores,
    strip_seam,
    strip_ssim,
    strip_streak_error,
)
from support import smooth_image


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
        "detail": pytest.approx(1.0), "seam": pytest.approx(1.0), "layout": 0.0,
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
    darker_flat = np.concatenate(
        [np.full((40, 10, 3), 65, np.uint8), photo, np.full((40, 10, 3), 65, np.uint8)], axis=1
    )
    scores = outer_round_scores(photo, darker_flat, 10)
    assert scores["detail"] == 0.0
    assert scores["brightness"] == pytest.approx(65 / photo.mean(), rel=0.02)  # equal channels: grey is the mean
    same = np.concatenate([photo[:, :10], photo, photo[:, -10:]], axis=1)
    assert outer_round_scores(photo, same, 10)["brightness"] == pytest.approx(
        np.mean([photo[:, :10].mean(), photo[:, -10:].mean()]) / photo.mean(), rel=0.02)
    with pytest.raises(ValueError):
        outer_round_scores(photo, photo, 10)


def _noisy_bands(height: int, width: int, seed: int) -> np.ndarray:
    """A colourful band image with pixel-scale noise: fine texture over a smooth layout."""
    rng = np.random.default_rng(seed)
    return np.clip(smooth_image(height, width, seed).astype(np.float64)
                   + rng.normal(0, 25, (height, width, 3)), 0, 255).astype(np.uint8)


def test_layout_is_zero_for_the_truth_blind_to_fine_texture_and_sees_a_shifted_band():
    truth = _noisy_bands(64, 96, seed=0)
    assert strip_layout(truth, truth, 24) == 0.0
    # Texture that averages out over 8 x 8 blocks: a large pixel error, no layout error.
    checker = np.indices((64, 96)).sum(axis=0) % 2 * 2 - 1
    textured = np.clip(truth.astype(np.int16) + 20 * checker[..., None], 0, 255).astype(np.uint8)
    assert strip_rmse(truth, textured, 24) > 15 and strip_layout(truth, textured, 24) < 1.5
    # A band moved a quarter of the height is a layout error.
    bands = np.zeros((64, 96, 3), np.uint8)
    bands[:32] = 200
    moved = np.roll(bands, 16, axis=0)
    assert strip_layout(bands, moved, 24) > 50


def test_realism_patches_sit_at_the_same_places_with_the_photo_on_the_right():
    truth = _noisy_bands(120, 200, seed=1)
    output = truth.copy()
    output[:, :50] = 0  # the left strip painted black
    painted, true = realism_patches(truth, output, 50)
    assert painted.shape == true.shape == (2 * REALISM_PATCHES_PER_STRIP, 48, 48, 3)
    assert (painted[:REALISM_PATCHES_PER_STRIP] == 0).all()
    np.testing.assert_array_equal(painted[REALISM_PATCHES_PER_STRIP:], true[REALISM_PATCHES_PER_STRIP:])
    # The left strip is mirrored: its patch's right column is the one nearest the photo.
    centre = (50 - 48) // 2
    np.testing.assert_array_equal(true[0][:, -1], truth[:48, centre])
    # Narrow strips give smaller patches, brought to the common size.
    assert realism_patches(truth[:32, :64], output[:32, :64], 16)[0].shape == (12, 48, 48, 3)


@pytest.fixture(scope="module")
def real_patches():
    """Twenty images' worth of patches from textured band images: real strips, as it were."""
    return [realism_patches(image, image, 32, patch=24)[1]
            for image in (_noisy_bands(96, 160, seed=seed) for seed in range(40))]


def test_realism_cannot_tell_two_halves_of_real_strips_apart(real_patches):
    score = realism(real_patches[:20], real_patches[20:], seeds=(0,), epochs=6)
    assert 0.35 <= score["low"] <= score["mean"] <= score["high"] <= 0.65


def test_realism_spots_every_patch_of_a_flat_fill(real_patches):
    flat = [np.broadcast_to(patches.reshape(-1, 3).mean(axis=0).astype(np.uint8), patches.shape).copy()
            for patches in real_patches[:20]]
    score = realism(flat, real_patches[20:], seeds=(0,), epochs=6)
    assert score["mean"] >= 0.95
