"""Texture candidates side by side on the photos at their own size: every method's strips
scored with every metric, realism included, and drawn on one layout-realism plot.

The protocol is ``evaluate --full-resolution``'s: hide round(H/4) columns a side, widen the
centre back, score the strips. The candidates share one generator pass per photo: the
texture stage with several settings, the generator alone, PatchMatch inpainting alone and a
frequency split of the generator and PatchMatch (both with ``pypatchmatch``, when installed:
``pip install pypatchmatch==2.2.0``), and the classical fills. Writes the table as JSON and
the plot beside it:

    python benchmarks/texture_candidates.py -o checkpoint/texture_candidates.png [--limit 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from outpaint_lib.baselines import BASELINES
from outpaint_lib.evaluation import ScoreCollector
from outpaint_lib.geometry import own_size_centre
from outpaint_lib.images import find_images, load_image
from outpaint_lib.inference import Outpainter
from outpaint_lib.metrics import METRICS
from outpaint_lib.postprocess import blend_photo
from outpaint_lib.showcase import plot_layout_realism
from outpaint_lib.texture import DEFAULT_SETTINGS, texture_strips

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"

# The texture stage's settings measured, by label: the default and the steps that led to it.
TEXTURE_VARIANTS = {
    "texture (default)": DEFAULT_SETTINGS,
    "texture, layout as an offset (the previous default)": dataclasses.replace(
        DEFAULT_SETTINGS, layout_correction="offset"),
    "texture, gain and a coarse level gain": dataclasses.replace(DEFAULT_SETTINGS, level_blur=0.03),
    "texture, no layout back": dataclasses.replace(DEFAULT_SETTINGS, layout_strength=0.0),
    "texture, half the layout": dataclasses.replace(DEFAULT_SETTINGS, layout_strength=0.5),
    "texture, layout blur x2": dataclasses.replace(DEFAULT_SETTINGS, layout_blur=0.03),
    "texture, no object/reuse cost": dataclasses.replace(DEFAULT_SETTINGS, distinct_weight=0.0, reuse_weight=0.0),
    "texture, small tiles, half layout": dataclasses.replace(
        DEFAULT_SETTINGS, tile=0.06, overlap_weight=0.25, layout_strength=0.5, working_height=200),
}

# A candidate: (truth, centre, strip, the generator's pasted canvas) -> the painted image.
Candidate = Callable[[np.ndarray, np.ndarray, int, np.ndarray], np.ndarray]


def patchmatch_candidates() -> dict[str, Candidate]:
    try:
        import patchmatch
    except ImportError:
        print("pypatchmatch is not installed: its two candidates are left out")
        return {}
    patchmatch.set_random_seed(0)

    def alone(truth, centre, strip, canvas):
        mask = np.zeros(canvas.shape[:2], np.uint8)
        mask[:, :strip] = mask[:, -strip:] = 255
        return patchmatch.inpaint(canvas, mask, patch_size=3)

    def frequency_split(truth, centre, strip, canvas):
        """The generator's low frequencies (Gaussian sigma 3) with PatchMatch's high ones."""
        filled = alone(truth, centre, strip, canvas).astype(np.float32)
        def low(image):
            return cv2.GaussianBlur(image, (0, 0), 3)
        mixed = low(canvas.astype(np.float32)) + filled - low(filled)
        mixed[:, strip:-strip] = centre
        return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)

    return {"PatchMatch alone": alone, "generator + PatchMatch detail": frequency_split}


def candidates() -> dict[str, Candidate]:
    def blended(paint: Candidate) -> Candidate:
        return lambda truth, centre, strip, canvas: blend_photo(paint(truth, centre, strip, canvas), centre, strip)

    methods: dict[str, Candidate] = {
        label: blended(lambda truth, centre, strip, canvas, settings=settings:
                       texture_strips(canvas, strip, strip, seed=0, settings=settings))
        for label, settings in TEXTURE_VARIANTS.items()
    }
    methods["generator alone"] = blended(lambda truth, centre, strip, canvas: canvas.copy())
    methods.update({label: blended(paint) for label, paint in patchmatch_candidates().items()})
    methods["fill: mirror of the centre"] = lambda truth, centre, strip, canvas: cv2.copyMakeBorder(
        centre, 0, 0, strip, strip, cv2.BORDER_REFLECT)
    for name in ("telea", "edge_replication"):
        methods[f"fill: {name}"] = lambda truth, centre, strip, canvas, fill=BASELINES[name]: fill(centre, strip)
    return methods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", required=True, help="PNG path; the scores go beside it as .json")
    parser.add_argument("--data", type=Path, default=PHOTOS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--bars", nargs=2, type=float, metavar=("LAYOUT", "REALISM"),
                        help="default: 0.9 x Telea's layout, and 0.58")
    parser.add_argument("--replot", action="store_true", help="draw the plot again from the JSON beside it")
    arguments = parser.parse_args()
    output = Path(arguments.output)
    if arguments.replot:
        draw(json.loads(output.with_suffix(".json").read_text()), output, arguments)
        return

    generator = Outpainter.load(texture="none")
    methods = candidates()
    collector = ScoreCollector(list(methods), with_realism=True)
    for path in find_images(arguments.data)[: arguments.limit]:
        truth = load_image(path)
        centre, strip = own_size_centre(truth)
        canvas = generator.outpaint_batch([centre], blend=False)[0]
        for name, paint in methods.items():
            collector.add(name, truth, paint(truth, centre, strip, canvas), strip)
    scores = collector.means()

    print(f"{'method':<40} " + " ".join(f"{metric.label:>8}" for metric in METRICS) + "  realism range")
    for name, values in scores.items():
        print(f"{name:<40} " + " ".join(f"{format(values[metric.name], metric.format):>8}" for metric in METRICS)
              + f"  {values['realism_low']:.3f}-{values['realism_high']:.3f}")
    output.with_suffix(".json").write_text(json.dumps(scores, indent=1) + "\n")
    draw(scores, output, arguments)


def draw(scores: dict[str, dict[str, float]], output: Path, arguments: argparse.Namespace) -> None:
    bars = tuple(arguments.bars) if arguments.bars else (0.9 * scores["fill: telea"]["layout"], 0.58)
    points = {name: (values["layout"], values["realism"]) for name, values in scores.items()}
    title = f"{arguments.data.name}, each photo at its own size; shaded: the bar"
    plot_layout_realism(points, bars=bars, title=title).savefig(output, dpi=150)


if __name__ == "__main__":
    main()
