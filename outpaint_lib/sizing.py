"""How large a photo is painted, on which sides, and the rounds that get it there.

A round can add at most one strip per side: a quarter of the image's extent along that side (its
height for the left and right strips, its width for the top and bottom ones), what a generator
was trained to paint. A target larger than one round gives several rounds, each painting from
the previous result; the last paints only what is still missing, nearest the photo (its
best-predicted part). Columns are painted before rows, so that the rows, painted across the
widened image, fill the corners too. Pure arithmetic: no image is touched here.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

from outpaint_lib.config import strip_width_of
from outpaint_lib.errors import TargetError, TargetMet

# The sides of each axis, in the order a round's pair gives them: a columns round adds
# (left, right) columns, a rows round (top, bottom) rows.
AXES = {"columns": ("left", "right"), "rows": ("top", "bottom")}
SIDES = (*AXES["columns"], *AXES["rows"])
# Names for several sides at once.
SIDE_GROUPS = {"both": AXES["columns"], "all": SIDES}

# "16:9", "2.35:1", "1.85" (width over height); spaces allowed around the colon.
_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?::\s*(\d+(?:\.\d+)?))?\s*$")


@dataclasses.dataclass(frozen=True)
class Round:
    """What one round adds: ``first`` and ``second`` columns (left, right) or rows (top, bottom)."""

    axis: str
    first: int
    second: int


def parse_sides(text: str) -> tuple[str, ...]:
    """``"left,top"`` -> ("left", "top"); ``"both"`` is left and right, ``"all"`` every side;
    returned in the order of ``SIDES``, each once."""
    names = [name.strip() for name in text.split(",")] if isinstance(text, str) else list(text)
    sides = set()
    for name in names:
        if name in SIDE_GROUPS:
            sides.update(SIDE_GROUPS[name])
        elif name in SIDES:
            sides.add(name)
        else:
            choices = ", ".join([*SIDES, *SIDE_GROUPS])
            raise TargetError(f"side must be one of {choices} or several joined by commas, got {name!r}")
    return tuple(side for side in SIDES if side in sides)


@dataclasses.dataclass(frozen=True)
class Target:
    """How large: ``times`` rounds of full strips, a ``width`` and/or a ``height`` in pixels, or
    an ``aspect`` ratio (width over height); and the ``sides`` to paint. Without sides, both
    sides of each axis that the target grows (left and right for ``times``)."""

    times: int | None = None
    width: int | None = None
    height: int | None = None
    aspect: float | None = None
    sides: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        given = [name for name in ("times", "width", "height", "aspect") if getattr(self, name) is not None]
        if len(given) > 1 and set(given) != {"width", "height"}:
            raise TargetError(
                f"give one of times, width (with or without height) and aspect, not {' and '.join(given)}"
            )
        if not given:
            object.__setattr__(self, "times", 1)
        if self.sides is not None:
            object.__setattr__(self, "sides", parse_sides(self.sides))
            if not self.sides:
                raise TargetError("no side to paint")
        for name in ("times", "width", "height"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise TargetError(f"{name} must be a whole number of at least 1, got {value!r}")
        if self.aspect is not None and not (math.isfinite(self.aspect) and self.aspect > 0):
            raise TargetError(f"aspect must be a positive ratio, got {self.aspect!r}")

    def describe(self) -> str:
        where = f"painting {describe_sides(self.sides)}" if self.sides else "painting both sides"
        if self.width is not None or self.height is not None:
            sizes = [f"{value} px {name}" for name, value in (("wide", self.width), ("high", self.height)) if value]
            return f"{' and '.join(sizes)}, {where}"
        if self.aspect is not None:
            return f"aspect {self.aspect:g}, {where}"
        return f"{self.times} round(s), {where}"


def describe_sides(sides: tuple[str, ...]) -> str:
    if sides == SIDES:
        return "every side"
    if sides == AXES["columns"]:
        return "both sides"
    return " and ".join(f"the {side}" for side in sides)


def make_target(
    times: int | None = None,
    width: int | None = None,
    aspect: float | str | None = None,
    side: str | None = None,
    height: int | None = None,
) -> Target:
    """A ``Target``, the aspect given as a number or as text such as "16:9", the sides as
    ``parse_sides`` reads them."""
    if isinstance(aspect, str):
        aspect = parse_aspect(aspect)
    return Target(times=times, width=width, height=height, aspect=aspect, sides=side)


def parse_aspect(text: str) -> float:
    """``"16:9"`` -> 1.777..., ``"2.35:1"`` -> 2.35, ``"1.5"`` -> 1.5."""
    match = _ASPECT.match(text)
    if match is None and _ASPECT.match(text.replace("-", "", 2)) is not None:
        raise TargetError(f"aspect {text!r} needs two positive numbers")
    if match is None:
        raise TargetError(f"aspect {text!r} is not W:H (for example 16:9 or 2.35:1)")
    width, height = float(match.group(1)), float(match.group(2) or 1)
    if width <= 0 or height <= 0:
        raise TargetError(f"aspect {text!r} needs two positive numbers")
    return width / height


def target_size(height: int, width: int, target: Target, max_pixels: int | None = None) -> tuple[int, int]:
    """The painted image's (height, width) for a ``height`` x ``width`` photo. Raises
    ``TargetMet`` if the photo already is that large, and ``TargetError`` if the target needs a
    side it may not paint, or would hold more than ``max_pixels`` pixels."""
    sides = target.sides
    if target.times is not None:
        sides = sides or AXES["columns"]
        final_width = width + target.times * _count(sides, "columns") * strip_width_of(height)
        final_height = height + target.times * _count(sides, "rows") * strip_width_of(final_width)
    else:
        final_height, final_width = _wanted(height, width, target)
        grows = [axis for axis, grown in (("columns", final_width > width), ("rows", final_height > height)) if grown]
        sides = sides or tuple(side for axis in grows for side in AXES[axis])
        for axis in grows:
            if not _count(sides, axis):
                where = "wider: paint left or right" if axis == "columns" else "taller: paint top or bottom"
                raise TargetError(f"{target.describe()} makes the {width} x {height} photo {where} (--side)")
    if max_pixels is not None and final_width * final_height > max_pixels:
        raise TargetError(
            f"painting the {width} x {height} photo to {final_width} x {final_height} makes "
            f"{final_width * final_height:,} pixels, over the limit of {max_pixels:,} (max_pixels; paint --max-pixels)"
        )
    return final_height, final_width


def _wanted(height: int, width: int, target: Target) -> tuple[int, int]:
    """The (height, width) a size or aspect target asks of a photo; ``TargetMet`` if nothing."""
    if target.aspect is not None:
        wide, high = int(round(height * target.aspect)), int(round(width / target.aspect))
        sides = target.sides or SIDES
        if wide > width and _count(sides, "columns"):
            return height, wide
        if high > height and _count(sides, "rows"):
            return high, width
        # Already of that shape, or past it the only way the sides given could grow it.
        photo, aspect = f"the photo is {width} x {height}", f"{target.aspect:g}"
        if not _count(sides, "rows"):
            raise TargetMet(f"{photo}: already aspect {aspect} ({wide} px) wide or wider")
        if not _count(sides, "columns"):
            raise TargetMet(f"{photo}: already aspect {aspect} ({high} px) high or higher")
        raise TargetMet(f"{photo}: already of aspect {aspect} (within a pixel)")
    wanted = (max(height, target.height or 0), max(width, target.width or 0))
    if wanted == (height, width):
        raise TargetMet(f"the photo is {width} x {height}: already {target.describe().split(',')[0]} or more")
    return wanted


def _count(sides: tuple[str, ...], axis: str) -> int:
    return sum(side in sides for side in AXES[axis])


def plan_rounds(height: int, width: int, final_size: tuple[int, int], sides: tuple[str, ...]) -> list[Round]:
    """The rounds that take a ``height`` x ``width`` photo to ``final_size`` (height, width):
    columns first, then rows. On an axis whose two sides are both painted the sides get equal
    shares, the later side (right, bottom) one more when the total is odd. Every round but an
    axis' last adds full strips on its painted sides."""
    final_height, final_width = final_size
    if final_height < height or final_width < width or (final_height, final_width) == (height, width):
        raise TargetError(f"nothing to paint: {final_width} x {final_height} is not larger than {width} x {height}")
    rounds = _axis_rounds("columns", final_width - width, sides, strip_width_of(height))
    return rounds + _axis_rounds("rows", final_height - height, sides, strip_width_of(final_width))


def margins(rounds: Sequence[Round]) -> dict[str, int]:
    """What the ``rounds`` add on each side, in pixels: where the photo sits in the result
    (``margins["left"]``, ``margins["top"]``) and, added to its size, the result's size."""
    added = dict.fromkeys(SIDES, 0)
    for step in rounds:
        first, second = AXES[step.axis]
        added[first] += step.first
        added[second] += step.second
    return added


def _axis_rounds(axis: str, extra: int, sides: tuple[str, ...], strip: int) -> list[Round]:
    if extra <= 0:
        return []
    first_side, second_side = (side in sides for side in AXES[axis])
    if not (first_side or second_side):
        raise TargetError(f"{extra} {axis} to paint, but neither {' nor '.join(AXES[axis])} is a side to paint")
    first = extra // 2 if first_side and second_side else extra if first_side else 0
    second = extra - first
    rounds = []
    while first > 0 or second > 0:
        step_first, step_second = min(first, strip), min(second, strip)
        rounds.append(Round(axis, step_first, step_second))
        first, second = first - step_first, second - step_second
    return rounds
