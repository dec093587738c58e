import os

import pytest

from outpaint_lib.files import (
    OutputError,
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
    check_output_file,
    check_output_folder,
)
from support import immutable


def test_a_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "deep" / "notes.txt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert [path.name for path in target.parent.iterdir()] == ["notes.txt"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "model.weights.h5"
    atomic_write_bytes(target, b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            assert temporary.name.endswith(".weights.h5")  # writers that check the suffix accept it
            temporary.write_bytes(b"half")
            raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["model.weights.h5"]


def test_written_files_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    target = tmp_path / "painted.png"
    atomic_write_bytes(target, b"png")
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_outputs_that_cannot_be_written_are_refused_before_any_work(tmp_path):
    """Issue 19, defect 5: unwritable outputs ended in tracebacks, some after the work."""
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(OutputError, match=r"file.png is a file, not a folder"):
        check_output_folder(tmp_path / "file.png" / "run")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError, match=r"cannot write .*folder: it is a folder"):
        check_output_file(tmp_path / "folder")
    with immutable(tmp_path / "locked") as locked:
        with pytest.raises(OutputError, match="Operation not permitted"):
            check_output_folder(locked)
        with pytest.raises(OutputError, match="Operation not permitted"):
            check_output_file(locked / "scores.json")
        with pytest.raises(OutputError, match="Operation not permitted"):
            check_output_folder(locked / "new" / "deeper")  # to be made inside the locked one
    # A folder still to be made is checked without making it, and nothing is left behind.
    assert check_output_folder(tmp_path / "new" / "run") == tmp_path / "new" / "run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.png", "folder", "locked"]
