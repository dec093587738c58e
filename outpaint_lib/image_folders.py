"""Folders of images as a run or an evaluation reads them: the images that decode, and what was
skipped, by reason. No TensorFlow here, so that scanning a folder does not load it."""

from __future__ import annotations

import collections
import dataclasses
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from outpaint_lib.errors import DataError, ImageError
from outpaint_lib.images import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS, find_images, load_square

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ImageFolder:
    """The usable images of a folder, and what was skipped, grouped by reason."""

    root: Path
    paths: tuple[Path, ...]
    skipped: dict[str, tuple[Path, ...]]

    @property
    def skipped_count(self) -> int:
        return sum(len(paths) for paths in self.skipped.values())

    def skipped_summary(self) -> str:
        reasons = ", ".join(f"{len(paths)} {reason}" for reason, paths in sorted(self.skipped.items()))
        total = len(self.paths) + self.skipped_count
        return f"skipped {self.skipped_count} of {total} files in {self.root} ({reasons})"


def scan_folder(folder: str | os.PathLike, image_size: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageFolder:
    """Find the images under ``folder`` and keep those that decode; warn once about the rest."""
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"image folder not found: {root}")
    candidates = find_images(root)
    if not candidates:
        kinds = ", ".join(extension[1:] for extension in IMAGE_EXTENSIONS)
        raise DataError(f"no images ({kinds}) found under {root}")

    def check(path: Path) -> str | None:
        try:
            load_square(path, image_size, max_pixels=max_pixels)
        except ImageError as error:
            return error.reason
        return None

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        reasons = list(pool.map(check, candidates))
    grouped: dict[str, list[Path]] = collections.defaultdict(list)
    for path, reason in zip(candidates, reasons):
        if reason is not None:
            grouped[reason].append(path)
    folder_scan = ImageFolder(
        root=root,
        paths=tuple(p for p, r in zip(candidates, reasons) if r is None),
        skipped={reason: tuple(paths) for reason, paths in grouped.items()},
    )
    if folder_scan.skipped:
        logger.warning(folder_scan.skipped_summary())
    if not folder_scan.paths:
        raise DataError(f"none of the {len(candidates)} image files under {root} could be decoded")
    return folder_scan


def evenly_spaced(items: list, count: int) -> list:
    """``count`` items spread over the whole (sorted) list: photos of one shoot sit together
    on disk, and neighbours would all show a single scene."""
    if count >= len(items):
        return list(items)
    return [items[round(index * (len(items) - 1) / max(count - 1, 1))] for index in range(count)]
