"""Put generators and fills on one RMSE-detail plane, where the two pull against each other.

Each LABEL=PATH names a file written by ``outpaint evaluate --json``: its model becomes one
point, and its classical fills, when it scored them, the points "fill: <name>". ``--points``
adds the points of an earlier plot's JSON (kept as they were measured). Writes the plot and,
beside it, its points as JSON; prints them.

    python benchmarks/rmse_detail.py -o checkpoint/rmse_detail.png --points old.json \\
        shipped=runs/scores200/checkpoint.json "adversarial 500"=runs/scores200/step-000000500.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from outpaint_lib.showcase import plot_rmse_detail

# The fills drawn, by their name in the report. The mean fill (RMSE near 55, detail 0) is left
# out: it would stretch the RMSE axis to twice the range where every other point lies.
FILL_NAMES = {"telea": "Telea", "navier_stokes": "Navier-Stokes", "edge_replication": "edge"}


def points_of(label: str, report: dict) -> dict[str, tuple[float, float]]:
    points = {}
    for method, scores in report["scores"].items():
        if method in ("model", "generator"):  # "model" in reports written before the texture stage
            points[label] = (scores["rmse"], scores["detail"])
        elif method in FILL_NAMES:
            points[f"fill: {FILL_NAMES[method]}"] = (scores["rmse"], scores["detail"])
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", metavar="LABEL=PATH")
    parser.add_argument("-o", "--output", required=True, help="PNG path; its points go beside it as .json")
    parser.add_argument("--points", help="an earlier plot's JSON whose points are kept")
    parser.add_argument("--bars", nargs=2, type=float, default=(27.5, 0.5), metavar=("RMSE", "DETAIL"))
    parser.add_argument("--title", default="")
    arguments = parser.parse_args()

    points = {}
    if arguments.points:
        earlier = json.loads(Path(arguments.points).read_text())
        points.update({label: (point["rmse"], point["detail"]) for label, point in earlier.items()})
    for entry in arguments.reports:
        label, separator, path = entry.partition("=")
        if not separator:
            parser.error(f"{entry!r} is not LABEL=PATH")
        points.update(points_of(label, json.loads(Path(path).read_text())))
    output = Path(arguments.output)
    plot_rmse_detail(points, bars=tuple(arguments.bars), title=arguments.title).savefig(output, dpi=150)
    serialised = {label: {"rmse": rmse, "detail": detail} for label, (rmse, detail) in points.items()}
    output.with_suffix(".json").write_text(json.dumps(serialised, indent=1) + "\n")
    for label, (rmse, detail) in points.items():
        print(f"{label:45s} RMSE {rmse:6.2f}  detail {detail:.3f}")


if __name__ == "__main__":
    main()
