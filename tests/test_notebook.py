"""The notebook executes top to bottom in smoke mode and draws its figures."""

import nbformat
import pytest
from nbclient import NotebookClient

from support import REPOSITORY, tiny


def tagged(notebook, tag):
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


@pytest.mark.slow
def test_the_notebook_runs_in_smoke_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTPAINT_SMOKE", "1")
    monkeypatch.setenv("OUTPAINT_RUN_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook = nbformat.read(REPOSITORY / "outpaint.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPOSITORY)}}
    ).execute()
    for cell in notebook.cells:
        assert not any(output.get("output_type") == "error" for output in cell.get("outputs", []))
    for tag in ("phase-losses", "recursive", "widen-16-9"):
        (cell,) = tagged(notebook, tag)
        assert any("image/png" in output.get("data", {}) for output in cell.outputs), tag
    assert (tmp_path / "run" / "losses.png").is_file()


@pytest.mark.slow
def test_the_notebook_never_deletes_a_run_it_did_not_create(tmp_path, monkeypatch, training_images):
    """Issue 30, defect 9: pointed at a 2,000-step run, the training cell replaced it with a 12-step one."""
    from outpaint_lib.run_plan import RunRequest
    from outpaint_lib.training import train

    run = tmp_path / "run"
    train(tiny(), run, RunRequest(training_images, 2), progress=False)

    def contents():  # every file of the run (the lock records only who last held it)
        return {path: path.read_bytes() for path in run.rglob("*") if path.is_file() and path.name != ".train.lock"}

    before = contents()
    monkeypatch.setenv("OUTPAINT_SMOKE", "1")
    monkeypatch.setenv("OUTPAINT_RUN_DIR", str(run))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook = nbformat.read(REPOSITORY / "outpaint.ipynb", as_version=4)
    (training_cell,) = tagged(notebook, "train")
    notebook.cells = notebook.cells[: notebook.cells.index(training_cell) + 1]
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPOSITORY)}}
    )
    with pytest.raises(Exception, match="cannot resume .* with other settings than it was started with"):
        client.execute()
    assert contents() == before


@pytest.mark.slow
def test_the_notebook_can_train_the_reproductions_configuration(monkeypatch):
    monkeypatch.setenv("OUTPAINT_REPRODUCTION", "paper_nodilation")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook = nbformat.read(REPOSITORY / "outpaint.ipynb", as_version=4)
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    check = nbformat.v4.new_code_cell(
        "from outpaint_lib import reproduction\n"
        "assert config == reproduction.configuration('paper_nodilation'), config\n"
        "assert config.generator_dilations == (1, 1, 1) and config.image_size == 64\n"
        "assert TRAINING_DATA == Path(reproduction.DATA)\n"
    )
    notebook.cells = [setup, check]
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPOSITORY)}}
    ).execute()  # raises on a failed assertion
