"""Scoring outpainting against the truth: hide the side strips of real photos, fill them with
the model and with the classical baselines, and compare strip RMSE, PSNR, SSIM and streak error."""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np

from outpaint_lib.baselines import BASELINES
from outpaint_lib.data import scan_folder
from outpaint_lib.images import load_square
from outpaint_lib.inference import Outpainter
from outpaint_lib.metrics import strip_scores

METRICS = ("rmse", "psnr", "ssim", "streaks")


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    data: str
    size: int
    images: int
    skipped: int
    scores: dict[str, dict[str, float]]  # method -> metric -> mean over images
    mirror_average: bool | None = None  # how the model's strips were made; None without a model

    def table(self) -> str:
        lines = [f"{'method':<18} {'RMSE':>7} {'PSNR dB':>8} {'SSIM':>6} {'streaks':>8}"]
        for method, values in self.scores.items():
            lines.append(
                f"{method:<18} {values['rmse']:>7.2f} {values['psnr']:>8.2f} {values['ssim']:>6.3f}"
                f" {values['streaks']:>8.2f}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def evaluate_folder(
    outpainter: Outpainter | None,
    data_dir: str | os.PathLike,
    size: int | None = None,
    baselines: bool = False,
    limit: int | None = None,
    batch_size: int = 32,
) -> EvaluationReport:
    """Centre-crop each image to a square of ``size`` (default: the model's), hide the two
    strips of width size/4, fill them and score the strips. ``outpainter=None`` scores the
    baselines alone."""
    if size is None:
        if outpainter is None:
            raise ValueError("size is needed when no model is evaluated")
        size = outpainter.config.image_size
    strip = size // 4
    folder = scan_folder(data_dir, size)
    paths = folder.paths[:limit] if limit else folder.paths
    baseline_names = list(BASELINES) if baselines else []
    method_names = (["model"] if outpainter is not None else []) + baseline_names
    methods: dict[str, list[dict[str, float]]] = {name: [] for name in method_names}
    for start in range(0, len(paths), batch_size):
        truths = [load_square(path, size) for path in paths[start : start + batch_size]]
        centres = [truth[:, strip : size - strip] for truth in truths]
        if outpainter is not None:
            for truth, painted in zip(truths, outpainter.outpaint_batch(centres, blend=False)):
                methods["model"].append(strip_scores(truth, painted, strip))
        for name in baseline_names:
            for truth, centre in zip(truths, centres):
                methods[name].append(strip_scores(truth, BASELINES[name](centre, strip), strip))
    scores = {name: _mean_scores(rows) for name, rows in methods.items()}
    mirror_average = outpainter.mirror_average if outpainter is not None else None
    return EvaluationReport(str(data_dir), size, len(paths), folder.skipped_count, scores, mirror_average)


def _mean_scores(rows: list[dict[str, float]]) -> dict[str, float]:
    # A perfect strip has infinite PSNR; it is left out of the PSNR mean rather than dominating it.
    return {
        metric: float(np.mean([row[metric] for row in rows if math.isfinite(row[metric])] or [math.inf]))
        for metric in METRICS
    }
