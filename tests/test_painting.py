"""The paint command end to end, through the real command line (one subprocess per scenario)."""

import io

import numpy as np
import pytest
from PIL import Image

from outpaint_lib.inference import Outpainter
from support import REPOSITORY, marked_jpeg, png_header_only, run_cli, smooth_image


def save(image: Image.Image, path, **options):
    image.save(path, **options)
    return path


@pytest.fixture
def mixed_inputs(tmp_path):
    """The files users really have: the good ones must paint, the bad ones fail one by one."""
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    photo = Image.fromarray(smooth_image(36, 52, seed=1))
    save(photo.convert("L"), good / "grayscale.png")
    rgba = photo.convert("RGBA")
    rgba.putalpha(128)
    save(rgba, good / "rgba.png")
    save(Image.fromarray(np.asarray(photo.convert("L")).astype(np.uint16) * 257), good / "sixteen_bit.png")
    save(photo.convert("P", palette=Image.ADAPTIVE), good / "palette.png")
    save(photo.convert("CMYK"), good / "cmyk.jpg", quality=90)
    (good / "rotated.jpg").write_bytes(marked_jpeg(6))
    save(photo, good / "non_square.jpg", quality=90)
    (bad / "empty.jpg").write_bytes(b"")
    (bad / "text.jpg").write_text("this is not a picture\n")
    whole = io.BytesIO()
    photo.save(whole, format="JPEG", quality=90)
    (bad / "truncated.jpg").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    save(Image.fromarray(smooth_image(5, 40)), bad / "tiny.png")
    (bad / "huge.png").write_bytes(png_header_only(100_000, 100_000))
    return good, bad


def test_every_good_file_paints_and_every_bad_one_fails_alone(mixed_inputs, checkpoint, tmp_path):
    good, bad = mixed_inputs
    out = tmp_path / "out"
    result = run_cli(
        "paint", str(good), str(bad), str(tmp_path / "missing.jpg"), "-o", str(out),
        "--checkpoint", str(checkpoint), "--quiet",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("outpaint paint: error:")]
    expected = {
        "missing.jpg": "not found", "empty.jpg": "empty", "text.jpg": "not a recognised image",
        "truncated.jpg": "truncated", "tiny.png": "smaller than 8 pixels", "huge.png": "more than the limit",
    }
    assert len(errors) == len(expected)
    for name, message in expected.items():
        assert any(name in line and message in line for line in errors), (name, errors)
    painted = {path.name: np.asarray(Image.open(path)) for path in out.iterdir()}
    assert set(painted) == {
        "grayscale.png", "rgba.png", "sixteen_bit.png", "palette.png", "cmyk.png", "rotated.png", "non_square.png",
    }
    for name, image in painted.items():
        grey = name in ("grayscale.png", "sixteen_bit.png")  # a grey photo is written grey
        assert image.dtype == np.uint8 and image.shape[2:] == (() if grey else (3,)), name
    assert painted["non_square.png"].shape == (36, 52 + 2 * 9, 3)
    height, width = np.asarray(Image.open(io.BytesIO(marked_jpeg(1)))).shape[:2]
    assert painted["rotated.png"].shape[0] == width  # the EXIF rotation was applied first
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_recursive_rounds_and_plain_paste(checkpoint, tmp_path):
    Image.fromarray(smooth_image(32, 32)).save(tmp_path / "square.png")
    out = tmp_path / "out"
    result = run_cli(
        "paint", str(tmp_path / "square.png"), "-o", str(out), "--checkpoint", str(checkpoint),
        "--times", "5", "--no-blend",
    )
    assert result.returncode == 0, result.stderr
    painted = np.asarray(Image.open(out / "square.png"))
    assert painted.shape == (32, 112, 3)
    np.testing.assert_array_equal(painted[:, 40:72], smooth_image(32, 32))


def test_paint_keeps_later_rounds_steady_in_colour_unless_told_not_to(lively_checkpoint, tmp_path):
    photo = smooth_image(32, 32, seed=6)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    painted = {}
    for flags in ([], ["--no-steady-colour"]):
        out = tmp_path / ("drifting" if flags else "steady")
        result = run_cli("paint", str(tmp_path / "photo.png"), "-o", str(out), "--checkpoint", str(lively_checkpoint),
                         "--times", "3", "--no-blend", "--runtime", "keras", "--precision", "float32", *flags)
        assert result.returncode == 0, result.stderr
        painted[bool(flags)] = np.asarray(Image.open(out / "photo.png"))
    for drifting, image in painted.items():
        outpainter = Outpainter.load(lively_checkpoint, precision="float32", steady_colour=not drifting)
        np.testing.assert_array_equal(image, outpainter.outpaint(photo, times=3, blend=False))
    assert np.abs(painted[True].astype(int) - painted[False]).max() > 3


def test_a_missing_or_corrupt_checkpoint_is_one_clear_error(tmp_path, checkpoint):
    Image.fromarray(smooth_image(32, 32)).save(tmp_path / "photo.png")
    result = run_cli(
        "paint", str(tmp_path / "photo.png"), "-o", str(tmp_path / "out"), "--checkpoint", str(tmp_path / "nowhere")
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"outpaint paint: error: checkpoint folder not found: {tmp_path / 'nowhere'}"
    ]


def test_inputs_that_would_share_an_output_name_are_reported(checkpoint, tmp_path):
    from outpaint_lib.inference import PaintSettings
    from outpaint_lib.painting import paint_files

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        Image.fromarray(smooth_image(32, 32)).save(tmp_path / folder / "beach.png")
    seen = []
    outcome = paint_files(
        [tmp_path / "a", tmp_path / "b"], tmp_path / "out", painter=PaintSettings(checkpoint, precision="float32"),
        progress=False, listener=lambda event, path, why: event == "failed" and seen.append((path, why)),
    )
    assert [p.name for p in outcome.written] == ["beach.png"]
    assert seen == outcome.failures == [
        (str(tmp_path / "b" / "beach.png"), "output beach.png would overwrite the result of another input")
    ]


def test_an_input_is_never_written_over(checkpoint, tmp_path):
    """Issue 19, defect 1: ``paint keep.png -o .`` and ``paint folder -o folder`` replaced inputs."""
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(smooth_image(32, 40, seed=1)).save(folder / "keep.png")
    Image.fromarray(smooth_image(32, 40, seed=2)).save(folder / "other.jpg")
    before = (folder / "keep.png").read_bytes()
    result = run_cli("paint", "keep.png", "-o", ".", "--checkpoint", str(checkpoint), cwd=folder)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "outpaint paint: error: keep.png: output keep.png would write over an input; choose another output folder"
    ]
    result = run_cli("paint", str(folder), "-o", str(folder), "--checkpoint", str(checkpoint))
    assert result.returncode == 1 and "keep.png would write over an input" in result.stderr
    assert (folder / "keep.png").read_bytes() == before
    assert (folder / "other.png").is_file()  # the JPEG's result is a new file beside it
    assert "An input is never written over" in " ".join(run_cli("paint", "--help").stdout.split())


def test_every_file_of_a_folder_is_painted_failed_or_skipped_with_its_reason(checkpoint, tmp_path):
    """Issue 19, defect 10 (and 13: the same file given twice was a failure)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    photo = Image.fromarray(smooth_image(32, 40))
    photo.save(folder / "clip.gif")
    photo.save(folder / "scan.tiff")
    photo.save(folder / "download", format="PNG")  # no extension, paints by its content
    (folder / "notes.txt").write_text("tide table")
    (folder / "README").write_text("not an image either")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    result = run_cli("paint", str(folder), str(folder / "clip.gif"), "-o", str(tmp_path / "out"),
                     "--checkpoint", str(checkpoint), "--quiet")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["clip.png", "download.png", "scan.png"]
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if "error:" in line] == [
        f"outpaint paint: error: {folder / 'broken.png'}: corrupt or truncated image (unreadable header)"
    ]
    skipped = sorted(line for line in lines if "skipped" in line)
    assert skipped == sorted([
        f"outpaint paint: skipped {folder / 'notes.txt'}: not an image file (.txt)",
        f"outpaint paint: skipped {folder / 'README'}: not a recognised image format",
        f"outpaint paint: skipped {folder / 'clip.gif'}: given more than once",
    ])
    assert result.stdout.startswith(f"painted 3 image(s) into {tmp_path / 'out'} (56 x 32) in ")
    assert result.stdout.strip().endswith(" s; 1 failed; 3 skipped")


def test_nothing_to_paint_is_an_error(checkpoint, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_cli("paint", str(tmp_path / "empty"), "-o", str(tmp_path / "out"), "--checkpoint", str(checkpoint))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"outpaint paint: error: no images to paint in {tmp_path / 'empty'} (0 other file(s))"
    ]
    assert not (tmp_path / "out").exists()


def test_the_issue_example_aspect_on_one_side(checkpoint, tmp_path):
    """``paint photo --aspect 16:9 --side left``: 16:9 within a pixel, the right edge the photo's own;
    in the same run a photo already wider is skipped, not failed (issue 30, defect 5: it made the
    job exit 1), and the summary gives sizes and time."""
    photo = smooth_image(36, 48, seed=2)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    Image.fromarray(smooth_image(20, 60)).save(tmp_path / "wide.png")
    out = tmp_path / "out"
    result = run_cli("paint", str(tmp_path / "photo.png"), str(tmp_path / "wide.png"), "--aspect", "16:9", "--side",
                     "left", "--no-blend", "-o", str(out), "--checkpoint", str(checkpoint))
    assert result.returncode == 0
    assert result.stderr.strip().splitlines() == [
        f"outpaint paint: skipped {tmp_path / 'wide.png'}: the photo is 60 x 20: already aspect 1.77778 (36 px) wide "
        "or wider: nothing to paint"
    ]
    assert "painted 1 image(s)" in result.stdout and "(64 x 36) in" in result.stdout
    assert result.stdout.strip().endswith("0 failed; 1 skipped")
    assert sorted(path.name for path in out.iterdir()) == ["photo.png"]
    painted = np.asarray(Image.open(out / "photo.png"))
    assert painted.shape == (36, 64, 3) and abs(64 / 36 - 16 / 9) * 36 <= 1
    np.testing.assert_array_equal(painted[:, -48:], photo)


@pytest.mark.parametrize("arguments, message", [
    (("--width", "0"), "argument --width: must be at least 1, got 0"),
    (("--width", "-40"), "argument --width: must be at least 1, got -40"),
    (("--aspect", "16/9"), "argument --aspect: aspect '16/9' is not W:H"),
    (("--aspect", "0:1"), "argument --aspect: aspect '0:1' needs two positive numbers"),
    (("--aspect", "-16:9"), "argument --aspect: aspect '-16:9' needs two positive numbers"),
    (("--width", "90", "--aspect", "2:1"), "argument --aspect: not allowed with argument --width"),
    (("--side", "up"), "argument --side: side must be one of left, right, top, bottom, both, all or several joined"),
    (("--height", "90", "--times", "2"), "--height goes alone or with --width, not with --times or --aspect"),
    (("--width", "80000000"), "--width 80000000 would make even a 8-pixel-high photo larger than --max-pixels"),
])
def test_bad_targets_are_one_line_usage_errors(arguments, message, tmp_path, capsys):
    from outpaint_lib.cli import main

    try:
        code = main(["paint", str(tmp_path / "photo.png"), "-o", str(tmp_path / "out"), *arguments])
    except SystemExit as exit:
        code = exit.code
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_on_a_terminal_the_bar_goes_to_stderr_and_stdout_holds_only_the_summary(checkpoint, tmp_path):
    """Issue 19, defect 9: the bar's escape codes were mixed into stdout; ``--times 20`` was silent."""
    import os
    import subprocess
    import sys

    Image.fromarray(smooth_image(32, 32)).save(tmp_path / "photo.png")
    controller, terminal = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "outpaint_lib", "paint", str(tmp_path / "photo.png"), "-o", str(tmp_path / "out"),
             "--checkpoint", str(checkpoint), "--times", "4"],
            stdout=subprocess.PIPE, stderr=terminal, cwd=REPOSITORY, timeout=300, text=True,
        )
        os.close(terminal)
        drawn = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    assert result.stdout.startswith("painted 1 image(s)") and len(result.stdout.splitlines()) == 1
    assert b"4/4" in drawn and b"round" in drawn


def test_images_are_painted_in_small_batches_and_each_result_is_written_when_done(checkpoint, tmp_path, monkeypatch):
    """Issue 30, defect 4: a folder job wrote nothing until a chunk of 64 photos was done."""
    from outpaint_lib import painting
    from outpaint_lib.inference import Outpainter
    from outpaint_lib.painting import paint_files
    from outpaint_lib.sizing import Target

    folder = tmp_path / "crops"
    folder.mkdir()
    for index in range(20):
        Image.fromarray(smooth_image(32, 16, seed=index)).save(folder / f"crop_{index:02d}.png")
    outpainter = Outpainter.load(checkpoint, precision="float32")
    calls = []  # (images in the batch, round, results on the disk when it starts)
    original = outpainter.outpaint_batch
    out = tmp_path / "out"

    def counting(images, *rest, **options):
        later = all(image is not None for image in options["grown_from"])  # a later round for all of them
        calls.append((len(images), 1 + later, len(list(out.glob("*.png"))) if out.exists() else 0))
        return original(images, *rest, **options)

    monkeypatch.setattr(outpainter, "outpaint_batch", counting)
    outcome = paint_files([folder], out, Target(times=2), outpainter, progress=False)
    assert len(outcome.written) == 20
    assert calls == [(8, 1, 0), (8, 2, 0), (8, 1, 8), (8, 2, 8), (4, 1, 16), (4, 2, 16)]
    calls.clear()
    monkeypatch.setattr(painting, "CHUNK_PIXELS", 3 * 32 * 16)  # three of these images' worth
    out = tmp_path / "again"
    paint_files([folder], out, painter=outpainter, progress=False)
    assert [size for size, *_ in calls] == [3] * 6 + [2]


def test_texture_none_paints_the_generators_own_strips_and_a_seed_repeats_the_texture(lively_checkpoint, tmp_path):
    photo = smooth_image(32, 48, seed=3)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    painted = {}
    for name, flags in {"default": [], "again": [], "seed": ["--seed", "5"], "none": ["--texture", "none"]}.items():
        out = tmp_path / f"{name}.png"
        result = run_cli("paint", str(tmp_path / "photo.png"), "-o", str(out), "--checkpoint", str(lively_checkpoint),
                         "--no-blend", "--runtime", "keras", "--precision", "float32", *flags)
        assert result.returncode == 0, result.stderr
        painted[name] = np.asarray(Image.open(out))
        np.testing.assert_array_equal(painted[name][:, 8:56], photo)  # the photo's own pixels, bit for bit
    generator = Outpainter.load(lively_checkpoint, precision="float32", texture="none")
    np.testing.assert_array_equal(painted["none"], generator.outpaint(photo, blend=False))
    np.testing.assert_array_equal(painted["default"], painted["again"])
    assert not np.array_equal(painted["default"], painted["none"])
    assert not np.array_equal(painted["default"], painted["seed"])
    result = run_cli("paint", str(tmp_path / "photo.png"), "-o", str(tmp_path / "x.png"), "--texture", "noise")
    assert result.returncode == 2 and "invalid choice" in result.stderr and "Traceback" not in result.stderr


def test_the_output_folder_inside_an_input_folder_is_never_read_as_input(checkpoint, tmp_path):
    """Issue 30, defect 2: ``paint self3 -o self3/painted`` run again read its own results."""
    folder = tmp_path / "self3"
    folder.mkdir()
    for index in range(2):
        Image.fromarray(smooth_image(32, 40, seed=index)).save(folder / f"photo_{index}.png")
    for _run in range(2):
        result = run_cli(
            "paint", str(folder), "-o", str(folder / "painted"), "--checkpoint", str(checkpoint), "--quiet"
        )
        assert result.returncode == 0, result.stderr
        assert "painted 2 image(s)" in result.stdout and "0 failed" in result.stdout
    assert "in the output folder" in result.stderr
    assert sorted(path.name for path in (folder / "painted").iterdir()) == ["photo_0.png", "photo_1.png"]


def test_a_file_that_paint_did_not_write_is_never_replaced(checkpoint, tmp_path):
    """Issue 30, defect 1: ``paint self2/beach.jpg -o self2/`` replaced ``self2/beach.png``, a
    different photo that was not an input, and exited 0."""
    folder = tmp_path / "self2"
    folder.mkdir()
    Image.fromarray(smooth_image(32, 40, seed=1)).save(folder / "beach.jpg", quality=95)
    Image.fromarray(smooth_image(32, 40, seed=2)).save(folder / "beach.png")
    users = (folder / "beach.png").read_bytes()
    arguments = ("paint", str(folder / "beach.jpg"), "--checkpoint", str(checkpoint), "--quiet")
    result = run_cli(*arguments, "-o", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"outpaint paint: error: {folder / 'beach.jpg'}: {folder / 'beach.png'} exists and was not written by "
        "outpaint: left as it is (--overwrite replaces it)"
    ]
    assert (folder / "beach.png").read_bytes() == users
    # Its own earlier results are recognised and replaced: the same command runs again.
    for _ in range(2):
        result = run_cli(*arguments, "-o", str(tmp_path / "out"), "--seed", str(_))
        assert result.returncode == 0 and result.stderr == "", result.stderr
    single = tmp_path / "single.jpg"
    single.write_bytes(b"a user's file, not an image")
    result = run_cli(*arguments, "-o", str(single))
    assert result.returncode == 1 and "exists and was not written by outpaint" in result.stderr
    assert single.read_bytes() == b"a user's file, not an image"
    # --overwrite replaces a file that is not an input, never an input.
    result = run_cli(*arguments, "-o", str(folder), "--overwrite")
    assert result.returncode == 0, result.stderr
    assert (folder / "beach.png").read_bytes() != users
    assert np.asarray(Image.open(folder / "beach.png")).shape == (32, 56, 3)
    result = run_cli(
        "paint", str(folder / "beach.png"), "-o", str(folder), "--overwrite", "--checkpoint", str(checkpoint)
    )
    assert result.returncode == 1 and "would write over an input" in result.stderr


def test_a_folders_structure_is_kept_below_the_output_folder(checkpoint, tmp_path):
    """Issue 30, defect 3: ``100CANON/IMG_0001.JPG`` and ``101CANON/IMG_0001.JPG`` shared one result name."""
    nested = tmp_path / "nested"
    for index, camera_folder in enumerate(("100CANON", "101CANON")):
        (nested / camera_folder).mkdir(parents=True)
        Image.fromarray(smooth_image(32, 40, seed=index)).save(nested / camera_folder / "IMG_0001.JPG", quality=95)
    Image.fromarray(smooth_image(32, 40, seed=5)).save(nested / "top.png")
    result = run_cli("paint", str(nested), "-o", str(tmp_path / "out"), "--checkpoint", str(checkpoint), "--quiet")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    written = sorted(str(path.relative_to(tmp_path / "out")) for path in (tmp_path / "out").rglob("*.png"))
    assert written == ["100CANON/IMG_0001.png", "101CANON/IMG_0001.png", "top.png"]
    first, second = (np.asarray(Image.open(tmp_path / "out" / name)) for name in written[:2])
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("stop, code, message", [
    (KeyboardInterrupt(), 130, "outpaint paint: interrupted; 2 result(s) written into {out} before it stopped"),
    (OSError(28, "No space left on device", "x.png"), 1,
     "outpaint paint: error: x.png: No space left on device; 2 result(s) written into {out} before it stopped"),
])
def test_an_interrupted_job_keeps_and_counts_what_it_wrote(
    checkpoint, tmp_path, monkeypatch, capsys, stop, code, message
):
    """Issue 30, defect 4: Ctrl-C left no result, a full disk said only ``No space left on device``."""
    from outpaint_lib import painting
    from outpaint_lib.cli import main

    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(5):
        Image.fromarray(smooth_image(32, 40, seed=index)).save(folder / f"photo_{index}.png")
    original, calls = painting.atomic_write_bytes, []

    def write_two_then_stop(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise stop
        original(path, data)

    monkeypatch.setattr(painting, "atomic_write_bytes", write_two_then_stop)
    out = tmp_path / "out"
    assert main(["paint", str(folder), "-o", str(out), "--checkpoint", str(checkpoint), "--quiet"]) == code
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip().splitlines()[-1] == message.format(out=out)
    assert sorted(path.name for path in out.iterdir()) == ["photo_0.png", "photo_1.png"]


def test_small_mistakes_of_paint(checkpoint, lively_checkpoint, tmp_path):
    """Issue 30, defect 10: a single failed file printed 'painted 0 image(s) into out/' and left an
    empty folder; ``-o x.xyz`` became a folder; a grey photo came back tinted, in colour."""
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    result = run_cli(
        "paint", str(tmp_path / "broken.png"), "-o", str(tmp_path / "out"), "--checkpoint", str(checkpoint)
    )
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    assert result.stdout.startswith("painted 0 image(s) in ") and "into" not in result.stdout
    grey = np.asarray(Image.fromarray(smooth_image(32, 40, seed=3)).convert("L"))
    Image.fromarray(grey).save(tmp_path / "grey.png")
    result = run_cli(
        "paint", str(tmp_path / "grey.png"), "-o", str(tmp_path / "x.xyz"), "--checkpoint", str(checkpoint)
    )
    assert result.returncode == 1 and not (tmp_path / "x.xyz").exists()
    assert result.stderr.strip().splitlines() == [
        f"outpaint paint: error: {tmp_path / 'x.xyz'}: .xyz is not an image format (.png, .jpg, .jpeg, .webp, .bmp, "
        f".tif, .tiff); for a folder of that name, write {tmp_path / 'x.xyz'}/"
    ]
    result = run_cli("paint", str(tmp_path / "grey.png"), "-o", f"{tmp_path / 'x.xyz'}/", "--no-blend",
                     "--checkpoint", str(lively_checkpoint), "--runtime", "keras", "--precision", "float32")
    assert result.returncode == 0, result.stderr
    painted = Image.open(tmp_path / "x.xyz" / "grey.png")
    assert painted.mode == "L" and painted.size == (56, 32)
    np.testing.assert_array_equal(np.asarray(painted)[:, 8:48], grey)
    coloured = Outpainter.load(lively_checkpoint, precision="float32").outpaint(np.repeat(grey[:, :, None], 3, axis=2))
    assert np.array_equal(coloured[:, :, 0], coloured[:, :, 1]) and np.array_equal(coloured[:, :, 1], coloured[:, :, 2])
