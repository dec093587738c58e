"""Every benchmark behind BENCHMARKS.md, one after the other, in one run (so that ratios compare
figures measured on the same machine in the same conditions).

    python benchmarks/run.py [--checkpoint checkpoint]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=os.path.join(os.path.dirname(HERE), "checkpoint"))
    arguments = parser.parse_args()
    scripts = [
        ["training.py"],
        ["pipeline.py"],
        ["inference.py", "--checkpoint", arguments.checkpoint],
        ["inference.py", "--checkpoint", arguments.checkpoint, "--precision", "mixed_bfloat16"],
    ]
    for script, *options in scripts:
        print(f"\n== {script} {' '.join(options)}", flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, script), *options], check=True)


if __name__ == "__main__":
    main()
