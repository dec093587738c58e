"""How TensorFlow starts on this machine: quietly, and in the precision the CPU computes best.

Every entry point that paints (the command line, ``outpaint_lib.inference``, the notebook) goes
through here before TensorFlow is imported, so that its C++ start-up notices never reach the
user.
"""

from __future__ import annotations

import contextlib
import os
import sys

from outpaint_lib.errors import OutpaintError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_started = False


def start_tensorflow_quietly() -> None:
    """Import TensorFlow and initialise its devices with the native stderr captured.

    TensorFlow's C++ start-up logs ("could not find cuda drivers", oneDNN notices) ignore
    TF_CPP_MIN_LOG_LEVEL in this release and would bury the one-line messages the command line
    promises, or fill a notebook cell. They are shown only if the start-up itself fails.
    """
    global _started
    if _started:
        return
    with native_stderr_hidden():
        import tensorflow as tf

        tf.constant(0.0) + 1.0  # device initialisation logs its own notices
    _started = True


@contextlib.contextmanager
def native_stderr_hidden():
    """Hide what C++ code writes to the process's stderr (file descriptor 2) inside the block,
    where Python's ``sys.stderr`` redirection cannot reach; show it if the block fails."""
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except OutpaintError:
            raise  # our own errors say all there is to say, in one line
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX), where mixed precision
    runs the generator about 2.5x faster; elsewhere bfloat16 is emulated and slower."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            flags = cpuinfo.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str) -> str:
    if precision == "auto":
        return "mixed_bfloat16" if native_bfloat16() else "float32"
    return precision
