"""Places365 categories: which images of the validation archive belong to the chosen classes.

The devkit, extracted first, maps class index to name (``categories_places365.txt``) and image
to class index (``places365_val.txt``); each chosen class becomes one folder of its images.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from outpaint_lib.datasets.errors import DatasetError
from outpaint_lib.datasets.layout import DOWNLOADS_FOLDER
from outpaint_lib.datasets.registry import Dataset


def _find_file(folder: Path, name: str) -> Path | None:
    matches = sorted(path for path in folder.rglob(name) if DOWNLOADS_FOLDER not in path.relative_to(folder).parts)
    return matches[0] if matches else None


def category_folder_name(line_name: str) -> str:
    """``/a/apartment_building/outdoor`` -> ``apartment_building-outdoor`` (one folder level)."""
    parts = [part for part in line_name.strip().split("/") if part]
    if len(parts) > 1 and len(parts[0]) == 1:
        parts = parts[1:]
    return "-".join(parts)


def read_categories(path: Path) -> dict[int, str]:
    """Class index -> folder name, from ``categories_places365.txt`` (``/b/beach 48``)."""
    categories = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, index = line.rsplit(maxsplit=1)
            categories[int(index)] = category_folder_name(name)
    return categories


def read_labels(path: Path) -> dict[str, int]:
    """Image file name -> class index, from ``places365_val.txt`` (``Places365_val_00000001.jpg 165``)."""
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, index = line.rsplit(maxsplit=1)
            labels[PurePosixPath(name).name] = int(index)
    return labels


def _resolve_categories(requested: Sequence[str], known: Sequence[str]) -> list[str]:
    """Canonical folder names of the requested classes, or an error listing close matches."""
    resolved, unknown = [], []
    for name in requested:
        canonical = category_folder_name(name.strip().lower())
        (resolved if canonical in known else unknown).append(canonical)
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=4, cutoff=0.6)
            hints.append(f"{name!r} (close: {', '.join(close)})" if close else repr(name))
        raise DatasetError(
            f"unknown Places365 categor{'y' if len(unknown) == 1 else 'ies'}: "
            f"{'; '.join(hints)}; names look like 'beach' or 'field-cultivated'"
        )
    return sorted(set(resolved))


def _category_selection(dataset: Dataset, folder: Path, categories: Sequence[str]) -> tuple[set[str], dict[str, str]]:
    """The requested classes' folder names, and image file name -> category folder for their
    images (read from the devkit, which an earlier file of the dataset extracted)."""
    categories_path = _find_file(folder, dataset.categories_file)
    labels_path = _find_file(folder, dataset.labels_file)
    if categories_path is None or labels_path is None:
        raise DatasetError(
            f"{dataset.name}: the category lists ({dataset.categories_file}, "
            f"{dataset.labels_file}) are missing from {folder}; delete the folder and download again"
        )
    index_to_name = read_categories(categories_path)
    chosen = set(_resolve_categories(categories, sorted(index_to_name.values())))
    wanted = {
        file: index_to_name[index]
        for file, index in read_labels(labels_path).items()
        if index_to_name.get(index) in chosen
    }
    return chosen, wanted
