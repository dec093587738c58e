"""``prepare()``: any folder of photos -> ``train/`` and ``val/`` squares that ``outpaint train`` reads.

Its errors are ``DatasetError``, as for the downloads, since both are the ``outpaint data`` jobs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import numbers
import os
import random
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from outpaint_lib.datasets import DatasetError
from outpaint_lib.files import atomic_write_bytes, atomic_write_text, check_output_folder
from outpaint_lib.images import MIN_SIDE, ImageError, encode_png, find_images, load_square


@dataclass(frozen=True)
class PrepareReport:
    train: int
    val: int
    duplicates: int
    skipped: dict[str, int]
    failures: tuple[tuple[str, str], ...]
    manifest: Path


def _split_count(total: int, val_fraction: float) -> int:
    """Validation images: the rounded fraction, but at least one each side when possible."""
    count = round(total * val_fraction)
    if val_fraction > 0 and total >= 2:
        count = min(max(count, 1), total - 1)
    return count


def _output_name(relative: PurePosixPath, sha256: str, used: set[str]) -> str:
    """A readable, unique PNG name from the source path (``beach/a.jpg`` -> ``beach_a.png``)."""
    stem = "_".join(relative.with_suffix("").parts)
    name = f"{stem}.png"
    if name.lower() in used:
        name = f"{stem}-{sha256[:12]}.png"
    used.add(name.lower())
    return name


def _check_prepare_arguments(source: Path, destination: Path, size: int, val_fraction: float) -> None:
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < MIN_SIDE:
        raise DatasetError(f"--size must be a whole number of pixels, at least {MIN_SIDE}, got {size!r}")
    if not 0 <= val_fraction < 1:
        raise DatasetError(f"--val-fraction must be in [0, 1), got {val_fraction}")
    if not source.is_dir():
        raise DatasetError(f"source folder not found: {source}")
    if destination.resolve().is_relative_to(source.resolve()):
        raise DatasetError(
            f"destination {destination} is inside the source {source}; a later run would read its own output"
        )
    for part in ("train", "val"):
        if (destination / part).is_dir() and any((destination / part).iterdir()):
            raise DatasetError(f"{destination / part} is not empty; choose a new destination or delete it")


def prepare(
    source: str | os.PathLike,
    destination: str | os.PathLike,
    size: int,
    val_fraction: float = 0.1,
    seed: int = 0,
) -> PrepareReport:
    """Turn any image folder into ``destination/{train,val}/*.png`` squares of ``size`` pixels.

    Exact duplicates (same SHA-256 of the file bytes) are kept once, so that no image is in both
    splits. The split shuffles the unique images sorted by content hash, so that it depends only
    on the images and ``seed``, not on file names or order. Undecodable files are skipped and
    counted by reason. ``manifest.csv`` lists file, source, split and sha256, and is written last.
    """
    source, destination = Path(source), Path(destination)
    _check_prepare_arguments(source, destination, size, val_fraction)
    check_output_folder(destination)
    staging = destination / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    seen: set[str] = set()
    good: list[tuple[str, PurePosixPath, str]] = []  # sha256, source relative path, staged name
    skipped: Counter[str] = Counter()
    failures, duplicates, used_names = [], 0, set()
    try:
        for path in find_images(source):
            relative = PurePosixPath(path.relative_to(source).as_posix())
            try:
                data = path.read_bytes()
            except OSError as error:
                skipped["unreadable"] += 1
                failures.append((str(relative), f"unreadable: {error.strerror}"))
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                duplicates += 1
                continue
            seen.add(digest)
            try:
                square = load_square(data, size)
            except ImageError as error:
                skipped[error.reason] += 1
                failures.append((str(relative), f"{error.reason}: {error}"))
                continue
            name = _output_name(relative, digest, used_names)
            atomic_write_bytes(staging / name, encode_png(square))
            good.append((digest, relative, name))
        if not good:
            raise DatasetError(
                f"no usable images in {source} ({sum(skipped.values())} skipped, {duplicates} duplicates)"
            )
        rows = _assign_splits(good, val_fraction, seed, staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = destination / "manifest.csv"
    _write_manifest(manifest, rows)
    counts = Counter(row[2] for row in rows)
    return PrepareReport(
        counts["train"], counts["val"], duplicates, dict(sorted(skipped.items())), tuple(failures), manifest
    )


def _assign_splits(
    good, val_fraction: float, seed: int, staging: Path, destination: Path
) -> list[tuple[str, str, str, str]]:
    order = sorted(good)
    random.Random(seed).shuffle(order)
    val_count = _split_count(len(order), val_fraction)
    rows = []
    for position, (digest, relative, name) in enumerate(order):
        split = "val" if position < val_count else "train"
        (destination / split).mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, destination / split / name)
        rows.append((f"{split}/{name}", str(relative), split, digest))
    return sorted(rows)


def _write_manifest(path: Path, rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("file", "source", "split", "sha256"))
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())
