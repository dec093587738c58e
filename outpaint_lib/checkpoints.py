"""Training checkpoints: every network's weights, both optimizers' state, and the run state.

A checkpoint is a folder ``checkpoints/step-NNNNNNNNN`` that is written under a hidden
temporary name and renamed into place only when complete, so a run killed at any moment
(SIGKILL included) leaves either the previous checkpoints or a complete new one. The last two
are kept: if the newest is damaged after the fact, resume falls back to the other.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

import h5py
import numpy as np

from outpaint_lib.errors import CheckpointError
from outpaint_lib.run_folder import CHECKPOINT_FOLDER, NETWORK_FILES, OPTIMIZER_FILES, STATE_FILE

logger = logging.getLogger(__name__)

KEEP = 2
_NAME = re.compile(r"^step-(\d{9})$")


def list_checkpoints(run_dir: str | os.PathLike) -> list[Path]:
    """Completed checkpoint folders, newest first."""
    folder = Path(run_dir) / CHECKPOINT_FOLDER
    if not folder.is_dir():
        return []
    found = [path for path in folder.iterdir() if path.is_dir() and _NAME.match(path.name)]
    return sorted(found, key=lambda path: path.name, reverse=True)


def write_checkpoint(run_dir: str | os.PathLike, gan, state: dict, keep: int = KEEP) -> Path:
    """Write ``gan``'s networks and optimizers plus ``state`` (step, phase, seeds), atomically."""
    folder = Path(run_dir) / CHECKPOINT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"step-{state['step']:09d}"
    final = folder / name
    temporary = folder / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    for attribute, file_name in NETWORK_FILES.items():
        getattr(gan, attribute).save_weights(temporary / file_name)
    for attribute, file_name in OPTIMIZER_FILES.items():
        _save_optimizer(getattr(gan, attribute), temporary / file_name)
    (temporary / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")
    for path in temporary.iterdir():
        _fsync(path)
    if final.exists():  # the same step written again (a resumed run): replace it whole
        stale = folder / f".{name}.old-{os.getpid()}"
        os.replace(final, stale)
        shutil.rmtree(stale)
    os.replace(temporary, final)
    _fsync(folder)
    for old in list_checkpoints(run_dir)[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load_checkpoint(path: str | os.PathLike, gan) -> dict:
    """Restore ``gan`` from one checkpoint folder and return its state; raise CheckpointError if
    any part is missing or unreadable."""
    path = Path(path)
    try:
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
        if not isinstance(state, dict) or not isinstance(state.get("step"), int):
            raise ValueError("state has no step counter")
        for attribute, file_name in NETWORK_FILES.items():
            getattr(gan, attribute).load_weights(path / file_name)
        for attribute, file_name in OPTIMIZER_FILES.items():
            _load_optimizer(getattr(gan, attribute), path / file_name)
    except Exception as error:  # a damaged file surfaces as OSError, ValueError, KeyError, ...
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CheckpointError(f"checkpoint {path.name} is damaged ({detail})") from None
    return state


def restore_latest(run_dir: str | os.PathLike, gan, tidy: bool = True) -> dict | None:
    """Load the newest checkpoint that loads completely, warning about each damaged one.
    Returns its state, or None when the run has no usable checkpoint. ``tidy`` removes what an
    interrupted write left behind: the one process that writes the run does it."""
    if tidy:
        _remove_temporaries(run_dir)
    for path in list_checkpoints(run_dir):
        try:
            return load_checkpoint(path, gan)
        except CheckpointError as error:
            logger.warning("%s; falling back to the previous checkpoint", error)
    return None


def _save_optimizer(optimizer, path: Path) -> None:
    with h5py.File(path, "w") as store:
        for index, variable in enumerate(optimizer.variables):
            store.create_dataset(f"{index:04d}", data=np.asarray(variable.numpy()))
            store[f"{index:04d}"].attrs["name"] = variable.path


def _load_optimizer(optimizer, path: Path) -> None:
    with h5py.File(path, "r") as store:
        if len(store) != len(optimizer.variables):
            raise ValueError(f"{path.name} holds {len(store)} variables, the optimizer has {len(optimizer.variables)}")
        values = [store[f"{index:04d}"][()] for index in range(len(store))]
    for variable, value in zip(optimizer.variables, values):
        if tuple(variable.shape) != value.shape:
            raise ValueError(f"{path.name}: {variable.path} has shape {value.shape}, expected {tuple(variable.shape)}")
    for variable, value in zip(optimizer.variables, values):
        # The learning rate is a setting of the run's configuration, not state: a resumed run
        # that changes it (e.g. to fine-tune) must get the new value.
        if not variable.path.endswith("learning_rate"):
            variable.assign(value)


def _remove_temporaries(run_dir: str | os.PathLike) -> None:
    folder = Path(run_dir) / CHECKPOINT_FOLDER
    if folder.is_dir():
        for path in folder.glob(".step-*"):
            shutil.rmtree(path, ignore_errors=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
