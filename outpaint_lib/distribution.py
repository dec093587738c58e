"""Where a training run computes: one device, every local GPU, or a cluster of workers.

TensorFlow's own ``tf.distribute`` runs the replicas and their collectives; this module only
chooses the strategy and checks what it needs (devices, ``TF_CONFIG``, a batch that splits
evenly); ``pipeline.distributed_training_dataset`` hands each worker its share of the data.
``--batch-size`` stays the global batch.
"""

from __future__ import annotations

import json
import os

import tensorflow as tf

from outpaint_lib.errors import DistributionError

DISTRIBUTIONS = ("none", "mirrored", "multi-worker")


def split_cpu(count: int) -> None:
    """Make ``count`` logical CPU devices, so that a mirrored run can be tried on a machine
    without GPUs. TensorFlow fixes its devices when its runtime starts: call this first."""
    if count < 1:
        raise DistributionError(f"--devices must be at least 1, not {count}")
    if tf.config.list_physical_devices("GPU"):
        return  # the replicas are GPUs
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == count:
        return
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        started = len(tf.config.list_logical_devices("CPU"))
        raise DistributionError(
            f"TensorFlow has already started with {started} CPU device(s); split the CPU into {count} "
            "before TensorFlow runs (at the start of a new process)"
        ) from None


def make_strategy(distribution: str = "none", devices: int | None = None) -> tf.distribute.Strategy:
    """The strategy for ``train --distribute``: ``none`` is TensorFlow's default (one device),
    ``mirrored`` copies the networks onto every local GPU (the first ``devices`` of them), or
    onto ``devices`` logical CPU devices on a machine without GPUs, and ``multi-worker`` does
    the same on every machine that the ``TF_CONFIG`` environment variable lists."""
    if distribution not in DISTRIBUTIONS:
        raise DistributionError(f"unknown distribution {distribution!r}; choose one of {', '.join(DISTRIBUTIONS)}")
    if distribution == "none":
        if devices is not None:
            raise DistributionError("--devices needs --distribute mirrored")
        return tf.distribute.get_strategy()
    if distribution == "multi-worker":
        if devices is not None:
            raise DistributionError("--devices applies to --distribute mirrored; each worker uses all its GPUs")
        cluster_description(os.environ.get("TF_CONFIG"))
        try:
            return tf.distribute.MultiWorkerMirroredStrategy()
        except RuntimeError:  # "Collective ops must be configured at program startup"
            raise DistributionError(
                "TensorFlow has already started: make the multi-worker strategy before TensorFlow runs "
                "(at the start of the process)"
            ) from None
    return tf.distribute.MirroredStrategy(_mirrored_devices(devices))


def _mirrored_devices(count: int | None) -> list[str]:
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        if count is not None and count > len(gpus):
            raise DistributionError(f"--devices {count} asks for more GPUs than the {len(gpus)} this machine has")
        return [f"/gpu:{index}" for index in range(count or len(gpus))]
    if count is None:
        raise DistributionError(
            "no GPU found: --distribute mirrored needs GPUs, or --devices N to mirror over N logical CPU devices"
        )
    split_cpu(count)
    return [f"/cpu:{index}" for index in range(count)]


def cluster_description(text: str | None) -> dict:
    """``TF_CONFIG`` read and checked: a cluster with workers, and this process's place in it."""
    if not text:
        raise DistributionError(
            "TF_CONFIG is not set: --distribute multi-worker reads the cluster and this worker's task from it"
        )
    try:
        description = json.loads(text)
        cluster, task = description["cluster"], description["task"]
        workers = list(cluster.get("chief", [])) + list(cluster["worker"])
        task_type, index = task["type"], int(task["index"])
    except (ValueError, TypeError, KeyError, AttributeError):
        raise DistributionError(
            'TF_CONFIG must be JSON like {"cluster": {"worker": ["host:port", ...]}, '
            '"task": {"type": "worker", "index": 0}}'
        ) from None
    if task_type not in cluster or not 0 <= index < len(cluster[task_type]):
        raise DistributionError(f"TF_CONFIG's task {task_type} {index} is not in its cluster")
    if not workers:
        raise DistributionError("TF_CONFIG's cluster lists no worker")
    return description


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes the run's files: the one process of a single-machine run,
    or the cluster's chief (its "chief" task, else worker 0). The others train and write nothing."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().jobs


def check_batch_split(strategy: tf.distribute.Strategy, batch_size: int) -> None:
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise DistributionError(f"the global batch of {batch_size} does not split evenly over {replicas} replicas")
