import numpy as np
import pytest

from outpaint_lib.generator_files import CheckpointError, load_generator, save_generator
from outpaint_lib.models import build_generator
from support import smooth_image, tiny


def test_a_saved_generator_loads_with_identical_outputs(tmp_path):
    config = tiny(precision="mixed_bfloat16")
    generator = build_generator(config)
    save_generator(generator, config, tmp_path / "model")
    loaded, loaded_config = load_generator(tmp_path / "model")
    assert loaded_config == config.replace(precision="float32")
    inputs = np.random.default_rng(0).uniform(size=(1, 32, 32, 4)).astype(np.float32)
    reference = build_generator(config.replace(precision="float32"))
    reference.set_weights(generator.get_weights())
    np.testing.assert_allclose(loaded(inputs).numpy(), reference(inputs).numpy(), atol=1e-6)


def test_missing_and_corrupt_checkpoints_are_one_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_generator(tmp_path / "absent")
    folder = tmp_path / "model"
    save_generator(build_generator(tiny()), tiny(), folder)
    (folder / "generator.weights.h5").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="cannot load generator.weights.h5"):
        load_generator(folder)
    (folder / "generator.weights.h5").unlink()
    with pytest.raises(CheckpointError, match="generator.weights.h5 is missing"):
        load_generator(folder)
    save_generator(build_generator(tiny()), tiny(), folder)
    (folder / "config.json").write_text('{"image_size": 32}')
    with pytest.raises(CheckpointError, match="missing keys"):
        load_generator(folder)


@pytest.mark.parametrize("preset", ["paper", "unet"])
def test_weights_that_do_not_fit_the_configuration_name_the_layer_and_both_shapes(tmp_path, preset):
    """Issue 19, defect 7: about eleven Keras warnings and an error cut off mid-sentence."""
    import warnings

    from outpaint_lib.config import get_preset

    saved, wider = tiny(get_preset(preset)), tiny(get_preset(preset), width_multiplier=1 / 8)
    save_generator(build_generator(saved), saved, tmp_path)
    wider.save(tmp_path / "config.json")
    first = "generator_1_conv" if preset == "paper" else "generator_encoder_1"
    expected = tuple(build_generator(wider).get_layer(first).kernel.shape)
    found = tuple(build_generator(saved).get_layer(first).kernel.shape)
    with warnings.catch_warnings(record=True) as caught, pytest.raises(CheckpointError) as raised:
        warnings.simplefilter("always")
        load_generator(tmp_path)
    assert str(raised.value) == (
        f"checkpoint {tmp_path}: generator.weights.h5 does not fit its config.json: layer {first} expects "
        f"kernel of shape {expected}, the file holds {found}"
    )
    assert expected != found and caught == []


def test_a_run_folder_names_its_generator(checkpoint, tmp_path):
    """Issue 30, defect 10: ``--checkpoint runs/unet`` (a run folder) was 'incomplete'."""
    import shutil

    import numpy as np

    from outpaint_lib.generator_files import generator_folder
    from outpaint_lib.inference import Outpainter

    run = tmp_path / "run"
    shutil.copytree(checkpoint, run / "generator")
    (run / "config.json").write_text((checkpoint / "config.json").read_text())  # a run's own files beside it
    assert generator_folder(run) == run / "generator" and generator_folder(checkpoint) == checkpoint
    photo = smooth_image(32, 40)
    np.testing.assert_array_equal(
        Outpainter.load(run).outpaint(photo), Outpainter.load(run / "generator").outpaint(photo)
    )
