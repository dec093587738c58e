"""Progress for long jobs: on stderr, and only when it is a terminal; in a notebook, in the cell.

Standard output carries the results (summaries, tables) that users pipe and parse; a bar's
escape codes there would corrupt them, and in a log file they are noise.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import TextIO


class ProgressBar:
    """Keras' progress bar, drawn where it belongs. The total may grow as the job learns it (a
    folder's images are decoded, and their rounds planned, a chunk at a time)."""

    def __init__(self, total: int = 0, unit: str = "step", enabled: bool = True, stream: TextIO | None = None,
                 stateful_metrics: Sequence[str] = ()):
        self.stream = stream if stream is not None else _default_stream()
        self.enabled = enabled and self.stream is not None and (_is_terminal(self.stream) or _in_notebook())
        self.unit = unit
        self.total = total
        self.done = 0
        self.stateful_metrics = list(stateful_metrics)
        self._bar = None

    def add(self, units: int) -> None:
        self.total += units

    def advance(self, units: int = 1, values: Sequence[tuple[str, float]] | None = None) -> None:
        self.update(self.done + units, values)

    def update(self, done: int, values: Sequence[tuple[str, float]] | None = None) -> None:
        self.done = done
        self._show(values, finalize=False)

    def close(self) -> None:
        if self._bar is not None:
            self._show(None, finalize=True)

    def _show(self, values, finalize: bool) -> None:
        if not self.enabled or self.total < 2:  # a one-step job needs no bar
            return
        # Keras writes to sys.stdout and decides at construction whether it may redraw in place.
        with contextlib.redirect_stdout(self.stream):
            if self._bar is None:
                import keras

                self._bar = keras.utils.Progbar(self.total, unit_name=self.unit,
                                                stateful_metrics=self.stateful_metrics)
            self._bar.target = self.total
            self._bar.update(self.done, values=values, finalize=finalize)


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules


def _default_stream() -> TextIO | None:
    # A notebook shows its cell's standard output; a shell keeps stdout for the results.
    return sys.stdout if _in_notebook() else sys.stderr


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-less stream
        return False
