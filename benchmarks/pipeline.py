"""The input pipeline alone: images per second that tf.data delivers, with augmentation, as a
multiple of what the training step consumes.

    python -m benchmarks.pipeline [--data ../shared/data/beach/train] [--batches 60]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from benchmarks.training import DEFAULT_DATA  # noqa: E402
from outpaint_lib.config import get_preset  # noqa: E402
from outpaint_lib.image_folders import scan_folder  # noqa: E402
from outpaint_lib.pipeline import training_dataset  # noqa: E402


def pipeline_rate(folder, config, batches: int, augment: bool) -> dict:
    """Images per second: the first pass (decoding every file into the cache) and a steady
    pass (cache warm), each over ``batches`` batches."""
    dataset = iter(training_dataset(folder, config, augment_images=augment))
    start = time.perf_counter()
    first_pass_batches = -(-len(folder.paths) // config.batch_size)
    for _ in range(first_pass_batches):
        next(dataset)
    first = first_pass_batches * config.batch_size / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(batches):
        next(dataset)
    steady = batches * config.batch_size / (time.perf_counter() - start)
    return {"first_pass_images_per_second": first, "steady_images_per_second": steady}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--consumed", type=float, default=None,
                        help="images/s the training step consumes (default: measure nothing, print rates)")
    arguments = parser.parse_args()
    config = get_preset("paper").replace(batch_size=16)
    start = time.perf_counter()
    folder = scan_folder(arguments.data, config.image_size)
    print(f"scan and validate {len(folder.paths)} files: {time.perf_counter() - start:.1f} s")
    for augment in (False, True):
        rates = pipeline_rate(folder, config, arguments.batches, augment)
        line = (
            f"augment={augment!s:<5} first pass (decode + cache) {rates['first_pass_images_per_second']:7.0f} img/s, "
            f"steady {rates['steady_images_per_second']:7.0f} img/s"
        )
        if arguments.consumed:
            line += f", {rates['steady_images_per_second'] / arguments.consumed:.0f}x what training consumes"
        print(line, flush=True)


if __name__ == "__main__":
    main()
