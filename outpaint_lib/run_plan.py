"""What a training run is, settled before anything trains: a new run checked, a resume held to
the run it continues, the run folder made and held by one process.

A ``RunRequest`` is what a caller asks for; ``opened_run`` turns it into a ``RunPlan`` (every
field decided, the data folders scanned) and records the plan in ``run.json``, which every
resume reads back. Nothing here imports TensorFlow: a run can be checked without starting it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from outpaint_lib import checkpoints
from outpaint_lib.config import PRESET_STEPS, OutpaintConfig, architecture_differences
from outpaint_lib.errors import ConfigError, OutpaintError, TrainingError
from outpaint_lib.files import check_output_folder, remove_temporaries
from outpaint_lib.generator_files import read_config
from outpaint_lib.image_folders import ImageFolder, scan_folder
from outpaint_lib.run_folder import CONFIG_FILE, RUN_FILE, locked
from outpaint_lib.schedule import Schedule

logger = logging.getLogger(__name__)

HELD_OUT_IMAGES = 64
DEFAULT_INTERVALS = {"checkpoint_every": 500, "validate_every": 100}
# What a resume may change: how this machine computes, not what the run is.
RESUMABLE_CHANGES = ("precision",)
# Parts a run's generator may add to its initial generator's architecture, each named alike as
# a configuration key and as the layer it adds (see ``training.load_initial_generator``).
GROWN_PARTS = ("generator_fourier_unit",)


@dataclasses.dataclass(frozen=True)
class RunRequest:
    """What a caller asks of a training run.

    A new run needs ``data_dir``; ``total_steps`` defaults to its preset's reference run
    (``PRESET_STEPS``), the intervals to ``DEFAULT_INTERVALS``. Without ``val_dir``,
    ``HELD_OUT_IMAGES`` training files are held out for validation. ``initial_generator``, a
    generator folder of the same architecture (or of one without a part the run's adds,
    ``GROWN_PARTS``), starts the run from its weights: pretraining, then fine-tuning.

    With ``resume``, every field may be left out: the run's own are taken. A data folder,
    validation folder or step count that differs from the run's is refused; other intervals are
    taken on.
    """

    data_dir: str | os.PathLike | None = None
    total_steps: int | None = None
    val_dir: str | os.PathLike | None = None
    checkpoint_every: int | None = None
    validate_every: int | None = None
    initial_generator: str | os.PathLike | None = None
    resume: bool = False

    def __post_init__(self):
        if any(interval is not None and interval < 1 for interval in (self.checkpoint_every, self.validate_every)):
            raise TrainingError("checkpoint and validation intervals must be at least 1 step")
        if self.resume and self.initial_generator is not None:
            raise TrainingError("a resumed run continues from its own checkpoint: drop the initial generator")


@dataclasses.dataclass(frozen=True)
class RunPlan:
    """A run with every choice made: what ``run.json`` records, plus the scanned folders."""

    run_dir: Path
    schedule: Schedule
    data_dir: str
    train_folder: ImageFolder
    val_folder: ImageFolder
    checkpoint_every: int
    validate_every: int
    initial_generator: str | None = None  # where the run started from; a resume keeps it

    def description(self) -> str:
        """The text of ``run.json``."""
        description = {
            "total_steps": self.schedule.total_steps,
            "phase_steps": list(self.schedule.phase_steps),
            "data": self.data_dir,
            "validation": str(self.val_folder.root),
            "validation_files": len(self.val_folder.paths),
            "checkpoint_every": self.checkpoint_every,
            "validate_every": self.validate_every,
        }
        if self.initial_generator is not None:
            description["initial_generator"] = self.initial_generator
        return json.dumps(description, indent=2) + "\n"


@contextlib.contextmanager
def opened_run(
    config: OutpaintConfig, run_dir: str | os.PathLike, request: RunRequest, *, chief: bool = True
) -> Iterator[RunPlan]:
    """The plan of ``request`` in ``run_dir``, with the folder held by this process until the
    block ends (``run_folder.locked``). Every check comes before the folder is made: a run that
    cannot start leaves none. Only the ``chief`` of a distributed run makes, holds and tidies
    the folder; the other workers join the run it started."""
    run_dir = check_output_folder(run_dir)
    with contextlib.ExitStack() as held:
        holding = chief and run_dir.is_dir()
        if holding:
            held.enter_context(locked(run_dir))  # before the run is read: another may be writing it
        if request.resume:
            total_steps, data_dir, val_dir, started_from, intervals = _check_resume(config, run_dir, request)
        else:
            total_steps = request.total_steps if request.total_steps is not None else PRESET_STEPS.get(config.name)
            # The chief may already have started the run folder that the other workers join.
            _check_new_run(run_dir, total_steps, request.data_dir, existing_run_allowed=not chief)
            data_dir, val_dir, started_from, intervals = request.data_dir, request.val_dir, None, DEFAULT_INTERVALS
            if request.initial_generator is not None:
                _check_initial_generator(config, request.initial_generator)
                started_from = str(request.initial_generator)
        schedule = Schedule.split(total_steps, config.phase_ratios)
        for phase in schedule.empty_phases(config.phase_ratios):
            logger.warning("phase %d gets no step in a run of %d steps: give it more steps", phase, total_steps)
        train_folder, val_folder = _folders(data_dir, val_dir, config.image_size)
        if chief and not holding:
            run_dir.mkdir(parents=True, exist_ok=True)  # another process may have made it meanwhile
            held.enter_context(locked(run_dir))
        if chief:
            remove_temporaries(run_dir)  # what a process killed mid-write left behind
        yield RunPlan(
            run_dir=run_dir,
            schedule=schedule,
            data_dir=str(data_dir),
            train_folder=train_folder,
            val_folder=val_folder,
            checkpoint_every=request.checkpoint_every or intervals["checkpoint_every"],
            validate_every=request.validate_every or intervals["validate_every"],
            initial_generator=started_from,
        )


def holds_run(run_dir: str | os.PathLike) -> bool:
    """Whether a folder holds a training run (which only a resume may write into)."""
    return bool(checkpoints.list_checkpoints(run_dir)) or (Path(run_dir) / CONFIG_FILE).exists()


def grown_parts(saved: OutpaintConfig, config: OutpaintConfig) -> list[str]:
    """The ``GROWN_PARTS`` that ``config`` adds to the architecture of ``saved``."""
    return [key for key in GROWN_PARTS if not getattr(saved, key) and getattr(config, key)]


def _check_new_run(run_dir: Path, total_steps: int | None, data_dir, existing_run_allowed: bool) -> None:
    if holds_run(run_dir) and not existing_run_allowed:
        raise TrainingError(f"{run_dir} already holds a run: pass --resume to continue it, or choose another folder")
    if total_steps is None or total_steps < 1:
        raise TrainingError("the number of training steps must be given and at least 1")
    if data_dir is None:
        raise TrainingError("a new run needs its training data folder")


def _check_resume(config: OutpaintConfig, run_dir: Path, request: RunRequest):
    """The run's own total steps, data and validation folders, the generator it started from
    and its intervals, after refusing any request that would silently change the first three
    or its configuration."""
    if not (run_dir / CONFIG_FILE).exists():
        raise TrainingError(f"nothing to resume in {run_dir}: no {CONFIG_FILE}")
    try:
        saved = OutpaintConfig.load(run_dir / CONFIG_FILE)
        description = json.loads((run_dir / RUN_FILE).read_text())
        saved_steps, saved_data = description["total_steps"], description["data"]
    except ConfigError as error:
        raise TrainingError(f"cannot resume {run_dir}: {error}") from None
    except (OSError, ValueError, KeyError):
        raise TrainingError(f"cannot resume {run_dir}: its {RUN_FILE} is missing or damaged") from None
    # Validation held out of the training folder is recorded as that folder itself.
    saved_validation = None if description.get("validation") == saved_data else description.get("validation")
    architecture = architecture_differences(saved, config)
    if architecture:
        details = _differences(saved, config, architecture, "saved", "now")
        raise TrainingError(f"cannot resume {run_dir}: the architecture differs in {details}")
    requested = {
        key: (getattr(saved, key), getattr(config, key))
        for key in config.to_dict()
        if key not in RESUMABLE_CHANGES and getattr(saved, key) != getattr(config, key)
    }
    if request.total_steps is not None and request.total_steps != saved_steps:
        requested["total steps"] = (saved_steps, request.total_steps)
    if request.data_dir is not None and not _same_folder(request.data_dir, saved_data):
        requested["data"] = (saved_data, str(request.data_dir))
    if request.val_dir is not None and (
        saved_validation is None or not _same_folder(request.val_dir, saved_validation)
    ):
        requested["validation data"] = (saved_validation or f"held out of {saved_data}", str(request.val_dir))
    if requested:
        details = "; ".join(f"{key}: the run's {old!r}, not {new!r}" for key, (old, new) in requested.items())
        raise TrainingError(f"cannot resume {run_dir} with other settings than it was started with ({details})")
    # Runs recorded before the intervals were kept had the defaults unless told otherwise.
    intervals = {key: description.get(key, default) for key, default in DEFAULT_INTERVALS.items()}
    return saved_steps, saved_data, saved_validation, description.get("initial_generator"), intervals


def _check_initial_generator(config: OutpaintConfig, folder) -> None:
    """Refuse, before anything is built, a generator folder that is incomplete or whose
    architecture is not the run's."""
    try:
        saved = read_config(folder)
    except OutpaintError as error:
        raise TrainingError(f"cannot start from that generator: {error}") from None
    differences = [key for key in architecture_differences(saved, config) if key not in grown_parts(saved, config)]
    if differences:
        details = _differences(saved, config, differences, "there", "here")
        raise TrainingError(f"cannot start from {folder}: its architecture differs in {details}")


def _differences(first: OutpaintConfig, second: OutpaintConfig, keys, first_label: str, second_label: str) -> str:
    return ", ".join(
        f"{key} ({getattr(first, key)!r} {first_label}, {getattr(second, key)!r} {second_label})" for key in keys
    )


def _same_folder(first, second) -> bool:
    return Path(first).resolve() == Path(second).resolve()


def _folders(data_dir, val_dir, image_size: int) -> tuple[ImageFolder, ImageFolder]:
    train_folder = scan_folder(data_dir, image_size)
    if val_dir is not None:
        return train_folder, scan_folder(val_dir, image_size)
    # No validation folder: hold out a fixed, evenly spread set of training files.
    count = min(HELD_OUT_IMAGES, len(train_folder.paths) // 10)
    if count < 1:
        raise TrainingError(f"{data_dir} is too small to hold out validation images; pass --val-data")
    held_out = set(train_folder.paths[:: len(train_folder.paths) // count][:count])
    keep = tuple(path for path in train_folder.paths if path not in held_out)
    logger.warning("no validation folder: holding out %d of the training images", len(held_out))
    return (
        dataclasses.replace(train_folder, paths=keep),
        dataclasses.replace(train_folder, paths=tuple(sorted(held_out)), skipped={}),
    )
