"""``outpaint plot``: a run's phase-loss plot."""

from __future__ import annotations

import argparse
import os

from outpaint_lib.commands.options import examples
from outpaint_lib.errors import OutpaintError


def add_command(commands) -> None:
    plot = commands.add_parser(
        "plot",
        help="draw the phase-loss plot of a run folder",
        epilog=examples(
            "outpaint plot runs/beach                      # runs/beach/losses.png",
            "outpaint plot runs/beach -o beach_losses.png",
        ),
    )
    plot.add_argument("run_dir", metavar="RUN_DIR", help="a training run's folder (it holds history.jsonl)")
    plot.add_argument("-o", "--output", help="PNG path (default: RUN_DIR/losses.png)")
    plot.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
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
