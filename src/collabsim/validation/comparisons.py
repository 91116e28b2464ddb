"""Tests that compare arms: ``Greater``, ``Interaction`` and ``Steadier``.

See ``collabsim.validation.stats`` for what every test returns and how intervals and
missing values are handled.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

import numpy as np
from scipy.stats import mannwhitneyu

from collabsim.validation.metrics import Metric, ValidationError
from collabsim.validation.stats import (
    ALPHA,
    Measure,
    Outcome,
    Test,
    bootstrap_difference_ci,
    bootstrap_mean_ci,
    check_arm,
    check_metric,
    finite,
    number_text,
    p_text,
    percentiles,
    signed_rank_p,
)


@dataclass(frozen=True)
class Greater(Test):
    """Arm ``higher`` tends to give a larger metric than arm ``lower``.

    Effect: mean of ``higher`` minus mean of ``lower`` (the mean per-seed difference
    when paired). Passes if p < alpha and the effect exceeds ``margin``.

    Args:
        metric: The metric compared.
        higher: The arm expected to be higher.
        lower: The arm expected to be lower.
        paired: Pair the arms seed by seed (Wilcoxon signed-rank on the differences);
            False compares them as independent samples (Mann-Whitney U).
        margin: Smallest effect that counts (in the metric's units).
        alpha: Significance level.
        seed: Seed of the bootstrap.
    """

    metric: Metric
    higher: str
    lower: str
    _: KW_ONLY
    paired: bool = True
    margin: float = 0.0
    alpha: float = ALPHA
    seed: int = 0

    def __post_init__(self) -> None:
        check_metric(self.metric, "Greater")
        check_arm(self.higher, "Greater")
        check_arm(self.lower, "Greater")
        if self.higher == self.lower:
            raise ValidationError(f"Greater: higher and lower are both {self.higher!r}")
        self._check_alpha()

    def arms(self) -> tuple[str, ...]:
        """The two arms, higher first."""
        return (self.higher, self.lower)

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The two arms, if compared seed by seed."""
        return ((self.higher, self.lower),) if self.paired else ()

    def metrics(self) -> tuple[Metric, ...]:
        """The metric compared."""
        return (self.metric,)

    def describe(self) -> str:
        """The test in words."""
        how = (
            "paired by seed, one-sided Wilcoxon signed-rank test"
            if self.paired
            else "one-sided Mann-Whitney U test"
        )
        margin = f", mean difference above {self.margin:g}" if self.margin else ""
        return (
            f"{self.metric.describe()} higher in `{self.higher}` than in `{self.lower}` "
            f"({how}, p < {self.alpha:g}{margin})"
        )

    def _evaluate(self, measure: Measure) -> Outcome:
        a, b = measure(self.metric, self.higher), measure(self.metric, self.lower)
        if self.paired:
            a, b = finite(a, b)
            difference = a - b
            p = signed_rank_p(difference, "greater")
            low, high = bootstrap_mean_ci(difference, seed=self.seed)
            how, seeds = "Wilcoxon signed-rank", a.size
        else:
            a, b = a[np.isfinite(a)], b[np.isfinite(b)]
            p = (
                1.0
                if a.size == 0 or b.size == 0
                else float(mannwhitneyu(a, b, alternative="greater").pvalue)
            )
            low, high = bootstrap_difference_ci(a, b, seed=self.seed)
            how, seeds = "Mann-Whitney", min(a.size, b.size)
        effect = float(np.mean(a) - np.mean(b)) if a.size and b.size else np.nan
        passed = bool(p < self.alpha and effect > self.margin)
        detail = (
            (
                f"{self.metric.label}: {self.higher} {number_text(np.mean(a))} vs {self.lower} "
                f"{number_text(np.mean(b))}, {how} p={p_text(p)}, {seeds} seeds"
            )
            if seeds
            else f"{self.metric.label}: no seeds with values in both arms"
        )
        return Outcome(effect, low, high, p, passed, seeds, detail)


@dataclass(frozen=True)
class Interaction(Test):
    """The gain from arm ``b`` to ``a`` exceeds the gain from ``d`` to ``c``, seed by seed.

    Effect: mean of ``(a - b) - (c - d)``. Passes if p < alpha (Wilcoxon signed-rank
    on the per-seed differences of differences) and the effect exceeds ``margin``; with
    ``ratio_below`` also ``mean(a - b) > 0`` and ``mean(c - d) < ratio_below *
    mean(a - b)`` (the second gain is small, not only smaller).

    Args:
        metric: The metric.
        first: The arms ``(a, b)`` of the gain expected to be larger.
        second: The arms ``(c, d)`` of the gain expected to be smaller.
        ratio_below: If given, the largest ratio of the mean second gain to the mean
            first gain that passes.
        margin: Smallest effect that counts.
        alpha: Significance level.
        seed: Seed of the bootstrap.
    """

    metric: Metric
    first: tuple[str, str]
    second: tuple[str, str]
    _: KW_ONLY
    ratio_below: float | None = None
    margin: float = 0.0
    alpha: float = ALPHA
    seed: int = 0

    def __post_init__(self) -> None:
        check_metric(self.metric, "Interaction")
        for pair in (self.first, self.second):
            if isinstance(pair, str) or len(tuple(pair)) != 2:
                raise ValidationError(
                    f"Interaction: {pair!r} is not a pair of arm names (higher, lower)"
                )
            for name in pair:
                check_arm(name, "Interaction")
        object.__setattr__(self, "first", tuple(self.first))
        object.__setattr__(self, "second", tuple(self.second))
        if self.ratio_below is not None and not self.ratio_below > 0:
            raise ValidationError(
                f"Interaction: ratio_below={self.ratio_below!r} is not "
                "allowed: expected a number above 0"
            )
        self._check_alpha()

    def arms(self) -> tuple[str, ...]:
        """The four arms: a, b, c, d."""
        return (*self.first, *self.second)

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Each gain's two arms (compared seed by seed)."""
        return (self.first, self.second)

    def metrics(self) -> tuple[Metric, ...]:
        """The metric."""
        return (self.metric,)

    def describe(self) -> str:
        """The test in words."""
        (a, b), (c, d) = self.first, self.second
        text = (
            f"the gain in {self.metric.describe()} from `{b}` to `{a}` exceeds the gain "
            f"from `{d}` to `{c}`, seed by seed (one-sided Wilcoxon signed-rank test on "
            f"the differences of gains, p < {self.alpha:g})"
        )
        if self.ratio_below is not None:
            text += (
                f"; the first gain is positive on average and the second under "
                f"{self.ratio_below:g} times it"
            )
        return text

    def _evaluate(self, measure: Measure) -> Outcome:
        a, b, c, d = finite(*(measure(self.metric, arm) for arm in self.arms()))
        first, second = a - b, c - d
        difference = first - second
        p = signed_rank_p(difference, "greater")
        low, high = bootstrap_mean_ci(difference, seed=self.seed)
        seeds = difference.size
        effect = float(np.mean(difference)) if seeds else np.nan
        gain_1, gain_2 = (
            (float(np.mean(first)), float(np.mean(second))) if seeds else (np.nan, np.nan)
        )
        passed = bool(p < self.alpha and effect > self.margin)
        (a_name, b_name), (c_name, d_name) = self.first, self.second
        detail = (
            f"{self.metric.label}: gain {number_text(gain_1)} ({b_name} to {a_name}) vs "
            f"{number_text(gain_2)} ({d_name} to {c_name}), Wilcoxon signed-rank "
            f"p={p_text(p)}, {seeds} seeds"
        )
        if self.ratio_below is not None:
            small = bool(gain_1 > 0 and gain_2 < self.ratio_below * gain_1)
            passed = passed and small
            ratio = gain_2 / gain_1 if gain_1 else np.nan
            detail += (
                f"; ratio of gains {number_text(ratio)} "
                f"({'below' if small else 'not below'} {self.ratio_below:g})"
            )
        return Outcome(effect, low, high, p, passed, seeds, detail)


@dataclass(frozen=True)
class Steadier(Test):
    """Arm ``steadier``'s metric varies less across seeds, relative to its mean.

    Effect: coefficient of variation (standard deviation over mean) of ``other`` minus
    that of ``steadier``. The arms are resampled independently ``resamples`` times; p is
    the share of resamples in which ``steadier`` is not the steadier, ``(k + 1) /
    (resamples + 1)``, and the test passes if p < alpha.

    Args:
        metric: The metric.
        steadier: The arm expected to vary less.
        other: The arm compared with.
        resamples: Bootstrap resamples.
        alpha: Significance level.
        seed: Seed of the bootstrap.
    """

    metric: Metric
    steadier: str
    other: str
    _: KW_ONLY
    resamples: int = 4_000
    alpha: float = ALPHA
    seed: int = 0

    def __post_init__(self) -> None:
        check_metric(self.metric, "Steadier")
        check_arm(self.steadier, "Steadier")
        check_arm(self.other, "Steadier")
        if (
            isinstance(self.resamples, bool)
            or not isinstance(self.resamples, int)
            or self.resamples < 100
        ):
            raise ValidationError(
                f"Steadier: resamples={self.resamples!r} is not allowed: "
                "expected a whole number >= 100"
            )
        self._check_alpha()

    def arms(self) -> tuple[str, ...]:
        """The two arms, the steadier first."""
        return (self.steadier, self.other)

    def metrics(self) -> tuple[Metric, ...]:
        """The metric."""
        return (self.metric,)

    def label(self) -> str:
        """The metric's spread, in a few words."""
        return f"spread of {self.metric.label}"

    def describe(self) -> str:
        """The test in words."""
        return (
            f"{self.metric.describe()} varies less across seeds, relative to its mean, in "
            f"`{self.steadier}` than in `{self.other}` (difference in coefficients of "
            f"variation, bootstrapped {self.resamples:,} times, one-sided p < "
            f"{self.alpha:g})"
        )

    def _evaluate(self, measure: Measure) -> Outcome:
        a, b = measure(self.metric, self.steadier), measure(self.metric, self.other)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if a.size < 2 or b.size < 2:
            return Outcome(
                np.nan,
                np.nan,
                np.nan,
                1.0,
                False,
                min(a.size, b.size),
                f"spread of {self.metric.label}: too few seeds with values",
            )
        rng = np.random.default_rng(self.seed)
        sample_a = a[rng.integers(0, a.size, size=(self.resamples, a.size))]
        sample_b = b[rng.integers(0, b.size, size=(self.resamples, b.size))]
        with np.errstate(divide="ignore", invalid="ignore"):
            reduction = sample_b.std(axis=1) / sample_b.mean(axis=1) - sample_a.std(
                axis=1
            ) / sample_a.mean(axis=1)
        not_steadier = int(np.sum(~(reduction > 0)))
        p = (not_steadier + 1) / (self.resamples + 1)
        cv_a, cv_b = np.std(a) / np.mean(a), np.std(b) / np.mean(b)
        low, high = (
            percentiles(reduction[np.isfinite(reduction)])
            if np.isfinite(reduction).any()
            else (np.nan, np.nan)
        )
        detail = (
            f"coefficient of variation of {self.metric.label}: {self.steadier} "
            f"{number_text(cv_a)} vs {self.other} {number_text(cv_b)}, bootstrap "
            f"p={p_text(p)}, {min(a.size, b.size)} seeds"
        )
        return Outcome(
            float(cv_b - cv_a), low, high, p, bool(p < self.alpha), min(a.size, b.size), detail
        )
