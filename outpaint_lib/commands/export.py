"""``outpaint export``: a generator folder's LiteRT export, which paint runs without TensorFlow."""

from __future__ import annotations

import argparse

from outpaint_lib.commands.options import add_command_parser


def add_command(commands) -> None:
    export = add_command_parser(commands, "export", run)
    export.add_argument(
        "checkpoint",
        metavar="GENERATOR_DIR",
        help="a generator folder (checkpoint/, RUN/generator) or a training run's folder",
    )


def run(arguments: argparse.Namespace) -> int:
    """Export a generator folder to LiteRT, which paint then runs on without loading TensorFlow.

    examples:
      outpaint export runs/beach/generator   # writes generator.tflite beside its weights
      outpaint export runs/beach             # the same: a run folder names its generator
    """
    from outpaint_lib.runtime import start_tensorflow_quietly

    start_tensorflow_quietly()
    from outpaint_lib.generator_files import read_config
    from outpaint_lib.lite import export

    read_config(arguments.checkpoint)  # one clear line for a folder that is not a generator
    print(export(arguments.checkpoint))
    return 0
