import math

import numpy as np
import pytest

from outpaint_lib.geometry import split_image
from outpaint_lib.losses import (
    adversarial_loss,
    discriminator_loss,
    feature_matching_loss,
    hinge_discriminator_loss,
    hinge_generator_loss,
    identity_loss,
    joint_generator_loss,
)


def test_identity_loss_equals_the_papers_masked_mse():
    rng = np.random.default_rng(0)
    truth = rng.uniform(size=(2, 16, 16, 3)).astype(np.float32)
    output = rng.uniform(size=(2, 16, 16, 3)).astype(np.float32)
    mask = np.zeros((2, 16, 16, 3), np.float32)
    mask[:, :, :4] = mask[:, :, 12:] = 1
    paper = np.sum(mask * (output - truth) ** 2) / np.sum(mask)
    ours = identity_loss(split_image(truth, 4)[1], split_image(output, 4)[1])
    assert float(ours) == pytest.approx(paper, rel=1e-5)


def test_identity_loss_ignores_the_centre():
    truth = np.zeros((1, 8, 8, 3), np.float32)
    output = truth.copy()
    output[:, :, 2:6] = 1  # only the centre differs
    assert float(identity_loss(split_image(truth, 2)[1], split_image(output, 2)[1])) == 0


def test_discriminator_loss_values_and_epsilon_clamp():
    assert float(discriminator_loss(np.ones(4), np.zeros(4))) == pytest.approx(0.0, abs=1e-6)
    assert float(discriminator_loss(np.full(4, 0.5), np.full(4, 0.5))) == pytest.approx(2 * math.log(2), rel=1e-5)
    # A confidently wrong D costs -log(1e-9) per term instead of infinity.
    assert float(discriminator_loss(np.zeros(4), np.ones(4))) == pytest.approx(-2 * math.log(1e-9), rel=1e-5)


def test_adversarial_loss_cross_entropy_and_least_squares():
    assert float(adversarial_loss(np.full(3, 0.25))) == pytest.approx(-math.log(0.25), rel=1e-5)
    assert float(adversarial_loss(np.zeros(3))) == pytest.approx(-math.log(1e-9), rel=1e-5)
    assert float(adversarial_loss(np.full(3, 0.25), kind="least_squares")) == pytest.approx(0.5625)


def test_joint_loss_is_mse_minus_alpha_log_d():
    probabilities = np.full(4, 0.1)
    joint = joint_generator_loss(0.02, adversarial_loss(probabilities), 1.0, 0.0004)
    assert float(joint) == pytest.approx(0.02 - 0.0004 * math.log(0.1), rel=1e-5)


def test_losses_are_float32_for_bfloat16_inputs():
    import tensorflow as tf

    values = tf.constant([0.3, 0.7], dtype=tf.bfloat16)
    assert discriminator_loss(values, values).dtype == tf.float32
    assert identity_loss(values, values * 0).dtype == tf.float32


def test_hinge_losses_stop_pulling_beyond_the_margin():
    # Real scores 2 and 0.5 (only the second inside the margin), fake -3 and 0.
    real, fake = np.array([2.0, 0.5], np.float32), np.array([-3.0, 0.0], np.float32)
    assert float(hinge_discriminator_loss(real, fake)) == pytest.approx((0 + 0.5) / 2 + (0 + 1) / 2)
    assert float(hinge_generator_loss(fake)) == pytest.approx(1.5)


def test_feature_matching_is_the_mean_l1_distance_over_layers():
    real = [np.zeros((1, 4, 4, 2), np.float32), np.ones((1, 2, 2, 8), np.float32)]
    fake = [np.full((1, 4, 4, 2), 0.5, np.float32), np.ones((1, 2, 2, 8), np.float32)]
    assert float(feature_matching_loss(real, fake)) == pytest.approx((0.5 + 0.0) / 2)
