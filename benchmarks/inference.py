"""Inference latency: median of repeated runs after warm-up, and how much of each is blending,
for one generator pass and for the default mean over the photo and its mirror image.

    python benchmarks/inference.py [--checkpoint checkpoint] [--repeats 15] [--precision float32]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import outpaint_lib.inference as inference  # noqa: E402
from outpaint_lib.inference import DEFAULT_CHECKPOINT, Outpainter  # noqa: E402


def median_seconds(function, repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class BlendTimer:
    """Accumulates the time spent in Poisson blending during a call."""

    def __init__(self):
        self.seconds = 0.0
        self._blend = inference.blend_photo

    def __enter__(self):
        def timed(canvas, image, left):
            start = time.perf_counter()
            result = self._blend(canvas, image, left)
            self.seconds += time.perf_counter() - start
            return result

        inference.blend_photo = timed
        return self

    def __exit__(self, *exc):
        inference.blend_photo = self._blend


def photo(height: int, width: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = np.linspace(0, 1, height)[:, None, None]
    columns = np.linspace(0, 1, width)[None, :, None]
    base = 120 + 80 * np.sin(4 * columns + 3 * rows + rng.uniform(0, 6, (1, 1, 3)))
    return np.clip(base + rng.normal(0, 8, (height, width, 3)), 0, 255).astype(np.uint8)


def random_generator(width_multiplier: float) -> str:
    """A paper generator with random weights, saved like a checkpoint in a temporary folder."""
    import tempfile

    from outpaint_lib.config import PAPER
    from outpaint_lib.generator_files import save_generator
    from outpaint_lib.models import build_generator

    config = PAPER.replace(width_multiplier=width_multiplier)
    folder = tempfile.mkdtemp(prefix="outpaint-random-generator-")
    save_generator(build_generator(config), config, folder)
    return folder


def timed_calls(outpainter: Outpainter) -> dict:
    """The calls timed for one loaded generator, by name."""
    size = outpainter.config.image_size
    return {
        f"one {size} x {size // 2} centre -> {size} x {size}": lambda: outpainter.outpaint(photo(size, size // 2)),
        f"batch of 16 centres {size} x {size // 2}": lambda: outpainter.outpaint_batch(
            [photo(size, size // 2, s) for s in range(16)]
        ),
        "480 x 320 photo, full resolution, blended": lambda: outpainter.outpaint(photo(320, 480)),
        f"5 recursive rounds on {size} x {size}": lambda: outpainter.outpaint(photo(size, size), times=5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=str(DEFAULT_CHECKPOINT))
    parser.add_argument("--random-width", type=float, metavar="MULTIPLIER",
                        help="instead of a checkpoint, the paper generator at this width with random weights "
                             "(latency does not depend on the weights' values)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--precision", default="float32", choices=["auto", "float32", "mixed_bfloat16"])
    arguments = parser.parse_args()
    checkpoint, label = arguments.checkpoint, f"checkpoint {arguments.checkpoint}"
    if arguments.random_width:
        checkpoint = random_generator(arguments.random_width)
        label = f"paper generator at width x{arguments.random_width:g}, random weights"
    print(f"{label}, computing in {arguments.precision}")
    print(f"{'case':<44} {'passes':>6} {'median ms':>10} {'blending ms':>12} {'blending':>9}")
    for mirror_average in (False, True):
        outpainter = Outpainter.load(checkpoint, precision=arguments.precision, mirror_average=mirror_average)
        for name, function in timed_calls(outpainter).items():
            total = median_seconds(function, arguments.repeats)
            with BlendTimer() as timer:
                for _ in range(arguments.repeats):
                    function()
            blending = timer.seconds / arguments.repeats
            passes = 2 if mirror_average else 1
            print(
                f"{name:<44} {passes:>6} {total * 1000:>10.1f} {blending * 1000:>12.1f} {blending / total:>9.0%}",
                flush=True,
            )


if __name__ == "__main__":
    main()
