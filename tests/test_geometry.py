import numpy as np

from outpaint_lib import geometry
from outpaint_lib.config import KERAS256, PAPER, UNET
from support import smooth_image, tiny


def test_split_and_assemble_reproduce_the_image_exactly():
    image = smooth_image(32, 32)
    centre, strips = geometry.split_image(image, 8)
    assert centre.shape == (32, 16, 3) and tuple(strips.shape) == (32, 16, 3)
    np.testing.assert_array_equal(np.asarray(strips)[:, :8], image[:, :8])
    np.testing.assert_array_equal(np.asarray(strips)[:, 8:], image[:, 24:])
    np.testing.assert_array_equal(np.asarray(geometry.assemble_image(centre, strips)), image)


def test_split_works_on_batches():
    batch = np.stack([smooth_image(16, 16, seed) for seed in range(3)]).astype(np.float32)
    centre, strips = geometry.split_image(batch, 4)
    assert centre.shape == (3, 16, 8, 3) and tuple(strips.shape) == (3, 16, 8, 3)
    np.testing.assert_array_equal(np.asarray(geometry.assemble_image(centre, strips)), batch)


def test_masked_input_fills_the_strips_with_the_centre_mean_and_marks_them():
    centre = np.random.default_rng(0).uniform(size=(2, 16, 8, 3)).astype(np.float32)
    masked = np.asarray(geometry.masked_input(centre, 4))
    assert masked.shape == (2, 16, 16, 4)
    np.testing.assert_array_equal(masked[..., 4:12, :3], centre)
    for index in range(2):
        np.testing.assert_allclose(masked[index, :, :4, :3], centre[index].mean(), rtol=1e-6)
        np.testing.assert_allclose(masked[index, :, 12:, :3], centre[index].mean(), rtol=1e-6)
    np.testing.assert_array_equal(masked[..., :4, 3], 1)
    np.testing.assert_array_equal(masked[..., 12:, 3], 1)
    np.testing.assert_array_equal(masked[..., 4:12, 3], 0)


def test_edge_fill_repeats_the_centres_outermost_columns():
    centre = np.random.default_rng(0).uniform(size=(2, 16, 8, 3)).astype(np.float32)
    masked = np.asarray(geometry.masked_input(centre, 4, fill="edge"))
    np.testing.assert_array_equal(masked[..., 4:12, :3], centre)
    np.testing.assert_array_equal(masked[..., :4, :3], np.repeat(centre[..., :1, :], 4, axis=-2))
    np.testing.assert_array_equal(masked[..., 12:, :3], np.repeat(centre[..., -1:, :], 4, axis=-2))
    np.testing.assert_array_equal(masked[..., 3], np.asarray(geometry.masked_input(centre, 4))[..., 3])


def test_the_patch_discriminator_sees_the_real_centre_between_the_generated_strips():
    config = tiny(UNET)
    image = smooth_image(32, 32).astype(np.float32) / 255
    centre, _ = geometry.split_image(image, 8)
    painted = np.zeros_like(image)
    composite = np.asarray(geometry.generated_image(painted, centre, config))
    np.testing.assert_array_equal(composite[:, 8:24], image[:, 8:24])
    np.testing.assert_array_equal(composite[:, :8], 0)
    np.testing.assert_array_equal(composite[:, 24:], 0)
    # The paper's discriminator judges the generator's whole output, as its code did.
    np.testing.assert_array_equal(np.asarray(geometry.generated_image(painted, centre, tiny(PAPER))), painted)


def test_generator_input_and_output_layout_per_mode():
    image = smooth_image(32, 32).astype(np.float32) / 255
    mask_config, crop_config = tiny(PAPER), tiny(KERAS256)
    centre, strips = geometry.split_image(image, 8)
    assert tuple(geometry.generator_input(centre, mask_config).shape) == (32, 32, 4)
    assert tuple(geometry.generator_input(centre, crop_config).shape) == (32, 16, 3)
    # Mask mode: the generator paints the whole image; crop mode: it paints only the strips.
    np.testing.assert_array_equal(np.asarray(geometry.generated_strips(image, mask_config)), strips)
    np.testing.assert_array_equal(np.asarray(geometry.generated_image(strips, centre, crop_config)), image)
    assert tuple(geometry.discriminator_view(image, crop_config).shape) == (32, 16, 3)
    assert tuple(geometry.discriminator_view(image, mask_config).shape) == (32, 32, 3)


def test_the_own_size_centre_hides_a_quarter_of_the_height_on_each_side():
    """Issue 31: the evaluation protocol's rule, written once."""
    from outpaint_lib.geometry import own_size_centre

    photo = np.arange(30 * 50 * 3, dtype=np.uint8).reshape(30, 50, 3)
    centre, strip = own_size_centre(photo)
    assert strip == 8 and centre.shape == (30, 34, 3) and centre.flags.c_contiguous
    np.testing.assert_array_equal(centre, photo[:, 8:42])
