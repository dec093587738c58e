"""What several commands share: the parser that reports usage errors in one line, the help
layout, how a command's parser is made, and the options that more than one command takes."""

from __future__ import annotations

import argparse
import inspect


class HelpFormatter(argparse.HelpFormatter):
    """Wraps prose as argparse does, but keeps text laid out in lines (the examples) as it is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class Parser(argparse.ArgumentParser):
    """Usage errors in one line, exit code 2; ``--help`` still shows the usage in full."""

    def __init__(self, *args, **options):
        options.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **options)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add_command_parser(
    commands, name: str, handler=None, *, description: str | None = None, doc: str | None = None
) -> argparse.ArgumentParser:
    """The one way a command's parser is made. As in click, what a command does and its examples
    are the docstring of ``handler``, the function that runs it, or ``doc`` for a command that
    only holds actions: the first paragraph, as one line with its first letter lower-cased and
    its full stop dropped, is the line ``outpaint --help`` lists the command by; the rest, a line
    ``examples:`` and an indented line an example, ends the command's own ``--help``."""
    summary, _, examples = inspect.cleandoc(doc or handler.__doc__).partition("\n\n")
    help = " ".join(summary.split()).removesuffix(".")
    parser = commands.add_parser(name, help=help[:1].lower() + help[1:], description=description, epilog=examples)
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    """Every long job draws the same bar (``outpaint_lib.progress``), and ``--quiet`` turns it off."""
    parser.add_argument("--quiet", action="store_true", help="no progress bar (drawn on stderr, only on a terminal)")


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _painting_options() -> dict[str, tuple[str, dict]]:
    """Each ``PaintSettings`` field's option: its flag and what argparse needs, the defaults
    read from the settings themselves."""
    from outpaint_lib.inference import PaintSettings

    default = PaintSettings()
    return {**_loading_options(default), **_compositing_options(default)}


def _stating_default(flag: str, help: str, default, shown: str | None = None, **details) -> tuple[str, dict]:
    """An option whose help ends with the default it is given, so that the two cannot disagree."""
    shown = str(default) if shown is None else shown
    return flag, dict(default=default, help=f"{help} (default: {shown})", **details)


def _loading_options(default) -> dict[str, tuple[str, dict]]:
    from outpaint_lib.inference import PRECISIONS, RUNTIMES

    return {
        "checkpoint": _stating_default(
            "--checkpoint", "a generator folder, or a training run's folder", str(default.checkpoint),
            "the shipped beach model, checkpoint/", metavar="GENERATOR_DIR"),
        "max_pixels": _stating_default(
            "--max-pixels", "refuse images larger than this, and results that would be, read from the header before "
            "decoding", default.max_pixels, f"{default.max_pixels:,}", type=positive),
        "runtime": _stating_default(
            "--runtime", "auto: the checkpoint's LiteRT export where it can be used (fast to start), else Keras",
            default.runtime, choices=RUNTIMES),
        "precision": _stating_default(
            "--precision", "on Keras: auto is bfloat16 where the CPU computes it natively, else float32",
            default.precision, choices=PRECISIONS),
    }  # fmt: skip


def _compositing_options(default) -> dict[str, tuple[str, dict]]:
    from outpaint_lib.texture import TEXTURES

    return {
        "blend": ("--no-blend", dict(
            action="store_false",
            help="paste the photo, every pixel as it was, instead of Poisson-blending it into the strips")),
        "steady_colour": ("--no-steady-colour", dict(
            action="store_false",
            help="let rounds after the first darken toward the ends as the generator paints them "
            "(by default each later left and right round keeps the mean colour of the photo's edge on its side)")),
        "mirror_average": ("--single-pass", dict(
            action="store_false", help="one generator pass, not the mean with the pass over the mirrored photo")),
        "texture": _stating_default(
            "--texture", "photo: dress the generator's strips in the photo's own texture; none: the generator's own "
            "output", default.texture, choices=TEXTURES),
        "seed": _stating_default(
            "--seed", "the texture's random draws: the same seed paints the same pixels", default.seed, type=int),
    }  # fmt: skip


def add_painting_options(parser: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """The options of the ``PaintSettings`` fields ``names`` (all of them by default): the one
    place a painting option is added to a command."""
    options = _painting_options()
    for name in names or tuple(options):
        flag, details = options[name]
        parser.add_argument(flag, dest=name, **details)


def add_scoring_options(parser: argparse.ArgumentParser) -> None:
    """What evaluate and samples take to judge a model on test images: the same painting options,
    so that a sample sheet shows what a score measured, and ``--quiet``."""
    add_painting_options(parser, ("checkpoint", "mirror_average", "texture"))
    add_quiet_option(parser)


def painting_settings(arguments: argparse.Namespace, **changes):
    """The ``PaintSettings`` of a command's options (the fields it has no option for keep their
    defaults), with ``changes``."""
    import dataclasses

    from outpaint_lib.inference import PaintSettings

    given = {
        field.name: getattr(arguments, field.name)
        for field in dataclasses.fields(PaintSettings)
        if hasattr(arguments, field.name)
    }
    return PaintSettings(**{**given, **changes})


def scoring_settings(arguments: argparse.Namespace):
    """The ``PaintSettings`` evaluate and samples judge a model with: float32, so that scores and
    sheets do not depend on the machine's CPU."""
    return painting_settings(arguments, precision="float32")


def describe_os_error(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def evaluation_axis(text: str) -> str:
    """The axis whose strips evaluate and samples hide: ``--side left,right`` (or both) or top,bottom."""
    from outpaint_lib.sizing import AXES, TargetError, parse_sides

    try:
        sides = parse_sides(text)
    except TargetError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    for axis, pair in AXES.items():
        if sides == pair:
            return axis
    raise argparse.ArgumentTypeError(f"the strips scored are left,right or top,bottom, not {text!r}")
