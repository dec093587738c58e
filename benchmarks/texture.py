"""What the texture stage costs a user: ``outpaint paint`` as whole processes, start-up
included, with ``--texture photo`` (the default) and ``--texture none``, on one 480 x 318
photo (one round left and right, and grown to 4:5 at the top and bottom), on the 50 photos of
../shared/data/photos, and on a 6000 x 4000 photo (one of them enlarged, made in a temporary
folder). Wall time and the process's peak resident memory,
median of the repeats, every variant interleaved in one run:

    python benchmarks/texture.py [--repeats 3] [--jobs "1 photo,1 photo to 4:5,50 photos,6000 x 4000"]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared" / "data"
ONE_PHOTO = SHARED / "photos" / "cozumel_14.jpg"
LARGE = (6000, 4000)


def run_measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident GiB of one command, in a child process of its own."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "result = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "seconds = time.perf_counter() - start\n"
        "if result.returncode:\n"
        "    sys.exit(result.stderr[-2000:])\n"
        "print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *command], cwd=REPOSITORY, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    seconds, kibibytes = result.stdout.split()
    return float(seconds), int(kibibytes) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", default="1 photo,1 photo to 4:5,50 photos,6000 x 4000")
    arguments = parser.parse_args()
    wanted = arguments.jobs.split(",")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        large = scratch / "large.png"
        Image.open(ONE_PHOTO).convert("RGB").resize(LARGE, Image.BICUBIC).save(large)
        jobs = {
            "1 photo": [str(ONE_PHOTO)],
            "1 photo to 4:5": [str(ONE_PHOTO), "--aspect", "4:5"],
            "50 photos": [str(SHARED / "photos")],
            "6000 x 4000": [str(large)],
        }
        jobs = {name: inputs for name, inputs in jobs.items() if name in wanted}
        textures = ("photo", "none")
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for repeat in range(arguments.repeats):
            for job, inputs in jobs.items():
                for texture in textures:
                    output = scratch / f"out-{repeat}-{job.replace(' ', '_')}-{texture}"
                    command = [sys.executable, "-m", "outpaint_lib", "paint", *inputs, "-o", str(output),
                               "--quiet", "--texture", texture]
                    results.setdefault((job, texture), []).append(run_measured(command))

    print(f"median of {arguments.repeats} runs; whole processes, start-up included")
    print(f"{'job':<15} {'texture':<8} {'wall s':>7} {'peak GiB':>9}")
    for (job, texture), runs in results.items():
        print(f"{job:<15} {texture:<8} {statistics.median(s for s, _ in runs):>7.2f}"
              f" {statistics.median(m for _, m in runs):>9.2f}")


if __name__ == "__main__":
    main()
