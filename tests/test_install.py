"""The light install: ``pip install .`` paints without TensorFlow; the rest is the training extra."""

import subprocess
import sys
import tomllib

import numpy as np
from PIL import Image

from support import REPOSITORY, smooth_image

# Runs the command line in a fresh interpreter where the training extra's modules cannot be
# imported, as in an environment that installed only the base dependencies.
WITHOUT_TRAINING_EXTRA = """
import sys
from outpaint_lib.cli import TRAINING_MODULES, main

for name in TRAINING_MODULES:
    sys.modules[name] = None  # import raises ModuleNotFoundError, importlib finds no spec
sys.exit(main(sys.argv[1:]))
"""


def without_training_extra(*arguments):
    return subprocess.run([sys.executable, "-c", WITHOUT_TRAINING_EXTRA, *arguments], capture_output=True, text=True,
                          cwd=REPOSITORY, timeout=300)


def test_the_base_dependencies_paint_and_the_training_extra_holds_tensorflow():
    """Issue 30, defect 12: the environment was 2.9 GB, 1.9 GB of it TensorFlow, which paint never imports."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    names = {requirement.split(">")[0].split("=")[0].split("<")[0] for requirement in project["dependencies"]}
    assert names == {"numpy", "opencv-python-headless", "pillow", "ai-edge-litert"}
    training = " ".join(project["optional-dependencies"]["train"])
    for module in ("tensorflow", "keras", "h5py", "scikit-image", "matplotlib"):
        assert module in training
    serving = " ".join(project["optional-dependencies"]["serve"])
    assert "fastapi" in serving and "uvicorn" in serving and "tensorflow" not in serving
    assert "-e .[train,notebook,serve]" in (REPOSITORY / "requirements.txt").read_text().splitlines()


def test_without_the_training_extra_paint_works_and_the_other_commands_say_what_is_missing(tmp_path, checkpoint):
    photo = smooth_image(32, 48, seed=4)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    result = without_training_extra("paint", str(tmp_path / "photo.png"), "-o", str(tmp_path / "out"), "--no-blend")
    assert result.returncode == 0, result.stderr
    painted = np.asarray(Image.open(tmp_path / "out" / "photo.png"))
    assert painted.shape == (32, 64, 3)
    np.testing.assert_array_equal(painted[:, 8:56], photo)
    result = without_training_extra("evaluate", "--data", str(tmp_path))
    assert result.returncode == 1 and result.stderr.strip().splitlines() == [
        "outpaint evaluate: error: evaluate needs tensorflow, which this install lacks: pip install 'outpaint[train]'"]
    # A generator without a LiteRT export (a test run's) needs Keras: said in one line.
    result = without_training_extra("paint", str(tmp_path / "photo.png"), "-o", str(tmp_path / "again"),
                                    "--checkpoint", str(checkpoint))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"outpaint paint: error: cannot paint with {checkpoint}: ")
    assert line.endswith("Keras and TensorFlow, which paint without an export, are not installed "
                         "(pip install 'outpaint[train]')")


def test_the_public_api_imports_from_the_package_and_painting_loads_no_tensorflow():
    """Issue 31: ``from outpaint_lib import Outpainter`` and the like, without TensorFlow until needed."""
    script = (
        "import sys\n"
        "from outpaint_lib import Outpainter, PaintSettings, Target, load_image, paint_files\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "import outpaint_lib\n"
        "missing = [name for name in outpaint_lib.__all__ if getattr(outpaint_lib, name, None) is None]\n"
        "assert not missing, missing\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPOSITORY, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
