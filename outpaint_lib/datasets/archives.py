"""Safe extraction: every archive entry is checked before any is written.

An absolute name, a ``..`` escape, a link or a device refuses the whole archive, and files are
written into a staging folder that is moved into place only at the end, so that a hostile or
broken archive leaves the dataset folder as it was.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from outpaint_lib.datasets.errors import DatasetError, UnsafeArchiveError
from outpaint_lib.datasets.layout import CHUNK_BYTES, RESERVED_NAMES, STAGING_PREFIX
from outpaint_lib.datasets.registry import RemoteFile


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
            raise UnsafeArchiveError(
                f"refusing entry {entry.name!r}: that name is reserved for the download bookkeeping"
            )
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


def _extract(
    archive_path: Path, remote: RemoteFile, folder: Path, wanted: dict[str, str] | None
) -> tuple[list[str], int]:
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
