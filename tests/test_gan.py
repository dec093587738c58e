import numpy as np
import pytest
import tensorflow as tf

from outpaint_lib import losses
from outpaint_lib.config import KERAS256, PAPER, PAPER_LOCAL, UNET
from outpaint_lib.gan import OutpaintGAN
from outpaint_lib.schedule import Schedule
from support import run_steps, tiny


def snapshot(model):
    return [variable.numpy().copy() for variable in model.trainable_variables]


def changed(before, model):
    return [not np.array_equal(old, new.numpy()) for old, new in zip(before, model.trainable_variables)]


def mostly(flags):
    """At 1/16 width a unit can be dead (zero gradient) for a batch; most variables must move."""
    return sum(flags) >= 0.8 * len(flags)


@pytest.fixture(params=[PAPER, PAPER_LOCAL, KERAS256, UNET], ids=lambda c: c.name)
def gan_and_config(request):
    config = tiny(request.param)
    gan = OutpaintGAN(config)
    gan.compile()
    return gan, config


def test_phase_1_updates_only_the_generator(gan_and_config):
    gan, config = gan_and_config
    generator, discriminator = snapshot(gan.generator), snapshot(gan.discriminator)
    logs = run_steps(gan, config, 1)
    assert set(logs) == {"mse"}
    assert mostly(changed(generator, gan.generator))
    assert not any(changed(discriminator, gan.discriminator))
    assert int(gan.discriminator_optimizer.iterations) == 0


def test_phase_2_updates_only_the_discriminator(gan_and_config):
    gan, config = gan_and_config
    generator, discriminator = snapshot(gan.generator), snapshot(gan.discriminator)
    logs = run_steps(gan, config, 2)
    assert set(logs) == {"d_loss", "d_real", "d_fake"}
    assert not any(changed(generator, gan.generator))
    assert mostly(changed(discriminator, gan.discriminator))
    assert int(gan.generator_optimizer.iterations) == 0


def test_phase_3_updates_both_networks(gan_and_config):
    gan, config = gan_and_config
    generator, discriminator = snapshot(gan.generator), snapshot(gan.discriminator)
    logs = run_steps(gan, config, 3)
    matching = {"feature_matching"} if config.feature_matching_weight else set()
    assert set(logs) == {"mse", "g_loss", "d_loss", "d_real", "d_fake"} | matching
    assert mostly(changed(generator, gan.generator)) and mostly(changed(discriminator, gan.discriminator))
    assert int(gan.generator_optimizer.iterations) == config.generator_updates_per_step
    assert int(gan.discriminator_optimizer.iterations) == 1


def test_switching_phase_retraces_the_step():
    config = tiny()
    gan = OutpaintGAN(config)
    gan.compile()
    run_steps(gan, config, 1)
    first_function = gan.train_function
    discriminator = snapshot(gan.discriminator)
    gan.phase = 2
    assert gan.train_function is not first_function
    run_steps(gan, config, 2)
    assert mostly(changed(discriminator, gan.discriminator))


def test_generator_loss_is_mse_minus_alpha_log_d():
    config = tiny(adversarial_weight=0.5)
    gan = OutpaintGAN(config)
    gan.compile()
    logs = run_steps(gan, config, 3)
    # Computed before the update inside the step: g_loss = mse - 0.5 * log D(G).
    assert logs["g_loss"] > logs["mse"]
    probability = np.exp(-(logs["g_loss"] - logs["mse"]) / 0.5)
    assert 0 < probability < 1


def test_phase_1_reduces_the_reconstruction_error():
    config = tiny(width_multiplier=0.25)
    gan = OutpaintGAN(config)
    gan.compile()
    first = run_steps(gan, config, 1, steps=1)["mse"]
    last = run_steps(gan, config, 1, steps=40)["mse"]
    assert last < first * 0.5


def test_mixed_bfloat16_trains_with_float32_losses():
    config = tiny(precision="mixed_bfloat16")
    gan = OutpaintGAN(config)
    gan.compile()
    logs = run_steps(gan, config, 3)
    assert all(np.isfinite(value) for value in logs.values())
    assert gan.generator.trainable_variables[0].dtype == "float32"


def test_invalid_phase_is_refused():
    gan = OutpaintGAN(tiny())
    with pytest.raises(ValueError):
        gan.phase = 4


def test_losses_module_is_what_the_step_uses(monkeypatch):
    """The trainer's non-finite guard relies on this seam (see test_training)."""
    config = tiny()
    gan = OutpaintGAN(config)
    gan.compile()
    monkeypatch.setattr(losses, "identity_loss", lambda real, generated: tf.reduce_mean(generated) * float("nan"))
    assert np.isnan(run_steps(gan, config, 1)["mse"])


def test_the_paper_rates_stay_constant_over_a_run():
    gan = OutpaintGAN(tiny())
    gan.compile(schedule=Schedule((2, 1, 3)))
    run_steps(gan, gan.config, 1, steps=2)
    assert float(gan.generator_optimizer.learning_rate) == pytest.approx(1e-3)


def test_cosine_decay_anneals_each_network_over_its_own_updates():
    """The generator updates in phases 1 and 3 (5 steps here), the discriminator in 2 and 3 (4)."""
    config = tiny(learning_rate_decay="cosine", final_learning_rate_fraction=0.1,
                  generator_learning_rate=1e-3, discriminator_learning_rate=2e-3)
    gan = OutpaintGAN(config)
    gan.compile(schedule=Schedule((2, 1, 3)))
    assert float(gan.generator_optimizer.learning_rate) == pytest.approx(1e-3)
    run_steps(gan, config, 1, steps=2)
    run_steps(gan, config, 2, steps=1)
    # Halfway through its 4 updates the discriminator's rate is midway between 2e-3 and 2e-4.
    run_steps(gan, config, 3, steps=1)
    assert float(gan.discriminator_optimizer.learning_rate) == pytest.approx(1.1e-3, rel=1e-4)
    run_steps(gan, config, 3, steps=2)
    assert float(gan.generator_optimizer.learning_rate) == pytest.approx(1e-4, rel=1e-4)
    assert float(gan.discriminator_optimizer.learning_rate) == pytest.approx(2e-4, rel=1e-4)


def test_the_patch_discriminator_is_asked_to_call_fake_only_the_cells_over_the_strips():
    config = tiny(UNET)
    gan = OutpaintGAN(config)
    scores = np.arange(2 * 4 * 4).reshape(2, 4, 4, 1).astype(np.float32)
    # 32 px image, 8 px strips, 4 x 4 cells: one column of cells per strip.
    np.testing.assert_array_equal(np.asarray(gan._generated_cells(scores)), scores[:, :, [0, 3]])
