"""``outpaint plot``: the phase-loss plot of a run, or of several side by side."""

from __future__ import annotations

import argparse
import os

from outpaint_lib.commands.options import add_command_parser
from outpaint_lib.errors import OutpaintError


def add_command(commands) -> None:
    plot = add_command_parser(commands, "plot", run)
    plot.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="a training run's folder (it holds history.jsonl)")
    plot.add_argument("-o", "--output", help="PNG path (default: RUN_DIR/losses.png; needed for several runs)")


def run(arguments: argparse.Namespace) -> int:
    """Draw the phase-loss plot of a run folder, or of several side by side.

    examples:
      outpaint plot runs/beach                      # runs/beach/losses.png
      outpaint plot runs/beach -o beach_losses.png
      outpaint plot runs/paper runs/paper_local -o compared.png   # one column a run, shared axes
    """
    from outpaint_lib.files import check_output_file
    from outpaint_lib.history import read_history
    from outpaint_lib.plotting import plot_runs
    from outpaint_lib.run_folder import HISTORY_FILE, PLOT_FILE

    if len(arguments.run_dirs) > 1 and not arguments.output:
        raise OutpaintError("several runs make one picture: name it with -o")
    output = arguments.output or os.path.join(arguments.run_dirs[0], PLOT_FILE)
    check_output_file(output)
    names = [os.path.basename(os.path.normpath(run_dir)) for run_dir in arguments.run_dirs]
    if len(set(names)) < len(names):
        names = list(arguments.run_dirs)  # runs named alike in different folders: their paths tell them apart
    histories = {}
    for name, run_dir in zip(names, arguments.run_dirs):
        histories[name if len(names) > 1 else ""] = read_history(os.path.join(run_dir, HISTORY_FILE))
        if not histories[name if len(names) > 1 else ""]:
            raise OutpaintError(f"no training history in {run_dir}")
    plot_runs(histories, output)
    print(output)
    return 0
