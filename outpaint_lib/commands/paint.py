"""``outpaint paint``: widen photos, files or folders, into a folder or a file."""

from __future__ import annotations

import argparse
import sys

from outpaint_lib.commands.options import (
    add_command_parser,
    add_painting_options,
    add_quiet_option,
    describe_os_error,
    painting_settings,
    positive,
)


def add_command(commands) -> None:
    paint = add_command_parser(
        commands,
        "paint",
        run,
        description="Grow photos by painting beyond their borders: left and right (one round adds a quarter of "
        "the height per side), top and bottom (a quarter of the width); say how large with --times, --width, "
        "--height or --aspect, and where with --side.",
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
    _add_target_options(paint)
    add_painting_options(paint)
    add_quiet_option(paint)


def _add_target_options(paint: argparse.ArgumentParser) -> None:
    """How large, and on which sides."""
    how_large = paint.add_mutually_exclusive_group()
    how_large.add_argument(
        "--times",
        type=positive,
        help="recursive rounds; each adds a strip to every painted side (default: 1)",
    )
    how_large.add_argument(
        "--width",
        type=positive,
        metavar="PIXELS",
        help="paint until the image is this wide (with --height: and that high); a photo already as large is "
        "skipped (nothing written for it)",
    )
    how_large.add_argument(
        "--aspect",
        type=_aspect,
        metavar="W:H",
        help="paint until width / height is this ratio: 16:9, 21:9, 4:5, 9:16, ... (within a pixel), growing "
        "the width or the height, whichever the ratio needs; a photo already of that shape is skipped",
    )
    paint.add_argument(
        "--height",
        type=positive,
        metavar="PIXELS",
        help="paint until the image is this high (alone or with --width); a photo already as high is skipped",
    )
    paint.add_argument(
        "--side",
        type=_sides,
        metavar="SIDES",
        help="the sides to paint: left, right, top, bottom, several joined by commas (left,top), both (left,right) "
        "or all; the two sides of an axis get equal shares, the right or bottom one more when the total is odd "
        "(default: both sides of each axis the target grows; left and right for --times)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Outpaint images (files or folders) into OUT_DIR/<stem>.png.

    examples:
      outpaint paint photo.jpg -o painted/                 # painted/photo.png, one round on both sides
      outpaint paint photo.jpg -o portrait.jpg --aspect 4:5  # a landscape photo grows up and down
      outpaint paint photos/ -o painted/ --times 3 --side all  # a folder, its sub-folders kept
    """
    from outpaint_lib.painting import paint_files
    from outpaint_lib.sizing import make_target

    problem = _target_problem(arguments)
    if problem is not None:
        print(f"outpaint paint: error: {problem}", file=sys.stderr)
        return 2

    written = []

    def report(event: str, path: str, why: str) -> None:
        if event == "written":
            written.append(path)
        elif event == "failed":
            print(f"outpaint paint: error: {path}: {why}", file=sys.stderr, flush=True)
        else:
            print(f"outpaint paint: skipped {path}: {why}", file=sys.stderr, flush=True)

    target = make_target(
        times=arguments.times,
        width=arguments.width,
        height=arguments.height,
        aspect=arguments.aspect,
        side=arguments.side,
    )
    try:
        outcome = paint_files(
            arguments.inputs,
            arguments.output,
            target,
            painting_settings(arguments),
            overwrite=arguments.overwrite,
            progress=not arguments.quiet,
            listener=report,
        )
    except (KeyboardInterrupt, OSError) as error:
        # Each result was written when it was done: say how many are kept, and where.
        kept = (
            f"{len(written)} result(s) written into {arguments.output} before it stopped"
            if written
            else "nothing written"
        )
        interrupted = isinstance(error, KeyboardInterrupt)
        problem = "interrupted" if interrupted else f"error: {describe_os_error(error)}"
        print(f"outpaint paint: {problem}; {kept}", file=sys.stderr)
        return 130 if interrupted else 1
    where = f"into {arguments.output} ({outcome.size_range()}) " if outcome.written else ""
    print(
        f"painted {len(outcome.written)} image(s) {where}in "
        f"{outcome.seconds:.1f} s; {len(outcome.failures)} failed; {len(outcome.skipped)} skipped"
    )
    return 1 if outcome.failures else 0


def _aspect(text: str) -> float:
    from outpaint_lib.sizing import TargetError, parse_aspect

    try:
        return parse_aspect(text)
    except TargetError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _sides(text: str) -> tuple[str, ...]:
    from outpaint_lib.sizing import TargetError, parse_sides

    try:
        return parse_sides(text)
    except TargetError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _target_problem(arguments: argparse.Namespace) -> str | None:
    """Targets that no photo could meet are usage errors, found before the model loads."""
    from outpaint_lib.images import MIN_SIDE

    if arguments.height is not None and (arguments.times is not None or arguments.aspect is not None):
        return "--height goes alone or with --width, not with --times or --aspect"
    aspect = arguments.aspect or 0
    for option, value, pixels in (
        ("--width", arguments.width, (arguments.width or 0) * MIN_SIDE),
        ("--height", arguments.height, (arguments.height or 0) * MIN_SIDE),
        ("--aspect", arguments.aspect, max(aspect, 1 / aspect if aspect else 0) * MIN_SIDE**2),
    ):
        if value is not None and pixels > arguments.max_pixels:
            shown = f"{value:g}" if isinstance(value, float) else value
            return (
                f"{option} {shown} would make even a {MIN_SIDE}-pixel-high photo larger than "
                f"--max-pixels {arguments.max_pixels}"
            )
    return None


def values_that_look_like_options(argv: list[str]) -> list[str]:
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
