"""``outpaint data``: download, verify and prepare datasets."""

from __future__ import annotations

import argparse
import sys

from outpaint_lib.commands.options import add_command_parser

# What ``outpaint data`` does, and its examples: read as a handler's docstring would be, for the
# command has no function of its own, only actions (each ``run_*`` below, whose docstrings are theirs).
DOC = """Download, verify and prepare datasets.

examples:
  outpaint data list
  outpaint data download places365-val --categories beach,coast
  outpaint data prepare my_photos/ data/mine --size 128
"""


def add_command(commands) -> None:
    from outpaint_lib.datasets import MIRROR_VARIABLE

    data = add_command_parser(commands, "data", doc=DOC)
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    data_download = add_command_parser(data_commands, "download", run_download)
    data_download.add_argument("name", help="dataset name (see `data list`)")
    data_download.add_argument("--to", default="data/", help="parent folder (default: data/)")
    data_download.add_argument(
        "--mirror", default=None, help=f"replace scheme and host of every URL (default: ${MIRROR_VARIABLE}, else none)"
    )
    data_download.add_argument(
        "--categories", default=None, help="Places365 classes to keep, e.g. beach,coast (default: every class)"
    )

    data_prepare = add_command_parser(data_commands, "prepare", run_prepare)
    data_prepare.add_argument("source", help="folder of images, searched recursively")
    data_prepare.add_argument("destination", help="output folder (gets train/, val/, manifest.csv)")
    data_prepare.add_argument("--size", type=int, required=True, help="side of the square outputs in pixels")
    data_prepare.add_argument("--val-fraction", type=float, default=0.1, help="share of images for val (default: 0.1)")
    data_prepare.add_argument("--seed", type=int, default=0, help="seed of the split (default: 0)")

    data_list = add_command_parser(data_commands, "list", run_list)
    data_list.add_argument("--root", default="data/", help="parent folder (default: data/)")


def run_download(arguments: argparse.Namespace) -> int:
    """Download, verify and extract a registered dataset.

    examples:
      outpaint data download places365-val --categories beach,coast   # into data/places365-val
      outpaint data download places365-val --to /datasets --mirror https://mirror.example
    """
    from outpaint_lib.datasets import download

    categories = arguments.categories.split(",") if arguments.categories is not None else None
    download(arguments.name, to=arguments.to, mirror=arguments.mirror, categories=categories)
    return 0


def run_prepare(arguments: argparse.Namespace) -> int:
    """Square-resize a folder of images into train/ and val/ PNGs.

    examples:
      outpaint data prepare my_photos/ data/mine --size 128
      outpaint data prepare scans/ data/scans --size 64 --val-fraction 0.05 --seed 1
    """
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


def run_list(arguments: argparse.Namespace) -> int:
    """Registered datasets, their sizes and whether they are present.

    examples:
      outpaint data list
      outpaint data list --root /datasets
    """
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
