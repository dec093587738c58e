"""The ``paint`` job: many files in, one PNG each out, every bad file reported and skipped."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from outpaint_lib.errors import ImageError, NothingToPaint, OutputError, TargetError
from outpaint_lib.files import atomic_write_bytes, check_output_file, check_output_folder
from outpaint_lib.images import DEFAULT_MAX_PIXELS, ENCODINGS, MIN_SIDE, encode_image, load_image, scan_files
from outpaint_lib.inference import DEFAULT_CHECKPOINT, Outpainter
from outpaint_lib.progress import ProgressBar
from outpaint_lib.sizing import make_target

# Images decoded and painted together, up to either bound: equal sizes share the model's batches
# (64 small crops make one), while camera photos are taken a few at a time to bound memory.
CHUNK_IMAGES = 64
CHUNK_PIXELS = 30_000_000


@dataclasses.dataclass
class PaintOutcome:
    """Every input ends in exactly one of the three lists."""

    written: list[Path] = dataclasses.field(default_factory=list)
    failures: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    sizes: list[tuple[int, int]] = dataclasses.field(default_factory=list)  # (width, height) of each written
    seconds: float = 0.0  # wall time, model loading included

    def size_range(self) -> str:
        """"1280 x 720", or the smallest and largest area when the outputs differ."""
        if not self.sizes:
            return "no output"
        by_area = sorted(set(self.sizes), key=lambda size: (size[0] * size[1], size))
        smallest, largest = by_area[0], by_area[-1]
        if smallest == largest:
            return f"{smallest[0]} x {smallest[1]}"
        return f"{smallest[0]} x {smallest[1]} to {largest[0]} x {largest[1]}"


def expand_inputs(inputs: Iterable[str | os.PathLike], output_folder: str | os.PathLike | None = None
                  ) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files as given, folders expanded to their candidate images (recursively), order
    preserved; and the files passed over, with why: a folder's other files, a repeat, and the
    files a folder holds inside ``output_folder`` below it (earlier results are never read as
    inputs)."""
    paths: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    results = Path(output_folder).resolve() if output_folder is not None else None
    for entry in map(Path, inputs):
        if entry.is_dir():
            candidates, others = scan_files(entry)
            skipped.extend(others)
            # ``paint folder -o folder`` is left to the rule that no input is written over.
            if results is not None and results != entry.resolve():
                kept = []
                for path in candidates:
                    if path.resolve().is_relative_to(results):
                        skipped.append((path, "in the output folder"))
                    else:
                        kept.append(path)
                candidates = kept
        else:
            candidates = [entry]  # a missing file is reported when it is read
        for path in candidates:
            if path.resolve() in seen:
                skipped.append((path, "given more than once"))
            else:
                seen.add(path.resolve())
                paths.append(path)
    return paths, skipped


def paint_files(
    inputs: Sequence[str | os.PathLike],
    output_dir: str | os.PathLike,
    *,
    checkpoint: str | os.PathLike = DEFAULT_CHECKPOINT,
    times: int | None = None,
    width: int | None = None,
    aspect: float | str | None = None,
    side: str = "both",
    blend: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: bool = True,
    precision: str = "auto",
    mirror_average: bool = True,
    steady_colour: bool = True,
    runtime: str = "auto",
    texture: str = "photo",
    seed: int = 0,
    outpainter: Outpainter | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> PaintOutcome:
    """Outpaint every input into ``output_dir/<stem>.png`` (written atomically), or, for one
    input and an ``output_dir`` with an image suffix, into that file; as wide as one of
    ``times``, ``width`` or ``aspect`` says (one round if none), on ``side`` (see
    ``Outpainter.outpaint``). Files that fail are collected with a one-line reason (and passed
    to ``on_failure`` as they happen), a photo already as wide as the target among them; the
    others are still painted. Files that are not images (a folder's notes, a file without
    extension that does not decode, a repeat) are skipped with their reason (``on_skip``).
    Inputs holding no candidate image at all raise ``NothingToPaint`` before the model loads."""
    started = time.perf_counter()
    target = make_target(times=times, width=width, aspect=aspect, side=side)  # a bad target fails first
    output = Path(output_dir)
    # ``-o painted.jpg`` names the one result's file, encoded as its suffix says.
    single_file = output.suffix.lower() in ENCODINGS and not output.is_dir()
    paths, passed_over = expand_inputs(inputs, output_folder=None if single_file else output)
    if not paths:
        raise NothingToPaint(f"no images to paint in {', '.join(map(str, inputs))} ({len(passed_over)} other file(s))")
    if single_file and len(paths) > 1:
        raise OutputError(f"{output} names one file, but there are {len(paths)} images to paint: give a folder")
    if single_file:
        check_output_file(output)
    else:
        check_output_folder(output)
    outpainter = outpainter or Outpainter.load(checkpoint, precision=precision, mirror_average=mirror_average,
                                               runtime=runtime, steady_colour=steady_colour, texture=texture,
                                               seed=seed)
    output_dir = output.parent if single_file else output
    output_dir.mkdir(parents=True, exist_ok=True)
    outcome = PaintOutcome()

    def fail(path, message: str) -> None:
        outcome.failures.append((str(path), message))
        if on_failure is not None:
            on_failure(str(path), message)

    def skip(path, reason: str) -> None:
        outcome.skipped.append((str(path), reason))
        if on_skip is not None:
            on_skip(str(path), reason)

    for path, reason in passed_over:
        skip(path, reason)
    # Inputs are never written over, whatever the output folder: ``paint keep.png -o .`` or
    # ``paint folder -o folder`` would otherwise replace a PNG with its own painting.
    protected = {path.resolve() for path in paths}
    targets: dict[Path, Path] = {}
    for path in paths:
        target_file = output if single_file else output_dir / f"{path.stem}.png"
        if target_file.resolve() in protected:
            fail(path, f"output {target_file} would write over an input; choose another output folder")
        elif target_file in targets.values():
            fail(path, f"output {target_file.name} would overwrite the result of another input")
        else:
            targets[path] = target_file
    bar = ProgressBar(unit="round", enabled=progress)
    for chunk in _chunks(list(targets.items()), outpainter, target, max_pixels, fail, skip):
        bar.add(sum(len(rounds) for *_, rounds in chunk))
        images = [image for _, _, image, _ in chunk]
        # Every image of the chunk takes its rounds in step; those that have finished wait.
        for round_index in range(max(len(rounds) for *_, rounds in chunk)):
            active = [i for i, (*_, rounds) in enumerate(chunk) if round_index < len(rounds)]
            painted = outpainter.outpaint_batch([images[i] for i in active], blend,
                                                [chunk[i][3][round_index] for i in active],
                                                round_number=round_index + 1)
            for i, image in zip(active, painted):
                images[i] = image
            bar.advance(len(active))
        for (path, target_file, _, _), painted in zip(chunk, images):
            atomic_write_bytes(target_file, encode_image(painted, target_file.suffix))
            outcome.written.append(target_file)
            outcome.sizes.append((painted.shape[1], painted.shape[0]))
    bar.close()
    outcome.seconds = time.perf_counter() - started
    return outcome


def _chunks(queue, outpainter: Outpainter, target, max_pixels: int, fail, skip):
    """Decoded images with their planned rounds, ``(path, target file, image, rounds)``, in
    chunks; files that cannot be read or planned are reported through ``fail`` and ``skip``."""
    chunk, pixels = [], 0
    for path, target_file in queue:
        try:
            image = load_image(path, max_pixels=max_pixels, min_side=MIN_SIDE)
            chunk.append((path, target_file, image, outpainter.plan(image.shape[:2], target, max_pixels)))
            pixels += image.shape[0] * image.shape[1]
        except ImageError as error:
            if error.reason == "not_an_image" and not path.suffix:
                skip(path, str(error))  # an extensionless file that is not an image
            else:
                fail(path, str(error))
        except TargetError as error:
            fail(path, str(error))
        if len(chunk) >= CHUNK_IMAGES or pixels >= CHUNK_PIXELS:
            yield chunk
            chunk, pixels = [], 0
    if chunk:
        yield chunk
