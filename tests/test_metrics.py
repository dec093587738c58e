import math

import numpy as np
import pytest

from outpaint_lib.metrics import strip_psnr, strip_rmse, strip_scores, strip_ssim

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
    assert scores == {"rmse": 0.0, "psnr": float("inf"), "ssim": pytest.approx(1.0)}


def test_ssim_falls_with_noise():
    image = smooth_image(32, 32)
    noisy = np.clip(image + np.random.default_rng(0).normal(0, 40, image.shape), 0, 255).astype(np.uint8)
    assert strip_ssim(image, noisy, 8) < 0.9


def test_shapes_must_match():
    with pytest.raises(ValueError):
        strip_rmse(np.zeros((8, 16, 3), np.uint8), np.zeros((8, 12, 3), np.uint8), 4)
