import keras
import numpy as np
import pytest
import tensorflow as tf

from outpaint_lib.config import KERAS256, PAPER, PAPER_LOCAL, UNET
from outpaint_lib.geometry import input_stride
from outpaint_lib.models import (
    UNET_FILTERS,
    FourierUnit,
    GatedActivation,
    ResizeByTwo,
    RowContext,
    _fourier_matrices,
    build_discriminator,
    build_generator,
    parameter_counts,
)
from support import tiny


def test_paper_parameter_counts_match_the_reference():
    assert parameter_counts(PAPER) == {"generator": 3_335_747, "discriminator": 886_401, "total": 4_222_148}


def test_paper_local_parameter_counts_match_the_reference():
    counts = parameter_counts(PAPER_LOCAL)
    assert counts["discriminator"] == 2_195_137
    # 4 conv layers (2,432 + 51,264 + 2 x 102,464) and dense 2,048 -> 512 (1,049,088).
    assert counts["local_discriminator"] == 1_307_712
    assert counts["total"] == 3_335_747 + 2_195_137


def test_keras256_parameter_counts_follow_reference_b_table():
    # Generator: the 13 convolutions of reference B's table hold 35,140,291 weights and biases;
    # each of the 12 inner ones is followed by an instance normalization with a scale and an
    # offset per channel: 2 x (64+128+256+512x8+256+128+128+64) = 10,240. Total 35,150,531.
    # Discriminator: convs 2,432 + 51,264 + 102,464 + 204,928 + 409,728, dense 4,096 -> 1,024
    # (4,195,328) and dense 1,024 -> 1 (1,025): 4,967,169.
    assert parameter_counts(KERAS256) == {
        "generator": 35_150_531, "discriminator": 4_967_169, "total": 40_117_700,
    }


@pytest.mark.parametrize("preset", [PAPER, PAPER_LOCAL, KERAS256], ids=lambda c: c.name)
def test_shapes_ranges_and_names(preset):
    config = tiny(preset)
    generator, discriminator = build_generator(config), build_discriminator(config)
    channels, width = (4, 32) if config.input_mode == "mask" else (3, 16)
    inputs = np.random.default_rng(0).uniform(size=(2, 32, width, channels)).astype(np.float32)
    output = generator(inputs).numpy()
    assert output.shape == (2, 32, width, 3)
    low, high = config.value_range
    assert output.min() >= low and output.max() <= high
    view_width = 32 if config.discriminator_view == "image" else 16
    probability = discriminator(np.zeros((2, 32, view_width, 3), np.float32)).numpy()
    assert probability.shape == (2, 1) and ((probability > 0) & (probability < 1)).all()
    for model in (generator, discriminator):
        names = [layer.name for layer in model.layers]
        assert len(set(names)) == len(names)
        assert all(not name.startswith(("conv2d", "dense", "re_lu", "lambda")) for name in names)


def test_local_discriminator_is_shared_between_the_two_halves():
    discriminator = build_discriminator(tiny(PAPER_LOCAL))
    local = discriminator.get_layer("local_discriminator")
    assert len(local._inbound_nodes) == 2
    # Mirroring an image swaps the local halves: with the global branch silenced, a
    # concatenator that weighs both local branches equally gives the same answer.
    concatenator = discriminator.get_layer("concatenator")
    kernel, bias = concatenator.get_weights()
    global_width = discriminator.get_layer("global_features").units
    local_width = local.output.shape[-1]
    kernel[:global_width] = 0
    kernel[global_width + local_width :] = kernel[global_width : global_width + local_width]
    concatenator.set_weights([kernel, bias])
    image = np.random.default_rng(1).uniform(size=(1, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(
        discriminator(image).numpy(), discriminator(image[:, :, ::-1]).numpy(), rtol=1e-5
    )


def test_width_multiplier_shrinks_the_networks():
    # Convolution weights scale with the square of the width: half width, about a quarter.
    half = parameter_counts(PAPER.replace(width_multiplier=0.5))
    assert 3_335_747 / 4.2 < half["generator"] < 3_335_747 / 3.8


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_resize_upsampling_replaces_the_transposed_convolution_with_a_3x3_one(interpolation):
    config = PAPER.replace(generator_upsampling=interpolation)
    generator = build_generator(config)
    layer_types = {type(layer).__name__ for layer in generator.layers}
    assert "Conv2DTranspose" not in layer_types
    assert generator.get_layer("generator_8_upsample").interpolation == interpolation
    assert generator.output_shape == build_generator(PAPER).output_shape
    # The upsampling layer maps 256 to 128 channels: 4 x 4 taps become 3 x 3, 7 x 256 x 128 fewer.
    assert parameter_counts(PAPER)["generator"] - parameter_counts(config)["generator"] == 7 * 256 * 128


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_resize_upsampling_matches_keras_and_accepts_any_width_inside_a_trace(interpolation):
    inputs = np.random.default_rng(0).normal(size=(2, 4, 6, 3)).astype(np.float32)
    expected = keras.layers.UpSampling2D(2, interpolation=interpolation)(inputs)
    np.testing.assert_allclose(ResizeByTwo(interpolation)(inputs).numpy(), expected.numpy(), atol=1e-6)
    # Inference traces once for all widths; each width must still be resized correctly.
    config = tiny(generator_upsampling=interpolation)
    generator = build_generator(config, any_width=True)
    traced = tf.function(lambda x: generator(x, training=False), reduce_retracing=True)
    for width in (32, 48, 64):
        image = np.random.default_rng(width).uniform(size=(1, 32, width, 4)).astype(np.float32)
        np.testing.assert_allclose(traced(image).numpy(), generator(image).numpy(), atol=1e-5)


def test_mixed_precision_computes_in_bfloat16_with_float32_outputs():
    config = tiny(precision="mixed_bfloat16")
    generator, discriminator = build_generator(config), build_discriminator(config)
    assert generator.get_layer("generator_1_conv").compute_dtype == "bfloat16"
    assert generator.get_layer("generator_1_conv").kernel.dtype == "float32"
    assert generator(np.zeros((1, 32, 32, 4), np.float32)).dtype == "float32"
    assert discriminator(np.zeros((1, 32, 32, 3), np.float32)).dtype == "float32"


def test_unet_parameter_counts_follow_its_layer_table():
    # Encoder 5x5 4->32, then (3x3 stride 2, 3x3) to 64 and to 128, 3x3 stride 2 to 256:
    # 3,232 + 18,496 + 36,928 + 73,856 + 147,584 + 295,168. Bottleneck: three 3x3 256->256
    # (3 x 590,080) and the row context's dense 256->256 (65,792). Decoder, per level a 3x3
    # reduce and a 3x3 after the skip: 295,040 + 147,584, 73,792 + 36,928, 18,464 + 9,248;
    # correction 3x3 32->3: 867. Total 2,993,219.
    generator = build_generator(UNET)
    assert generator.count_params() == 2_993_219
    assert build_generator(UNET.replace(generator_row_context=False)).count_params() == 2_993_219 - 65_792
    # The candidates: gated convolutions double every convolution's outputs but the correction's
    # (2 x 2,926,560 + 867 + 65,792); the Fourier unit adds a dense 512 -> 512 (262,656).
    assert build_generator(UNET.replace(generator_gated_convolutions=True)).count_params() == 5_919_779
    assert build_generator(UNET.replace(generator_fourier_unit=True)).count_params() == 2_993_219 + 262_656
    # Patch D: 4x4 convolutions 3->64->128->256->256->1 with biases, 1,711,809 weights to train,
    # and spectral normalisation's power-iteration vectors, one value per output channel (705).
    discriminator = build_discriminator(UNET)
    trainable = sum(int(np.prod(v.shape)) for v in discriminator.trainable_variables)
    assert trainable == 1_711_809 and discriminator.count_params() == 1_711_809 + 705


def test_unet_is_a_correction_of_the_edge_fill_and_paints_any_width():
    config = tiny(UNET)
    generator = build_generator(config, any_width=True)
    assert input_stride(config) == 2 ** (len(UNET_FILTERS) - 1) == 8
    correction = generator.get_layer("generator_correction")
    for width in (32, 48, 72):
        inputs = np.random.default_rng(width).uniform(size=(2, 32, width, 4)).astype(np.float32)
        output = generator(inputs).numpy()
        assert output.shape == (2, 32, width, 3) and output.min() >= 0 and output.max() <= 1
    # With its last layer silenced the generator returns its input's fill: the centre exactly,
    # the edge columns repeated over the strips.
    correction.set_weights([np.zeros_like(w) for w in correction.get_weights()])
    np.testing.assert_array_equal(generator(inputs).numpy(), inputs[..., :3])


def test_row_context_adds_one_learned_value_per_row_whatever_the_width():
    layer = RowContext(3)
    narrow = np.random.default_rng(0).normal(size=(1, 4, 6, 3)).astype(np.float32)
    added = layer(narrow).numpy() - narrow
    np.testing.assert_allclose(added, np.repeat(added[:, :, :1], 6, axis=2), atol=1e-6)
    # The same rows twice as wide have the same means, so get the same context.
    wide = np.concatenate([narrow, narrow[:, :, ::-1]], axis=2)
    np.testing.assert_allclose((layer(wide).numpy() - wide)[:, :, :1], added[:, :, :1], atol=1e-5)


def test_gated_activation_is_the_features_times_the_sigmoid_of_the_gate():
    features = np.array([[-1.0, 2.0]], np.float32)
    for gate, expected in ((0.0, [0.0, 1.0]), (-30.0, [0.0, 0.0]), (30.0, [0.0, 2.0])):
        inputs = np.concatenate([features, np.full_like(features, gate)], axis=-1)
        np.testing.assert_allclose(GatedActivation("relu")(inputs).numpy(), [expected], atol=1e-6)


def test_fourier_matrices_are_the_unitary_discrete_fourier_transform():
    signal = np.random.default_rng(0).normal(size=(7, 3))
    cosines, sines = (np.asarray(m) for m in _fourier_matrices(7))
    np.testing.assert_allclose(
        cosines @ signal + 1j * (sines @ signal), np.fft.fft(signal, axis=0, norm="ortho"), atol=1e-5
    )


def test_fourier_unit_sees_the_whole_image_at_any_width():
    layer = FourierUnit(2)
    for width in (8, 13):
        image = np.random.default_rng(width).normal(size=(1, 6, width, 2)).astype(np.float32)
        moved = image.copy()
        moved[0, 0, 0] += 5.0  # one pixel in the top left corner
        change = np.abs(layer(moved).numpy() - layer(image).numpy())
        assert change.shape == (1, 6, width, 2)
        assert change[0, -1, -1].max() > 1e-4  # the opposite corner, far past any 3 x 3 kernel
    # With its mixing silenced it adds nothing: the unit is a residual branch.
    layer.dense.set_weights([np.zeros_like(w) for w in layer.dense.get_weights()])
    np.testing.assert_allclose(layer(image).numpy(), image, atol=1e-6)


def test_unet_candidates_paint_any_width_in_mixed_precision():
    for changes in ({"generator_gated_convolutions": True}, {"generator_fourier_unit": True}):
        generator = build_generator(tiny(UNET, precision="mixed_bfloat16", **changes), any_width=True)
        inputs = np.random.default_rng(0).uniform(size=(1, 32, 40, 4)).astype(np.float32)
        output = generator(inputs).numpy()
        assert output.shape == (1, 32, 40, 3) and output.dtype == np.float32 and np.isfinite(output).all()


def test_patch_discriminator_scores_cells_and_returns_its_features():
    config = tiny(UNET)
    discriminator = build_discriminator(config)
    images = np.random.default_rng(0).uniform(size=(2, 32, 32, 3)).astype(np.float32)
    scores, *features = discriminator(images)
    assert scores.shape == (2, 4, 4, 1) and scores.dtype == "float32"
    assert [tuple(f.shape[1:3]) for f in features] == [(16, 16), (8, 8), (4, 4), (4, 4)]
    names = [layer.name for layer in discriminator.layers]
    assert len(set(names)) == len(names)


def test_spectral_normalisation_bounds_each_layer_of_the_patch_discriminator():
    discriminator = build_discriminator(tiny(UNET))
    images = np.random.default_rng(0).uniform(size=(2, 32, 32, 3)).astype(np.float32)
    for _ in range(30):  # power iterations run in training calls
        discriminator(images, training=True)
    for layer in discriminator.layers:
        if isinstance(layer, keras.layers.SpectralNormalization):
            kernel = layer.layer.kernel.numpy()
            singular = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
            assert singular == pytest.approx(1.0, rel=0.05), layer.name


@pytest.mark.parametrize("name", ["paper", "keras256", "unet"])
def test_each_registered_generator_builds_and_paints_widths_that_are_multiples_of_its_stride(name):
    """Issue 31: a generator's builder, stride and checks live in one registry entry."""
    from outpaint_lib import models
    from outpaint_lib.generators import GENERATORS

    entry = GENERATORS[name]
    config = tiny({"paper": PAPER, "keras256": KERAS256, "unet": UNET}[name])
    assert config.generator_architecture == name and callable(getattr(models, entry.builder))
    generator = build_generator(config, any_width=True)
    for width in (4 * entry.stride, 7 * entry.stride):
        if config.input_mode == "crop" and width < config.centre_width:
            continue
        inputs = np.zeros((1, config.image_size, width, config.input_channels), np.float32)
        assert generator(inputs).shape[2] == width
