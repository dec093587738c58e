"""The paper's losses and our patch discriminator's, computed in float32 whatever precision the
networks run in."""

from __future__ import annotations

from keras import ops

DEFAULT_LOG_EPSILON = 1e-9


def identity_loss(real_strips, generated_strips):
    """Mean squared error over the generated strips only.

    Equal to the paper's masked MSE, sum(M * (G - I)^2) / sum(M) over the 3 channels, because
    the strips are exactly the pixels where the mask M is 1.
    """
    real_strips = ops.cast(real_strips, "float32")
    generated_strips = ops.cast(generated_strips, "float32")
    return ops.mean(ops.square(generated_strips - real_strips))


def _safe_log(values, epsilon: float):
    return ops.log(ops.maximum(ops.cast(values, "float32"), epsilon))


def discriminator_loss(real_probabilities, fake_probabilities, epsilon: float = DEFAULT_LOG_EPSILON):
    """L_D = -mean(log max(D(real), eps) + log max(1 - D(G), eps)): real toward 1, fake to 0."""
    fake_probabilities = ops.cast(fake_probabilities, "float32")
    return -ops.mean(_safe_log(real_probabilities, epsilon) + _safe_log(1.0 - fake_probabilities, epsilon))


def adversarial_loss(fake_probabilities, kind: str = "cross_entropy", epsilon: float = DEFAULT_LOG_EPSILON):
    """The generator's adversarial term: -mean(log max(D(G), eps)) as in the paper, or the
    least-squares distance of D(G) to "real" that reference B compiled its combined model with."""
    if kind == "least_squares":
        return ops.mean(ops.square(1.0 - ops.cast(fake_probabilities, "float32")))
    return -ops.mean(_safe_log(fake_probabilities, epsilon))


def joint_generator_loss(reconstruction, adversarial, reconstruction_weight: float, adversarial_weight: float):
    """L_G = MSE - alpha * mean(log D(G)), written as a weighted sum of the two terms."""
    return reconstruction_weight * reconstruction + adversarial_weight * adversarial


def hinge_discriminator_loss(real_scores, fake_scores):
    """mean(relu(1 - D(real))) + mean(relu(1 + D(fake))): scores are unbounded logits, and a
    patch already judged correctly by a margin of 1 stops pulling on the discriminator."""
    real_scores, fake_scores = ops.cast(real_scores, "float32"), ops.cast(fake_scores, "float32")
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


def hinge_generator_loss(fake_scores):
    """-mean(D(fake)): the generator raises the scores of its patches."""
    return -ops.mean(ops.cast(fake_scores, "float32"))


def feature_matching_loss(real_features, fake_features):
    """Mean absolute difference of the discriminator's features, averaged over its layers."""
    distances = [
        ops.mean(ops.abs(ops.cast(fake, "float32") - ops.cast(real, "float32")))
        for real, fake in zip(real_features, fake_features)
    ]
    return ops.mean(ops.stack(distances))
