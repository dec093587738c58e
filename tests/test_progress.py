import io

from outpaint_lib.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_bar_draws_on_a_terminal_and_never_on_stdout(capsys):
    terminal = Terminal()
    bar = ProgressBar(unit="round", stream=terminal)
    bar.add(3)
    for _ in range(3):
        bar.advance()
    bar.add(2)  # the total is learnt as the job goes
    bar.advance(2)
    bar.close()
    drawn = terminal.getvalue()
    assert "5/5 rounds [========================]" in drawn and drawn.endswith("\n")
    assert capsys.readouterr().out == ""


def test_no_bar_into_a_file_or_pipe_or_when_disabled(capsys):
    for bar in (ProgressBar(stream=io.StringIO()), ProgressBar(enabled=False, stream=Terminal())):
        bar.add(4)
        bar.advance(4)
        bar.close()
        assert bar.stream.getvalue() == ""
    assert capsys.readouterr().out == ""


def test_a_one_round_job_has_no_bar():
    bar = ProgressBar(stream=Terminal())
    bar.add(1)
    bar.advance()
    bar.close()
    assert bar.stream.getvalue() == ""


def test_keras_values_are_shown_beside_the_count():
    terminal = Terminal()
    bar = ProgressBar(10, stream=terminal)
    bar.update(4, values=[("phase", 1), ("mse", 0.25)])
    drawn = terminal.getvalue()
    assert " 4/10 steps [=========>" in drawn and "phase: 1" in drawn and "mse: 0.25" in drawn and "left" in drawn


def test_a_shell_gets_the_bar_on_stderr_a_notebook_in_its_cell(monkeypatch):
    import sys
    import types

    from outpaint_lib import progress

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))  # imported, no kernel
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert ProgressBar().stream is sys.stderr and not ProgressBar(stream=io.StringIO()).enabled
    kernel_shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: kernel_shell))
    bar = ProgressBar(stream=io.StringIO())
    assert bar.enabled and progress._default_stream() is sys.stdout  # a notebook's output is no terminal
