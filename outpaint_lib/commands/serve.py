"""``outpaint serve``: the local page (``outpaint_lib.web``)."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from outpaint_lib.commands.options import add_command_parser, add_painting_options, painting_settings, positive

LOOPBACK = "127.0.0.1"


def add_command(commands) -> None:
    serve = add_command_parser(commands, "serve", run)
    serve.add_argument(
        "--host",
        default=LOOPBACK,
        help=f"the address to listen on (default: {LOOPBACK}, this "
        "machine only; any other lets anyone who can reach it use the page)",
    )
    serve.add_argument("--port", type=positive, default=8000, help="the port (default: 8000)")
    add_painting_options(serve, ("checkpoint", "texture", "mirror_average"))


def run(arguments: argparse.Namespace) -> int:
    """Start a local page to widen photos in a browser: drop a photo, pick a shape, paint, download.

    examples:
      outpaint serve                     # http://127.0.0.1:8000/
      outpaint serve --port 8080
    """
    try:
        import uvicorn

        from outpaint_lib.web.app import create_app
    except ImportError:
        print("outpaint serve: error: the page needs its extra: pip install 'outpaint[serve]'", file=sys.stderr)
        return 2
    from outpaint_lib.inference import Outpainter

    if not _is_loopback(arguments.host):
        print(
            f"outpaint serve: warning: listening on {arguments.host}: anyone who can reach this machine "
            "can use the page",
            file=sys.stderr,
        )
    painter = Outpainter.from_settings(painting_settings(arguments))
    shown = f"[{arguments.host}]" if ":" in arguments.host else arguments.host
    print(f"outpaint: the page is at http://{shown}:{arguments.port}/ (Ctrl+C stops it)", flush=True)
    uvicorn.run(create_app(painter), host=arguments.host, port=arguments.port, log_level="warning")
    return 0


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
