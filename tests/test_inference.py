import os

import numpy as np
import pytest

from outpaint_lib.config import KERAS256
from outpaint_lib.generator_files import CheckpointError, save_generator
from outpaint_lib.inference import Outpainter
from outpaint_lib.models import build_generator
from support import REPOSITORY, smooth_image, tiny


@pytest.fixture(scope="module")
def outpainter(checkpoint):
    return Outpainter.load(checkpoint, precision="float32")


def test_one_round_turns_the_papers_centre_into_a_square(outpainter):
    assert outpainter.outpaint(smooth_image(32, 16)).shape == (32, 32, 3)


def test_five_rounds_reach_three_and_a_half_times_the_width(outpainter):
    seen = []
    rounds = outpainter.outpaint_rounds(
        smooth_image(32, 32), times=5, on_round=lambda n, image: seen.append((n, image.shape))
    )
    assert [image.shape[1] for image in rounds] == [48, 64, 80, 96, 112]
    assert seen == [(n, (32, 32 + 16 * n, 3)) for n in range(1, 6)]


@pytest.mark.parametrize("width", [13, 37, 50, 99])
def test_odd_widths_not_a_multiple_of_the_stride(outpainter, width):
    result = outpainter.outpaint(smooth_image(32, width), blend=False)
    assert result.shape == (32, width + 16, 3)


def test_without_blending_the_centre_is_exactly_the_input(outpainter):
    image = smooth_image(32, 37)
    result = outpainter.outpaint(image, blend=False)
    np.testing.assert_array_equal(result[:, 8:45], image)


def test_with_blending_the_centre_stays_close_to_the_input(outpainter):
    image = smooth_image(32, 37)
    result = outpainter.outpaint(image, blend=True)
    difference = np.abs(result[:, 8:45].astype(int) - image)
    assert result.shape == (32, 53, 3)
    assert difference.mean() < 20 and not np.array_equal(result[:, 8:45], image)


def test_a_large_photo_is_composited_at_full_resolution(outpainter):
    photo = smooth_image(320, 480, seed=3)
    pasted = outpainter.outpaint(photo, blend=False)
    blended = outpainter.outpaint(photo, blend=True)
    assert pasted.shape == blended.shape == (320, 480 + 2 * 80, 3)
    np.testing.assert_array_equal(pasted[:, 80:560], photo)  # full-resolution pixels, not upsampled
    assert np.abs(blended[:, 80:560].astype(int) - photo).mean() < 20


def test_a_huge_photo_blends_through_the_reduced_scale_correction(outpainter, monkeypatch):
    from outpaint_lib import postprocess

    monkeypatch.setattr(postprocess, "BLEND_MAX_PIXELS", 20_000)
    photo = smooth_image(160, 240, seed=4)
    full = Outpainter(outpainter.generator, outpainter.config).outpaint(photo, blend=False)
    reduced = outpainter.outpaint(photo, blend=True)
    assert reduced.shape == full.shape
    np.testing.assert_array_equal(reduced[:, :40], full[:, :40])  # strips untouched
    assert np.abs(reduced[:, 40:280].astype(int) - photo).mean() < 25


def test_batches_give_the_same_result_as_single_images(outpainter):
    images = [smooth_image(32, 20, seed) for seed in range(3)] + [smooth_image(24, 30, 9)]
    batched = outpainter.outpaint_batch(images, blend=False)
    for image, result in zip(images, batched):
        np.testing.assert_array_equal(result, outpainter.outpaint(image, blend=False))


@pytest.fixture(scope="module")
def lively(lively_checkpoint):
    """The generator's own strips (no texture stage), whose symmetries these tests check."""
    return Outpainter.load(lively_checkpoint, precision="float32", texture="none")


def single_pass(outpainter):
    return outpainter.replace(mirror_average=False, texture="none")


def test_each_strip_is_the_mean_of_the_pass_and_the_mirrored_pass(lively):
    image = smooth_image(32, 16, seed=4)
    (left, right), = lively.generate_strips(image[None])
    (direct_left, direct_right), = single_pass(lively).generate_strips(image[None])
    (mirror_left, mirror_right), = single_pass(lively).generate_strips(image[None, :, ::-1])
    expected_left = (direct_left.astype(float) + mirror_right[:, ::-1]) / 2
    expected_right = (direct_right.astype(float) + mirror_left[:, ::-1]) / 2
    # Averaged before rounding to uint8, each single pass rounded on its own: within one level.
    assert np.abs(left - expected_left).max() <= 1 and np.abs(right - expected_right).max() <= 1
    assert np.abs(direct_left.astype(int) - mirror_right[:, ::-1]).max() > 2  # the passes do differ


def test_mirror_averaging_makes_outpainting_commute_with_mirroring(lively):
    image = smooth_image(32, 20, seed=5)
    averaged = lively.outpaint(image, blend=False)
    np.testing.assert_allclose(lively.outpaint(image[:, ::-1], blend=False), averaged[:, ::-1], atol=1)
    # A random generator is not symmetric: one pass alone does not commute.
    once = single_pass(lively)
    mirrored = once.outpaint(image[:, ::-1], blend=False).astype(int)
    assert np.abs(mirrored - once.outpaint(image, blend=False)[:, ::-1]).max() > 2


def _edge_colours(image: np.ndarray, strip: int) -> list[np.ndarray]:
    return [part.reshape(-1, 3).mean(0) for part in (image[:, :strip], image[:, -strip:])]


def test_later_rounds_take_the_colour_of_the_photos_edge(lively, monkeypatch):
    """Rounds after the first once took the colour of the strip they continued, so the first
    round's falloff toward the borders stayed in every later one: five rounds ended 11 % darker
    than the photo. Each later round on an axis now takes the colour of the image's edges as
    they were before that axis' first round: the photo's own, for columns."""
    photo = smooth_image(32, 32, seed=6)
    seen = []
    original = lively.outpaint_batch

    def spying(images, *rest, grown_from=None, **options):
        seen.append(grown_from)
        return original(images, *rest, grown_from=grown_from, **options)

    monkeypatch.setattr(lively, "outpaint_batch", spying)
    rounds = lively.outpaint_rounds(photo, times=3, blend=False)
    assert seen[0] == [None] and all(np.array_equal(later[0], photo) for later in seen[1:]) and len(seen) == 3
    drifting = lively.replace(steady_colour=False).outpaint_rounds(photo, times=3, blend=False)
    np.testing.assert_array_equal(rounds[0], drifting[0])  # the first round is the model's own
    assert np.abs(rounds[-1].astype(int) - drifting[-1]).max() > 3


def test_a_colour_reference_gives_each_strip_the_mean_colour_of_its_edge(lively):
    image = smooth_image(32, 32, seed=6)
    reference = (smooth_image(32, 40, seed=3) * 0.3 + 90).astype(np.uint8)
    strip = np.full((32, 8, 3), (120, 125, 130), np.uint8)
    painted = lively.composite(image, strip, strip, blend=False, colour_reference=reference)
    for new, edge in zip(_edge_colours(painted, 8), _edge_colours(reference, 8)):
        np.testing.assert_allclose(new, edge, atol=0.6)
    np.testing.assert_array_equal(painted[:, 8:40], image)


def test_later_rounds_keep_their_colour_through_the_texture_stage_too(lively):
    """The texture stage brings its copied texture to the generator's level by a gain, which
    leaves the level a little off; over recursive rounds, each copying the last, that added up
    to darker far ends. The strips are matched again after it."""
    image = smooth_image(48, 48, seed=7)
    textured = lively.replace(texture="photo")
    reference = (smooth_image(48, 48, seed=3) * 0.3 + 90).astype(np.uint8)
    strips = textured.generate_strips(image[None])[0]
    painted = textured.composite(image, *strips, blend=False, colour_reference=reference)
    for new, edge in zip(_edge_colours(painted, 12), _edge_colours(reference, 12)):
        np.testing.assert_allclose(new, edge, atol=1.5)


def test_one_reference_image_per_image_or_none(outpainter):
    with pytest.raises(ValueError, match="2 grown_from images for 1 images"):
        outpainter.outpaint_batch([smooth_image(32, 32)], grown_from=[None, None])


def test_crop_mode_generators_outpaint_too(tmp_path):
    config = tiny(KERAS256)
    save_generator(build_generator(config), config, tmp_path)
    outpainter = Outpainter.load(tmp_path)
    assert outpainter.outpaint(smooth_image(32, 16)).shape == (32, 32, 3)
    assert outpainter.outpaint(smooth_image(40, 70), blend=False).shape == (40, 90, 3)


TARGETS = {
    "times": dict(times=3),
    "width": dict(width=77),
    "aspect": dict(aspect="16:9"),
    "aspect_number": dict(aspect=2.35),
}


@pytest.mark.parametrize("side", ["both", "left", "right"])
@pytest.mark.parametrize("target", TARGETS)
def test_every_side_and_target_paints_to_the_exact_size_around_the_untouched_photo(outpainter, side, target):
    height, width = 36, 41  # strips of 9 columns at this height
    image = smooth_image(height, width)
    result = outpainter.outpaint(image, blend=False, side=side, **TARGETS[target])
    expected_width = {"times": width + 3 * 9 * (2 if side == "both" else 1), "width": 77,
                      "aspect": round(36 * 16 / 9), "aspect_number": round(36 * 2.35)}[target]
    assert result.shape == (height, expected_width, 3)
    extra = expected_width - width
    left = {"both": extra // 2, "left": extra, "right": 0}[side]
    np.testing.assert_array_equal(result[:, left : left + width], image)


def test_the_last_round_paints_only_the_columns_still_needed(outpainter):
    seen = []
    outpainter.outpaint(smooth_image(32, 20), width=59, side="both", blend=False,
                        on_round=lambda n, image: seen.append(image.shape[1]))
    assert seen == [36, 52, 59]  # 8 + 8 columns a round, then 3 + 4 (the right side one more)


def test_five_rounds_leave_the_photos_own_pixels_bit_for_bit(outpainter):
    image = smooth_image(40, 52, seed=3)
    rounds = outpainter.outpaint_rounds(image, times=5, blend=False, side="left")
    assert [result.shape[1] for result in rounds] == [52 + 10 * n for n in range(1, 6)]
    for result in rounds:
        np.testing.assert_array_equal(result[:, -52:], image)
    # Each round also keeps the previous round's painted pixels as they were.
    for before, after in zip(rounds, rounds[1:]):
        np.testing.assert_array_equal(after[:, -before.shape[1]:], before)


def test_blending_one_side_keeps_the_photo_close_at_its_own_position(outpainter):
    image = smooth_image(32, 37)
    result = outpainter.outpaint(image, side="right", blend=True)
    assert result.shape == (32, 45, 3)
    assert np.abs(result[:, :37].astype(int) - image).mean() < 20


def test_bad_arguments(outpainter, tmp_path):
    from outpaint_lib.sizing import TargetError

    with pytest.raises(ValueError, match="uint8"):
        outpainter.outpaint(np.zeros((32, 32, 3), np.float32))
    with pytest.raises(ValueError, match="times"):
        outpainter.outpaint(smooth_image(32, 32), times=0)
    with pytest.raises(TargetError, match="already"):
        outpainter.outpaint(smooth_image(32, 64), aspect="2:1")
    with pytest.raises(CheckpointError, match="no generator that paints the top and bottom"):
        outpainter.outpaint(smooth_image(32, 64), aspect="16:9")  # it would have to grow taller
    with pytest.raises(TargetError, match="one of"):
        outpainter.outpaint(smooth_image(32, 32), times=2, width=90)
    with pytest.raises(TargetError, match="pixels"):
        outpainter.outpaint(smooth_image(32, 32), width=10_000, max_pixels=100_000)
    with pytest.raises(CheckpointError):
        Outpainter.load(tmp_path / "absent")


def test_bfloat16_inference_stays_close_to_float32(checkpoint):
    image = smooth_image(32, 40)
    exact = Outpainter.load(checkpoint, precision="float32", texture="none").outpaint(image, blend=False)
    fast = Outpainter.load(checkpoint, precision="mixed_bfloat16", texture="none").outpaint(image, blend=False)
    np.testing.assert_array_equal(exact[:, 8:48], fast[:, 8:48])
    assert np.abs(exact.astype(int) - fast).mean() < 3


def test_auto_precision_follows_the_cpu(monkeypatch):
    from outpaint_lib import runtime

    monkeypatch.setattr(runtime, "native_bfloat16", lambda: True)
    assert runtime.resolve_precision("auto") == "mixed_bfloat16"
    monkeypatch.setattr(runtime, "native_bfloat16", lambda: False)
    assert runtime.resolve_precision("auto") == "float32"
    assert runtime.resolve_precision("float32") == "float32"


def horizon_image(height: int, width: int) -> np.ndarray:
    """A generated seascape: pale sky over dark sea, the horizon a little above the middle."""
    generator = np.random.default_rng(0)
    image = np.empty((height, width, 3), np.float64)
    horizon = int(height * 0.45)
    image[:horizon] = (150, 195, 235)
    image[horizon:] = (25, 85, 135)
    image += generator.normal(0, 4, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def test_the_shipped_beach_model_loads_offline_and_continues_a_horizon(monkeypatch):
    import socket

    def no_network(*arguments, **options):
        raise AssertionError("the shipped checkpoint must load without network access")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    painter = Outpainter.load(precision="float32")  # the default: checkpoint/
    assert painter.config.image_size == 128
    image = horizon_image(128, 96)
    result = painter.outpaint(image, blend=False)
    assert result.shape == (128, 96 + 2 * 32, 3)
    np.testing.assert_array_equal(result[:, 32:128], image)
    # The painted strips carry the sky above the horizon and the sea below it.
    for strip in (result[:, :32].astype(int), result[:, -32:].astype(int)):
        assert np.abs(strip[8:48].mean(axis=(0, 1)) - (150, 195, 235)).max() < 30
        assert np.abs(strip[72:120].mean(axis=(0, 1)) - (25, 85, 135)).max() < 30


def test_the_texture_stage_keeps_the_photo_and_the_generators_layout_and_adds_detail():
    from outpaint_lib.metrics import strip_detail, strip_layout

    photo = horizon_image(128, 192)
    photo = np.clip(photo + np.random.default_rng(1).normal(0, 12, photo.shape), 0, 255).astype(np.uint8)
    textured_painter = Outpainter.load(precision="float32")  # the shipped model: smooth strips
    plain = textured_painter.replace(texture="none").outpaint(photo, blend=False)
    textured = textured_painter.outpaint(photo, blend=False)
    np.testing.assert_array_equal(textured[:, 32:-32], photo)
    truth = np.concatenate([photo[:, :32], photo, photo[:, -32:]], axis=1)  # a stand-in with the photo's texture
    assert strip_detail(truth, plain, 32) < 0.3
    assert 0.7 < strip_detail(truth, textured, 32) < 1.3
    assert strip_layout(plain, textured, 32) < 6  # the generator's bands and colours, seen coarsely
    np.testing.assert_array_equal(textured, textured_painter.outpaint(photo, blend=False))
    assert not np.array_equal(textured, textured_painter.replace(seed=1).outpaint(photo, blend=False))
    with pytest.raises(ValueError, match="texture"):
        textured_painter.replace(texture="noise")


def test_a_path_paints_like_the_array_it_holds(checkpoint, tmp_path):
    """Issue 19, defect 8: ``Outpainter.outpaint("photo.jpg")`` failed with AttributeError."""
    from PIL import Image

    image = smooth_image(32, 40)
    Image.fromarray(image).save(tmp_path / "photo.png")
    painter = Outpainter.load(checkpoint, precision="float32")
    np.testing.assert_array_equal(painter.outpaint(tmp_path / "photo.png"), painter.outpaint(image))
    assert painter.outpaint_rounds(str(tmp_path / "photo.png"), times=2)[-1].shape == (32, 72, 3)


def test_importing_the_inference_api_prints_nothing():
    """Issue 19, defect 8: the README's Python lines printed TensorFlow's start-up logs."""
    import os
    import subprocess
    import sys

    environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    for runtime in ("auto", "keras"):  # LiteRT, and the fallback that starts TensorFlow
        script = (
            "import numpy as np\n"
            "from outpaint_lib.inference import Outpainter\n"
            f"painter = Outpainter.load(runtime={runtime!r})\n"
            "rounds = painter.outpaint_rounds(np.full((64, 96, 3), 90, np.uint8), times=2)\n"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                                env=environment)
        assert result.returncode == 0 and result.stderr == "" and result.stdout == "", (runtime, result.stderr)


def test_a_very_wide_image_is_painted_from_the_parts_next_to_its_strips(outpainter, monkeypatch):
    """Issue 19, defect 12: a 6000 x 40 photo took 5.8 GB, as the generator saw its whole width."""
    from outpaint_lib import inference

    seen = []
    predict = outpainter._predict
    monkeypatch.setattr(outpainter, "_predict", lambda inputs: seen.append(inputs.shape) or predict(inputs))
    image = smooth_image(16, 3000)
    result = outpainter.outpaint(image, blend=False)
    assert result.shape == (16, 3008, 3)
    np.testing.assert_array_equal(result[:, 4:-4], image)
    window = inference.CONTEXT_ASPECT * outpainter.config.image_size
    assert seen and all(shape[2] <= window + 2 * outpainter.config.strip_width for shape in seen)
    # Each strip is the one painted for the part of the photo next to it, alone.
    part = inference.CONTEXT_ASPECT * 16
    alone_left = outpainter.outpaint(np.ascontiguousarray(image[:, :part]), blend=False)
    alone_right = outpainter.outpaint(np.ascontiguousarray(image[:, -part:]), blend=False)
    np.testing.assert_array_equal(result[:, :4], alone_left[:, :4])
    np.testing.assert_array_equal(result[:, -4:], alone_right[:, -4:])


@pytest.mark.slow
def test_an_installed_wheel_paints_with_the_model_it_carries(tmp_path):
    """Issue 19: ``checkpoint/`` lived outside the package, so a non-editable install had no
    default model. The wheel is built from a copy of the sources and used with no repository
    on the path."""
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPOSITORY / name, source / name)
    for name in ("outpaint_lib", "checkpoint"):
        shutil.copytree(REPOSITORY / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            str(source), "-w", str(tmp_path / "wheel")], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "wheel").glob("outpaint-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import numpy as np, outpaint_lib\n"
        "from outpaint_lib.config import DEFAULT_CHECKPOINT\n"
        "from outpaint_lib.inference import Outpainter\n"
        "painter = Outpainter.load(precision='float32')\n"
        "painted = painter.outpaint(np.full((64, 96, 3), 120, np.uint8))\n"
        "taller = painter.outpaint(np.full((64, 96, 3), 120, np.uint8), side='top,bottom')\n"
        "from importlib import resources\n"
        "assert resources.files('outpaint_lib.web').joinpath('index.html').is_file()  # outpaint serve's page\n"
        "print(outpaint_lib.__file__, DEFAULT_CHECKPOINT, painted.shape, taller.shape)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(site), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    module, checkpoint, *shapes = result.stdout.split()
    assert module.startswith(str(site)) and checkpoint == str(site / "outpaint_lib" / "checkpoint")
    assert " ".join(shapes) == "(64, 128, 3) (112, 96, 3)"  # a quarter of the width, top and bottom


def test_a_missing_file_is_named_and_a_pil_image_is_accepted(checkpoint, tmp_path):
    """Issue 30, defect 10: ``outpaint("nowhere.jpg")`` said only "file not found"; a PIL image
    failed deep inside NumPy."""
    from PIL import Image

    from outpaint_lib.errors import ImageError

    painter = Outpainter.load(checkpoint, precision="float32")
    with pytest.raises(ImageError, match=f"^{tmp_path / 'nowhere.jpg'}: file not found$"):
        painter.outpaint(tmp_path / "nowhere.jpg")
    image = smooth_image(32, 40)
    np.testing.assert_array_equal(painter.outpaint(Image.fromarray(image)), painter.outpaint(image))
    np.testing.assert_array_equal(painter.outpaint(Image.fromarray(image).convert("RGBA")), painter.outpaint(image))
    with pytest.raises(TypeError, match="expected a uint8 RGB array, a PIL image or an image file's path, not list"):
        painter.outpaint(image.tolist())
