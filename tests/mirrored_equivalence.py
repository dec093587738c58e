"""Run by tests/test_distribution.py in a fresh process, because TensorFlow fixes its devices
when it starts: the CPU is split into two logical devices first.

For each configuration, the same seed and the same global batches are trained on one device
and mirrored over the two, phase by phase, and the largest absolute difference between the
two copies of every network's weights is printed after each phase, as JSON.
Usage: python mirrored_equivalence.py IMAGE_FOLDER STEPS_PER_PHASE
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from outpaint_lib.distribution import make_strategy, split_cpu  # noqa: E402

split_cpu(2)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from outpaint_lib.config import PAPER_LOCAL, UNET  # noqa: E402
from outpaint_lib.gan import OutpaintGAN  # noqa: E402
from outpaint_lib.image_folders import scan_folder  # noqa: E402
from outpaint_lib.pipeline import distributed_training_dataset  # noqa: E402
from support import tiny  # noqa: E402


def weights(gan) -> list[np.ndarray]:
    networks = [gan.generator, gan.discriminator]
    return [variable.numpy().copy() for network in networks for variable in network.weights]


def largest_difference(first: list[np.ndarray], second: list[np.ndarray]) -> float:
    return max(float(np.max(np.abs(a - b))) for a, b in zip(first, second))


def train_phases(config, folder, strategy, steps: int) -> list[list[np.ndarray]]:
    keras.utils.set_random_seed(0)
    with strategy.scope():
        gan = OutpaintGAN(config)
        gan.compile()
    after_each_phase = [weights(gan)]  # the initial weights first
    for phase in (1, 2, 3):
        gan.phase = phase
        dataset = distributed_training_dataset(folder, config, strategy, seed=phase)
        gan.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        after_each_phase.append(weights(gan))
    return after_each_phase


def main(image_folder: str, steps: int) -> None:
    configurations = {
        "unet": tiny(UNET, precision="float32", augment=True, horizontal_flip=True),  # patch D, feature matching
        "paper_local": tiny(PAPER_LOCAL, precision="float32"),  # global and local discriminators
    }
    mirrored = make_strategy("mirrored", devices=2)
    results = {"replicas": mirrored.num_replicas_in_sync}
    for name, config in configurations.items():
        folder = scan_folder(image_folder, config.image_size)
        single = train_phases(config, folder, tf.distribute.get_strategy(), steps)
        spread = train_phases(config, folder, mirrored, steps)
        results[name] = [
            {  # how far the two runs are apart, and how far the phase moved the weights
                "max_abs_difference": largest_difference(one, two),
                "max_abs_change": largest_difference(one, before),
            }
            for before, one, two in zip(single, single[1:], spread[1:])
        ]
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
