"""What several commands share: the parser that reports usage errors in one line, the help
layout, examples, and the options that more than one command takes."""

from __future__ import annotations

import argparse


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


def examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


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


def _loading_options(default) -> dict[str, tuple[str, dict]]:
    from outpaint_lib.inference import PRECISIONS, RUNTIMES

    checkpoint = "a generator folder, or a training run's folder (default: the shipped beach model, checkpoint/)"
    return {
        "checkpoint": ("--checkpoint", dict(default=str(default.checkpoint), metavar="GENERATOR_DIR", help=checkpoint)),
        "max_pixels": ("--max-pixels", dict(
            type=positive, default=default.max_pixels,
            help="refuse images larger than this, and results that would be, read from the header before "
            f"decoding (default: {default.max_pixels:,})")),
        "runtime": ("--runtime", dict(
            choices=RUNTIMES, default=default.runtime,
            help="auto: the checkpoint's LiteRT export where it can be used (fast to start), else Keras "
            f"(default: {default.runtime})")),
        "precision": ("--precision", dict(
            choices=PRECISIONS, default=default.precision,
            help="on Keras: auto is bfloat16 where the CPU computes it natively, else float32 "
            f"(default: {default.precision})")),
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
            "(by default each keeps the mean colour of the strip it continues)")),
        "mirror_average": ("--single-pass", dict(
            action="store_false", help="one generator pass, not the mean with the pass over the mirrored photo")),
        "texture": ("--texture", dict(
            choices=TEXTURES, default=default.texture,
            help="photo: dress the generator's strips in the photo's own texture; none: the generator's own "
            f"output (default: {default.texture})")),
        "seed": ("--seed", dict(
            type=int, default=default.seed,
            help=f"the texture's random draws: the same seed paints the same pixels (default: {default.seed})")),
    }  # fmt: skip


def add_painting_options(parser: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """The options of the ``PaintSettings`` fields ``names`` (all of them by default): the one
    place a painting option is added to a command."""
    options = _painting_options()
    for name in names or tuple(options):
        flag, details = options[name]
        parser.add_argument(flag, dest=name, **details)


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


def describe_os_error(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"
