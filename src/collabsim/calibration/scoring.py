"""Scoring a calibration's points: tests at a stage's alpha, acceptance, the recommendation.

- ``with_alpha``: a copy of a pattern's test at another significance level (every part
  of an ``AllOf`` too), so a stage can judge patterns at its own ``alpha``.
- ``target_value``: a target's value at a point from its settings' means (a mean, a
  gap between two settings, or the largest shift when one rate moves); ``steepest``: the
  moves that shift it most, which a ``Recheck`` measures again.
- ``stage_verdict``: a point passes a stage if it passes at least ``stage.required``
  of the stage's patterns (``min_passed`` of them, rounded up) and every target's
  value lies within its bounds (an undefined value fails).
- ``recommend``: among the accepted points, the one with the most patterns passed in
  the last stage that checks patterns; ties go to the point nearest the accepted points'
  median, each factor scaled to [0, 1] over its calibration range (then to the lowest
  point number).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from collabsim.calibration.errors import CalibrationError
from collabsim.calibration.plan import Stage
from collabsim.calibration.targets import Target
from collabsim.sweeps.design import Factor
from collabsim.validation.spec import Pattern
from collabsim.validation.stats import AllOf, Test


def with_alpha(test: Test, alpha: float) -> Test:
    """A copy of ``test`` that decides at significance level ``alpha``.

    Args:
        test: A pattern's test: one of the tests of ``collabsim.validation.spec``, or an
            ``AllOf`` of them (every part gets the new level).
        alpha: The significance level (between 0 and 1).

    Returns:
        The copy; ``test`` itself is left as it was.

    Raises:
        CalibrationError: A test that has no significance level to set.
    """
    if isinstance(test, AllOf):
        return AllOf(*(with_alpha(part, alpha) for part in test.parts))
    if not dataclasses.is_dataclass(test) or "alpha" not in {
        f.name for f in dataclasses.fields(test)
    }:
        raise CalibrationError(f"{type(test).__name__}: the test has no alpha to set")
    return dataclasses.replace(test, alpha=alpha)


def at_alpha(pattern: Pattern, alpha: float) -> Pattern:
    """A copy of an expressible ``pattern`` whose test decides at ``alpha``."""
    return dataclasses.replace(pattern, test=with_alpha(pattern.test, alpha))


@dataclass(frozen=True)
class StageScore:
    """How one point fared in one stage.

    Attributes:
        point: The design point.
        passed: Patterns passed.
        patterns: Patterns checked.
        targets: Each target's value by name (``target_value``).
        ok: Whether the point passes the stage (``stage_verdict``).
        moved_by: For each ``perturb`` target, the move of a rate that shifted its
            output most (``"<rate> x0.8"``; ``target_value``).
        screened: For each target with a ``recheck``, its value on the stage's own seeds,
            which chose the moves measured again (``targets`` holds the value measured
            again).
    """

    point: int
    passed: int
    patterns: int
    targets: Mapping[str, float] = field(default_factory=dict)
    ok: bool = False
    moved_by: Mapping[str, str] = field(default_factory=dict)
    screened: Mapping[str, float] = field(default_factory=dict)

    @property
    def share(self) -> float:
        """Share of the stage's patterns passed (NaN for a stage of targets only)."""
        return self.passed / self.patterns if self.patterns else math.nan


def stage_verdict(
    stage: Stage,
    *,
    passed: int,
    targets: Mapping[str, float],
    ignoring: frozenset[str] = frozenset(),
) -> bool:
    """Whether a point passes a stage.

    Args:
        stage: The stage.
        passed: How many of the stage's patterns the point passes.
        targets: Each target's value by name (NaN when undefined).
        ignoring: Targets left out of the verdict (those still to be measured again).

    Returns:
        True if ``passed >= stage.required`` and every target's value lies within its
        bounds (ends included).
    """
    if passed < stage.required:
        return False
    for target in stage.targets:
        if target.name in ignoring:
            continue
        value = targets.get(target.name, math.nan)
        if not (math.isfinite(value) and target.low <= value <= target.high):
            return False
    return True


#: Decimal places a difference of two means keeps. Means of a few hundred runs differ by
#: far more than this; without it a gap of exactly 10 of 40 runs can read 0.25000000000000006
#: and fail a bound of 0.25, and two equal shifts compare unequal.
DIGITS = 12


def target_value(target: Target, means: Mapping[str, float]) -> tuple[float, str]:
    """A target's value from its arms' means, and what moved it most (``perturb`` only).

    Args:
        target: The target.
        means: The output's mean in each of the target's settings at a point: ``"arm"``,
            ``"versus"``, and one per move of a rate (``"<rate> x0.8"``, ...).

    Returns:
        The mean in ``arm``; minus the mean in ``versus`` for a ``versus`` target; for a
        ``perturb`` target, the largest absolute shift from the mean in ``arm`` and the
        move that made it (``""`` if no rate could move). NaN when a mean it needs is.
    """
    value = means["arm"]
    if target.versus is not None:
        return round(value - means["versus"], DIGITS), ""
    if not target.perturb:
        return value, ""
    shifts = _shifts(means)
    if not shifts:
        return (0.0 if math.isfinite(value) else math.nan), ""
    if not all(math.isfinite(v) for v in shifts.values()):
        return math.nan, ""
    by = steepest(means, 1)[0]
    return shifts[by], by


def steepest(means: Mapping[str, float], moves: int) -> list[str]:
    """The ``moves`` moves of a rate that shift the mean in ``"arm"`` most, largest first.

    Args:
        means: The mean in ``"arm"`` and in each move's setting (as for ``target_value``).
        moves: How many to name (fewer if fewer moved).

    Returns:
        Their labels; of equal shifts the first in rate order comes first, and an
        undefined shift counts as the largest (it cannot be shown small).
    """
    shifts = _shifts(means)
    order = sorted(
        shifts, key=lambda label: -shifts[label] if math.isfinite(shifts[label]) else -math.inf
    )
    return order[:moves]


def _shifts(means: Mapping[str, float]) -> dict[str, float]:
    value = means["arm"]
    return {
        label: round(abs(mean - value), DIGITS) for label, mean in means.items() if label != "arm"
    }


def ranking(
    points: pd.DataFrame, factors: Sequence[Factor], *, passed: str, accepted: str = "accepted"
) -> list[int]:
    """The accepted points, best first: most patterns passed, then nearest their median.

    Distances are in each factor's calibration range, to the accepted points' median; ties
    go to the lower point number.

    Args:
        points: One row per point: ``point``, each factor, ``passed`` and ``accepted``.
        factors: The factors (their calibration ranges scale the distances).
        passed: Column of patterns passed in the plan's ``ranking_stage``.
        accepted: Column saying whether the point was accepted.

    Returns:
        The accepted points' numbers, best first (empty if none was accepted).
    """
    chosen = points.loc[points[accepted].fillna(False).astype(bool)]
    if chosen.empty:
        return []
    scaled = np.column_stack(
        [(chosen[f.name].to_numpy(float) - f.low) / (f.high - f.low) for f in factors]
    )
    median = np.median(scaled, axis=0)
    distance = np.sqrt(((scaled - median) ** 2).sum(axis=1))
    order = pd.DataFrame(
        {
            "point": chosen["point"].to_numpy(),
            "passed": chosen[passed].fillna(0).to_numpy(float),
            "distance": distance,
        }
    )
    order = order.sort_values(
        ["passed", "distance", "point"], ascending=[False, True, True], kind="mergesort"
    )
    return [int(point) for point in order["point"]]


def recommend(
    points: pd.DataFrame, factors: Sequence[Factor], *, passed: str, accepted: str = "accepted"
) -> int | None:
    """The recommended point: the first of ``ranking``, or None if no point was accepted."""
    order = ranking(points, factors, passed=passed, accepted=accepted)
    return order[0] if order else None


__all__ = [
    "DIGITS",
    "StageScore",
    "at_alpha",
    "ranking",
    "recommend",
    "stage_verdict",
    "steepest",
    "target_value",
    "with_alpha",
]
