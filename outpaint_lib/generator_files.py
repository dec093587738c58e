"""A generator saved on its own, for inference: ``config.json`` plus ``generator.weights.h5``.

Weights plus the configuration (rather than a pickled model) keep the file small, portable and
loadable with no training code: the model is rebuilt by ``models.build_generator``. Keras is
imported only to build it, so that reading a folder's configuration (all that painting on
LiteRT needs, see ``lite``) does not load TensorFlow.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from outpaint_lib.config import OutpaintConfig
from outpaint_lib.errors import CheckpointError, ConfigError
from outpaint_lib.files import atomic_path
from outpaint_lib.run_folder import CONFIG_FILE, GENERATOR_FOLDER, GENERATOR_WEIGHTS_FILE

if TYPE_CHECKING:
    import keras


def save_generator(generator: keras.Model, config: OutpaintConfig, folder: str | os.PathLike) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / GENERATOR_WEIGHTS_FILE) as temporary:
        generator.save_weights(temporary)
    config.save(folder / CONFIG_FILE)
    return folder


def generator_folder(folder: str | os.PathLike) -> Path:
    """The generator folder a path names: the path itself, or for a training run's folder
    (``runs/beach``) the generator inside it (``runs/beach/generator``)."""
    folder = Path(folder)
    inside = folder / GENERATOR_FOLDER
    if not (folder / GENERATOR_WEIGHTS_FILE).exists() and (inside / GENERATOR_WEIGHTS_FILE).is_file():
        return inside
    return folder


def read_config(folder: str | os.PathLike) -> OutpaintConfig:
    """The configuration of a complete generator folder (or a run's, see ``generator_folder``);
    any problem is one ``CheckpointError``."""
    folder = generator_folder(folder)
    if not folder.is_dir():
        raise CheckpointError(f"checkpoint folder not found: {folder}")
    for name in (CONFIG_FILE, GENERATOR_WEIGHTS_FILE):
        if not (folder / name).is_file():
            raise CheckpointError(f"checkpoint {folder} is incomplete: {name} is missing")
    try:
        return OutpaintConfig.load(folder / CONFIG_FILE)
    except ConfigError as error:
        raise CheckpointError(f"checkpoint {folder}: {error}") from None


def load_generator(folder: str | os.PathLike, precision: str = "float32") -> tuple[keras.Model, OutpaintConfig]:
    """Rebuild a saved generator (a generator folder or a run's, see ``generator_folder``),
    accepting inputs of any width, and load its weights; any problem is one ``CheckpointError``
    line."""
    from outpaint_lib.models import build_generator

    folder = generator_folder(folder)
    config = read_config(folder).replace(precision=precision)
    generator = build_generator(config, any_width=True)
    mismatch = _first_shape_mismatch(generator, folder / GENERATOR_WEIGHTS_FILE)
    if mismatch:
        raise CheckpointError(
            f"checkpoint {folder}: {GENERATOR_WEIGHTS_FILE} does not fit its {CONFIG_FILE}: {mismatch}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns once per layer before it raises
            generator.load_weights(folder / GENERATOR_WEIGHTS_FILE)
    except Exception as error:  # h5py and Keras raise many types for a damaged or foreign file
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CheckpointError(f"checkpoint {folder}: cannot load {GENERATOR_WEIGHTS_FILE} ({detail})") from None
    return generator, config


# How Keras names a layer's group in a weights file: its class in snake case, then _1, _2, ...
# for the later layers of the same class, in the model's order.
_WEIGHTS_GROUPS = {"Conv2D": "conv2d", "Conv2DTranspose": "conv2d_transpose", "Dense": "dense"}


def _first_shape_mismatch(model: keras.Model, path: Path) -> str | None:
    """The first convolution or dense layer whose weights in the file have another shape than
    the configuration builds (a checkpoint saved with other settings), in words; None if all
    fit or the file cannot be read this way (``load_weights`` then reports it)."""
    try:
        import h5py

        with h5py.File(path, "r") as store:
            counts: dict[str, int] = {}
            for layer in model.layers:
                kind = type(layer).__name__
                if kind not in _WEIGHTS_GROUPS:
                    continue
                index = counts[kind] = counts.get(kind, -1) + 1
                group = f"layers/{_WEIGHTS_GROUPS[kind]}" + (f"_{index}" if index else "") + "/vars"
                if group not in store:
                    return f"layer {layer.name} has no weights in the file"
                for number, weight in enumerate(layer.weights):
                    found = store[group].get(str(number))
                    expected = tuple(weight.shape)
                    if found is None or tuple(found.shape) != expected:
                        shape = "nothing" if found is None else str(tuple(found.shape))
                        return f"layer {layer.name} expects {weight.name} of shape {expected}, the file holds {shape}"
    except (OSError, KeyError, ValueError):
        return None
    return None
