"""prepare(): any folder of photos into train/ and val/ squares, duplicates removed, with a manifest."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from PIL import Image

from outpaint_lib.cli import build_parser
from outpaint_lib.datasets import DatasetError
from outpaint_lib.preparation import prepare
from support import smooth_image


@pytest.fixture
def messy_folder(tmp_path) -> Path:
    """Ten distinct images, two exact duplicates (one nested), and three broken files."""
    folder = tmp_path / "messy"
    (folder / "nested").mkdir(parents=True)
    for index in range(10):
        extension = ("png", "jpg")[index % 2]
        Image.fromarray(smooth_image(40 + index, 56, seed=index)).save(folder / f"photo_{index}.{extension}")
    (folder / "copy_of_photo_3.jpg").write_bytes((folder / "photo_3.jpg").read_bytes())
    (folder / "nested" / "again.png").write_bytes((folder / "photo_4.png").read_bytes())
    (folder / "truncated.jpg").write_bytes((folder / "photo_1.jpg").read_bytes()[:300])
    (folder / "notes.png").write_text("not an image")
    (folder / "empty.jpg").write_bytes(b"")
    return folder


def read_manifest(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_prepare_counts_splits_and_manifest(messy_folder, tmp_path):
    destination = tmp_path / "prepared"
    report = prepare(messy_folder, destination, size=32, val_fraction=0.3, seed=1)
    assert (report.train, report.val, report.duplicates) == (7, 3, 2)
    assert report.skipped == {"corrupt": 1, "empty": 1, "not_an_image": 1}
    rows = read_manifest(destination / "manifest.csv")
    assert list(rows[0]) == ["file", "source", "split", "sha256"] and len(rows) == 10
    assert len({row["sha256"] for row in rows}) == 10, "no image twice, so none in both splits"
    assert sorted(path.name for path in (destination / "val").iterdir()) == \
        sorted(Path(row["file"]).name for row in rows if row["split"] == "val")
    for row in rows:
        source_bytes = (messy_folder / row["source"]).read_bytes()
        assert hashlib.sha256(source_bytes).hexdigest() == row["sha256"]
        with Image.open(destination / row["file"]) as image:
            assert image.format == "PNG" and image.size == (32, 32) and image.mode == "RGB"
        assert row["file"].startswith(row["split"] + "/")
    sources = {row["source"] for row in rows}
    for pair in ({"copy_of_photo_3.jpg", "photo_3.jpg"}, {"nested/again.png", "photo_4.png"}):
        assert len(pair & sources) == 1, "exactly one copy of a duplicate is kept"
    assert not (destination / ".staging").exists()


def test_prepare_split_is_seeded_and_independent_of_file_names(messy_folder, tmp_path):
    def split_of(destination, seed):
        prepare(messy_folder, destination, size=16, val_fraction=0.3, seed=seed)
        return {row["sha256"]: row["split"] for row in read_manifest(destination / "manifest.csv")}

    first = split_of(tmp_path / "a", seed=5)
    assert split_of(tmp_path / "b", seed=5) == first
    assert split_of(tmp_path / "c", seed=6) != first
    (messy_folder / "photo_0.png").rename(messy_folder / "renamed.png")
    assert split_of(tmp_path / "d", seed=5) == first


def test_prepare_refuses_bad_arguments_and_used_destinations(messy_folder, tmp_path):
    with pytest.raises(DatasetError, match="val-fraction"):
        prepare(messy_folder, tmp_path / "out", size=32, val_fraction=1.0)
    with pytest.raises(DatasetError, match="size"):
        prepare(messy_folder, tmp_path / "out", size=2)
    with pytest.raises(DatasetError, match="inside the source"):
        prepare(messy_folder, messy_folder / "prepared", size=32)
    with pytest.raises(DatasetError, match="not found"):
        prepare(tmp_path / "missing", tmp_path / "out", size=32)
    prepare(messy_folder, tmp_path / "out", size=16)
    with pytest.raises(DatasetError, match="not empty"):
        prepare(messy_folder, tmp_path / "out", size=16)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.jpg").write_bytes(b"nope")
    with pytest.raises(DatasetError, match="no usable images"):
        prepare(broken, tmp_path / "out2", size=16)



def test_cli_prepare_reports_counts_duplicates_and_skips(messy_folder, tmp_path, capsys):
    arguments = build_parser().parse_args(
        ["data", "prepare", str(messy_folder), str(tmp_path / "out"),
         "--size", "16", "--val-fraction", "0.2", "--seed", "3"]
    )
    assert arguments.handler(arguments) == 0
    output = capsys.readouterr()
    assert "prepared 8 train + 2 val" in output.out and "removed 2 duplicates" in output.out
    assert "skipped 3 (corrupt: 1, empty: 1, not_an_image: 1)" in output.out
