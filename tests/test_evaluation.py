import json

import pytest
from PIL import Image

from outpaint_lib.baselines import BASELINES
from outpaint_lib.evaluation import evaluate_folder, evaluate_full_resolution
from outpaint_lib.inference import Outpainter
from support import run_cli, smooth_image


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(5):
        Image.fromarray(smooth_image(40, 48, seed=index)).save(folder / f"{index}.png")
    return folder


def test_the_model_and_every_baseline_are_scored(checkpoint, photos):
    report = evaluate_folder(Outpainter.load(checkpoint), photos, baselines=True)
    assert report.images == 5 and report.size == 32
    assert list(report.scores) == ["generator", "generator+texture", *BASELINES]
    for scores in report.scores.values():
        assert scores["rmse"] > 0 and 0 < scores["psnr"] < 100 and -1 <= scores["ssim"] <= 1
        assert scores["streaks"] >= 0 and scores["layout"] >= 0 and "realism" not in scores
    # Smooth images: inpainting from the edge beats a flat colour.
    assert report.scores["telea"]["rmse"] < report.scores["mean_fill"]["rmse"]
    assert "generator+texture" in report.table() and "navier_stokes" in report.table()


def test_baselines_alone_at_a_chosen_size(photos):
    report = evaluate_folder(None, photos, size=40, baselines=True, limit=3)
    assert report.images == 3 and report.size == 40 and "generator" not in report.scores


def test_evaluate_names_the_files_it_skips_and_refuses_images_too_small_to_score(checkpoint, photos, tmp_path):
    """Issue 30, defect 10: evaluate counted skipped files without naming them, and scored images
    enlarged to its size, or with strips too narrow for its measures."""
    from outpaint_lib.errors import DataError

    (photos / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    Image.fromarray(smooth_image(20, 30)).save(photos / "small.png")
    result = run_cli("evaluate", "--data", str(photos), "--checkpoint", str(checkpoint), "--quiet")
    assert result.returncode == 0, result.stderr
    assert sorted(line for line in result.stderr.splitlines() if line.startswith("outpaint evaluate: skipped")) == [
        f"outpaint evaluate: skipped {photos / 'broken.png'}: corrupt",
        f"outpaint evaluate: skipped {photos / 'small.png'}: 30 x 20, smaller than the 32 px it would be scored at",
    ]
    assert "5 images from" in result.stdout and "(2 skipped)" in result.stdout
    with pytest.raises(DataError, match="strips of 6 px, narrower than the 8 px the layout measure needs"):
        evaluate_folder(None, photos, size=24, baselines=True)
    low = evaluate_full_resolution(None, photos, baselines=True)
    assert (str(photos / "small.png"), "30 x 20: its strips would be narrower than 8 px") in low.skipped_files


def test_evaluate_command_prints_the_table_and_writes_json(checkpoint, photos, tmp_path):
    output = tmp_path / "scores.json"
    result = run_cli(
        "evaluate", "--data", str(photos), "--checkpoint", str(checkpoint), "--baselines", "--json", str(output)
    )
    assert result.returncode == 0, result.stderr
    assert (
        "generator" in result.stdout and "telea" in result.stdout
        and "RMSE" in result.stdout and "layout" in result.stdout
    )
    scores = json.loads(output.read_text())
    assert scores["images"] == 5 and set(scores["scores"]) == {"generator", "generator+texture", *BASELINES}


def test_single_pass_scores_the_model_without_mirror_averaging(checkpoint, photos, tmp_path):
    scores = {}
    for flags in ([], ["--single-pass"]):
        output = tmp_path / f"scores{len(flags)}.json"
        result = run_cli(
            "evaluate", "--data", str(photos), "--checkpoint", str(checkpoint), "--json", str(output), *flags
        )
        assert result.returncode == 0, result.stderr
        scores[len(flags)] = json.loads(output.read_text())
        assert ("one pass" in result.stdout) == bool(flags)
    assert scores[0]["mirror_average"] is True and scores[1]["mirror_average"] is False
    assert scores[0]["scores"]["generator"]["rmse"] != scores[1]["scores"]["generator"]["rmse"]


@pytest.fixture
def wide_photos(tmp_path):
    """Photos of their own sizes, one too narrow to keep a centre once its strips are hidden."""
    folder = tmp_path / "wide"
    folder.mkdir()
    for index, (height, width) in enumerate([(40, 64), (48, 90), (36, 36), (44, 17)]):
        Image.fromarray(smooth_image(height, width, seed=index)).save(folder / f"{index}.png")
    return folder


def test_full_resolution_scores_each_photo_at_its_own_size(checkpoint, wide_photos):
    report = evaluate_full_resolution(Outpainter.load(checkpoint), wide_photos, baselines=True)
    # 44 x 17: hiding 11 columns a side leaves none.
    assert report.size is None and report.images == 3 and report.skipped == 1
    assert list(report.scores) == ["generator", "generator+texture", *BASELINES]
    for scores in report.scores.values():
        assert scores["rmse"] > 0 and scores["detail"] >= 0 and scores["seam"] >= 0
    # Edge replication copies the photo's edge column into the strip: no jump at all.
    assert report.scores["edge_replication"]["seam"] == 0.0
    assert "own resolution" in report.describe()


def test_evaluate_command_full_resolution_and_the_size_it_needs(checkpoint, wide_photos, tmp_path):
    output = tmp_path / "full.json"
    result = run_cli("evaluate", "--data", str(wide_photos), "--checkpoint", str(checkpoint),
                     "--full-resolution", "--baselines", "--json", str(output))
    assert result.returncode == 0, result.stderr
    assert "own resolution" in result.stdout and "detail" in result.stdout and "seam" in result.stdout
    saved = json.loads(output.read_text())
    assert saved["size"] is None and set(saved["scores"]["telea"]) >= {"detail", "seam"}
    # Baselines alone need a size to score at, or the photos' own.
    result = run_cli("evaluate", "--data", str(wide_photos), "--baselines-only")
    assert result.returncode != 0 and "--size" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("evaluate", "--data", str(wide_photos), "--baselines-only", "--full-resolution")
    assert result.returncode == 0, result.stderr
    # Fills named: those alone (the realism test trains six classifiers for each fill scored).
    named = tmp_path / "telea.json"
    result = run_cli("evaluate", "--data", str(wide_photos), "--baselines-only", "--baselines", "telea",
                     "--full-resolution", "--json", str(named))
    assert result.returncode == 0, result.stderr
    assert list(json.loads(named.read_text())["scores"]) == ["telea"]


def test_recursive_rounds_score_the_outermost_columns(checkpoint, tmp_path):
    from outpaint_lib.evaluation import evaluate_recursive
    from outpaint_lib.inference import Outpainter

    for index in range(3):
        Image.fromarray(smooth_image(32, 48, seed=index)).save(tmp_path / f"photo_{index}.png")
    scores = evaluate_recursive(Outpainter.load(checkpoint, precision="float32"), tmp_path, rounds=3, progress=False)
    assert scores["rounds"] == 3 and scores["images"] == 3
    assert 0 < scores["brightness"] < 3 and scores["detail"] >= 0


def test_texture_none_scores_the_generator_alone_and_realism_is_reported_with_its_range(checkpoint, photos):
    outpainter = Outpainter.load(checkpoint, texture="none")
    report = evaluate_folder(outpainter, photos, with_realism=True, progress=False)
    assert list(report.scores) == ["generator"]
    scores = report.scores["generator"]
    assert 0 <= scores["realism_low"] <= scores["realism"] <= scores["realism_high"] <= 1
    assert "realism" in report.table().splitlines()[0]
