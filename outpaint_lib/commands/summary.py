"""``outpaint summary``: the parameter counts of a preset's networks."""

from __future__ import annotations

import argparse
import json

from outpaint_lib.commands.options import add_command_parser


def add_command(commands) -> None:
    from outpaint_lib.config import PRESETS

    summary = add_command_parser(commands, "summary", run)
    summary.add_argument(
        "--preset", default="paper", choices=sorted(PRESETS), help="the networks of this preset (default: paper)"
    )


def run(arguments: argparse.Namespace) -> int:
    """Print the parameter count of each network as JSON.

    examples:
      outpaint summary                      # the paper's networks
      outpaint summary --preset paper_local  # with the local discriminator
    """
    from outpaint_lib.runtime import start_tensorflow_quietly

    start_tensorflow_quietly()
    from outpaint_lib.config import get_preset
    from outpaint_lib.models import parameter_counts

    print(json.dumps(parameter_counts(get_preset(arguments.preset)), indent=2))
    return 0
