"""Every dataset the library knows, and where its files are fetched from.

Every URL and checksum lives in one table, ``REGISTRY``, so that a reader can audit what the
library fetches in one place. A mirror replaces only the scheme and host of each URL, so that
the published checksums still apply.
"""

from __future__ import annotations

import difflib
import os
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from outpaint_lib.datasets.errors import DatasetError

MIRROR_VARIABLE = "OUTPAINT_DATA_MIRROR"


@dataclass(frozen=True)
class RemoteFile:
    """One file to fetch. ``md5`` is the published checksum; without one, the SHA-256 of the
    first verified download is recorded in the manifest and every later download must match it.
    ``extract_to`` is the folder inside the dataset folder; ``filter_by_category`` marks the
    archive whose images ``categories=`` selects."""

    url: str
    approximate_bytes: int | None
    md5: str | None = None
    extract_to: str = "."
    filter_by_category: bool = False

    @property
    def filename(self) -> str:
        return PurePosixPath(urllib.parse.urlsplit(self.url).path).name


@dataclass(frozen=True)
class Dataset:
    """A named dataset. Files are handled in order, so a category index (``categories_file``,
    ``labels_file``: names of files that an earlier archive extracts) precedes the archive it
    filters."""

    name: str
    description: str
    licence: str
    files: tuple[RemoteFile, ...]
    categories_file: str | None = None
    labels_file: str | None = None

    @property
    def approximate_bytes(self) -> int | None:
        sizes = [remote.approximate_bytes for remote in self.files]
        return None if None in sizes else sum(sizes)


REGISTRY: tuple[Dataset, ...] = (
    Dataset(
        name="places365-val",
        description="Places365-Standard validation set: 36,500 photos of 365 scene classes, 256 x 256",
        licence="non-commercial research and education only (Places terms of use)",
        files=(
            RemoteFile(
                url="http://data.csail.mit.edu/places/places365/filelist_places365-standard.tar",
                approximate_bytes=900_000,
                md5="35a0585fee1fa656440f3ab298f8479c",
                extract_to="devkit",
            ),
            RemoteFile(
                url="http://data.csail.mit.edu/places/places365/val_256.tar",
                approximate_bytes=501_000_000,
                md5="e27b17d8d44f4af9a78502beb927f808",
                filter_by_category=True,
            ),
        ),
        categories_file="categories_places365.txt",
        labels_file="places365_val.txt",
    ),
    Dataset(
        name="osr-coast",
        description="MIT spatial-envelope (OSR) 'coast' scenes, 256 x 256 (Oliva & Torralba 2001)",
        licence="research use; cite Oliva & Torralba (2001)",
        files=(RemoteFile(url="http://cvcl.mit.edu/scenedatabase/coast.zip", approximate_bytes=None),),
    ),
)


def known_datasets(registry: Sequence[Dataset] | None = None) -> Sequence[Dataset]:
    """``registry``, or else ``REGISTRY`` read at call time, so that a replaced table (as in the
    tests) reaches every caller."""
    return REGISTRY if registry is None else registry


def get_dataset(name: str, registry: Sequence[Dataset] | None = None) -> Dataset:
    """The registry entry called ``name``, or an error that lists the known names."""
    entries = known_datasets(registry)
    for dataset in entries:
        if dataset.name == name:
            return dataset
    known = [dataset.name for dataset in entries]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise DatasetError(f"unknown dataset {name!r}; {hint}known: {', '.join(known)}")


def mirror_base(mirror: str | None) -> tuple[str, str, str] | None:
    """(scheme, host[:port], path prefix) of a mirror URL, or None for the original servers."""
    if mirror is None:
        mirror = os.environ.get(MIRROR_VARIABLE) or None
    if mirror is None:
        return None
    parts = urllib.parse.urlsplit(mirror.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DatasetError(f"mirror must look like http://host[:port][/prefix], got {mirror!r}")
    return parts.scheme, parts.netloc, parts.path.rstrip("/")


def apply_mirror(url: str, base: tuple[str, str, str] | None) -> str:
    """``url`` with its scheme and host (and port) replaced by the mirror's, path kept."""
    if base is None:
        return url
    scheme, netloc, prefix = base
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((scheme, netloc, prefix + parts.path, parts.query, ""))
