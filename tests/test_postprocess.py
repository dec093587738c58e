import numpy as np
import pytest

from outpaint_lib.postprocess import hide_strips, match_mean_colour, paste_centre, poisson_blend, to_uint8
from support import smooth_image


def ramp_with_offset_centre(height, width, centre_width, offset=30):
    """A smooth horizontal ramp whose centre is brighter by ``offset``: pasting leaves a seam."""
    ramp = np.linspace(20, 200, width)[None, :, None].repeat(height, 0).repeat(3, 2)
    left = (width - centre_width) // 2
    generated = np.rint(ramp).astype(np.uint8)
    centre = np.rint(ramp[:, left : left + centre_width] + offset).astype(np.uint8)
    return generated, centre, left


def seam_jumps(image, left, centre_width):
    row = image[image.shape[0] // 2, :, 0].astype(float)
    jumps = np.abs(np.diff(row))
    return jumps[left - 1], jumps[left + centre_width - 1]


def test_to_uint8_maps_both_ranges():
    np.testing.assert_array_equal(to_uint8(np.array([0.0, 0.5, 1.0, 1.2]), (0.0, 1.0)), [0, 128, 255, 255])
    np.testing.assert_array_equal(to_uint8(np.array([-1.0, 0.0, 1.0]), (-1.0, 1.0)), [0, 128, 255])


def test_paste_keeps_the_centre_exactly():
    generated, centre, left = ramp_with_offset_centre(16, 33, 15)
    pasted = paste_centre(generated, centre)
    assert pasted.shape == generated.shape
    np.testing.assert_array_equal(pasted[:, left : left + 15], centre)
    np.testing.assert_array_equal(pasted[:, :left], generated[:, :left])


@pytest.mark.parametrize("height,width,centre_width", [(128, 128, 64), (37, 91, 45), (320, 480, 240)])
def test_blending_keeps_the_size_and_removes_the_seam(height, width, centre_width):
    generated, centre, left = ramp_with_offset_centre(height, width, centre_width)
    blended = poisson_blend(generated, centre)
    assert blended.shape == generated.shape and blended.dtype == np.uint8
    assert min(seam_jumps(paste_centre(generated, centre), left, centre_width)) >= 25
    assert max(seam_jumps(blended, left, centre_width)) <= 5
    # The centre keeps its gradients: its relief is preserved, not flattened.
    relief = np.diff(blended[height // 2, left : left + centre_width, 0].astype(int))
    assert np.abs(relief - np.diff(centre[height // 2, :, 0].astype(int))).mean() < 1.5


@pytest.mark.parametrize("height,width,centre_width", [(8, 12, 6), (8, 9, 5), (9, 16, 1)])
def test_blending_tiny_images_keeps_their_size(height, width, centre_width):
    generated, centre, _ = ramp_with_offset_centre(height, width, centre_width)
    assert poisson_blend(generated, centre).shape == generated.shape


def test_blending_a_centre_close_to_the_output_changes_little():
    generated, centre, left = ramp_with_offset_centre(64, 64, 32, offset=0)
    blended = poisson_blend(generated, centre)
    assert np.abs(blended[:, left : left + 32].astype(int) - centre).max() <= 2


def test_blending_rejects_a_centre_that_does_not_fit():
    generated, centre, _ = ramp_with_offset_centre(16, 16, 8)
    with pytest.raises(ValueError):
        poisson_blend(generated, np.zeros((17, 8, 3), np.uint8))
    with pytest.raises(TypeError):
        poisson_blend(generated.astype(np.float32), centre)


def test_hide_strips_keeps_only_the_centre():
    image = smooth_image(16, 16)
    hidden = hide_strips(image, 4)
    np.testing.assert_array_equal(hidden[:, 4:12], image[:, 4:12])
    assert (hidden[:, :4] == 128).all() and (hidden[:, 12:] == 128).all()


def darkening_strip(height=20, width=16):
    """A strip that starts at the reference's colour and loses a third of it across its width."""
    falloff = np.linspace(1.0, 2 / 3, width)[None, :, None]
    colour = np.array([180.0, 150.0, 90.0])
    return np.rint(np.broadcast_to(colour * falloff, (height, width, 3))).astype(np.uint8), colour


def test_matching_the_mean_colour_undoes_a_falloff_without_a_step_at_the_seam():
    strip, colour = darkening_strip()
    reference = np.broadcast_to(colour.astype(np.uint8), (20, 8, 3))
    matched = match_mean_colour(strip, reference)
    # The first column adjoins the reference and keeps its painted colour; the strip as a whole
    # takes the reference's mean, channel by channel, and brightens toward its far end.
    np.testing.assert_array_equal(matched[:, 0], strip[:, 0])
    np.testing.assert_allclose(matched.reshape(-1, 3).mean(0), colour, atol=1.0)
    row = matched[0, :, 0].astype(int)
    assert np.abs(np.diff(row)).max() <= 3  # no step anywhere
    assert np.abs(row - colour[0]).max() <= 10 < colour[0] - strip[0, -1, 0]  # the falloff of 60 is gone


def test_a_strip_already_at_the_reference_colour_is_left_alone():
    strip = smooth_image(20, 16, seed=3)
    np.testing.assert_array_equal(match_mean_colour(strip, strip), strip)
    # One column (the last round's remainder) adjoins the reference: nothing to ramp, no step.
    grey_column = np.full((20, 1, 3), 100, dtype=np.uint8)
    np.testing.assert_array_equal(match_mean_colour(grey_column, np.full((20, 8, 3), 200, dtype=np.uint8)), grey_column)


def test_the_colour_gain_is_bounded():
    strip, _ = darkening_strip()
    white = np.full((20, 8, 3), 255, dtype=np.uint8)
    black = np.zeros((20, 8, 3), dtype=np.uint8)
    # At most double at the far end, at least half: a strip never turns into the sky beside it.
    assert match_mean_colour(strip, white)[:, -1].astype(int).max() <= 2 * strip[:, -1].max() + 1
    np.testing.assert_allclose(match_mean_colour(strip, black)[:, -1], np.rint(strip[:, -1] * 0.5), atol=1)
