"""Every benchmark behind BENCHMARKS.md, one after the other, in one run (so that ratios compare
figures measured on the same machine in the same conditions).

    python benchmarks/run.py [--checkpoint checkpoint]

Each benchmark runs as ``python -m benchmarks.NAME`` from the repository root, as some of them
import others (``benchmarks.training``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="also time this checkpoint's generator (e.g. checkpoint/)")
    arguments = parser.parse_args()
    scripts = [
        ["training.py"],
        ["training.py", "--presets", "paper", "--precisions", "mixed_bfloat16", "--width-multiplier", "0.5",
         "--steps", "8", "--warmup", "3"],
        ["pipeline.py", "--consumed", "5.3"],
        ["inference.py", "--random-width", "1.0", "--repeats", "10"],
        ["inference.py", "--random-width", "1.0", "--repeats", "10", "--precision", "mixed_bfloat16"],
        ["inference.py", "--random-width", "0.5", "--repeats", "10", "--precision", "mixed_bfloat16"],
        ["startup.py", "--repeats", "3", "--runtimes", "auto,keras"],
        ["texture.py", "--repeats", "3"],
        ["serve.py", "--repeats", "3"],
        ["distribution.py", "--devices", "2"],
    ]
    if arguments.checkpoint:
        # The benchmarks run from the repository root: a relative path is made absolute first.
        checkpoint = os.path.abspath(arguments.checkpoint)
        scripts.append(["inference.py", "--checkpoint", checkpoint, "--precision", "auto"])
    for script, *options in scripts:
        print(f"\n== {script} {' '.join(options)}", flush=True)
        module = "benchmarks." + script.removesuffix(".py")
        subprocess.run([sys.executable, "-m", module, *options], cwd=REPOSITORY, check=True)


if __name__ == "__main__":
    main()
