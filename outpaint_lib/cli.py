"""The ``outpaint`` command line: one sub-command per job, each a thin call into the library.

Errors caused by the user's input end as one line on stderr and a non-zero exit code; the
library modules are imported inside each command so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from outpaint_lib.errors import OutpaintError  # noqa: E402


def command_summary(arguments: argparse.Namespace) -> int:
    from outpaint_lib.config import get_preset
    from outpaint_lib.models import parameter_counts

    print(json.dumps(parameter_counts(get_preset(arguments.preset)), indent=2))
    return 0


def command_train(arguments: argparse.Namespace) -> int:
    from outpaint_lib.config import OutpaintConfig, get_preset
    from outpaint_lib.run_folder import CONFIG_FILE
    from outpaint_lib.training import train

    saved = os.path.join(arguments.out, CONFIG_FILE)
    if arguments.resume and arguments.preset is None and os.path.exists(saved):
        config = OutpaintConfig.load(saved)  # continue the run as it was configured
    else:
        config = get_preset(arguments.preset or "paper")
    overrides = dict(_parse_settings(arguments.set))
    for key in ("batch_size", "precision", "image_size", "width_multiplier", "augment", "seed"):
        if getattr(arguments, key) is not None:
            overrides[key] = getattr(arguments, key)
    config = config.replace(**overrides)
    result = train(
        config,
        arguments.data,
        arguments.out,
        arguments.steps,
        val_dir=arguments.val_data,
        checkpoint_every=arguments.checkpoint_every,
        validate_every=arguments.validate_every,
        resume=arguments.resume,
        progress=not arguments.quiet,
        initial_generator=arguments.initial_generator,
        strategy=arguments.strategy,
    )
    if not result.chief:
        return 0  # the chief reports the run
    if result.step == result.start_step:
        print(f"the run in {result.run_dir} is already complete ({result.step} steps); nothing was trained")
        return 0
    last = result.history[-1] if result.history else {}
    print(
        f"trained steps {result.start_step + 1}-{result.step} of {result.schedule.total_steps}; "
        f"final validation MSE {last.get('val_mse')}; run folder {result.run_dir}"
    )
    return 0


def command_plot(arguments: argparse.Namespace) -> int:
    from outpaint_lib.files import check_output_file
    from outpaint_lib.history import read_history
    from outpaint_lib.plotting import plot_phase_losses
    from outpaint_lib.run_folder import HISTORY_FILE, PLOT_FILE

    output = arguments.output or os.path.join(arguments.run_dir, PLOT_FILE)
    check_output_file(output)
    rows = read_history(os.path.join(arguments.run_dir, HISTORY_FILE))
    if not rows:
        raise OutpaintError(f"no training history in {arguments.run_dir}")
    plot_phase_losses(rows, output)
    print(output)
    return 0


def command_paint(arguments: argparse.Namespace) -> int:
    from outpaint_lib.painting import paint_files

    written = []
    try:
        outcome = paint_files(
            arguments.inputs,
            arguments.output,
            checkpoint=arguments.checkpoint,
            times=arguments.times,
            width=arguments.width,
            aspect=arguments.aspect,
            side=arguments.side,
            blend=arguments.blend,
            max_pixels=arguments.max_pixels,
            progress=not arguments.quiet,
            precision=arguments.precision,
            mirror_average=arguments.mirror_average,
            runtime=arguments.runtime,
            steady_colour=arguments.steady_colour,
            texture=arguments.texture,
            seed=arguments.seed,
            overwrite=arguments.overwrite,
            on_failure=lambda path, message: print(
                f"outpaint paint: error: {path}: {message}", file=sys.stderr, flush=True
            ),
            on_skip=lambda path, reason: print(
                f"outpaint paint: skipped {path}: {reason}", file=sys.stderr, flush=True
            ),
            on_written=written.append,
        )
    except (KeyboardInterrupt, OSError) as error:
        # Each result was written when it was done: say how many are kept, and where.
        kept = (
            f"{len(written)} result(s) written into {arguments.output} before it stopped"
            if written
            else "nothing written"
        )
        interrupted = isinstance(error, KeyboardInterrupt)
        problem = "interrupted" if interrupted else f"error: {_describe_os_error(error)}"
        print(f"outpaint paint: {problem}; {kept}", file=sys.stderr)
        return 130 if interrupted else 1
    where = f"into {arguments.output} ({outcome.size_range()}) " if outcome.written else ""
    print(
        f"painted {len(outcome.written)} image(s) {where}in "
        f"{outcome.seconds:.1f} s; {len(outcome.failures)} failed; {len(outcome.skipped)} skipped"
    )
    return 1 if outcome.failures else 0


def command_evaluate(arguments: argparse.Namespace) -> int:
    import dataclasses

    from outpaint_lib.evaluation import evaluate_folder, evaluate_full_resolution, evaluate_recursive
    from outpaint_lib.files import atomic_write_text, check_output_file
    from outpaint_lib.inference import Outpainter

    if arguments.full_resolution and arguments.size:
        raise OutpaintError("--full-resolution scores each photo at its own size: leave out --size")
    if arguments.rounds and (arguments.baselines_only or not arguments.full_resolution):
        raise OutpaintError("--rounds widens each photo at its own size with the model: give --full-resolution")
    if arguments.baselines_only and not (arguments.size or arguments.full_resolution):
        raise OutpaintError("--baselines-only has no model to take the size from: give --size (or --full-resolution)")
    if arguments.json:
        check_output_file(arguments.json)  # before the evaluation, not after it
    # Scores are computed in float32, so that they do not depend on the machine's CPU.
    outpainter = (
        None
        if arguments.baselines_only
        else Outpainter.load(
            arguments.checkpoint,
            precision="float32",
            mirror_average=arguments.mirror_average,
            texture=arguments.texture,
        )
    )
    baselines = arguments.baselines or arguments.baselines_only
    if arguments.full_resolution:
        report = evaluate_full_resolution(
            outpainter,
            arguments.data,
            baselines=baselines,
            limit=arguments.limit,
            progress=not arguments.quiet,
            with_realism=arguments.realism,
        )
    else:
        report = evaluate_folder(
            outpainter,
            arguments.data,
            size=arguments.size,
            baselines=baselines,
            limit=arguments.limit,
            progress=not arguments.quiet,
            with_realism=arguments.realism,
        )
    for path, reason in report.skipped_files:
        print(f"outpaint evaluate: skipped {path}: {reason}", file=sys.stderr)
    print(report.describe())
    if outpainter is not None:
        passes = (
            "the mean of its passes over each photo and its mirror image" if outpainter.mirror_average else "one pass"
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


def command_export(arguments: argparse.Namespace) -> int:
    from outpaint_lib.generator_files import read_config
    from outpaint_lib.lite import export

    read_config(arguments.checkpoint)  # one clear line for a folder that is not a generator
    print(export(arguments.checkpoint))
    return 0


def command_samples(arguments: argparse.Namespace) -> int:
    from outpaint_lib.files import atomic_write_bytes, check_output_file
    from outpaint_lib.images import ImageError, encode_image, encoding_for, find_images, load_image, load_square
    from outpaint_lib.inference import Outpainter
    from outpaint_lib.pipeline import evenly_spaced
    from outpaint_lib.showcase import full_resolution_sheet, sample_sheet

    output = check_output_file(arguments.output)
    encoding_for(output.suffix)  # an unknown suffix fails now, not after the work
    files = find_images(arguments.data)
    if not files:
        raise OutpaintError(f"no images in {arguments.data}")
    outpainter = Outpainter.load(
        arguments.checkpoint, precision="float32", mirror_average=arguments.mirror_average, texture=arguments.texture
    )
    if arguments.full_resolution:
        photos = []
        for path in evenly_spaced(files, arguments.count):
            try:
                photos.append(load_image(path))
            except ImageError as error:
                print(f"outpaint samples: skipped {path}: {error}", file=sys.stderr)
        if not photos:
            raise OutpaintError(f"none of the images taken from {arguments.data} could be read")
        sheet = full_resolution_sheet(outpainter, photos, progress=not arguments.quiet)
        atomic_write_bytes(output, encode_image(sheet, output.suffix))
        print(f"{arguments.output}: {len(photos)} photo(s) at their own size ({sheet.shape[1]} x {sheet.shape[0]} px)")
        return 0
    size = outpainter.config.image_size
    truths = []
    for path in evenly_spaced(files, arguments.count):
        try:
            truths.append(load_square(path, size))
        except ImageError as error:
            print(f"outpaint samples: skipped {path}: {error}", file=sys.stderr)
    if not truths:
        raise OutpaintError(f"none of the images taken from {arguments.data} could be read")
    try:
        source = load_square(arguments.recursive, size) if arguments.recursive else truths[0]
    except ImageError as error:
        raise OutpaintError(f"{arguments.recursive}: {error}") from None
    sheet = sample_sheet(outpainter, truths, source, times=arguments.times, progress=not arguments.quiet)
    atomic_write_bytes(output, encode_image(sheet, output.suffix))
    size = f"{sheet.shape[1]} x {sheet.shape[0]} px"
    print(f"{arguments.output}: {len(truths)} image(s) and a {arguments.times}-round result ({size})")
    return 0


def command_data_download(arguments: argparse.Namespace) -> int:
    from outpaint_lib.datasets import download

    categories = arguments.categories.split(",") if arguments.categories is not None else None
    download(arguments.name, to=arguments.to, mirror=arguments.mirror, categories=categories)
    return 0


def command_data_prepare(arguments: argparse.Namespace) -> int:
    from outpaint_lib.preparation import prepare

    report = prepare(
        arguments.source,
        arguments.destination,
        arguments.size,
        val_fraction=arguments.val_fraction,
        seed=arguments.seed,
    )
    skipped = sum(report.skipped.values())
    reasons = ", ".join(f"{reason}: {count}" for reason, count in report.skipped.items())
    print(
        f"prepared {report.train} train + {report.val} val images of {arguments.size} x {arguments.size} "
        f"in {arguments.destination}; removed {report.duplicates} duplicates; skipped {skipped}"
        + (f" ({reasons})" if reasons else "")
    )
    for file, reason in report.failures[:10]:
        print(f"  skipped {file}: {reason}", file=sys.stderr)
    if len(report.failures) > 10:
        print(f"  ... and {len(report.failures) - 10} more", file=sys.stderr)
    print(f"manifest: {report.manifest}")
    return 0


def command_data_list(arguments: argparse.Namespace) -> int:
    from outpaint_lib.datasets import format_size, list_datasets

    rows = [("NAME", "SIZE", "STATUS", "DESCRIPTION")]
    for status in list_datasets(arguments.root):
        state = "absent"
        if status.present:
            state = "present" if status.categories is None else f"present ({','.join(status.categories)})"
        rows.append((status.name, format_size(status.approximate_bytes), state, status.description))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    return 0


def _add_checkpoint(parser: argparse.ArgumentParser) -> None:
    from outpaint_lib.config import DEFAULT_CHECKPOINT

    parser.add_argument(
        "--checkpoint",
        default=str(DEFAULT_CHECKPOINT),
        metavar="GENERATOR_DIR",
        help="a generator folder, or a training run's folder (default: the shipped beach model, checkpoint/)",
    )


def _baseline_names() -> list[str]:
    from outpaint_lib.baselines import BASELINES

    return list(BASELINES)


def _add_single_pass(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--single-pass",
        dest="mirror_average",
        action="store_false",
        help="one generator pass, not the mean with the pass over the mirrored photo",
    )


def _add_texture(parser: argparse.ArgumentParser, evaluating: bool = False) -> None:
    from outpaint_lib.texture import TEXTURES

    parser.add_argument(
        "--texture",
        choices=TEXTURES,
        default="photo",
        help="photo: dress the generator's strips in the photo's own texture (default); "
        "none: the generator's own output" + ("; photo scores both" if evaluating else ""),
    )


def _parse_settings(settings: list[str]) -> list[tuple[str, object]]:
    """``KEY=VALUE`` pairs; values are read as JSON (numbers, lists, true) or else as text."""
    parsed = []
    for setting in settings:
        key, separator, text = setting.partition("=")
        if not separator:
            raise OutpaintError(f"--set expects KEY=VALUE, got {setting!r}")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        parsed.append((key.strip(), value))
    return parsed


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _aspect(text: str) -> float:
    from outpaint_lib.sizing import TargetError, parse_aspect

    try:
        return parse_aspect(text)
    except TargetError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _paint_target_problem(arguments: argparse.Namespace) -> str | None:
    """Targets that no photo could meet are usage errors, found before the model loads."""
    from outpaint_lib.images import MIN_SIDE

    for option, value, pixels in (
        ("--width", arguments.width, (arguments.width or 0) * MIN_SIDE),
        ("--aspect", arguments.aspect, (arguments.aspect or 0) * MIN_SIDE**2),
    ):
        if value is not None and pixels > arguments.max_pixels:
            shown = f"{value:g}" if isinstance(value, float) else value
            return (
                f"{option} {shown} would make even a {MIN_SIDE}-pixel-high photo larger than "
                f"--max-pixels {arguments.max_pixels}"
            )
    return None


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _values_that_look_like_options(argv: list[str]) -> list[str]:
    """``--aspect -16:9`` as ``--aspect=-16:9``: argparse takes a value that starts with a dash
    and is not a plain number for an option, and would answer "expected one argument" instead
    of saying what is wrong with the value."""
    joined = []
    for argument in argv:
        if joined and joined[-1] == "--aspect" and argument[:2] != "--" and argument.startswith("-"):
            joined[-1] = f"--aspect={argument}"
        else:
            joined.append(argument)
    return joined


def _describe_os_error(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps prose as argparse does, but keeps text laid out in lines (the examples) as it is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, exit code 2; ``--help`` still shows the usage in full."""

    def __init__(self, *args, **options):
        options.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **options)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from outpaint_lib import __version__
    from outpaint_lib.config import PRESET_STEPS, PRESETS

    parser = _Parser(prog="outpaint", description="Image outpainting with GANs.")
    parser.add_argument("--version", action="version", version=f"outpaint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summary = commands.add_parser(
        "summary",
        help="print the parameter count of each network as JSON",
        epilog=_examples(
            "outpaint summary                      # the paper's networks",
            "outpaint summary --preset paper_local  # with the local discriminator",
        ),
    )
    summary.add_argument(
        "--preset", default="paper", choices=sorted(PRESETS), help="the networks of this preset (default: paper)"
    )
    summary.set_defaults(handler=command_summary)

    training = commands.add_parser(
        "train",
        help="train a GAN through the three-phase schedule",
        description="Train a generator and its discriminator(s) through the paper's three phases (generator "
        "alone, discriminator alone, both), into a run folder that --resume continues.",
        epilog=_examples(
            "outpaint train --data ../shared/data/beach/train --out runs/paper --preset paper   # the paper's run",
            "outpaint train --data photos/ --out runs/small --preset paper --steps 2000 --image-size 64",
            "outpaint train --out runs/small --resume                    # continue it, as it was started",
        ),
    )
    training.add_argument("--data", help="folder of training images (searched recursively; a resume takes the run's)")
    training.add_argument("--out", required=True, help="run folder: config, history, plot, samples, checkpoints")
    training.add_argument("--preset", choices=sorted(PRESETS), help="default: paper (or the run's own with --resume)")
    training.add_argument(
        "--steps",
        type=_positive,
        help="total training steps, split between the phases by the preset's ratios (18:2:80 "
        "for paper); default: the preset's reference run: "
        + ", ".join(f"{name} {steps:,}" for name, steps in PRESET_STEPS.items()),
    )
    training.add_argument(
        "--batch-size", dest="batch_size", type=_positive, help="images per step (default: the preset's, 16 for paper)"
    )
    training.add_argument(
        "--val-data", dest="val_data", help="validation images (default: hold out 64 training images)"
    )
    training.add_argument(
        "--precision",
        choices=["float32", "mixed_bfloat16"],
        help="default: the preset's (float32); mixed_bfloat16 is faster on CPUs that compute it",
    )
    training.add_argument(
        "--image-size",
        dest="image_size",
        type=_positive,
        help="side of the square training images, a multiple of 16 (default: the preset's, 128 for paper)",
    )
    training.add_argument(
        "--width-multiplier", dest="width_multiplier", type=float, help="scales every layer's filters (default: 1)"
    )
    training.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="reference B's perspective, brightness, contrast, noise and crop transforms of the "
        "training images (default: the preset's, on for keras256 and unet)",
    )
    training.add_argument("--seed", type=int, help="seed of the weights, data order and augmentation (default: 0)")
    training.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other configuration key, the value read as JSON (repeatable)",
    )
    training.add_argument(
        "--checkpoint-every",
        dest="checkpoint_every",
        type=_positive,
        metavar="STEPS",
        help="write a checkpoint every STEPS steps (default: 500, or the run's own with --resume)",
    )
    training.add_argument(
        "--validate-every",
        dest="validate_every",
        type=_positive,
        metavar="STEPS",
        help="validation MSE, sample sheet and loss plot every STEPS steps (default: 100, or "
        "the run's own with --resume)",
    )
    training.add_argument(
        "--resume",
        action="store_true",
        help="continue from the newest complete checkpoint, with the run's own data, validation and "
        "settings (an option that differs from them is refused)",
    )
    training.add_argument(
        "--initial-generator",
        dest="initial_generator",
        metavar="GENERATOR_DIR",
        help="start from this generator's weights (same architecture): fine-tune a pretrained one",
    )
    training.add_argument(
        "--distribute",
        choices=["none", "mirrored", "multi-worker"],
        default="none",
        help="one device (default); every local GPU; or the workers TF_CONFIG lists",
    )
    training.add_argument(
        "--devices",
        type=_positive,
        metavar="N",
        help="mirrored: the first N GPUs, or N logical CPU devices on a machine without GPUs",
    )
    training.add_argument("--quiet", action="store_true", help="no progress bar")
    training.set_defaults(handler=command_train)

    plot = commands.add_parser(
        "plot",
        help="draw the phase-loss plot of a run folder",
        epilog=_examples(
            "outpaint plot runs/beach                      # runs/beach/losses.png",
            "outpaint plot runs/beach -o beach_losses.png",
        ),
    )
    plot.add_argument("run_dir", metavar="RUN_DIR", help="a training run's folder (it holds history.jsonl)")
    plot.add_argument("-o", "--output", help="PNG path (default: RUN_DIR/losses.png)")
    plot.set_defaults(handler=command_plot)

    from outpaint_lib.images import DEFAULT_MAX_PIXELS

    export = commands.add_parser(
        "export",
        help="export a generator folder to LiteRT, which paint then runs on without loading TensorFlow",
        epilog=_examples(
            "outpaint export runs/beach/generator   # writes generator.tflite beside its weights",
            "outpaint export runs/beach             # the same: a run folder names its generator",
        ),
    )
    export.add_argument(
        "checkpoint",
        metavar="GENERATOR_DIR",
        help="a generator folder (checkpoint/, RUN/generator) or a training run's folder",
    )
    export.set_defaults(handler=command_export)

    paint = commands.add_parser(
        "paint",
        help="outpaint images (files or folders) into OUT_DIR/<stem>.png",
        description="Widen photos by painting beyond their left and right borders: one round adds a quarter of "
        "the height per side; say how wide with --times, --width or --aspect.",
        epilog=_examples(
            "outpaint paint photo.jpg -o painted/                     # painted/photo.png, one round on both sides",
            "outpaint paint photo.jpg -o wide.jpg --aspect 16:9 --side left",
            "outpaint paint photos/ -o painted/ --times 3             # a folder, its sub-folders kept",
        ),
    )
    paint.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="image files, or folders searched recursively (their other files are skipped, each reported)",
    )
    paint.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT_DIR",
        help="folder for the results, one NAME.png per input at the input's place below the "
        "folder given, or for one input a file name whose suffix (.png, .jpg, .webp, ...) "
        "sets the format. An input is never written over, nor a file outpaint did not "
        "write (each such result is refused, reported as failed)",
    )
    paint.add_argument(
        "--overwrite",
        action="store_true",
        help="replace files at the results' places even if outpaint did not write them (never an input)",
    )
    _add_checkpoint(paint)
    how_wide = paint.add_mutually_exclusive_group()
    how_wide.add_argument(
        "--times",
        type=_positive,
        help="recursive rounds; each adds a quarter of the height per painted side (default: 1)",
    )
    how_wide.add_argument(
        "--width",
        type=_positive,
        metavar="PIXELS",
        help="paint until the image is this wide; a photo already as wide is skipped (nothing written for it)",
    )
    how_wide.add_argument(
        "--aspect",
        type=_aspect,
        metavar="W:H",
        help="paint until width / height is this ratio: 16:9, 21:9, 2.35:1, ... (within a "
        "pixel); a photo already as wide is skipped (nothing written for it)",
    )
    paint.add_argument(
        "--side",
        choices=["both", "left", "right"],
        default="both",
        help="the side(s) to paint; both sides get equal widths, the right one column more "
        "when the total is odd (default: both)",
    )
    paint.add_argument(
        "--no-blend",
        dest="blend",
        action="store_false",
        help="paste the photo, every pixel as it was, instead of Poisson-blending it into the strips",
    )
    paint.add_argument(
        "--no-steady-colour",
        dest="steady_colour",
        action="store_false",
        help="let rounds after the first darken toward the ends as the generator paints them "
        "(by default each keeps the mean colour of the strip it continues)",
    )
    paint.add_argument(
        "--max-pixels",
        dest="max_pixels",
        type=_positive,
        default=DEFAULT_MAX_PIXELS,
        help="refuse images larger than this, and results that would be, read from the header "
        f"before decoding (default: {DEFAULT_MAX_PIXELS:,})",
    )
    paint.add_argument(
        "--runtime",
        choices=["auto", "litert", "keras"],
        default="auto",
        help="auto: the checkpoint's LiteRT export where it can be used (fast to start), else Keras (default: auto)",
    )
    paint.add_argument(
        "--precision",
        choices=["auto", "float32", "mixed_bfloat16"],
        default="auto",
        help="on Keras: auto is bfloat16 where the CPU computes it natively, else float32 (default: auto)",
    )
    _add_single_pass(paint)
    _add_texture(paint)
    paint.add_argument(
        "--seed",
        type=int,
        default=0,
        help="the texture's random draws: the same seed paints the same pixels (default: 0)",
    )
    paint.add_argument("--quiet", action="store_true", help="no progress bar (drawn on stderr, only on a terminal)")
    paint.set_defaults(handler=command_paint)

    from outpaint_lib.metrics import METRICS

    evaluate = commands.add_parser(
        "evaluate",
        help="score the strips against the truth: " + ", ".join(metric.name for metric in METRICS),
        description="Hide the side strips of real photos, paint them back and score them, one column per "
        "measure: "
        + "; ".join(f"{metric.name}: {metric.description} ({metric.better} is better)" for metric in METRICS)
        + " (realism with --realism).",
        epilog=_examples(
            "outpaint evaluate --data ../shared/data/beach/val --baselines          # 128-px squares",
            "outpaint evaluate --data ../shared/data/photos --full-resolution --baselines --realism",
            "outpaint evaluate --data photos/ --full-resolution --rounds 5 --json scores.json",
        ),
    )
    evaluate.add_argument("--data", required=True, help="folder of test images, searched recursively")
    _add_checkpoint(evaluate)
    evaluate.add_argument(
        "--size", type=_positive, help="square size the images are scored at, at least 32 (default: the model's)"
    )
    evaluate.add_argument(
        "--baselines", action="store_true", help="also score the classical fills: " + ", ".join(_baseline_names())
    )
    evaluate.add_argument(
        "--baselines-only",
        dest="baselines_only",
        action="store_true",
        help="no model: the classical fills alone (needs --size or --full-resolution)",
    )
    evaluate.add_argument(
        "--full-resolution",
        dest="full_resolution",
        action="store_true",
        help="score each photo at its own size, widened back as paint widens it (blended)",
    )
    evaluate.add_argument(
        "--rounds",
        type=_positive,
        metavar="N",
        help="with --full-resolution: also widen each photo N times and score the outermost "
        "round's brightness and detail against the photo",
    )
    evaluate.add_argument("--limit", type=_positive, metavar="N", help="only the first N images (default: all)")
    evaluate.add_argument("--json", metavar="FILE", help="also write the scores to FILE as JSON")
    evaluate.add_argument(
        "--realism",
        action="store_true",
        help="also run the realism test (trains six small classifiers a method: about a minute for 50 photos)",
    )
    _add_single_pass(evaluate)
    _add_texture(evaluate, evaluating=True)
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(handler=command_evaluate)

    samples = commands.add_parser(
        "samples",
        help="a sample sheet: centre | output | truth per image, and a recursive result",
        epilog=_examples(
            "outpaint samples --data ../shared/data/beach/val -o sheet.png            # 8 images at 128 px",
            "outpaint samples --data ../shared/data/photos --full-resolution --count 4 -o photos.jpg",
            "outpaint samples --data photos/ --recursive photos/beach.jpg --times 3 -o rounds.png",
        ),
    )
    samples.add_argument("--data", required=True, help="folder of test images; COUNT are taken evenly across it")
    samples.add_argument(
        "-o", "--output", required=True, help="image path; its suffix (.png, .jpg, ...) sets the format"
    )
    _add_checkpoint(samples)
    samples.add_argument("--count", type=_positive, default=8, help="images on the sheet (default: 8)")
    samples.add_argument(
        "--full-resolution",
        dest="full_resolution",
        action="store_true",
        help="paint each photo at its own size (outer quarters hidden, widened back) beside the photo",
    )
    samples.add_argument(
        "--recursive", metavar="IMAGE", help="image for the recursive rows (default: the first one taken)"
    )
    samples.add_argument(
        "--times",
        type=_positive,
        default=5,
        help="rounds of the recursive rows, each painting from the last (default: 5)",
    )
    _add_single_pass(samples)
    _add_texture(samples)
    samples.add_argument("--quiet", action="store_true", help="no progress bar")
    samples.set_defaults(handler=command_samples)

    from outpaint_lib.datasets import MIRROR_VARIABLE

    data = commands.add_parser(
        "data",
        help="download, verify and prepare datasets",
        epilog=_examples(
            "outpaint data list",
            "outpaint data download places365-val --categories beach,coast",
            "outpaint data prepare my_photos/ data/mine --size 128",
        ),
    )
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    data_download = data_commands.add_parser(
        "download",
        help="download, verify and extract a registered dataset",
        epilog=_examples(
            "outpaint data download places365-val --categories beach,coast   # into data/places365-val",
            "outpaint data download places365-val --to /datasets --mirror https://mirror.example",
        ),
    )
    data_download.add_argument("name", help="dataset name (see `data list`)")
    data_download.add_argument("--to", default="data/", help="parent folder (default: data/)")
    data_download.add_argument(
        "--mirror", default=None, help=f"replace scheme and host of every URL (default: ${MIRROR_VARIABLE}, else none)"
    )
    data_download.add_argument(
        "--categories", default=None, help="Places365 classes to keep, e.g. beach,coast (default: every class)"
    )
    data_download.set_defaults(handler=command_data_download)

    data_prepare = data_commands.add_parser(
        "prepare",
        help="square-resize a folder of images into train/ and val/ PNGs",
        epilog=_examples(
            "outpaint data prepare my_photos/ data/mine --size 128",
            "outpaint data prepare scans/ data/scans --size 64 --val-fraction 0.05 --seed 1",
        ),
    )
    data_prepare.add_argument("source", help="folder of images, searched recursively")
    data_prepare.add_argument("destination", help="output folder (gets train/, val/, manifest.csv)")
    data_prepare.add_argument("--size", type=int, required=True, help="side of the square outputs in pixels")
    data_prepare.add_argument("--val-fraction", type=float, default=0.1, help="share of images for val (default: 0.1)")
    data_prepare.add_argument("--seed", type=int, default=0, help="seed of the split (default: 0)")
    data_prepare.set_defaults(handler=command_data_prepare)

    data_list = data_commands.add_parser(
        "list",
        help="registered datasets, their sizes and whether they are present",
        epilog=_examples("outpaint data list", "outpaint data list --root /datasets"),
    )
    data_list.add_argument("--root", default="data/", help="parent folder (default: data/)")
    data_list.set_defaults(handler=command_data_list)
    return parser


# The commands whose modules import TensorFlow; ``paint`` may not need it at all.
TENSORFLOW_COMMANDS = ("summary", "train", "evaluate", "samples", "export")
# What the training extra installs (pyproject.toml): an install without it paints and nothing more.
TRAINING_MODULES = ("tensorflow", "keras", "h5py", "matplotlib", "skimage")


def _start_tensorflow(arguments: argparse.Namespace) -> None:
    """Start TensorFlow quietly. Its runtime fixes the devices and the collectives when it
    starts, so a training run's distribution strategy is made first (``arguments.strategy``)."""
    from outpaint_lib.runtime import native_stderr_hidden, start_tensorflow_quietly

    if arguments.command == "train":
        with native_stderr_hidden():
            from outpaint_lib.distribution import make_strategy

            arguments.strategy = make_strategy(arguments.distribute, arguments.devices)
    start_tensorflow_quietly()  # paint starts it only if it falls back from LiteRT to Keras


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="outpaint: %(message)s")
    arguments = build_parser().parse_args(_values_that_look_like_options(sys.argv[1:] if argv is None else list(argv)))
    problem = _paint_target_problem(arguments) if arguments.command == "paint" else None
    if problem is not None:
        print(f"outpaint paint: error: {problem}", file=sys.stderr)
        return 2
    try:
        if arguments.command in TENSORFLOW_COMMANDS:
            _start_tensorflow(arguments)
        return arguments.handler(arguments)
    except OutpaintError as error:
        print(f"outpaint {arguments.command}: error: {error}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in TRAINING_MODULES:
            raise
        print(
            f"outpaint {arguments.command}: error: {arguments.command} needs {error.name}, which this install "
            "lacks: pip install 'outpaint[train]'",
            file=sys.stderr,
        )
        return 1
    except OSError as error:  # a disk that fills or a folder that turns read-only mid-job
        print(f"outpaint {arguments.command}: error: {_describe_os_error(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        detail = f" {interrupt}" if str(interrupt) else ""  # training says where a resume continues
        print(f"outpaint {arguments.command}: interrupted{detail}", file=sys.stderr)
        return 130
