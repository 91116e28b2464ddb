"""How a sweep's design points are drawn and replicated: one checked set of options.

``Sampling`` declares every design option once, with its default, and checks them all
when it is made; ``make_design`` (``collabsim.sweeps.design``) and the sensitivity
studies then take it whole. ``sweep``, ``plan_sweep`` and ``run_study`` accept the
same options as keywords and build one.

Seeds: replicate ``r`` of every design point runs with the same seed (common random
numbers), ``replicate_seeds(master, replicates)[r]``, spawned from
``numpy.random.SeedSequence(master)``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from collabsim.checks import true_or_false, whole_number
from collabsim.params import python_value, suggest
from collabsim.sweeps.size import fewer_points

if TYPE_CHECKING:
    from collabsim.sweeps.design import Factor


class SweepError(ValueError):
    """A sweep that cannot be run as asked: the message names the field, value and fix."""


#: Design names (besides a list of parameter dicts, an explicit design).
DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")

#: Largest number of design points a sweep accepts (a grid grows fast): the points are
#: held in memory and written to ``design.parquet``.
MAX_POINTS = 5_000_000

#: Largest number of replicates: their seeds are listed in the sweep's ``meta.json``.
MAX_REPLICATES = 100_000

#: The options only some designs use, and those designs (any other refuses a value but the
#: default).
DESIGN_OPTIONS = {"levels": ("grid",), "second_order": ("sobol",), "morris_levels": ("morris",)}

#: What ``n`` counts in each sampled design.
_N_MEANING = {
    "lhs": "number of points",
    "sobol": "base samples, a power of 2",
    "morris": "number of trajectories",
}


@dataclass(frozen=True)
class Sampling:
    """The design options of a sweep: which points, how many, how often each runs.

    NumPy scalars count as the Python values they hold. Every option is checked when a
    ``Sampling`` is made, including those its design does not use, so a mistake is
    never carried silently.

    Attributes:
        design: ``"grid"`` (full factorial), ``"lhs"`` (Latin hypercube), ``"sobol"``
            (Saltelli), ``"morris"``, or a list of parameter dicts, or a pandas table of
            one row per point (run exactly those; held as a tuple of dicts).
        n: Size of a sampled design: points (lhs), base samples, a power of 2 (sobol),
            trajectories (morris). Not given for a grid or an explicit design.
        levels: Grid only: evenly spaced values each range is split into.
        replicates: Runs per design point; replicate ``r`` uses the same seed at every
            point (common random numbers).
        seed: Master seed of the replicate seeds and of sampled designs (0 is a seed).
        second_order: Sobol' only: also sample for second-order indices.
        morris_levels: Morris only: levels of the Morris grid (even).
    """

    design: str | tuple[Mapping[str, Any], ...] = "grid"
    n: int | None = None
    levels: int = 5
    replicates: int = 1
    seed: int = 0
    second_order: bool = True
    morris_levels: int = 4

    def __post_init__(self) -> None:
        for option in dataclasses.fields(self):
            object.__setattr__(self, option.name, python_value(getattr(self, option.name)))
        design, n = self.design, self.n
        if hasattr(design, "to_dict") and hasattr(design, "columns"):  # a pandas table
            design = design.to_dict("records")
        if not isinstance(design, str):
            if (
                isinstance(design, (bytes, Mapping))
                or not isinstance(design, Sequence)
                or not design
            ):
                raise SweepError(
                    "an explicit design is a non-empty list of parameter sets "
                    "(one dict or [[points]] table per design point)"
                )
            object.__setattr__(self, "design", tuple(design))
            if n is not None:
                raise SweepError(
                    f"n={n!r} is not allowed with an explicit design: its size is "
                    "the number of points given"
                )
        elif design not in DESIGNS:
            hint = suggest(design, (*DESIGNS, "explicit"))
            raise SweepError(
                f"design={design!r} is not a design; allowed: {', '.join(DESIGNS)} "
                "or a list of parameter sets" + (f"; {hint}" if hint else "")
            )
        elif design == "grid":
            if n is not None:
                raise SweepError(
                    f"n={n!r} is not allowed with design 'grid': its size comes from "
                    "the factors' levels (set levels to split ranges)"
                )
        elif n is None:
            raise SweepError(
                f"design {design!r} needs n, the size of the sample ({_N_MEANING[design]})"
            )
        else:
            whole_number("n", n, 2 if design == "morris" else 1, error=SweepError)
            if design == "sobol" and n & (n - 1):
                raise SweepError(
                    f"n={n} is not allowed with design 'sobol': expected a power of "
                    f"2 (e.g. {1 << (n.bit_length() - 1)} or {1 << n.bit_length()}), "
                    "which the Sobol' sequence needs to converge"
                )
        for option, designs in DESIGN_OPTIONS.items():
            value = getattr(self, option)
            if self.kind not in designs and value != self.__dataclass_fields__[option].default:
                raise SweepError(
                    f"{option}={value!r} is not allowed with "
                    + (f"design {self.kind!r}" if self.kind != "explicit" else "an explicit design")
                    + f": it is for design {' or '.join(repr(d) for d in designs)} only"
                )
        whole_number("levels", self.levels, 2, error=SweepError)
        whole_number("replicates", self.replicates, 1, MAX_REPLICATES, error=SweepError)
        whole_number("seed", self.seed, 0, error=SweepError)
        true_or_false("second_order", self.second_order, error=SweepError)
        whole_number("morris_levels", self.morris_levels, 2, error=SweepError)
        if self.morris_levels % 2:
            raise SweepError(
                f"morris_levels={self.morris_levels} is not allowed: expected an even "
                "number (Morris trajectories step half the grid)"
            )

    @property
    def kind(self) -> str:
        """The design's name: ``"explicit"`` for a list of points."""
        return self.design if isinstance(self.design, str) else "explicit"

    @property
    def options(self) -> dict[str, Any]:
        """The options that shape this kind of design, for provenance (``meta.json``)."""
        if self.kind == "grid":
            return {"levels": self.levels}
        if self.kind == "explicit":
            return {}
        shaping = {"n": self.n}
        if self.kind == "sobol":
            shaping["second_order"] = self.second_order
        elif self.kind == "morris":
            shaping["morris_levels"] = self.morris_levels
        return shaping

    def points(self, factors: Sequence[Factor]) -> int:
        """The number of points the design has over ``factors``, without making them.

        Returns:
            A grid's product of levels; ``n`` for ``lhs``; ``n * (2D + 2)``
            (``n * (D + 2)`` without second order) for ``sobol``; ``n * (D + 1)`` for
            ``morris``; the points given for an explicit design.

        Raises:
            SweepError: A sampled design without factors, or more than ``MAX_POINTS``.
        """
        kind, dimensions = self.kind, len(factors)
        if kind == "explicit":
            count = len(self.design)
        elif kind == "grid":
            count = math.prod(f.grid_count(self.levels) for f in factors)
        elif not dimensions:
            raise SweepError(f"design {kind!r} needs at least one factor to sample")
        elif kind == "lhs":
            count = self.n
        elif kind == "morris":
            count = self.n * (dimensions + 1)
        else:
            count = self.n * (2 * dimensions + 2 if self.second_order else dimensions + 2)
        if count > MAX_POINTS:
            raise SweepError(
                f"the design has {count:,} points, more than the {MAX_POINTS:,} "
                f"allowed: use {fewer_points(kind)}"
            )
        return count

    def seeds(self) -> list[int]:
        """The seed of each replicate (``replicate_seeds(seed, replicates)``)."""
        return replicate_seeds(self.seed, self.replicates)


def replicate_seeds(master: int, replicates: int) -> list[int]:
    """The seed of each replicate, the same at every design point (common random numbers).

    Replicate ``r``'s seed is the first 32-bit word of the state of child ``r`` of
    ``numpy.random.SeedSequence(master).spawn(replicates)``; adding replicates leaves
    the earlier replicates' seeds as they were.

    Args:
        master: The sweep's master seed (a whole number >= 0; 0 is a seed like any other).
        replicates: Runs per design point (at least 1).

    Returns:
        ``replicates`` seeds, whole numbers from 0 to 2**32 - 1.
    """
    whole_number("seed", master, 0, error=SweepError)
    whole_number("replicates", replicates, 1, MAX_REPLICATES, error=SweepError)
    children = np.random.SeedSequence(master).spawn(replicates)
    return [int(child.generate_state(1, np.uint32)[0]) for child in children]


__all__ = [
    "DESIGNS",
    "MAX_POINTS",
    "MAX_REPLICATES",
    "Sampling",
    "SweepError",
    "replicate_seeds",
]
