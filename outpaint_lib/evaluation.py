"""Scoring outpainting against the truth: hide the side strips of real photos, fill them with
the model (the generator alone, and with the texture stage) and with the classical baselines,
and compare them on every measure of ``outpaint_lib.metrics.METRICS``.

Two protocols: squares at the model's own size (the paper's, at 128 px), and each photo at its
own resolution, widened back the way ``paint`` widens it, which is what a user sees. Either
hides columns (left and right) or rows (top and bottom); rows are scored as the columns of the
transposed image (``geometry.strip_frame``), so every measure reads them alike."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence

import numpy as np

from outpaint_lib.baselines import BASELINES
from outpaint_lib.config import strip_width_of
from outpaint_lib.errors import DataError, ImageError
from outpaint_lib.geometry import own_size_centre, strip_frame
from outpaint_lib.image_folders import scan_folder
from outpaint_lib.images import centre_square, find_images, load_image, resize
from outpaint_lib.inference import Outpainter
from outpaint_lib.metrics import (
    LAYOUT_DOWNSAMPLING,
    METRICS,
    REALISM_PATCH,
    STRIP_METRICS,
    outer_round_scores,
    realism,
    realism_patches,
    strip_scores,
)
from outpaint_lib.progress import ProgressBar
from outpaint_lib.sizing import AXES

# The side of the realism test's patches at a photo's own size: within the strips' width.
REALISM_PATCHES = {"columns": REALISM_PATCH, "rows": 32}

# Squares painted in one generator batch.
EVALUATION_BATCH = 32
# Full-resolution photos narrower than this after hiding their strips are skipped.
MIN_CENTRE_WIDTH = 8
# Strips narrower than one cell of the layout measure (8 px) cannot be scored by it.
MIN_STRIP_WIDTH = LAYOUT_DOWNSAMPLING


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    data: str
    size: int | None  # the square side scored at; None: each photo at its own resolution
    images: int
    skipped: int
    scores: dict[str, dict[str, float]]  # method -> metric -> mean over images
    mirror_average: bool | None = None  # how the model's strips were made; None without a model
    recursive: dict[str, float] | None = None  # evaluate_recursive's scores, when asked for
    skipped_files: tuple[tuple[str, str], ...] = ()  # (file, why), ``skipped`` of them
    axis: str = "columns"  # the strips hidden: "columns" (left and right) or "rows" (top and bottom)

    def describe(self) -> str:
        sides = " and ".join(AXES[self.axis])
        if self.size is None:
            fraction = {"columns": "a quarter", "rows": "a sixth"}[self.axis]
            where, strips = "at their own resolution", f"{sides} strips of {fraction} of each photo's height"
        else:
            where, strips = f"at {self.size} px", f"{sides} strips of {strip_width_of(self.size)} px"
        return f"{self.images} images from {self.data} {where} ({self.skipped} skipped); {strips}"

    def table(self) -> str:
        """One row a method, one column a metric (realism where it was measured)."""
        columns = [metric for metric in METRICS if any(metric.name in values for values in self.scores.values())]
        widths = [max(len(metric.label), 7) for metric in columns]
        lines = [f"{'method':<18} " + " ".join(f"{metric.label:>{width}}" for metric, width in zip(columns, widths))]
        for method, values in self.scores.items():
            cells = [format(values[metric.name], metric.format) if metric.name in values else "" for metric in columns]
            lines.append(f"{method:<18} " + " ".join(f"{cell:>{width}}" for cell, width in zip(cells, widths)))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# The rows a model gives in a report.
GENERATOR, TEXTURED = "generator", "generator+texture"


def model_methods(outpainter: Outpainter | None, axis: str = "columns") -> dict[str, Outpainter]:
    """The rows a model gives: its generator's own strips, and, unless the outpainter paints
    without it, the same strips through the texture stage (``paint``'s default); for ``axis``,
    by the generator that paints it."""
    if outpainter is None:
        return {}
    outpainter = outpainter.for_axis(axis)
    methods = {GENERATOR: outpainter.replace(texture="none")}
    if outpainter.settings.texture != "none":
        methods[TEXTURED] = outpainter
    return methods


def paint_rows(
    models: dict[str, Outpainter], centres: list[np.ndarray], blend: bool | None = None, columns: int | None = None
) -> dict[str, list[np.ndarray]]:
    """Each model row's paintings of ``centres`` (all of one size, in the generator's frame),
    from one generator pass: the rows differ only in how the strips are composited.
    ``columns``: what each side gains (default: a full strip)."""
    if not models:
        return {}
    strips = next(iter(models.values())).generate_strips(np.stack(centres))
    sides = None if columns is None else [(columns, columns)] * len(centres)
    return {
        name: painter.composite_batch(centres, strips, painter.settings.blend if blend is None else blend, sides)
        for name, painter in models.items()
    }


class ScoreCollector:
    """Each method's per-image scores and, for the realism test, its patches and the truth's."""

    def __init__(self, methods: list[str], with_realism: bool, realism_patch: int = REALISM_PATCH):
        self.realism_patch = realism_patch
        self.rows: dict[str, list[dict[str, float]]] = {name: [] for name in methods}
        self.patches: dict[str, list[tuple[np.ndarray, np.ndarray]]] | None = (
            {name: [] for name in methods} if with_realism else None
        )

    def add(self, method: str, truth: np.ndarray, output: np.ndarray, strip: int) -> None:
        self.rows[method].append(strip_scores(truth, output, strip))
        if self.patches is not None:
            self.patches[method].append(realism_patches(truth, output, strip, self.realism_patch))

    def means(self) -> dict[str, dict[str, float]]:
        scores = {name: mean_scores(rows) for name, rows in self.rows.items()}
        for name, pairs in (self.patches or {}).items():
            if len(pairs) >= 2:
                test = realism([painted for painted, _ in pairs], [true for _, true in pairs])
                scores[name].update(realism=test["mean"], realism_low=test["low"], realism_high=test["high"])
        return scores


def baseline_selection(baselines: bool | Sequence[str]) -> list[str]:
    """The classical fills to score: all of them (True), none (False), or those named."""
    if baselines is True or baselines is False:
        return list(BASELINES) if baselines else []
    unknown = [name for name in baselines if name not in BASELINES]
    if unknown:
        raise ValueError(f"unknown baseline {', '.join(unknown)}; choose from {', '.join(BASELINES)}")
    return list(dict.fromkeys(baselines))


def evaluate_folder(
    outpainter: Outpainter | None,
    data_dir: str | os.PathLike,
    size: int | None = None,
    baselines: bool | Sequence[str] = False,
    limit: int | None = None,
    progress: bool = True,
    with_realism: bool = False,
    axis: str = "columns",
) -> EvaluationReport:
    """Centre-crop each image to a square of ``size`` (default: the model's), hide the two
    strips of width size/4 (columns, or rows for ``axis="rows"``), fill them and score the
    strips. ``outpainter=None`` scores the baselines alone. ``progress`` draws a bar (on a
    terminal's stderr, or in a notebook); ``with_realism`` adds the realism test, which trains
    six small classifiers a method. Files that do not decode, and images smaller than ``size``,
    are skipped, each named with why."""
    if size is None:
        if outpainter is None:
            raise ValueError("size is needed when no model is evaluated")
        size = outpainter.config.image_size
    strip = strip_width_of(size)
    if strip < MIN_STRIP_WIDTH:
        raise DataError(
            f"images of {size} px have strips of {strip} px, narrower than the {MIN_STRIP_WIDTH} px "
            f"the layout measure needs: score at {4 * MIN_STRIP_WIDTH} px or more"
        )
    folder = scan_folder(data_dir, size)
    skipped = [(str(path), reason) for reason, paths in folder.skipped.items() for path in paths]
    paths = folder.paths[:limit] if limit else folder.paths
    models = model_methods(outpainter, axis)
    baseline_names = baseline_selection(baselines)
    collector = ScoreCollector([*models, *baseline_names], with_realism)
    bar = ProgressBar(len(paths), unit="image", enabled=progress)
    for start in range(0, len(paths), EVALUATION_BATCH):
        truths = [
            strip_frame(truth, axis) for truth in _squares(paths[start : start + EVALUATION_BATCH], size, skipped)
        ]
        bar.advance(min(EVALUATION_BATCH, len(paths) - start))
        if not truths:
            continue
        centres = [truth[:, strip : size - strip] for truth in truths]
        for name, paintings in paint_rows(models, centres, blend=False).items():
            for truth, painted in zip(truths, paintings):
                collector.add(name, truth, painted, strip)
        for name in baseline_names:
            for truth, centre in zip(truths, centres):
                collector.add(name, truth, BASELINES[name](centre, strip), strip)
    bar.close()
    mirror_average = outpainter.settings.mirror_average if outpainter is not None else None
    scored = len(paths) - (len(skipped) - folder.skipped_count)
    return EvaluationReport(
        str(data_dir),
        size,
        scored,
        len(skipped),
        collector.means(),
        mirror_average,
        skipped_files=tuple(skipped),
        axis=axis,
    )


def _squares(paths, size: int, skipped: list[tuple[str, str]]) -> list[np.ndarray]:
    """Each image's centred square at ``size``; an image smaller than that is added to
    ``skipped`` instead: enlarged to be scored, it would be judged on the interpolation's blur."""
    squares = []
    for path in paths:
        photo = load_image(path)  # it decoded in the folder scan
        if min(photo.shape[:2]) < size:
            reason = f"{photo.shape[1]} x {photo.shape[0]}, smaller than the {size} px it would be scored at"
            skipped.append((str(path), reason))
        else:
            squares.append(np.ascontiguousarray(resize(centre_square(photo), size, size)))
    return squares


def evaluate_full_resolution(
    outpainter: Outpainter | None,
    data_dir: str | os.PathLike,
    baselines: bool | Sequence[str] = False,
    limit: int | None = None,
    progress: bool = True,
    with_realism: bool = False,
    axis: str = "columns",
) -> EvaluationReport:
    """Each photo at its own size: hide round(H/4) columns on each side (``axis="rows"``:
    round(H/6) rows at the top and at the bottom; ``geometry.own_size_centre``), grow the rest
    back with the outpainter as configured (``paint``'s defaults: blended, mirror-averaged,
    textured) and with each classical fill, and score the strips at full size. Photos too small
    to keep a centre, or whose strips would be narrower than ``MIN_STRIP_WIDTH``, are skipped,
    each named with why."""
    paths = find_images(data_dir)
    if not paths:
        raise DataError(f"no images found under {data_dir}")
    paths = paths[:limit] if limit else paths
    models = model_methods(outpainter, axis)
    baseline_names = baseline_selection(baselines)
    collector = ScoreCollector([*models, *baseline_names], with_realism, REALISM_PATCHES[axis])
    scored, skipped = 0, []
    bar = ProgressBar(len(paths), unit="photo", enabled=progress)
    for path in paths:
        bar.advance()
        try:
            truth = load_image(path)  # decoded once: a folder scan first would read every photo twice
        except ImageError as error:
            skipped.append((str(path), str(error)))
            continue
        height, width = truth.shape[:2]
        centre, strip = own_size_centre(truth, axis)
        truth, centre = strip_frame(truth, axis), strip_frame(centre, axis)
        if strip < MIN_STRIP_WIDTH:
            skipped.append((str(path), f"{width} x {height}: its strips would be narrower than {MIN_STRIP_WIDTH} px"))
            continue
        if centre.shape[1] < MIN_CENTRE_WIDTH:
            hidden = f"hiding {strip} {axis} a side leaves less than {MIN_CENTRE_WIDTH}"
            skipped.append((str(path), f"{width} x {height}: {hidden}"))
            continue
        for name, (painted,) in paint_rows(models, [centre], columns=strip).items():
            collector.add(name, truth, painted, strip)
        for name in baseline_names:
            collector.add(name, truth, BASELINES[name](centre, strip), strip)
        scored += 1
    bar.close()
    mirror_average = outpainter.settings.mirror_average if outpainter is not None else None
    return EvaluationReport(
        str(data_dir),
        None,
        scored,
        len(skipped),
        collector.means(),
        mirror_average,
        skipped_files=tuple(skipped),
        axis=axis,
    )


def evaluate_recursive(
    outpainter: Outpainter,
    data_dir: str | os.PathLike,
    rounds: int = 5,
    limit: int | None = None,
    progress: bool = True,
) -> dict[str, float]:
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
        outermost = strip_width_of(photo.shape[0])  # what every round adds a side
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
        for metric in (metric.name for metric in STRIP_METRICS)
    }
