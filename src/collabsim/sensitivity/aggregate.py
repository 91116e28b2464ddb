"""Replicates of a stochastic model: one value per design point, and how noisy it is.

Rows are matched by ids, never by position: each run's output is placed at its
``(point, replicate)`` in a points x replicates matrix, so the order in which runs
finished (or were stored) cannot move a value to another design point. Each point's
replicates are then summarised by a statistic (the mean by default), giving the vector,
in point order, that lines up with the rows of the SALib sample.

Seed noise, with ``r`` replicates per point (needs ``r >= 2``):

- ``noise_share``: the share of a single run's output variance that is seed noise, the
  mean within-point variance over the variance of all runs. For ``f(x) + e`` with
  ``Var e = s2`` it estimates ``s2 / (Var f + s2)``.
- ``residual_noise_share``: the share of the *analysed* values' variance (one
  statistic per point) that is still noise: the mean jackknife variance of the
  statistic at a point, over the variance of the statistic across points. For the
  mean the jackknife variance is exactly ``s2 / r``, so replicates shrink the noise
  by ``1 / r``.

Policies (stated in the report): a failed run is left out of its point's statistic and
counted; a point with no successful run stops the analysis. An undefined value in a run
that succeeded (``collapse_step`` of a network that never dissolved, a block rate with
no requests) stops the analysis unless a ``fill`` value is given for that output; an
infinite value stops it in any case (a ``fill`` stands in for undefined values only).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from collabsim.checks import one_of
from collabsim.params import suggest
from collabsim.sensitivity.problem import SensitivityError
from collabsim.sweeps.runner import OK

#: Statistics that summarise a point's replicates; each ignores missing (failed) runs.
STATISTICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "mean": lambda m: np.nanmean(m, axis=1),
    "median": lambda m: np.nanmedian(m, axis=1),
    "std": lambda m: np.nanstd(m, axis=1, ddof=1),
    "var": lambda m: np.nanvar(m, axis=1, ddof=1),
    "min": lambda m: np.nanmin(m, axis=1),
    "max": lambda m: np.nanmax(m, axis=1),
}

#: Replicates a statistic needs at a point to be defined.
SMALLEST = {"std": 2, "var": 2}


@dataclass(frozen=True)
class PointValues:
    """The analysed value of each output at each design point, and its noise.

    Attributes:
        values: ``point`` and one column per output, one row per design point in
            point order (row ``i`` is point ``i``, matching row ``i`` of the sample).
        noise: One row per output: ``runs``, ``failed``, ``filled``, ``variance`` (of
            single runs), ``seed_variance`` (mean within-point variance),
            ``noise_share``, ``statistic_variance`` (of the analysed values across
            points), ``statistic_noise_variance`` and ``residual_noise_share``.
    """

    values: pd.DataFrame
    noise: pd.DataFrame


def check_statistic(statistic: Any, replicates: int | None = None) -> str:
    """Return ``statistic`` if it is one of ``STATISTICS`` (and ``replicates`` suffice)."""
    one_of("statistic", statistic, tuple(STATISTICS), what="a statistic", error=SensitivityError)
    if replicates is not None and replicates < SMALLEST.get(statistic, 1):
        raise SensitivityError(
            f"statistic={statistic!r} needs replicates >= {SMALLEST[statistic]}, got {replicates}"
        )
    return statistic


def check_fill(fill: Any, outputs: Sequence[str]) -> dict[str, float]:
    """Check ``fill``: ``{output: number}`` for outputs that may be undefined in a run."""
    if fill is None:
        return {}
    if not isinstance(fill, Mapping):
        raise SensitivityError(f"fill must be a mapping of output name to number, got {fill!r}")
    checked = {}
    for name, value in fill.items():
        if name not in outputs:
            hint = suggest(str(name), outputs)
            raise SensitivityError(
                f"fill: {name!r} is not one of the outputs analysed ("
                + ", ".join(outputs)
                + ")"
                + (f"; {hint}" if hint else "")
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise SensitivityError(f"fill: {name}={value!r} is not a finite number")
        checked[name] = float(value)
    return checked


def replicate_matrix(
    runs: pd.DataFrame, output: str, *, points: int, replicates: int
) -> np.ndarray:
    """The ``points x replicates`` matrix of one output, placed by ``point`` and ``replicate``.

    Failed runs are NaN. Raises ``SensitivityError`` if a run is missing or given twice.
    """
    matrix = np.full(points * replicates, np.nan)
    values = pd.to_numeric(runs[output], errors="coerce").to_numpy(dtype=float)
    matrix[run_slots(runs, points=points, replicates=replicates)] = values
    return matrix.reshape(points, replicates)


def run_slots(runs: pd.DataFrame, *, points: int, replicates: int) -> np.ndarray:
    """Each run's place in the points x replicates matrix, checking every run is there once."""
    point = runs["point"].to_numpy(dtype=np.int64)
    replicate = runs["replicate"].to_numpy(dtype=np.int64)
    if len(runs) and (
        point.min() < 0
        or point.max() >= points
        or replicate.min() < 0
        or replicate.max() >= replicates
    ):
        raise SensitivityError(
            f"the runs name design points or replicates outside the design "
            f"({points} points x {replicates} replicates)"
        )
    slot = point * replicates + replicate
    counts = np.bincount(slot, minlength=points * replicates)
    if counts.max(initial=0) > 1:
        twice = int(np.argmax(counts > 1))
        raise SensitivityError(
            f"run of point {twice // replicates}, replicate "
            f"{twice % replicates} appears twice in the runs"
        )
    if (counts == 0).any():
        missing = int(np.sum(counts == 0))
        raise SensitivityError(
            f"{missing:,} of {points * replicates:,} runs are missing: the "
            "sweep is not complete; run it again to finish it"
        )
    return slot


def aggregate(
    runs: pd.DataFrame,
    outputs: Sequence[str],
    *,
    points: int,
    replicates: int,
    statistic: str = "mean",
    fill: Mapping[str, float] | None = None,
) -> PointValues:
    """Summarise each point's replicates of each output, and measure the seed noise.

    Args:
        runs: One row per run: ``point``, ``replicate``, the outputs and optionally
            ``status`` (rows whose status is not ``"ok"`` count as failed). Any order.
        outputs: The outputs to summarise.
        points: Design points (rows of the SALib sample).
        replicates: Runs per point.
        statistic: One of ``STATISTICS``.
        fill: Value standing in for an undefined output in a successful run, by output.

    Returns:
        The values per point (in point order) and the noise table.

    Raises:
        SensitivityError: A run missing or given twice; a point with no successful run;
            an infinite value; an undefined value with no ``fill`` (every such output
            named in one message).
    """
    fill = dict(fill or {})
    ok = (runs["status"] == OK).to_numpy() if "status" in runs else np.ones(len(runs), bool)
    failed_mask = np.zeros(points * replicates, dtype=bool)
    failed_mask[run_slots(runs, points=points, replicates=replicates)] = ~ok
    failed_mask = failed_mask.reshape(points, replicates)
    values = {"point": np.arange(points, dtype=np.int64)}
    noise = []
    matrices, undefined = {}, {}
    for output in outputs:
        matrix = replicate_matrix(runs, output, points=points, replicates=replicates)
        matrix[failed_mask] = np.nan  # whatever a failed run recorded, it is not a value
        matrices[output] = matrix
        undefined[output] = np.isnan(matrix) & ~failed_mask
    # Every output that cannot be analysed is named at once, so that one run of the
    # analysis tells the user every fill value (or output to leave out) it needs.
    _check_values(matrices, undefined, fill)
    for output in outputs:
        matrix = matrices[output]
        filled = int(undefined[output].sum())
        if filled:
            matrix[undefined[output]] = fill[output]
        empty = np.isnan(matrix).all(axis=1)
        if empty.any():
            raise SensitivityError(
                f"{int(empty.sum())} design points (first: point {int(np.argmax(empty))}) "
                "have no successful run: the analysis needs a value at every point; see "
                "the failed runs and their errors"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows are handled
            y = STATISTICS[statistic](matrix)
            noise.append(
                _noise(output, matrix, y, statistic, failed=int(failed_mask.sum()), filled=filled)
            )
        if np.isnan(y).any():
            raise SensitivityError(
                f"statistic {statistic!r} of {output!r} is undefined at "
                f"{int(np.isnan(y).sum())} points (too few successful runs there)"
            )
        values[output] = y
    return PointValues(pd.DataFrame(values), pd.DataFrame(noise))


def _check_values(
    matrices: Mapping[str, np.ndarray],
    undefined: Mapping[str, np.ndarray],
    fill: Mapping[str, float],
) -> None:
    """Refuse infinite values, and undefined ones without a ``fill``, of every output at once."""
    runs = next(iter(matrices.values())).size if matrices else 0
    infinite = {o: int(np.isinf(m).sum()) for o, m in matrices.items() if np.isinf(m).any()}
    unfilled = {o: int(u.sum()) for o, u in undefined.items() if u.any() and o not in fill}
    problems = []
    if infinite:
        problems.append(
            _in_runs(infinite, runs, "infinite")
            + ", and Sobol'/Morris need a finite number for every run: return a finite "
            f"value (capped or transformed) or leave {_it(infinite)} out of outputs (fill "
            "stands in only for undefined values)"
        )
    if unfilled:
        in_python = ", ".join(f"{o!r}: ..." for o in unfilled)
        in_a_file = ", ".join(f"{o} = ..." for o in unfilled)
        problems.append(
            _in_runs(unfilled, runs, "undefined (None or NaN)")
            + ", and Sobol'/Morris need a number for every run: give a stand-in value "
            f"(fill={{{in_python}}} from Python; in a study file, a [fill] table of its own: "
            f"[fill] {in_a_file}; "
            f"e.g. the horizon for collapse_step) or leave {_it(unfilled)} out of outputs"
        )
    if problems:
        raise SensitivityError("; ".join(problems))


def _in_runs(counts: Mapping[str, int], runs: int, what: str) -> str:
    """``output 'y' is <what> in 3 of 40 runs``, or the same for several outputs."""
    if len(counts) == 1:
        ((output, count),) = counts.items()
        return f"output {output!r} is {what} in {count} of {runs} runs"
    listed = [f"{o!r} ({count} of {runs} runs)" for o, count in counts.items()]
    return f"outputs {', '.join(listed[:-1])} and {listed[-1]} are {what}"


def _it(counts: Mapping[str, int]) -> str:
    return "it" if len(counts) == 1 else "them"


def _noise(
    output: str, matrix: np.ndarray, y: np.ndarray, statistic: str, *, failed: int, filled: int
) -> dict[str, Any]:
    """The noise row of one output (see the module docstring)."""
    counts = np.sum(~np.isnan(matrix), axis=1)
    runs = matrix[~np.isnan(matrix)]
    variance = float(np.var(runs, ddof=1)) if runs.size > 1 else math.nan
    repeated = counts >= 2
    if matrix.shape[1] >= 2 and repeated.any():
        seed_variance = float(np.mean(np.nanvar(matrix[repeated], axis=1, ddof=1)))
        statistic_noise = float(np.nanmean(jackknife_variance(matrix, statistic)))
    else:
        seed_variance = statistic_noise = math.nan
    statistic_variance = float(np.var(y, ddof=1)) if y.size > 1 else math.nan
    return {
        "output": output,
        "runs": int(matrix.size),
        "failed": failed,
        "filled": filled,
        "variance": variance,
        "seed_variance": seed_variance,
        "noise_share": _share(seed_variance, variance),
        "statistic_variance": statistic_variance,
        "statistic_noise_variance": statistic_noise,
        "residual_noise_share": _share(statistic_noise, statistic_variance),
    }


def jackknife_variance(matrix: np.ndarray, statistic: str) -> np.ndarray:
    """The jackknife variance of ``statistic`` over each row's replicates (NaN: missing).

    Leave each replicate out in turn: ``(m - 1) / m * sum((t_i - t_mean) ** 2)`` over the
    ``m`` present replicates. For the mean this equals ``s2 / m`` exactly. NaN where a
    row has too few replicates.
    """
    function = STATISTICS[statistic]
    present = ~np.isnan(matrix)
    m = present.sum(axis=1)
    leave_out = np.full(matrix.shape, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for k in range(matrix.shape[1]):
            others = matrix.copy()
            others[:, k] = np.nan
            leave_out[:, k] = np.where(present[:, k], function(others), np.nan)
        centre = np.nanmean(leave_out, axis=1, keepdims=True)
        spread = np.nansum((leave_out - centre) ** 2, axis=1)
    result = (m - 1) / np.maximum(m, 1) * spread
    enough = (
        (m >= 2) & ~np.isnan(leave_out).all(axis=1) & (np.sum(~np.isnan(leave_out), axis=1) == m)
    )
    return np.where(enough, result, np.nan)


def _share(part: float, whole: float) -> float:
    if math.isnan(part) or math.isnan(whole):
        return math.nan
    if whole <= 0:
        return 0.0 if part <= 0 else 1.0
    return min(part / whole, 1.0)
