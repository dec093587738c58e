"""Scoring outpainting against the truth: hide the side strips of real photos, fill them with
the model and with the classical baselines, and compare strip RMSE, PSNR, SSIM, streak error,
detail and seam.

Two protocols: squares at the model's own size (the paper's, at 128 px), and each photo at its
own resolution, widened back the way ``paint`` widens it, which is what a user sees."""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np

from outpaint_lib.baselines import BASELINES
from outpaint_lib.config import strip_width_of
from outpaint_lib.pipeline import scan_folder
from outpaint_lib.errors import DataError, ImageError
from outpaint_lib.images import find_images, load_image, load_square
from outpaint_lib.inference import Outpainter, strip_width_for
from outpaint_lib.metrics import outer_round_scores, strip_scores
from outpaint_lib.progress import ProgressBar

METRICS = ("rmse", "psnr", "ssim", "streaks", "detail", "seam")
# Full-resolution photos narrower than this after hiding their strips are skipped.
MIN_CENTRE_WIDTH = 8


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    data: str
    size: int | None  # the square side scored at; None: each photo at its own resolution
    images: int
    skipped: int
    scores: dict[str, dict[str, float]]  # method -> metric -> mean over images
    mirror_average: bool | None = None  # how the model's strips were made; None without a model
    recursive: dict[str, float] | None = None  # evaluate_recursive's scores, when asked for

    def describe(self) -> str:
        if self.size is None:
            where, strips = "at their own resolution", "strips of a quarter of each photo's height"
        else:
            where, strips = f"at {self.size} px", f"strips of {strip_width_of(self.size)} px"
        return f"{self.images} images from {self.data} {where} ({self.skipped} skipped); {strips}"

    def table(self) -> str:
        lines = [f"{'method':<18} {'RMSE':>7} {'PSNR dB':>8} {'SSIM':>6} {'streaks':>8} {'detail':>7} {'seam':>6}"]
        for method, values in self.scores.items():
            lines.append(
                f"{method:<18} {values['rmse']:>7.2f} {values['psnr']:>8.2f} {values['ssim']:>6.3f}"
                f" {values['streaks']:>8.2f} {values['detail']:>7.3f} {values['seam']:>6.2f}"
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
    progress: bool = True,
) -> EvaluationReport:
    """Centre-crop each image to a square of ``size`` (default: the model's), hide the two
    strips of width size/4, fill them and score the strips. ``outpainter=None`` scores the
    baselines alone. ``progress`` draws a bar (on a terminal's stderr, or in a notebook)."""
    if size is None:
        if outpainter is None:
            raise ValueError("size is needed when no model is evaluated")
        size = outpainter.config.image_size
    strip = strip_width_of(size)
    folder = scan_folder(data_dir, size)
    paths = folder.paths[:limit] if limit else folder.paths
    baseline_names = list(BASELINES) if baselines else []
    method_names = (["model"] if outpainter is not None else []) + baseline_names
    methods: dict[str, list[dict[str, float]]] = {name: [] for name in method_names}
    bar = ProgressBar(len(paths), unit="image", enabled=progress)
    for start in range(0, len(paths), batch_size):
        truths = [load_square(path, size) for path in paths[start : start + batch_size]]
        centres = [truth[:, strip : size - strip] for truth in truths]
        if outpainter is not None:
            for truth, painted in zip(truths, outpainter.outpaint_batch(centres, blend=False)):
                methods["model"].append(strip_scores(truth, painted, strip))
        for name in baseline_names:
            for truth, centre in zip(truths, centres):
                methods[name].append(strip_scores(truth, BASELINES[name](centre, strip), strip))
        bar.advance(len(truths))
    bar.close()
    scores = {name: mean_scores(rows) for name, rows in methods.items()}
    mirror_average = outpainter.mirror_average if outpainter is not None else None
    return EvaluationReport(str(data_dir), size, len(paths), folder.skipped_count, scores, mirror_average)


def evaluate_full_resolution(
    outpainter: Outpainter | None,
    data_dir: str | os.PathLike,
    baselines: bool = False,
    limit: int | None = None,
    progress: bool = True,
) -> EvaluationReport:
    """Each photo at its own size: hide round(H/4) columns on each side, widen the centre back
    with the outpainter as configured (``paint``'s defaults: blended, mirror-averaged) and with
    each classical fill, and score the strips at full size. Photos too narrow to keep a centre
    are skipped and counted."""
    paths = find_images(data_dir)
    if not paths:
        raise DataError(f"no images found under {data_dir}")
    paths = paths[:limit] if limit else paths
    baseline_names = list(BASELINES) if baselines else []
    methods: dict[str, list[dict[str, float]]] = {
        name: [] for name in (["model"] if outpainter is not None else []) + baseline_names
    }
    scored = skipped = 0
    bar = ProgressBar(len(paths), unit="photo", enabled=progress)
    for path in paths:
        bar.advance()
        try:
            truth = load_image(path)  # decoded once: a folder scan first would read every photo twice
        except ImageError:
            skipped += 1
            continue
        height, width = truth.shape[:2]
        strip = strip_width_of(height)
        if width - 2 * strip < MIN_CENTRE_WIDTH:
            skipped += 1
            continue
        centre = np.ascontiguousarray(truth[:, strip : width - strip])
        if outpainter is not None:
            methods["model"].append(strip_scores(truth, outpainter.outpaint_batch([centre])[0], strip))
        for name in baseline_names:
            methods[name].append(strip_scores(truth, BASELINES[name](centre, strip), strip))
        scored += 1
    bar.close()
    scores = {name: mean_scores(rows) for name, rows in methods.items()}
    mirror_average = outpainter.mirror_average if outpainter is not None else None
    return EvaluationReport(str(data_dir), None, scored, skipped, scores, mirror_average)


def evaluate_recursive(outpainter: Outpainter, data_dir: str | os.PathLike, rounds: int = 5,
                       limit: int | None = None, progress: bool = True) -> dict[str, float]:
    """Widen each photo at its own size ``rounds`` times (both sides, ``paint``'s defaults) and
    score the outermost round against the photo: mean brightness and detail ratios (1 is the
    photo's own). Recursion feeds on its own output, so this is where drift shows."""
    paths = find_images(data_dir)
    if not paths:
        raise DataError(f"no images found under {data_dir}")
    paths = paths[:limit] if limit else paths
    rows = []
    bar = ProgressBar(len(paths), unit="photo", enabled=progress)
    for path in paths:
        bar.advance()
        try:
            photo = load_image(path)
        except ImageError:
            continue
        widened = outpainter.outpaint(photo, times=rounds)
        outermost = strip_width_for(photo.shape[0], outpainter.config)  # what every round adds a side
        rows.append(outer_round_scores(photo, widened, outermost))
    bar.close()
    means = {key: float(np.nanmean([row[key] for row in rows])) for key in ("brightness", "detail")}
    return {"rounds": rounds, "images": len(rows), **means}


def mean_scores(rows: list[dict[str, float]]) -> dict[str, float]:
    """Each metric's mean over per-image ``strip_scores`` rows, as the reports give it. A
    perfect strip has infinite PSNR and a flat true strip no detail or seam to compare with:
    such values are left out of their metric's mean rather than dominating it."""
    return {
        metric: float(np.mean([row[metric] for row in rows if math.isfinite(row[metric])] or [math.inf]))
        for metric in METRICS
    }
