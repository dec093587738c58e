"""Floating-point work counted from a Keras model's layers.

Forward multiply-adds count 2 FLOPs each:
- Conv2D: 2 * H_out * W_out * k_h * k_w * C_in * C_out (dilation changes where taps read, not how many)
- Conv2DTranspose: 2 * H_in * W_in * k_h * k_w * C_in * C_out
- Dense: 2 * inputs * units
- the unet's FourierUnit: its dense layer at every position, 2 * H * W * (2C)^2, and its
  transforms, 12 products with the height's matrix and 12 with the width's: 12 * H * W * C * (H + W) * 2
A training step costs about 3x the forward pass of each network it differentiates through
(forward, gradient with respect to activations, gradient with respect to weights).
Element-wise layers (activations, normalization, bias) are left out: they are not matrix work.
"""

from __future__ import annotations

import keras

from outpaint_lib.models import FourierUnit


def forward_flops(model: keras.Model) -> int:
    """FLOPs of one forward pass of one example through ``model`` (nested models included)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += forward_flops(layer) * len(layer._inbound_nodes)
            continue
        if isinstance(layer, FourierUnit):
            _, height, width, channels = layer.output.shape
            total += 2 * height * width * (2 * channels) ** 2 + 2 * 12 * height * width * channels * (height + width)
            continue
        # Spectral normalisation wraps a convolution: the wrapped layer does the work.
        inner = layer.layer if isinstance(layer, keras.layers.Wrapper) else layer
        if not isinstance(inner, (keras.layers.Conv2D, keras.layers.Dense)):
            continue
        input_shape, output_shape, layer = layer.input.shape, layer.output.shape, inner
        if isinstance(layer, keras.layers.Conv2DTranspose):
            _, height, width, channels_in = input_shape
            kernel_height, kernel_width = layer.kernel_size
            total += 2 * height * width * kernel_height * kernel_width * channels_in * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, height, width, _ = output_shape
            kernel_height, kernel_width = layer.kernel_size
            total += 2 * height * width * kernel_height * kernel_width * input_shape[-1] * layer.filters
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * input_shape[-1] * layer.units
    return total


def training_step_flops(generator: keras.Model, discriminator: keras.Model, phase: int, batch_size: int) -> int:
    """Phase 1: G forward and backward. Phase 2: G forward, D forward and backward on real and
    fake. Phase 3: phase 2, then G forward and backward through D's forward and backward."""
    generator_flops, discriminator_flops = forward_flops(generator), forward_flops(discriminator)
    if phase == 1:
        per_example = 3 * generator_flops
    elif phase == 2:
        per_example = generator_flops + 2 * 3 * discriminator_flops
    else:
        per_example = (generator_flops + 2 * 3 * discriminator_flops) + 3 * (generator_flops + discriminator_flops)
    return per_example * batch_size
