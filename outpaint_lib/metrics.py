"""The paper's strip RMSE, with PSNR, SSIM, a streak error, and what a user sees beside the
photo: detail (is the strip as sharp as reality?), seam (does it meet the photo without a visible
edge?), layout (are the bands and colours where they belong, whatever the texture?) and realism
(can a classifier tell a painted patch from a real one?). All on uint8 RGB images, over the
strips only.

Pixel measures (RMSE, PSNR, SSIM) reward the blurred mean: a strip with real texture that is not
the truth's own scores worse than a smear (the perception-distortion trade-off, Blau and
Michaeli 2018). Layout judges the structure, realism and detail the texture.

``METRICS`` is the one ordered list that the scores, the tables, the plots and the help read."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import cv2
import numpy as np


def _strip_pairs(ground_truth: np.ndarray, output: np.ndarray, strip_width: int):
    """The (truth, output) pair of the left strip, then of the right, in float64.

    Metrics with a spatial extent score each pair on its own, so that no window or difference
    straddles the artificial join between the two strips; the pixel-wise ones join them.
    """
    if ground_truth.shape != output.shape:
        raise ValueError(f"shapes differ: {ground_truth.shape} and {output.shape}")
    width = ground_truth.shape[1]
    return [
        (ground_truth[:, columns].astype(np.float64), output[:, columns].astype(np.float64))
        for columns in (slice(0, strip_width), slice(width - strip_width, width))
    ]


def _joined_strips(ground_truth: np.ndarray, output: np.ndarray, strip_width: int):
    truths, outputs = zip(*_strip_pairs(ground_truth, output, strip_width))
    return np.concatenate(truths, axis=1), np.concatenate(outputs, axis=1)


def strip_rmse(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """sqrt(sum(((gt - out) * M)^2) / (H * 2k * 3)) on the 0-255 scale, as the paper's code."""
    truth, generated = _joined_strips(ground_truth, output, strip_width)
    return float(np.sqrt(np.mean((truth - generated) ** 2)))


def strip_psnr(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """PSNR in dB over the strips (infinite for identical strips)."""
    from skimage.metrics import peak_signal_noise_ratio  # scikit-image takes a second to import: only when scoring

    truth, generated = _joined_strips(ground_truth, output, strip_width)
    if np.array_equal(truth, generated):
        return float("inf")
    return float(peak_signal_noise_ratio(truth, generated, data_range=255))


def strip_ssim(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """Mean SSIM of the left and the right strip, each scored on its own."""
    from skimage.metrics import structural_similarity

    scores = []
    for truth, generated in _strip_pairs(ground_truth, output, strip_width):
        window = min(7, min(truth.shape[:2]) // 2 * 2 - 1)
        scores.append(structural_similarity(truth, generated, data_range=255, channel_axis=-1, win_size=window))
    return float(np.mean(scores))


def _column_curvature(strip: np.ndarray) -> np.ndarray:
    """The second horizontal difference averaged down each column: texture cancels out, while a
    vertical streak or band (a whole column brighter or darker than its neighbours) remains, and
    smooth left-right gradients give zero."""
    return np.diff(strip, n=2, axis=1).mean(axis=0)


def strip_streak_error(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """Mean absolute difference between the output's and the truth's column curvature, per strip.

    RMSE spreads thin vertical streaks over the whole strip; this isolates them. A fill that
    invents no vertical structure (edge replication, inpainting) scores the photo's own column
    structure; invented streaks score above that, and only continuing the photo's real
    vertical structure scores below it.
    """
    errors = [
        np.abs(_column_curvature(truth) - _column_curvature(generated)).mean()
        for truth, generated in _strip_pairs(ground_truth, output, strip_width)
    ]
    return float(np.mean(errors))


def _ratio(numerator: float, denominator: float) -> float:
    """A ratio to the truth's own value; NaN where the truth has none (a flat strip), which the
    evaluation's means leave out."""
    return numerator / denominator if denominator > 0 else float("nan")


def _mean_absolute_laplacian(strip: np.ndarray) -> float:
    """Mean |Laplacian| (the 3 x 3 four-neighbour kernel) of the strip's grey image, over the
    pixels whose whole neighbourhood lies in the strip, so that no seam or border counts."""
    grey = cv2.cvtColor(strip.astype(np.float32), cv2.COLOR_RGB2GRAY)
    laplacian = cv2.Laplacian(grey, cv2.CV_32F, ksize=1)
    return float(np.abs(laplacian[1:-1, 1:-1]).mean())


def strip_detail(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """Mean absolute Laplacian of the painted strips over that of the true strips: 1 is as
    detailed as reality, 0 a flat fill, and a smeared strip lands in between."""
    painted, true = zip(
        *(
            (_mean_absolute_laplacian(generated), _mean_absolute_laplacian(truth))
            for truth, generated in _strip_pairs(ground_truth, output, strip_width)
        )
    )
    return _ratio(float(np.mean(painted)), float(np.mean(true)))


def _boundary_jump(image: np.ndarray, strip_width: int) -> float:
    """Mean absolute colour difference across the two strip-photo boundaries: between the last
    column of each strip and the first column of the photo beside it."""
    image = image.astype(np.float64)
    width = image.shape[1]
    left = np.abs(image[:, strip_width - 1] - image[:, strip_width])
    right = np.abs(image[:, width - strip_width] - image[:, width - strip_width - 1])
    return float((left.mean() + right.mean()) / 2)


def strip_seam(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """The jump across the boundaries in the output over the same jump in the truth: 1 is as
    natural as the photo's own neighbouring columns, above 1 a visible seam, near 0 a strip
    that starts by copying the photo's edge column."""
    if ground_truth.shape != output.shape:
        raise ValueError(f"shapes differ: {ground_truth.shape} and {output.shape}")
    return _ratio(_boundary_jump(output, strip_width), _boundary_jump(ground_truth, strip_width))


def outer_round_scores(photo: np.ndarray, widened: np.ndarray, columns: int) -> dict[str, float]:
    """How the outermost ``columns`` on each side of a recursively ``widened`` photo compare with
    the ``photo`` itself (no truth exists out there): ``brightness``, their mean grey level over
    the photo's (1 keeps the light; far ends that darken fall below), and ``detail``, their mean
    absolute Laplacian over the photo's (a smear falls toward 0)."""
    if widened.shape[0] != photo.shape[0] or widened.shape[1] < photo.shape[1] + 2 * columns:
        raise ValueError(f"{widened.shape} is not {photo.shape} widened by {columns} columns a side")
    outer = [widened[:, :columns], widened[:, -columns:]]
    grey = [cv2.cvtColor(part.astype(np.float32), cv2.COLOR_RGB2GRAY).mean() for part in outer]
    photo_grey = cv2.cvtColor(photo.astype(np.float32), cv2.COLOR_RGB2GRAY).mean()
    return {
        "brightness": _ratio(float(np.mean(grey)), float(photo_grey)),
        "detail": _ratio(
            float(np.mean([_mean_absolute_laplacian(part) for part in outer])), _mean_absolute_laplacian(photo)
        ),
    }


# Layout compares the strips after this much area downsampling: bands and colours, not texture.
LAYOUT_DOWNSAMPLING = 8


def strip_layout(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> float:
    """RMSE of the strips after area-downsampling each by ``LAYOUT_DOWNSAMPLING``: are the
    horizon, shore, sky bands and colours where they should be, blind to fine texture. Each
    strip is downsampled on its own, so that no output pixel mixes a strip with the photo."""
    squared = []
    for truth, generated in _strip_pairs(ground_truth, output, strip_width):
        height, width = truth.shape[:2]
        size = (max(1, round(width / LAYOUT_DOWNSAMPLING)), max(1, round(height / LAYOUT_DOWNSAMPLING)))
        squared.append(
            (
                cv2.resize(truth, size, interpolation=cv2.INTER_AREA)
                - cv2.resize(generated, size, interpolation=cv2.INTER_AREA)
            )
            ** 2
        )
    return float(np.sqrt(np.mean(np.concatenate([part.reshape(-1) for part in squared]))))


# The realism test: square patches cut at the same places from painted and true strips, and a
# small classifier that tries to tell them apart on photos it has not learnt from.
REALISM_PATCH = 48
REALISM_PATCHES_PER_STRIP = 6
REALISM_EPOCHS = 12
REALISM_BATCH = 64
REALISM_LEARNING_RATE = 1e-3
REALISM_SEEDS = (0, 1, 2)


def realism_patches(
    ground_truth: np.ndarray, output: np.ndarray, strip_width: int, patch: int = REALISM_PATCH
) -> tuple[np.ndarray, np.ndarray]:
    """The painted and the true patches of one image, ``REALISM_PATCHES_PER_STRIP`` a strip,
    each ``patch`` pixels square (less where the strip is narrower or the image lower): spaced
    evenly from top to bottom, centred across the strip, the left strip's mirrored so that the
    photo is always on the patch's right."""
    painted, true = [], []
    for index, (truth, generated) in enumerate(_strip_pairs(ground_truth, output, strip_width)):
        if index == 0:
            truth, generated = truth[:, ::-1], generated[:, ::-1]
        height, width = truth.shape[:2]
        side = min(patch, width, height)
        left = (width - side) // 2
        for top in np.linspace(0, height - side, REALISM_PATCHES_PER_STRIP).round().astype(int):
            window = slice(top, top + side), slice(left, left + side)
            painted.append(_square(generated[window], patch))
            true.append(_square(truth[window], patch))
    return np.stack(painted).astype(np.uint8), np.stack(true).astype(np.uint8)


def _square(part: np.ndarray, patch: int) -> np.ndarray:
    if part.shape[0] == patch and part.shape[1] == patch:
        return part
    return cv2.resize(part, (patch, patch), interpolation=cv2.INTER_AREA)


def realism(
    painted: Sequence[np.ndarray],
    true: Sequence[np.ndarray],
    seeds: Sequence[int] = REALISM_SEEDS,
    epochs: int = REALISM_EPOCHS,
) -> dict[str, float]:
    """A classifier two-sample test: ``painted[i]`` and ``true[i]`` are image i's patches
    (``realism_patches``). A small CNN learns painted against true on the patches of half of
    the images and is scored (accuracy) on the other half, both ways round, for each seed.
    Returns the mean accuracy and its range: 0.5 is indistinguishable, 1.0 every painted patch
    spotted. Images split by image, never by patch, so that no photo is both learnt and judged."""
    if len(painted) != len(true) or len(painted) < 2:
        raise ValueError("the realism test needs the patches of at least two images, painted and true alike")
    import keras

    accuracies = []
    for seed in seeds:
        order = np.random.default_rng(seed).permutation(len(painted))
        halves = order[: len(order) // 2], order[len(order) // 2 :]
        for learn, judge in (halves, halves[::-1]):
            keras.utils.set_random_seed(seed)
            model = _realism_classifier(painted[0].shape[1:])
            inputs, labels = _labelled(painted, true, learn)
            model.fit(inputs, labels, batch_size=REALISM_BATCH, epochs=epochs, shuffle=True, verbose=0)
            inputs, labels = _labelled(painted, true, judge)
            predictions = np.asarray(model(inputs, training=False))[:, 0] > 0.5
            accuracies.append(float(np.mean(predictions == labels.astype(bool))))
    return {"mean": float(np.mean(accuracies)), "low": float(np.min(accuracies)), "high": float(np.max(accuracies))}


def _labelled(painted, true, images) -> tuple[np.ndarray, np.ndarray]:
    """The patches of ``images``, scaled to [0, 1]; painted labelled 1, true 0."""
    fake = np.concatenate([painted[i] for i in images])
    real = np.concatenate([true[i] for i in images])
    inputs = np.concatenate([fake, real]).astype(np.float32) / 255.0
    return inputs, np.concatenate([np.ones(len(fake)), np.zeros(len(real))]).astype(np.float32)


def _realism_classifier(shape: tuple[int, int, int]):
    """Three convolution blocks of 32, 64 and 128 filters and global pooling: small enough to
    learn from a few hundred patches, so that the test measures what any quick look could see."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape)])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        model.add(layers.MaxPooling2D())
    model.add(layers.GlobalAveragePooling2D())
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer=keras.optimizers.Adam(REALISM_LEARNING_RATE), loss="binary_crossentropy")
    return model


@dataclasses.dataclass(frozen=True)
class Metric:
    """One score of a method's strips: its key in every report, its column, and which way is better."""

    name: str
    label: str
    format: str
    better: str  # "lower", "higher", "near 1" or (realism) "near 0.5"
    description: str
    score: Callable[[np.ndarray, np.ndarray, int], float] | None  # per image; None: over a set of images


METRICS = (
    Metric("rmse", "RMSE", ".2f", "lower", "the paper's strip RMSE (0-255)", strip_rmse),
    Metric("psnr", "PSNR dB", ".2f", "higher", "PSNR of the strips", strip_psnr),
    Metric("ssim", "SSIM", ".3f", "higher", "mean SSIM of the two strips", strip_ssim),
    Metric("streaks", "streaks", ".2f", "lower", "invented vertical bands", strip_streak_error),
    Metric("detail", "detail", ".3f", "near 1", "sharpness over the truth's (0: a smear)", strip_detail),
    Metric("seam", "seam", ".2f", "near 1", "the jump at the photo's edge over the truth's", strip_seam),
    Metric("layout", "layout", ".2f", "lower", f"RMSE after {LAYOUT_DOWNSAMPLING}x area downsampling", strip_layout),
    Metric(
        "realism", "realism", ".3f", "near 0.5", "a classifier's accuracy telling painted patches from true ones", None
    ),
)
STRIP_METRICS = tuple(metric for metric in METRICS if metric.score is not None)


def strip_scores(ground_truth: np.ndarray, output: np.ndarray, strip_width: int) -> dict[str, float]:
    """Every per-image metric of one painted image against its truth."""
    return {metric.name: metric.score(ground_truth, output, strip_width) for metric in STRIP_METRICS}
