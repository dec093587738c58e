import pytest

from outpaint_lib.sizing import (
    SIDES,
    Round,
    Target,
    TargetError,
    TargetMet,
    make_target,
    margins,
    parse_aspect,
    parse_sides,
    plan_rounds,
    target_size,
)


@pytest.mark.parametrize("text, ratio", [("16:9", 16 / 9), ("21:9", 21 / 9), ("2.35:1", 2.35), (" 4 : 3 ", 4 / 3),
                                         ("1.85", 1.85)])
def test_aspect_strings(text, ratio):
    assert parse_aspect(text) == pytest.approx(ratio)


@pytest.mark.parametrize("text", ["", "16/9", "16:", ":9", "abc", "-16:9", "16:-9", "0:9", "16:0", "1:2:3", "nan"])
def test_malformed_aspects_are_refused(text):
    with pytest.raises(TargetError, match="aspect"):
        parse_aspect(text)


@pytest.mark.parametrize("text, sides", [("both", ("left", "right")), ("all", SIDES), ("top", ("top",)),
                                         ("bottom, left", ("left", "bottom")), ("top,both", ("left", "right", "top")),
                                         ("right,right", ("right",))])
def test_sides_are_read_in_one_order(text, sides):
    assert parse_sides(text) == sides


@pytest.mark.parametrize("text", ["up", "left;right", "", "left,"])
def test_unknown_sides_are_refused(text):
    with pytest.raises(TargetError, match="side"):
        parse_sides(text)


@pytest.mark.parametrize("sides", [("left",), ("right",), ("left", "right"), ("top",), ("bottom",), ("top", "bottom"),
                                   SIDES])
@pytest.mark.parametrize("extra", [1, 2, 29, 30, 31, 59, 60, 61, 250])
def test_rounds_add_exactly_what_was_asked_for(sides, extra):
    columns = any(side in sides for side in ("left", "right"))
    rows = any(side in sides for side in ("top", "bottom"))
    final = (300 + extra * rows, 400 + extra * columns)
    rounds = plan_rounds(300, 400, final, sides)
    strips = {"columns": 75, "rows": 100 + (extra * columns) // 4}  # a quarter of the height, of the final width
    for axis, grown in (("columns", columns), ("rows", rows)):
        mine = [step for step in rounds if step.axis == axis]
        firsts, seconds = [step.first for step in mine], [step.second for step in mine]
        assert sum(firsts) + sum(seconds) == extra * grown
        strip = strips[axis]
        assert all(0 <= first <= strip and 0 <= second <= strip and first + second > 0 for first, second in
                   zip(firsts, seconds))
        for step in mine[:-1]:  # only an axis' last round may paint less than a full strip
            assert step.first in (0, strip) and step.second in (0, strip)
        first_side, second_side = {"columns": ("left", "right"), "rows": ("top", "bottom")}[axis]
        if grown and first_side in sides and second_side in sides:
            assert sum(seconds) - sum(firsts) == extra % 2  # equal, the later side one more when odd
        elif grown:
            assert sum(firsts if second_side in sides else seconds) == 0
    assert [step.axis for step in rounds] == sorted((step.axis for step in rounds), key=["columns", "rows"].index)


def test_margins_are_what_the_rounds_add_on_each_side():
    rounds = plan_rounds(300, 400, (341, 531), SIDES)  # 131 columns and 41 rows: the odd ones to right and bottom
    assert margins(rounds) == {"left": 65, "right": 66, "top": 20, "bottom": 21}
    assert margins(plan_rounds(300, 400, (300, 480), ("right",))) == {"left": 0, "right": 80, "top": 0, "bottom": 0}
    assert margins([]) == dict.fromkeys(SIDES, 0)


def test_times_adds_full_strips_on_the_painted_sides():
    assert target_size(100, 80, Target(times=3)) == (100, 80 + 3 * 50)
    assert target_size(100, 80, Target(times=3, sides="left")) == (100, 80 + 3 * 25)
    assert plan_rounds(100, 80, (100, 155), ("right",)) == [Round("columns", 0, 25)] * 3
    # Rows are a quarter of the width the columns leave: the corners are painted with the rows.
    assert target_size(100, 80, Target(times=1, sides="all")) == (100 + 2 * 32, 130)
    assert plan_rounds(100, 80, (164, 130), SIDES) == [Round("columns", 25, 25), Round("rows", 32, 32)]


def test_size_and_aspect_targets():
    assert target_size(300, 450, Target(width=1000)) == (300, 1000)
    assert target_size(300, 450, Target(height=400)) == (400, 450)
    assert target_size(300, 450, Target(width=500, height=400)) == (400, 500)
    assert target_size(300, 450, make_target(aspect="16:9")) == (300, 533)  # round(300 * 16 / 9)
    assert target_size(300, 450, make_target(aspect=2.35, side="right")) == (300, 705)
    assert target_size(300, 450, make_target(aspect="4:5")) == (562, 450)  # round(450 * 5 / 4): taller
    assert target_size(300, 450, make_target(aspect="9:16", side="top")) == (800, 450)


@pytest.mark.parametrize("target", [Target(width=450), Target(width=300), Target(height=300),
                                    Target(width=450, height=200), make_target(aspect="3:2"),
                                    make_target(aspect="1.4995"), make_target(aspect="16:9", side="top"),
                                    make_target(aspect="4:5", side="both")])
def test_a_target_already_met_is_refused(target):
    with pytest.raises(TargetMet, match="already"):
        target_size(300, 450, target)


@pytest.mark.parametrize("target", [make_target(height=400, side="left"),
                                    make_target(width=900, side="top,bottom")])
def test_a_target_that_needs_a_side_not_given_is_refused(target):
    with pytest.raises(TargetError, match="--side"):
        target_size(300, 450, target)


def test_a_target_over_the_pixel_limit_is_refused_naming_the_limit():
    with pytest.raises(TargetError, match="max-pixels"):
        target_size(300, 450, Target(width=10_000), max_pixels=1_000_000)
    with pytest.raises(TargetError, match="max-pixels"):
        target_size(300, 450, Target(height=10_000), max_pixels=1_000_000)
    assert target_size(300, 450, Target(width=3_000), max_pixels=1_000_000) == (300, 3_000)


@pytest.mark.parametrize("changes", [dict(times=0), dict(times=-2), dict(width=0), dict(width=-5), dict(width=1.5),
                                     dict(height=0), dict(aspect=0.0), dict(aspect=-1.0), dict(aspect=float("inf")),
                                     dict(times=2, width=900), dict(width=900, aspect=1.5), dict(height=9, times=1),
                                     dict(sides="up"), dict(sides=()), dict(times=True)])
def test_bad_targets_are_refused(changes):
    with pytest.raises(TargetError):
        Target(**changes)


def test_no_target_means_one_round_on_both_sides():
    assert Target().times == 1 and make_target().describe() == "1 round(s), painting both sides"
    assert make_target(height=600, side="top").describe() == "600 px high, painting the top"
