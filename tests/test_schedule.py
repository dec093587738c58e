import pytest

from outpaint_lib.schedule import Schedule


def test_the_papers_run_splits_exactly():
    schedule = Schedule.split(227_500, (18, 2, 80))
    assert schedule.phase_steps == (40_950, 4_550, 182_000)
    assert schedule.boundaries == (40_950, 45_500, 227_500)


@pytest.mark.parametrize("total", [1, 2, 7, 10, 33, 99, 101, 1234])
def test_parts_always_add_up_to_the_total(total):
    schedule = Schedule.split(total, (18, 2, 80))
    assert schedule.total_steps == total
    exact = [total * r / 100 for r in (18, 2, 80)]
    # Within a step of the exact share, but for the step a short run moves into an empty phase.
    assert all(abs(part - value) < 2 for part, value in zip(schedule.phase_steps, exact))
    assert min(schedule.phase_steps) >= 1 or total < 3


def test_a_short_run_gives_every_phase_it_asks_for_at_least_one_step():
    """Issue 19, defect 11: at 10 steps, 18:2:80 rounded phase 2 to nothing, silently."""
    assert Schedule.split(10, (18, 2, 80)).phase_steps == (2, 1, 7)
    assert Schedule.split(2, (18, 2, 80)).phase_steps == (1, 0, 1)
    assert Schedule.split(2, (18, 2, 80)).empty_phases((18, 2, 80)) == [2]
    assert Schedule.split(10, (1, 0, 1)).empty_phases((1, 0, 1)) == []


def test_phase_at_each_step():
    schedule = Schedule((3, 1, 4))
    assert [schedule.phase_at(step) for step in range(9)] == [1, 1, 1, 2, 3, 3, 3, 3, 3]


def test_empty_phases_are_skipped():
    schedule = Schedule.split(5, (0, 0, 1))
    assert schedule.phase_steps == (0, 0, 5) and schedule.phase_at(0) == 3
    assert Schedule.split(10, (1, 0, 1)).phase_steps == (5, 0, 5)
    assert [Schedule.split(10, (1, 0, 1)).phase_at(step) for step in (4, 5)] == [1, 3]
