"""The layout of a training run's folder, and of the generator and checkpoint folders in it.

Every module that reads or writes a run takes its names from here, so the layout can be read
(and changed) in one place. Runs written by earlier versions use the same names.

    RUN/
      config.json            the run's configuration (OutpaintConfig)
      run.json               its data, validation folder and schedule, for --resume
      history.jsonl          one row per step
      losses.png             the phase-loss plot
      samples/               sample sheets at each validation
      generator/             the newest generator, for paint: config.json + generator.weights.h5
      generator_phase1/      the generator as it stood after phase 1
      checkpoints/step-NNNNNNNNN/
                             both networks' weights, both optimizers' state, state.json
      .train.lock            held by the process training the run (see ``locked``)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from outpaint_lib.errors import TrainingError

CONFIG_FILE = "config.json"
RUN_FILE = "run.json"
HISTORY_FILE = "history.jsonl"
PLOT_FILE = "losses.png"
SAMPLES_FOLDER = "samples"
GENERATOR_FOLDER = "generator"
PHASE_ONE_GENERATOR_FOLDER = "generator_phase1"
CHECKPOINT_FOLDER = "checkpoints"

# A generator folder (the shipped checkpoint/ is one): the configuration and the weights.
GENERATOR_WEIGHTS_FILE = "generator.weights.h5"

# A checkpoint folder.
STATE_FILE = "state.json"
NETWORK_FILES = {
    "generator": "generator.weights.h5",
    "discriminator": "discriminator.weights.h5",
}
OPTIMIZER_FILES = {
    "generator_optimizer": "generator_optimizer.h5",
    "discriminator_optimizer": "discriminator_optimizer.h5",
}

# Beside a generator folder's weights, optionally: the generator exported to LiteRT, and the
# SHA-256 of the weights it was exported from (a stale export is never used).
LITE_MODEL_FILE = "generator.tflite"
LITE_SOURCE_FILE = "generator.tflite.json"

LOCK_FILE = ".train.lock"


@contextlib.contextmanager
def locked(run_dir: str | os.PathLike) -> Iterator[None]:
    """Hold the run folder for one training process; a second is refused in one line. The lock
    is the kernel's (``flock``), released when its process ends however it ends: a lock left
    by a killed process never blocks the resume. The file, holding the last holder's pid, stays."""
    path = Path(run_dir) / LOCK_FILE
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            process = f" (process {holder})" if holder.isdigit() else ""
            raise TrainingError(
                f"{run_dir} is being trained by another process{process}: wait for it to end, or stop it, then resume"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
