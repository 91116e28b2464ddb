"""Experimental designs: which parameter sets a sweep runs, and with which seeds.

A *factor* is a parameter that varies across the design, named by its declaration in
``collabsim.params``. It is given either as **levels** (a list of values) or as a
**range** (``(low, high)``, or ``{"low": ..., "high": ...}`` with either end optional);
a range's ends default to the parameter's allowed range, so ``None`` (Python) or ``{}``
(TOML) means "everything allowed". Only number, true/false and choice parameters can be
factors; a true/false or choice parameter given as a range means all its values.

Designs (``make_design``):

- ``"grid"``: the full factorial over every factor's levels; a range is split into
  ``levels`` evenly spaced values (whole numbers for ``int`` parameters).
- ``"lhs"``: a Latin hypercube of ``n`` points (SALib ``latin``).
- ``"sobol"``: Saltelli's extension of the Sobol' sequence (SALib ``sobol``), ``n``
  base samples (a power of 2): ``n * (2D + 2)`` points for ``D`` factors with second
  order indices, ``n * (D + 2)`` without.
- ``"morris"``: ``n`` Morris trajectories (SALib ``morris``), ``n * (D + 1)`` points.
- a list of parameter dicts: exactly those points (``"explicit"``).

Sampled designs draw every factor on the SALib problem of ``salib_problem``: a
continuous range on its own ends; a discrete factor (levels, true/false, choice) on
[0, 1], mapped to level ``floor(u * k)`` of its ``k`` levels; an ``int`` range on
``[low, high + 1)``, floored, so that every whole number is equally likely (rounding
would give the two end values half the weight of the others).

Seeds: replicate ``r`` of every design point runs with the same seed (common random
numbers), ``replicate_seeds(master, replicates)[r]``, spawned from
``numpy.random.SeedSequence(master)``. Sampled designs draw their points from
``numpy.random.default_rng(master)``, a stream separate from the spawned children.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collabsim.params import PARAMETERS, ParameterError, declaration, python_value, suggest
from collabsim.sweeps.size import fewer_points

#: Design names accepted by ``make_design`` (besides a list of parameter dicts).
DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")

#: Parameter kinds that can vary across design points.
FACTOR_KINDS: tuple[str, ...] = ("float", "int", "bool", "choice")

#: Largest number of design points a sweep accepts (a grid grows fast): the points are
#: held in memory and written to ``design.parquet``.
MAX_POINTS = 5_000_000

#: Largest number of replicates: their seeds are listed in the sweep's ``meta.json``.
MAX_REPLICATES = 100_000


class SweepError(ValueError):
    """A sweep that cannot be run as asked: the message names the field, value and fix."""


@dataclass(frozen=True)
class Factor:
    """One parameter that varies across a design.

    Args:
        name: The parameter's name (see ``collabsim.PARAMETERS``).
        kind: The parameter's kind: ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``.
        levels: The values it takes, for a discrete factor; empty for a range.
        low: Lower end of a range (``None`` for a discrete factor).
        high: Upper end of a range (``None`` for a discrete factor).
    """

    name: str
    kind: str
    levels: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        """Whether the factor is a numeric range rather than a list of levels."""
        return not self.levels

    def grid_count(self, count: int) -> int:
        """How many values ``grid_values(count)`` gives, without making them."""
        if not self.is_range:
            return len(self.levels)
        if self.kind == "int":  # spacing below 1 reaches every whole number in the range
            return min(count, int(self.high) - int(self.low) + 1)
        return count

    def grid_values(self, count: int) -> tuple[Any, ...]:
        """The values a grid takes: the levels, or ``count`` evenly spaced range values."""
        if not self.is_range:
            return self.levels
        values = np.linspace(self.low, self.high, count)
        if self.kind == "int":
            return tuple(dict.fromkeys(int(round(v)) for v in values))
        return tuple(dict.fromkeys(float(round(v, 12)) for v in values))

    def from_unit(self, x: np.ndarray) -> list[Any]:
        """Map a column of the SALib sample (in ``salib_problem`` bounds) to values.

        The rule for each form of factor is written out in ``DECODING``.
        """
        if not self.is_range:
            k = len(self.levels)
            index = np.minimum(np.floor(x * k).astype(np.int64), k - 1)
            return [self.levels[i] for i in index]
        if self.kind == "int":
            return [int(v) for v in np.minimum(np.floor(x), self.high).astype(np.int64)]
        return [float(v) for v in x]

    def to_dict(self) -> dict[str, Any]:
        """The factor as plain data (for ``meta.json``)."""
        if self.is_range:
            return {"kind": self.kind, "low": self.low, "high": self.high}
        return {"kind": self.kind, "levels": list(self.levels)}


@dataclass(frozen=True)
class Design:
    """The design points of a sweep.

    Attributes:
        kind: ``"grid"``, ``"lhs"``, ``"sobol"``, ``"morris"`` or ``"explicit"``.
        factors: The factors, in column order.
        points: One row per design point (row ``i`` is point ``i``), one column per
            factor, holding the parameter values.
        sample: For sampled designs, the SALib sample matrix the points came from (one
            row per point, in ``salib_problem(factors)`` coordinates); else ``None``.
        options: The options that made it (``n``, ``levels``, ``second_order``,
            ``morris_levels``), for provenance.
    """

    kind: str
    factors: tuple[Factor, ...]
    points: pd.DataFrame
    sample: np.ndarray | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.points)

    def describe(self) -> dict[str, Any]:
        """The design as plain data: kind, options, factors and size (for ``meta.json``)."""
        return {
            "kind": self.kind,
            **self.options,
            "points": len(self),
            "factors": {f.name: f.to_dict() for f in self.factors},
        }


# --- factors -------------------------------------------------------------------------


def make_factor(name: str, spec: Any) -> Factor:
    """Build one factor from its spec, checking it against the parameter's declaration.

    Args:
        name: A parameter name.
        spec: A list of levels; a ``(low, high)`` tuple; a mapping with optional
            ``low`` and ``high``; or ``None`` for the parameter's whole allowed range.

    Returns:
        The factor, with values in canonical form.

    Raises:
        ParameterError: Unknown name, a parameter that cannot vary, a value outside
            what is allowed, or a badly formed spec.
    """
    param = declaration(name)
    if param.kind not in FACTOR_KINDS:
        raise ParameterError(
            f"{name} cannot be a sweep factor: only numbers, true/false and choices can "
            f"vary across design points; set {name} in the scenario or the fixed parameters"
        )
    if isinstance(spec, list):
        if not spec:
            raise ParameterError(f"{name}: the list of levels is empty; give at least one value")
        levels = tuple(_level(param, value) for value in spec)
        repeated = [v for i, v in enumerate(levels) if v in levels[:i]]
        if repeated:
            raise ParameterError(f"{name}: level {repeated[0]!r} is given twice")
        return Factor(name, param.kind, levels=levels)
    if param.kind in ("bool", "choice"):
        if spec is None or (isinstance(spec, Mapping) and not spec):
            values = (True, False) if param.kind == "bool" else param.choices
            return Factor(name, param.kind, levels=values)
        raise ParameterError(
            f"{name} takes {param.allowed()}, not a range: give its levels as a list, e.g. "
            + ("[true, false]" if param.kind == "bool" else f"{list(param.choices)!r}")
        )
    low, high = _range(name, spec)
    low = param.low if low is None else _bound(param, "low", low)
    high = param.high if high is None else _bound(param, "high", high)
    if not low < high:
        raise ParameterError(
            f"{name}: low={low!r} and high={high!r} are not allowed: low must be below high "
            "(give one value as a list of one level instead)"
        )
    return Factor(name, param.kind, low=low, high=high)


def make_factors(specs: Mapping[str, Any] | None) -> tuple[Factor, ...]:
    """Build the factors of a sweep from ``{name: spec}`` (see ``make_factor``)."""
    if specs is None:
        return ()
    if not isinstance(specs, Mapping):
        raise ParameterError(
            f"factors must be a mapping of parameter name to levels or range, got {specs!r}"
        )
    return tuple(make_factor(name, spec) for name, spec in specs.items())


def _level(param, value: Any) -> Any:
    try:
        return param.validate(value)
    except ParameterError as error:
        raise ParameterError(f"level {error}") from None


def _bound(param, end: str, value: Any) -> float | int:
    value = python_value(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"{param.name}: {end}={value!r} is not a number")
    try:
        return param.validate(value)
    except ParameterError:
        raise ParameterError(
            f"{param.name}: {end}={value!r} is outside the allowed range: expected "
            f"{param.allowed()}" + (f" ({param.unit})" if param.unit else "")
        ) from None


def _range(name: str, spec: Any) -> tuple[Any, Any]:
    if spec is None:
        return None, None
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise ParameterError(f"{name}: a range is (low, high), got {spec!r}")
        return spec
    if isinstance(spec, Mapping):
        extra = set(spec) - {"low", "high"}
        if extra:
            raise ParameterError(
                f"{name}: unknown key {sorted(extra)[0]!r} in range; allowed: low, high"
            )
        return spec.get("low"), spec.get("high")
    raise ParameterError(
        f"{name}={spec!r} is not a factor: give a list of levels or a range "
        "(low, high) / {low = ..., high = ...}"
    )


# --- the SALib problem ---------------------------------------------------------------


def salib_problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """The SALib problem of a set of factors, in the coordinates sampled designs use.

    A continuous range keeps its ends; an ``int`` range becomes ``[low, high + 1]``
    (floored to a whole number); a discrete factor becomes ``[0, 1]`` (mapped to its
    levels by index). Analyse a sweep's outputs against this problem and the design's
    ``sample`` matrix.

    Args:
        factors: The factors, in order.

    Returns:
        ``{"num_vars": D, "names": [...], "bounds": [[low, high], ...]}``.
    """
    bounds = []
    for factor in factors:
        if not factor.is_range:
            bounds.append([0.0, 1.0])
        elif factor.kind == "int":
            bounds.append([float(factor.low), float(factor.high) + 1.0])
        else:
            bounds.append([float(factor.low), float(factor.high)])
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": bounds}


#: How a value ``x`` of a factor's column of the SALib sample becomes the factor's value,
#: as Python expressions (``floor`` is ``math.floor``): what ``Factor.from_unit`` does, by
#: the form of the factor, written out for ``salib_encoding``.
DECODING: dict[str, str] = {
    "levels": "levels[min(floor(x * len(levels)), len(levels) - 1)]",
    "whole numbers": "min(floor(x), high)",
    "range": "x",
}


def salib_encoding(factors: Sequence[Factor]) -> dict[str, dict[str, Any]]:
    """How each factor's column of a sample in ``salib_problem`` bounds gives its values.

    A sample value of 0.857 for ``academic_partner`` means ``false`` (the second of its
    levels ``[true, false]``): this is what says so, beside the SALib problem.

    Args:
        factors: The factors, in order.

    Returns:
        By factor name: its parameter ``kind``, ``levels`` (discrete factors) or ``low``
        and ``high`` (ranges), and ``decode``, the expression of ``DECODING`` that maps
        a sample value ``x`` to the factor's value.
    """
    encoding = {}
    for factor in factors:
        if not factor.is_range:
            encoding[factor.name] = {
                "kind": factor.kind,
                "levels": list(factor.levels),
                "decode": DECODING["levels"],
            }
        else:
            form = "whole numbers" if factor.kind == "int" else "range"
            encoding[factor.name] = {
                "kind": factor.kind,
                "low": factor.low,
                "high": factor.high,
                "decode": DECODING[form],
            }
    return encoding


# --- designs -------------------------------------------------------------------------


def make_design(
    factors: Sequence[Factor],
    design: str | Sequence[Mapping[str, Any]] = "grid",
    *,
    n: int | None = None,
    levels: int = 5,
    seed: int = 0,
    second_order: bool = True,
    morris_levels: int = 4,
) -> Design:
    """The design points of a sweep.

    Args:
        factors: The factors (see ``make_factors``); ignored for an explicit design,
            whose factors are the parameters its points set.
        design: ``"grid"``, ``"lhs"``, ``"sobol"``, ``"morris"``, or a list of
            parameter dicts (an explicit design).
        n: Size of a sampled design: points (``lhs``), base samples (``sobol``, a
            power of 2) or trajectories (``morris``). Only for sampled designs.
        levels: Values a grid takes along each range (at least 2).
        seed: Master seed; sampled designs draw from ``numpy.random.default_rng(seed)``.
        second_order: Sobol' only: sample for second-order indices too.
        morris_levels: Morris only: the number of grid levels (even, at least 2).

    Returns:
        The design.

    Raises:
        SweepError: A design name, size or option that is not allowed.
        ParameterError: A point of an explicit design that is not allowed.
    """
    _check_seed(seed)
    if not isinstance(design, str):
        if n is not None:
            raise SweepError(
                f"n={n!r} is not allowed with an explicit design: its size is "
                "the number of points given"
            )
        return _explicit(design)
    factors = tuple(factors)
    check_points(
        design_size(factors, design, n=n, levels=levels, second_order=second_order), design
    )
    if design == "grid":
        return _grid(factors, levels)
    problem = salib_problem(factors)
    rng = np.random.default_rng(seed)
    options: dict[str, Any] = {"n": n}
    if design == "lhs":
        from SALib.sample import latin

        sample = latin.sample(problem, n, seed=rng)
    elif design == "sobol":
        from SALib.sample import sobol

        sample = sobol.sample(problem, n, calc_second_order=second_order, seed=rng)
        options["second_order"] = second_order
    else:
        _check_whole(morris_levels, "morris_levels", 2)
        if morris_levels % 2:
            raise SweepError(
                f"morris_levels={morris_levels} is not allowed: expected an even "
                "number (Morris trajectories step half the grid)"
            )
        from SALib.sample import morris

        sample = morris.sample(problem, n, num_levels=morris_levels, seed=rng)
        options["morris_levels"] = morris_levels
    points = pd.DataFrame({f.name: f.from_unit(sample[:, j]) for j, f in enumerate(factors)})
    return Design(
        design, factors, _typed(points, factors), np.asarray(sample, dtype=float), options
    )


def design_size(
    factors: Sequence[Factor],
    design: str | Sequence[Any],
    *,
    n: int | None = None,
    levels: int = 5,
    second_order: bool = True,
) -> int:
    """The number of points ``make_design`` makes, worked out without making them.

    Checks the options the size depends on, as ``make_design`` does (same messages).

    Args:
        factors: The factors (ignored for an explicit design).
        design: A design name, or the list of points of an explicit design.
        n: Size of a sampled design.
        levels: Grid only: values each range is split into.
        second_order: Sobol' only: whether second-order indices are sampled for.

    Returns:
        Design points: a grid's product of levels; ``n`` for ``lhs``;
        ``n * (2D + 2)`` (``n * (D + 2)`` without second order) for ``sobol``;
        ``n * (D + 1)`` for ``morris``; the points given for an explicit design.
    """
    if not isinstance(design, str):
        return len(design) if isinstance(design, Sequence) else 0
    if design not in DESIGNS:
        hint = suggest(design, (*DESIGNS, "explicit"))
        raise SweepError(
            f"design={design!r} is not a design; allowed: {', '.join(DESIGNS)} "
            "or a list of parameter sets" + (f"; {hint}" if hint else "")
        )
    if design == "grid":
        if n is not None:
            raise SweepError(
                f"n={n!r} is not allowed with design 'grid': its size comes from "
                "the factors' levels (set levels to split ranges)"
            )
        _check_whole(levels, "levels", 2)
        return math.prod(f.grid_count(levels) for f in factors)
    if n is None:
        raise SweepError(
            f"design {design!r} needs n, the size of the sample ({_N_MEANING[design]})"
        )
    _check_whole(n, "n", 2 if design == "morris" else 1)
    if not factors:
        raise SweepError(f"design {design!r} needs at least one factor to sample")
    dimensions = len(factors)
    if design == "lhs":
        return n
    if design == "morris":
        return n * (dimensions + 1)
    if n & (n - 1):
        raise SweepError(
            f"n={n} is not allowed with design 'sobol': expected a power of "
            f"2 (e.g. {1 << (n.bit_length() - 1)} or {1 << n.bit_length()}), "
            "which the Sobol' sequence needs to converge"
        )
    if not isinstance(second_order, bool):
        raise SweepError(f"second_order={second_order!r} is not allowed: expected true or false")
    return n * (2 * dimensions + 2 if second_order else dimensions + 2)


_N_MEANING = {
    "lhs": "number of points",
    "sobol": "base samples, a power of 2",
    "morris": "number of trajectories",
}


def _grid(factors: tuple[Factor, ...], levels: int) -> Design:
    values = [f.grid_values(levels) for f in factors]
    rows = list(itertools.product(*values))
    points = pd.DataFrame(rows, columns=[f.name for f in factors], index=range(len(rows)))
    return Design("grid", factors, _typed(points, factors), None, {"levels": levels})


def _explicit(rows: Sequence[Mapping[str, Any]]) -> Design:
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence) or not rows:
        raise SweepError(
            "an explicit design is a non-empty list of parameter sets "
            "(one dict or [[points]] table per design point)"
        )
    names: dict[str, None] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise SweepError(f"design point {i}: expected a table of parameter values, got {row!r}")
        for name in row:
            names.setdefault(name, None)
    factors = []
    for name in names:
        param = declaration(name)
        if param.kind not in FACTOR_KINDS:
            raise ParameterError(
                f"design points: {name} cannot vary across design points; set it in the "
                "scenario or the fixed parameters"
            )
        factors.append(Factor(name, param.kind, levels=()))
    table: dict[str, list[Any]] = {name: [] for name in names}
    for i, row in enumerate(rows):
        for name in names:
            if name not in row:
                raise SweepError(
                    f"design point {i} does not set {name}: every point of an explicit design "
                    f"must set the same parameters ({', '.join(names)})"
                )
            try:
                table[name].append(PARAMETERS[name].validate(row[name]))
            except ParameterError as error:
                raise ParameterError(f"design point {i}: {error}") from None
    factors = [Factor(f.name, f.kind, levels=tuple(dict.fromkeys(table[f.name]))) for f in factors]
    points = pd.DataFrame(table, index=range(len(rows)))
    return Design("explicit", tuple(factors), _typed(points, factors), None, {})


def _typed(points: pd.DataFrame, factors: Sequence[Factor]) -> pd.DataFrame:
    """Give each column its parameter's type (a grid of 1 and 0.5 stays float)."""
    types = {"float": "float64", "int": "int64", "bool": "bool", "choice": "object"}
    return points.astype({f.name: types[f.kind] for f in factors}) if factors else points


def check_points(points: int, design: str | Sequence[Any]) -> None:
    """Refuse a design of more than ``MAX_POINTS`` points (found before it is made).

    Args:
        points: The design's points (``design_size``).
        design: A design name, or the list of points of an explicit design: the advice
            fits it.
    """
    if points > MAX_POINTS:
        kind = design if isinstance(design, str) else "explicit"
        raise SweepError(
            f"the design has {points:,} points, more than the {MAX_POINTS:,} "
            f"allowed: use {fewer_points(kind)}"
        )


def not_whole_number(value: Any, smallest: int, largest: int | None = None) -> str | None:
    """Why ``value`` is not a whole number from ``smallest`` (to ``largest``), or None if it is.

    The reason reads "<value> is not allowed: expected a whole number ...", for a refusal
    that names the setting before it; ``True`` and ``False`` are not whole numbers here.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < smallest
        or (largest is not None and value > largest)
    ):
        allowed = f">= {smallest}" if largest is None else f"from {smallest} to {largest:,}"
        return f"{value!r} is not allowed: expected a whole number {allowed}"
    return None


def _check_whole(value: Any, name: str, smallest: int, largest: int | None = None) -> None:
    if (reason := not_whole_number(value, smallest, largest)) is not None:
        raise SweepError(f"{name}={reason}")


def _check_seed(seed: Any) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SweepError(f"seed={seed!r} is not allowed: expected a whole number >= 0")


# --- seeds ---------------------------------------------------------------------------


def check_replicates(replicates: Any) -> None:
    """Refuse replicates that are not a whole number from 1 to ``MAX_REPLICATES``."""
    _check_whole(replicates, "replicates", 1, MAX_REPLICATES)


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
    _check_seed(master)
    check_replicates(replicates)
    children = np.random.SeedSequence(master).spawn(replicates)
    return [int(child.generate_state(1, np.uint32)[0]) for child in children]
