"""How long ``outpaint serve`` takes to answer: from starting the process to its page's first
answer, fresh processes, and whether TensorFlow was loaded into the server (it should not be:
the page paints on LiteRT, as ``paint`` does).

    python benchmarks/serve.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_answer() -> tuple[float, bool]:
    """Seconds from starting a server to its page's first answer, and whether TensorFlow's core
    library is mapped into the server's memory by then (LiteRT's own libraries are not it)."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "outpaint_lib", "serve", "--port", str(port)],
        cwd=REPOSITORY,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/").close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"outpaint serve exited with {server.returncode}") from None
                time.sleep(0.01)
        seconds = time.perf_counter() - start
        tensorflow = "libtensorflow_framework" in Path(f"/proc/{server.pid}/maps").read_text()
    finally:
        server.terminate()
        server.wait()
    return seconds, tensorflow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    times = []
    for _ in range(arguments.repeats):
        seconds, tensorflow = first_answer()
        times.append(seconds)
        print(f"first answer after {seconds:.2f} s; TensorFlow loaded: {'yes' if tensorflow else 'no'}")
    print(f"median {statistics.median(times):.2f} s over {len(times)} starts")


if __name__ == "__main__":
    main()
