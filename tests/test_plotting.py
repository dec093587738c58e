import numpy as np
from PIL import Image

from outpaint_lib.history import HistoryWriter
from outpaint_lib.plotting import phase_ranges, plot_phase_losses, plot_runs
from support import run_cli


def fake_history():
    rows = []
    for step in range(1, 41):
        phase = 1 if step <= 10 else 2 if step <= 14 else 3
        row = {"step": step, "phase": phase}
        if phase != 2:
            row["mse"] = 0.05 / step + 0.01
        if phase != 1:
            row.update(d_loss=1.3, d_real=0.6, d_fake=0.4)
        if phase == 3:
            row["g_loss"] = row["mse"] + 0.001
        if step % 5 == 0:
            row["val_mse"] = 0.05 / step + 0.012
        rows.append(row)
    return rows


def test_phase_ranges_follow_the_history():
    assert phase_ranges(fake_history()) == [(1, 1, 10), (2, 11, 14), (3, 15, 40)]


def test_the_plot_is_written_with_each_phase_shaded(tmp_path):
    path = tmp_path / "losses.png"
    figure = plot_phase_losses(fake_history(), path, title="run")
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape[0] > 300 and image.shape[1] > 500
    top_axis = figure.axes[0]
    shaded = [patch for patch in top_axis.patches]
    assert len(shaded) == 3
    assert [text.get_text() for text in top_axis.get_legend().get_texts()][:3] == [
        "phase 1: generator on MSE", "phase 2: discriminator alone", "phase 3: both, joint loss",
    ]
    colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in shaded}
    assert len(colours) == 3


def test_runs_side_by_side_share_their_axes_and_each_is_titled(tmp_path):
    longer = [dict(row, step=row["step"] * 2, mse=row.get("mse", 0) * 3) for row in fake_history()]
    figure = plot_runs({"paper": fake_history(), "paper_local": longer}, tmp_path / "both.png")
    mse_axes = [axis for axis in figure.axes if axis.get_title()]
    assert [axis.get_title() for axis in mse_axes] == ["paper", "paper_local"]
    assert mse_axes[0].get_ylim() == mse_axes[1].get_ylim()  # compared on one scale
    assert mse_axes[1].get_ylim()[1] >= max(row.get("mse", 0) for row in longer)
    assert mse_axes[0].get_legend() is not None and mse_axes[1].get_legend() is None
    plot_phase_losses(fake_history(), tmp_path / "one.png")
    single = np.asarray(Image.open(tmp_path / "one.png"))
    assert np.asarray(Image.open(tmp_path / "both.png")).shape[1] > single.shape[1]


def test_the_plot_command_draws_several_runs_into_the_file_it_is_given(tmp_path):
    for name in ("global", "local"):
        (tmp_path / name).mkdir()
        writer = HistoryWriter(tmp_path / name / "history.jsonl")
        for row in fake_history():
            writer.append(row)
        writer.close()
    runs = [str(tmp_path / "global"), str(tmp_path / "local")]
    refused = run_cli("plot", *runs)
    assert refused.returncode == 1 and "name it with -o" in refused.stderr and not list(tmp_path.rglob("*.png"))
    drawn = run_cli("plot", *runs, "-o", str(tmp_path / "compared.png"))
    assert drawn.returncode == 0 and Image.open(tmp_path / "compared.png").size[0] > 900
