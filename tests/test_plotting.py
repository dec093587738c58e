import numpy as np
from PIL import Image

from outpaint_lib.plotting import phase_ranges, plot_phase_losses


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
