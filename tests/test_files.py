import os

import pytest

from outpaint_lib.files import atomic_path, atomic_write_bytes, atomic_write_text


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
