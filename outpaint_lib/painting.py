"""The ``paint`` job: many files in, one PNG each out, every bad file reported and skipped.

Nothing a user owns is lost: an input is never written over, nor any file that ``paint`` did
not write itself (it recognises its own results by their EXIF Software tag, so that running a
command again replaces them), unless ``overwrite`` says so; each result is written as soon as
its rounds are done, so that an interrupted job keeps everything finished before it stopped.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from outpaint_lib import __version__
from outpaint_lib.errors import ImageError, NothingToPaint, OutputError, TargetError, TargetMet
from outpaint_lib.files import atomic_write_bytes, check_output_file, check_output_folder
from outpaint_lib.images import (
    ENCODINGS,
    MAKER,
    MIN_SIDE,
    encode_image,
    is_grey,
    load_image,
    made_by,
    scan_files,
)
from outpaint_lib.inference import Outpainter, PaintSettings
from outpaint_lib.progress import ProgressBar
from outpaint_lib.sizing import Target

# Images decoded and painted together, up to either bound: equal sizes share the model's batches
# and every core composites an image, while camera photos are taken a few at a time to bound
# memory. The images of a chunk finish together, so a small chunk gets results to the disk
# soon (an interruption loses at most one chunk's work) at little cost in speed.
CHUNK_IMAGES = 8
CHUNK_PIXELS = 30_000_000


@dataclasses.dataclass
class PaintOutcome:
    """Every input ends in exactly one of the three lists; ``listener`` hears of each as it
    happens: ``listener("failed" | "skipped", path, why)``, ``listener("written", path, "")``."""

    written: list[Path] = dataclasses.field(default_factory=list)
    failures: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    sizes: list[tuple[int, int]] = dataclasses.field(default_factory=list)  # (width, height) of each written
    seconds: float = 0.0  # wall time, model loading included
    listener: Callable[[str, str, str], None] | None = dataclasses.field(default=None, repr=False, compare=False)

    def fail(self, path, why: str) -> None:
        self.failures.append((str(path), why))
        self._tell("failed", path, why)

    def skip(self, path, why: str) -> None:
        self.skipped.append((str(path), why))
        self._tell("skipped", path, why)

    def wrote(self, path: Path, size: tuple[int, int]) -> None:
        self.written.append(path)
        self.sizes.append(size)
        self._tell("written", path, "")

    def _tell(self, event: str, path, why: str) -> None:
        if self.listener is not None:
            self.listener(event, str(path), why)

    def size_range(self) -> str:
        """ "1280 x 720", or the smallest and largest area when the outputs differ."""
        if not self.sizes:
            return "no output"
        by_area = sorted(set(self.sizes), key=lambda size: (size[0] * size[1], size))
        smallest, largest = by_area[0], by_area[-1]
        if smallest == largest:
            return f"{smallest[0]} x {smallest[1]}"
        return f"{smallest[0]} x {smallest[1]} to {largest[0]} x {largest[1]}"


def expand_inputs(
    inputs: Iterable[str | os.PathLike], output_folder: str | os.PathLike | None = None
) -> tuple[list[tuple[Path, Path]], list[tuple[Path, str]]]:
    """Files as given, folders expanded to their candidate images (recursively), order
    preserved, each with its place below the output folder: its path below the folder it was
    found in (the input's folder structure is kept), or its name for a file given on its own.
    Also the files passed over, with why: a folder's other files, a repeat, and the files a
    folder holds inside ``output_folder`` (earlier results are never read as inputs)."""
    images: list[tuple[Path, Path]] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    results = Path(output_folder).resolve() if output_folder is not None else None
    for entry in map(Path, inputs):
        if entry.is_dir():
            candidates, others = scan_files(entry)
            skipped.extend(others)
            found = []
            for path in candidates:
                # ``paint folder -o folder`` is left to the rule that no input is written over.
                if results is not None and results != entry.resolve() and path.resolve().is_relative_to(results):
                    skipped.append((path, "in the output folder"))
                else:
                    found.append((path, path.relative_to(entry)))
        else:
            found = [(entry, Path(entry.name))]  # a missing file is reported when it is read
        for path, place in found:
            if path.resolve() in seen:
                skipped.append((path, "given more than once"))
            else:
                seen.add(path.resolve())
                images.append((path, place))
    return images, skipped


def paint_files(
    inputs: Sequence[str | os.PathLike],
    output_dir: str | os.PathLike,
    target: Target | None = None,
    painter: Outpainter | PaintSettings | None = None,
    *,
    overwrite: bool = False,
    progress: bool = True,
    listener: Callable[[str, str, str], None] | None = None,
) -> PaintOutcome:
    """Outpaint every input into ``output_dir``, as ``<stem>.png`` at its place there (see
    ``expand_inputs``), written atomically as soon as it is done; or, for one input and an
    ``output_dir`` with an image suffix, into that file. As wide as ``target`` says (one round
    on both sides by default), with ``painter``: an ``Outpainter`` already loaded, or the
    ``PaintSettings`` to load one with (the defaults if None), only once there is work.

    Files that fail are reported with a one-line reason (``PaintOutcome.listener`` hears of each
    as it happens); the others are still painted. A result fails that would replace an input,
    or a file that paint did not write (unless ``overwrite``). Skipped, with their reason: files
    that are not images (a folder's notes, a file without extension that does not decode, a
    repeat) and photos already as wide as the target. Inputs holding no candidate image at all
    raise ``NothingToPaint`` before the model loads."""
    started = time.perf_counter()
    target = target or Target()
    settings = painter.settings if isinstance(painter, Outpainter) else painter or PaintSettings()
    output = Path(output_dir)
    single_file = _names_one_file(output_dir)
    images, passed_over = expand_inputs(inputs, output_folder=None if single_file else output)
    if not images:
        raise NothingToPaint(f"no images to paint in {', '.join(map(str, inputs))} ({len(passed_over)} other file(s))")
    if single_file and len(images) > 1:
        raise OutputError(f"{output} names one file, but there are {len(images)} images to paint: give a folder")
    if single_file:
        check_output_file(output)
    else:
        check_output_folder(output)
    outcome = PaintOutcome(listener=listener)
    for path, reason in passed_over:
        outcome.skip(path, reason)
    queue = _results(images, output, single_file, overwrite, outcome)
    if queue:
        outpainter = painter if isinstance(painter, Outpainter) else Outpainter.from_settings(settings)
        bar = ProgressBar(unit="round", enabled=progress)
        for chunk in _chunks(queue, outpainter, target, settings.max_pixels, outcome):
            plans = [rounds for *_, rounds in chunk]
            bar.add(sum(map(len, plans)))
            for index, number, painted in outpainter.rounds([image for _, _, image, _ in chunk], plans):
                bar.advance()
                if number == len(plans[index]):  # its last round: written now, whatever the others do
                    _write(*chunk[index][:2], painted, overwrite, outcome)
        bar.close()
    outcome.seconds = time.perf_counter() - started
    return outcome


def _write(path: Path, result: Path, painted, overwrite: bool, outcome: PaintOutcome) -> None:
    problem = _replacing_problem(result, overwrite)  # a file may have appeared while painting
    if problem:
        outcome.fail(path, problem)
        return
    image = painted[:, :, 0] if is_grey(painted) else painted
    atomic_write_bytes(result, encode_image(image, result.suffix, maker=f"{MAKER} {__version__}"))
    outcome.wrote(result, (painted.shape[1], painted.shape[0]))


def _names_one_file(output: str | os.PathLike) -> bool:
    """Whether ``-o`` names a result file (an image suffix) rather than a folder. A name with
    another suffix is refused unless it is an existing folder or ends with a slash: ``-o
    painted.jgp`` is a typing mistake far more often than a folder's name."""
    text, path = os.fspath(output), Path(output)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return False
    if path.suffix.lower() in ENCODINGS:
        return True
    if path.suffix and not path.exists():
        known = ", ".join(ENCODINGS)
        raise OutputError(
            f"{output}: {path.suffix} is not an image format ({known}); for a folder of that name, write {text}/"
        )
    return False


def _results(
    images: list[tuple[Path, Path]], output: Path, single_file: bool, overwrite: bool, outcome: PaintOutcome
) -> list[tuple[Path, Path]]:
    """Each input with the file its result goes to; an input whose result would replace an
    input, another input's result or a file that paint did not write fails instead."""
    inputs = {path.resolve() for path, _ in images}
    claimed: set[Path] = set()
    queue = []
    for path, place in images:
        result = output if single_file else output / place.parent / f"{place.stem}.png"
        shown = result if single_file else result.relative_to(output)
        resolved = result.resolve()
        if resolved in inputs:
            outcome.fail(path, f"output {shown} would write over an input; choose another output folder")
        elif resolved in claimed:
            outcome.fail(path, f"output {shown} would overwrite the result of another input")
        elif problem := _replacing_problem(result, overwrite):
            outcome.fail(path, problem)
        else:
            claimed.add(resolved)
            queue.append((path, result))
    return queue


def _replacing_problem(result: Path, overwrite: bool) -> str | None:
    """Why ``result`` may not be written: a folder there, or a file that paint did not write."""
    if result.is_dir():
        return f"output {result} is a folder"
    if result.exists() and not overwrite and not (made_by(result) or "").startswith(MAKER):
        return f"{result} exists and was not written by outpaint: left as it is (--overwrite replaces it)"
    return None


def _chunks(queue, outpainter: Outpainter, target: Target, max_pixels: int, outcome: PaintOutcome):
    """Decoded images with their planned rounds, ``(path, result file, image, rounds)``, in
    chunks; files that cannot be read or planned fail, photos that already meet the target are
    skipped."""
    chunk, pixels = [], 0
    for path, result in queue:
        try:
            image = load_image(path, max_pixels=max_pixels, min_side=MIN_SIDE)
            chunk.append((path, result, image, outpainter.plan(image.shape[:2], target, max_pixels)))
            pixels += image.shape[0] * image.shape[1]
        except ImageError as error:
            if error.reason == "not_an_image" and not path.suffix:
                outcome.skip(path, str(error))  # an extensionless file that is not an image
            else:
                outcome.fail(path, str(error))
        except TargetMet as error:
            outcome.skip(path, f"{error}: nothing to paint")
        except TargetError as error:
            outcome.fail(path, str(error))
        if len(chunk) >= CHUNK_IMAGES or pixels >= CHUNK_PIXELS:
            yield chunk
            chunk, pixels = [], 0
    if chunk:
        yield chunk
