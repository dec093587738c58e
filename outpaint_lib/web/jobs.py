"""The page's paint jobs: each upload is checked at once (an image, not too large, a target it
does not already meet), then painted in turn by one worker thread, so that concurrent requests
queue rather than compete for the cores. Everything is written in one temporary folder, removed
when the queue closes; a server killed before it could remove its folder leaves it to the next
one, which removes every such folder that no running server holds."""

from __future__ import annotations

import dataclasses
import fcntl
import itertools
import os
import queue
import shutil
import tempfile
import threading
from pathlib import Path

from outpaint_lib.errors import ImageError, OutpaintError
from outpaint_lib.images import DEFAULT_MAX_PIXELS, MIN_SIDE, encode_png, load_image
from outpaint_lib.inference import Outpainter
from outpaint_lib.sizing import Round, Target, margins


@dataclasses.dataclass
class Job:
    """One photo and its target, and how far its painting has come."""

    number: int
    name: str
    photo_size: tuple[int, int]  # (width, height)
    rounds: list[Round]
    blend: bool
    state: str = "queued"  # queued, painting, done or failed
    rounds_done: int = 0
    error: str | None = None

    def describe(self) -> dict:
        return {
            "id": self.number,
            "name": self.name,
            "state": self.state,
            "rounds": len(self.rounds),
            "rounds_done": self.rounds_done,
            "photo_size": self.photo_size,
            **placement(self.photo_size, self.rounds),
            "error": self.error,
        }


def placement(size: tuple[int, int], rounds: list[Round]) -> dict:
    """Where ``rounds`` take a photo of ``size`` (width, height): the result's size and the
    photo's (left, top) in it."""
    width, height = size
    added = margins(rounds)
    final = (width + added["left"] + added["right"], height + added["top"] + added["bottom"])
    return {"final_size": final, "photo_position": (added["left"], added["top"])}


FOLDER_PREFIX = "outpaint-serve-"
# A file in each server's folder, locked for as long as the server runs: the lock is the
# operating system's to release, so it is free once its server is gone, however it ended.
IN_USE = ".in-use"


def remove_abandoned_folders(parent: str | os.PathLike | None = None) -> int:
    """Remove the folders that killed servers left in ``parent`` (the temporary folder): those
    whose ``IN_USE`` file no process holds. Returns how many."""
    removed = 0
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            with open(folder / IN_USE, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder)
        except OSError:  # held by a running server, not a server's folder, or not ours to remove
            continue
        removed += 1
    return removed


def _hold(folder: Path):
    """Lock ``folder``'s ``IN_USE`` file for this process's life; it is locked before it takes
    its name, so that no server starting meanwhile can find it free."""
    handle = open(folder / f"{IN_USE}.new", "wb")  # open until the queue closes
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.replace(folder / f"{IN_USE}.new", folder / IN_USE)
    return handle


class PaintQueue:
    """Jobs in the order they came, painted by one worker; ``close`` stops it and removes the
    folder with every upload and result."""

    def __init__(self, painter: Outpainter, max_pixels: int = DEFAULT_MAX_PIXELS):
        self.painter, self.max_pixels = painter, max_pixels
        remove_abandoned_folders()
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        self._in_use = _hold(self.folder)
        self.jobs: dict[int, Job] = {}
        self._numbers = itertools.count(1)
        self._waiting: queue.Queue[int | None] = queue.Queue()
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._work, name="outpaint-paint", daemon=True)
        self._worker.start()

    def submit(self, name: str, data: bytes, target: Target, blend: bool = True) -> Job:
        """Check the upload and queue it; ``OutpaintError`` with one line if it cannot be painted."""
        try:
            photo = load_image(data, max_pixels=self.max_pixels, min_side=MIN_SIDE)
        except ImageError as error:
            raise ImageError(error.reason, f"{Path(name).name}: {error}") from None
        height, width = photo.shape[:2]
        rounds = self.painter.plan((height, width), target, self.max_pixels)
        with self._lock:
            number = next(self._numbers)
            job = Job(number, Path(name).name or "photo", (width, height), rounds, blend)
            self.jobs[number] = job
        self.photo_path(number).write_bytes(encode_png(photo))
        self._waiting.put(number)
        return job

    def result_path(self, number: int) -> Path:
        return self.folder / f"{number}-painted.png"

    def photo_path(self, number: int) -> Path:
        return self.folder / f"{number}.png"

    def close(self) -> None:
        self._waiting.put(None)
        self._worker.join(timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)
        self._in_use.close()

    def _work(self) -> None:
        while (number := self._waiting.get()) is not None:
            job = self.jobs[number]
            job.state = "painting"
            try:
                photo = load_image(self.photo_path(number))
                painted = photo
                for _, round_number, painted in self.painter.rounds([photo], [job.rounds], job.blend):  # noqa: B007
                    job.rounds_done = round_number
                self.result_path(number).write_bytes(encode_png(painted))
                job.state = "done"
            except OutpaintError as error:
                job.state, job.error = "failed", str(error)
            except Exception as error:  # the worker must outlive any one photo
                job.state, job.error = "failed", f"painting failed: {type(error).__name__}: {error}"
