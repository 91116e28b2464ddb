"""Pattern tests: does the model show the pattern, by how much, and how sure are we.

Each test reads per-seed values of one or more metrics in one or more arms, through a
``measure(metric, arm)`` function that returns the arm's values ordered by replicate
(arms share seeds by replicate: common random numbers, so paired tests pair replicate
``r`` of one arm with replicate ``r`` of another). It returns an ``Outcome``: the
effect, its 95% confidence interval, a p-value, whether the pattern passed at the
test's ``alpha`` (0.01 unless given) and a one-line detail.

- ``Greater``: one arm tends to exceed another. Paired: one-sided Wilcoxon signed-rank
  test on the per-seed differences (``zero_method="zsplit"``; all differences zero
  gives p = 1); unpaired: one-sided Mann-Whitney U test. Effect: the mean difference.
- ``Interaction``: the gain ``a - b`` exceeds the gain ``c - d``, seed by seed
  (Wilcoxon on the differences of differences), optionally by a ratio.
- ``Sign``: a per-run statistic lies below (or above) 0 (one-sample Wilcoxon).
- ``Bound``: per-run values typically lie within bounds (one one-sided Wilcoxon per
  bound given, on the values' pseudo-median; p is the larger).
- ``Share``: the share of runs where a true/false metric holds exceeds a value
  (one-sided exact binomial test; Clopper-Pearson interval).
- ``Steadier``: one arm's metric varies less across seeds, relative to its mean, than
  another's (bootstrapped difference in coefficients of variation).
- ``AllOf``: several tests that must all pass; p is the largest of theirs.

``Greater``, ``Interaction`` and ``Steadier`` live in ``comparisons``; ``Sign``, ``Bound``
and ``Share`` in ``one_arm``; this module holds what they share: ``Outcome``, the
``Test`` base, ``AllOf`` and the statistics helpers.

Confidence intervals of means and mean differences are seeded percentile bootstraps of
``BOOTSTRAP`` resamples (the resampling unit is the seed; paired tests resample pairs),
so the same values always give the same interval. Seeds where a metric is undefined
(NaN) are left out, pairwise for paired tests; ``seeds`` counts those used.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import wilcoxon

from collabsim.validation.metrics import Metric, ValidationError

#: Significance level of every test unless it is given another.
ALPHA = 0.01

#: Bootstrap resamples behind each confidence interval.
BOOTSTRAP = 2_000

#: Confidence level of the intervals.
CONFIDENCE = 0.95

#: ``measure(metric, arm)``: the arm's per-seed values of the metric, by replicate.
Measure = Callable[[Metric, str], np.ndarray]


@dataclass(frozen=True)
class Outcome:
    """What a test found.

    Attributes:
        effect: The size of the pattern (what each test says it is).
        ci_low: Lower end of the 95% confidence interval of ``effect``.
        ci_high: Upper end of that interval.
        p_value: The test's p-value (small: the pattern is unlikely to be chance).
        passed: Whether the pattern holds: ``p_value < alpha`` and any stated margin met.
        seeds: Seeds the test used (fewest over its parts).
        detail: One line on what was compared and found.
    """

    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    passed: bool
    seeds: int
    detail: str


class Test(ABC):
    """A statistical test of a pattern over the per-seed values of its arms."""

    alpha: float = ALPHA

    @abstractmethod
    def arms(self) -> tuple[str, ...]:
        """Names of the arms the test reads, in order."""

    @abstractmethod
    def metrics(self) -> tuple[Metric, ...]:
        """The metrics the test reads."""

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The pairs of arms the test compares seed by seed (none unless paired)."""
        return ()

    def uses(self) -> tuple[tuple[Metric, str], ...]:
        """Each (metric, arm) the test reads."""
        return tuple((metric, arm) for metric in self.metrics() for arm in self.arms())

    def label(self) -> str:
        """The metric(s) in a few words, for the results table."""
        return "; ".join(dict.fromkeys(m.label for m in self.metrics()))

    @abstractmethod
    def describe(self) -> str:
        """The test in words, for the generated documentation."""

    def evaluate(self, values: Measure | Mapping[str, Any]) -> Outcome:
        """Run the test.

        Args:
            values: ``measure(metric, arm)`` returning per-seed values by replicate, or,
                for a test of one metric, a mapping of arm name to per-seed values.

        Returns:
            What the test found.
        """
        measure = _as_measure(values)
        return self._evaluate(lambda metric, arm: np.asarray(measure(metric, arm), float))

    @abstractmethod
    def _evaluate(self, measure: Measure) -> Outcome:
        """Run the test on ``measure(metric, arm)``, per-seed values as floats."""

    def _check_alpha(self) -> None:
        if (
            isinstance(self.alpha, bool)
            or not isinstance(self.alpha, (int, float))
            or not 0 < self.alpha < 1
        ):
            raise ValidationError(
                f"alpha={self.alpha!r} is not allowed: expected a number between 0 and 1"
            )


def _as_measure(values: Measure | Mapping[str, Any]) -> Measure:
    if isinstance(values, Mapping):
        return lambda metric, arm: values[arm]
    if not callable(values):
        raise ValidationError(
            "values must be measure(metric, arm) or a mapping of arm name to per-seed values"
        )
    return values


def check_metric(metric: object, test: str) -> None:
    """Refuse anything but a metric, naming the test."""
    if not isinstance(metric, Metric):
        raise ValidationError(
            f"{test}: {metric!r} is not a metric (Summary, AtWeek, Change, Mean, Custom or AtMost)"
        )


def check_arm(name: object, test: str) -> None:
    """Refuse an arm name that is not a non-empty text, naming the test."""
    if not isinstance(name, str) or not name:
        raise ValidationError(f"{test}: arm {name!r} is not allowed: expected an arm name")


#: Decimal places the signed-rank test keeps (``signed_rank_p``): far below any
#: difference the model's outputs can make, far above floating-point noise.
TIE_DECIMALS = 12


def signed_rank_p(x: np.ndarray, alternative: str) -> float:
    """Wilcoxon signed-rank p-value that ``x`` lies above 0, below it or away from it.

    ``alternative`` is scipy's: ``"greater"``, ``"less"`` or ``"two-sided"``.

    Zero values are split between the ranks (``zsplit``); no values, or only zeros,
    give p = 1. Values are first rounded to ``TIE_DECIMALS`` places, so that two values
    equal but for floating-point noise (0.2615384615384615 and 0.2615384615384616, say,
    the same share reached by two sums) tie, as they do on paper, and a p read back from
    a published table of the values is the p reported.
    """
    x = np.round(np.asarray(x, dtype=float), TIE_DECIMALS)
    if x.size == 0 or np.all(x == 0):
        return 1.0
    return float(wilcoxon(x, zero_method="zsplit", alternative=alternative).pvalue)


#: The two-sided signed-rank p below which the test agrees with an interval that excludes
#: 0: the level that matches the intervals' confidence.
CLEAR_P = 1 - CONFIDENCE


def clear_side(ci_low: float, ci_high: float, two_sided_p: float) -> str:
    """``"higher"`` or ``"lower"`` if an effect is clear, else ``"unclear"``.

    Clear when its interval lies wholly on one side of 0 and the two-sided signed-rank
    test of its per-seed differences agrees (p below ``CLEAR_P``): over a few seeds whose
    differences are mostly zero, a percentile bootstrap interval can shrink away from 0
    by chance, which the rank test shows (three seeds that all gain give p = 0.25).
    """
    if not two_sided_p < CLEAR_P:
        return "unclear"
    if ci_low > 0:
        return "higher"
    if ci_high < 0:
        return "lower"
    return "unclear"


def bootstrap_mean_ci(
    x: np.ndarray, *, seed: int = 0, resamples: int = BOOTSTRAP
) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of the mean of ``x`` (seeded, so repeatable)."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return np.nan, np.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(resamples, x.size))].mean(axis=1)
    return percentiles(means)


def bootstrap_difference_ci(
    a: np.ndarray, b: np.ndarray, *, seed: int = 0, resamples: int = BOOTSTRAP
) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of ``mean(a) - mean(b)``, samples independent."""
    if a.size == 0 or b.size == 0:
        return np.nan, np.nan
    rng = np.random.default_rng(seed)
    mean_a = a[rng.integers(0, a.size, size=(resamples, a.size))].mean(axis=1)
    mean_b = b[rng.integers(0, b.size, size=(resamples, b.size))].mean(axis=1)
    return percentiles(mean_a - mean_b)


def percentiles(samples: np.ndarray) -> tuple[float, float]:
    """The percentile interval of bootstrap samples at ``CONFIDENCE``."""
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def finite(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays without the seeds where any of them is NaN (pairs kept together)."""
    lengths = {a.size for a in arrays}
    if len(lengths) != 1:
        raise ValidationError(
            f"paired values differ in length ({sorted(lengths)}): the arms must have the same seeds"
        )
    keep = np.all([np.isfinite(a) for a in arrays], axis=0)
    return tuple(a[keep] for a in arrays)


def p_text(value: float | None) -> str:
    """A p-value in two significant figures, ``–`` when missing."""
    return "–" if value is None or not math.isfinite(value) else f"{value:.2g}"


def number_text(value: float) -> str:
    """A value in three significant figures."""
    return f"{value:.3g}"


class AllOf(Test):
    """Several tests that must all pass (a pattern with more than one outcome or part).

    Effect and interval: those of the first part (the headline). p: the largest of the
    parts'. Detail: the parts' details, in order.

    Args:
        *parts: The tests, the headline first.
    """

    def __init__(self, *parts: Test) -> None:
        if len(parts) < 2:
            raise ValidationError("AllOf: give two or more tests (use the test itself for one)")
        for part in parts:
            if not isinstance(part, Test):
                raise ValidationError(f"AllOf: {part!r} is not a test")
        self.parts = parts

    def __repr__(self) -> str:
        return f"AllOf({', '.join(repr(p) for p in self.parts)})"

    def arms(self) -> tuple[str, ...]:
        """The arms of every part, each once, in order."""
        return tuple(dict.fromkeys(arm for part in self.parts for arm in part.arms()))

    def metrics(self) -> tuple[Metric, ...]:
        """The metrics of every part, in order."""
        return tuple(m for part in self.parts for m in part.metrics())

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The pairs of arms the parts compare seed by seed."""
        return tuple(dict.fromkeys(pair for part in self.parts for pair in part.pairs()))

    def uses(self) -> tuple[tuple[Metric, str], ...]:
        """Each (metric, arm) a part reads, in order."""
        return tuple(use for part in self.parts for use in part.uses())

    def label(self) -> str:
        """The parts' metrics."""
        return "; ".join(dict.fromkeys(part.label() for part in self.parts))

    def describe(self) -> str:
        """The parts in words, each on its own line."""
        return "all of:\n" + "\n".join(
            f"{i}. {part.describe()}" for i, part in enumerate(self.parts, 1)
        )

    def _evaluate(self, measure: Measure) -> Outcome:
        outcomes = [part._evaluate(measure) for part in self.parts]
        head = outcomes[0]
        return Outcome(
            head.effect,
            head.ci_low,
            head.ci_high,
            max(o.p_value for o in outcomes),
            all(o.passed for o in outcomes),
            min(o.seeds for o in outcomes),
            "; ".join(o.detail for o in outcomes),
        )
