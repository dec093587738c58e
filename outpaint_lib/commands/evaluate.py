"""``outpaint evaluate``: the strips painted back against the truth, beside the classical fills."""

from __future__ import annotations

import argparse
import json
import sys

from outpaint_lib.commands.options import (
    add_command_parser,
    add_scoring_options,
    evaluation_axis,
    positive,
    scoring_settings,
)
from outpaint_lib.errors import OutpaintError


def add_command(commands) -> None:
    from outpaint_lib.metrics import METRICS

    evaluate = add_command_parser(
        commands,
        "evaluate",
        run,
        doc=run.__doc__.format(metrics=", ".join(metric.name for metric in METRICS)),
        description="Hide the side strips of real photos, paint them back and score them, one column per "
        "measure: "
        + "; ".join(f"{metric.name}: {metric.description} ({metric.better} is better)" for metric in METRICS)
        + " (realism with --realism).",
    )
    evaluate.add_argument("--data", required=True, help="folder of test images, searched recursively")
    evaluate.add_argument(
        "--size", type=positive, help="square size the images are scored at, at least 32 (default: the model's)"
    )
    evaluate.add_argument(
        "--baselines",
        nargs="*",
        metavar="NAME",
        choices=_baseline_names(),
        help="also score the classical fills, those named or all: " + ", ".join(_baseline_names()),
    )
    evaluate.add_argument(
        "--baselines-only",
        dest="baselines_only",
        action="store_true",
        help="no model: the classical fills alone, those --baselines names or all (needs --size or --full-resolution)",
    )
    evaluate.add_argument(
        "--full-resolution",
        dest="full_resolution",
        action="store_true",
        help="score each photo at its own size, widened back as paint widens it (blended)",
    )
    evaluate.add_argument(
        "--rounds",
        type=positive,
        metavar="N",
        help="with --full-resolution: also widen each photo N times and score the outermost "
        "round's brightness and detail against the photo",
    )
    evaluate.add_argument(
        "--side",
        type=evaluation_axis,
        default="both",
        dest="axis",
        metavar="SIDES",
        help="the strips hidden and painted back: left,right (or both: the default) or top,bottom (at full "
        "resolution a sixth of the height each, with 32-px realism patches)",
    )
    evaluate.add_argument("--limit", type=positive, metavar="N", help="only the first N images (default: all)")
    evaluate.add_argument("--json", metavar="FILE", help="also write the scores to FILE as JSON")
    evaluate.add_argument(
        "--realism",
        action="store_true",
        help="also run the realism test (trains six small classifiers a method: about a minute for 50 photos)",
    )
    add_scoring_options(evaluate)


def run(arguments: argparse.Namespace) -> int:
    """Score the strips against the truth: {metrics}.

    examples:
      outpaint evaluate --data ../shared/data/beach/val --baselines          # 128-px squares
      outpaint evaluate --data ../shared/data/photos --full-resolution --baselines --realism
      outpaint evaluate --data ../shared/data/photos --full-resolution --side top,bottom --baselines
    """
    from outpaint_lib.runtime import start_tensorflow_quietly

    start_tensorflow_quietly()
    import dataclasses

    from outpaint_lib.evaluation import evaluate_recursive
    from outpaint_lib.files import atomic_write_text, check_output_file
    from outpaint_lib.inference import Outpainter

    _check_options(arguments)
    if arguments.json:
        check_output_file(arguments.json)  # before the evaluation, not after it
    outpainter = None
    if not arguments.baselines_only:
        outpainter = Outpainter.from_settings(scoring_settings(arguments))
    report = _report(arguments, outpainter)
    if arguments.rounds:
        recursive = evaluate_recursive(
            outpainter, arguments.data, arguments.rounds, limit=arguments.limit, progress=not arguments.quiet
        )
        print(
            f"after {arguments.rounds} rounds at full resolution ({recursive['images']} photos), the outermost "
            f"round against the photo: brightness {recursive['brightness']:.3f}, detail {recursive['detail']:.3f}"
        )
        report = dataclasses.replace(report, recursive=recursive)
    if arguments.json:
        atomic_write_text(arguments.json, json.dumps(report.to_dict(), indent=2) + "\n")
    return 0


def _check_options(arguments: argparse.Namespace) -> None:
    if arguments.full_resolution and arguments.size:
        raise OutpaintError("--full-resolution scores each photo at its own size: leave out --size")
    if arguments.rounds and (arguments.baselines_only or not arguments.full_resolution):
        raise OutpaintError("--rounds widens each photo at its own size with the model: give --full-resolution")
    if arguments.rounds and arguments.axis != "columns":
        raise OutpaintError("--rounds widens each photo to the left and right: leave out --side top,bottom")
    if arguments.baselines_only and not (arguments.size or arguments.full_resolution):
        raise OutpaintError("--baselines-only has no model to take the size from: give --size (or --full-resolution)")


def _report(arguments: argparse.Namespace, outpainter):
    """Scores every method and prints the table, the files it skipped and the realism ranges."""
    from outpaint_lib.evaluation import evaluate_folder, evaluate_full_resolution

    options = dict(
        baselines=_baselines(arguments),
        limit=arguments.limit,
        progress=not arguments.quiet,
        with_realism=arguments.realism,
        axis=arguments.axis,
    )
    if arguments.full_resolution:
        report = evaluate_full_resolution(outpainter, arguments.data, **options)
    else:
        report = evaluate_folder(outpainter, arguments.data, size=arguments.size, **options)
    for path, reason in report.skipped_files:
        print(f"outpaint evaluate: skipped {path}: {reason}", file=sys.stderr)
    print(report.describe())
    if outpainter is not None:
        passes = (
            "the mean of its passes over each photo and its mirror image"
            if outpainter.settings.mirror_average
            else "one pass"
        )
        print(f"model: {arguments.checkpoint}, {passes}")
    print(report.table())
    if arguments.realism:
        ranges = ", ".join(
            f"{method} {values['realism_low']:.3f}-{values['realism_high']:.3f}"
            for method, values in report.scores.items()
            if "realism_low" in values
        )
        print(f"realism, lowest to highest of its six classifiers: {ranges}")
    return report


def _baselines(arguments: argparse.Namespace) -> bool | list[str]:
    """``--baselines`` alone means all of them, as does ``--baselines-only`` without names."""
    if arguments.baselines:
        return arguments.baselines
    return arguments.baselines is not None or arguments.baselines_only


def _baseline_names() -> list[str]:
    from outpaint_lib.baselines import BASELINES

    return list(BASELINES)
