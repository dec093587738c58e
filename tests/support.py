"""Helpers shared by the test modules, by conftest's fixtures and by the scripts the tests run
(``from support import tiny``): tiny configurations, generated images, the command line, and
checks that more than one module makes. Keras and TensorFlow are imported inside the functions
that need them, so that importing this module stays cheap."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before anything could import TensorFlow

import contextlib  # noqa: E402
import io  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from outpaint_lib.config import PAPER  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("OUTPAINT_SHARED_DATA", REPOSITORY.parent / "shared" / "data"))


def tiny(config=PAPER, **changes):
    """A configuration small enough to train in milliseconds: 32 px, 1/16 of the widths."""
    values = dict(image_size=32, width_multiplier=1 / 16, batch_size=4)
    if config.generator_architecture == "keras256":
        values["generator_dilations"] = (2, 4)  # wider ones would reach past 32 px feature maps
    values.update(changes)
    return config.replace(**values)


def smooth_image(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A deterministic, smooth, colourful uint8 image (so that strips are predictable)."""
    rng = np.random.default_rng(seed)
    rows = np.linspace(0, 1, height)[:, None, None]
    columns = np.linspace(0, 1, width)[None, :, None]
    phase = rng.uniform(0, 2 * np.pi, size=(1, 1, 3))
    image = 127.5 + 100 * np.sin(3 * columns + 2 * rows + phase)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def run_cli(*arguments, **options):
    """Run ``python -m outpaint_lib`` as a user would, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "outpaint_lib", *arguments], capture_output=True, text=True,
        cwd=options.pop("cwd", REPOSITORY), timeout=options.pop("timeout", 300), **options,
    )


@contextlib.contextmanager
def immutable(folder):
    """A folder that refuses new files even to root (``chattr +i``), for as long as the test needs."""
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 when asked (a server started at once gets them)."""
    sockets = [socket.socket() for _ in range(count)]
    for each in sockets:
        each.bind(("127.0.0.1", 0))
    ports = [each.getsockname()[1] for each in sockets]
    for each in sockets:
        each.close()
    return ports


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG whose header claims width x height RGB pixels, with a few bytes of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + png_chunk(b"IEND", b"")
    )


def marked_jpeg(orientation: int) -> bytes:
    """20 x 30 blue JPEG with a red top-left corner, stored sideways with an EXIF orientation."""
    pixels = np.zeros((20, 30, 3), dtype=np.uint8)
    pixels[:] = (0, 0, 255)  # blue
    pixels[:6, :6] = (255, 0, 0)  # red
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(Image.fromarray(pixels), "JPEG", quality=95, exif=exif.tobytes())


def one_batch_dataset(config, count=4):
    import tensorflow as tf

    from outpaint_lib.postprocess import to_model_range

    images = np.stack([smooth_image(config.image_size, config.image_size, seed) for seed in range(count)])
    dataset = tf.data.Dataset.from_tensor_slices(images).map(lambda image: to_model_range(image, config.value_range))
    return dataset.batch(count).repeat()


def run_steps(gan, config, phase, steps=1):
    gan.phase = phase
    history = gan.fit(one_batch_dataset(config), epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
    return {key: values[-1] for key, values in history.history.items()}


def assert_unbroken(rows, total):
    assert [row["step"] for row in rows] == list(range(1, total + 1))
    phases = [row["phase"] for row in rows]
    assert phases == sorted(phases)


def markdown_commands(path) -> list[list[str]]:
    """The outpaint commands of a Markdown file's bash blocks, continuation lines joined,
    comments and environment assignments removed, ``outpaint`` and ``python -m outpaint_lib``
    alike, each as its arguments after the program."""
    import re
    import shlex

    commands = []
    for block in re.findall(r"```bash\n(.*?)```", Path(path).read_text(), flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            while words and re.match(r"^[A-Z_]+=", words[0]):
                words.pop(0)
            if words[:1] == ["outpaint"]:
                commands.append(words[1:])
            elif words[:3] == ["python", "-m", "outpaint_lib"]:
                commands.append(words[3:])
    return commands
