"""Where the commands write: checked before any expensive work, then written atomically, so that
neither an unwritable output found at the end nor a run killed mid-write loses anything."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from outpaint_lib.errors import OutputError


def check_output_folder(path: str | os.PathLike) -> Path:
    """Refuse a folder that cannot be written into: a file in its place, or a folder (or the
    nearest existing parent, if it is still to be made) that refuses a file, as a read-only or
    immutable one does even to root. Nothing is left behind by the check."""
    folder = Path(path)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write into {folder}: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise OutputError(f"cannot write into {folder}: {error.strerror or error}") from None
    return folder


def check_output_file(path: str | os.PathLike) -> Path:
    """Refuse an output file that cannot be written: a folder at its path, or a parent that
    cannot be written into."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    check_output_folder(target.parent)
    return target


def _process_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once: setting the umask to read it back is not thread-safe.
_FILE_MODE = 0o666 & ~_process_umask()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is fsynced and renamed over it.

    The temporary name is hidden (leading dot) and keeps the target's suffixes, for writers
    that insist on one (Keras wants ``.weights.h5``).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    suffixes = "".join(target.suffixes)
    stem = target.name[: len(target.name) - len(suffixes)] if suffixes else target.name
    handle, temporary_name = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".tmp{suffixes}", dir=target.parent)
    os.close(handle)
    os.chmod(temporary_name, _FILE_MODE)  # what open() would give, not mkstemp's private 0600
    temporary = Path(temporary_name)
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def remove_temporaries(folder: str | os.PathLike) -> int:
    """Delete the temporary files that ``atomic_path`` left under ``folder`` when its process
    was killed mid-write (a 0-byte ``.losses.x1y2.tmp.png``); only for a folder no other
    process is writing. Returns how many were removed."""
    removed = 0
    for path in Path(folder).rglob(".*.tmp*"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
