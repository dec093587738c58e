"""Training throughput and efficiency through the real fit path and tf.data pipeline.

For each preset, precision and phase: images per second (median step time after warm-up),
the step's FLOPs counted from the layers (benchmarks/flops.py), the achieved GFLOP/s, and the
fraction of the matrix-product peak measured in the same run.

    python -m benchmarks.training [--data ../shared/data/beach/train] [--steps 8] [--warmup 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks.flops import training_step_flops  # noqa: E402
from outpaint_lib.config import get_preset  # noqa: E402
from outpaint_lib.gan import OutpaintGAN  # noqa: E402
from outpaint_lib.image_folders import scan_folder  # noqa: E402
from outpaint_lib.pipeline import training_dataset  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(REPOSITORY, "..", "shared", "data", "beach", "train")


class StepTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_train_batch_begin(self, batch, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        float(next(iter(logs.values())))  # wait for the step's result
        self.times.append(time.perf_counter() - self._start)


def matmul_peak(dtype: str, size: int = 4096, repeats: int = 10) -> float:
    """Best GFLOP/s of a size x size matrix product in ``dtype``."""
    a = tf.random.uniform((size, size), dtype=tf.float32)
    b = tf.random.uniform((size, size), dtype=tf.float32)
    a, b = tf.cast(a, dtype), tf.cast(b, dtype)
    product = tf.function(lambda x, y: tf.matmul(x, y))
    product(a, b).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        product(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def measure(preset: str, precision: str, phase: int, folder, steps: int, warmup: int, batch_size: int,
            width_multiplier: float = 1.0) -> dict:
    config = get_preset(preset).replace(precision=precision, batch_size=batch_size, width_multiplier=width_multiplier)
    keras.utils.set_random_seed(0)
    gan = OutpaintGAN(config)
    gan.compile()
    gan.phase = phase
    timer = StepTimer()
    dataset = training_dataset(folder, config)
    gan.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, shuffle=False, verbose=0, callbacks=[timer])
    step_time = float(np.median(timer.times[warmup:]))
    flops = training_step_flops(gan.generator, gan.discriminator, phase, batch_size)
    return {
        "preset": preset, "precision": precision, "phase": phase, "batch_size": batch_size,
        "step_seconds": step_time, "images_per_second": batch_size / step_time,
        "step_gflop": flops / 1e9, "achieved_gflops": flops / step_time / 1e9,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--presets", default="paper,paper_local")
    parser.add_argument("--precisions", default="float32,mixed_bfloat16")
    parser.add_argument("--phases", default="1,3")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--width-multiplier", type=float, default=1.0, help="reduced-width variants")
    parser.add_argument("--json", help="also write the results here")
    arguments = parser.parse_args()

    peaks = {"float32": matmul_peak("float32"), "mixed_bfloat16": matmul_peak("bfloat16")}
    if arguments.width_multiplier != 1.0:
        print(f"width multiplier {arguments.width_multiplier}")
    print(f"matrix-product peak (4096^3): float32 {peaks['float32']:.0f} GFLOP/s, "
          f"bfloat16 {peaks['mixed_bfloat16']:.0f} GFLOP/s")
    folder = scan_folder(arguments.data, 128)
    results = []
    header = (
        f"{'preset':<12} {'precision':<15} {'phase':>5} {'step s':>7} {'img/s':>6} {'GFLOP':>6} {'GFLOP/s':>8} "
        f"{'of peak':>7}"
    )
    print(header)
    for preset in arguments.presets.split(","):
        for precision in arguments.precisions.split(","):
            for phase in (int(p) for p in arguments.phases.split(",")):
                row = measure(
                    preset, precision, phase, folder, arguments.steps, arguments.warmup, arguments.batch_size,
                    arguments.width_multiplier,
                )
                row["fraction_of_peak"] = row["achieved_gflops"] / peaks[precision]
                results.append(row)
                print(
                    f"{preset:<12} {precision:<15} {phase:>5} "
                    f"{row['step_seconds']:>7.3f} {row['images_per_second']:>6.2f} "
                    f"{row['step_gflop']:>6.1f} {row['achieved_gflops']:>8.1f} {row['fraction_of_peak']:>7.1%}",
                    flush=True,
                )
    for preset in arguments.presets.split(","):
        for phase in (int(p) for p in arguments.phases.split(",")):
            rates = {
                r["precision"]: r["images_per_second"] for r in results if r["preset"] == preset and r["phase"] == phase
            }
            if len(rates) == 2:
                ratio = rates["mixed_bfloat16"] / rates["float32"]
                print(f"{preset} phase {phase}: mixed_bfloat16 / float32 = {ratio:.2f}x")
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump({"peaks_gflops": peaks, "results": results}, handle, indent=2)


if __name__ == "__main__":
    main()
