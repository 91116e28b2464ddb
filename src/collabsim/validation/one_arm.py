"""Tests of one arm: ``Sign``, ``Bound`` and ``Share``.

See ``collabsim.validation.stats`` for what every test returns and how intervals and
missing values are handled.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

import numpy as np
from scipy.stats import binomtest

from collabsim.validation.metrics import Metric, ValidationError
from collabsim.validation.stats import (
    ALPHA,
    CONFIDENCE,
    Measure,
    Outcome,
    Test,
    bootstrap_mean_ci,
    check_arm,
    check_metric,
    finite,
    number_text,
    p_text,
    signed_rank_p,
)


@dataclass(frozen=True)
class Sign(Test):
    """A per-run statistic (e.g. a within-run correlation) lies below or above 0.

    Effect: its mean. Passes if p < alpha (one-sample one-sided Wilcoxon signed-rank).

    Args:
        metric: The per-run statistic.
        arm: The arm.
        direction: ``"negative"`` (below 0) or ``"positive"`` (above 0).
        alpha: Significance level.
        seed: Seed of the bootstrap.
    """

    metric: Metric
    arm: str
    _: KW_ONLY
    direction: str = "negative"
    alpha: float = ALPHA
    seed: int = 0

    def __post_init__(self) -> None:
        check_metric(self.metric, "Sign")
        check_arm(self.arm, "Sign")
        if self.direction not in ("negative", "positive"):
            raise ValidationError(
                f"Sign: direction={self.direction!r} is not allowed; allowed: negative, positive"
            )
        self._check_alpha()

    def arms(self) -> tuple[str, ...]:
        """The arm."""
        return (self.arm,)

    def metrics(self) -> tuple[Metric, ...]:
        """The statistic."""
        return (self.metric,)

    def describe(self) -> str:
        """The test in words."""
        side = "below" if self.direction == "negative" else "above"
        return (
            f"{self.metric.describe()} in `{self.arm}` is {side} 0 (one-sample one-sided "
            f"Wilcoxon signed-rank test, p < {self.alpha:g})"
        )

    def _evaluate(self, measure: Measure) -> Outcome:
        (x,) = finite(measure(self.metric, self.arm))
        p = signed_rank_p(x, "less" if self.direction == "negative" else "greater")
        low, high = bootstrap_mean_ci(x, seed=self.seed)
        effect = float(np.mean(x)) if x.size else np.nan
        detail = (
            f"{self.metric.label} in {self.arm}: mean {number_text(effect)}, expected "
            f"{self.direction}, Wilcoxon p={p_text(p)}, {x.size} seeds"
        )
        return Outcome(effect, low, high, p, bool(p < self.alpha), x.size, detail)


@dataclass(frozen=True)
class Bound(Test):
    """Per-run values typically lie within ``[low, high]``.

    "Typically" is what the test tests: one one-sided Wilcoxon signed-rank test per bound
    given (above ``low``, below ``high``), each about the values' pseudo-median (the
    median of the means of pairs), not their mean; p is the larger, and the test passes
    if p < alpha. Effect: their mean, with its bootstrap interval, for the report.

    Args:
        metric: The metric.
        arm: The arm.
        low: Lower bound, or None for none.
        high: Upper bound, or None for none.
        alpha: Significance level.
        seed: Seed of the bootstrap.
    """

    metric: Metric
    arm: str
    _: KW_ONLY
    low: float | None = None
    high: float | None = None
    alpha: float = ALPHA
    seed: int = 0

    def __post_init__(self) -> None:
        check_metric(self.metric, "Bound")
        check_arm(self.arm, "Bound")
        if self.low is None and self.high is None:
            raise ValidationError("Bound: give low, high or both")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValidationError(f"Bound: low={self.low!r} must be below high={self.high!r}")
        self._check_alpha()

    def arms(self) -> tuple[str, ...]:
        """The arm."""
        return (self.arm,)

    def metrics(self) -> tuple[Metric, ...]:
        """The metric."""
        return (self.metric,)

    def _bounds_text(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"above {self.low:g}")
        if self.high is not None:
            parts.append(f"below {self.high:g}")
        return " and ".join(parts)

    def describe(self) -> str:
        """The test in words."""
        return (
            f"{self.metric.describe()} in `{self.arm}` is typically {self._bounds_text()} "
            "(one-sided Wilcoxon signed-rank test against each bound, on the values' "
            f"pseudo-median, p < {self.alpha:g} for each)"
        )

    def _evaluate(self, measure: Measure) -> Outcome:
        (x,) = finite(measure(self.metric, self.arm))
        ps = []
        if self.low is not None:
            ps.append(signed_rank_p(x - self.low, "greater"))
        if self.high is not None:
            ps.append(signed_rank_p(x - self.high, "less"))
        p = max(ps)
        low, high = bootstrap_mean_ci(x, seed=self.seed)
        effect = float(np.mean(x)) if x.size else np.nan
        detail = (
            f"{self.metric.label} in {self.arm}: mean {number_text(effect)}, expected "
            f"{self._bounds_text()}, Wilcoxon p={p_text(p)}, {x.size} seeds"
        )
        return Outcome(effect, low, high, p, bool(p < self.alpha), x.size, detail)


@dataclass(frozen=True)
class Share(Test):
    """The share of runs in which a true/false metric holds exceeds ``above``.

    Effect: the share. Interval: exact (Clopper-Pearson). Passes if p < alpha (one-sided
    exact binomial test against ``above``).

    Args:
        predicate: A metric that is 1 (true) or 0 (false) in each run, e.g. ``AtMost``.
        arm: The arm.
        above: The share to exceed.
        alpha: Significance level.
    """

    predicate: Metric
    arm: str
    _: KW_ONLY
    above: float = 0.5
    alpha: float = ALPHA

    def __post_init__(self) -> None:
        check_metric(self.predicate, "Share")
        check_arm(self.arm, "Share")
        if (
            isinstance(self.above, bool)
            or not isinstance(self.above, (int, float))
            or not 0 <= self.above < 1
        ):
            raise ValidationError(
                f"Share: above={self.above!r} is not allowed: expected a share from 0 to below 1"
            )
        self._check_alpha()

    def arms(self) -> tuple[str, ...]:
        """The arm."""
        return (self.arm,)

    def metrics(self) -> tuple[Metric, ...]:
        """The true/false metric."""
        return (self.predicate,)

    def describe(self) -> str:
        """The test in words."""
        return (
            f"the share of runs of `{self.arm}` in which {self.predicate.describe()} "
            f"exceeds {self.above:g} (one-sided exact binomial test, p < {self.alpha:g})"
        )

    def _evaluate(self, measure: Measure) -> Outcome:
        (x,) = finite(measure(self.predicate, self.arm))
        if not np.all((x == 0) | (x == 1)):
            raise ValidationError(
                f"Share: {self.predicate.label} is not true/false (1/0) in every run"
            )
        if x.size == 0:
            return Outcome(
                np.nan,
                np.nan,
                np.nan,
                1.0,
                False,
                0,
                f"{self.predicate.label} in {self.arm}: no seeds with values",
            )
        hits = int(x.sum())
        p = float(binomtest(hits, x.size, self.above, alternative="greater").pvalue)
        # the two-sided interval, as every other pattern's: the test is one-sided, the
        # interval says how large the share is
        interval = binomtest(hits, x.size).proportion_ci(
            confidence_level=CONFIDENCE, method="exact"
        )
        detail = (
            f"{self.predicate.label} in {self.arm}: {hits} of {x.size} runs, expected a "
            f"share above {self.above:g}, binomial p={p_text(p)}"
        )
        return Outcome(
            hits / x.size,
            float(interval.low),
            float(interval.high),
            p,
            bool(p < self.alpha),
            x.size,
            detail,
        )
