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


def add_checkpoint(parser: argparse.ArgumentParser) -> None:
    from outpaint_lib.config import DEFAULT_CHECKPOINT

    parser.add_argument(
        "--checkpoint",
        default=str(DEFAULT_CHECKPOINT),
        metavar="GENERATOR_DIR",
        help="a generator folder, or a training run's folder (default: the shipped beach model, checkpoint/)",
    )


def add_single_pass(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--single-pass",
        dest="mirror_average",
        action="store_false",
        help="one generator pass, not the mean with the pass over the mirrored photo",
    )


def add_texture(parser: argparse.ArgumentParser, evaluating: bool = False) -> None:
    from outpaint_lib.texture import TEXTURES

    parser.add_argument(
        "--texture",
        choices=TEXTURES,
        default="photo",
        help="photo: dress the generator's strips in the photo's own texture (default); "
        "none: the generator's own output" + ("; photo scores both" if evaluating else ""),
    )


def describe_os_error(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"
