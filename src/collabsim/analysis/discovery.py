"""Scenario discovery: which combinations of levers make networks last.

PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999), looks for boxes in
the space of levers (a range for each number, a set of values for each category) in
which the cases of interest are concentrated::

    from collabsim.analysis import discovery
    runs = collabsim.sweep(scenario="iocn", factors={"cede_willingness": None,
                           "distributed_leadership": None, "network_type": ["place", "issue"]},
                           design="lhs", n=200, replicates=10).runs
    levers = ["cede_willingness", "distributed_leadership", "network_type"]
    table = discovery.cases_by_point(runs, levers, threshold=0.8)   # one row per point
    found = discovery.discover(table, levers)
    found.describe()       # the boxes in words, with their density and coverage
    found.trajectory       # the coverage-density trade-off, step by step
    found.box_at(step=10)  # another box on it

A box is judged by its *density* (the share of its rows that are cases) and its
*coverage* (the share of all cases that fall in it); its *mass* is the share of all rows
in it. Peeling trades coverage for density one small slice at a time; the box chosen is
the first one on the trajectory dense enough (``threshold_density``), then pasted
(widened while its density does not fall). Further boxes are found by covering: the
rows in the boxes found so far are set aside and the search starts again on the rest.

Coverage and density describe the sweep that was run. With few seeds per design point a
point can be a case by chance, and with many levers a box can restrict one by chance:
check a box on a fresh sweep (other seeds, points drawn in it) before relying on it.

The search itself, peeling and pasting over the levers as arrays, is in ``prim``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collabsim.analysis.prim import Limit, Search

#: Columns ``cases_by_point`` adds to the lever columns.
SHARE, SEEDS, CASE = "share", "seeds", "case"

#: Where ``cases_by_point`` leaves the words ``describe`` uses for its table.
_WORDING = "collabsim.discovery.wording"


@dataclass(frozen=True)
class Box:
    """A box in the space of levers, with how well it picks out the cases of interest.

    Attributes:
        limits: The restricted levers only, in the order the levers were given: a
            number's ``(low, high)``, both ends included, with ``-inf`` or ``inf`` for
            an end that is not restricted; a category's or boolean's allowed values.
        coverage: Share of all cases of interest that are in the box.
        density: Share of the rows in the box that are cases of interest.
        mass: Share of all rows that are in the box.
        cases: Cases of interest in the box.
        rows: Rows in the box.

    For the second and later boxes of a covering, ``cases`` and ``rows`` count only
    rows not in an earlier box (shares are still of the whole table), so the coverages
    of a discovery's boxes add up.
    """

    limits: dict[str, Limit]
    coverage: float
    density: float
    mass: float
    cases: int
    rows: int

    @property
    def restricted(self) -> int:
        """Number of levers the box restricts."""
        return len(self.limits)

    def contains(self, table: pd.DataFrame) -> pd.Series:
        """Which rows of ``table`` (with the box's lever columns) fall in the box."""
        inside = pd.Series(True, index=table.index)
        for lever, limit in self.limits.items():
            if isinstance(limit, frozenset):
                inside &= table[lever].isin(limit)
            else:
                inside &= table[lever].between(*limit)
        return inside

    def conditions(self) -> str:
        """The box's limits in words, e.g. ``"cede_willingness at least 0.5"``."""
        if not self.limits:
            return "any levers"
        return " and ".join(_condition(lever, limit) for lever, limit in self.limits.items())

    def describe(self, units: str = "rows", verb: str = "are cases of interest") -> str:
        """One line in words: the limits, then the density and coverage."""
        return (
            f"{self.conditions()}: {self.density:.0%} of such {units} {verb} (density), "
            f"covering {self.coverage:.0%} of all that {verb} (coverage)"
        )


@dataclass(frozen=True)
class Discovery:
    """What ``discover`` found.

    Attributes:
        boxes: The boxes found by covering, best first; empty if no box beats the base
            rate.
        trajectory: One row per peeling step of every box's search: ``box`` (from 1),
            ``step`` (0 is the whole table, or what was left of it), ``coverage``,
            ``density``, ``mass``, ``restricted`` (levers restricted) and ``chosen``
            (the step each box was taken from, before pasting). A last search whose box
            did not beat the base rate is here too.
        base_rate: Share of all rows that are cases of interest.
        levers: The lever columns searched.
        case: The column marking cases of interest.
        units: What a row is, in words (``describe``).
        verb: What a case of interest does, in words (``describe``).
    """

    boxes: list[Box]
    trajectory: pd.DataFrame
    base_rate: float
    levers: tuple[str, ...]
    case: str
    units: str
    verb: str
    _steps: dict[tuple[int, int], Box] = field(repr=False)
    _pasted: dict[tuple[int, int], Box] = field(repr=False)

    def describe(self, units: str | None = None, verb: str | None = None) -> list[str]:
        """The boxes in plain words, one line each, after a line with the base rate.

        Args:
            units: What a row is, e.g. ``"networks"``; default ``self.units``.
            verb: What a case of interest does, e.g. ``"last"``; default ``self.verb``.
        """
        units, verb = units or self.units, verb or self.verb
        lines = [f"Across all {units}, {self.base_rate:.0%} {verb} (base rate)."]
        if not self.boxes:
            lines.append(
                f"No combination of levers found where more {units} {verb} than across all of them."
            )
        for number, box in enumerate(self.boxes, start=1):
            lead = f"{number}. " + ("" if number == 1 else "Otherwise, ")
            lines.append(lead + box.describe(units, verb))
        return lines

    def box_at(self, step: int, box: int = 1, paste: bool = True) -> Box:
        """The box at one step of a search's peeling trajectory.

        Args:
            step: The step (the ``step`` column of ``trajectory``).
            box: Which search (the ``box`` column); later searches were run after the
                boxes chosen before them were set aside.
            paste: Widen the box as the boxes in ``boxes`` were; False gives the box
                exactly as on the trajectory.

        Raises:
            ValueError: A step or box not on the trajectory.
        """
        if (box, step) not in self._steps:
            steps = self.trajectory.loc[self.trajectory["box"] == box, "step"]
            allowed = (
                f"steps 0 to {steps.max()}"
                if len(steps)
                else f"boxes 1 to {self.trajectory['box'].max()}"
            )
            raise ValueError(
                f"box={_show(box)!r}, step={_show(step)!r} is not on the trajectory: "
                f"allowed are {allowed}"
            )
        return (self._pasted if paste else self._steps)[(box, step)]


def cases_by_point(
    runs: pd.DataFrame,
    levers: str | Sequence[str],
    outcome: str = "sustained",
    threshold: float = 0.8,
) -> pd.DataFrame:
    """One row per design point: the share of its runs with the outcome, and whether it is a case.

    Args:
        runs: One row per run, e.g. ``collabsim.sweep(...).runs``.
        levers: The columns whose values make a design point.
        outcome: A column of True/False (or 1/0) per run, e.g. ``"sustained"``.
        threshold: A design point is a case of interest if at least this share of its
            runs have the outcome.

    Returns:
        The lever columns, then ``share`` (runs with the outcome / runs), ``seeds``
        (runs at the point) and ``case`` (``share >= threshold``), sorted by the levers.

    Raises:
        ValueError: A missing column or value, an outcome that is not True/False, a
            failed run, or a threshold outside (0, 1].
    """
    levers = _check_columns(runs, levers, "levers")
    _check_columns(runs, [outcome], "outcome")
    _check_share("threshold", threshold, 1, top=True)
    failed = int((runs["status"] != "ok").sum()) if "status" in runs.columns else 0
    if failed:
        raise ValueError(
            f"runs: {failed} run(s) did not finish (status is not 'ok'), so "
            "they have no outcome; keep the finished runs with "
            "runs[runs['status'] == 'ok']"
        )
    flags = _flags(runs, outcome, "outcome")
    # observed: a categorical lever's levels that no run has make no point (pandas < 3
    # would otherwise make every combination of every lever's values)
    grouped = flags.groupby([runs[lever] for lever in levers], sort=True, observed=True)
    table = pd.DataFrame({SHARE: grouped.mean(), SEEDS: grouped.size()}).reset_index()
    table[CASE] = table[SHARE] >= threshold
    percent = np.format_float_positional(threshold * 100, precision=3, trim="-")
    table.attrs[_WORDING] = (CASE, "design points", f"have at least {percent}% of runs {outcome}")
    return table


def discover(
    table: pd.DataFrame,
    levers: str | Sequence[str],
    case: str = CASE,
    min_mass: float = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    threshold_density: float = 0.8,
    max_boxes: int = 3,
) -> Discovery:
    """Find boxes of levers where cases of interest are concentrated (PRIM with covering).

    Args:
        table: One row per design point (``cases_by_point``) or per run.
        levers: The columns to search: numbers (floats, integers) get a range,
            booleans and everything else (e.g. ``network_type``) a set of values.
        case: Column of True/False (or 1/0): the cases of interest.
        min_mass: Peeling stops before a box would hold less than this share of all rows.
        peel_alpha: Share of a box's rows each peeling step tries to cut off at one end
            of one number (at least one distinct value, so a lever on a grid loses a
            level at a time); a category loses one value at a time.
        paste_alpha: Share of a box's rows each pasting step tries to add back.
        threshold_density: A search takes the first box on its trajectory that
            restricts a lever and has at least this density; if none has, the densest.
        max_boxes: Most boxes to find by covering.

    Returns:
        The boxes, the peeling trajectory of every search, and the base rate. Covering
        stops early when a box's density does not beat the base rate of the whole table
        (that box is left out) or no case of interest is left.

    Raises:
        ValueError: A lever or case column that is missing or has missing values, a case
            column that is not True/False, no case of interest or nothing else, or a
            parameter outside its range.
    """
    levers = _check_columns(table, levers, "levers")
    _check_columns(table, [case], "case")
    _check_share("min_mass", min_mass, 1)
    _check_share("peel_alpha", peel_alpha, 0.5)
    _check_share("paste_alpha", paste_alpha, 0.5)
    _check_share("threshold_density", threshold_density, 1, top=True)
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or max_boxes < 1:
        raise ValueError(
            f"max_boxes={max_boxes!r} is not allowed: it must be a whole number, 1 or more"
        )
    y = _flags(table, case, "case").to_numpy()
    if not y.any():
        raise ValueError(
            f"case: column {case!r} has no case of interest (no row is True), "
            "so there is nothing to find; with cases_by_point, try a lower "
            "threshold"
        )
    if y.all():
        raise ValueError(
            f"case: every row of column {case!r} is a case of interest, so no "
            "box can do better than the whole table; with cases_by_point, "
            "try a higher threshold"
        )
    search = Search(table, levers, y, min_mass, peel_alpha, paste_alpha)
    boxes, rows, steps, pasted = [], [], {}, {}
    remaining = np.ones(len(y), dtype=bool)
    for number in range(1, max_boxes + 1):
        trajectory = search.peel(remaining)
        peeled = [_box(search, bounds, remaining) for bounds in trajectory]
        densities = [b.density for b in peeled]
        # step 0 is the whole table: where its base rate already reaches the threshold,
        # taking it would find no box at all, so only steps that restrict a lever compete
        dense = [step for step, d in enumerate(densities) if step and d >= threshold_density]
        chosen = (
            dense[0] if dense else 1 + int(np.argmax(densities[1:])) if len(densities) > 1 else 0
        )
        for step, (bounds, peeled_box) in enumerate(zip(trajectory, peeled, strict=True)):
            steps[(number, step)] = peeled_box
            pasted[(number, step)] = _box(search, search.paste(bounds, remaining), remaining)
            rows.append(
                {
                    "box": number,
                    "step": step,
                    "coverage": peeled_box.coverage,
                    "density": peeled_box.density,
                    "mass": peeled_box.mass,
                    "restricted": peeled_box.restricted,
                    "chosen": step == chosen,
                }
            )
        box = pasted[(number, chosen)]
        if box.density <= search.base_rate:
            break
        boxes.append(box)
        remaining &= ~box.contains(table).to_numpy()
        if not y[remaining].any():
            break
    wording = table.attrs.get(_WORDING, (None,))
    units, verb = (
        wording[1:]
        if wording[0] == case
        else ("rows", "are cases of interest" if case == CASE else f"are {case}")
    )
    return Discovery(
        boxes=boxes,
        trajectory=pd.DataFrame(rows),
        base_rate=search.base_rate,
        levers=tuple(levers),
        case=case,
        units=units,
        verb=verb,
        _steps=steps,
        _pasted=pasted,
    )


def _box(search: Search, bounds: list[Any], remaining: np.ndarray) -> Box:
    """A ``Box`` with its statistics over the remaining rows."""
    rows, density, cases = search.stats(remaining & search.inside(bounds))
    return Box(
        limits=search.limits(bounds),
        coverage=cases / search.total_cases,
        density=density,
        mass=rows / search.n,
        cases=cases,
        rows=rows,
    )


def _condition(lever: str, limit: Limit) -> str:
    """One lever's limit in words."""
    if isinstance(limit, frozenset):
        if limit == {True}:
            return f"with {lever}"
        if limit == {False}:
            return f"without {lever}"
        return f"{lever} is " + " or ".join(sorted(str(v) for v in limit))
    low, high = limit
    if high == math.inf:
        return f"{lever} at least {_number(low)}"
    if low == -math.inf:
        return f"{lever} at most {_number(high)}"
    if low == high:
        return f"{lever} exactly {_number(low)}"
    return f"{lever} from {_number(low)} to {_number(high)}"


def _number(value: float) -> str:
    # three significant digits and never an exponent: limits are read, not computed with
    return np.format_float_positional(value, precision=3, fractional=False, trim="-")


def _check_columns(table: Any, columns: str | Sequence[str], name: str) -> list[str]:
    """The columns as a list, each a column of ``table``."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(table).__name__}")
    columns = [columns] if isinstance(columns, str) else list(columns)
    if not columns:
        raise ValueError(f"{name}=[] is not allowed: name at least one column")
    for column in columns:
        if not isinstance(column, Hashable) or column not in table.columns:
            raise ValueError(
                f"{name}: {column!r} is not a column of the table; its columns "
                f"are {', '.join(map(str, table.columns))}"
            )
        if table[column].isna().any():
            raise ValueError(
                f"{name}: column {column!r} has missing values; drop or fill those rows first"
            )
    if len(set(columns)) != len(columns):
        raise ValueError(f"{name}={columns!r} is not allowed: a column is named twice")
    return columns


def _check_share(name: str, value: Any, high: float, top: bool = False) -> None:
    """Refuse a parameter that is not a number above 0 and below ``high`` (or at most)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and 0 < value and (value <= high if top else value < high)):
        raise ValueError(
            f"{name}={value!r} is not allowed: it must be a number above 0 "
            f"and {'at most' if top else 'below'} {high}"
        )


def _flags(table: pd.DataFrame, column: str, name: str) -> pd.Series:
    """A True/False (or 1/0) column as booleans."""
    values = table[column]
    if pd.api.types.is_bool_dtype(values) or (
        pd.api.types.is_numeric_dtype(values) and values.isin([0, 1]).all()
    ):
        return values.astype(bool)
    odd = values[~values.isin([0, 1])]
    raise ValueError(
        f"{name}: column {column!r} must hold True/False (or 1/0), got values "
        f"such as {_show(odd.iloc[0] if len(odd) else values.iloc[0])!r}"
    )


def _show(value: Any) -> Any:
    """A value as the user wrote it: numpy's scalars print as plain Python ones."""
    return value.item() if isinstance(value, np.generic) else value


__all__ = ["CASE", "SEEDS", "SHARE", "Box", "Discovery", "Limit", "cases_by_point", "discover"]
