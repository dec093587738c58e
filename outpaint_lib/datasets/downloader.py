"""``download()`` and ``list_datasets()``: the registry, fetching, extraction and categories together.

Each step is recorded in the dataset folder's manifest as soon as it is done, so that a second
call does nothing and an interrupted one resumes where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from outpaint_lib.datasets.archives import _extract
from outpaint_lib.datasets.errors import DatasetError
from outpaint_lib.datasets.fetching import _ensure_archive, _Manifest
from outpaint_lib.datasets.layout import DOWNLOADS_FOLDER
from outpaint_lib.datasets.places365 import _category_selection
from outpaint_lib.datasets.registry import Dataset, RemoteFile, get_dataset, known_datasets, mirror_base

# --------------------------------------------------------------------------------------------
# download()


def _clean_categories(dataset: Dataset, categories: Sequence[str] | str | None) -> list[str] | None:
    if categories is None:
        return None
    if isinstance(categories, str):
        categories = categories.split(",")
    names = [name.strip() for name in categories if name.strip()]
    if not names:
        raise DatasetError("--categories is empty; give names like beach,coast")
    if dataset.categories_file is None:
        raise DatasetError(f"{dataset.name} has no categories; --categories applies to places365-val")
    return names


def _is_extracted(remote: RemoteFile, folder: Path, manifest: _Manifest, categories: set[str] | None) -> bool:
    """Whether the manifest records this file as verified and extracted (for these categories),
    the outputs still exist, and any kept archive still has its verified size."""
    record = manifest.files.get(remote.filename)
    done = manifest.extracted.get(remote.filename)
    if not record or not record.get("sha256") or not done:
        return False
    kept = folder / DOWNLOADS_FOLDER / remote.filename
    if kept.exists() and kept.stat().st_size != record.get("bytes"):
        return False
    if categories is None:
        outputs = done.get("all_outputs")
    else:
        outputs = sorted(categories) if categories <= set(done.get("categories", [])) else None
    return outputs is not None and all((folder / name).exists() for name in outputs)


def download(
    name: str,
    to: str | os.PathLike = "data/",
    mirror: str | None = None,
    categories: Sequence[str] | None = None,
    progress: bool = True,
    *,
    registry: Sequence[Dataset] | None = None,
) -> Path:
    """Fetch, verify and extract dataset ``name`` into ``<to>/<name>/``; returns that folder.

    Archives are kept in ``<to>/<name>/downloads/`` so that another category selection needs no
    new download. A second call finds the manifest's record and does nothing. ``mirror`` (or
    ``$OUTPAINT_DATA_MIRROR``) replaces the scheme and host of every URL; the checksums still
    apply. ``categories`` keeps only those Places365 classes, as ``<name>/<category>/*.jpg``.
    """
    dataset = get_dataset(name, registry)
    requested = _clean_categories(dataset, categories)
    base = mirror_base(mirror)
    folder = Path(to) / dataset.name
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _Manifest.load(folder)
    worked = False
    for remote in dataset.files:
        chosen, wanted = None, None
        if requested is not None and remote.filter_by_category:
            chosen, wanted = _category_selection(dataset, folder, requested)
        if _is_extracted(remote, folder, manifest, chosen):
            continue
        worked = True
        archive = _ensure_archive(remote, folder, manifest, base, progress, dataset.name)
        _record_extraction(remote, folder, manifest, archive, wanted, chosen)
        manifest.save(dataset.name)
    if worked:
        print(f"{dataset.name}: ready in {folder}", flush=True)
    else:
        print(f"{dataset.name}: already present and verified in {folder}; nothing to do", flush=True)
    return folder


def _record_extraction(remote, folder, manifest, archive, wanted, chosen) -> None:
    done = manifest.extracted.setdefault(remote.filename, {})
    if wanted is None:
        outputs, count = _extract(archive, remote, folder, None)
        done["all_outputs"], done["files"] = outputs, count
        print(f"{remote.filename}: extracted {count:,} files into {folder}", flush=True)
        return
    missing = {
        file: category
        for file, category in wanted.items()
        if category not in done.get("categories", []) or not (folder / category).is_dir()
    }
    _, count = _extract(archive, remote, folder, missing)
    done["categories"] = sorted(set(done.get("categories", [])) | chosen)
    print(f"{remote.filename}: extracted {count:,} images of {', '.join(sorted(chosen))}", flush=True)


# --------------------------------------------------------------------------------------------
# list_datasets()


@dataclass(frozen=True)
class DatasetStatus:
    """One registry entry as ``data list`` shows it: ``categories`` names the Places365 classes
    present when only a selection was extracted."""

    name: str
    description: str
    licence: str
    approximate_bytes: int | None
    present: bool
    categories: tuple[str, ...] | None
    path: Path


def list_datasets(
    root: str | os.PathLike = "data/", *, registry: Sequence[Dataset] | None = None
) -> list[DatasetStatus]:
    """Every registry entry with its approximate size and whether a verified, extracted copy
    is under ``root`` (read from the manifests: no network, no hashing)."""
    statuses = []
    for dataset in known_datasets(registry):
        folder = Path(root) / dataset.name
        manifest = _Manifest.load(folder)
        present, categories = True, None
        for remote in dataset.files:
            if _is_extracted(remote, folder, manifest, None):
                continue
            recorded = manifest.extracted.get(remote.filename, {}).get("categories")
            if remote.filter_by_category and recorded and _is_extracted(remote, folder, manifest, set(recorded)):
                categories = tuple(recorded)
                continue
            present = False
        statuses.append(
            DatasetStatus(
                dataset.name,
                dataset.description,
                dataset.licence,
                dataset.approximate_bytes,
                present,
                categories if present else None,
                folder,
            )
        )
    return statuses


def format_size(size: int | None) -> str:
    if size is None:
        return "unknown"
    return f"~{size / 1e9:.1f} GB" if size >= 1e9 else f"~{size / 1e6:.1f} MB"
