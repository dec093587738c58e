"""A generator saved on its own, for inference: ``config.json`` plus ``generator.weights.h5``.

Weights plus the configuration (rather than a pickled model) keep the file small, portable and
loadable with no training code: the model is rebuilt by ``models.build_generator``.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras

from outpaint_lib.config import ConfigError, OutpaintConfig
from outpaint_lib.errors import OutpaintError
from outpaint_lib.files import atomic_path
from outpaint_lib.models import build_generator

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "generator.weights.h5"


class CheckpointError(OutpaintError):
    """A checkpoint folder that is missing, incomplete or does not match its configuration."""


def save_generator(generator: keras.Model, config: OutpaintConfig, folder: str | os.PathLike) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / WEIGHTS_FILE) as temporary:
        generator.save_weights(temporary)
    config.save(folder / CONFIG_FILE)
    return folder


def load_generator(folder: str | os.PathLike, precision: str = "float32") -> tuple[keras.Model, OutpaintConfig]:
    """Rebuild a saved generator, accepting inputs of any width, and load its weights; any
    problem is one ``CheckpointError`` line."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CheckpointError(f"checkpoint folder not found: {folder}")
    for name in (CONFIG_FILE, WEIGHTS_FILE):
        if not (folder / name).is_file():
            raise CheckpointError(f"checkpoint {folder} is incomplete: {name} is missing")
    try:
        config = OutpaintConfig.load(folder / CONFIG_FILE).replace(precision=precision)
    except ConfigError as error:
        raise CheckpointError(f"checkpoint {folder}: {error}") from None
    generator = build_generator(config, any_width=True)
    try:
        generator.load_weights(folder / WEIGHTS_FILE)
    except Exception as error:  # h5py and Keras raise many types for a damaged or foreign file
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CheckpointError(f"checkpoint {folder}: cannot load {WEIGHTS_FILE} ({detail})") from None
    return generator, config
