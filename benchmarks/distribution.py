"""Training throughput on one device against the same step mirrored over N logical devices.

The CPU is split into N logical devices (``train --distribute mirrored --devices N``) and the
same unet training step is timed under TensorFlow's default strategy (one device) and under
MirroredStrategy over all N, in one process, through the real fit path and pipeline. Logical
CPU devices share the machine's cores, so the ratio shows the cost of the strategy's
bookkeeping (splitting the batch, all-reducing the gradients), not a speed-up: that needs
devices with their own compute, GPUs or machines.

    python -m benchmarks.distribution [--devices 2] [--data ../shared/data/beach/train] [--steps 8]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from outpaint_lib.distribution import make_strategy, split_cpu  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2)
    parser.add_argument("--data", default=None)
    parser.add_argument("--preset", default="unet")
    parser.add_argument("--precision", default="mixed_bfloat16")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=3)
    arguments = parser.parse_args()
    split_cpu(arguments.devices)  # before TensorFlow starts

    import keras
    import numpy as np
    import tensorflow as tf

    from benchmarks.training import DEFAULT_DATA, StepTimer
    from outpaint_lib.config import get_preset
    from outpaint_lib.gan import OutpaintGAN
    from outpaint_lib.image_folders import scan_folder
    from outpaint_lib.pipeline import distributed_training_dataset

    config = get_preset(arguments.preset).replace(precision=arguments.precision, batch_size=arguments.batch_size)
    folder = scan_folder(arguments.data or DEFAULT_DATA, config.image_size)
    strategies = {"1 device": tf.distribute.get_strategy(),
                  f"{arguments.devices} logical devices": make_strategy("mirrored", arguments.devices)}
    rates = {}
    print(f"{arguments.preset}, {arguments.precision}, global batch {arguments.batch_size}, phase 1, "
          f"{os.cpu_count()} cores")
    for name, strategy in strategies.items():
        keras.utils.set_random_seed(0)
        with strategy.scope():
            gan = OutpaintGAN(config)
            gan.compile()
        dataset = distributed_training_dataset(folder, config, strategy)
        timer = StepTimer()
        gan.fit(dataset, epochs=1, steps_per_epoch=arguments.warmup + arguments.steps, verbose=0, callbacks=[timer])
        step = float(np.median(timer.times[arguments.warmup:]))
        rates[name] = config.batch_size / step
        print(f"{name:<20} step {step:.3f} s  {rates[name]:.1f} images/s", flush=True)
    one, many = rates.values()
    print(f"{arguments.devices} logical devices / 1 device = {many / one:.2f}x")


if __name__ == "__main__":
    main()
