"""The ``outpaint`` command line: one sub-command per job (``outpaint_lib.commands``), each a
thin call into the library.

Errors caused by the user's input end as one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from outpaint_lib.errors import OutpaintError  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    from outpaint_lib import __version__
    from outpaint_lib.commands import COMMANDS
    from outpaint_lib.commands.options import Parser

    parser = Parser(prog="outpaint", description="Image outpainting with GANs.")
    parser.add_argument("--version", action="version", version=f"outpaint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_command(commands)
    return parser


# What the training extra installs (pyproject.toml): an install without it paints and nothing more.
TRAINING_MODULES = ("tensorflow", "keras", "h5py", "matplotlib", "skimage")


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="outpaint: %(message)s")
    from outpaint_lib.commands.options import describe_os_error
    from outpaint_lib.commands.paint import values_that_look_like_options

    arguments = build_parser().parse_args(values_that_look_like_options(sys.argv[1:] if argv is None else list(argv)))
    try:
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
        print(f"outpaint {arguments.command}: error: {describe_os_error(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        detail = f" {interrupt}" if str(interrupt) else ""  # training says where a resume continues
        print(f"outpaint {arguments.command}: interrupted{detail}", file=sys.stderr)
        return 130
