"""The tf.data input pipeline: a folder of photos to batches of (input, strips, image).

Each image is decoded, centre-cropped to a square, resized to the preset's size and split by
cropping (``geometry.split_image``). Files are validated once, up front, so that a corrupt
file among thousands is skipped and counted instead of stopping a run hours later.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import tensorflow as tf

from outpaint_lib import geometry
from outpaint_lib.config import OutpaintConfig
from outpaint_lib.errors import DataError
from outpaint_lib.image_folders import ImageFolder
from outpaint_lib.images import load_square
from outpaint_lib.postprocess import to_model_range

AUGMENT_PROBABILITY = 1 / 3
# Worker i of a distributed run draws from seed + i * SHARD_SEED_STRIDE: far from the seeds that
# resumes derive from the step (seed + step).
SHARD_SEED_STRIDE = 1_000_003


def augment(image: np.ndarray, rng: np.random.Generator, probability: float = AUGMENT_PROBABILITY) -> np.ndarray:
    """Reference B's five transforms on a uint8 RGB image, each applied with ``probability``.

    Amplitudes are the reference's, given for 256 px images and scaled to the image's size
    where they are lengths: perspective corner jitter 2.5-9 % of the side, brightness +-7,
    contrast x0.8-1.6 about the mean, Gaussian noise sigma 3-4 % of 255, crop up to 25/256 of
    the side (then resized back).
    """
    size = image.shape[0]
    result = image.astype(np.float32)
    if rng.random() < probability:
        jitter = rng.uniform(0.025, 0.09) * size
        corners = np.float32([[0, 0], [size - 1, 0], [size - 1, size - 1], [0, size - 1]])
        moved = corners + rng.uniform(-jitter, jitter, size=corners.shape).astype(np.float32)
        matrix = cv2.getPerspectiveTransform(corners, moved)
        result = cv2.warpPerspective(result, matrix, (size, size), borderMode=cv2.BORDER_REFLECT)
    if rng.random() < probability:
        margin = int(round(25 / 256 * size))
        top, bottom, left, right = rng.integers(0, margin + 1, size=4)
        cropped = result[top : size - bottom, left : size - right]
        result = cv2.resize(cropped, (size, size), interpolation=cv2.INTER_LINEAR)
    if rng.random() < probability:
        result = result + rng.uniform(-7, 7)
    if rng.random() < probability:
        mean = result.mean()
        result = (result - mean) * rng.uniform(0.8, 1.6) + mean
    if rng.random() < probability:
        result = result + rng.normal(0.0, rng.uniform(0.03, 0.04) * 255, size=result.shape)
    return np.clip(np.rint(result), 0, 255).astype(np.uint8)


def _decoded(paths: tuple[Path, ...], image_size: int) -> tf.data.Dataset:
    size = image_size

    def decode(path: bytes) -> np.ndarray:
        return load_square(path.decode(), size)

    def decode_op(path):
        image = tf.numpy_function(decode, [path], tf.uint8, stateful=False)
        return tf.ensure_shape(image, (size, size, 3))

    dataset = tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
    return dataset.map(decode_op, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def training_dataset(
    folder: ImageFolder,
    config: OutpaintConfig,
    *,
    augment_images: bool | None = None,
    seed: int | None = None,
    batch_size: int | None = None,
    shard: tuple[int, int] | None = None,
) -> tf.data.Dataset:
    """An endless, shuffled dataset of batches of training images in the model's range;
    ``OutpaintGAN.train_step`` cuts each into the generator's input and the hidden strips.

    ``seed`` fixes the shuffle order and the augmentation draws; a resumed run passes a seed
    derived from its step so that it does not replay the data it has already seen.
    The decoded uint8 images are kept in memory (about 49 kB each at 128 px).
    ``batch_size`` (default: the configuration's) is one replica's under a distribution, and
    ``shard`` = (index, count) keeps every count-th file from the index-th on: one worker's share.
    """
    batch_size = config.batch_size if batch_size is None else batch_size
    seed = config.seed if seed is None else seed
    paths = folder.paths
    if shard is not None:
        index, count = shard
        paths = paths[index::count]
        seed += SHARD_SEED_STRIDE * index  # the workers' augmentation draws differ too
    if len(paths) < batch_size:
        share = "" if shard is None else f" in worker {shard[0]}'s share of {shard[1]}"
        raise DataError(f"{folder.root} has {len(paths)} usable images{share}, fewer than one batch of {batch_size}")
    augment_images = config.augment if augment_images is None else augment_images
    dataset = _decoded(paths, config.image_size).cache()
    # Shuffled after the repeat, with one random stream for the whole endless sequence: every
    # iterator over this dataset yields the same sequence. (Under a distribution strategy Keras
    # takes a first batch from an iterator of its own before training, and a reshuffle per
    # iterator would make a distributed run see other batches than a single-device one.)
    dataset = dataset.repeat().shuffle(min(len(paths), 10_000), seed=seed, reshuffle_each_iteration=False)
    if augment_images:
        size = config.image_size

        def augment_with_seed(index: np.int64, image: np.ndarray) -> np.ndarray:
            return augment(image, np.random.default_rng((seed, int(index))))

        def augment_op(index, image):
            result = tf.numpy_function(augment_with_seed, [index, image], tf.uint8, stateful=False)
            return tf.ensure_shape(result, (size, size, 3))

        dataset = dataset.enumerate().map(augment_op, num_parallel_calls=tf.data.AUTOTUNE)
    if config.horizontal_flip:
        dataset = dataset.enumerate().map(
            lambda index, image: tf.image.stateless_random_flip_left_right(image, seed=[seed, index]),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    # Flipped (left to right) in the photo's own orientation, then turned into the generator's.
    dataset = dataset.map(
        lambda image: geometry.strip_frame(to_model_range(image, config.value_range), config.strip_axis),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def distributed_training_dataset(
    folder: ImageFolder, config: OutpaintConfig, strategy: tf.distribute.Strategy, *, seed: int | None = None
):
    """``training_dataset`` for ``strategy``, whose global batch is ``config.batch_size``. Each
    worker reads its own share of the files; the replicas of one worker take consecutive
    batches, so on one machine every step sees the same global batch as a single-device run."""
    if strategy.num_replicas_in_sync == 1:
        return training_dataset(folder, config, seed=seed)

    def replica_dataset(context: tf.distribute.InputContext) -> tf.data.Dataset:
        shard = None
        if context.num_input_pipelines > 1:
            shard = (context.input_pipeline_id, context.num_input_pipelines)
        batch_size = context.get_per_replica_batch_size(config.batch_size)
        return training_dataset(folder, config, seed=seed, batch_size=batch_size, shard=shard)

    return strategy.distribute_datasets_from_function(replica_dataset)


def evaluation_dataset(folder: ImageFolder, config: OutpaintConfig, limit: int | None = None) -> tf.data.Dataset:
    """The first ``limit`` images of a folder, in order, unaugmented, one pass."""
    paths = folder.paths if limit is None else folder.paths[:limit]
    dataset = _decoded(paths, config.image_size).map(
        lambda image: geometry.make_example(
            geometry.strip_frame(to_model_range(image, config.value_range), config.strip_axis), config
        ),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset.batch(config.batch_size).prefetch(tf.data.AUTOTUNE)
