"""The generator exported to LiteRT, so that painting runs without importing TensorFlow.

TensorFlow stays the training engine, but importing it takes seconds, and ``paint`` on one
photo is mostly start-up. ``export`` converts a generator folder's weights (with TensorFlow,
once) into ``generator.tflite``, which accepts any width; ``LitePredictor`` runs it with the
LiteRT interpreter (``ai-edge-litert``), which starts in a tenth of a second. The export
records the SHA-256 of the weights it came from, and a predictor is only made from an export
that matches the weights beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from outpaint_lib.files import atomic_path, atomic_write_text
from outpaint_lib.generator_files import generator_folder
from outpaint_lib.run_folder import GENERATOR_WEIGHTS_FILE, LITE_MODEL_FILE, LITE_SOURCE_FILE
from outpaint_lib.runtime import native_stderr_hidden

# Images per interpreter call. The interpreter plans its memory for each new input shape, at a
# cost that grows with the batch: 128 crops of 128 x 128 took 4.0 s in one call the first
# time (1.4 s the second), 1.5 s in calls of 8 (python benchmarks/startup.py for the effect).
BATCH = 8


class LiteUnavailable(Exception):
    """Why a folder's generator cannot run on LiteRT; the caller falls back to Keras."""


class LiteRuntimeMissing(LiteUnavailable):
    """The folder has a current export, but the LiteRT runtime is not installed."""


def weights_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    with open(folder / GENERATOR_WEIGHTS_FILE, "rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export(folder: str | os.PathLike) -> Path:
    """Convert the generator saved in ``folder`` to LiteRT, beside its weights; returns the
    model's path. Needs TensorFlow; the result does not."""
    from outpaint_lib.runtime import start_tensorflow_quietly

    start_tensorflow_quietly()
    import keras
    import tensorflow as tf

    from outpaint_lib.generator_files import load_generator

    folder = generator_folder(folder)
    generator, config = load_generator(folder, precision="float32")
    signature = tf.TensorSpec([None, config.image_size, None, config.input_channels], tf.float32)
    with tempfile.TemporaryDirectory() as saved_model:
        # A SavedModel carries the weights as constants the converter can fold; a bare
        # concrete function would leave them behind as uninitialised resources.
        archive = keras.export.ExportArchive()
        archive.track(generator)
        archive.add_endpoint("serve", lambda inputs: generator(inputs, training=False), input_signature=[signature])
        archive.write_out(saved_model, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved_model, signature_keys=["serve"])
        # Weights stored in float16 halve the file; they are widened back once, at load, and the
        # computation stays float32 (tests/test_lite.py bounds the difference to Keras).
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
        model = converter.convert()
    with atomic_path(folder / LITE_MODEL_FILE) as temporary:
        Path(temporary).write_bytes(model)
    source = {"weights_sha256": weights_digest(folder), "tensorflow": tf.__version__}
    atomic_write_text(folder / LITE_SOURCE_FILE, json.dumps(source, indent=2) + "\n")
    return folder / LITE_MODEL_FILE


class LitePredictor:
    """Calls the exported generator on float32 batches of any width, like the Keras model."""

    def __init__(self, model_path: Path, threads: int | None = None):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            raise LiteRuntimeMissing("the LiteRT runtime is not installed (pip install ai-edge-litert)") from None
        with native_stderr_hidden():  # LiteRT announces its CPU delegate on stderr
            self._interpreter = Interpreter(model_path=str(model_path), num_threads=threads or os.cpu_count() or 1)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape: tuple[int, ...] | None = None

    @classmethod
    def load(cls, folder: str | os.PathLike) -> LitePredictor:
        """The folder's export, if it exists and matches the folder's weights; otherwise
        ``LiteUnavailable`` with the reason."""
        folder = generator_folder(folder)
        model, source = folder / LITE_MODEL_FILE, folder / LITE_SOURCE_FILE
        if not (model.is_file() and source.is_file()):
            raise LiteUnavailable(f"{folder} has no LiteRT export ({LITE_MODEL_FILE})")
        try:
            recorded = json.loads(source.read_text(encoding="utf-8"))["weights_sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            raise LiteUnavailable(f"{source} is damaged") from None
        if recorded != weights_digest(folder):
            raise LiteUnavailable(f"{model} was exported from other weights than {GENERATOR_WEIGHTS_FILE}")
        return cls(model)

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        inputs = np.ascontiguousarray(inputs, dtype=np.float32)
        if len(inputs) > BATCH:
            return np.concatenate([self(inputs[start : start + BATCH]) for start in range(0, len(inputs), BATCH)])
        if inputs.shape != self._shape:
            with native_stderr_hidden():
                self._interpreter.resize_tensor_input(self._input, inputs.shape, strict=False)
                self._interpreter.allocate_tensors()
            self._shape = inputs.shape
        self._interpreter.set_tensor(self._input, inputs)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()
