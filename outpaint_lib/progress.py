"""Progress for long jobs: on stderr, and only when it is a terminal; in a notebook, in the cell.

Standard output carries the results (summaries, tables) that users pipe and parse; a bar's
escape codes there would corrupt them, and in a log file they are noise. The bar is drawn here
rather than by Keras' Progbar, because importing Keras costs ``paint`` seconds of start-up.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TextIO

WIDTH = 24  # characters of the bar itself
REDRAW_SECONDS = 0.1


class ProgressBar:
    """A one-line bar redrawn in place: count, elapsed time, the estimate of what is left, and
    the latest values the job reports. The total may grow as the job learns it (a folder's
    images are decoded, and their rounds planned, a chunk at a time)."""

    def __init__(self, total: int = 0, unit: str = "step", enabled: bool = True, stream: TextIO | None = None):
        self.stream = stream if stream is not None else _default_stream()
        self.enabled = enabled and (_is_terminal(self.stream) or _in_notebook())
        self.unit = unit
        self.total = total
        self.done = 0
        self._started = time.monotonic()
        self._drawn_at: float | None = None
        self._drawn_width = 0
        self._values: Sequence[tuple[str, float]] = ()

    def add(self, units: int) -> None:
        self.total += units

    def advance(self, units: int = 1, values: Sequence[tuple[str, float]] | None = None) -> None:
        self.update(self.done + units, values)

    def update(self, done: int, values: Sequence[tuple[str, float]] | None = None) -> None:
        self.done = done
        if values is not None:
            self._values = values
        now = time.monotonic()
        if self._drawn_at is None or now - self._drawn_at >= REDRAW_SECONDS:
            self._draw(now)

    def close(self) -> None:
        if self._drawn_at is not None:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, now: float) -> None:
        if not self.enabled or self.total < 2:  # a one-step job needs no bar
            return
        self._drawn_at = now
        fraction = min(1.0, self.done / self.total)
        filled = int(WIDTH * fraction)
        bar = "=" * filled + (">" if filled < WIDTH else "") + "." * max(0, WIDTH - filled - 1)
        elapsed = now - self._started
        timing = _duration(elapsed)
        if 0 < self.done < self.total:
            timing += f", {_duration(elapsed * (self.total - self.done) / self.done)} left"
        values = "".join(f"  {key}: {_number(value)}" for key, value in self._values)
        digits = len(str(self.total))
        line = f"{self.done:>{digits}}/{self.total} {self.unit}s [{bar}] {timing}{values}"
        # Spaces, not an escape code, cover what a longer previous line left: notebooks show both.
        self.stream.write("\r" + line.ljust(self._drawn_width))
        self._drawn_width = len(line)
        self.stream.flush()


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def _number(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _in_notebook() -> bool:
    """Running inside a Jupyter kernel (not merely with Jupyter's modules imported)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell is not None and hasattr(shell, "kernel")


def _default_stream() -> TextIO:
    # A notebook shows its cell's standard output; a shell keeps stdout for the results.
    return sys.stdout if _in_notebook() else sys.stderr


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-less stream
        return False
