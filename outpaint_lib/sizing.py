"""How wide a photo is painted, on which sides, and the rounds that get it there.

A round can add at most one strip per side: a quarter of the photo's height, the width the
generator was trained to paint. A target wider than one round gives several rounds, each
painting from the previous result; the last paints only the columns still missing, the ones
nearest the photo (its best-predicted). Pure arithmetic: no image is touched here.
"""

from __future__ import annotations

import dataclasses
import math
import re

from outpaint_lib.errors import TargetError, TargetMet

SIDES = ("both", "left", "right")

# "16:9", "2.35:1", "1.85" (width over height); spaces allowed around the colon.
_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?::\s*(\d+(?:\.\d+)?))?\s*$")


@dataclasses.dataclass(frozen=True)
class Target:
    """One of three ways to say how wide: ``times`` rounds of full strips, an exact ``width``
    in pixels, or an ``aspect`` ratio (width over height); and the ``side`` to paint."""

    times: int | None = None
    width: int | None = None
    aspect: float | None = None
    side: str = "both"

    def __post_init__(self) -> None:
        given = [name for name in ("times", "width", "aspect") if getattr(self, name) is not None]
        if len(given) > 1:
            raise TargetError(f"give one of times, width and aspect, not {' and '.join(given)}")
        if not given:
            object.__setattr__(self, "times", 1)
        if self.side not in SIDES:
            raise TargetError(f"side must be one of {', '.join(SIDES)}, got {self.side!r}")
        for name in ("times", "width"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise TargetError(f"{name} must be a whole number of at least 1, got {value!r}")
        if self.aspect is not None and not (math.isfinite(self.aspect) and self.aspect > 0):
            raise TargetError(f"aspect must be a positive ratio, got {self.aspect!r}")

    def describe(self) -> str:
        where = {"both": "both sides", "left": "the left side", "right": "the right side"}[self.side]
        if self.width is not None:
            return f"{self.width} px wide, painting {where}"
        if self.aspect is not None:
            return f"aspect {self.aspect:g}, painting {where}"
        return f"{self.times} round(s) on {where}"


def make_target(
    times: int | None = None, width: int | None = None, aspect: float | str | None = None, side: str = "both"
) -> Target:
    """A ``Target``, the aspect given as a number or as text such as "16:9"."""
    if isinstance(aspect, str):
        aspect = parse_aspect(aspect)
    return Target(times=times, width=width, aspect=aspect, side=side)


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


def target_width(height: int, width: int, target: Target, strip_width: int, max_pixels: int | None = None) -> int:
    """The painted image's width for a ``height`` x ``width`` photo; ``strip_width`` is what
    one round adds per side at this height. Raises ``TargetError`` if the photo already is
    that wide or wider (``TargetMet``), or if the result would hold more than ``max_pixels`` pixels."""
    if target.times is not None:
        sides = 2 if target.side == "both" else 1
        wanted = width + target.times * sides * strip_width
    else:
        wanted = target.width if target.width is not None else int(round(height * target.aspect))
        if wanted <= width:
            what = f"{target.width} px" if target.width is not None else f"aspect {target.aspect:g} ({wanted} px)"
            raise TargetMet(f"the photo is {width} x {height}: already {what} wide or wider")
    if max_pixels is not None and wanted * height > max_pixels:
        raise TargetError(
            f"painting the {width} x {height} photo to {wanted} x {height} makes {wanted * height:,} pixels, "
            f"over the limit of {max_pixels:,} (max_pixels; paint --max-pixels)"
        )
    return wanted


def plan_rounds(width: int, final_width: int, side: str, strip_width: int) -> list[tuple[int, int]]:
    """The (left, right) columns each round adds to go from ``width`` to ``final_width``.

    For ``both`` the sides get equal widths; an odd remainder gives the right side the one
    extra column. Every round but the last adds full strips, ``strip_width`` per painted side.
    """
    if side not in SIDES:
        raise TargetError(f"side must be one of {', '.join(SIDES)}, got {side!r}")
    extra = final_width - width
    if extra <= 0:
        raise TargetError(f"nothing to paint: {final_width} px is not wider than {width} px")
    left = {"both": extra // 2, "left": extra, "right": 0}[side]
    right = extra - left
    rounds = []
    while left > 0 or right > 0:
        step_left, step_right = min(left, strip_width), min(right, strip_width)
        rounds.append((step_left, step_right))
        left, right = left - step_left, right - step_right
    return rounds
