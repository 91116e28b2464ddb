"""A calibration stage's quantitative targets: a mean, a gap between settings, a steepness.

A ``Target`` reads one summary output's mean over a stage's seeds, in one setting (an
``Arm``); with ``versus``, minus its mean in a second setting; with ``perturb``, the
largest shift of that mean when any one calibrated rate is moved by a share of its value
either way (``perturbed``). A point meets the target when the value lies within bounds
(``collabsim.calibration.scoring.target_value`` computes it from the runs).

The largest of many shifts, each estimated on a few dozen seeds, is biased upwards by the
noise of the estimates: with forty-odd moves, one of them shifts the mean by chance alone
about two standard errors further than it truly does. A ``Recheck`` removes that bias by
splitting the sample: the stage's seeds only choose the moves that shifted the mean most,
and those are measured again, with the arm itself, on seeds the choice has not seen.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collabsim.calibration.errors import CalibrationError
from collabsim.checks import fraction, not_whole_number, one_of, plain_fields
from collabsim.metrics import SUMMARY
from collabsim.params import declaration
from collabsim.sweeps.sampling import MAX_REPLICATES
from collabsim.validation.spec import Arm

#: What a stage's or a target's name must look like (it names columns of the results).
SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Recheck:
    """How a steepness target measures its steepest moves again, on seeds of their own.

    Args:
        moves: How many moves, those that shifted the mean most on the stage's seeds, are
            measured again.
        seeds: Seeds per setting of the second measurement (the arm and each move).
        seed: Master seed of those seeds: not the stage's own, so that the moves are
            measured on seeds that did not choose them.

    Raises:
        CalibrationError: A value that is not a whole number in its range.
    """

    moves: int
    seeds: int
    seed: int

    def __post_init__(self) -> None:
        plain_fields(self)
        for name, smallest, largest in (
            ("moves", 1, None),
            ("seeds", 2, MAX_REPLICATES),
            ("seed", 0, None),
        ):
            if (reason := not_whole_number(getattr(self, name), smallest, largest)) is not None:
                raise CalibrationError(f"recheck: {name}={reason}")

    def describe(self) -> str:
        """The second measurement in words, after the target's ``describe``."""
        moves = "move" if self.moves == 1 else f"{self.moves} moves"
        return (
            f"the shifts are those of the {moves} that shifted it most on the stage's seeds, "
            f"measured again on {self.seeds:,} seeds of master seed {self.seed}"
        )


@dataclass(frozen=True)
class Target:
    """A quantitative target: a value read from an output's mean must lie within bounds.

    The value is the mean of ``output`` over the stage's seeds in ``arm``; with
    ``versus``, that mean minus the mean in ``versus`` (a gap between two settings); with
    ``perturb``, the largest shift of the mean in ``arm`` when any one of the calibrated
    rates is moved by that share of its value either way (``perturbed``): how steep the
    output is in the rates around the point.

    Args:
        arm: The setting to run (each point's rates replace the arm's values).
        output: A summary output (``collabsim.metrics.SUMMARY``); true/false outputs
            count as 1/0, so their mean is a share of runs.
        low: Lowest value allowed.
        high: Highest value allowed.
        name: The target's name in the results table (default: ``output``, with
            ``_gap`` after it for a ``versus`` target and ``_shift`` for a ``perturb``
            one).
        versus: A second setting whose mean is subtracted.
        perturb: Share by which each rate is moved, between 0 and 1 (exclusive).
        recheck: For ``perturb``: measure the steepest moves again on seeds of their own
            (``Recheck``), so that the value is not biased upwards by taking the largest of
            many noisy shifts.

    Raises:
        CalibrationError: An unknown output, bounds that are not numbers or not in order,
            a name that is not snake_case, ``versus`` and ``perturb`` together, or
            ``recheck`` without ``perturb``.
    """

    arm: Arm
    output: str
    low: float
    high: float
    name: str = ""
    versus: Arm | None = None
    perturb: float | None = None
    recheck: Recheck | None = None

    def __post_init__(self) -> None:
        plain_fields(self)
        for which, arm in self.arms().items():
            if not isinstance(arm, Arm):
                raise CalibrationError(
                    f"{which}={arm!r} is not allowed: expected an Arm (scenario, params, steps)"
                )
        one_of(
            "output", self.output, tuple(SUMMARY), what="a summary output", error=CalibrationError
        )
        for end in ("low", "high"):
            value = getattr(self, end)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise CalibrationError(f"{end}={value!r} is not allowed: expected a finite number")
            object.__setattr__(self, end, float(value))
        if self.low > self.high:
            raise CalibrationError(
                f"low={self.low:g} and high={self.high:g} are not allowed: "
                "low must not be above high"
            )
        if self.perturb is not None:
            perturb = fraction("perturb", self.perturb, example=0.2, error=CalibrationError)
            if self.versus is not None:
                raise CalibrationError(
                    "versus and perturb are not allowed together: a target is a gap between "
                    "two settings or the steepness of one, not both"
                )
            if self.low < 0:
                raise CalibrationError(
                    f"low={self.low:g} is not allowed with perturb: the value is the size of "
                    "a shift, never below 0"
                )
            object.__setattr__(self, "perturb", perturb)
        if self.recheck is not None:
            if not isinstance(self.recheck, Recheck):
                raise CalibrationError(
                    f"recheck={self.recheck!r} is not allowed: expected a Recheck "
                    "(moves, seeds, seed)"
                )
            if self.perturb is None:
                raise CalibrationError(
                    "recheck is not allowed without perturb: only a steepness has moves to "
                    "measure again"
                )
        if self.versus == self.arm:
            raise CalibrationError(
                "versus is the same setting as arm: the gap would always be 0; give "
                "versus another setting"
            )
        kind = "_gap" if self.versus is not None else "_shift" if self.perturb else ""
        name = self.name or self.output + kind
        if not isinstance(name, str) or not SNAKE_CASE.fullmatch(name):
            raise CalibrationError(f"name={name!r} is not allowed: expected a snake_case name")
        object.__setattr__(self, "name", name)

    def arms(self) -> dict[str, Arm]:
        """The settings the target names: ``arm`` and, if given, ``versus``."""
        return {"arm": self.arm} | ({} if self.versus is None else {"versus": self.versus})

    @property
    def by_column(self) -> str | None:
        """For ``perturb``, the column naming the move that shifted most: ``<name>_by``."""
        return f"{self.name}_by" if self.perturb else None

    @property
    def screen_column(self) -> str | None:
        """For ``recheck``, the column of the largest shift on the stage's own seeds."""
        return f"{self.name}_screen" if self.recheck else None

    @property
    def columns(self) -> tuple[str, ...]:
        """Its columns in a stage's results: its name, ``by_column`` and ``screen_column``."""
        return tuple(c for c in (self.name, self.by_column, self.screen_column) if c)

    def record(self) -> dict[str, Any]:
        """The target as plain data (for ``meta.json``)."""

        def setting(arm: Arm | None) -> dict[str, Any] | None:
            if arm is None:
                return None
            return {"scenario": arm.scenario, "params": dict(arm.params), "steps": arm.steps}

        return {
            "name": self.name,
            "output": self.output,
            "low": self.low,
            "high": self.high,
            "arm": setting(self.arm),
            "versus": setting(self.versus),
            "perturb": self.perturb,
            "recheck": None if self.recheck is None else dataclasses.asdict(self.recheck),
        }

    def describe(self) -> str:
        """The target in words: ``the mean of `sustained` in `iocn` ... lies within [0.3, 0.7]``."""
        mean = f"the mean of `{self.output}` in {self.arm.describe()}"
        if self.versus is not None:
            mean += f" minus that in {self.versus.describe()}"
        elif self.perturb:
            mean = (
                f"the largest shift of {mean} when any one calibrated rate is moved by "
                f"{self.perturb:.0%} of its value either way (within its declared range)"
            )
        bounds = f"{mean} lies within [{self.low:g}, {self.high:g}]"
        return bounds if self.recheck is None else f"{bounds}; {self.recheck.describe()}"


def perturbed(values: Mapping[str, Any], share: float) -> dict[str, dict[str, Any]]:
    """Each rate moved by ``share`` of its value down and up, one at a time.

    Args:
        values: Rate values by parameter name (a calibration point's).
        share: How far to move each (0.2: to x0.8 and x1.2).

    Returns:
        ``{"<rate> x0.8": values with that rate moved, ...}``, each move kept within the
        rate's declared range (a whole number rounded for an ``int`` rate); a move that
        the range or the rounding leaves where it was is left out. A move is a share of
        the value, as the checks of ``docs/odd.md`` 9.4 move the defaults: a rate at 0
        is not moved, and a log-odds rate near 0 hardly.
    """
    moved = {}
    for name, value in values.items():
        declared = declaration(name)
        for scale in (1 - share, 1 + share):
            new = min(declared.high, max(declared.low, value * scale))
            new = round(new) if declared.kind == "int" else new
            if new != value:
                moved[f"{name} x{scale:g}"] = {**values, name: new}
    return moved


__all__ = ["SNAKE_CASE", "Recheck", "Target", "perturbed"]
