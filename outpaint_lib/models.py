"""Functional Keras builders for the generators and discriminators of both references.

Each builder is a plain function of the configuration. Layers compute in the configured
precision; every network's last activation is float32 so that losses never see bfloat16.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from outpaint_lib.config import OutpaintConfig

# The paper's generator (reference A, its table): (kernel, stride, dilation, filters).
PAPER_GENERATOR_ENCODER = ((5, 1, 1, 64), (3, 2, 1, 128), (3, 1, 1, 256))
PAPER_GENERATOR_DECODER = ((3, 1, 1, 64),)
PAPER_GLOBAL_DISCRIMINATOR_FILTERS = (32, 64, 64, 64, 64)
PAPER_LOCAL_DISCRIMINATOR_FILTERS = (32, 64, 64, 64)
PAPER_DISCRIMINATOR_FEATURES = 512

# Reference B's strip discriminator.
KERAS256_DISCRIMINATOR_FILTERS = (32, 64, 64, 128, 128)
KERAS256_DISCRIMINATOR_FEATURES = 1024


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


def build_generator(config: OutpaintConfig, any_width: bool = False) -> keras.Model:
    inputs = keras.Input(generator_input_shape(config, any_width), name="generator_input")
    if config.generator_architecture == "paper":
        return _paper_generator(config, inputs)
    return _keras256_generator(config, inputs)


def _paper_generator(config: OutpaintConfig, inputs) -> keras.Model:
    """Reference A: 10 layers, ReLU after each but the last, dilation for receptive field."""
    dtype = config.precision
    x = inputs
    index = 0

    def conv(x, kernel, stride, dilation, filters, activation="relu"):
        nonlocal index
        index += 1
        kind = "dilated_conv" if dilation > 1 else "conv"
        return layers.Conv2D(
            filters, kernel, strides=stride, dilation_rate=dilation, padding="same",
            activation=activation, dtype=dtype, name=f"generator_{index}_{kind}",
        )(x)

    for kernel, stride, dilation, filters in PAPER_GENERATOR_ENCODER:
        x = conv(x, kernel, stride, dilation, scaled(filters, config))
    for dilation in config.generator_dilations:
        x = conv(x, 3, 1, dilation, scaled(256, config))
    x = conv(x, 3, 1, 1, scaled(256, config))
    index += 1
    if config.generator_upsampling == "transposed":
        x = layers.Conv2DTranspose(
            scaled(128, config), 4, strides=2, padding="same", activation="relu", dtype=dtype,
            name=f"generator_{index}_transposed_conv",
        )(x)
    else:
        x = ResizeByTwo(config.generator_upsampling, dtype=dtype, name=f"generator_{index}_upsample")(x)
        x = layers.Conv2D(
            scaled(128, config), 3, padding="same", activation="relu", dtype=dtype,
            name=f"generator_{index}_resize_conv",
        )(x)
    for kernel, stride, dilation, filters in PAPER_GENERATOR_DECODER:
        x = conv(x, kernel, stride, dilation, scaled(filters, config))
    x = conv(x, 3, 1, 1, 3, activation=None)
    outputs = layers.Activation(config.output_activation, dtype="float32", name="generator_output")(x)
    return keras.Model(inputs, outputs, name="generator")


def _keras256_generator(config: OutpaintConfig, inputs) -> keras.Model:
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
            scaled(filters, config), kernel, strides=stride, padding="same", activation="relu",
            dtype=dtype, name=f"generator_{index}_{kind}", **options,
        )(x)
        if config.dropout_rate:
            x = layers.Dropout(config.dropout_rate, dtype=dtype, name=f"generator_{index}_dropout")(x)
        if config.instance_normalization:
            x = layers.GroupNormalization(
                groups=-1, dtype=dtype, name=f"generator_{index}_instance_normalization"
            )(x)
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


def _convolutional_trunk(x, filters, config: OutpaintConfig, prefix: str, activation, dropout_rate=0.0):
    for index, count in enumerate(filters, start=1):
        x = layers.Conv2D(
            scaled(count, config), 5, strides=2, padding="same", dtype=config.precision,
            name=f"{prefix}_conv_{index}",
        )(x)
        x = activation(f"{prefix}_activation_{index}")(x)
        if dropout_rate:
            x = layers.Dropout(dropout_rate, dtype=config.precision, name=f"{prefix}_dropout_{index}")(x)
    return layers.Flatten(dtype=config.precision, name=f"{prefix}_flatten")(x)


def _relu(config):
    return lambda name: layers.ReLU(dtype=config.precision, name=name)


def build_local_discriminator(config: OutpaintConfig) -> keras.Model:
    """The paper's local discriminator trunk: one half-width side (H x W/2) to 512 features."""
    inputs = keras.Input((config.image_size, config.image_size // 2, 3), name="local_discriminator_input")
    x = _convolutional_trunk(inputs, PAPER_LOCAL_DISCRIMINATOR_FILTERS, config, "local", _relu(config))
    features = layers.Dense(
        scaled(PAPER_DISCRIMINATOR_FEATURES, config), activation="relu", dtype=config.precision,
        name="local_features",
    )(x)
    return keras.Model(inputs, features, name="local_discriminator")


def build_discriminator(config: OutpaintConfig) -> keras.Model:
    """The whole adversary as one model from an image (or strips) to P(real), float32.

    Paper: global trunk -> 512 features, optionally with the local trunk applied with shared
    weights to the left half and to the mirrored right half, then the concatenator (one
    sigmoid unit over all features). Reference B: a strip discriminator with LeakyReLU and
    dropout and a 1024-unit dense layer.
    """
    inputs = keras.Input(discriminator_input_shape(config), name="discriminator_input")
    if config.discriminator_architecture == "keras256":
        leaky = lambda name: layers.LeakyReLU(0.2, dtype=config.precision, name=name)  # noqa: E731
        x = _convolutional_trunk(
            inputs, KERAS256_DISCRIMINATOR_FILTERS, config, "discriminator", leaky, config.dropout_rate
        )
        x = layers.Dense(
            scaled(KERAS256_DISCRIMINATOR_FEATURES, config), activation="relu",
            dtype=config.precision, name="discriminator_features",
        )(x)
        output = layers.Dense(1, activation="sigmoid", dtype="float32", name="discriminator_output")(x)
        return keras.Model(inputs, output, name="discriminator")

    x = _convolutional_trunk(inputs, PAPER_GLOBAL_DISCRIMINATOR_FILTERS, config, "global", _relu(config))
    features = [
        layers.Dense(
            scaled(PAPER_DISCRIMINATOR_FEATURES, config), activation="relu", dtype=config.precision,
            name="global_features",
        )(x)
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
