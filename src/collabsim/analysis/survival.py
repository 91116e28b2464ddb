"""Survival analysis of the weeks until a network dissolves, censored at the horizon.

A run either dissolves in week ``collapse_step`` (an event) or is still alive at the
end (``sustained``): then all we know is that it lasted at least ``horizon`` weeks, so
it is right-censored there. Treating censored runs as if they dissolved at the horizon,
or dropping them, biases any summary of how long networks last; these functions keep
the censoring and lean on ``statsmodels.duration`` for the estimators::

    from collabsim.analysis import survival
    runs = collabsim.sweep(scenario="beston", factors={"cede_willingness": [0.1, 0.9]},
                           replicates=20, outputs=["sustained", "collapse_step"]).runs
    arms = survival.kaplan_meier(runs, by="cede_willingness")
    arms[0.9].median, arms[0.9].surviving        # median weeks, share alive at the end
    survival.compare_arms(runs, by="cede_willingness").p_value
    survival.cox_model(runs, ["cede_willingness"]).hazard_ratios

Sweeps use common random numbers (replicate ``r`` has the same seed at every design
point), so arms are not independent samples. The log-rank test and the Cox model
ignore that pairing, which in general makes them conservative; ``strata="seed"`` in
``cox_model`` compares design points within each seed instead.

Conventions where packages differ: the median is the first week the estimate is at or
below 1/2, its interval Brookmeyer-Crowley's (log-log scale); curve intervals are
exponential Greenwood; Cox ties use Efron's method, and the fit halves a Newton step
that overshoots (as R's ``coxph`` does; statsmodels alone would diverge on some designs).

``durations`` and the checks on a runs table's columns are in ``censoring``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

try:
    from statsmodels.duration.hazard_regression import PHReg, PHRegResults
    from statsmodels.duration.survfunc import SurvfuncRight, survdiff
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
except ImportError as error:  # an optional extra: say how to get it
    raise ImportError(
        "collabsim.analysis.survival needs statsmodels: pip install 'collabsim[analysis]'"
    ) from error

from collabsim.analysis._estimators import (
    cox_fit,
    curve_with_intervals,
    harrell_c,
    schoenfeld_test,
)
from collabsim.analysis.censoring import (
    DISSOLVED,
    WEEKS,
    arm_groups,
    column_names,
    durations,
    observation_ends,
    plain,
    require_columns,
    require_values,
)

#: Significance level of the proportional-hazards check.
PH_ALPHA = 0.05

#: Functions of the event week the proportional-hazards check correlates residuals with.
TIME_TRANSFORMS = ("rank", "identity", "log")


@dataclass(frozen=True)
class ArmSurvival:
    """The Kaplan-Meier estimate of one arm.

    Attributes:
        arm: The arm's value of ``by`` (a tuple when ``by`` is a list of columns).
        curve: From week 0, one row per week in which a network dissolved (where the
            estimate steps down), and a last row at the arm's last week observed if
            that is later: ``week``, ``survival`` (share still alive), ``lower`` and
            ``upper`` (pointwise interval, exponential Greenwood).
        median: Median weeks until dissolution; ``inf`` if not reached (over half the
            networks outlived the horizon).
        median_lower: Lower end of the median's interval: ``inf`` if not reached;
            ``nan`` if the arm is too small to give one (e.g. all dissolved in one week).
        median_upper: Upper end; often ``inf``, where the estimate stays near 1/2 to
            the last week a network dissolved.
        horizon: Week the share below is read at (the arm's longest horizon).
        surviving: Share still alive at ``horizon``; with no run censored earlier,
            exactly the share of runs sustained.
        surviving_lower: Lower end of its interval (which has no width when no run,
            or every run, dissolved).
        surviving_upper: Upper end of its interval.
        runs: Runs in the arm.
        events: Runs in the arm that dissolved.
    """

    arm: Any
    curve: pd.DataFrame
    median: float
    median_lower: float
    median_upper: float
    horizon: float
    surviving: float
    surviving_lower: float
    surviving_upper: float
    runs: int
    events: int


@dataclass(frozen=True)
class ArmComparison:
    """A log-rank test of whether arms differ in how long their networks last.

    Attributes:
        test: ``"logrank_test"`` (two arms) or ``"multivariate_logrank_test"`` (more:
            the k-sample log-rank test).
        statistic: The chi-squared test statistic.
        p_value: Its p-value (null hypothesis: the same hazard in every arm).
        degrees_of_freedom: Arms minus one.
        arms: Every arm's value of ``by``, in sorted order.
    """

    test: str
    statistic: float
    p_value: float
    degrees_of_freedom: int
    arms: tuple[Any, ...]


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional-hazards model of the weeks until dissolution.

    Attributes:
        hazard_ratios: One row per term (index ``term``): ``hazard_ratio`` (the factor
            by which one unit more of the term multiplies the weekly risk of
            dissolving), its 95% interval ``lower`` and ``upper``, ``p`` (Wald test of
            a ratio of 1) and ``coef`` (the log hazard ratio).
        concordance: Harrell's concordance index of the fit (0.5: no better than chance).
        proportional_hazards: One row per term (index ``term``), Grambsch and
            Therneau's check: ``rho``, the correlation of the term's scaled Schoenfeld
            residuals with ``time_transform`` of the week (above 0: the log hazard ratio
            grows over time); ``statistic`` (chi-squared, 1 degree of freedom) and
            ``p``; ``assumption_holds``: no evidence the effect drifts (p >= 0.05, or
            no test: ``p`` is ``nan`` when every dissolution fell in one week).
        runs: Runs the model was fitted to.
        events: Of these, runs that dissolved.
        model: The fitted ``statsmodels`` ``PHRegResults`` (``.model`` is the
            ``PHReg``), for residuals and predictions.
    """

    hazard_ratios: pd.DataFrame
    concordance: float
    proportional_hazards: pd.DataFrame
    runs: int
    events: int
    model: PHRegResults


def kaplan_meier(
    runs: pd.DataFrame, by: str | Sequence[str], horizon: float | None = None, alpha: float = 0.05
) -> dict[Any, ArmSurvival]:
    """Kaplan-Meier survival curve, median survival and survival at the horizon, per arm.

    Args:
        runs: The runs table (see ``durations``).
        by: Column (or list of columns) whose values make the arms, e.g.
            ``"cede_willingness"``.
        horizon: Week observation ended (see ``durations``).
        alpha: The intervals are ``1 - alpha`` confidence intervals.

    Returns:
        One ``ArmSurvival`` per arm, keyed by the arm's value of ``by`` (a tuple when
        ``by`` is a list), in sorted order. A median that is not reached (more than
        half of the arm's networks outlived the horizon) is ``inf``, as are the ends
        of its interval that are not reached.

    Raises:
        ValueError: Bad runs (see ``durations``), a ``by`` column that is missing or
            has missing values, or ``alpha`` outside (0, 1).
    """
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ValueError(
            f"alpha={alpha!r} is not allowed: expected a number between 0 "
            "and 1 (exclusive), e.g. 0.05 for 95% intervals"
        )
    table, groups = arm_groups(runs, by, horizon)
    results = {}
    for key, arm in groups:
        fit = SurvfuncRight(arm[WEEKS].to_numpy(float), arm[DISSOLVED].to_numpy(int))
        curve = curve_with_intervals(fit, alpha, last=float(arm[WEEKS].max()))
        # The product of fractions like 3/4 * 2/3 lands a hair off 1/2: allow for it.
        below = np.flatnonzero(fit.surv_prob <= 0.5 + 1e-9)
        median = float(fit.surv_times[below[0]]) if len(below) else np.inf
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) where all dissolved
            lower, upper = map(float, fit.quantile_ci(0.5, alpha=alpha, method="cloglog"))
        if np.isnan(lower) and median == np.inf:
            # No week's estimate is compatible with 1/2: the median is beyond the horizon.
            lower = upper = np.inf
        end = float(observation_ends(arm, horizon)[0].max())  # the arm's longest horizon
        at_end = curve[curve["week"] <= end].iloc[-1]
        results[key] = ArmSurvival(
            arm=key,
            curve=curve,
            median=median,
            median_lower=lower,
            median_upper=upper,
            horizon=end,
            surviving=float(at_end["survival"]),
            surviving_lower=float(at_end["lower"]),
            surviving_upper=float(at_end["upper"]),
            runs=len(arm),
            events=int(arm[DISSOLVED].sum()),
        )
    return results


def compare_arms(
    runs: pd.DataFrame, by: str | Sequence[str], horizon: float | None = None
) -> ArmComparison:
    """Log-rank test of whether networks last equally long in every arm.

    A rank test: week by week, it compares each arm's dissolutions with those expected
    under one shared hazard, so the durations need not be normal (nor uncensored). It
    is most powerful when hazards are proportional; crossing curves can hide a
    difference. With k arms the statistic is chi-squared on k - 1 degrees of freedom
    (statsmodels' ``survdiff``).

    Args:
        runs: The runs table (see ``durations``).
        by: Column (or list of columns) whose values make the arms.
        horizon: Week observation ended (see ``durations``).

    Returns:
        The test statistic and p-value.

    Raises:
        ValueError: Bad runs (see ``durations``), a ``by`` column that is missing or has
            missing values, fewer than two arms, or no run that dissolved.
    """
    table, groups = arm_groups(runs, by, horizon)
    arms = tuple(key for key, _ in groups)
    if len(arms) < 2:
        raise ValueError(
            f"one arm only ({by!r} = {plain(arms[0])!r} in every run): need "
            "at least two arms to compare"
        )
    if not table[DISSOLVED].any():
        raise ValueError("no run dissolved: the arms cannot differ in when they dissolve")
    # Integer labels: survdiff sorts the labels, which tuples of mixed types defeat.
    codes = table.groupby(column_names(by), sort=True, observed=True).ngroup().to_numpy()
    try:
        statistic, _ = survdiff(table[WEEKS].to_numpy(float), table[DISSOLVED].to_numpy(int), codes)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the arms cannot be compared: some arm has no run at risk at any "
            "week a network dissolved (every run censored before then)"
        ) from None
    degrees = len(arms) - 1
    # The p-value from the upper tail directly: 1 - cdf rounds to 0 for large statistics.
    return ArmComparison(
        test="logrank_test" if degrees == 1 else "multivariate_logrank_test",
        statistic=float(statistic),
        p_value=float(stats.chi2.sf(statistic, degrees)),
        degrees_of_freedom=degrees,
        arms=arms,
    )


def cox_model(
    runs: pd.DataFrame,
    covariates: str | Sequence[str],
    interactions: Sequence[tuple[str, str]] = (),
    horizon: float | None = None,
    strata: str | Sequence[str] | None = None,
    time_transform: str = "rank",
) -> CoxResult:
    """Fit a Cox proportional-hazards model of the weeks until the network dissolves.

    The model says each covariate multiplies the weekly risk of dissolving by a
    constant factor, its hazard ratio (below 1: networks last longer), whatever the
    week; the proportional-hazards check tests that "whatever the week" per term.
    True/false covariates (e.g. ``academic_partner``) enter as 1/0. An interaction
    ``("a", "b")`` adds the product column ``"a × b"``; with it in the model, the hazard
    ratio of ``a`` is its effect where ``b`` is 0. Tied weeks use Efron's method.

    If a term's log hazard ratio drifts with time, its scaled Schoenfeld residuals trend
    with the week: the proportional-hazards check tests that trend (Grambsch and
    Therneau 1994). The concordance compares runs within a stratum only.

    Args:
        runs: The runs table (see ``durations``).
        covariates: Numeric or true/false columns, e.g.
            ``["cede_willingness", "distributed_leadership"]``.
        interactions: Pairs of covariates to add the product of, e.g.
            ``[("cede_willingness", "distributed_leadership")]``; both must be in
            ``covariates``.
        horizon: Week observation ended (see ``durations``).
        strata: Column(s) to stratify by: each value gets its own baseline hazard,
            with no hazard ratio (e.g. ``"seed"`` to compare within seeds).
        time_transform: What the check correlates residuals with: ``"rank"`` of the
            week among dissolutions (robust to a few late ones), ``"identity"``, ``"log"``.

    Returns:
        The hazard ratios with 95% intervals and p-values, the concordance, and the
        proportional-hazards check per term.

    Raises:
        ValueError: Bad runs (see ``durations``); a covariate that is missing, not
            numeric, has missing values or one value in every run; an interaction that
            is not a pair of covariates; an unknown ``time_transform``; or no run that
            dissolved.

    Warns:
        ConvergenceWarning: The fit did not converge, as when a covariate separates the
            runs that dissolved from those that lasted (a hazard ratio of 0 or infinity).
    """
    if time_transform not in TIME_TRANSFORMS:
        raise ValueError(
            f"time_transform={time_transform!r} is not allowed: expected one "
            f"of {', '.join(TIME_TRANSFORMS)}"
        )
    covariates = list(dict.fromkeys(column_names(covariates, "covariates")))  # each once
    strata_columns = column_names(strata, "strata") if strata is not None else []
    table = durations(runs, horizon)
    require_columns(table, covariates + strata_columns)
    clash = set(covariates) & set(strata_columns)
    if clash:
        raise ValueError(
            f"{sorted(clash)} are both covariates and strata: a stratum gets "
            "its own baseline hazard and no hazard ratio; choose one"
        )
    data = pd.DataFrame({WEEKS: table[WEEKS], DISSOLVED: table[DISSOLVED].astype(int)})
    for name in covariates:
        data[name] = _numeric(table, name)
    for pair in interactions:
        if (
            isinstance(pair, str)
            or not isinstance(pair, Sequence)
            or len(pair) != 2
            or any(part not in covariates for part in pair)
        ):
            raise ValueError(
                f"interaction {pair!r} is not allowed: expected a pair of "
                "covariates (interactions is a list of pairs, e.g. "
                f"[({covariates[0]!r}, ...)]); covariates: " + ", ".join(covariates)
            )
        data[f"{pair[0]} × {pair[1]}"] = data[pair[0]] * data[pair[1]]
    require_values(table, strata_columns, "stratum ")
    # One integer per stratum: PHReg sorts the labels, which tuples of values defeat.
    stratum = (
        table.groupby(strata_columns, observed=True).ngroup()
        if strata_columns
        else pd.Series(0, index=table.index)
    ).to_numpy()
    events = int(data[DISSOLVED].sum())
    if events == 0:
        raise ValueError(
            f"no run dissolved (all {len(data)} were still alive at the "
            "horizon): without events there are no hazards to compare"
        )
    terms = [name for name in data.columns if name not in (WEEKS, DISSOLVED)]
    weeks, dissolved = data[WEEKS].to_numpy(float), data[DISSOLVED].to_numpy(int)
    exog = data[terms].to_numpy(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cox_fit(PHReg(weeks, exog, status=dissolved, strata=stratum, ties="efron"))
    said = set()
    for warning in caught:  # statsmodels' own notice points to results PHReg does not keep
        if issubclass(warning.category, ConvergenceWarning):
            warning.message = ConvergenceWarning(
                "the Cox model did not converge: a covariate may separate the runs that "
                "dissolved from those that lasted; its hazard ratio is not to be trusted"
            )
        if (warning.category, str(warning.message)) in said:  # the fit's and statsmodels'
            continue
        said.add((warning.category, str(warning.message)))
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    coef = np.asarray(fit.params)
    with np.errstate(over="ignore"):  # an unbounded interval is inf (warned above)
        interval = np.exp(np.asarray(fit.conf_int(alpha=0.05)))
    index = pd.Index(terms, name="term")
    hazard_ratios = pd.DataFrame(
        {
            "hazard_ratio": np.exp(coef),
            "lower": interval[:, 0],
            "upper": interval[:, 1],
            "p": np.asarray(fit.pvalues),
            "coef": coef,
        },
        index=index,
    )
    rho, statistic = schoenfeld_test(fit, weeks, dissolved, time_transform)
    p = stats.chi2.sf(statistic, 1)
    proportional = pd.DataFrame(
        {"rho": rho, "statistic": statistic, "p": p, "assumption_holds": ~(p < PH_ALPHA)},
        index=index,
    )
    return CoxResult(
        hazard_ratios,
        harrell_c(weeks, dissolved, exog @ coef, stratum),
        proportional,
        runs=len(data),
        events=events,
        model=fit,
    )


# --- helpers ---------------------------------------------------------------------------


def _numeric(table: pd.DataFrame, name: str) -> pd.Series:
    """A covariate as floats: booleans as 1/0; refuse text, gaps and constants."""
    column = table[name]
    if column.dtype == bool or isinstance(column.dtype, pd.BooleanDtype):
        column = column.astype(float)
    elif not pd.api.types.is_numeric_dtype(column):
        raise ValueError(
            f"covariate {name!r} is not numeric or true/false (dtype "
            f"{column.dtype}, e.g. {plain(column.iloc[0])!r}); make one 0/1 column "
            "per level, or pass it as strata="
        )
    require_values(table, [name], "covariate ")
    column = column.astype(float)
    if column.nunique() < 2:
        raise ValueError(
            f"covariate {name!r} is {column.iloc[0]:g} in every run: a "
            "constant has no hazard ratio; leave it out"
        )
    return column


__all__ = [
    "DISSOLVED",
    "PH_ALPHA",
    "TIME_TRANSFORMS",
    "WEEKS",
    "ArmComparison",
    "ArmSurvival",
    "CoxResult",
    "compare_arms",
    "cox_model",
    "durations",
    "kaplan_meier",
]
