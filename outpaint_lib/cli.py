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


def build_parser() -> argparse.ArgumentParser:
    from outpaint_lib.config import PRESETS

    parser = argparse.ArgumentParser(prog="outpaint", description="Image outpainting with GANs.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summary = commands.add_parser("summary", help="print the parameter count of each network as JSON")
    summary.add_argument("--preset", default="paper", choices=sorted(PRESETS))
    summary.set_defaults(handler=command_summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except OutpaintError as error:
        print(f"outpaint {arguments.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"outpaint {arguments.command}: interrupted", file=sys.stderr)
        return 130
