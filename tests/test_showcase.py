import numpy as np
import pytest
from PIL import Image

from outpaint_lib.config import PAPER, PAPER_LOCAL
from outpaint_lib.evaluation import EvaluationReport
from outpaint_lib.inference import Outpainter
from outpaint_lib.sheets import label_row
from outpaint_lib.showcase import (
    before_after,
    comparison_rows,
    full_resolution_sheet,
    parameter_table,
    plot_evaluation,
    plot_image_grid,
    plot_layout_realism,
    plot_rmse_detail,
    plot_rounds,
    plot_split,
    runtime_summary,
    sample_sheet,
)
from support import run_cli, smooth_image, tiny


@pytest.fixture(scope="module")
def outpainter(checkpoint):
    return Outpainter.load(checkpoint, precision="float32")


def test_comparison_rows_and_grid(outpainter):
    truths = [smooth_image(32, 32, seed) for seed in range(3)]
    rows = comparison_rows(outpainter, truths)
    assert len(rows) == 3 and all(len(row) == 4 for row in rows)
    assert all(picture.shape == (32, 32, 3) for row in rows for picture in row)
    # The generator's own strips, then the same strips through the texture stage.
    assert not np.array_equal(rows[0][1][:, :8], rows[0][2][:, :8])
    np.testing.assert_array_equal(rows[0][3], truths[0])
    assert len(plot_image_grid(rows).axes) == 12


def test_sample_sheet_holds_the_pairs_and_a_recursive_strip(outpainter):
    truths = [smooth_image(32, 32, seed) for seed in range(8)]
    sheet = sample_sheet(outpainter, truths, smooth_image(32, 32, 9))
    # Column labels, 4 rows of 2 x (centre, output, truth), a caption, the 112-wide recursive result.
    assert sheet.dtype == np.uint8 and sheet.shape[1] == 2 * 3 * 32
    assert sheet.shape[0] == 10 + 4 * 32 + 10 + 32
    header = sheet[:10]
    for column in range(6):  # every column has its label (dark text on white)
        assert (header[:, column * 32 : (column + 1) * 32] < 128).any(), column
    assert (sheet[10 + 4 * 32 : 20 + 4 * 32] < 128).any()  # the caption of the recursive result


def test_labels_are_centred_over_their_columns_and_fit_them():
    row = label_row(["input", "output", "truth"], 128, 128)
    assert row.shape == (16, 3 * 128, 3)
    for column in range(3):
        inked = np.flatnonzero((row[:, column * 128 : (column + 1) * 128] < 128).any(axis=(0, 2)))
        assert inked.size and inked.min() > 4 and inked.max() < 124
        assert abs((inked.min() + inked.max()) / 2 - 64) <= 3


def test_figures_are_drawn(outpainter):
    image = smooth_image(32, 32)
    assert len(plot_split(image, tiny()).axes) == 8
    assert len(plot_rounds(image, outpainter.outpaint_rounds(image, times=2)).axes) == 3
    report = EvaluationReport("photos", 32, 5, 0, {"generator": {"rmse": 20.0, "psnr": 22.0, "ssim": 0.6},
                                                    "telea": {"rmse": 30.0, "psnr": 18.0, "ssim": 0.5}})
    assert len(plot_evaluation(report).axes) == 2
    for values in report.scores.values():
        values.update(layout=15.0, realism=0.8)
    titles = [axis.get_title().split(":")[0] for axis in plot_evaluation(report).axes]
    assert titles == ["RMSE", "SSIM", "layout", "realism"]
    figure = plot_layout_realism({"generator": (33.0, 0.84), "fill: telea": (38.3, 0.86)}, bars=(34.5, 0.58))
    (axis,) = figure.axes
    assert [text.get_text() for text in axis.texts] == ["generator", "fill: telea"]
    (corner,) = axis.patches  # the region meeting both bars
    assert corner.get_x() + corner.get_width() == pytest.approx(34.5)
    assert corner.get_y() + corner.get_height() == pytest.approx(0.58)
    figure = plot_rmse_detail({"model": (29.3, 0.2), "fill: Telea": (32.3, 0.13)}, bars=(27.5, 0.5))
    (axis,) = figure.axes
    assert [text.get_text() for text in axis.texts] == ["model", "fill: Telea"]
    assert axis.get_xlim()[0] < 27.5 < 29.3 < axis.get_xlim()[1]
    (corner,) = axis.patches  # only the region meeting both bars is shaded
    assert corner.get_x() + corner.get_width() == pytest.approx(27.5) and corner.get_y() == pytest.approx(0.5)
    assert corner.get_y() + corner.get_height() == pytest.approx(axis.get_ylim()[1])
    # Points closer than their labels are long still get labels that do not overprint.
    crowded = {f"adversarial {index}": (29.9 + 0.05 * index, 0.49 - 0.01 * index) for index in range(4)}
    figure = plot_rmse_detail(crowded, bars=(27.5, 0.5))
    renderer = figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in figure.axes[0].texts]
    assert len(boxes) == 4 and not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_text_summaries():
    table = parameter_table([PAPER, PAPER_LOCAL])
    assert "3,335,747" in table and "886,401" in table and "2,195,137" in table and "1,307,712" in table
    assert "precision float32" in runtime_summary(PAPER)


def test_samples_command_writes_the_sheet(checkpoint, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(6):
        Image.fromarray(smooth_image(40, 48, seed=index)).save(folder / f"{index}.png")
    (folder / "9_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    output = tmp_path / "sheet.png"
    result = run_cli(
        "samples", "--data", str(folder), "--checkpoint", str(checkpoint), "--count", "5", "--times", "2",
        "-o", str(output),
    )
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stderr and "9_broken.png" in result.stderr  # the last one taken
    with Image.open(output) as sheet:
        # Labels, 2 rows of 2 x (centre, output, truth), a caption, the 2-round result (64 wide).
        assert sheet.mode == "RGB" and sheet.size == (2 * 3 * 32, 10 + 2 * 32 + 10 + 32)


def test_samples_command_reports_an_empty_folder(checkpoint, tmp_path):
    result = run_cli(
        "samples", "--data", str(tmp_path), "--checkpoint", str(checkpoint), "-o", str(tmp_path / "sheet.png")
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "no images" in result.stderr


def test_the_full_resolution_sheet_shows_each_photo_painted_beside_itself(outpainter):
    photos = [smooth_image(40, 60, seed=1), smooth_image(64, 48, seed=2)]
    sheet = full_resolution_sheet(outpainter, photos, height=80)
    gap = 4
    header = 10  # label_row's height for 80-pixel rows
    assert sheet.shape == (header + 2 * (80 + gap), 2 * 120 + gap, 3)
    first = sheet[header : header + 80]
    assert (first[:, 120 : 120 + gap] == 255).all()  # the white gap between painted and photo
    from outpaint_lib.images import resize
    np.testing.assert_array_equal(first[:, 120 + gap :], resize(photos[0], 120, 80))


def test_before_after_puts_the_photo_above_its_place_in_the_painted_result(outpainter):
    photo = smooth_image(36, 48, seed=3)
    picture = before_after(outpainter.replace(blend=False), photo, aspect="16:9", side="right")
    band = 10  # label_row's height for a 36-pixel photo
    assert picture.shape == (2 * band + 2 * 36, 64, 3)  # 16:9 of 36 rows is 64 columns, all on the right
    before, after = picture[band : band + 36], picture[2 * band + 36 :]
    np.testing.assert_array_equal(before[:, :48], photo)
    assert (before[:, 48:] == 255).all()  # where the result grows, the photo's row is white
    np.testing.assert_array_equal(after[:, :48], photo)  # blend off: the photo's own pixels, in the same columns
    assert after[:, 48:].std() > 0 and (picture[:band] < 128).any() and (picture[band + 36 : 2 * band + 36] < 128).any()
