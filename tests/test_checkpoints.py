import logging

import numpy as np
import pytest

from outpaint_lib import checkpoints
from outpaint_lib.gan import OutpaintGAN
from outpaint_lib.generator_files import CheckpointError
from outpaint_lib.schedule import Schedule
from support import run_steps, tiny


def trained_gan(steps=2):
    config = tiny()
    gan = OutpaintGAN(config)
    gan.compile()
    run_steps(gan, config, 3, steps=steps)
    return gan


def weights(gan):
    return [v.numpy().copy() for v in gan.generator.variables + gan.discriminator.variables]


def optimizer_state(gan):
    return [v.numpy().copy() for v in gan.generator_optimizer.variables + gan.discriminator_optimizer.variables]


def test_round_trip_restores_weights_optimizers_and_state(tmp_path):
    gan = trained_gan()
    checkpoints.write_checkpoint(tmp_path, gan, {"step": 2, "phase": 3})
    fresh = OutpaintGAN(gan.config)
    fresh.compile()
    state = checkpoints.restore_latest(tmp_path, fresh)
    assert state == {"step": 2, "phase": 3}
    for saved, loaded in zip(weights(gan) + optimizer_state(gan), weights(fresh) + optimizer_state(fresh)):
        np.testing.assert_array_equal(saved, loaded)
    assert int(fresh.generator_optimizer.iterations) == 2


def test_the_learning_rate_comes_from_the_configuration_not_the_checkpoint(tmp_path):
    gan = trained_gan()
    checkpoints.write_checkpoint(tmp_path, gan, {"step": 2, "phase": 3})
    slower = OutpaintGAN(gan.config.replace(generator_learning_rate=1e-4))
    slower.compile()
    checkpoints.restore_latest(tmp_path, slower)
    assert float(slower.generator_optimizer.learning_rate) == pytest.approx(1e-4)
    assert int(slower.generator_optimizer.iterations) == 2
    np.testing.assert_array_equal(
        slower.generator_optimizer.variables[-1].numpy(), gan.generator_optimizer.variables[-1].numpy()
    )


def test_a_resumed_run_continues_its_learning_rate_curve(tmp_path):
    config = tiny(learning_rate_decay="cosine")
    gan = OutpaintGAN(config)
    gan.compile(schedule=Schedule((0, 0, 10)))
    run_steps(gan, config, 3, steps=3)
    rate = float(gan.generator_optimizer.learning_rate)
    assert 1e-5 < rate < 1e-3
    checkpoints.write_checkpoint(tmp_path, gan, {"step": 3, "phase": 3})
    fresh = OutpaintGAN(config)
    fresh.compile(schedule=Schedule((0, 0, 10)))
    checkpoints.restore_latest(tmp_path, fresh)
    assert float(fresh.generator_optimizer.learning_rate) == pytest.approx(rate)


def test_only_the_last_two_are_kept_and_no_temporaries_remain(tmp_path):
    gan = trained_gan(steps=1)
    for step in (1, 2, 3):
        checkpoints.write_checkpoint(tmp_path, gan, {"step": step, "phase": 1})
    assert [p.name for p in checkpoints.list_checkpoints(tmp_path)] == ["step-000000003", "step-000000002"]
    assert not [p for p in (tmp_path / "checkpoints").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("damage", ["truncate", "empty", "delete"])
def test_a_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path, caplog, damage):
    gan = trained_gan(steps=1)
    checkpoints.write_checkpoint(tmp_path, gan, {"step": 1, "phase": 3})
    checkpoints.write_checkpoint(tmp_path, gan, {"step": 2, "phase": 3})
    target = tmp_path / "checkpoints" / "step-000000002" / "discriminator.weights.h5"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:1000])
    elif damage == "empty":
        target.write_bytes(b"")
    else:
        target.unlink()
    fresh = OutpaintGAN(gan.config)
    fresh.compile()
    with caplog.at_level(logging.WARNING):
        state = checkpoints.restore_latest(tmp_path, fresh)
    assert state["step"] == 1
    assert any(
        "step-000000002 is damaged" in r.getMessage() and "falling back" in r.getMessage() for r in caplog.records
    )


def test_a_half_written_checkpoint_is_ignored(tmp_path):
    gan = trained_gan(steps=1)
    checkpoints.write_checkpoint(tmp_path, gan, {"step": 1, "phase": 1})
    partial = tmp_path / "checkpoints" / ".step-000000002.tmp-123"
    partial.mkdir()
    (partial / "generator.weights.h5").write_bytes(b"partial")
    fresh = OutpaintGAN(gan.config)
    fresh.compile()
    assert checkpoints.restore_latest(tmp_path, fresh)["step"] == 1
    assert not partial.exists()


@pytest.mark.filterwarnings("ignore:Skipping nested container")
def test_a_checkpoint_of_another_architecture_is_refused(tmp_path):
    gan = trained_gan(steps=1)
    path = checkpoints.write_checkpoint(tmp_path, gan, {"step": 1, "phase": 1})
    other = OutpaintGAN(tiny(width_multiplier=1 / 8))
    other.compile()
    with pytest.raises(CheckpointError, match="damaged"):
        checkpoints.load_checkpoint(path, other)
