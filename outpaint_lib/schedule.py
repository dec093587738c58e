"""The paper's three-phase schedule: how many steps each phase gets, and which phase a step is in."""

from __future__ import annotations

import dataclasses
import math

PHASE_NAMES = {1: "generator on MSE", 2: "discriminator alone", 3: "both, joint loss"}


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Steps per phase; ``step`` everywhere counts completed training steps from zero."""

    phase_steps: tuple[int, int, int]

    @classmethod
    def split(cls, total_steps: int, ratios: tuple[int, int, int]) -> Schedule:
        """Split ``total_steps`` in the given ratios, rounding by largest remainder so that the
        three parts add up to the total (ties go to the earlier phase). A phase with a non-zero
        ratio that rounds to nothing gets one step from the largest phase, while that one keeps
        at least one: a short run still goes through every phase it asks for."""
        if total_steps < 0:
            raise ValueError("total_steps must not be negative")
        exact = [total_steps * ratio / sum(ratios) for ratio in ratios]
        parts = [math.floor(value) for value in exact]
        order = sorted(range(3), key=lambda index: (-(exact[index] - parts[index]), index))
        for index in order[: total_steps - sum(parts)]:
            parts[index] += 1
        for index, ratio in enumerate(ratios):
            largest = max(range(3), key=lambda other: parts[other])
            if ratio and not parts[index] and parts[largest] > 1:
                parts[largest] -= 1
                parts[index] += 1
        return cls(tuple(parts))

    def empty_phases(self, ratios: tuple[int, int, int]) -> list[int]:
        """Phases the ratios ask for that got no step (a run shorter than its phase count)."""
        return [phase for phase, (ratio, steps) in enumerate(zip(ratios, self.phase_steps), 1) if ratio and not steps]

    @property
    def total_steps(self) -> int:
        return sum(self.phase_steps)

    @property
    def boundaries(self) -> tuple[int, int, int]:
        """The step at which each phase ends."""
        first, second, third = self.phase_steps
        return (first, first + second, first + second + third)

    def phase_at(self, step: int) -> int:
        """The phase of the step that follows ``step`` completed steps (3 once all are done)."""
        for phase, end in enumerate(self.boundaries, start=1):
            if step < end:
                return phase
        return 3
