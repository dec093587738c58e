"""tf.distribute for training: the strategy's checks, and runs that spread the step over two
logical CPU devices or two worker processes, compared with a single-device run."""

import json
import os
import shutil
import subprocess
import sys
import types

import pytest
import tensorflow as tf

from outpaint_lib import checkpoints
from outpaint_lib.distribution import check_batch_split, cluster_description, is_chief, make_strategy, split_cpu
from outpaint_lib.errors import DistributionError
from outpaint_lib.history import read_history
from support import REPOSITORY, assert_unbroken, free_ports

TINY_RUN = ["--image-size", "32", "--width-multiplier", "0.0625", "--batch-size", "4", "--steps", "6",
            "--checkpoint-every", "3", "--validate-every", "3", "--quiet"]
# Float32 weights of the two runs agree to rounding (measured: at most 8e-8 after two steps of
# each phase, where the phases moved them by 2e-3 to 1): a stated bound with a wide margin.
WEIGHT_TOLERANCE = 1e-6


def test_the_default_is_one_device_and_its_process_is_the_chief():
    strategy = make_strategy("none")
    assert strategy.num_replicas_in_sync == 1 and is_chief(strategy)


@pytest.mark.parametrize("distribution, devices, message", [
    ("none", 2, "--devices needs --distribute mirrored"),
    ("multi-worker", 2, "--devices applies to --distribute mirrored"),
    ("mirrored", None, "no GPU found"),
    ("ring", None, "unknown distribution 'ring'"),
])
def test_a_distribution_that_cannot_be_set_up_is_one_clear_error(distribution, devices, message):
    with pytest.raises(DistributionError, match=message):
        make_strategy(distribution, devices)


def test_multi_worker_needs_a_valid_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(DistributionError, match="TF_CONFIG is not set"):
        make_strategy("multi-worker")
    for text in ["not json", '{"cluster": {}}', '{"cluster": {"worker": ["a:1"]}, "task": {"index": 0}}']:
        with pytest.raises(DistributionError, match="TF_CONFIG must be JSON like"):
            cluster_description(text)
    with pytest.raises(DistributionError, match="task worker 2 is not in its cluster"):
        cluster_description('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 2}}')
    described = cluster_description('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}')
    assert described["task"] == {"type": "worker", "index": 1}


def test_the_cpu_cannot_be_split_once_tensorflow_runs():
    tf.constant(1.0)  # the runtime has started (as it has in any test process)
    with pytest.raises(DistributionError, match="already started with 1 CPU device"):
        split_cpu(2)


@pytest.mark.parametrize("jobs, task_type, task_id, chief", [
    ({"worker": ["a:1", "b:1"]}, "worker", 0, True),
    ({"worker": ["a:1", "b:1"]}, "worker", 1, False),
    ({"chief": ["c:1"], "worker": ["a:1"]}, "chief", 0, True),
    ({"chief": ["c:1"], "worker": ["a:1"]}, "worker", 0, False),
])
def test_only_the_chief_writes_the_run(jobs, task_type, task_id, chief):
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        tf.train.ClusterSpec(jobs), task_type=task_type, task_id=task_id
    )
    assert is_chief(types.SimpleNamespace(cluster_resolver=resolver)) is chief


def test_the_global_batch_must_split_evenly_over_the_replicas():
    check_batch_split(types.SimpleNamespace(num_replicas_in_sync=4), 16)
    with pytest.raises(DistributionError, match="global batch of 16 does not split evenly over 3 replicas"):
        check_batch_split(types.SimpleNamespace(num_replicas_in_sync=3), 16)


def test_mirrored_over_two_devices_trains_every_phase_as_one_device_does(training_images):
    result = subprocess.run(
        [sys.executable, "mirrored_equivalence.py", str(training_images), "2"],
        cwd=REPOSITORY / "tests", capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["replicas"] == 2
    for name in ("unet", "paper_local"):
        for phase, figures in enumerate(measured[name], 1):
            assert figures["max_abs_difference"] <= WEIGHT_TOLERANCE, (name, phase, figures)
            assert figures["max_abs_change"] >= 1000 * WEIGHT_TOLERANCE, (name, phase, figures)  # it trained


def train_cli(*arguments, environment=None, timeout=300):
    return subprocess.Popen(
        [sys.executable, "-m", "outpaint_lib", "train", *arguments], cwd=REPOSITORY, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(environment or {})},
    )


def finish(processes, timeout=240):
    """Wait for every process, killing all of them if one runs past ``timeout`` seconds."""
    try:
        outputs = [process.communicate(timeout=timeout) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return [(process.returncode, out, err) for process, (out, err) in zip(processes, outputs)]


def two_workers(*arguments):
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    workers = [
        train_cli(*arguments, environment={
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
        })
        for index in range(2)
    ]
    return finish(workers)


def crash_after_the_first_checkpoint(run):
    """What a run killed between its two checkpoints leaves: the newer one is gone."""
    shutil.rmtree(checkpoints.list_checkpoints(run)[0])
    assert [path.name for path in checkpoints.list_checkpoints(run)] == ["step-000000003"]


def test_a_mirrored_run_writes_its_checkpoints_and_resumes_on_one_device(training_images, tmp_path):
    run = tmp_path / "run"
    [(code, out, err)] = finish([train_cli("--data", str(training_images), "--out", str(run), *TINY_RUN,
                                           "--distribute", "mirrored", "--devices", "2")])
    assert code == 0, err[-3000:]
    assert "trained steps 1-6 of 6" in out
    crash_after_the_first_checkpoint(run)
    [(code, out, err)] = finish([train_cli("--out", str(run), "--resume", "--checkpoint-every", "3", "--quiet")])
    assert code == 0, err[-3000:]
    assert "trained steps 4-6 of 6" in out
    assert_unbroken(read_history(run / "history.jsonl"), 6)


def test_two_workers_on_this_machine_train_checkpoint_and_resume(training_images, tmp_path):
    run = tmp_path / "run"
    arguments = ["--data", str(training_images), "--out", str(run), *TINY_RUN, "--distribute", "multi-worker"]
    (chief_code, chief_out, chief_err), (code, out, err) = two_workers(*arguments)
    assert chief_code == 0 and code == 0, (chief_err[-2000:], err[-2000:])
    assert "trained steps 1-6 of 6" in chief_out and out == ""  # the chief alone reports
    assert [path.name for path in checkpoints.list_checkpoints(run)] == ["step-000000006", "step-000000003"]
    assert_unbroken(read_history(run / "history.jsonl"), 6)

    crash_after_the_first_checkpoint(run)
    (chief_code, chief_out, chief_err), (code, _, err) = two_workers(
        "--out", str(run), "--resume", "--checkpoint-every", "3", "--quiet", "--distribute", "multi-worker"
    )
    assert chief_code == 0 and code == 0, (chief_err[-2000:], err[-2000:])
    assert "trained steps 4-6 of 6" in chief_out
    assert_unbroken(read_history(run / "history.jsonl"), 6)
    assert checkpoints.list_checkpoints(run)[0].name == "step-000000006"
