"""outpaint: image outpainting with GANs, after Sabini & Rusak (2018) and its Keras port.

The public API, each name imported on first use, so that painting never loads TensorFlow::

    from outpaint_lib import Outpainter, PaintSettings, paint_files, Target    # painting
    from outpaint_lib import OutpaintConfig, get_preset, RunRequest, train      # training
    from outpaint_lib import evaluate_folder, evaluate_full_resolution, METRICS  # scoring

Modules import in one direction: settings and files first (``errors``, ``config``,
``generators``, ``files``), then data, networks and measures (``images``, ``geometry``,
``pipeline``, ``models``, ``losses``, ``metrics``, ``texture``), then the jobs (``run_plan``, ``training``,
``inference``, ``painting``, ``evaluation``, ``showcase``), then the command line
(``commands``, ``cli``).
"""

__version__ = "0.1.0"

# Each public name and the module that defines it.
_PUBLIC = {
    "Outpainter": "outpaint_lib.inference",
    "PaintSettings": "outpaint_lib.inference",
    "paint_files": "outpaint_lib.painting",
    "Target": "outpaint_lib.sizing",
    "load_image": "outpaint_lib.images",
    "OutpaintConfig": "outpaint_lib.config",
    "PRESETS": "outpaint_lib.config",
    "get_preset": "outpaint_lib.config",
    "train": "outpaint_lib.training",
    "RunRequest": "outpaint_lib.run_plan",
    "holds_run": "outpaint_lib.run_plan",
    "evaluate_folder": "outpaint_lib.evaluation",
    "evaluate_full_resolution": "outpaint_lib.evaluation",
    "METRICS": "outpaint_lib.metrics",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'outpaint_lib' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
