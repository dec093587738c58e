"""What a user waits for: ``outpaint paint`` timed as whole processes, start-up included.

Three jobs, each in fresh processes: one 480 x 318 photo, a folder of 64 centre crops
(128 x 64, as the model sees validation photos), and the 50 photos of ../shared/data/photos at
their own size. Each is split into start-up (a process that imports the paint path and loads
the model, nothing else) and work (the rest). Every checkout named is timed in the same run,
interleaved, so that their ratios compare like with like:

    git worktree add /tmp/outpaint-before <commit>      # the version to compare with
    python benchmarks/startup.py --baseline /tmp/outpaint-before [--repeats 3] [--runtimes auto,keras]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared" / "data"
ONE_PHOTO = SHARED / "photos" / "cozumel_14.jpg"

START_UP = (
    "from outpaint_lib.painting import paint_files\n"
    "from outpaint_lib.inference import Outpainter\n"
    "Outpainter.load({options})\n"
)


def make_crops(folder: Path, count: int = 64) -> Path:
    """Centre crops of validation photos, 128 x 64: the known centre of a 128 px square."""
    folder.mkdir(parents=True, exist_ok=True)
    photos = sorted((SHARED / "beach" / "val").iterdir())[:count]
    for index, path in enumerate(photos):
        image = Image.open(path).convert("RGB")
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        square = np.asarray(image.crop((left, top, left + side, top + side)).resize((128, 128), Image.BICUBIC))
        Image.fromarray(square[:, 32:96]).save(folder / f"crop_{index:02d}.png")
    return folder


def timed(command: list[str], checkout: Path) -> float:
    environment = {**os.environ, "PYTHONPATH": str(checkout), "TF_CPP_MIN_LOG_LEVEL": "2"}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=checkout, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {checkout}:\n{result.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a second checkout to time in the same run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runtimes", default="auto", help="this checkout's paint --runtime values, comma-separated")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        jobs = {"1 photo": [str(ONE_PHOTO)], "64 crops": [str(make_crops(scratch / "crops"))],
                "50 photos": [str(SHARED / "photos")]}
        counts = {"1 photo": 1, "64 crops": 64, "50 photos": len(list((SHARED / "photos").glob("*.jpg")))}
        variants = [(f"this checkout, --runtime {runtime}", REPOSITORY, ["--runtime", runtime],
                     f"runtime={runtime!r}") for runtime in arguments.runtimes.split(",")]
        if arguments.baseline:
            variants.append((f"baseline {arguments.baseline}", arguments.baseline.resolve(), [], ""))
        walls: dict[tuple[str, str], list[float]] = {}
        starts: dict[str, list[float]] = {}
        for repeat in range(arguments.repeats):
            for name, checkout, options, load_options in variants:
                script = START_UP.format(options=load_options)
                starts.setdefault(name, []).append(timed([sys.executable, "-c", script], checkout))
                for job, inputs in jobs.items():
                    output = scratch / f"out-{repeat}-{abs(hash((name, job)))}"
                    command = [sys.executable, "-m", "outpaint_lib", "paint", *inputs, "-o", str(output), "--quiet",
                               *options]
                    walls.setdefault((name, job), []).append(timed(command, checkout))

    print(f"median of {arguments.repeats} runs each; start-up = a process that imports paint and loads the model")
    print(f"{'version':<44} {'job':<10} {'wall s':>7} {'start-up s':>10} {'work s':>7} {'images/s':>9}")
    medians = {}
    for name, *_ in variants:
        start_up = statistics.median(starts[name])
        for job in jobs:
            wall = statistics.median(walls[(name, job)])
            medians[(name, job)] = wall
            print(f"{name:<44} {job:<10} {wall:>7.2f} {start_up:>10.2f} {max(0.0, wall - start_up):>7.2f}"
                  f" {counts[job] / wall:>9.1f}")
    if arguments.baseline:
        baseline = variants[-1][0]
        for name, *_ in variants[:-1]:
            for job in jobs:
                speed_up = medians[(baseline, job)] / medians[(name, job)]
                print(f"{job}: {name} is {speed_up:.2f}x faster than the baseline")


if __name__ == "__main__":
    main()
