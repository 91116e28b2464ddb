"""The unit of work: one model run, a plain picklable function sweeps and backends share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from collabsim import unwatched
from collabsim.checks import function_or_none
from collabsim.metrics import summarise, timeseries_frame
from collabsim.params import ParameterError, Params, python_value
from collabsim.unwatched import UnwatchedModel


@dataclass(eq=False)
class RunResult:
    """What one run produced.

    Two results are equal when they ran the same parameters, seed and weeks and produced
    the same time series and summary (an undefined output, NaN, equals another), so
    ``run(p, seed=s) == run(p, seed=s)`` checks reproducibility.

    Attributes:
        params: The parameters of the run.
        seed: The seed it ran with.
        steps: Weeks simulated.
        timeseries: One row per week (the ``week`` index; week 0 is the start), one
            column per reporter.
        summary: The per-run outputs (see ``collabsim.metrics.SUMMARY``).
    """

    params: Params
    seed: int
    steps: int
    timeseries: pd.DataFrame
    summary: dict[str, Any]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunResult):
            return NotImplemented
        return (
            (self.params, self.seed, self.steps) == (other.params, other.seed, other.steps)
            and self.timeseries.equals(other.timeseries)
            and self.summary.keys() == other.summary.keys()
            and all(_same(value, other.summary[name]) for name, value in self.summary.items())
        )

    __hash__ = None  # equal by value, and its frame can change: not a dictionary key


def _same(a: Any, b: Any) -> bool:
    """Whether two summary values are the same, an undefined value (NaN) equal to another."""
    return a == b or (a != a and b != b)  # only NaN differs from itself


def run(
    params: Params,
    *,
    seed: int,
    steps: int | None = None,
    silo_twin: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run the model once.

    Args:
        params: Validated parameters (``collabsim.scenario(...)`` or ``Params(...)``).
        seed: Seed of the run; the same parameters and seed give identical results.
            Here and for ``steps``, a NumPy whole number counts as the Python one.
        steps: Weeks to simulate; defaults to ``params.horizon``.
        silo_twin: Simulate the silo twin alongside (see ``CollaborationModel``); without
            it the outputs in ``metrics.SILO_TWIN_OUTPUTS`` are NaN and every other
            output is exactly as with it.
        progress: Called as ``progress(weeks_done, steps)`` before the first week and
            after each (``collabsim run`` shows a long run's progress with it).

    Returns:
        The run's time series and summary.
    """
    seed, steps = _checked(params, seed, steps, progress)
    rows, summary = _lived(params, seed, steps, silo_twin, progress)
    return RunResult(params, seed, steps, timeseries_frame(rows), summary)


def run_rows(
    params: Params, *, seed: int, steps: int | None = None, silo_twin: bool = True
) -> tuple[np.ndarray, dict[str, Any]]:
    """One run as ``run`` makes it, its time series left as the rows it was recorded in.

    For the sweeps' unit of work, which keeps a few reporters at most: making the frame
    took an eighth of a short run. The arguments are ``run``'s.

    Returns:
        The recorded rows (one per week from week 0, one float column per reporter in
        ``metrics.REPORTERS`` order: ``metrics.Column`` gives each one's position) and the
        summary.
    """
    seed, steps = _checked(params, seed, steps, None)
    return _lived(params, seed, steps, silo_twin, None)


def _checked(
    params: Params, seed: Any, steps: Any, progress: Callable[[int, int], None] | None
) -> tuple[int, int]:
    """``run``'s arguments checked (``ParameterError`` saying why not); the seed and weeks."""
    if not isinstance(params, Params):
        raise ParameterError(f"params must be a collabsim.Params, got {type(params).__name__}")
    seed, steps = python_value(seed), python_value(steps)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"seed={seed!r} is not allowed: expected a whole number >= 0")
    if steps is None:
        steps = params.horizon
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= params.horizon:
        raise ParameterError(
            f"steps={steps!r} is not allowed: expected a whole number from 0 to the horizon, "
            f"the last week of a run ({params.horizon}); to run longer, set horizon as well"
        )
    function_or_none("progress", progress, ("weeks_done", "steps"), error=ParameterError)
    return seed, steps


def _lived(
    params: Params,
    seed: int,
    steps: int,
    silo_twin: bool,
    progress: Callable[[int, int], None] | None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The recorded rows and summary of a run with checked arguments."""
    model = UnwatchedModel(params, rng=seed, silo_twin=silo_twin)
    unwatched.live(model, steps, progress)
    rows, summary = model.datacollector.rows(), summarise(model)
    model.release()
    return rows, summary
