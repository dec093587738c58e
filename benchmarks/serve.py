"""How long ``outpaint serve`` takes to answer: from starting the process to its page's first
answer, fresh processes, and whether TensorFlow was loaded into the server (it should not be:
the page paints on LiteRT, as ``paint`` does).

    python benchmarks/serve.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def running_server() -> Iterator[tuple[str, subprocess.Popen, float]]:
    """``outpaint serve`` in a fresh process on a free port, once its page has answered: its
    address, the process, and the seconds from the start to that first answer. Stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"http://127.0.0.1:{port}/"
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
                urllib.request.urlopen(address).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"outpaint serve exited with {server.returncode}") from None
                time.sleep(0.01)
        yield address, server, time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()


def first_answer() -> tuple[float, bool]:
    """Seconds from starting a server to its page's first answer, and whether TensorFlow's core
    library is mapped into the server's memory by then (LiteRT's own libraries are not it)."""
    with running_server() as (_, server, seconds):
        return seconds, "libtensorflow_framework" in Path(f"/proc/{server.pid}/maps").read_text()


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
