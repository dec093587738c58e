"""Pictures for people: the figures of the notebook and the checkpoint's sample sheet.

Each function takes library objects and returns a Matplotlib ``Figure`` (no pyplot state) or a
uint8 image, so that the notebook is a sequence of one-line calls.
"""

from __future__ import annotations

import platform

import cv2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from outpaint_lib import geometry
from outpaint_lib.config import OutpaintConfig, strip_width_of
from outpaint_lib.evaluation import EvaluationReport, paint_rows
from outpaint_lib.geometry import own_size_centre
from outpaint_lib.images import resize
from outpaint_lib.inference import Outpainter
from outpaint_lib.metrics import METRICS
from outpaint_lib.models import parameter_counts
from outpaint_lib.pipeline import augment
from outpaint_lib.postprocess import hide_strips
from outpaint_lib.progress import ProgressBar
from outpaint_lib.runtime import native_bfloat16
from outpaint_lib.sheets import label_row, labelled_grid
from outpaint_lib.sizing import AXES, make_target, margins


def runtime_summary(config: OutpaintConfig) -> str:
    """Where this notebook runs and in which precision."""
    import keras
    import tensorflow as tf

    devices = ", ".join(device.device_type for device in tf.config.list_physical_devices()) or "none"
    return (
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}\n"
        f"devices: {devices}; native bfloat16 on this CPU: {native_bfloat16()}\n"
        f"preset {config.name!r}: {config.image_size} px, input mode {config.input_mode!r}, "
        f"precision {config.precision}, width x{config.width_multiplier:g}, batch {config.batch_size}"
    )


def parameter_table(configs: list[OutpaintConfig]) -> str:
    """Parameter counts per network, next to what the references state."""
    lines = [f"{'preset':<12} {'generator':>12} {'discriminator':>14} {'local part':>11} {'total':>12}"]
    for config in configs:
        counts = parameter_counts(config)
        local = counts.get("local_discriminator")
        lines.append(
            f"{config.name:<12} {counts['generator']:>12,} {counts['discriminator']:>14,} "
            f"{(f'{local:,}' if local else '-'):>11} {counts['total']:>12,}"
        )
    lines.append("reference: paper generator 3,335,747; global D with concatenator 886,401; with local D 2,195,137")
    return "\n".join(lines)


def plot_split(image: np.ndarray, config: OutpaintConfig, seed: int = 0) -> Figure:
    """How the cropping pipeline splits a square photo, without and with augmentation."""
    k = config.strip_width
    augmented = augment(image, np.random.default_rng(seed), probability=1.0)
    figure = Figure(figsize=(10, 5))
    axes = figure.subplots(2, 4)
    for row, (label, picture) in enumerate((("original", image), ("augmented (all 5 transforms)", augmented))):
        centre, strips = (np.asarray(part) for part in geometry.split_image(picture, k))
        panels = [
            (picture, f"{label}: whole image"),
            (centre, "centre: the generator's input"),
            (strips, "hidden strips (identity-loss target)"),
            (hide_strips(picture, k), "what is known"),
        ]
        for axis, (panel, title) in zip(axes[row], panels):
            axis.imshow(panel)
            axis.set_title(title, fontsize=8)
            axis.axis("off")
    figure.tight_layout()
    return figure


def comparison_rows(outpainter: Outpainter, truths: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Per square ground-truth image: [known centre, the generator's own strips, the same
    strips through the texture stage (``paint``'s default), truth], both Poisson-blended."""
    k = strip_width_of(truths[0].shape[1])
    centres = [truth[:, k : truth.shape[1] - k] for truth in truths]
    painted = paint_rows(
        {texture: outpainter.replace(texture=texture) for texture in ("none", "photo")},
        centres,
        blend=True,
    )
    return [
        [hide_strips(truth, k), plain, textured, truth]
        for truth, plain, textured in zip(truths, painted["none"], painted["photo"])
    ]


COMPARISON_TITLES = ["input (centre)", "generator alone", "generator + texture (paint)", "ground truth"]


def plot_image_grid(rows: list[list[np.ndarray]], titles: list[str] = COMPARISON_TITLES, size: float = 2.2) -> Figure:
    figure = Figure(figsize=(size * len(rows[0]), size * len(rows)))
    axes = np.atleast_2d(figure.subplots(len(rows), len(rows[0])))
    for row_index, row in enumerate(rows):
        for axis, picture in zip(axes[row_index], row):
            axis.imshow(picture)
            axis.axis("off")
    for axis, title in zip(axes[0], titles):
        axis.set_title(title, fontsize=9)
    figure.tight_layout()
    return figure


def plot_rounds(image: np.ndarray, rounds: list[np.ndarray]) -> Figure:
    """Recursive outpainting: the input, then every round, at a common scale."""
    pictures = [image, *rounds]
    widest = pictures[-1].shape[1]
    figure = Figure(figsize=(12, 1.3 * len(pictures)))
    axes = figure.subplots(len(pictures), 1)
    for index, (axis, picture) in enumerate(zip(axes, pictures)):
        canvas = np.full((picture.shape[0], widest, 3), 255, np.uint8)
        left = (widest - picture.shape[1]) // 2
        canvas[:, left : left + picture.shape[1]] = picture
        axis.imshow(canvas)
        axis.set_title("input" if index == 0 else f"round {index}: {picture.shape[1]} x {picture.shape[0]}", fontsize=8)
        axis.axis("off")
    figure.tight_layout()
    return figure


# The measures a report's figure shows, each in a panel of its own, where the report has them.
EVALUATION_PANELS = ("rmse", "ssim", "layout", "realism")


def plot_evaluation(report: EvaluationReport) -> Figure:
    """A bar panel per measure (RMSE, SSIM, layout and realism where measured), one bar a method."""
    methods = list(report.scores)
    panels = [
        metric
        for metric in METRICS
        if metric.name in EVALUATION_PANELS and all(metric.name in values for values in report.scores.values())
    ]
    colours = ["#1f4e79" if method.startswith("generator") else "#9aa9b9" for method in methods]
    figure = Figure(figsize=(5 * len(panels), 3.5))
    for axis, metric in zip(np.atleast_1d(figure.subplots(1, len(panels))), panels):
        values = [report.scores[method][metric.name] for method in methods]
        axis.bar(methods, values, color=colours)
        axis.set_title(f"{metric.label}: {metric.description}, {metric.better} is better", fontsize=8)
        axis.tick_params(axis="x", labelrotation=30, labelsize=8)
        for position, value in enumerate(values):
            axis.text(position, value, format(value, metric.format), ha="center", va="bottom", fontsize=8)
    where = f"at {report.size} px" if report.size else "at their own size"
    figure.suptitle(f"{report.images} images from {report.data} {where}", fontsize=9)
    figure.tight_layout()
    return figure


def plot_rmse_detail(
    points: dict[str, tuple[float, float]], bars: tuple[float, float] | None = None, title: str = ""
) -> Figure:
    """Runs and fills on one plane: strip RMSE (lower is better) against detail (1 is the
    photo's own sharpness), where the two pull against each other; ``bars`` shades the corner
    that meets an RMSE ceiling and a detail floor."""
    details = [detail for _, detail in points.values()] + ([bars[1]] if bars else [])
    return _plot_plane(
        points,
        bars,
        (min(0.0, min(details)), max(details) + 0.1),
        shade_above=True,
        labels=("strip RMSE (0-255), lower is better", "detail (painted / true), 1 is the photo's"),
        title=title,
        size=(6.5, 4.5),
    )


def plot_layout_realism(
    points: dict[str, tuple[float, float]], bars: tuple[float, float] | None = None, title: str = ""
) -> Figure:
    """Methods on the plane the texture stage is judged on: layout error (lower is better)
    against realism (a classifier's accuracy; 0.5 is indistinguishable from the photo);
    ``bars`` shades the corner under a layout ceiling and a realism ceiling."""
    realisms = [realism for _, realism in points.values()] + ([bars[1]] if bars else [])
    return _plot_plane(
        points,
        bars,
        (min(0.5, min(realisms)) - 0.01, max(realisms) + 0.03),
        shade_above=False,
        labels=(
            "layout: strip RMSE after 8x area downsampling, lower is better",
            "realism: classifier accuracy, 0.5 is the photo's own",
        ),
        title=title,
        size=(8, 5),
    )


def _plot_plane(
    points: dict[str, tuple[float, float]],
    bars: tuple[float, float] | None,
    y_limits: tuple[float, float],
    shade_above: bool,
    labels: tuple[str, str],
    title: str,
    size: tuple[float, float],
) -> Figure:
    """Labelled points (fills, named "fill: ...", in grey) on two measures; ``bars`` is an x
    ceiling and a y bound, the shaded corner left of the first and above (``shade_above``) or
    below the second."""
    figure = Figure(figsize=size)
    axis = figure.subplots()
    for label, (x, y) in points.items():
        axis.scatter([x], [y], s=18, color="#9aa9b9" if label.startswith("fill") else "#1f4e79")
    xs = [x for x, _ in points.values()] + ([bars[0]] if bars else [])
    axis.set_xlim(min(xs) - 1, max(xs) + 2)
    axis.set_ylim(*y_limits)
    if bars is not None:
        ceiling, bound = bars
        left, (bottom, top) = axis.get_xlim()[0], axis.get_ylim()
        low, high = (bound, top) if shade_above else (bottom, bound)
        axis.add_patch(Rectangle((left, low), ceiling - left, high - low, color="#eef6ee", zorder=0))
        axis.axhline(bound, color="#7a9a7a", linestyle="--", linewidth=0.8)
        axis.axvline(ceiling, color="#7a9a7a", linestyle="--", linewidth=0.8)
    _place_labels(figure, axis, points)
    axis.set_xlabel(labels[0])
    axis.set_ylabel(labels[1])
    axis.set_title(title, fontsize=9)
    figure.tight_layout()
    return figure


# Where a point's label may go, in points from the point, tried in this order.
LABEL_OFFSETS = (
    (4, 2, "left"),
    (4, -9, "left"),
    (-4, 2, "right"),
    (-4, -9, "right"),
    (4, 10, "left"),
    (4, -17, "left"),
    (-4, 10, "right"),
    (-4, -17, "right"),
    (4, 18, "left"),
    (4, -25, "left"),
    (-4, 18, "right"),
    (-4, -25, "right"),
)


def _place_labels(figure: Figure, axis, points: dict[str, tuple[float, float]]) -> None:
    """Label each point at the first offset where its text covers no other point, no label
    placed before it, and stays inside the axes; the first offset where none is free."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    inside = axis.get_window_extent(renderer)
    placed = [Bbox.from_bounds(x - 3, y - 3, 6, 6) for x, y in axis.transData.transform(list(points.values()))]
    for label, point in points.items():
        for dx, dy, alignment in LABEL_OFFSETS:
            text = axis.annotate(label, point, fontsize=7, xytext=(dx, dy), textcoords="offset points", ha=alignment)
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed) and inside.x0 <= box.x0 and box.x1 <= inside.x1:
                break
            text.remove()
        else:
            dx, dy, alignment = LABEL_OFFSETS[0]
            text = axis.annotate(label, point, fontsize=7, xytext=(dx, dy), textcoords="offset points", ha=alignment)
            box = text.get_window_extent(renderer)
        placed.append(box)


def sample_sheet(
    outpainter: Outpainter,
    truths: list[np.ndarray],
    recursive_source: np.ndarray,
    times: int = 5,
    progress: bool = False,
) -> np.ndarray:
    """One uint8 picture: per row, known centre | output (blended) | ground truth, under a row of
    column labels; below, a recursive ``times``-round result of ``recursive_source``, centred.
    ``progress`` draws a bar (on a terminal's stderr, or in a notebook)."""
    size = truths[0].shape[1]
    bar = ProgressBar(len(truths) + times, unit="painting", enabled=progress)
    rows = [[row[0], row[2], row[3]] for row in comparison_rows(outpainter, truths)]
    bar.advance(len(truths))
    pairs = [rows[index] + rows[index + 1] for index in range(0, len(rows) - 1, 2)] or rows
    grid = labelled_grid(pairs, ["input", "output", "truth"] * (len(pairs[0]) // 3))
    widened = outpainter.outpaint(recursive_source, times=times, on_round=lambda *_: bar.advance())
    bar.close()
    if widened.shape[1] > grid.shape[1]:
        height = round(widened.shape[0] * grid.shape[1] / widened.shape[1])
        widened = cv2.resize(widened, (grid.shape[1], height), interpolation=cv2.INTER_AREA)
    strip = np.full((widened.shape[0], grid.shape[1], 3), 255, np.uint8)
    left = (grid.shape[1] - widened.shape[1]) // 2
    strip[:, left : left + widened.shape[1]] = widened
    caption = label_row([f"{times} recursive rounds from one input"], grid.shape[1], size)
    return np.concatenate([grid, caption, strip], axis=0)


SHEET_CAPTIONS = {"columns": "left and right, a quarter of the height", "rows": "top and bottom, a sixth of the height"}


def full_resolution_sheet(
    outpainter: Outpainter,
    photos: list[np.ndarray],
    height: int | None = None,
    progress: bool = False,
    axis: str = "columns",
) -> np.ndarray:
    """What a user sees: per row, a photo grown back after hiding the evaluation's strips
    (``geometry.own_size_centre``: a quarter of the height left and right, or for ``axis="rows"``
    a sixth of it top and bottom), painted at the photo's own size with ``paint``'s defaults,
    beside the photo itself; each row is then shown at ``height`` pixels (default: the lowest
    photo's own height, so that no photo is enlarged and photos of one size are shown pixel for
    pixel), so that photos of any size line up. ``progress`` draws a bar."""
    height = height or min(photo.shape[0] for photo in photos)
    rows = []
    bar = ProgressBar(len(photos), unit="photo", enabled=progress)
    for photo in photos:
        centre, _ = own_size_centre(photo, axis)
        painted = outpainter.outpaint(centre, side=",".join(AXES[axis]), height=photo.shape[0], width=photo.shape[1])
        width = int(round(photo.shape[1] * height / photo.shape[0]))
        gap = np.full((height, max(4, height // 40), 3), 255, np.uint8)
        rows.append(np.concatenate([resize(painted, width, height), gap, resize(photo, width, height)], axis=1))
        bar.advance()
    bar.close()
    widest = max(row.shape[1] for row in rows)
    rows = [
        np.pad(row, ((0, max(4, height // 40)), (0, widest - row.shape[1]), (0, 0)), constant_values=255)
        for row in rows
    ]
    half = (widest - max(4, height // 40)) // 2
    header = np.concatenate(
        [
            label_row([f"painted ({SHEET_CAPTIONS[axis]})"], half, height),
            label_row(["the photo"], widest - half, height),
        ],
        axis=1,
    )
    return np.concatenate([header, *rows], axis=0)


def before_after(outpainter: Outpainter, photo: np.ndarray, **target) -> np.ndarray:
    """The photo above what ``outpainter`` makes of it (``target``: ``make_target``'s keywords),
    each under a label, the photo at its place in the result so that the eye runs straight
    down from a pixel of the photo to the same pixel painted around; one uint8 picture, made
    for the README."""
    added = margins(outpainter.plan(photo.shape[:2], make_target(**target)))
    painted = outpainter.outpaint(photo, **target)
    height, width = photo.shape[:2]
    before = np.full_like(painted, 255)
    before[added["top"] : added["top"] + height, added["left"] : added["left"] + width] = photo
    label_size = min(height, 240)  # the labels' band is sized for a picture this high
    return np.concatenate(
        [
            label_row([f"the photo, {width} x {height}"], painted.shape[1], label_size),
            before,
            label_row([f"painted by outpaint, {painted.shape[1]} x {painted.shape[0]}"], painted.shape[1], label_size),
            painted,
        ],
        axis=0,
    )
