"""Experimental designs: which parameter sets a sweep runs.

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

The options (design, size, levels, replicates, seed) are a ``Sampling``, checked once
(``collabsim.sweeps.sampling``, which also makes the replicates' seeds). Sampled designs
draw their points from ``numpy.random.default_rng(seed)``, a stream separate from the
seeds' spawned children.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collabsim.params import PARAMETERS, ParameterError, declaration, python_value
from collabsim.sweeps.sampling import Sampling, SweepError

#: Parameter kinds that can vary across design points.
FACTOR_KINDS: tuple[str, ...] = ("float", "int", "bool", "choice")


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
        spec: A list of levels (or a ``range``, a 1-D NumPy array or a pandas Series of
            them); a ``(low, high)`` tuple; a mapping with optional ``low`` and ``high``;
            or ``None`` for the parameter's whole allowed range.

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
    if isinstance(spec, range) or (hasattr(spec, "tolist") and getattr(spec, "ndim", 0) == 1):
        spec = list(spec) if isinstance(spec, range) else spec.tolist()  # np.linspace, a Series
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
            "(a factor must vary: to hold it at one value, take it out of the factors)"
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
            f"{param.expected()}"
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


def salib_problem(factors: Sequence[Factor | str] | Mapping[str, Any]) -> dict[str, Any]:
    """The SALib problem of a set of factors, in the coordinates sampled designs use.

    A continuous range keeps its ends; an ``int`` range becomes ``[low, high + 1]``
    (floored to a whole number); a discrete factor becomes ``[0, 1]`` (mapped to its
    levels by index). Analyse a sweep's outputs against this problem and the design's
    ``sample`` matrix.

    Args:
        factors: The factors, in order: ``Factor``s, parameter names (each over its
            declared range), or a sweep's ``{name: spec}`` (``make_factors``).

    Returns:
        ``{"num_vars": D, "names": [...], "bounds": [[low, high], ...]}``.
    """
    factors = _as_factors(factors)
    bounds = []
    for factor in factors:
        if not factor.is_range:
            bounds.append([0.0, 1.0])
        elif factor.kind == "int":
            bounds.append([float(factor.low), float(factor.high) + 1.0])
        else:
            bounds.append([float(factor.low), float(factor.high)])
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": bounds}


def salib_points(factors: Sequence[Factor | str] | Mapping[str, Any], sample: Any) -> pd.DataFrame:
    """The parameter values of a SALib sample drawn in ``salib_problem(factors)`` bounds.

    For a sample of one's own, from any SALib sampler: the rows, decoded as collabsim's
    sampled designs decode theirs (``DECODING``), are an explicit design
    (``collabsim.sweep(design=salib_points(names, X), ...)``).

    Args:
        factors: As for ``salib_problem``.
        sample: The sample: one row per point, one column per factor, in their order.

    Returns:
        One row per point, one column per factor, each of its parameter's type.

    Raises:
        SweepError: A sample that is not a table of numbers with a column per factor.
    """
    factors = _as_factors(factors)
    try:
        sample = np.asarray(sample, dtype=float)
    except (TypeError, ValueError):
        raise SweepError("sample is not allowed: expected a table of numbers") from None
    if sample.ndim != 2 or sample.shape[1] != len(factors):
        raise SweepError(
            f"sample of shape {sample.shape} is not allowed: expected one column per factor "
            f"({len(factors)}: {', '.join(f.name for f in factors)}), one row per point"
        )
    bounds = salib_problem(factors)["bounds"]
    for j, (factor, (low, high)) in enumerate(zip(factors, bounds, strict=True)):
        outside = ~((sample[:, j] >= low) & (sample[:, j] <= high))  # NaN is outside too
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            raise SweepError(
                f"sample row {row}, column {j} ({factor.name}) = {sample[row, j]!r} is not "
                f"allowed: expected a number from {low:g} to {high:g}, its salib_problem bounds"
            )
    points = pd.DataFrame({f.name: f.from_unit(sample[:, j]) for j, f in enumerate(factors)})
    return _typed(points, factors)


def _as_factors(factors: Sequence[Factor | str] | Mapping[str, Any]) -> tuple[Factor, ...]:
    """``Factor``s from what ``salib_problem`` takes."""
    if isinstance(factors, Mapping):
        return make_factors(factors)
    return tuple(f if isinstance(f, Factor) else make_factor(f, None) for f in factors)


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


def make_design(factors: Sequence[Factor], sampling: Sampling) -> Design:
    """The design points of a sweep.

    Args:
        factors: The factors (see ``make_factors``); ignored for an explicit design,
            whose factors are the parameters its points set.
        sampling: The design and its options (checked when it was made); sampled designs
            draw from ``numpy.random.default_rng(sampling.seed)``.

    Returns:
        The design.

    Raises:
        SweepError: A sampled design without factors, or too many points.
        ParameterError: A point of an explicit design that is not allowed.
    """
    if sampling.kind == "explicit":
        return _explicit(sampling.design)
    factors = tuple(factors)
    sampling.points(factors)  # refuses a design too large before it is made
    if sampling.kind == "grid":
        return _grid(factors, sampling.levels)
    problem = salib_problem(factors)
    rng = np.random.default_rng(sampling.seed)
    n = sampling.n
    if sampling.kind == "lhs":
        from SALib.sample import latin

        sample = latin.sample(problem, n, seed=rng)
    elif sampling.kind == "sobol":
        from SALib.sample import sobol

        sample = sobol.sample(problem, n, calc_second_order=sampling.second_order, seed=rng)
    else:
        from SALib.sample import morris

        sample = morris.sample(problem, n, num_levels=sampling.morris_levels, seed=rng)
    return Design(
        sampling.kind,
        factors,
        salib_points(factors, sample),
        np.asarray(sample, dtype=float),
        sampling.options,
    )


def _grid(factors: tuple[Factor, ...], levels: int) -> Design:
    values = [f.grid_values(levels) for f in factors]
    rows = list(itertools.product(*values))
    points = pd.DataFrame(rows, columns=[f.name for f in factors], index=range(len(rows)))
    return Design("grid", factors, _typed(points, factors), None, {"levels": levels})


def _explicit(rows: Sequence[Mapping[str, Any]]) -> Design:
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
