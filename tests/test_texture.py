"""The texture stage on generated images: the generator's layout kept, the photo's texture
copied in, the photo untouched, deterministic for a seed, at every size."""

import dataclasses

import cv2
import numpy as np
import pytest

from outpaint_lib.metrics import strip_detail, strip_layout, strip_seam
from outpaint_lib.texture import AXIS_SETTINGS, DEFAULT_SETTINGS, TextureSettings, texture_strips


def _two_textures(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Blue noise texture above, sand-coloured below: a sky and a beach, as it were."""
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3), np.float64)
    image[: height // 2] = (70, 120, 200)
    image[height // 2 :] = (200, 180, 120)
    image += rng.normal(0, 18, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _smeared(image: np.ndarray, strip: int) -> np.ndarray:
    """The image with its strips replaced by their row means: a generator's smooth layout."""
    canvas = image.copy()
    for columns in (slice(0, strip), slice(image.shape[1] - strip, None)):
        canvas[:, columns] = image[:, columns].mean(axis=1, keepdims=True).astype(np.uint8)
    return canvas


def test_the_strips_get_the_photos_texture_in_the_generators_layout():
    truth = _two_textures(96, 160)
    strip = 24
    guide = _smeared(truth, strip)
    textured = texture_strips(guide, strip, strip, seed=0)
    assert strip_detail(truth, guide, strip) < 0.2
    assert 0.7 <= strip_detail(truth, textured, strip) <= 1.3
    assert 0.7 <= strip_seam(truth, textured, strip) <= 1.3
    assert strip_layout(truth, textured, strip) <= strip_layout(truth, guide, strip) + 3


def test_the_layout_follows_the_guide_not_the_photo():
    """A guide that puts the sand higher on the right than the photo has it: the texture follows."""
    photo = _two_textures(96, 160)
    guide = photo.copy()
    guide[24:48, -24:] = (200, 180, 120)  # sand from a quarter of the height in the right strip
    textured = texture_strips(guide, 0, 24, seed=0)
    band = textured[28:44, -20:].reshape(-1, 3).mean(axis=0)
    assert np.abs(band - (200, 180, 120)).max() < 20
    assert textured[28:44, -20:].std(axis=(0, 1)).mean() > 8  # textured, not flat


def test_texture_brought_into_a_brighter_band_brightens_with_it():
    """The layout goes back as a gain, the way light changes a scene: the texture's contrast
    grows with its level. Added as an offset, the same texture lies under a haze: its level
    raised, its contrast not (the correction a classifier spotted)."""
    rng = np.random.default_rng(5)
    photo = np.clip(np.rint(60 + rng.normal(0, 12, (96, 160, 3))), 0, 255).astype(np.uint8)
    canvas = photo.copy()
    canvas[:, -32:] = 180  # the generator paints the right strip three times as bright
    relative = {}
    for correction in ("gain", "offset"):
        strip = texture_strips(canvas, 0, 32, settings=TextureSettings(layout_correction=correction))[:, -24:]
        strip = strip.astype(float)
        assert abs(strip.mean() - 180) < 15  # the generator's level either way
        relative[correction] = strip.std() / strip.mean()
    photo_relative = photo.std() / photo.mean()
    assert 0.7 <= relative["gain"] / photo_relative <= 1.3
    assert relative["offset"] / photo_relative < 0.5


def test_the_photos_own_pixels_are_returned_untouched():
    canvas = _smeared(_two_textures(64, 100, seed=3), 16)
    textured = texture_strips(canvas, 16, 10, seed=0)
    np.testing.assert_array_equal(textured[:, 16:-10], canvas[:, 16:-10])
    assert textured.shape == canvas.shape and textured.dtype == np.uint8


def test_the_same_seed_paints_the_same_pixels_and_another_seed_others():
    canvas = _smeared(_two_textures(64, 120, seed=4), 16)
    first, again = (texture_strips(canvas, 16, 16, seed=7) for _ in range(2))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, texture_strips(canvas, 16, 16, seed=8))


@pytest.mark.parametrize("height, width, left, right", [
    (8, 8, 2, 2), (8, 9, 0, 2), (9, 8, 2, 0), (8, 20, 1, 1), (13, 11, 3, 4), (40, 12, 10, 0), (12, 200, 3, 3),
])
def test_any_size_down_to_the_smallest_accepted(height, width, left, right):
    canvas = _two_textures(height, width + left + right, seed=height)
    textured = texture_strips(canvas, left, right, seed=0)
    assert textured.shape == canvas.shape
    middle = slice(left, canvas.shape[1] - right)
    np.testing.assert_array_equal(textured[:, middle], canvas[:, middle])


def test_a_large_photo_is_textured_at_a_working_size_and_keeps_its_detail():
    truth = _two_textures(480, 720, seed=5)
    strip = 120
    textured = texture_strips(_smeared(truth, strip), strip, strip, seed=0,
                              settings=TextureSettings(working_height=120))
    assert 0.7 <= strip_detail(truth, textured, strip) <= 1.3


def test_bad_arguments_are_refused():
    canvas = _two_textures(16, 16)
    with pytest.raises(ValueError, match="no photo"):
        texture_strips(canvas, 8, 8)
    with pytest.raises(ValueError, match="uint8"):
        texture_strips(canvas.astype(np.float32), 2, 2)
    with pytest.raises(ValueError, match="overlap"):
        TextureSettings(overlap=0.6)


@pytest.mark.parametrize("height, width", [(8, 8), (8, 30), (30, 8), (9, 11)])
def test_the_outpainter_textures_photos_down_to_the_smallest_accepted(checkpoint, height, width):
    from outpaint_lib.inference import Outpainter

    photo = _two_textures(height, width, seed=width)
    painter = Outpainter.load(checkpoint, precision="float32")
    assert painter.settings.texture == "photo"  # the default
    rounds = painter.outpaint_rounds(photo, times=2, blend=False)
    strip = max(1, round(height / 4))
    assert rounds[-1].shape == (height, width + 4 * strip, 3)
    np.testing.assert_array_equal(rounds[-1][:, 2 * strip : 2 * strip + width], photo)
    np.testing.assert_array_equal(rounds[0], painter.outpaint(photo, blend=False))


def _sky_over_sand_turned(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A photo with a smooth blue sky in its top 45 % and grainy sand below, transposed as the
    rows generator sees it: its top and bottom are the canvas' left and right columns."""
    rng = np.random.default_rng(seed)
    sky = int(height * 0.45)
    image = np.empty((height, width, 3), np.float64)
    image[:sky] = np.array((70, 120, 200)) + rng.normal(0, 3, (sky, width, 3))
    image[sky:] = np.array((200, 180, 120)) + rng.normal(0, 30, (height - sky, width, 3))
    return np.ascontiguousarray(np.clip(np.rint(image), 0, 255).astype(np.uint8).transpose(1, 0, 2))


def test_the_top_strip_takes_its_texture_from_the_rows_next_to_it():
    """Transposed, up and down are the canvas' columns: searched across the whole photo, the
    top strip's tiles came from wherever the guide pointed, here the sand, and not from the sky
    next to it (the grain tells them apart; each tile takes the tone of its neighbours)."""
    truth = _sky_over_sand_turned(240, 90)
    strip = 20
    guide = truth.copy()
    guide[:, :strip] = (190, 170, 125)  # a generator that guessed sand above the sky
    # The tiles chosen by the guide alone (not by the sky they overlap), before the layout goes back.
    copied = TextureSettings(layout_strength=0, overlap_weight=0)

    def grain(axis):
        top = texture_strips(guide, strip, 0, seed=0, settings=copied, axis=axis)[:, :strip].astype(float)
        return float(np.abs(top - cv2.blur(top, (5, 5))).mean())

    assert grain("rows") < 6 < 15 < grain("columns")  # a sky's grain; the sand's, as an upright photo allows
    textured = texture_strips(guide, strip, 0, seed=0, axis="rows")
    np.testing.assert_array_equal(textured[:, strip:], truth[:, strip:])


def test_rows_are_textured_deterministically_and_the_photo_untouched():
    truth = _sky_over_sand_turned(60, 80, seed=2)
    canvas = _smeared(truth, 12)
    first = texture_strips(canvas, 12, 12, seed=4, axis="rows")
    np.testing.assert_array_equal(first, texture_strips(canvas, 12, 12, seed=4, axis="rows"))
    np.testing.assert_array_equal(first[:, 12:-12], canvas[:, 12:-12])
    with pytest.raises(ValueError, match="axis"):
        texture_strips(canvas, 12, 12, axis="diagonal")


def test_rows_keep_less_of_the_copied_detail_than_columns_by_default():
    """A top strip is mostly sky, smoother than the rows its tiles come from (``AXIS_SETTINGS``)."""
    truth = _sky_over_sand_turned(60, 80, seed=2)
    canvas = _smeared(truth, 12)
    as_columns = texture_strips(canvas, 12, 12, seed=4, settings=DEFAULT_SETTINGS, axis="rows")
    as_rows = texture_strips(canvas, 12, 12, seed=4, axis="rows")
    assert AXIS_SETTINGS["columns"] == DEFAULT_SETTINGS and AXIS_SETTINGS["rows"].detail_strength < 1
    assert strip_detail(truth, as_rows, 12) < 0.9 * strip_detail(truth, as_columns, 12)
    np.testing.assert_array_equal(texture_strips(canvas, 12, 12, seed=4), texture_strips(
        canvas, 12, 12, seed=4, settings=DEFAULT_SETTINGS))


def test_a_top_strip_takes_its_tiles_from_the_rows_nearest_the_edge():
    """Further in than about a tenth of the height the rows default copies nothing, even where
    the generator's strip matches what lies there: here a grainy red band a quarter of the
    height in, where a photo has its horizon or its buildings (the grain tells the sources apart;
    each tile takes the tone of its neighbours)."""
    rng = np.random.default_rng(3)
    height, width, strip = 200, 160, 24
    image = np.empty((height, width, 3), np.float64)
    image[:50] = np.array((70, 120, 200)) + rng.normal(0, 3, (50, width, 3))
    image[50:] = np.array((200, 40, 40)) + rng.normal(0, 30, (height - 50, width, 3))
    turned = np.ascontiguousarray(np.clip(np.rint(image), 0, 255).astype(np.uint8).transpose(1, 0, 2))
    canvas = np.concatenate([np.full((width, strip, 3), (200, 40, 40), np.uint8), turned], axis=1)
    # The tiles the guide alone chooses, as they were copied.
    copied = dataclasses.replace(AXIS_SETTINGS["rows"], layout_strength=0, overlap_weight=0, detail_strength=1)

    def grain(settings):
        top = texture_strips(canvas, strip, 0, seed=0, settings=settings, axis="rows")[:, :strip].astype(float)
        return float(np.abs(top - cv2.blur(top, (5, 5))).mean())

    assert grain(copied) < 6 < 15 < grain(dataclasses.replace(copied, row_reach=0.25))
