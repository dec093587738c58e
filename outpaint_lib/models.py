"""Functional Keras builders for the generators and discriminators of both references.

Each builder is a plain function of the configuration. Layers compute in the configured
precision; every network's last activation is float32 so that losses never see bfloat16.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from outpaint_lib.config import OutpaintConfig
from outpaint_lib.generators import GENERATORS

# The paper's generator (reference A, its table): (kernel, stride, dilation, filters).
PAPER_GENERATOR_ENCODER = ((5, 1, 1, 64), (3, 2, 1, 128), (3, 1, 1, 256))
PAPER_GENERATOR_DECODER = ((3, 1, 1, 64),)
PAPER_GLOBAL_DISCRIMINATOR_FILTERS = (32, 64, 64, 64, 64)
PAPER_LOCAL_DISCRIMINATOR_FILTERS = (32, 64, 64, 64)
PAPER_DISCRIMINATOR_FEATURES = 512

# Reference B's strip discriminator.
KERAS256_DISCRIMINATOR_FILTERS = (32, 64, 64, 128, 128)
KERAS256_DISCRIMINATOR_FEATURES = 1024

# Our unet generator: filters at full, 1/2, 1/4 and 1/8 of the input's size.
UNET_FILTERS = (32, 64, 128, 256)
# Our patch discriminator: 4 x 4 convolutions, the first three of stride 2, then one score per
# 8 x 8 cell whose receptive field spans 70 pixels.
PATCH_DISCRIMINATOR_FILTERS = ((64, 2), (128, 2), (256, 2), (256, 1))


def scaled(filters: int, config: OutpaintConfig) -> int:
    """Filters after the width multiplier (reduced-width variants), at least one."""
    return max(1, int(round(filters * config.width_multiplier)))


def generator_input_shape(config: OutpaintConfig, any_width: bool = False) -> tuple[int, int | None, int]:
    """Training sees one width; inference (``any_width``) feeds photos of any aspect ratio to
    the same fully convolutional weights."""
    width = config.image_size if config.input_mode == "mask" else config.centre_width
    return (config.image_size, None if any_width else width, config.input_channels)


def discriminator_input_shape(config: OutpaintConfig) -> tuple[int, int, int]:
    width = config.image_size if config.discriminator_view == "image" else 2 * config.strip_width
    return (config.image_size, width, 3)


class ResizeByTwo(layers.Layer):
    """Doubles height and width, like ``UpSampling2D`` but also when the width is a run-time value.

    Inference traces the any-width generator once for every width; ``UpSampling2D``'s bilinear
    mode (through ``keras.ops.image.resize``) checks its target size in Python and fails there,
    while ``tf.image.resize`` takes the size as a tensor and computes the same values.
    """

    def __init__(self, interpolation: str, **kwargs):
        super().__init__(**kwargs)
        self.interpolation = interpolation

    def call(self, inputs):
        resized = tf.image.resize(inputs, tf.shape(inputs)[1:3] * 2, method=self.interpolation)
        return ops.cast(resized, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        doubled = [None if size is None else 2 * size for size in (height, width)]
        return batch, *doubled, channels

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation}


class RowContext(layers.Layer):
    """Adds to every position a learned summary (one dense layer) of the mean of its row.

    A convolution sees a neighbourhood; the bands of a landscape (sky, horizon, sea, sand) run
    across the whole image, and the row mean carries them to the far ends of the strips at any
    width, with no parameter tied to the width."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units, activation="relu", dtype=self.dtype_policy, name="dense")

    def build(self, input_shape):
        self.dense.build((*input_shape[:2], 1, input_shape[-1]))

    def call(self, inputs):
        return inputs + self.dense(ops.mean(inputs, axis=2, keepdims=True))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class GatedActivation(layers.Layer):
    """The second half of a gated convolution: its first half of channels, through the
    activation, times the sigmoid of its second half (the gate)."""

    def __init__(self, activation: str, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation

    def call(self, inputs):
        features, gate = ops.split(inputs, 2, axis=-1)
        return keras.activations.get(self.activation)(features) * ops.sigmoid(gate)

    def compute_output_shape(self, input_shape):
        return *input_shape[:-1], input_shape[-1] // 2

    def get_config(self):
        return {**super().get_config(), "activation": self.activation}


def _fourier_matrices(size):
    """The real and imaginary parts of the unitary discrete Fourier transform over ``size``
    points, a (possibly run-time) length: cos and -sin of 2 pi n k / size, over sqrt(size)."""
    positions = ops.cast(ops.arange(size), "float32")
    angles = (2 * np.pi / ops.cast(size, "float32")) * positions[:, None] * positions[None, :]
    scale = ops.sqrt(ops.cast(size, "float32"))
    return ops.cos(angles) / scale, -ops.sin(angles) / scale


class FourierUnit(layers.Layer):
    """Adds to the feature map a learned 1 x 1 mixing (a dense layer over real and imaginary
    parts) of its 2-D Fourier spectrum, transformed back. Each spectral coefficient sums the
    whole map, so one layer gives every position an image-wide receptive field, at any width.

    The transforms are products with the transform's matrices, in float32 (bfloat16 never holds
    a sum over the whole map): the maps here are a few dozen positions across, where that costs
    little, and, unlike an FFT op, it converts to LiteRT's built-in operations."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(2 * units, activation="relu", dtype=self.dtype_policy, name="dense")

    def build(self, input_shape):
        self.dense.build((*input_shape[:-1], 2 * self.units))

    def call(self, inputs):
        values = ops.cast(inputs, "float32")
        height_cos, height_sin = _fourier_matrices(ops.shape(values)[1])
        width_cos, width_sin = _fourier_matrices(ops.shape(values)[2])
        # Forward: (C_h + i S_h) x (C_w + i S_w), with S the negated sines.
        rows_real = ops.einsum("kh,bhwc->bkwc", height_cos, values)
        rows_imaginary = ops.einsum("kh,bhwc->bkwc", height_sin, values)
        real = ops.einsum("bhwc,wk->bhkc", rows_real, width_cos) - ops.einsum(
            "bhwc,wk->bhkc", rows_imaginary, width_sin
        )
        imaginary = ops.einsum("bhwc,wk->bhkc", rows_real, width_sin) + ops.einsum(
            "bhwc,wk->bhkc", rows_imaginary, width_cos
        )
        mixed = ops.cast(self.dense(ops.concatenate([real, imaginary], axis=-1)), "float32")
        real, imaginary = ops.split(mixed, 2, axis=-1)
        # Inverse, keeping the real part: (C_h - i S_h) X (C_w - i S_w).
        rows_real = ops.einsum("kh,bhwc->bkwc", height_cos, real) + ops.einsum("kh,bhwc->bkwc", height_sin, imaginary)
        rows_imaginary = ops.einsum("kh,bhwc->bkwc", height_cos, imaginary) - ops.einsum(
            "kh,bhwc->bkwc", height_sin, real
        )
        back = ops.einsum("bhwc,wk->bhkc", rows_real, width_cos) + ops.einsum(
            "bhwc,wk->bhkc", rows_imaginary, width_sin
        )
        return inputs + ops.cast(back, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ResidualOverFill(layers.Layer):
    """The unet generator's output: its input's fill (the first three channels) plus the
    predicted correction, in float32 and clipped to the value range. At initialisation the
    generator is the classical fill, and it learns only what that fill gets wrong."""

    def __init__(self, value_range: tuple[float, float], **kwargs):
        super().__init__(**kwargs)
        self.value_range = tuple(value_range)

    def call(self, inputs):
        generator_input, correction = inputs
        fill = ops.cast(generator_input[..., :3], "float32")
        low, high = self.value_range
        return ops.clip(fill + ops.cast(correction, "float32"), low, high)

    def compute_output_shape(self, input_shapes):
        return input_shapes[1]

    def get_config(self):
        return {**super().get_config(), "value_range": list(self.value_range)}


def build_generator(config: OutpaintConfig, any_width: bool = False) -> keras.Model:
    inputs = keras.Input(generator_input_shape(config, any_width), name="generator_input")
    builder = globals()[GENERATORS[config.generator_architecture].builder]
    return builder(config, inputs)


def unet_generator(config: OutpaintConfig, inputs) -> keras.Model:
    """Ours: a U-Net whose skip connections carry the known centre's detail to the decoder at
    every scale, a bottleneck of dilated residual blocks with the row context, and a decoder
    that upsamples by resizing (no checkerboard) and predicts a residual over the fill."""
    dtype = config.precision
    filters = [scaled(count, config) for count in UNET_FILTERS]

    def conv(x, count, name, kernel=3, stride=1, dilation=1, activation="relu"):
        gated = config.generator_gated_convolutions and activation is not None
        x = layers.Conv2D(
            2 * count if gated else count,
            kernel,
            strides=stride,
            dilation_rate=dilation,
            padding="same",
            activation=None if gated else activation,
            dtype=dtype,
            name=f"generator_{name}",
        )(x)
        return GatedActivation(activation, dtype=dtype, name=f"generator_{name}_gate")(x) if gated else x

    x = conv(inputs, filters[0], "encoder_1", kernel=5)
    skips = [x]
    for level in range(1, len(filters)):
        x = conv(x, filters[level], f"encoder_{level + 1}_downsample", stride=2)
        if level < len(filters) - 1:
            x = conv(x, filters[level], f"encoder_{level + 1}")
            skips.append(x)
    for index, dilation in enumerate(config.generator_dilations, start=1):
        name = f"bottleneck_{index}"
        x = layers.Add(dtype=dtype, name=f"generator_{name}_residual")(
            [x, conv(x, filters[-1], f"{name}_dilated_conv", dilation=dilation)]
        )
        if index == 1 and config.generator_row_context:
            x = RowContext(filters[-1], dtype=dtype, name="generator_row_context")(x)
    if config.generator_fourier_unit:
        x = FourierUnit(filters[-1], dtype=dtype, name="generator_fourier_unit")(x)
    for level in reversed(range(len(skips))):
        # Convolve at the lower resolution, then resize: a quarter of the work of the reverse
        # order, and still no uneven kernel overlap to print a checkerboard.
        x = conv(x, filters[level], f"decoder_{level + 1}_reduce")
        x = ResizeByTwo(config.generator_upsampling, dtype=dtype, name=f"generator_decoder_{level + 1}_upsample")(x)
        x = layers.Add(dtype=dtype, name=f"generator_decoder_{level + 1}_skip")([x, skips[level]])
        x = conv(x, filters[level], f"decoder_{level + 1}")
    correction = conv(x, 3, "correction", activation=None)
    outputs = ResidualOverFill(config.value_range, dtype="float32", name="generator_output")([inputs, correction])
    return keras.Model(inputs, outputs, name="generator")


def paper_generator(config: OutpaintConfig, inputs) -> keras.Model:
    """Reference A: 10 layers, ReLU after each but the last, dilation for receptive field."""
    dtype = config.precision
    x = inputs
    index = 0

    def conv(x, kernel, stride, dilation, filters, activation="relu"):
        nonlocal index
        index += 1
        kind = "dilated_conv" if dilation > 1 else "conv"
        return layers.Conv2D(
            filters,
            kernel,
            strides=stride,
            dilation_rate=dilation,
            padding="same",
            activation=activation,
            dtype=dtype,
            name=f"generator_{index}_{kind}",
        )(x)

    for kernel, stride, dilation, filters in PAPER_GENERATOR_ENCODER:
        x = conv(x, kernel, stride, dilation, scaled(filters, config))
    for dilation in config.generator_dilations:
        x = conv(x, 3, 1, dilation, scaled(256, config))
    x = conv(x, 3, 1, 1, scaled(256, config))
    index += 1
    if config.generator_upsampling == "transposed":
        x = layers.Conv2DTranspose(
            scaled(128, config),
            4,
            strides=2,
            padding="same",
            activation="relu",
            dtype=dtype,
            name=f"generator_{index}_transposed_conv",
        )(x)
    else:
        x = ResizeByTwo(config.generator_upsampling, dtype=dtype, name=f"generator_{index}_upsample")(x)
        x = layers.Conv2D(
            scaled(128, config),
            3,
            padding="same",
            activation="relu",
            dtype=dtype,
            name=f"generator_{index}_resize_conv",
        )(x)
    for kernel, stride, dilation, filters in PAPER_GENERATOR_DECODER:
        x = conv(x, kernel, stride, dilation, scaled(filters, config))
    x = conv(x, 3, 1, 1, 3, activation=None)
    outputs = layers.Activation(config.output_activation, dtype="float32", name="generator_output")(x)
    return keras.Model(inputs, outputs, name="generator")


def keras256_generator(config: OutpaintConfig, inputs) -> keras.Model:
    """Reference B: deeper, 4x4 kernels, each conv followed by ReLU, dropout and instance
    normalization (GroupNormalization with one group per channel)."""
    dtype = config.precision
    index = 0

    def block(x, filters, kernel=4, stride=1, dilation=1, transposed=False):
        nonlocal index
        index += 1
        kind = "transposed_conv" if transposed else ("dilated_conv" if dilation > 1 else "conv")
        layer_type = layers.Conv2DTranspose if transposed else layers.Conv2D
        options = {} if transposed else {"dilation_rate": dilation}
        x = layer_type(
            scaled(filters, config),
            kernel,
            strides=stride,
            padding="same",
            activation="relu",
            dtype=dtype,
            name=f"generator_{index}_{kind}",
            **options,
        )(x)
        if config.dropout_rate:
            x = layers.Dropout(config.dropout_rate, dtype=dtype, name=f"generator_{index}_dropout")(x)
        if config.instance_normalization:
            x = layers.GroupNormalization(groups=-1, dtype=dtype, name=f"generator_{index}_instance_normalization")(x)
        return x

    x = block(inputs, 64, kernel=5)
    x = block(x, 128, stride=2)
    x = block(x, 256, stride=2)
    x = block(x, 512)
    x = block(x, 512)
    for dilation in config.generator_dilations:
        x = block(x, 512, dilation=dilation)
    x = block(x, 512)
    x = block(x, 512)
    x = block(x, 256, stride=2, transposed=True)
    x = block(x, 128, stride=2, transposed=True)
    x = block(x, 128)
    x = block(x, 64)
    x = layers.Conv2D(3, 4, padding="same", dtype=dtype, name=f"generator_{index + 1}_conv")(x)
    outputs = layers.Activation(config.output_activation, dtype="float32", name="generator_output")(x)
    return keras.Model(inputs, outputs, name="generator")


def _convolutional_trunk(x, filters, features: int, config: OutpaintConfig, prefix: str, activation, dropout_rate=0.0):
    """The trunk the paper's discriminators and reference B's share: stride-2 5 x 5 convolutions,
    flattened into ``features`` ReLU units (the layer ``{prefix}_features``)."""
    for index, count in enumerate(filters, start=1):
        x = layers.Conv2D(
            scaled(count, config),
            5,
            strides=2,
            padding="same",
            dtype=config.precision,
            name=f"{prefix}_conv_{index}",
        )(x)
        x = activation(f"{prefix}_activation_{index}")(x)
        if dropout_rate:
            x = layers.Dropout(dropout_rate, dtype=config.precision, name=f"{prefix}_dropout_{index}")(x)
    x = layers.Flatten(dtype=config.precision, name=f"{prefix}_flatten")(x)
    dense = layers.Dense(scaled(features, config), activation="relu", dtype=config.precision, name=f"{prefix}_features")
    return dense(x)


def _relu(config):
    return lambda name: layers.ReLU(dtype=config.precision, name=name)


def build_local_discriminator(config: OutpaintConfig) -> keras.Model:
    """The paper's local discriminator trunk: one half-width side (H x W/2) to 512 features."""
    inputs = keras.Input((config.image_size, config.image_size // 2, 3), name="local_discriminator_input")
    features = _convolutional_trunk(
        inputs, PAPER_LOCAL_DISCRIMINATOR_FILTERS, PAPER_DISCRIMINATOR_FEATURES, config, "local", _relu(config)
    )
    return keras.Model(inputs, features, name="local_discriminator")


def build_discriminator(config: OutpaintConfig) -> keras.Model:
    """The whole adversary as one model from an image (or strips) to P(real), float32.

    Paper: global trunk -> 512 features, optionally with the local trunk applied with shared
    weights to the left half and to the mirrored right half, then the concatenator (one
    sigmoid unit over all features). Reference B: a strip discriminator with LeakyReLU and
    dropout and a 1024-unit dense layer.
    """
    if config.discriminator_architecture == "patch":
        return build_patch_discriminator(config)
    inputs = keras.Input(discriminator_input_shape(config), name="discriminator_input")
    if config.discriminator_architecture == "keras256":
        leaky = lambda name: layers.LeakyReLU(0.2, dtype=config.precision, name=name)  # noqa: E731
        x = _convolutional_trunk(
            inputs,
            KERAS256_DISCRIMINATOR_FILTERS,
            KERAS256_DISCRIMINATOR_FEATURES,
            config,
            "discriminator",
            leaky,
            config.dropout_rate,
        )
        output = layers.Dense(1, activation="sigmoid", dtype="float32", name="discriminator_output")(x)
        return keras.Model(inputs, output, name="discriminator")

    features = [
        _convolutional_trunk(
            inputs, PAPER_GLOBAL_DISCRIMINATOR_FILTERS, PAPER_DISCRIMINATOR_FEATURES, config, "global", _relu(config)
        )
    ]
    if config.use_local_discriminator:
        half = config.image_size // 2
        local = build_local_discriminator(config)
        left = layers.Cropping2D(((0, 0), (0, half)), dtype=config.precision, name="left_half")(inputs)
        right = layers.Cropping2D(((0, 0), (half, 0)), dtype=config.precision, name="right_half")(inputs)
        mirrored = layers.Lambda(
            lambda image: ops.flip(image, axis=2), dtype=config.precision, name="mirror_right_half"
        )(right)
        features += [local(left), local(mirrored)]
        x = layers.Concatenate(dtype=config.precision, name="concatenated_features")(features)
    else:
        x = features[0]
    output = layers.Dense(1, activation="sigmoid", dtype="float32", name="concatenator")(x)
    return keras.Model(inputs, output, name="discriminator")


def build_patch_discriminator(config: OutpaintConfig) -> keras.Model:
    """Ours: spectrally normalised 4 x 4 convolutions from the composited image to one score
    (a logit, for the hinge loss) per 8 x 8 cell, and the features after each layer, which the
    generator's feature-matching loss compares between real and composited images."""
    inputs = keras.Input(discriminator_input_shape(config), name="discriminator_input")
    x = inputs
    features = []
    for index, (count, stride) in enumerate(PATCH_DISCRIMINATOR_FILTERS, start=1):
        convolution = layers.Conv2D(scaled(count, config), 4, strides=stride, padding="same", dtype=config.precision)
        x = layers.SpectralNormalization(convolution, dtype=config.precision, name=f"patch_conv_{index}")(x)
        x = layers.LeakyReLU(0.2, dtype=config.precision, name=f"patch_activation_{index}")(x)
        features.append(x)
    score = layers.Conv2D(1, 4, padding="same", dtype=config.precision)
    scores = layers.SpectralNormalization(score, dtype=config.precision, name="patch_scores")(x)
    scores = layers.Activation("linear", dtype="float32", name="discriminator_output")(scores)
    return keras.Model(inputs, [scores, *features], name="discriminator")


def parameter_counts(config: OutpaintConfig) -> dict[str, int]:
    """Parameters per network. ``discriminator`` is the whole adversary (global, local and
    concatenator); ``local_discriminator`` is the shared-weight part of it, so ``total`` is
    generator plus discriminator."""
    generator = build_generator(config)
    discriminator = build_discriminator(config)
    counts = {"generator": generator.count_params(), "discriminator": discriminator.count_params()}
    if config.use_local_discriminator:
        counts["local_discriminator"] = discriminator.get_layer("local_discriminator").count_params()
    counts["total"] = counts["generator"] + counts["discriminator"]
    return counts
