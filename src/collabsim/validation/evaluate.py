"""Judging each pattern from its arms' runs: the test's outcome and the values behind it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from collabsim.validation.runner import failures
from collabsim.validation.spec import Metric, Pattern, PatternResult

#: One arm's data: its runs and its time series (None when no reporter is read).
ArmData = tuple[pd.DataFrame, pd.DataFrame | None]


@dataclass(frozen=True)
class Measured:
    """The per-seed values of one metric in one arm, as a test read them.

    Attributes:
        metric: The metric's label.
        arm: The arm's name.
        replicates: Replicate of each value.
        seeds: Seed of each value.
        values: The values (NaN where a run has none).
        binary: Whether the metric is true/false (1/0) in each run.
    """

    metric: str
    arm: str
    replicates: np.ndarray
    seeds: np.ndarray
    values: np.ndarray
    binary: bool = False


@dataclass
class Evaluation:
    """A pattern's result, the values its test read and the arms it paired (for figures)."""

    result: PatternResult
    measured: list[Measured] = field(default_factory=list)
    pairs: tuple[tuple[str, str], ...] = ()


def not_expressible(pattern: Pattern) -> PatternResult:
    """The result row of a claim the model cannot express: its reason, no numbers."""
    return PatternResult(
        pattern.name,
        pattern.claim,
        pattern.source,
        "",
        math.nan,
        math.nan,
        math.nan,
        math.nan,
        None,
        0,
        " ".join(pattern.reason.split()),
        False,
    )


def evaluate_pattern(pattern: Pattern, arms: Mapping[str, ArmData]) -> Evaluation:
    """Run a pattern's test on its arms' runs.

    A pattern whose arms have failed runs does not pass; its detail starts with how
    many failed and the first error.

    Args:
        pattern: The pattern (expressible).
        arms: Each arm's runs and time series, by the pattern's arm names, each limited to
            the seeds the validation uses and sorted by replicate.

    Returns:
        The result and every (metric, arm) the test read, in order.
    """
    measured: dict[tuple[Metric, str], Measured] = {}

    def measure(metric: Metric, arm: str) -> np.ndarray:
        key = (metric, arm)  # metrics are frozen dataclasses: equal ones are read once
        if key not in measured:
            runs, series = arms[arm]
            measured[key] = Measured(
                metric.label,
                arm,
                runs["replicate"].to_numpy(),
                runs["seed"].to_numpy(),
                metric.values(runs, series),
                metric.binary,
            )
        return measured[key].values

    outcome = pattern.test.evaluate(measure)
    failed, first_error, total = 0, None, 0
    for arm in pattern.arms_run():
        count, error = failures(arms[arm][0])
        failed += count
        total += len(arms[arm][0])
        first_error = first_error or error
    passed, detail = outcome.passed, outcome.detail
    if failed:
        passed = False
        detail = f"{failed} of {total} runs failed (first: {first_error}); {detail}"
    result = PatternResult(
        pattern.name,
        pattern.claim,
        pattern.source,
        pattern.test.label(),
        outcome.effect,
        outcome.ci_low,
        outcome.ci_high,
        outcome.p_value,
        bool(passed),
        outcome.seeds,
        detail,
        True,
    )
    return Evaluation(result, list(measured.values()), pattern.test.pairs())
