"""Training entry point: the three-phase schedule through ``fit``, observable and resumable.

One ``fit`` call runs the whole schedule; a callback switches the GAN's phase at the
boundaries, records every step, validates, draws the plot and writes checkpoints. A run folder
holds everything needed to continue after a crash: ``--resume`` reloads the newest complete
checkpoint, trims the history back to it, and goes on with the same step counter.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
from outpaint_lib.config import OutpaintConfig
from outpaint_lib.errors import TrainingError, TrainingInterrupted
from outpaint_lib.files import atomic_write_bytes, atomic_write_text
from outpaint_lib.gan import OutpaintGAN
from outpaint_lib.generator_files import generator_folder, load_generator, read_config, save_generator
from outpaint_lib.history import HistoryWriter, truncate_history
from outpaint_lib.image_folders import ImageFolder, evenly_spaced
from outpaint_lib.images import encode_png
from outpaint_lib.pipeline import distributed_training_dataset, evaluation_dataset
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
)
from outpaint_lib.run_plan import HELD_OUT_IMAGES, RunPlan, RunRequest, grown_parts, opened_run
from outpaint_lib.schedule import Schedule
from outpaint_lib.sheets import labelled_grid

logger = logging.getLogger(__name__)

SAMPLE_IMAGES = 4  # rows of a sample sheet: the first validation images
SAMPLE_COLUMNS = ["input", "generator output", "centre pasted back", "truth"]
# A part grown onto an initial generator starts at this fraction of its random weights.
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
    run_dir: str | os.PathLike,
    request: RunRequest,
    *,
    progress: bool = True,
    strategy: tf.distribute.Strategy | None = None,
) -> TrainingResult:
    """Train ``config`` as ``request`` asks (a new run, or a resume: see ``RunRequest``) through
    the three phases, writing everything into ``run_dir``.

    One process at a time trains a run folder. Interrupted (Ctrl-C), the run ends its step,
    writes a checkpoint of it and raises ``TrainingInterrupted``. ``strategy`` (see
    ``distribution.make_strategy``) spreads each step over several devices or machines;
    ``config.batch_size`` stays the global batch, and only the chief process writes the run
    folder. A run may be resumed under another strategy.
    """
    strategy = strategy or tf.distribute.get_strategy()
    chief = distribution.is_chief(strategy)
    distribution.check_batch_split(strategy, config.batch_size)
    with opened_run(config, run_dir, request, chief=chief) as plan:
        keras.utils.set_random_seed(config.seed)
        with strategy.scope():
            gan = OutpaintGAN(config)
            gan.compile(schedule=plan.schedule)
        if request.initial_generator is not None:
            load_initial_generator(gan.generator, config, request.initial_generator)
        state = _restore(gan, plan, chief) if request.resume else None
        start_step = state["step"] if state else 0
        history = _record_start(config, plan, start_step) if chief else []
        # The random state of a run at step s is derived from (seed, s): initialisation, dropout
        # and the data order and augmentation continue from there rather than replaying step 0.
        random_seed = state.get("random_seed", config.seed + start_step) if state else config.seed
        keras.utils.set_random_seed(random_seed)
        gan.phase = plan.schedule.phase_at(start_step)
        validation = _validation_batches(plan.val_folder, config, HELD_OUT_IMAGES) if chief else []
        monitor = TrainingMonitor(gan, plan, start_step, history, validation, progress=progress and chief, chief=chief)
        try:
            if start_step < plan.schedule.total_steps:
                dataset = distributed_training_dataset(plan.train_folder, config, strategy, seed=random_seed)
                _fit(gan, dataset, monitor, plan.schedule.total_steps - start_step)
            if monitor.failure:
                raise TrainingError(monitor.failure)
            monitor.finish()
            if monitor.interrupted:
                raise TrainingInterrupted(
                    f"at step {monitor.step} of {plan.schedule.total_steps}; a checkpoint was written: "
                    f"--resume continues from step {monitor.step}"
                )
        finally:
            monitor.close()
    return TrainingResult(plan.run_dir, start_step, monitor.step, plan.schedule, monitor.history, chief)


def _restore(gan: OutpaintGAN, plan: RunPlan, chief: bool) -> dict:
    state = checkpoints.restore_latest(plan.run_dir, gan, tidy=chief)
    if state is None:
        # Starting again at step 0 would cut the history back to nothing: refuse, keep it all.
        raise TrainingError(
            f"cannot resume {plan.run_dir}: it holds no checkpoint that loads; its history is kept. "
            "Start the run again in another folder"
        )
    return state


def _record_start(config: OutpaintConfig, plan: RunPlan, start_step: int) -> list[dict]:
    """Write the run's configuration and plan; return its history up to ``start_step``."""
    history = truncate_history(plan.run_dir / HISTORY_FILE, start_step)
    config.save(plan.run_dir / CONFIG_FILE)
    atomic_write_text(plan.run_dir / RUN_FILE, plan.description())
    return history


def _fit(gan: OutpaintGAN, dataset, monitor: TrainingMonitor, steps: int) -> None:
    with _stop_at_the_end_of_the_step_on_interrupt(monitor):
        gan.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0, callbacks=[monitor])


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


def load_initial_generator(generator: keras.Model, config: OutpaintConfig, folder) -> None:
    """Give ``generator`` the weights saved in ``folder``. Where the run's architecture grows a
    part the saved one lacks, every layer they share is copied, and the new part starts at a
    hundredth of its random initial weights: the grown generator first paints almost what the
    saved one did, and the part can still learn (a zero start would leave its ReLU no gradient)."""
    saved = read_config(folder)
    grown = grown_parts(saved, config)
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
        plan: RunPlan,
        start_step: int,
        history: list[dict],
        validation: list[dict],
        *,
        progress: bool,
        chief: bool = True,
    ):
        super().__init__()
        self.chief = chief
        self.gan = gan
        self.run_dir = plan.run_dir
        self.schedule = plan.schedule
        self.checkpoint_every = plan.checkpoint_every
        self.validate_every = plan.validate_every
        self.step = start_step
        self.history = history  # the rows up to start_step, then each step as it completes
        self.validation = validation
        self.failure: str | None = None
        self.interrupted = False  # Ctrl-C: stop after this step (see ``train``)
        self._predict = tf.function(lambda inputs: gan.generator(inputs, training=False))
        self._writer = HistoryWriter(self.run_dir / HISTORY_FILE) if chief else None
        self._progress = ProgressBar(self.schedule.total_steps, unit="step", enabled=progress)
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
        """One row per fixed validation image, in the columns of ``SAMPLE_COLUMNS``: the input
        (hidden strips grey), the raw generator output, the same with the known centre pasted
        back, and the truth."""
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
            row = [known, painted8, paste_centre(painted8, centre8), truth]
            rows.append([geometry.strip_frame(image, config.strip_axis) for image in row])  # in the photo's orientation
        sheet = labelled_grid(rows, SAMPLE_COLUMNS)
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
