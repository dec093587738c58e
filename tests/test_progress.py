import io

from outpaint_lib.progress import RoundProgress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_bar_draws_on_a_terminal_and_never_on_stdout(capsys):
    terminal = Terminal()
    bar = RoundProgress(stream=terminal)
    bar.add(3)
    for _ in range(3):
        bar.advance()
    bar.add(2)  # the total is learnt as the job goes
    bar.advance(2)
    bar.close()
    drawn = terminal.getvalue()
    assert "5/5" in drawn and "round" in drawn
    assert capsys.readouterr().out == ""


def test_no_bar_into_a_file_or_pipe_or_when_disabled(capsys):
    for bar in (RoundProgress(stream=io.StringIO()), RoundProgress(enabled=False, stream=Terminal())):
        bar.add(4)
        bar.advance(4)
        bar.close()
        assert bar.stream.getvalue() == ""
    assert capsys.readouterr().out == ""


def test_a_one_round_job_has_no_bar():
    bar = RoundProgress(stream=Terminal())
    bar.add(1)
    bar.advance()
    bar.close()
    assert bar.stream.getvalue() == ""
