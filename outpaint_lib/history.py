"""The loss history of a run: one JSON object per training step, appended as the run goes."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from outpaint_lib.files import atomic_write_text


def read_history(path: str | os.PathLike) -> list[dict]:
    """All complete rows; a last line cut short by a killed process is ignored."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return rows


def truncate_history(path: str | os.PathLike, last_step: int) -> list[dict]:
    """Keep the rows up to ``last_step`` (the checkpoint a run resumes from), so that the steps
    replayed after a resume are not recorded twice."""
    rows = [row for row in read_history(path) if row["step"] <= last_step]
    atomic_write_text(path, "".join(_line(row) for row in rows))
    return rows


class HistoryWriter:
    """Appends rows and flushes each one, so a killed run loses at most the row being written."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._handle = open(self.path, "a", encoding="utf-8")

    def append(self, row: dict) -> None:
        self._handle.write(_line(row))
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def _line(row: dict) -> str:
    # JSON has no NaN: a non-finite value is written as null.
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
    return json.dumps(clean, separators=(",", ":")) + "\n"
