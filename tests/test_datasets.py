"""Dataset download, verification and extraction, against a local HTTP server.

The server (127.0.0.1, a thread) serves archives the tests build, honours ``Range`` requests, and
can cut a response mid-file or ignore ``Range``, so that the real download code is exercised
without the network.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from outpaint_lib import datasets
from outpaint_lib.cli import build_parser
from outpaint_lib.datasets import (
    ChecksumError,
    Dataset,
    DatasetError,
    RemoteFile,
    UnsafeArchiveError,
    apply_mirror,
    download,
    list_datasets,
    mirror_base,
)
from outpaint_lib.datasets.fetching import _Manifest
from outpaint_lib.errors import OutpaintError

# --------------------------------------------------------------------------------------------
# A local file server


class FileServer:
    """What the handler serves and what it saw; ``cut_after[path]`` drops the next response for
    ``path`` after that many body bytes."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.cut_after: dict[str, int] = {}
        self.ignore_range = False
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class RangeHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        state: FileServer = self.server.state
        range_header = self.headers.get("Range")
        state.requests.append((self.path, range_header))
        data = state.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        if range_header and not state.ignore_range:
            start = int(range_header.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = state.cut_after.pop(self.path, None)
        self.wfile.write(body if cut is None else body[:cut])
        self.close_connection = True

    def log_message(self, *arguments):
        pass


@pytest.fixture(scope="module")
def http_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(http_server, monkeypatch):
    """A fresh file table on the shared server; no proxy, no mirror, no pauses between retries."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.delenv(datasets.MIRROR_VARIABLE, raising=False)
    monkeypatch.setattr("outpaint_lib.datasets.fetching.RETRY_DELAYS_SECONDS", (0.0, 0.0))
    http_server.state = FileServer()
    http_server.state.port = http_server.server_address[1]
    return http_server.state


# --------------------------------------------------------------------------------------------
# Archives and registries made by the tests


def payload(seed: int, size: int = 4096) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()


def make_tar(entries: dict[str, bytes], special: list[tarfile.TarInfo] = ()) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in special:
            archive.addfile(info)
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    symlinks = symlinks or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name, target in symlinks.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, target)
    return buffer.getvalue()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def serve_dataset(server: FileServer, data: bytes, name="toy", filename="toy.tar", checksum=True, **options):
    """Serve ``data`` and return a one-file registry whose checksum matches it."""
    server.files[f"/files/{filename}"] = data
    remote = RemoteFile(server.url(f"/files/{filename}"), len(data), md5(data) if checksum else None, **options)
    return (Dataset(name, "a toy dataset", "test only", (remote,)),)


TOY_ENTRIES = {"images/a.jpg": payload(1, 150_000), "images/b.jpg": payload(2, 150_000)}


# --------------------------------------------------------------------------------------------
# download()


def test_full_download_verifies_extracts_and_records(server, tmp_path, capsys):
    data = make_tar(TOY_ENTRIES)
    registry = serve_dataset(server, data)
    folder = download("toy", to=tmp_path, registry=registry)
    assert "100.0%" in capsys.readouterr().err, "a progress bar on stderr"
    assert folder == tmp_path / "toy"
    for name, content in TOY_ENTRIES.items():
        assert (folder / name).read_bytes() == content
    assert (folder / "downloads" / "toy.tar").read_bytes() == data
    assert not (folder / "downloads" / "toy.tar.part").exists()
    record = _Manifest.load(folder).files["toy.tar"]
    assert record["md5"] == md5(data) and record["sha256"] == hashlib.sha256(data).hexdigest()
    assert [path for path, _ in server.requests] == ["/files/toy.tar"]
    assert not list(folder.glob(".extracting-*"))


def test_connection_cut_mid_file_is_resumed_with_range(server, tmp_path):
    data = make_tar(TOY_ENTRIES)
    registry = serve_dataset(server, data)
    server.cut_after["/files/toy.tar"] = 100_000
    folder = download("toy", to=tmp_path, progress=False, registry=registry)
    assert server.requests == [("/files/toy.tar", None), ("/files/toy.tar", "bytes=100000-")]
    assert (folder / "downloads" / "toy.tar").read_bytes() == data
    assert (folder / "images" / "b.jpg").read_bytes() == TOY_ENTRIES["images/b.jpg"]


def test_partial_file_from_an_earlier_run_is_resumed(server, tmp_path):
    data = make_tar(TOY_ENTRIES)
    registry = serve_dataset(server, data)
    part = tmp_path / "toy" / "downloads" / "toy.tar.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:123_456])
    download("toy", to=tmp_path, progress=False, registry=registry)
    assert server.requests == [("/files/toy.tar", "bytes=123456-")]
    assert (tmp_path / "toy" / "images" / "a.jpg").read_bytes() == TOY_ENTRIES["images/a.jpg"]


def test_server_answering_200_to_a_range_restarts_from_zero(server, tmp_path):
    data = make_tar(TOY_ENTRIES)
    registry = serve_dataset(server, data)
    server.ignore_range = True
    part = tmp_path / "toy" / "downloads" / "toy.tar.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"garbage that must not stay at the start of the file")
    download("toy", to=tmp_path, progress=False, registry=registry)
    assert server.requests[0][1] is not None
    assert (tmp_path / "toy" / "downloads" / "toy.tar").read_bytes() == data


def test_checksum_mismatch_deletes_the_file_and_says_so(server, tmp_path):
    data = make_tar(TOY_ENTRIES)
    (dataset,) = serve_dataset(server, data)
    wrong = Dataset("toy", "", "", (RemoteFile(dataset.files[0].url, None, md5(b"something else")),))
    with pytest.raises(ChecksumError, match="checksum mismatch for toy.tar.*deleted"):
        download("toy", to=tmp_path, progress=False, registry=(wrong,))
    downloads = tmp_path / "toy" / "downloads"
    assert not list(downloads.iterdir())
    assert not (tmp_path / "toy" / "images").exists()


def test_persistent_cuts_end_in_a_resumable_download_error(server, tmp_path, monkeypatch):
    data = make_tar(TOY_ENTRIES)
    registry = serve_dataset(server, data)
    monkeypatch.setattr("outpaint_lib.datasets.fetching.RETRY_DELAYS_SECONDS", ())
    server.cut_after["/files/toy.tar"] = 1000
    with pytest.raises(datasets.DownloadError, match="1,000 bytes kept.*run the command again"):
        download("toy", to=tmp_path, progress=False, registry=registry)
    download("toy", to=tmp_path, progress=False, registry=registry)
    assert server.requests[-1] == ("/files/toy.tar", "bytes=1000-")


@pytest.mark.parametrize("bad_name", ["../escape.txt", "images/../../escape.txt", "/tmp/outpaint-absolute.txt"])
@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_path_escapes_are_refused_and_nothing_is_written(server, tmp_path, bad_name, kind):
    entries = {"images/ok.jpg": payload(3), bad_name: b"escaped"}
    data = make_tar(entries) if kind == "tar" else make_zip(entries)
    registry = serve_dataset(server, data, filename=f"toy.{kind}")
    target = tmp_path / "target"
    with pytest.raises(UnsafeArchiveError, match="refusing"):
        download("toy", to=target, progress=False, registry=registry)
    assert not (tmp_path / "escape.txt").exists() and not (target / "escape.txt").exists()
    assert not Path("/tmp/outpaint-absolute.txt").exists()
    assert not (target / "toy" / "images").exists()
    assert sorted(path.name for path in (target / "toy").iterdir()) == ["downloads", "manifest.json"]


def special_entry(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize("entry", [
    special_entry("images/link.jpg", tarfile.SYMTYPE, "/etc/passwd"),
    special_entry("images/hard.jpg", tarfile.LNKTYPE, "images/ok.jpg"),
    special_entry("images/device", tarfile.CHRTYPE),
    special_entry("images/pipe", tarfile.FIFOTYPE),
], ids=["symlink", "hardlink", "device", "fifo"])
def test_links_and_devices_in_a_tar_are_refused(server, tmp_path, entry):
    registry = serve_dataset(server, make_tar({"images/ok.jpg": payload(4)}, [entry]))
    with pytest.raises(UnsafeArchiveError, match="refusing"):
        download("toy", to=tmp_path, progress=False, registry=registry)
    assert not (tmp_path / "toy" / "images").exists()


def test_symlink_in_a_zip_is_refused(server, tmp_path):
    data = make_zip({"images/ok.jpg": payload(5)}, symlinks={"images/link.jpg": "/etc/passwd"})
    registry = serve_dataset(server, data, filename="toy.zip")
    with pytest.raises(UnsafeArchiveError, match="link"):
        download("toy", to=tmp_path, progress=False, registry=registry)
    assert not (tmp_path / "toy" / "images").exists()


def test_tar_ending_in_a_zip_member_is_read_as_a_tar(server, tmp_path):
    inner = make_zip({"inside.txt": b"zip content"})
    registry = serve_dataset(server, make_tar({"bundle/readme.txt": b"hello", "bundle/inner.zip": inner}))
    folder = download("toy", to=tmp_path, progress=False, registry=registry)
    assert (folder / "bundle" / "inner.zip").read_bytes() == inner


def test_second_call_does_nothing_and_makes_no_request(server, tmp_path, capsys):
    registry = serve_dataset(server, make_tar(TOY_ENTRIES))
    download("toy", to=tmp_path, progress=False, registry=registry)
    capsys.readouterr()
    download("toy", to=tmp_path, progress=False, registry=registry)
    assert len(server.requests) == 1
    assert "already present" in capsys.readouterr().out


def test_deleted_output_is_extracted_again_from_the_kept_archive(server, tmp_path):
    registry = serve_dataset(server, make_tar(TOY_ENTRIES))
    download("toy", to=tmp_path, progress=False, registry=registry)
    (tmp_path / "toy" / "images" / "a.jpg").unlink()
    (tmp_path / "toy" / "images").rename(tmp_path / "toy" / "moved")
    download("toy", to=tmp_path, progress=False, registry=registry)
    assert len(server.requests) == 1
    assert (tmp_path / "toy" / "images" / "a.jpg").read_bytes() == TOY_ENTRIES["images/a.jpg"]


def test_mirror_replaces_scheme_host_and_port_and_keeps_the_checksum(server, tmp_path, monkeypatch):
    data = make_tar(TOY_ENTRIES)
    server.files["/places/places365/toy.tar"] = data
    remote = RemoteFile("https://data.example.invalid:8443/places/places365/toy.tar", None, md5(data))
    registry = (Dataset("toy", "", "", (remote,)),)
    download("toy", to=tmp_path / "a", mirror=f"http://127.0.0.1:{server.port}", progress=False, registry=registry)
    monkeypatch.setenv(datasets.MIRROR_VARIABLE, f"http://127.0.0.1:{server.port}/")
    download("toy", to=tmp_path / "b", progress=False, registry=registry)
    assert [path for path, _ in server.requests] == ["/places/places365/toy.tar"] * 2
    server.files["/places/places365/toy.tar"] = make_tar({"images/a.jpg": b"tampered"})
    with pytest.raises(ChecksumError):
        download("toy", to=tmp_path / "c", progress=False, registry=registry)


def test_apply_mirror_keeps_the_path_and_accepts_a_prefix(monkeypatch):
    monkeypatch.delenv(datasets.MIRROR_VARIABLE, raising=False)
    url = "http://data.csail.mit.edu/places/places365/val_256.tar"
    assert apply_mirror(url, mirror_base(None)) == url
    assert apply_mirror(url, mirror_base("https://mirror.example:9000")) == \
        "https://mirror.example:9000/places/places365/val_256.tar"
    assert apply_mirror(url, mirror_base("https://mirror.example/cache/")) == \
        "https://mirror.example/cache/places/places365/val_256.tar"
    with pytest.raises(DatasetError, match="mirror"):
        mirror_base("mirror.example")


# --------------------------------------------------------------------------------------------
# Places365-style category filtering


CATEGORY_LINES = "/b/beach 0\n/c/coast 1\n/f/field/cultivated 2\n/f/field_road 3\n"
LABEL_LINES = "".join(f"Places365_val_{index:08d}.jpg {(index - 1) // 2}\n" for index in range(1, 9))


def places_registry(server: FileServer) -> tuple[Dataset, ...]:
    devkit = make_tar({"categories_places365.txt": CATEGORY_LINES.encode(), "places365_val.txt": LABEL_LINES.encode()})
    images = make_tar({f"val_256/Places365_val_{index:08d}.jpg": payload(index) for index in range(1, 9)})
    server.files["/places/devkit.tar"] = devkit
    server.files["/places/val_256.tar"] = images
    return (Dataset(
        "places-toy", "", "",
        (RemoteFile(server.url("/places/devkit.tar"), None, md5(devkit), extract_to="devkit"),
         RemoteFile(server.url("/places/val_256.tar"), None, md5(images), filter_by_category=True)),
        categories_file="categories_places365.txt", labels_file="places365_val.txt",
    ),)


def test_categories_keep_only_those_classes_one_folder_each(server, tmp_path):
    registry = places_registry(server)
    folder = download(
        "places-toy", to=tmp_path, categories=["Beach", "field/cultivated"], progress=False, registry=registry
    )
    assert sorted(path.name for path in (folder / "beach").iterdir()) == [
        "Places365_val_00000001.jpg", "Places365_val_00000002.jpg",
    ]
    assert sorted(path.name for path in (folder / "field-cultivated").iterdir()) == [
        "Places365_val_00000005.jpg", "Places365_val_00000006.jpg",
    ]
    assert not (folder / "coast").exists() and not (folder / "val_256").exists()
    assert (folder / "devkit" / "categories_places365.txt").is_file()
    requests = len(server.requests)
    download("places-toy", to=tmp_path, categories=["beach"], progress=False, registry=registry)
    download("places-toy", to=tmp_path, categories=["coast"], progress=False, registry=registry)
    assert len(server.requests) == requests, "the kept archive serves a new selection"
    assert len(list((folder / "coast").iterdir())) == 2 and len(list((folder / "beach").iterdir())) == 2
    (status,) = list_datasets(tmp_path, registry=registry)
    assert status.present and status.categories == ("beach", "coast", "field-cultivated")


def test_unknown_category_lists_close_matches(server, tmp_path):
    registry = places_registry(server)
    with pytest.raises(DatasetError, match=r"unknown Places365 category: 'beech' \(close: beach\)"):
        download("places-toy", to=tmp_path, categories=["beech", "coast"], progress=False, registry=registry)
    assert [path for path, _ in server.requests] == ["/places/devkit.tar"], "the large archive is not fetched"


def test_categories_only_apply_to_datasets_with_categories(server, tmp_path):
    registry = serve_dataset(server, make_tar(TOY_ENTRIES))
    with pytest.raises(DatasetError, match="no categories"):
        download("toy", to=tmp_path, categories=["beach"], progress=False, registry=registry)


# --------------------------------------------------------------------------------------------
# Files without a published checksum: the first download's SHA-256 is pinned


def test_first_download_sha256_is_recorded_and_checked_later(server, tmp_path):
    data = make_zip({"coast/coast_1.jpg": payload(6), "coast/coast_2.jpg": payload(7)})
    registry = serve_dataset(server, data, name="coast-toy", filename="coast.zip", checksum=False)
    folder = download("coast-toy", to=tmp_path, progress=False, registry=registry)
    record = _Manifest.load(folder).files["coast.zip"]
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert "first download" in record["checked_against"]
    assert (folder / "coast" / "coast_2.jpg").read_bytes() == payload(7)

    # The same file again (outputs and archive deleted, manifest kept) passes the pinned check ...
    def forget_all_but_the_manifest():
        shutil.rmtree(folder / "coast")
        (folder / "downloads" / "coast.zip").unlink()

    forget_all_but_the_manifest()
    download("coast-toy", to=tmp_path, progress=False, registry=registry)
    assert len(server.requests) == 2
    # ... a changed server file does not.
    forget_all_but_the_manifest()
    server.files["/files/coast.zip"] = make_zip({"coast/coast_1.jpg": b"changed"})
    with pytest.raises(ChecksumError, match="recorded at first download"):
        download("coast-toy", to=tmp_path, progress=False, registry=registry)
    assert not (folder / "downloads" / "coast.zip").exists()


def test_first_download_that_is_not_an_archive_is_rejected(server, tmp_path):
    registry = serve_dataset(server, b"<html>moved</html>", name="coast-toy", filename="coast.zip", checksum=False)
    with pytest.raises(ChecksumError, match="failed verification"):
        download("coast-toy", to=tmp_path, progress=False, registry=registry)
    assert "coast.zip" not in _Manifest.load(tmp_path / "coast-toy").files


# --------------------------------------------------------------------------------------------
# The registry and list_datasets()


def test_registry_holds_the_official_urls_and_checksums():
    places = datasets.get_dataset("places365-val")
    urls = {remote.filename: remote for remote in places.files}
    assert urls["val_256.tar"].url == "http://data.csail.mit.edu/places/places365/val_256.tar"
    assert urls["val_256.tar"].md5 == "e27b17d8d44f4af9a78502beb927f808"
    assert urls["filelist_places365-standard.tar"].md5 == "35a0585fee1fa656440f3ab298f8479c"
    assert places.files[0].filename == "filelist_places365-standard.tar", "the devkit comes first"
    coast = datasets.get_dataset("osr-coast")
    assert coast.files[0].url == "http://cvcl.mit.edu/scenedatabase/coast.zip" and coast.files[0].md5 is None
    with pytest.raises(DatasetError, match="did you mean places365-val"):
        datasets.get_dataset("places365")


def test_list_datasets_reports_sizes_and_presence(server, tmp_path):
    statuses = {status.name: status for status in list_datasets(tmp_path)}
    assert set(statuses) == {"places365-val", "osr-coast"}
    assert not any(status.present for status in statuses.values())
    assert 500e6 < statuses["places365-val"].approximate_bytes < 503e6
    registry = serve_dataset(server, make_tar(TOY_ENTRIES))
    assert not list_datasets(tmp_path, registry=registry)[0].present
    download("toy", to=tmp_path, progress=False, registry=registry)
    assert list_datasets(tmp_path, registry=registry)[0].present


# --------------------------------------------------------------------------------------------
# The command line, through the real parser


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def test_cli_download_and_list(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("outpaint_lib.datasets.registry.REGISTRY", places_registry(server))
    arguments = parse("data", "download", "places-toy", "--to", str(tmp_path / "data"), "--categories", "beach,coast")
    assert arguments.handler(arguments) == 0
    assert len(list((tmp_path / "data" / "places-toy" / "coast").iterdir())) == 2
    arguments = parse("data", "list", "--root", str(tmp_path / "data"))
    assert arguments.handler(arguments) == 0
    assert "places-toy" in capsys.readouterr().out.splitlines()[1]


def test_cli_errors_are_one_line_outpaint_errors(server, tmp_path):
    arguments = parse("data", "download", "nope", "--to", str(tmp_path))
    with pytest.raises(OutpaintError) as caught:
        arguments.handler(arguments)
    assert "\n" not in str(caught.value) and "known: places365-val, osr-coast" in str(caught.value)
    with pytest.raises(SystemExit):
        parse("data", "prepare", "src", "dst")  # --size is required
