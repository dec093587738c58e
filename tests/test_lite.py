import logging
import shutil
import subprocess
import sys

import numpy as np
import pytest

from outpaint_lib import inference, lite
from outpaint_lib.config import DEFAULT_CHECKPOINT
from outpaint_lib.errors import CheckpointError
from outpaint_lib.generator_files import save_generator
from outpaint_lib.images import load_image
from outpaint_lib.inference import Outpainter
from outpaint_lib.run_folder import LITE_MODEL_FILE
from support import REPOSITORY, smooth_image, tiny


@pytest.fixture(scope="module")
def exported(checkpoint, tmp_path_factory):
    """A copy of the tiny test checkpoint with its LiteRT export beside the weights."""
    folder = tmp_path_factory.mktemp("exported") / "generator"
    shutil.copytree(checkpoint, folder)
    lite.export(folder)
    return folder


def test_the_export_paints_what_keras_paints(exported):
    keras_painter = Outpainter.load(exported, runtime="keras", precision="float32", texture="none")
    lite_painter = Outpainter.load(exported, runtime="litert", texture="none")
    assert (keras_painter.runtime, lite_painter.runtime) == ("keras", "litert")
    for shape in ((32, 16), (36, 41), (32, 300)):  # any width, a resize between calls
        image = smooth_image(*shape, seed=shape[1])
        np.testing.assert_allclose(
            lite_painter.generate_strips(image[None])[0][0].astype(int),
            keras_painter.generate_strips(image[None])[0][0].astype(int), atol=1,
        )


def test_the_shipped_export_matches_the_keras_generator_on_real_photos(shared_data):
    """Issue 20: at most 1 level apart on at least 99.9 % of the pixels, with the shipped model."""
    keras_painter = Outpainter.load(runtime="keras", precision="float32", texture="none")
    lite_painter = Outpainter.load(runtime="litert", texture="none")
    photos = sorted((shared_data / "photos").glob("*.jpg"))[:4]
    assert photos
    close = total = 0
    for photo in photos:
        image = load_image(photo)
        difference = np.abs(lite_painter.outpaint(image).astype(int) - keras_painter.outpaint(image).astype(int))
        close += int((difference <= 1).sum())
        total += difference.size
    assert close / total >= 0.999


def test_the_fourier_unet_exports_and_paints_what_keras_paints(tmp_path):
    from outpaint_lib.config import UNET
    from outpaint_lib.models import build_generator

    config = tiny(UNET, generator_fourier_unit=True)
    generator = build_generator(config)
    fourier = generator.get_layer("generator_fourier_unit").dense
    fourier.set_weights([w + 0.05 for w in fourier.get_weights()])  # a branch that changes the output
    folder = save_generator(generator, config, tmp_path / "fourier")
    lite.export(folder)
    keras_painter = Outpainter.load(folder, runtime="keras", precision="float32", texture="none")
    lite_painter = Outpainter.load(folder, runtime="litert", texture="none")
    for shape in ((32, 16), (32, 40)):
        image = smooth_image(*shape, seed=shape[1])
        np.testing.assert_allclose(
            lite_painter.generate_strips(image[None])[0][0].astype(int),
            keras_painter.generate_strips(image[None])[0][0].astype(int), atol=1,
        )


def test_a_stale_export_is_never_used(exported, tmp_path, caplog):
    folder = tmp_path / "retrained"
    shutil.copytree(exported, folder)
    import keras

    from outpaint_lib.models import build_generator

    keras.utils.set_random_seed(7)
    config = tiny()
    save_generator(build_generator(config), config, folder)  # new weights, the old export beside them
    with caplog.at_level(logging.INFO, logger="outpaint_lib.inference"):
        assert Outpainter.load(folder).runtime == "keras"
    assert "exported from other weights" in caplog.text
    with pytest.raises(CheckpointError, match="cannot paint with LiteRT: .*exported from other weights"):
        Outpainter.load(folder, runtime="litert")


def test_without_the_runtime_paint_falls_back_to_keras_and_says_so_once(exported, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)  # an import that fails
    monkeypatch.setattr(inference, "_fallbacks_reported", set())
    with caplog.at_level(logging.WARNING, logger="outpaint_lib.inference"):
        first = Outpainter.load(exported)
        second = Outpainter.load(exported)
    assert first.runtime == second.runtime == "keras"
    warnings = [record for record in caplog.records if "not installed" in record.getMessage()]
    assert len(warnings) == 1 and "pip install ai-edge-litert" in warnings[0].getMessage()


def test_a_folder_without_an_export_paints_on_keras(checkpoint):
    assert not (checkpoint / LITE_MODEL_FILE).exists()
    assert Outpainter.load(checkpoint).runtime == "keras"
    with pytest.raises(CheckpointError, match="no LiteRT export"):
        Outpainter.load(checkpoint, runtime="litert")


def test_the_shipped_checkpoint_has_a_current_export():
    assert Outpainter.load(DEFAULT_CHECKPOINT).runtime == "litert"


def test_painting_on_litert_never_imports_tensorflow(exported, tmp_path):
    from PIL import Image

    Image.fromarray(smooth_image(32, 40)).save(tmp_path / "photo.png")
    script = (
        "import sys\n"
        "from outpaint_lib.cli import main\n"
        f"code = main(['paint', {str(tmp_path / 'photo.png')!r}, '-o', {str(tmp_path / 'out')!r}, "
        f"'--checkpoint', {str(exported)!r}])\n"
        "print(code, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 False False"
    assert result.stderr == ""  # LiteRT's delegate notice stays hidden


def test_large_batches_run_in_slices_with_the_same_result(exported, monkeypatch):
    predictor = lite.LitePredictor.load(exported)
    inputs = np.random.default_rng(3).random((lite.BATCH * 2 + 3, 32, 32, 4), dtype=np.float32)
    whole = predictor(inputs)
    monkeypatch.setattr(lite, "BATCH", len(inputs))
    np.testing.assert_allclose(whole, lite.LitePredictor.load(exported)(inputs), atol=1e-6)
    assert whole.shape == (len(inputs), 32, 32, 3)
