"""Fetching one archive: resumable downloads, verification, and the manifest that records both.

Downloads resume after a cut (HTTP ``Range``) and are verified before they are used: against
the published MD5, or for files without one against the SHA-256 recorded at the first download
("trust on first use"). Only the standard library talks to the network, so that the data
commands work without extra packages.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from outpaint_lib.datasets.archives import _open_archive
from outpaint_lib.datasets.errors import ChecksumError, DatasetError, DownloadError
from outpaint_lib.datasets.layout import CHUNK_BYTES, DOWNLOADS_FOLDER, MANIFEST_NAME
from outpaint_lib.datasets.registry import RemoteFile, apply_mirror
from outpaint_lib.files import atomic_write_text

TIMEOUT_SECONDS = 60
# Pauses before the second and third attempt; a cut connection is resumed, not restarted.
RETRY_DELAYS_SECONDS = (2.0, 8.0)


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
        return (
            f"{self.label}  [{bar}] {100 * fraction:5.1f}%  "
            f"{self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB  {speed:6.1f} MB/s"
        )


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
        print(
            f"{part.name}: the server does not resume downloads; starting again from zero", file=sys.stderr, flush=True
        )
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


def _ensure_archive(
    remote: RemoteFile, folder: Path, manifest: _Manifest, base, progress: bool, dataset_name: str
) -> Path:
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


def _record_file(
    remote: RemoteFile, archive: Path, url: str, digests: dict[str, str], manifest: _Manifest, dataset_name: str
) -> None:
    """Write the verified digests to the manifest at once, so that a file without a published
    checksum is pinned even if its extraction fails later."""
    manifest.files[remote.filename] = {
        "url": url,
        "bytes": archive.stat().st_size,
        "sha256": digests["sha256"],
        "md5": digests["md5"],
        "checked_against": "published MD5" if remote.md5 else "SHA-256 recorded at first download",
        "verified_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    manifest.save(dataset_name)
