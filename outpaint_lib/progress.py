"""Progress for long jobs, on stderr and only when it is a terminal.

Standard output carries the results (summaries, tables) that users pipe and parse; a bar's
escape codes there would corrupt them, and in a log file they are noise.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO


class RoundProgress:
    """Keras' progress bar over units of work whose total is learnt as the job goes (a
    folder's images are decoded, and their rounds planned, a chunk at a time)."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, unit: str = "round"):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and _is_terminal(self.stream)
        self.unit = unit
        self.total = 0
        self.done = 0
        self._bar = None

    def add(self, units: int) -> None:
        self.total += units

    def advance(self, units: int = 1) -> None:
        self.done += units
        self._show(finalize=False)

    def close(self) -> None:
        if self._bar is not None:
            self._show(finalize=True)

    def _show(self, finalize: bool) -> None:
        if not self.enabled or self.total < 2:  # a one-step job needs no bar
            return
        # Keras writes to sys.stdout and decides at construction whether it may redraw in place.
        with contextlib.redirect_stdout(self.stream):
            if self._bar is None:
                import keras

                self._bar = keras.utils.Progbar(self.total, unit_name=self.unit)
            self._bar.target = self.total
            self._bar.update(self.done, finalize=finalize)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-less stream
        return False
