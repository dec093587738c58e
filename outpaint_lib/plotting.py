"""The paper's phase-loss figure: losses against the step, each phase's background shaded."""

from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure

from outpaint_lib.files import atomic_path
from outpaint_lib.schedule import PHASE_NAMES

PHASE_COLOURS = {1: "#dbe9f6", 2: "#fbe3cf", 3: "#dcefdc"}


def phase_ranges(rows: list[dict]) -> list[tuple[int, int, int]]:
    """(phase, first step, last step) of each phase present in the history."""
    ranges: dict[int, list[int]] = {}
    for row in rows:
        span = ranges.setdefault(row["phase"], [row["step"], row["step"]])
        span[0], span[1] = min(span[0], row["step"]), max(span[1], row["step"])
    return [(phase, first, last) for phase, (first, last) in sorted(ranges.items())]


def _series(rows: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    points = [(row["step"], row[key]) for row in rows if row.get(key) is not None]
    if not points:
        return np.empty(0), np.empty(0)
    steps, values = zip(*points)
    return np.asarray(steps), np.asarray(values, dtype=float)


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    if len(values) < window or window < 2:
        return values
    kernel = np.ones(window) / window
    padded = np.concatenate([np.full(window - 1, values[0]), values])
    return np.convolve(padded, kernel, mode="valid")


def plot_phase_losses(rows: list[dict], path: str | os.PathLike | None = None, title: str | None = None):
    """Training and validation MSE above, discriminator and generator losses below, with
    each phase's background in its own colour. Saved atomically as PNG when ``path`` is given;
    the figure is returned for notebooks."""
    # A bare Figure (no pyplot): no global state, no backend to choose, and notebooks show it.
    figure = Figure(figsize=(9, 6))
    mse_axis, adversarial_axis = figure.subplots(2, 1, sharex=True)
    for axis in (mse_axis, adversarial_axis):
        for phase, first, last in phase_ranges(rows):
            axis.axvspan(
                first - 0.5,
                last + 0.5,
                color=PHASE_COLOURS[phase],
                zorder=0,
                label=f"phase {phase}: {PHASE_NAMES[phase]}" if axis is mse_axis else None,
            )
    steps, mse = _series(rows, "mse")
    if len(mse):
        window = max(1, len(mse) // 50)
        mse_axis.plot(steps, mse, color="#7f9fbf", linewidth=0.6, alpha=0.6, label="training MSE")
        mse_axis.plot(
            steps, _smooth(mse, window), color="#1f4e79", linewidth=1.4, label=f"training MSE ({window}-step mean)"
        )
    val_steps, val_mse = _series(rows, "val_mse")
    if len(val_mse):
        mse_axis.plot(val_steps, val_mse, "o-", color="#c0392b", markersize=3, label="validation MSE")
    mse_axis.set_ylabel("strip MSE")
    mse_axis.legend(loc="upper right", fontsize=8, ncol=2)
    generator_axis = adversarial_axis.twinx()
    lines = []
    for axis, key, colour, label in (
        (adversarial_axis, "d_loss", "#8e44ad", "discriminator loss (left)"),
        (generator_axis, "g_loss", "#27ae60", "generator joint loss (right)"),
    ):
        key_steps, values = _series(rows, key)
        if len(values):
            lines += axis.plot(
                key_steps, _smooth(values, max(1, len(values) // 50)), color=colour, linewidth=1.2, label=label
            )
    adversarial_axis.set_ylabel("discriminator loss")
    generator_axis.set_ylabel("generator joint loss")
    adversarial_axis.set_xlabel("training step")
    if lines:
        adversarial_axis.legend(lines, [line.get_label() for line in lines], loc="upper right", fontsize=8)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    if path is not None:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, dpi=110, format="png")
    return figure
