"""A runs table as survival data: the weeks each network was observed, and the checks.

``durations`` turns ``sustained`` and ``collapse_step`` into weeks observed and whether
the network dissolved then (censored at the horizon if not); ``arm_groups`` splits that
table into arms. The checks here, on column names, missing values and horizons, are the
ones ``survival``'s estimators share, so they refuse bad input in the same words.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from collabsim.params.checks import suggest

#: Columns ``durations`` adds: weeks observed, and whether the network dissolved then.
WEEKS, DISSOLVED = "weeks", "dissolved"


def durations(runs: pd.DataFrame, horizon: float | None = None) -> pd.DataFrame:
    """How long each run's network was observed, and whether it dissolved.

    Args:
        runs: One row per run, with ``sustained`` (alive at the end) and
            ``collapse_step`` (week it dissolved, missing if it did not), as
            ``collabsim.sweep(...).runs`` gives them.
        horizon: Week observation ended. Defaults to each run's ``steps`` column (the
            weeks a sweep ran it), or without one to its ``horizon`` column: a
            sustained run is censored where its run stopped.

    Returns:
        A copy of ``runs`` with ``weeks`` (the collapse week, or the horizon if the
        network was still alive) and ``dissolved`` (True: an event at ``weeks``;
        False: censored there).

    Raises:
        TypeError: ``runs`` is not a DataFrame.
        ValueError: A missing column or value; a failed run; a collapse week that is
            not after week 0 or is beyond the horizon; a sustained run with a collapse
            week; or a run neither sustained nor dissolved (never convened).
    """
    if not isinstance(runs, pd.DataFrame):
        raise TypeError(f"runs must be a pandas DataFrame, got {type(runs).__name__}")
    require_columns(runs, ["sustained", "collapse_step"])
    if "status" in runs.columns:
        failed = runs["status"] != "ok"
        if failed.any():
            raise ValueError(
                f"{_which(runs, failed)}: did not finish (status is not 'ok'), "
                "so there is no outcome; keep the finished runs with "
                "runs[runs['status'] == 'ok']"
            )
    sustained = _flags(runs, "sustained")
    try:
        collapse = pd.to_numeric(runs["collapse_step"]).astype(float)
    except (TypeError, ValueError) as error:
        raise ValueError(
            "column 'collapse_step' must hold week numbers, missing where the "
            f"network did not dissolve: {error}"
        ) from None
    ends, source = observation_ends(runs, horizon)
    has_week = collapse.notna()
    for mask, problem in [
        (
            sustained & has_week,
            "marked sustained but collapse_step={week}; a sustained "
            "network never dissolved, so collapse_step must be missing",
        ),
        (
            ~sustained & ~has_week,
            "not sustained but collapse_step is missing; "
            + (
                "with convened=False there was no network to dissolve: analyse "
                "runs[runs['convened']]"
                if "convened" in runs and not runs["convened"].all()
                else "a run that is not sustained must have the week it dissolved"
            ),
        ),
        (has_week & ~(collapse > 0), "collapse_step={week} is not after week 0 (weeks start at 1)"),
        (
            has_week & (collapse > ends),
            "collapse_step={week} is beyond the horizon, week "
            "{end} ({source}); if the runs went on for more "
            "weeks than that, pass horizon=the weeks they ran",
        ),
    ]:
        if mask.any():
            first = mask.to_numpy().nonzero()[0][0]
            raise ValueError(
                f"{_which(runs, mask)}: "
                + problem.format(
                    week=f"{collapse.iloc[first]:g}",
                    end=f"{ends.iloc[first]:g}",
                    source=source.iloc[first],
                )
            )
    out = runs.copy()
    out[WEEKS] = collapse.where(has_week, ends)
    out[DISSOLVED] = has_week.to_numpy()
    return out


def column_names(value: str | Sequence[str], what: str = "by") -> list[str]:
    """A column name or a list of them, as a non-empty list; ``what`` names the argument."""
    names = (
        [value] if isinstance(value, str) else list(value) if isinstance(value, Sequence) else None
    )
    if not names or not all(isinstance(name, str) for name in names):
        raise ValueError(
            f"{what}={value!r} is not allowed: expected a column name or a "
            "non-empty list of column names"
        )
    return names


def require_columns(runs: pd.DataFrame, names: list[str]) -> None:
    """Raise if a column is missing, naming the nearest or else (the first of) those there."""
    missing = [name for name in names if name not in runs.columns]
    if missing:
        hint = suggest(missing[0], map(str, runs.columns))
        shown = ", ".join(map(str, runs.columns[:12])) + (", ..." if runs.shape[1] > 12 else "")
        raise ValueError(f"runs has no column {missing[0]!r}; " + (hint or f"its columns: {shown}"))


def _which(runs: pd.DataFrame, mask: pd.Series) -> str:
    """The runs under ``mask`` in words: ``2 runs (run 3, run 7)``."""
    label, ids = ("run", runs.loc[mask, "run"]) if "run" in runs else ("row", runs.index[mask])
    count, shown = int(mask.sum()), ", ".join(f"{label} {i}" for i in list(ids)[:3])
    return f"{count} run{'s' * (count != 1)} ({shown}{', ...' * (count > 3)})"


def observation_ends(runs: pd.DataFrame, horizon: float | None) -> tuple[pd.Series, pd.Series]:
    """Each run's last week observed, and where it came from, in words for messages."""
    if horizon is not None:
        if (
            isinstance(horizon, bool)
            or not isinstance(horizon, int | float | np.number)
            or not 0 < horizon < np.inf
        ):
            raise ValueError(f"horizon={horizon!r} is not allowed: expected weeks > 0")
        return (
            pd.Series(float(horizon), index=runs.index),
            pd.Series(f"horizon={horizon!r}", index=runs.index),
        )
    # A sweep's runs say how many weeks they ran (``steps``); a run without that (from an
    # older folder, or a table made by hand), the horizon it was given, which is also the
    # weeks it ran unless told otherwise.
    given = [name for name in ("steps", "horizon") if name in runs.columns]
    if not given:
        raise ValueError(
            "no horizon: runs has no 'steps' or 'horizon' column; pass horizon=, the "
            "week observation ended (e.g. 260)"
        )
    column = pd.Series(given[0], index=runs.index)
    raw = runs[given[0]].astype(object)
    if len(given) == 2:
        column = column.where(runs["steps"].notna(), "horizon")
        raw = raw.where(runs["steps"].notna(), runs["horizon"].astype(object))
    ends = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = ~((ends > 0) & (ends < np.inf))
    if bad.any():
        first = bad.to_numpy().nonzero()[0][0]
        raise ValueError(
            f"{_which(runs, bad)}: {column.iloc[first]}={plain(raw.iloc[first])!r}"
            " is not allowed: expected weeks > 0"
        )
    return ends, "its '" + column + "'"


def require_values(table: pd.DataFrame, names: list[str], what: str = "") -> None:
    """Raise if any run has no value in one of the columns (``what`` goes before its name)."""
    for name in names:
        if table[name].isna().any():
            raise ValueError(f"{_which(table, table[name].isna())}: no value of {what}{name!r}")


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value, so messages show ``52``, not ``np.int64(52)``."""
    return value.item() if isinstance(value, np.generic) else value


def arm_groups(
    runs: pd.DataFrame, by: str | Sequence[str], horizon: float | None
) -> tuple[pd.DataFrame, list[tuple[Hashable, pd.DataFrame]]]:
    """The durations table and its arms, sorted by their value of ``by``."""
    names = column_names(by)
    table = durations(runs, horizon)
    require_columns(table, names)
    require_values(table, names, "arm column ")
    # observed: a categorical column's levels that no run has are no arm
    return table, list(
        table.groupby(by if isinstance(by, str) else names, sort=True, observed=True)
    )


def _flags(runs: pd.DataFrame, name: str) -> pd.Series:
    """A true/false column as bools, refusing anything else."""
    column = runs[name]
    if column.dtype == bool:
        return column
    require_values(runs, [name])
    allowed = column.isin([True, False])  # also 1 and 0, which equal them
    if not allowed.all():
        raise ValueError(
            f"column {name!r} must be true or false, got "
            f"{plain(column[~allowed].iloc[0])!r} in {_which(runs, ~allowed)}"
        )
    return column.astype(bool)


__all__ = [
    "DISSOLVED",
    "WEEKS",
    "arm_groups",
    "column_names",
    "durations",
    "observation_ends",
    "plain",
    "require_columns",
    "require_values",
]
