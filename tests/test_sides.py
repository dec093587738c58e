"""Painting every side: a rows generator for the top and bottom, the sizes and sides a photo can
grow to, the rows' evaluation protocol, and the command line's targets."""

import numpy as np
import pytest
from PIL import Image

from outpaint_lib.errors import CheckpointError
from outpaint_lib.geometry import strip_frame
from outpaint_lib.inference import Outpainter
from outpaint_lib.sizing import make_target, plan_rounds, target_size
from support import run_cli, smooth_image, tiny


@pytest.fixture(scope="module")
def painter(every_side_checkpoint):
    return Outpainter.load(every_side_checkpoint, precision="float32")


def test_a_checkpoint_with_a_rows_folder_paints_both_axes(painter):
    assert painter.config.strip_axis == "columns" and painter.other_axis.config.strip_axis == "rows"
    assert painter.for_axis("rows") is painter.other_axis and painter.for_axis("columns") is painter
    assert painter.replace(texture="none").other_axis.settings.texture == "none"


def test_a_rows_folder_that_paints_columns_is_refused(tmp_path):
    from conftest import save_lively_generator

    save_lively_generator(tmp_path, seed=1)
    save_lively_generator(tmp_path / "rows", seed=2)
    with pytest.raises(CheckpointError, match="paints the columns"):
        Outpainter.load(tmp_path)


def test_a_rows_generator_learns_from_transposed_photos_in_their_own_orientation(tmp_path):
    from outpaint_lib import pipeline
    from outpaint_lib.image_folders import scan_folder
    from outpaint_lib.images import load_square

    for index in range(4):
        Image.fromarray(smooth_image(40, 48, seed=index)).save(tmp_path / f"{index}.png")
    config = tiny(strip_axis="rows", horizontal_flip=True)
    folder = scan_folder(tmp_path, config.image_size)
    squares = [load_square(path, config.image_size) for path in folder.paths]
    # Flipped left to right (sky stays up) before the transpose: each is a photo or its mirror image.
    allowed = [strip_frame(image, "rows") for square in squares for image in (square, square[:, ::-1])]
    batch = next(iter(pipeline.training_dataset(folder, config, seed=0))).numpy()
    for image in np.rint(batch * 255).astype(np.uint8):
        assert any(np.array_equal(image, candidate) for candidate in allowed)
    example = next(iter(pipeline.evaluation_dataset(folder, config)))
    np.testing.assert_allclose(example["image"].numpy()[0] * 255, strip_frame(squares[0], "rows"), atol=1e-3)


def test_the_top_and_bottom_are_the_rows_generators_columns_of_the_transposed_photo(painter):
    photo = smooth_image(32, 48, seed=3)
    result = painter.outpaint(photo, side="top,bottom", blend=False)
    rows = painter.other_axis
    turned = strip_frame(photo, "rows")
    expected = rows.composite(turned, *rows.generate_strips(turned[None])[0], blend=False)
    np.testing.assert_array_equal(result, strip_frame(expected, "rows"))
    assert result.shape == (32 + 2 * 12, 48, 3)  # a quarter of the width, top and bottom


@pytest.mark.parametrize("side", ["left", "right", "top", "bottom", "both", "top,bottom", "left,top", "all"])
@pytest.mark.parametrize("target", [dict(times=1), dict(times=2), dict(width=70, height=50), dict(aspect="1:1"),
                                    dict(aspect="2:1")])
def test_every_side_and_target_grows_around_the_photos_own_pixels(painter, side, target):
    from outpaint_lib.sizing import TargetError

    photo = smooth_image(32, 44, seed=4)
    request = make_target(side=side, **target)
    try:
        final = target_size(32, 44, request)
    except TargetError:  # a side that cannot reach the target, or one already met: refused alike
        with pytest.raises(TargetError):
            painter.outpaint(photo, blend=False, side=side, **target)
        return
    result = painter.outpaint(photo, blend=False, side=side, **target)
    assert result.shape[:2] == final
    rounds = plan_rounds(32, 44, final, request.sides)
    top = sum(step.first for step in rounds if step.axis == "rows")
    left = sum(step.first for step in rounds if step.axis == "columns")
    np.testing.assert_array_equal(result[top : top + 32, left : left + 44], photo)
    for name in ("left", "right", "top", "bottom"):
        grew = {"left": left, "top": top, "right": final[1] - 44 - left, "bottom": final[0] - 32 - top}[name]
        assert (grew > 0) <= (name in request.sides)


def test_all_sides_paint_the_columns_then_the_rows_across_them(painter):
    """The corners come from the rows generator painting over the widened photo, so the corner
    continues both strips it meets rather than being filled by neither."""
    photo = smooth_image(32, 40, seed=5)
    rounds = painter.outpaint_rounds(photo, side="all", blend=False)
    assert [image.shape[:2] for image in rounds] == [(32, 56), (32 + 2 * 14, 56)]
    widened = painter.outpaint(photo, side="both", blend=False)
    np.testing.assert_array_equal(rounds[0], widened)
    np.testing.assert_array_equal(rounds[1], painter.outpaint(widened, side="top,bottom", blend=False))


def test_later_rows_keep_the_generators_colours_and_later_columns_the_photos_edge(painter):
    """A sky deepens upward: a second round's top strip brought to the colour of the photo's top
    edge showed as a pale band above the first round's (the 4:5 portrait of cozumel_14.jpg).
    Only the left and right keep the photo's edge colour over rounds."""
    photo = smooth_image(32, 40, seed=5)
    for side, axis_changes in (("top,bottom", False), ("both", True)):
        steady = painter.outpaint(photo, side=side, times=2, blend=False)
        drifting = painter.replace(steady_colour=False).outpaint(photo, side=side, times=2, blend=False)
        assert (np.abs(steady.astype(int) - drifting).max() > 3) == axis_changes, side


def test_a_landscape_photo_becomes_a_portrait_with_its_own_pixels_inside(every_side_checkpoint, tmp_path):
    photo = smooth_image(40, 60, seed=6)
    Image.fromarray(photo).save(tmp_path / "landscape.png")
    out = tmp_path / "portrait.png"
    result = run_cli("paint", str(tmp_path / "landscape.png"), "-o", str(out), "--aspect", "4:5", "--no-blend",
                     "--checkpoint", str(every_side_checkpoint), "--runtime", "keras", "--precision", "float32")
    assert result.returncode == 0, result.stderr
    painted = np.asarray(Image.open(out))
    assert painted.shape == (75, 60, 3) and abs(painted.shape[1] / painted.shape[0] - 4 / 5) * painted.shape[0] <= 1
    top = (75 - 40) // 2  # the odd row goes to the bottom
    np.testing.assert_array_equal(painted[top : top + 40], photo)


def test_top_and_bottom_without_a_rows_generator_is_one_line(checkpoint, tmp_path):
    Image.fromarray(smooth_image(32, 32)).save(tmp_path / "photo.png")
    result = run_cli("paint", str(tmp_path / "photo.png"), "-o", str(tmp_path / "out"), "--side", "top",
                     "--checkpoint", str(checkpoint))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"outpaint paint: error: {checkpoint} has no generator that paints the top and bottom "
        "(a rows generator in its rows/ folder)"
    ]


def test_rows_are_scored_as_the_columns_of_the_transposed_photo(painter, tmp_path):
    from outpaint_lib.baselines import BASELINES
    from outpaint_lib.evaluation import evaluate_full_resolution
    from outpaint_lib.metrics import strip_scores

    for index in range(3):
        Image.fromarray(smooth_image(60, 90 + 6 * index, seed=index)).save(tmp_path / f"{index}.png")
    report = evaluate_full_resolution(painter, tmp_path, baselines=["edge_replication"], progress=False, axis="rows")
    assert report.axis == "rows" and report.images == 3 and "top and bottom strips of a sixth" in report.describe()
    assert set(report.scores) == {"generator", "generator+texture", "edge_replication"}
    expected = []
    for index in range(3):
        turned = strip_frame(smooth_image(60, 90 + 6 * index, seed=index), "rows")
        strip = 10  # round(60 / 6)
        filled = BASELINES["edge_replication"](turned[:, strip:-strip], strip)
        expected.append(strip_scores(turned, filled, strip)["layout"])
    assert report.scores["edge_replication"]["layout"] == pytest.approx(np.mean(expected))


def test_the_rows_sheet_paints_back_a_sixth_of_the_height_top_and_bottom(painter):
    from outpaint_lib.geometry import own_size_centre
    from outpaint_lib.showcase import full_resolution_sheet

    photo = smooth_image(60, 90, seed=7)
    centre, strip = own_size_centre(photo, "rows")
    assert strip == 10 and centre.shape == (40, 90, 3)
    np.testing.assert_array_equal(centre, photo[10:50])
    sheet = full_resolution_sheet(painter, [photo], axis="rows")
    painted = painter.outpaint(centre, side="top,bottom", height=60)
    header = sheet.shape[0] - 60 - 4
    np.testing.assert_array_equal(sheet[header : header + 60, :90], painted)
    np.testing.assert_array_equal(sheet[header : header + 60, -90:], photo)
