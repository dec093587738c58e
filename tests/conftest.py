"""Shared fixtures: tiny configurations and generated images keep the suite fast; the real
beach photos are read from the shared data folder (OUTPAINT_SHARED_DATA, default ../shared/data)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from outpaint_lib.config import PAPER_LOCAL  # noqa: E402
from support import SHARED_DATA, smooth_image, tiny  # noqa: E402


@pytest.fixture(autouse=True)
def seeded():
    """Every test starts from the same random state, so none depends on the ones before it."""
    import keras

    keras.utils.set_random_seed(0)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "beach").is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA}; set OUTPAINT_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture(scope="session")
def beach_val(shared_data) -> Path:
    return shared_data / "beach" / "val"


@pytest.fixture
def tiny_config():
    return tiny()


@pytest.fixture
def tiny_local_config():
    return tiny(PAPER_LOCAL)


@pytest.fixture
def image_folder(tmp_path) -> Path:
    """Twelve valid generated images of mixed sizes and formats, one in a sub-folder."""
    folder = tmp_path / "images"
    (folder / "nested").mkdir(parents=True)
    for index in range(12):
        height, width = (40 + index, 48) if index % 2 else (48, 40 + index)
        extension = ("png", "jpg", "bmp", "webp")[index % 4]
        target = folder / ("nested" if index == 0 else "") / f"image_{index:02d}.{extension}"
        Image.fromarray(smooth_image(height, width, seed=index)).save(target)
    return folder


@pytest.fixture
def training_images(tmp_path) -> Path:
    """Twenty-four small smooth images: enough for tiny training runs with a held-out set."""
    folder = tmp_path / "train"
    folder.mkdir()
    for index in range(24):
        Image.fromarray(smooth_image(36, 36, seed=index)).save(folder / f"{index:02d}.png")
    return folder


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory):
    """A test-built checkpoint: a tiny paper generator (32 px, random weights), shared read-only."""
    import keras

    from outpaint_lib.generator_files import save_generator
    from outpaint_lib.models import build_generator

    keras.utils.set_random_seed(0)
    folder = tmp_path_factory.mktemp("checkpoint")
    config = tiny()
    save_generator(build_generator(config), config, folder)
    return folder


def save_lively_generator(folder: Path, seed: int, **changes) -> Path:
    """A tiny random generator with doubled kernels: a plain random one paints an almost flat
    grey (sigmoid of nearly zero), in which a missing mirror or colour step would go unnoticed."""
    import keras

    from outpaint_lib.generator_files import save_generator
    from outpaint_lib.models import build_generator

    keras.utils.set_random_seed(seed)
    config = tiny(**changes)
    generator = build_generator(config)
    for layer in generator.layers:
        if hasattr(layer, "kernel"):
            layer.kernel.assign(layer.kernel * 2)
    save_generator(generator, config, folder)
    return folder


@pytest.fixture(scope="session")
def lively_checkpoint(tmp_path_factory):
    return save_lively_generator(tmp_path_factory.mktemp("lively"), seed=1)


@pytest.fixture(scope="session")
def every_side_checkpoint(tmp_path_factory):
    """A lively columns generator with a lively rows generator in its ``rows/`` folder, as the
    shipped checkpoint holds them."""
    folder = save_lively_generator(tmp_path_factory.mktemp("every_side"), seed=1)
    save_lively_generator(folder / "rows", seed=2, strip_axis="rows")
    return folder
