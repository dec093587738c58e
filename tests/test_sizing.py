import pytest

from outpaint_lib.sizing import SIDES, Target, TargetError, make_target, parse_aspect, plan_rounds, target_width


@pytest.mark.parametrize("text, ratio", [("16:9", 16 / 9), ("21:9", 21 / 9), ("2.35:1", 2.35), (" 4 : 3 ", 4 / 3),
                                         ("1.85", 1.85)])
def test_aspect_strings(text, ratio):
    assert parse_aspect(text) == pytest.approx(ratio)


@pytest.mark.parametrize("text", ["", "16/9", "16:", ":9", "abc", "-16:9", "16:-9", "0:9", "16:0", "1:2:3", "nan"])
def test_malformed_aspects_are_refused(text):
    with pytest.raises(TargetError, match="aspect"):
        parse_aspect(text)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("extra", [1, 2, 29, 30, 31, 59, 60, 61, 250])
def test_rounds_add_exactly_the_columns_asked_for(side, extra):
    strip = 30
    rounds = plan_rounds(400, 400 + extra, side, strip)
    lefts, rights = [left for left, _ in rounds], [right for _, right in rounds]
    assert sum(lefts) + sum(rights) == extra
    assert all(0 <= left <= strip and 0 <= right <= strip for left, right in rounds)
    assert all(left + right > 0 for left, right in rounds)
    # Only the last round may paint less than a full strip on a side that still needs columns.
    for left, right in rounds[:-1]:
        assert left in (0, strip) and right in (0, strip)
    if side == "left":
        assert sum(rights) == 0
    elif side == "right":
        assert sum(lefts) == 0
    else:
        assert sum(rights) - sum(lefts) == extra % 2  # equal, the right one more when odd
    assert len(rounds) == -(-(extra if side != "both" else extra - extra // 2) // strip)


def test_times_adds_full_strips_on_the_painted_sides():
    assert target_width(100, 80, Target(times=3), 25) == 80 + 3 * 50
    assert target_width(100, 80, Target(times=3, side="left"), 25) == 80 + 3 * 25
    assert plan_rounds(80, 155, "right", 25) == [(0, 25)] * 3


def test_width_and_aspect_targets():
    assert target_width(300, 450, Target(width=1000), 75) == 1000
    assert target_width(300, 450, make_target(aspect="16:9"), 75) == 533  # round(300 * 16 / 9)
    assert target_width(300, 450, make_target(aspect=2.35, side="right"), 75) == 705


@pytest.mark.parametrize("target", [Target(width=450), Target(width=300), make_target(aspect="3:2"),
                                    make_target(aspect="1:1")])
def test_a_target_already_met_is_refused(target):
    with pytest.raises(TargetError, match="already"):
        target_width(300, 450, target, 75)


def test_a_target_over_the_pixel_limit_is_refused_naming_the_limit():
    with pytest.raises(TargetError, match="max-pixels"):
        target_width(300, 450, Target(width=10_000), 75, max_pixels=1_000_000)
    assert target_width(300, 450, Target(width=3_000), 75, max_pixels=1_000_000) == 3_000


@pytest.mark.parametrize("changes", [dict(times=0), dict(times=-2), dict(width=0), dict(width=-5), dict(width=1.5),
                                     dict(aspect=0.0), dict(aspect=-1.0), dict(aspect=float("inf")),
                                     dict(times=2, width=900), dict(width=900, aspect=1.5), dict(side="top"),
                                     dict(times=True)])
def test_bad_targets_are_refused(changes):
    with pytest.raises(TargetError):
        Target(**changes)


def test_no_target_means_one_round():
    assert Target().times == 1 and make_target().describe() == "1 round(s) on both sides"
