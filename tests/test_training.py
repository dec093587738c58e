import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from outpaint_lib import checkpoints, losses
from outpaint_lib.config import PAPER_LOCAL, UNET
from outpaint_lib.errors import OutpaintError
from outpaint_lib.generator_files import load_generator, save_generator
from outpaint_lib.history import read_history
from outpaint_lib.run_plan import RunRequest
from outpaint_lib.training import TrainingError, load_initial_generator, train
from support import REPOSITORY, assert_unbroken, tiny


def test_a_short_run_goes_through_all_three_phases_and_writes_its_outputs(training_images, tmp_path):
    run = tmp_path / "run"
    result = train(tiny(), run, RunRequest(training_images, 30, checkpoint_every=10, validate_every=10), progress=False)
    assert result.schedule.phase_steps == (5, 1, 24) and result.step == 30
    rows = read_history(run / "history.jsonl")
    assert_unbroken(rows, 30)
    assert [row["phase"] for row in rows] == [1] * 5 + [2] + [3] * 24
    assert set(rows[0]) == {"step", "phase", "mse", "seconds"}
    assert [row["seconds"] for row in rows] == sorted(row["seconds"] for row in rows)
    assert {"d_loss", "d_real", "d_fake"} <= set(rows[5]) and "mse" not in rows[5]
    assert {"mse", "g_loss", "d_loss"} <= set(rows[-1])
    assert [row["step"] for row in rows if "val_mse" in row] == [10, 20, 30]
    assert [row["generator_learning_rate"] for row in rows if "val_mse" in row] == pytest.approx([1e-3] * 3)
    assert (run / "losses.png").stat().st_size > 10_000
    assert sorted(p.name for p in (run / "samples").iterdir()) == [f"step-0000000{s}.png" for s in (10, 20, 30)]
    sample = np.asarray(Image.open(run / "samples" / "step-000000030.png"))
    # A band of column labels (10 px at this size), then the two held-out images: input, raw, pasted, truth.
    assert sample.shape == (10 + 2 * 32, 4 * 32, 3)
    assert [p.name for p in checkpoints.list_checkpoints(run)] == ["step-000000030", "step-000000020"]
    state = json.loads((run / "checkpoints" / "step-000000030" / "state.json").read_text())
    assert state == {"step": 30, "random_seed": 30}  # all a resume reads
    generator, config = load_generator(run / "generator")
    assert config.image_size == 32 and generator.output_shape == (None, 32, None, 3)
    load_generator(run / "generator_phase1")


def test_validation_folder_and_local_discriminator(training_images, tmp_path):
    result = train(
        tiny(PAPER_LOCAL),
        tmp_path / "run",
        RunRequest(training_images, 10, val_dir=training_images, checkpoint_every=5, validate_every=5),
        progress=False,
    )
    assert json.loads((tmp_path / "run" / "run.json").read_text())["validation_files"] == 24
    assert result.history[-1]["val_mse"] > 0


def test_resume_refuses_a_different_architecture_and_names_the_keys(training_images, tmp_path):
    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 4, checkpoint_every=2), progress=False)
    with pytest.raises(TrainingError, match=r"differs in width_multiplier .*use_local_discriminator"):
        train(tiny(PAPER_LOCAL, width_multiplier=0.125), run, RunRequest(training_images, resume=True), progress=False)
    with pytest.raises(TrainingError, match="already holds a run"):
        train(tiny(), run, RunRequest(training_images, 4), progress=False)
    # Only the precision, how this machine computes, may change on resume.
    train(tiny(precision="mixed_bfloat16"), run, RunRequest(training_images, resume=True), progress=False)


def test_a_resume_keeps_the_runs_data_validation_and_settings(training_images, tmp_path):
    """Issue 19, defect 2: a resume with other options held out training images as validation
    and saved the new batch size into the run."""
    validation = tmp_path / "validation"
    shutil.copytree(training_images, validation)
    run = tmp_path / "run"
    train(
        tiny(batch_size=4), run, RunRequest(training_images, 4, val_dir=validation, checkpoint_every=2), progress=False
    )
    saved = {name: (run / name).read_text() for name in ("run.json", "config.json")}
    with pytest.raises(TrainingError, match=r"batch_size: the run's 4, not 8"):
        train(tiny(batch_size=8), run, RunRequest(training_images, resume=True), progress=False)
    with pytest.raises(TrainingError, match=r"validation data: the run's '.*validation', not '.*train'"):
        train(
            tiny(batch_size=4), run, RunRequest(training_images, resume=True, val_dir=training_images), progress=False
        )
    with pytest.raises(TrainingError, match=r"total steps: the run's 4, not 6"):
        train(tiny(batch_size=4), run, RunRequest(training_images, 6, resume=True), progress=False)
    assert {name: (run / name).read_text() for name in saved} == saved
    # Given nothing, a resume takes the run's own data and validation folder.
    result = train(tiny(batch_size=4), run, RunRequest(resume=True), progress=False)
    assert result.step == 4
    assert json.loads((run / "run.json").read_text()) == json.loads(saved["run.json"])


def test_a_cosine_run_ends_at_the_final_fraction_of_its_rate(training_images, tmp_path):
    result = train(
        tiny(learning_rate_decay="cosine", final_learning_rate_fraction=0.05),
        tmp_path / "run",
        RunRequest(training_images, 10, validate_every=5),
        progress=False,
    )
    rates = [row["generator_learning_rate"] for row in result.history if "val_mse" in row]
    assert rates[0] < 1e-3 and rates[-1] == pytest.approx(5e-5, rel=1e-4)


def test_resume_continues_the_step_count_and_history(training_images, tmp_path):
    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 12, checkpoint_every=4), progress=False)
    # Pretend the process died at step 12 with its last checkpoint at step 8.
    shutil.rmtree(checkpoints.list_checkpoints(run)[0])
    result = train(tiny(), run, RunRequest(training_images, resume=True, checkpoint_every=4), progress=False)
    assert result.step == 12
    assert_unbroken(read_history(run / "history.jsonl"), 12)


def test_a_resume_without_a_loadable_checkpoint_is_refused_and_keeps_the_history(training_images, tmp_path):
    """Issue 19, defect 3: such a resume started again at step 0 and emptied history.jsonl."""
    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 6, checkpoint_every=3), progress=False)
    history = (run / "history.jsonl").read_text()
    for folder in checkpoints.list_checkpoints(run):
        (folder / "generator.weights.h5").write_bytes(b"damaged")
    with pytest.raises(TrainingError, match="no checkpoint that loads; its history is kept"):
        train(tiny(), run, RunRequest(training_images, resume=True), progress=False)
    assert (run / "history.jsonl").read_text() == history


def test_a_non_finite_loss_stops_with_a_clear_message_and_keeps_the_checkpoint(training_images, tmp_path, monkeypatch):
    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 20, checkpoint_every=3), progress=False)
    shutil.rmtree(checkpoints.list_checkpoints(run)[0])  # keep step 18: the run resumes there
    monkeypatch.setattr(losses, "identity_loss", lambda real, generated: losses.ops.mean(generated) * float("nan"))
    stopped = (
        r"training stopped at step 19 \(phase 3\): g_loss=nan, mse=nan; the last good checkpoint is .*step-000000018"
    )
    with pytest.raises(TrainingError, match=stopped):
        train(tiny(), run, RunRequest(training_images, resume=True, checkpoint_every=3), progress=False)
    assert [p.name for p in checkpoints.list_checkpoints(run)] == ["step-000000018"]
    assert [row["step"] for row in read_history(run / "history.jsonl")] == list(range(1, 19))


def test_too_few_images_for_one_batch(training_images, tmp_path):
    with pytest.raises(Exception, match="fewer than one batch of 64"):
        train(
            tiny(batch_size=64),
            tmp_path / "run",
            RunRequest(training_images, 4, val_dir=training_images),
            progress=False,
        )


@pytest.mark.slow
def test_resume_after_sigkill_mid_run(training_images, tmp_path):
    run = tmp_path / "run"
    base = [sys.executable, "-m", "outpaint_lib", "train", "--data", str(training_images), "--out", str(run)]
    intervals = ["--checkpoint-every", "7", "--validate-every", "5", "--quiet"]
    command = (
        base + ["--steps", "60", "--image-size", "32", "--width-multiplier", "0.0625", "--batch-size", "4"] + intervals
    )
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(command, cwd=REPOSITORY, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(read_history(run / "history.jsonl")) < 24:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = len(read_history(run / "history.jsonl"))
    assert 24 <= killed_at < 60, "the run must be killed mid-way"
    last_checkpoint = json.loads((checkpoints.list_checkpoints(run)[0] / "state.json").read_text())["step"]
    assert last_checkpoint % 7 == 0 and last_checkpoint <= killed_at

    resumed = subprocess.run(
        base + intervals + ["--resume"], cwd=REPOSITORY, env=environment, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    rows = read_history(run / "history.jsonl")
    assert_unbroken(rows, 60)
    assert [row["phase"] for row in rows].count(2) == 1  # 60 steps split 11:1:48
    assert checkpoints.list_checkpoints(run)[0].name == "step-000000060"
    load_generator(run / "generator")


def test_a_run_that_cannot_start_leaves_no_run_folder(tmp_path):
    """Issue 19, defect 13: a failed ``train`` left an empty run folder behind."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(OutpaintError):
        train(tiny(), tmp_path / "run", RunRequest(tmp_path / "empty", 4), progress=False)
    assert not (tmp_path / "run").exists()


def test_a_run_can_start_from_another_runs_generator(training_images, tmp_path):
    first = train(tiny(), tmp_path / "pretrained", RunRequest(training_images, 2), progress=False)
    # A run of one discriminator step leaves the generator as it started: exactly the loaded one.
    config = tiny(phase_ratios=(0, 1, 0))
    result = train(
        config,
        tmp_path / "fine",
        RunRequest(training_images, 1, initial_generator=first.run_dir / "generator"),
        progress=False,
    )
    started, _ = load_generator(first.run_dir / "generator")
    ended, _ = load_generator(result.run_dir / "generator")
    for before, after in zip(started.weights, ended.weights):
        np.testing.assert_array_equal(before.numpy(), after.numpy())
    record = result.run_dir / "run.json"
    assert json.loads(record.read_text())["initial_generator"] == str(first.run_dir / "generator")
    train(config, result.run_dir, RunRequest(resume=True), progress=False)  # a resume keeps the record
    assert json.loads(record.read_text())["initial_generator"] == str(first.run_dir / "generator")


def test_a_generator_grows_a_fourier_unit_on_top_of_the_weights_it_starts_from(training_images, tmp_path):
    from outpaint_lib.models import build_generator

    plain_config, grown_config = tiny(UNET), tiny(UNET, generator_fourier_unit=True)
    plain = build_generator(plain_config)
    folder = save_generator(plain, plain_config, tmp_path / "plain")
    grown = build_generator(grown_config)
    load_initial_generator(grown, grown_config, folder)
    for layer in plain.layers:
        for before, after in zip(layer.get_weights(), grown.get_layer(layer.name).get_weights()):
            np.testing.assert_array_equal(before, after)
    unit = grown.get_layer("generator_fourier_unit")
    assert 0 < np.abs(unit.dense.get_weights()[0]).max() < 0.01  # nearly silent, not dead
    inputs = np.random.default_rng(0).uniform(size=(2, 32, 32, 4)).astype(np.float32)
    np.testing.assert_allclose(grown(inputs).numpy(), plain(inputs).numpy(), atol=0.01)
    # The other way round is a part the run would drop: refused, as any other difference.
    grown_folder = save_generator(grown, grown_config, tmp_path / "grown")
    with pytest.raises(TrainingError, match="architecture differs in generator_fourier_unit"):
        train(
            plain_config,
            tmp_path / "shrunk",
            RunRequest(training_images, 1, initial_generator=grown_folder),
            progress=False,
        )


def test_starting_from_a_generator_of_another_architecture_is_refused(training_images, tmp_path):
    first = train(tiny(), tmp_path / "pretrained", RunRequest(training_images, 1), progress=False)
    with pytest.raises(TrainingError, match="architecture differs in width_multiplier"):
        train(
            tiny(width_multiplier=1 / 8),
            tmp_path / "other",
            RunRequest(training_images, 1, initial_generator=first.run_dir / "generator"),
            progress=False,
        )
    with pytest.raises(TrainingError, match="cannot start from that generator: checkpoint folder not found"):
        train(
            tiny(),
            tmp_path / "missing",
            RunRequest(training_images, 1, initial_generator=tmp_path / "nowhere"),
            progress=False,
        )
    assert not (tmp_path / "other").exists() and not (tmp_path / "missing").exists()


def test_a_resume_keeps_the_runs_intervals(training_images, tmp_path):
    """Issue 30, defect 7: ``--resume`` fell back to checkpoints every 500 steps and validation
    every 100, whatever the run was started with."""
    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 12, checkpoint_every=5, validate_every=3), progress=False)
    for folder in checkpoints.list_checkpoints(run)[:-1]:
        shutil.rmtree(folder)  # as if killed after step 9, its last checkpoint at step 5
    train(tiny(), run, RunRequest(resume=True), progress=False)
    rows = read_history(run / "history.jsonl")
    assert_unbroken(rows, 12)
    assert [row["step"] for row in rows if "val_mse" in row] == [3, 6, 9, 12]
    assert [p.name for p in checkpoints.list_checkpoints(run)] == ["step-000000012", "step-000000010"]
    description = json.loads((run / "run.json").read_text())
    assert (description["checkpoint_every"], description["validate_every"]) == (5, 3)


def test_a_run_folder_is_trained_by_one_process_at_a_time(training_images, tmp_path):
    """Issue 30, defect 8: two ``train`` processes on one run folder both ran."""
    from outpaint_lib.run_folder import locked

    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 2), progress=False)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom outpaint_lib.run_folder import locked\n"
            f"with locked({str(run)!r}):\n    print('held', flush=True)\n    time.sleep(120)",
        ],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        held = (
            rf"^{run} is being trained by another process \(process {holder.pid}\): "
            "wait for it to end, or stop it, then resume$"
        )
        with pytest.raises(TrainingError, match=held):
            train(tiny(), run, RunRequest(resume=True), progress=False)
        with pytest.raises(TrainingError, match="being trained by another process"):
            train(tiny(), run, RunRequest(training_images, 2), progress=False)  # nor may a new run start there
    finally:
        holder.kill()
        holder.wait()
    # The killed process's lock is gone with it: the resume goes on.
    assert train(tiny(), run, RunRequest(resume=True), progress=False).step == 2
    with locked(run):  # the lock is also held against this process's own second attempt
        with pytest.raises(TrainingError, match="being trained by another process"):
            train(tiny(), run, RunRequest(resume=True), progress=False)


def test_a_resume_removes_what_a_killed_write_left_and_a_new_run_takes_its_presets_steps(
    training_images, tmp_path, monkeypatch
):
    """Issue 30, defects 10 and 6: a kill -9 during the loss plot left a 0-byte ``.tmp.png`` that
    resume kept; ``train --preset paper`` without ``--steps`` stopped at once."""
    from outpaint_lib import run_plan
    from outpaint_lib.config import PRESET_STEPS

    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 2), progress=False)
    leftovers = [run / ".losses.x1y2z3.tmp.png", run / "samples" / ".step-000000002.a1b2.tmp.png"]
    for path in leftovers:
        path.write_bytes(b"")
    train(tiny(), run, RunRequest(resume=True), progress=False)
    assert not any(path.exists() for path in leftovers) and (run / "losses.png").is_file()
    assert PRESET_STEPS == {"paper": 227_500, "paper_local": 227_500, "keras256": 262_500, "unet": 6_000}
    monkeypatch.setitem(run_plan.PRESET_STEPS, "paper", 3)
    result = train(tiny(), tmp_path / "preset", RunRequest(training_images), progress=False)
    assert result.step == 3 and json.loads((tmp_path / "preset" / "run.json").read_text())["total_steps"] == 3


@pytest.mark.slow
def test_ctrl_c_ends_the_step_writes_a_checkpoint_and_says_where_a_resume_starts(training_images, tmp_path):
    """Issue 30, defect 10: Ctrl-C saved no checkpoint and did not say where a resume would start."""
    run = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "outpaint_lib",
        "train",
        "--data",
        str(training_images),
        "--out",
        str(run),
        "--steps",
        "400",
        "--image-size",
        "32",
        "--width-multiplier",
        "0.0625",
        "--batch-size",
        "4",
        "--quiet",
        "--checkpoint-every",
        "1000",
        "--validate-every",
        "1000",
    ]
    process = subprocess.Popen(command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(read_history(run / "history.jsonl")) < 10:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    rows = read_history(run / "history.jsonl")
    step = len(rows)
    assert 10 <= step < 400
    assert_unbroken(rows, step)
    assert stderr.strip().splitlines()[-1] == (
        f"outpaint train: interrupted at step {step} of 400; "
        f"a checkpoint was written: --resume continues from step {step}"
    )
    assert checkpoints.list_checkpoints(run)[0].name == f"step-{step:09d}"
