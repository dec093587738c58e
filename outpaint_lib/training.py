"""Training entry point: the three-phase schedule through ``fit``, observable and resumable.

One ``fit`` call runs the whole schedule; a callback switches the GAN's phase at the
boundaries, records every step, validates, draws the plot and writes checkpoints. A run folder
holds everything needed to continue after a crash: ``--resume`` reloads the newest complete
checkpoint, trims the history back to it, and goes on with the same step counter.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import os
import signal
import threading
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from outpaint_lib import checkpoints, distribution, geometry
from outpaint_lib.config import PRESET_STEPS, OutpaintConfig, architecture_differences
from outpaint_lib.errors import ConfigError, OutpaintError, TrainingError, TrainingInterrupted
from outpaint_lib.files import atomic_write_bytes, atomic_write_text, check_output_folder, remove_temporaries
from outpaint_lib.gan import OutpaintGAN
from outpaint_lib.generator_files import generator_folder, load_generator, read_config, save_generator
from outpaint_lib.history import HistoryWriter, truncate_history
from outpaint_lib.image_folders import ImageFolder, evenly_spaced, scan_folder
from outpaint_lib.images import encode_png
from outpaint_lib.pipeline import evaluation_dataset, training_dataset
from outpaint_lib.plotting import plot_phase_losses
from outpaint_lib.postprocess import hide_strips, paste_centre, to_uint8
from outpaint_lib.progress import ProgressBar
from outpaint_lib.run_folder import (
    CONFIG_FILE,
    GENERATOR_FOLDER,
    GENERATOR_WEIGHTS_FILE,
    HISTORY_FILE,
    PHASE_ONE_GENERATOR_FOLDER,
    PLOT_FILE,
    RUN_FILE,
    SAMPLES_FOLDER,
    locked,
)
from outpaint_lib.schedule import Schedule

logger = logging.getLogger(__name__)

HELD_OUT_IMAGES = 64
SAMPLE_IMAGES = 4  # rows of a sample sheet: the first validation images
DEFAULT_INTERVALS = {"checkpoint_every": 500, "validate_every": 100}
# What a resume may change: how this machine computes, not what the run is.
RESUMABLE_CHANGES = ("precision",)
# Parts a run's generator may add to its initial generator's architecture, each named alike as
# a configuration key and as the layer it adds: a residual branch that the grown generator
# learns from nearly silent, on top of all the weights it starts from.
GROWN_PARTS = ("generator_fourier_unit",)
GROWN_PART_START_SCALE = 0.01


@dataclasses.dataclass(frozen=True)
class TrainingResult:
    run_dir: Path
    start_step: int  # where this call began: 0, or the checkpoint a resume continued from
    step: int
    schedule: Schedule
    history: list[dict]
    chief: bool = True  # False in the workers of a distributed run, which record nothing


def train(
    config: OutpaintConfig,
    data_dir: str | os.PathLike | None,
    run_dir: str | os.PathLike,
    total_steps: int | None = None,
    *,
    val_dir: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    validate_every: int | None = None,
    resume: bool = False,
    progress: bool = True,
    initial_generator: str | os.PathLike | None = None,
    strategy: tf.distribute.Strategy | None = None,
) -> TrainingResult:
    """Train ``config`` on the images under ``data_dir`` for ``total_steps`` steps (by default
    its preset's, ``PRESET_STEPS``) split by the preset's phase ratios, writing everything into
    ``run_dir``; a checkpoint every ``checkpoint_every`` steps (500), the validation MSE and
    samples every ``validate_every`` (100).

    Without ``val_dir``, ``HELD_OUT_IMAGES`` training files are held out for validation.
    With ``resume``, the run continues from its newest complete checkpoint with the data,
    validation, steps, intervals and settings it was started with: ``data_dir``, ``val_dir``,
    ``total_steps`` and the intervals may be omitted; a data folder, validation folder or step
    count that differs from the run's is refused, as is a configuration that differs in
    anything but its precision (how this machine computes); other intervals are taken on.

    One process at a time trains a run folder (``run_folder.locked``). Interrupted (Ctrl-C),
    the run ends its step, writes a checkpoint of it and raises ``TrainingInterrupted``.

    ``initial_generator``, a generator folder of the same architecture (``checkpoint/``, or
    another run's ``generator/``), or of one without a part the run's adds (``GROWN_PARTS``),
    starts a new run from its weights: pretraining on one dataset, then fine-tuning on another.
    ``strategy`` (see ``distribution.make_strategy``) spreads each step over several devices or
    machines; ``config.batch_size`` stays the global batch, and only the chief process writes
    the run folder. A run may be resumed under another strategy.
    """
    if (checkpoint_every is not None and checkpoint_every < 1) or (validate_every is not None and validate_every < 1):
        raise TrainingError("checkpoint and validation intervals must be at least 1 step")
    strategy = strategy or tf.distribute.get_strategy()
    chief = distribution.is_chief(strategy)
    distribution.check_batch_split(strategy, config.batch_size)
    run_dir = check_output_folder(run_dir)
    if resume and initial_generator is not None:
        raise TrainingError("a resumed run continues from its own checkpoint: drop the initial generator")
    with contextlib.ExitStack() as held:
        holding = chief and run_dir.is_dir()
        if holding:
            held.enter_context(locked(run_dir))  # before the run is read: another may be writing it
        started_from = initial_generator  # recorded in run.json, and kept there by a resume
        if resume:
            total_steps, data_dir, val_dir, started_from, intervals = _check_resume(
                config, run_dir, total_steps, data_dir, val_dir
            )
        else:
            total_steps = total_steps if total_steps is not None else PRESET_STEPS.get(config.name)
            # The chief may already have started the run folder that the other workers join.
            _check_new_run(run_dir, total_steps, data_dir, existing_run_allowed=not chief)
            intervals = DEFAULT_INTERVALS
        intervals = {
            "checkpoint_every": checkpoint_every or intervals["checkpoint_every"],
            "validate_every": validate_every or intervals["validate_every"],
        }
        if initial_generator is not None:
            _check_initial_generator(config, initial_generator)
        schedule = Schedule.split(total_steps, config.phase_ratios)
        for phase in schedule.empty_phases(config.phase_ratios):
            logger.warning("phase %d gets no step in a run of %d steps: give it more steps", phase, total_steps)

        # The data is checked before the run folder is made: a run that cannot start leaves none.
        train_folder, val_folder = _folders(config, data_dir, val_dir)
        if chief and not holding:
            run_dir.mkdir(parents=True, exist_ok=True)  # another process may have made it meanwhile
            held.enter_context(locked(run_dir))
        if chief:
            remove_temporaries(run_dir)  # what a process killed mid-write left behind
        keras.utils.set_random_seed(config.seed)
        with strategy.scope():
            gan = OutpaintGAN(config)
            gan.compile(schedule=schedule)
        if initial_generator is not None:
            load_initial_generator(gan.generator, config, initial_generator)

        state = checkpoints.restore_latest(run_dir, gan, tidy=chief) if resume else None
        if resume and state is None:
            # Starting again at step 0 would cut the history back to nothing: refuse, keep it all.
            raise TrainingError(
                f"cannot resume {run_dir}: it holds no checkpoint that loads; its history is kept. "
                "Start the run again in another folder"
            )
        start_step = state["step"] if state else 0
        history = []
        if chief:
            history = truncate_history(run_dir / HISTORY_FILE, start_step)
            config.save(run_dir / CONFIG_FILE)
            atomic_write_text(
                run_dir / RUN_FILE, _run_description(schedule, data_dir, val_folder, started_from, intervals)
            )

        # The random state of a run at step s is derived from (seed, s): initialisation, dropout
        # and the data order and augmentation continue from there rather than replaying step 0.
        random_seed = state.get("random_seed", config.seed + start_step) if state else config.seed
        keras.utils.set_random_seed(random_seed)
        gan.phase = schedule.phase_at(start_step)
        monitor = TrainingMonitor(
            gan,
            run_dir,
            schedule,
            start_step,
            history,
            validation=_validation_batches(val_folder, config, HELD_OUT_IMAGES) if chief else [],
            progress=progress and chief,
            chief=chief,
            **intervals,
        )
        remaining = total_steps - start_step
        try:
            if remaining > 0:
                dataset = distribution.distribute_dataset(
                    strategy,
                    config.batch_size,
                    lambda batch_size, shard: training_dataset(
                        train_folder, config, seed=random_seed, batch_size=batch_size, shard=shard
                    ),
                )
                with _stop_at_the_end_of_the_step_on_interrupt(monitor):
                    gan.fit(dataset, epochs=1, steps_per_epoch=remaining, shuffle=False, verbose=0, callbacks=[monitor])
            if monitor.failure:
                raise TrainingError(monitor.failure)
            monitor.finish()
            if monitor.interrupted:
                raise TrainingInterrupted(
                    f"at step {monitor.step} of {total_steps}; a checkpoint was written: "
                    f"--resume continues from step {monitor.step}"
                )
        finally:
            monitor.close()
    return TrainingResult(run_dir, start_step, monitor.step, schedule, monitor.history, chief)


@contextlib.contextmanager
def _stop_at_the_end_of_the_step_on_interrupt(monitor: TrainingMonitor):
    """Ctrl-C asks the run to stop once the step under way is recorded, so that the checkpoint
    then written holds exactly the steps of the history; a second Ctrl-C stops at once. Signals
    reach only the main thread: elsewhere, an interrupt is left as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def request_stop(number, frame):
        monitor.interrupted = True
        monitor.gan.stop_training = True
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, request_stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def holds_run(run_dir: str | os.PathLike) -> bool:
    """Whether a folder holds a training run (which only ``resume`` may write into)."""
    return bool(checkpoints.list_checkpoints(run_dir)) or (Path(run_dir) / CONFIG_FILE).exists()


def _check_new_run(run_dir: Path, total_steps: int | None, data_dir, existing_run_allowed: bool = False) -> None:
    if holds_run(run_dir) and not existing_run_allowed:
        raise TrainingError(f"{run_dir} already holds a run: pass --resume to continue it, or choose another folder")
    if total_steps is None or total_steps < 1:
        raise TrainingError("the number of training steps must be given and at least 1")
    if data_dir is None:
        raise TrainingError("a new run needs its training data folder")


def _check_resume(config: OutpaintConfig, run_dir: Path, total_steps: int | None, data_dir, val_dir):
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
    if total_steps is not None and total_steps != saved_steps:
        requested["total steps"] = (saved_steps, total_steps)
    if data_dir is not None and not _same_folder(data_dir, saved_data):
        requested["data"] = (saved_data, str(data_dir))
    if val_dir is not None and (saved_validation is None or not _same_folder(val_dir, saved_validation)):
        requested["validation data"] = (saved_validation or f"held out of {saved_data}", str(val_dir))
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
    differences = [key for key in architecture_differences(saved, config) if not _grown_part(saved, config, key)]
    if differences:
        details = _differences(saved, config, differences, "there", "here")
        raise TrainingError(f"cannot start from {folder}: its architecture differs in {details}")


def _grown_part(saved: OutpaintConfig, config: OutpaintConfig, key: str) -> bool:
    return key in GROWN_PARTS and not getattr(saved, key) and getattr(config, key)


def load_initial_generator(generator: keras.Model, config: OutpaintConfig, folder) -> None:
    """Give ``generator`` the weights saved in ``folder``. Where the run's architecture grows a
    part the saved one lacks, every layer they share is copied, and the new part starts at a
    hundredth of its random initial weights: the grown generator first paints almost what the
    saved one did, and the part can still learn (a zero start would leave its ReLU no gradient)."""
    saved = read_config(folder)
    grown = [key for key in architecture_differences(saved, config) if _grown_part(saved, config, key)]
    if not grown:
        generator.load_weights(generator_folder(folder) / GENERATOR_WEIGHTS_FILE)
        return
    source, _ = load_generator(folder, precision=config.precision)
    for layer in source.layers:
        if layer.weights:
            generator.get_layer(layer.name).set_weights(layer.get_weights())
    for key in grown:
        part = generator.get_layer(key)
        part.set_weights([GROWN_PART_START_SCALE * weights for weights in part.get_weights()])


def _differences(first: OutpaintConfig, second: OutpaintConfig, keys, first_label: str, second_label: str) -> str:
    return ", ".join(
        f"{key} ({getattr(first, key)!r} {first_label}, {getattr(second, key)!r} {second_label})" for key in keys
    )


def _same_folder(first, second) -> bool:
    return Path(first).resolve() == Path(second).resolve()


def _run_description(schedule: Schedule, data_dir, val_folder: ImageFolder, initial_generator, intervals: dict) -> str:
    description = {
        "total_steps": schedule.total_steps,
        "phase_steps": list(schedule.phase_steps),
        "data": str(data_dir),
        "validation": str(val_folder.root),
        "validation_files": len(val_folder.paths),
        **intervals,
    }
    if initial_generator is not None:
        description["initial_generator"] = str(initial_generator)
    return json.dumps(description, indent=2) + "\n"


def _folders(config, data_dir, val_dir) -> tuple[ImageFolder, ImageFolder]:
    train_folder = scan_folder(data_dir, config.image_size)
    if val_dir is not None:
        return train_folder, scan_folder(val_dir, config.image_size)
    # No validation folder: hold out a fixed, evenly spread set of training files.
    count = min(HELD_OUT_IMAGES, len(train_folder.paths) // 10)
    if count < 1:
        raise TrainingError(f"{data_dir} is too small to hold out validation images; pass --val-data")
    held_out = set(train_folder.paths[:: len(train_folder.paths) // count][:count])
    keep = tuple(p for p in train_folder.paths if p not in held_out)
    logger.warning("no validation folder: holding out %d of the training images", len(held_out))
    return (
        dataclasses.replace(train_folder, paths=keep),
        dataclasses.replace(train_folder, paths=tuple(sorted(held_out)), skipped={}),
    )


def _validation_batches(folder: ImageFolder, config: OutpaintConfig, limit: int) -> list[dict]:
    """A fixed set of ``limit`` validation images, spread evenly over the (sorted) folder so
    that every source the folder mixes is represented."""
    spread = dataclasses.replace(folder, paths=tuple(evenly_spaced(folder.paths, limit)))
    return [{key: value.numpy() for key, value in batch.items()} for batch in evaluation_dataset(spread, config)]


class TrainingMonitor(keras.callbacks.Callback):
    """Drives the schedule and records the run: phase switches, history rows, validation MSE,
    sample sheets, the phase-loss plot, checkpoints and the non-finite-loss guard.

    Every worker of a distributed run switches phases and guards its losses (the logs are
    already averaged over all replicas, so all stop at the same step); only the ``chief``
    records anything.
    """

    def __init__(
        self,
        gan: OutpaintGAN,
        run_dir: Path,
        schedule: Schedule,
        start_step: int,
        history: list[dict],
        *,
        validation: list[dict],
        checkpoint_every: int,
        validate_every: int,
        progress: bool,
        chief: bool = True,
    ):
        super().__init__()
        self.chief = chief
        self.gan = gan
        self.run_dir = run_dir
        self.schedule = schedule
        self.step = start_step
        self.history = history  # the rows up to start_step, then each step as it completes
        self.validation = validation
        self.checkpoint_every = checkpoint_every
        self.validate_every = validate_every
        self.failure: str | None = None
        self.interrupted = False  # Ctrl-C: stop after this step (see ``train``)
        self._predict = tf.function(lambda inputs: gan.generator(inputs, training=False))
        self._writer = HistoryWriter(run_dir / HISTORY_FILE) if chief else None
        self._progress = ProgressBar(schedule.total_steps, unit="step", enabled=progress)
        # Wall time accumulates across resumes, so runs can be compared at equal time.
        self._seconds_before = history[-1].get("seconds", 0.0) if history else 0.0
        self._started = time.monotonic()

    # Keras hooks.
    def on_train_batch_begin(self, batch, logs=None):
        phase = self.schedule.phase_at(self.step)
        if phase != self.gan.phase:
            self.gan.phase = phase

    def on_train_batch_end(self, batch, logs=None):
        values = {key: float(value) for key, value in (logs or {}).items()}
        bad = {key: value for key, value in values.items() if not math.isfinite(value)}
        phase = self.gan.phase
        if bad:
            last = checkpoints.list_checkpoints(self.run_dir)
            kept = f"the last good checkpoint is {last[0]}" if last else "no checkpoint had been written yet"
            names = ", ".join(f"{key}={value}" for key, value in bad.items())
            self.failure = f"training stopped at step {self.step + 1} (phase {phase}): {names}; {kept}"
            self.gan.stop_training = True
            return
        self.step += 1
        if not self.chief:
            return
        row = {"step": self.step, "phase": phase, **values}
        row["seconds"] = round(self._seconds_before + time.monotonic() - self._started, 3)
        at_end = self.step == self.schedule.total_steps
        if self.step % self.validate_every == 0 or at_end:
            row["val_mse"] = self.validation_mse()
            row["generator_learning_rate"] = float(
                keras.ops.convert_to_numpy(self.gan.generator_optimizer.learning_rate)
            )
            self.write_samples()
        self._writer.append(row)
        self.history.append(row)
        hidden = ("step", "phase", "seconds", "generator_learning_rate")
        shown = [(key, value) for key, value in row.items() if key not in hidden]
        self._progress.update(self.step, values=[("phase", phase), *shown])
        if "val_mse" in row:
            plot_phase_losses(self.history, self.run_dir / PLOT_FILE)
        if self.step == self.schedule.boundaries[0] and self.schedule.phase_steps[0] > 0:
            save_generator(self.gan.generator, self.gan.config, self.run_dir / PHASE_ONE_GENERATOR_FOLDER)
        if self.step % self.checkpoint_every == 0 or at_end:
            self.checkpoint()

    # Work done at intervals.
    def validation_mse(self) -> float:
        total, count = 0.0, 0
        for batch in self.validation:
            output = self._predict(batch["input"])
            strips = np.asarray(geometry.generated_strips(output, self.gan.config), dtype=np.float64)
            total += float(np.sum((strips - batch["strips"]) ** 2))
            count += strips.size
        return total / count

    def write_samples(self) -> None:
        """One row per fixed validation image: input (hidden strips grey), raw generator output,
        output with the known centre pasted back, ground truth."""
        config = self.gan.config
        images = np.concatenate([b["image"] for b in self.validation])[:SAMPLE_IMAGES]
        if not len(images):
            return
        centres, _ = geometry.split_image(images, config.strip_width)
        inputs = np.stack([np.asarray(geometry.generator_input(c, config)) for c in centres])
        output = np.asarray(self._predict(inputs))
        generated = np.asarray(geometry.generated_image(output, centres, config))
        rows = []
        for image, centre, painted in zip(images, np.asarray(centres), generated):
            truth, centre8, painted8 = (to_uint8(x, config.value_range) for x in (image, centre, painted))
            known = hide_strips(truth, config.strip_width)
            rows.append(np.concatenate([known, painted8, paste_centre(painted8, centre8), truth], axis=1))
        sheet = np.concatenate(rows, axis=0)
        atomic_write_bytes(self.run_dir / SAMPLES_FOLDER / f"step-{self.step:09d}.png", encode_png(sheet))

    def checkpoint(self) -> None:
        # A resume reads the step, and seeds its random streams with random_seed (see ``train``);
        # the phase follows from the step and the run's schedule.
        state = {"step": self.step, "random_seed": self.gan.config.seed + self.step}
        checkpoints.write_checkpoint(self.run_dir, self.gan, state)
        save_generator(self.gan.generator, self.gan.config, self.run_dir / GENERATOR_FOLDER)

    def finish(self) -> None:
        """Make sure the end of the run is checkpointed and plotted (also after a resume that
        found nothing left to do)."""
        if not self.chief:
            return
        saved = checkpoints.list_checkpoints(self.run_dir)
        if not saved or saved[0].name != f"step-{self.step:09d}":
            self.checkpoint()
        if self.history:
            plot_phase_losses(self.history, self.run_dir / PLOT_FILE)

    def close(self) -> None:
        self._progress.close()
        if self._writer is not None:
            self._writer.close()
