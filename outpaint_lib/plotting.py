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
    return plot_runs({title or "": rows}, path)


def plot_runs(histories: dict[str, list[dict]], path: str | os.PathLike | None = None):
    """``plot_phase_losses`` of several runs side by side, one column each under its title,
    on shared axes so that their losses compare at a glance."""
    # A bare Figure (no pyplot): no global state, no backend to choose, and notebooks show it.
    columns = len(histories)
    figure = Figure(figsize=(9 if columns == 1 else 5 * columns, 6))
    axes = figure.subplots(2, columns, sharex=True, sharey="row", squeeze=False)
    for column, (title, rows) in enumerate(histories.items()):
        _draw_run(axes[0][column], axes[1][column], rows, labelled=column == 0, last=column == columns - 1)
        if title:
            axes[0][column].set_title(title)
    figure.tight_layout()
    if path is not None:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, dpi=110, format="png")
    return figure


def _draw_run(mse_axis, adversarial_axis, rows: list[dict], labelled: bool, last: bool) -> None:
    """One run's two panels; the legends and the left axis labels go on the first column, the
    generator's axis label on the last."""
    for axis in (mse_axis, adversarial_axis):
        for phase, first, last_step in phase_ranges(rows):
            axis.axvspan(
                first - 0.5,
                last_step + 0.5,
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
    adversarial_axis.set_xlabel("training step")
    if last:
        generator_axis.set_ylabel("generator joint loss")
    if labelled:
        mse_axis.set_ylabel("strip MSE")
        adversarial_axis.set_ylabel("discriminator loss")
        mse_axis.legend(loc="upper right", fontsize=8, ncol=2)
        if lines:
            adversarial_axis.legend(lines, [line.get_label() for line in lines], loc="upper right", fontsize=8)
