"""Public datasets: download, verify and extract them, then prepare any image folder for training.

Every URL and checksum lives in one table, ``REGISTRY``, so that a reader can audit what the
library fetches in one place. Downloads resume after a cut (HTTP ``Range``), are verified before
they are used (the published MD5, or for files without one the SHA-256 recorded at the first
download, "trust on first use"), and are extracted only after every archive entry has been
checked, so that a hostile or broken archive writes nothing. Only the standard library talks to
the network, so that the data commands work without extra packages.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import difflib
import hashlib
import http.client
import io
import json
import numbers
import os
import posixpath
import random
import shutil
import stat
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from outpaint_lib.errors import OutpaintError
from outpaint_lib.files import atomic_write_bytes, atomic_write_text

MIRROR_VARIABLE = "OUTPAINT_DATA_MIRROR"
MANIFEST_NAME = "manifest.json"
DOWNLOADS_FOLDER = "downloads"
STAGING_PREFIX = ".extracting-"
# Top-level names an archive may not use: they would overwrite our own bookkeeping.
RESERVED_NAMES = frozenset({DOWNLOADS_FOLDER, MANIFEST_NAME})

CHUNK_BYTES = 1 << 20
TIMEOUT_SECONDS = 60
# Pauses before the second and third attempt; a cut connection is resumed, not restarted.
RETRY_DELAYS_SECONDS = (2.0, 8.0)


# --------------------------------------------------------------------------------------------
# Errors


class DatasetError(OutpaintError):
    """A dataset problem the user can act on (unknown name, bad option, unusable folder)."""


class DownloadError(DatasetError):
    """The server could not be reached or refused the file; the partial download is kept."""


class ChecksumError(DatasetError):
    """A downloaded file is not the expected one; it has been deleted."""


class UnsafeArchiveError(DatasetError):
    """An archive entry would write outside its folder, or is a link or a device."""


# --------------------------------------------------------------------------------------------
# The registry


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


def get_dataset(name: str, registry: Sequence[Dataset] | None = None) -> Dataset:
    """The registry entry called ``name``, or an error that lists the known names."""
    entries = REGISTRY if registry is None else registry
    for dataset in entries:
        if dataset.name == name:
            return dataset
    known = [dataset.name for dataset in entries]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise DatasetError(f"unknown dataset {name!r}; {hint}known: {', '.join(known)}")


# --------------------------------------------------------------------------------------------
# Mirrors


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


# --------------------------------------------------------------------------------------------
# The manifest: what was verified and extracted, so that a second call does nothing


@dataclass
class _Manifest:
    path: Path
    files: dict = field(default_factory=dict)
    extracted: dict = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> _Manifest:
        path = folder / MANIFEST_NAME
        if not path.is_file():
            return cls(path)
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, dict(content.get("files", {})), dict(content.get("extracted", {})))
        except (ValueError, AttributeError) as error:
            raise DatasetError(f"{path} is not a valid manifest ({error}); delete it to start again") from None

    def save(self, dataset_name: str) -> None:
        content = {"dataset": dataset_name, "files": self.files, "extracted": self.extracted}
        atomic_write_text(self.path, json.dumps(content, indent=2, sort_keys=True) + "\n")


# --------------------------------------------------------------------------------------------
# Downloading


class _Progress:
    """A one-line progress bar on stderr: redrawn on a terminal, every 10 % in a log file."""

    def __init__(self, label: str, total: int | None, done: int, enabled: bool):
        self.label, self.total, self.done, self.enabled = label, total, done, enabled
        self.interactive = enabled and sys.stderr.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_tenth = -1

    def update(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if self.interactive and now - self.last_draw > 0.1:
            self.last_draw = now
            print(f"\r{self._line()}", end="", file=sys.stderr, flush=True)
        elif not self.interactive and self.total:
            tenth = 10 * self.done // self.total
            if tenth != self.last_tenth:
                self.last_tenth = tenth
                print(self._line(), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.interactive:
            print(f"\r{self._line()}", file=sys.stderr, flush=True)

    def _line(self) -> str:
        speed = self.done / max(time.monotonic() - self.started, 1e-6) / 1e6
        if not self.total:
            return f"{self.label}  {self.done / 1e6:8.1f} MB  {speed:6.1f} MB/s"
        fraction = min(self.done / self.total, 1.0)
        bar = "#" * int(30 * fraction) + "." * (30 - int(30 * fraction))
        return (f"{self.label}  [{bar}] {100 * fraction:5.1f}%  "
                f"{self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB  {speed:6.1f} MB/s")


class _Interrupted(Exception):
    """A transient failure worth resuming: a cut connection, a timeout, a server error."""


def _fetch(url: str, part: Path, progress: bool) -> None:
    """Download ``url`` into ``part``, resuming what it already holds, retrying transient cuts."""
    attempts = len(RETRY_DELAYS_SECONDS) + 1
    for attempt in range(attempts):
        try:
            _fetch_once(url, part, progress)
            return
        except _Interrupted as error:
            if attempt == attempts - 1:
                held = part.stat().st_size if part.exists() else 0
                raise DownloadError(
                    f"could not download {url} after {attempts} attempts ({error}); "
                    f"{held:,} bytes kept in {part}, run the command again to resume"
                ) from None
            delay = RETRY_DELAYS_SECONDS[attempt]
            print(f"{part.name}: {error}; resuming in {delay:g} s", file=sys.stderr, flush=True)
            time.sleep(delay)


def _fetch_once(url: str, part: Path, progress: bool) -> None:
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "outpaint-data/1"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 416 and offset:
            # Our partial file is as long as (or longer than) the server's: let the checksum judge
            # a complete one, start again from zero otherwise.
            total = _content_range(error.headers.get("Content-Range", ""))[1]
            if total == offset:
                return
            part.unlink()
            raise _Interrupted("the server refused to resume; starting again from zero") from None
        if error.code >= 500:
            raise _Interrupted(f"HTTP {error.code} {error.reason}") from None
        raise DownloadError(f"{url}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise _Interrupted(f"cannot connect: {reason}") from None
    with response:
        total = _start_writing(response, part, offset)
        _copy_body(response, part, total, progress)


def _start_writing(response, part: Path, offset: int) -> int | None:
    """Prepare ``part`` for the body: append after a 206, truncate after a 200. Returns the
    expected final size, when the server says it."""
    length = response.headers.get("Content-Length")
    if offset and response.status == 206:
        start, total = _content_range(response.headers.get("Content-Range", ""))
        if start != offset:
            part.unlink()
            raise _Interrupted(f"the server resumed at byte {start}, not {offset}; starting again")
        return total
    if offset:
        print(f"{part.name}: the server does not resume downloads; starting again from zero",
              file=sys.stderr, flush=True)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"")
    return int(length) if length and length.isdigit() else None


def _copy_body(response, part: Path, total: int | None, progress: bool) -> None:
    held = part.stat().st_size
    bar = _Progress(part.name.removesuffix(".part"), total, held, progress)
    try:
        with open(part, "ab") as output:
            while True:
                try:
                    chunk = response.read(CHUNK_BYTES)
                except (OSError, http.client.HTTPException) as error:
                    raise _Interrupted(f"connection lost ({type(error).__name__})") from None
                if not chunk:
                    break
                output.write(chunk)
                bar.update(len(chunk))
    finally:
        bar.close()
    received = part.stat().st_size
    if total is not None and received < total:
        raise _Interrupted(f"connection closed after {received:,} of {total:,} bytes")


def _content_range(header: str) -> tuple[int | None, int | None]:
    """(first byte, total size) of a ``Content-Range: bytes 10-99/100`` or ``bytes */100``."""
    try:
        span, total = header.split()[1].split("/")
        start = None if span == "*" else int(span.split("-")[0])
        return start, None if total == "*" else int(total)
    except (IndexError, ValueError):
        return None, None


# --------------------------------------------------------------------------------------------
# Verifying


def file_digests(path: Path) -> dict[str, str]:
    """SHA-256 and MD5 of a file in one pass (MD5 only because Places publishes it)."""
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            sha256.update(chunk)
            md5.update(chunk)
    return {"sha256": sha256.hexdigest(), "md5": md5.hexdigest()}


def _verify(path: Path, remote: RemoteFile, manifest: _Manifest) -> dict[str, str]:
    """Digests of ``path`` if it is the expected file; otherwise delete it and raise."""
    digests = file_digests(path)
    recorded = manifest.files.get(remote.filename, {}).get("sha256")
    if remote.md5 is not None:
        expected, actual, kind = remote.md5.lower(), digests["md5"], "MD5"
    elif recorded is not None:
        expected, actual, kind = recorded, digests["sha256"], "SHA-256 (recorded at first download)"
    else:
        _check_archive_opens(path, remote)
        return digests
    if actual != expected:
        path.unlink(missing_ok=True)
        raise ChecksumError(
            f"checksum mismatch for {remote.filename}: {kind} is {actual}, expected {expected}; "
            f"the file was deleted (a changed or corrupt server copy, or a wrong mirror)"
        )
    return digests


def _check_archive_opens(path: Path, remote: RemoteFile) -> None:
    """A first download without a published checksum must at least be an intact archive."""
    try:
        with _open_archive(path) as archive:
            archive.test()
    except DatasetError as error:
        path.unlink(missing_ok=True)
        raise ChecksumError(f"{remote.filename} failed verification ({error}); the file was deleted") from None


def _ensure_archive(remote: RemoteFile, folder: Path, manifest: _Manifest, base, progress: bool,
                    dataset_name: str) -> Path:
    """The verified archive under ``downloads/``, fetched only if no verified copy is kept."""
    archive = folder / DOWNLOADS_FOLDER / remote.filename
    if archive.exists():
        try:
            digests = _verify(archive, remote, manifest)
            url = manifest.files.get(remote.filename, {}).get("url", remote.url)
            _record_file(remote, archive, url, digests, manifest, dataset_name)
            return archive
        except ChecksumError:
            print(f"{remote.filename}: the kept copy no longer verifies; downloading it again", flush=True)
    part = archive.with_name(archive.name + ".part")
    url = apply_mirror(remote.url, base)
    print(f"downloading {url}", flush=True)
    _fetch(url, part, progress)
    digests = _verify(part, remote, manifest)
    os.replace(part, archive)
    _record_file(remote, archive, url, digests, manifest, dataset_name)
    return archive


def _record_file(remote: RemoteFile, archive: Path, url: str, digests: dict[str, str],
                 manifest: _Manifest, dataset_name: str) -> None:
    """Write the verified digests to the manifest at once, so that a file without a published
    checksum is pinned even if its extraction fails later."""
    manifest.files[remote.filename] = {
        "url": url,
        "bytes": archive.stat().st_size,
        "sha256": digests["sha256"],
        "md5": digests["md5"],
        "checked_against": "published MD5" if remote.md5 else "SHA-256 recorded at first download",
        "verified_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    manifest.save(dataset_name)


# --------------------------------------------------------------------------------------------
# Safe extraction


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: str  # "file", "directory", "link", "device" or "other"
    handle: object


class _TarArchive:
    def __init__(self, path: Path):
        self.archive = tarfile.open(path, "r:*")

    def entries(self) -> Iterator[_Entry]:
        for member in self.archive.getmembers():
            if member.issym() or member.islnk():
                kind = "link"
            elif member.ischr() or member.isblk() or member.isfifo():
                kind = "device"
            else:
                kind = "file" if member.isfile() else "directory" if member.isdir() else "other"
            yield _Entry(member.name, kind, member)

    def open(self, entry: _Entry):
        return self.archive.extractfile(entry.handle)

    def test(self) -> None:
        for entry in self.entries():
            if entry.kind == "file":
                with self.open(entry) as source:
                    while source.read(CHUNK_BYTES):
                        pass

    def close(self) -> None:
        self.archive.close()


class _ZipArchive:
    def __init__(self, path: Path):
        self.archive = zipfile.ZipFile(path)

    def entries(self) -> Iterator[_Entry]:
        for info in self.archive.infolist():
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                kind = "link"
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                kind = "device"
            else:
                kind = "directory" if info.is_dir() else "file"
            yield _Entry(info.filename, kind, info)

    def open(self, entry: _Entry):
        return self.archive.open(entry.handle)

    def test(self) -> None:
        broken = self.archive.testzip()
        if broken is not None:
            raise DatasetError(f"corrupt entry {broken!r}")

    def close(self) -> None:
        self.archive.close()


ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError)


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[_TarArchive | _ZipArchive]:
    """A tar (any compression) or zip file, told apart by content rather than by name; a
    damaged archive becomes one ``DatasetError``. Tar is tried first: its headers carry a
    checksum, while a zip is recognised by a record near the end, which a tar ending in a
    zip member also has."""
    try:
        archive = _TarArchive(path) if tarfile.is_tarfile(path) else _ZipArchive(path)
    except ARCHIVE_ERRORS as error:
        raise DatasetError(f"{path.name} is not a readable tar or zip archive ({error})") from None
    try:
        yield archive
    except ARCHIVE_ERRORS as error:
        raise DatasetError(f"{path.name} is damaged ({type(error).__name__}: {error})") from None
    finally:
        archive.close()


def safe_member_path(name: str, kind: str) -> PurePosixPath | None:
    """The relative path an archive entry may be written to, None for the root entry, or
    ``UnsafeArchiveError`` for absolute names, ``..`` escapes, links and devices."""
    if kind == "link":
        raise UnsafeArchiveError(f"refusing link entry {name!r} (symbolic and hard links are not extracted)")
    if kind in ("device", "other"):
        raise UnsafeArchiveError(f"refusing special entry {name!r} (device, pipe or unknown type)")
    if not name or "\x00" in name or "\\" in name:
        raise UnsafeArchiveError(f"refusing entry with an unusable name {name!r}")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"refusing absolute path {name!r}")
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../"):
        raise UnsafeArchiveError(f"refusing path {name!r} that escapes the target folder")
    if normal == ".":
        if kind == "file":
            raise UnsafeArchiveError(f"refusing file entry {name!r} without a name")
        return None
    return PurePosixPath(normal)


def _checked_entries(archive, extract_to: str) -> list[tuple[_Entry, PurePosixPath]]:
    """Every entry with its safe path; any unsafe entry refuses the whole archive up front."""
    checked = []
    for entry in archive.entries():
        relative = safe_member_path(entry.name, entry.kind)
        if relative is None:
            continue
        if extract_to == "." and (relative.parts[0] in RESERVED_NAMES or relative.parts[0].startswith(STAGING_PREFIX)):
            raise UnsafeArchiveError(f"refusing entry {entry.name!r}: that name is reserved for the download bookkeeping")
        checked.append((entry, relative))
    return checked


def _write_entries(archive, checked, staging: Path, wanted: dict[str, str] | None) -> int:
    """Copy file contents into ``staging``; with ``wanted`` (file name -> category folder) only
    those files, regrouped by category. Returns the number of files written."""
    written = 0
    for entry, relative in checked:
        if wanted is not None:
            if entry.kind != "file" or relative.name not in wanted:
                continue
            target = staging / wanted[relative.name] / relative.name
        else:
            target = staging.joinpath(*relative.parts)
        if entry.kind == "directory":
            target.mkdir(parents=True, exist_ok=True)
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(entry) as source, open(target, "wb") as output:
                shutil.copyfileobj(source, output, CHUNK_BYTES)
        except (OSError, tarfile.TarError, zipfile.BadZipFile) as error:
            raise DatasetError(f"cannot extract {entry.name!r}: {error}") from None
        written += 1
    return written


def _replace(source: Path, target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    os.replace(source, target)


def _extract(archive_path: Path, remote: RemoteFile, folder: Path, wanted: dict[str, str] | None) -> tuple[list[str], int]:
    """Check every entry, write into a staging folder, then move the results into place, so
    that a refused or interrupted extraction leaves the dataset folder as it was."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    try:
        with _open_archive(archive_path) as archive:
            checked = _checked_entries(archive, remote.extract_to if wanted is None else ".")
            count = _write_entries(archive, checked, staging, wanted)
        if wanted is None and remote.extract_to != ".":
            _replace(staging, folder / remote.extract_to)
            return [remote.extract_to], count
        outputs = sorted(child.name for child in staging.iterdir())
        for name in outputs:
            _replace(staging / name, folder / name)
        return outputs, count
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Places365 categories


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
        raise DatasetError(f"unknown Places365 categor{'y' if len(unknown) == 1 else 'ies'}: "
                           f"{'; '.join(hints)}; names look like 'beach' or 'field-cultivated'")
    return sorted(set(resolved))


def _category_selection(dataset: Dataset, folder: Path, categories: Sequence[str]) -> tuple[set[str], dict[str, str]]:
    """The requested classes' folder names, and image file name -> category folder for their
    images (read from the devkit, which an earlier file of the dataset extracted)."""
    categories_path = _find_file(folder, dataset.categories_file)
    labels_path = _find_file(folder, dataset.labels_file)
    if categories_path is None or labels_path is None:
        raise DatasetError(f"{dataset.name}: the category lists ({dataset.categories_file}, "
                           f"{dataset.labels_file}) are missing from {folder}; delete the folder and download again")
    index_to_name = read_categories(categories_path)
    chosen = set(_resolve_categories(categories, sorted(index_to_name.values())))
    wanted = {file: index_to_name[index] for file, index in read_labels(labels_path).items()
              if index_to_name.get(index) in chosen}
    return chosen, wanted


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
    missing = {file: category for file, category in wanted.items()
               if category not in done.get("categories", []) or not (folder / category).is_dir()}
    _, count = _extract(archive, remote, folder, missing)
    done["categories"] = sorted(set(done.get("categories", [])) | chosen)
    print(f"{remote.filename}: extracted {count:,} images of {', '.join(sorted(chosen))}", flush=True)


# --------------------------------------------------------------------------------------------
# list_datasets()


@dataclass(frozen=True)
class DatasetStatus:
    name: str
    description: str
    licence: str
    approximate_bytes: int | None
    present: bool
    categories: tuple[str, ...] | None
    path: Path


def list_datasets(root: str | os.PathLike = "data/", *, registry: Sequence[Dataset] | None = None) -> list[DatasetStatus]:
    """Every registry entry with its approximate size and whether a verified, extracted copy
    is under ``root`` (read from the manifests: no network, no hashing)."""
    statuses = []
    for dataset in REGISTRY if registry is None else registry:
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
        statuses.append(DatasetStatus(dataset.name, dataset.description, dataset.licence,
                                      dataset.approximate_bytes, present, categories if present else None, folder))
    return statuses


def format_size(size: int | None) -> str:
    if size is None:
        return "unknown"
    return f"~{size / 1e9:.1f} GB" if size >= 1e9 else f"~{size / 1e6:.1f} MB"


# --------------------------------------------------------------------------------------------
# prepare()


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
    from outpaint_lib.images import MIN_SIDE

    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < MIN_SIDE:
        raise DatasetError(f"--size must be a whole number of pixels, at least {MIN_SIDE}, got {size!r}")
    if not 0 <= val_fraction < 1:
        raise DatasetError(f"--val-fraction must be in [0, 1), got {val_fraction}")
    if not source.is_dir():
        raise DatasetError(f"source folder not found: {source}")
    if destination.resolve().is_relative_to(source.resolve()):
        raise DatasetError(f"destination {destination} is inside the source {source}; a later run would read its own output")
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
    from outpaint_lib.images import ImageError, encode_png, find_images, load_square

    from outpaint_lib.files import check_output_folder

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
            raise DatasetError(f"no usable images in {source} ({sum(skipped.values())} skipped, {duplicates} duplicates)")
        rows = _assign_splits(good, val_fraction, seed, staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = destination / "manifest.csv"
    _write_manifest(manifest, rows)
    counts = Counter(row[2] for row in rows)
    return PrepareReport(counts["train"], counts["val"], duplicates, dict(sorted(skipped.items())),
                         tuple(failures), manifest)


def _assign_splits(good, val_fraction: float, seed: int, staging: Path, destination: Path) -> list[tuple[str, str, str, str]]:
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


# --------------------------------------------------------------------------------------------
# Command line: ``outpaint data download|prepare|list``


def command_data_download(arguments: argparse.Namespace) -> int:
    categories = arguments.categories.split(",") if arguments.categories is not None else None
    download(arguments.name, to=arguments.to, mirror=arguments.mirror, categories=categories)
    return 0


def command_data_prepare(arguments: argparse.Namespace) -> int:
    report = prepare(arguments.source, arguments.destination, arguments.size,
                     val_fraction=arguments.val_fraction, seed=arguments.seed)
    skipped = sum(report.skipped.values())
    reasons = ", ".join(f"{reason}: {count}" for reason, count in report.skipped.items())
    print(f"prepared {report.train} train + {report.val} val images of {arguments.size} x {arguments.size} "
          f"in {arguments.destination}; removed {report.duplicates} duplicates; skipped {skipped}"
          + (f" ({reasons})" if reasons else ""))
    for file, reason in report.failures[:10]:
        print(f"  skipped {file}: {reason}", file=sys.stderr)
    if len(report.failures) > 10:
        print(f"  ... and {len(report.failures) - 10} more", file=sys.stderr)
    print(f"manifest: {report.manifest}")
    return 0


def command_data_list(arguments: argparse.Namespace) -> int:
    rows = [("NAME", "SIZE", "STATUS", "DESCRIPTION")]
    for status in list_datasets(arguments.root):
        state = "absent"
        if status.present:
            state = "present" if status.categories is None else f"present ({','.join(status.categories)})"
        rows.append((status.name, format_size(status.approximate_bytes), state, status.description))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    return 0


def add_commands(subparsers) -> argparse.ArgumentParser:
    """Register ``data`` with ``download``, ``prepare`` and ``list`` on a sub-parser group."""
    data = subparsers.add_parser("data", help="download, verify and prepare datasets")
    commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    fetch = commands.add_parser("download", help="download, verify and extract a registered dataset")
    fetch.add_argument("name", help="dataset name (see `data list`)")
    fetch.add_argument("--to", default="data/", help="parent folder (default: data/)")
    fetch.add_argument("--mirror", default=None, help=f"replace scheme and host of every URL (or ${MIRROR_VARIABLE})")
    fetch.add_argument("--categories", default=None, help="Places365 classes to keep, e.g. beach,coast")
    fetch.set_defaults(handler=command_data_download)

    build = commands.add_parser("prepare", help="square-resize a folder of images into train/ and val/ PNGs")
    build.add_argument("source", help="folder of images, searched recursively")
    build.add_argument("destination", help="output folder (gets train/, val/, manifest.csv)")
    build.add_argument("--size", type=int, required=True, help="side of the square outputs in pixels")
    build.add_argument("--val-fraction", type=float, default=0.1, help="share of images for val (default 0.1)")
    build.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    build.set_defaults(handler=command_data_prepare)

    show = commands.add_parser("list", help="registered datasets, their sizes and whether they are present")
    show.add_argument("--root", default="data/", help="parent folder (default: data/)")
    show.set_defaults(handler=command_data_list)
    return data
