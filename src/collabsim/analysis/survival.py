"""Survival analysis of the weeks until a network dissolves, censored at the horizon.

A run either dissolves in week ``collapse_step`` (an event) or is still alive at the
end (``sustained``): then all we know is that it lasted at least ``horizon`` weeks, so
it is right-censored there. Treating censored runs as if they dissolved at the horizon,
or dropping them, biases any summary of how long networks last; these functions keep
the censoring and lean on ``lifelines`` for the estimators::

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
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

try:
    from lifelines import CoxPHFitter, KaplanMeierFitter, statistics, utils
except ImportError as error:  # an optional extra: say how to get it
    raise ImportError("collabsim.analysis.survival needs lifelines: "
                      "pip install 'collabsim[analysis]'") from error

#: Columns ``durations`` adds: weeks observed, and whether the network dissolved then.
WEEKS, DISSOLVED = "weeks", "dissolved"

#: Significance level of the proportional-hazards check.
PH_ALPHA = 0.05


@dataclass(frozen=True)
class ArmSurvival:
    """The Kaplan-Meier estimate of one arm.

    Attributes:
        arm: The arm's value of ``by`` (a tuple when ``by`` is a list of columns).
        curve: From week 0, one row per week the estimate can change: ``week``,
            ``survival`` (share still alive), ``lower`` and ``upper`` (pointwise
            interval, exponential Greenwood).
        median: Median weeks until dissolution; ``inf`` if not reached (over half the
            networks outlived the horizon).
        median_lower: Lower end of the median's interval (``inf`` if not reached).
        median_upper: Upper end; often ``inf``, where the upper curve stays above 1/2.
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
        test: ``"logrank_test"`` (two arms) or ``"multivariate_logrank_test"`` (more).
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
        proportional_hazards: One row per term (index ``term``): ``statistic`` and ``p``
            of lifelines' ``proportional_hazard_test`` (rank time transform), and
            ``assumption_holds``: p >= 0.05, no evidence the term's effect changes
            over time.
        runs: Runs the model was fitted to.
        events: Of these, runs that dissolved.
        model: The fitted ``lifelines.CoxPHFitter``, for plots and predictions.
    """

    hazard_ratios: pd.DataFrame
    concordance: float
    proportional_hazards: pd.DataFrame
    runs: int
    events: int
    model: CoxPHFitter


def durations(runs: pd.DataFrame, horizon: float | None = None) -> pd.DataFrame:
    """How long each run's network was observed, and whether it dissolved.

    Args:
        runs: One row per run, with ``sustained`` (alive at the end) and
            ``collapse_step`` (week it dissolved, missing if it did not), as
            ``collabsim.sweep(...).runs`` gives them.
        horizon: Week observation ended. Defaults to each run's ``horizon`` column.
            Pass the sweep's ``steps`` (``result.meta["steps"]``) if it ran a different
            number of weeks: a sustained run is censored where its run stopped.

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
    _require(runs, ["sustained", "collapse_step"])
    if "status" in runs.columns:
        failed = runs["status"] != "ok"
        if failed.any():
            raise ValueError(f"{_which(runs, failed)}: did not finish (status is not 'ok'), "
                             "so there is no outcome; keep the finished runs with "
                             "runs[runs['status'] == 'ok']")
    sustained = _flags(runs, "sustained")
    try:
        collapse = pd.to_numeric(runs["collapse_step"]).astype(float)
    except (TypeError, ValueError) as error:
        raise ValueError("column 'collapse_step' must hold week numbers, missing where the "
                         f"network did not dissolve: {error}") from None
    ends, source = _ends(runs, horizon)
    has_week = collapse.notna()
    for mask, problem in [
        (sustained & has_week, "marked sustained but collapse_step={week}; a sustained "
                               "network never dissolved, so collapse_step must be missing"),
        (~sustained & ~has_week, "not sustained but collapse_step is missing; " + (
            "with convened=False there was no network to dissolve: analyse "
            "runs[runs['convened']]" if "convened" in runs and not runs["convened"].all()
            else "a run that is not sustained must have the week it dissolved")),
        (has_week & ~(collapse > 0), "collapse_step={week} is not after week 0 (weeks "
                                     "start at 1)"),
        (has_week & (collapse > ends), "collapse_step={week} is beyond the horizon, week "
                                       "{end} (" + source + "); if the sweep ran more "
                                       "weeks than the horizon, pass horizon=its steps"),
    ]:
        if mask.any():
            first = mask.to_numpy().nonzero()[0][0]
            raise ValueError(f"{_which(runs, mask)}: " + problem.format(
                week=f"{collapse.iloc[first]:g}", end=f"{ends.iloc[first]:g}"))
    out = runs.copy()
    out[WEEKS] = collapse.where(has_week, ends)
    out[DISSOLVED] = has_week.to_numpy()
    return out


def kaplan_meier(runs: pd.DataFrame, by: str | Sequence[str], horizon: float | None = None,
                 alpha: float = 0.05) -> dict[Any, ArmSurvival]:
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
        raise ValueError(f"alpha={alpha!r} is not allowed: expected a number between 0 "
                         "and 1 (exclusive), e.g. 0.05 for 95% intervals")
    table, groups = _arms(runs, by, horizon)
    results = {}
    with _quiet():
        for key, arm in groups:
            kmf = KaplanMeierFitter(alpha=alpha).fit(arm[WEEKS], arm[DISSOLVED],
                                                    label=str(key))
            ci = kmf.confidence_interval_survival_function_
            curve = pd.DataFrame({"week": kmf.survival_function_.index.to_numpy(),
                                  "survival": kmf.survival_function_.iloc[:, 0].to_numpy(),
                                  "lower": ci.iloc[:, 0].to_numpy(),
                                  "upper": ci.iloc[:, 1].to_numpy()})
            # The median's interval is where the survival curve's bounds cross one half.
            median_ci = utils.median_survival_times(ci)
            end = float(_ends(arm, horizon)[0].max())  # the arm's longest horizon
            at_end = curve[curve["week"] <= end].iloc[-1]
            results[key] = ArmSurvival(
                arm=key, curve=curve, median=float(kmf.median_survival_time_),
                median_lower=float(median_ci.iloc[0, 0]),
                median_upper=float(median_ci.iloc[0, 1]), horizon=end,
                surviving=float(at_end["survival"]), surviving_lower=float(at_end["lower"]),
                surviving_upper=float(at_end["upper"]), runs=len(arm),
                events=int(arm[DISSOLVED].sum()))
    return results


def compare_arms(runs: pd.DataFrame, by: str | Sequence[str],
                 horizon: float | None = None) -> ArmComparison:
    """Log-rank test of whether networks last equally long in every arm.

    A rank test: week by week, it compares each arm's dissolutions with those expected
    under one shared hazard, so the durations need not be normal (nor uncensored). It
    is most powerful when hazards are proportional; crossing curves can hide a
    difference. Uses lifelines' ``logrank_test`` (two arms) or
    ``multivariate_logrank_test`` (more).

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
    table, groups = _arms(runs, by, horizon)
    arms = tuple(key for key, _ in groups)
    if len(arms) < 2:
        raise ValueError(f"one arm only ({by!r} = {_plain(arms[0])!r} in every run): need "
                         "at least two arms to compare")
    if not table[DISSOLVED].any():
        raise ValueError("no run dissolved: the arms cannot differ in when they dissolve")
    with _quiet():
        if len(arms) == 2:
            (_, a), (_, b) = groups
            result = statistics.logrank_test(a[WEEKS], b[WEEKS], a[DISSOLVED], b[DISSOLVED])
        else:
            # Integer labels: lifelines would turn tuple keys into a 2-D array.
            codes = table.groupby(_columns(by), sort=True).ngroup()
            result = statistics.multivariate_logrank_test(table[WEEKS], codes, table[DISSOLVED])
    return ArmComparison(test=result.test_name, statistic=float(result.test_statistic),
                         p_value=float(result.p_value),
                         degrees_of_freedom=len(arms) - 1, arms=arms)


def cox_model(runs: pd.DataFrame, covariates: str | Sequence[str],
              interactions: Sequence[tuple[str, str]] = (), horizon: float | None = None,
              strata: str | Sequence[str] | None = None) -> CoxResult:
    """Fit a Cox proportional-hazards model of the weeks until the network dissolves.

    The model says each covariate multiplies the weekly risk of dissolving by a
    constant factor, its hazard ratio (below 1: networks last longer), whatever the
    week; the proportional-hazards check tests that "whatever the week" per term.
    True/false covariates (e.g. ``academic_partner``) enter as 1/0. An interaction
    ``("a", "b")`` adds the product column ``"a × b"``; with it in the model, the hazard
    ratio of ``a`` is its effect where ``b`` is 0. Tied weeks use Efron's method.

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

    Returns:
        The hazard ratios with 95% intervals and p-values, the concordance, and the
        proportional-hazards check per term.

    Raises:
        ValueError: Bad runs (see ``durations``); a covariate that is missing, not
            numeric, has missing values or one value in every run; an interaction that
            is not a pair of covariates; or no run that dissolved.
    """
    covariates = list(dict.fromkeys(_columns(covariates, "covariates")))  # each once
    strata_columns = _columns(strata, "strata") if strata is not None else []
    table = durations(runs, horizon)
    _require(table, covariates + strata_columns)
    clash = set(covariates) & set(strata_columns)
    if clash:
        raise ValueError(f"{sorted(clash)} are both covariates and strata: a stratum gets "
                         "its own baseline hazard and no hazard ratio; choose one")
    data = pd.DataFrame({WEEKS: table[WEEKS], DISSOLVED: table[DISSOLVED].astype(int)})
    for name in covariates:
        data[name] = _numeric(table, name)
    for pair in interactions:
        if (isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2
                or any(part not in covariates for part in pair)):
            raise ValueError(f"interaction {pair!r} is not allowed: expected a pair of "
                             "covariates (interactions is a list of pairs, e.g. "
                             f"[({covariates[0]!r}, ...)]); covariates: "
                             + ", ".join(covariates))
        data[f"{pair[0]} × {pair[1]}"] = data[pair[0]] * data[pair[1]]
    _complete(table, strata_columns, "stratum ")
    for name in strata_columns:
        data[name] = table[name]
    events = int(data[DISSOLVED].sum())
    if events == 0:
        raise ValueError(f"no run dissolved (all {len(data)} were still alive at the "
                         "horizon): without events there are no hazards to compare")
    with _quiet():
        model = CoxPHFitter().fit(data, duration_col=WEEKS, event_col=DISSOLVED,
                                  strata=strata_columns or None)
        ph = statistics.proportional_hazard_test(model, data, time_transform="rank").summary
    summary = model.summary.rename_axis("term")
    hazard_ratios = pd.DataFrame({
        "hazard_ratio": summary["exp(coef)"], "lower": summary["exp(coef) lower 95%"],
        "upper": summary["exp(coef) upper 95%"], "p": summary["p"], "coef": summary["coef"]})
    ph = ph.reindex(summary.index)  # lifelines sorts it by name; keep the model's order
    proportional = pd.DataFrame({"statistic": ph["test_statistic"], "p": ph["p"],
                                 "assumption_holds": ph["p"] >= PH_ALPHA})
    return CoxResult(hazard_ratios, float(model.concordance_index_), proportional,
                     runs=len(data), events=events, model=model)


# --- helpers ---------------------------------------------------------------------------


def _columns(value: str | Sequence[str], what: str = "by") -> list[str]:
    """A column name or a list of them, as a non-empty list."""
    names = [value] if isinstance(value, str) else list(value) \
        if isinstance(value, Sequence) else None
    if not names or not all(isinstance(name, str) for name in names):
        raise ValueError(f"{what}={value!r} is not allowed: expected a column name or a "
                         "non-empty list of column names")
    return names


def _require(runs: pd.DataFrame, names: list[str]) -> None:
    """Raise if any of the columns is missing, listing (the first of) those there are."""
    missing = [name for name in names if name not in runs.columns]
    if missing:
        shown = ", ".join(map(str, runs.columns[:12])) + (", ..." if runs.shape[1] > 12 else "")
        raise ValueError(f"runs has no column {missing[0]!r}; its columns: {shown}")


def _which(runs: pd.DataFrame, mask: pd.Series) -> str:
    """The runs under ``mask`` in words: ``2 runs (run 3, run 7)``."""
    label, ids = ("run", runs.loc[mask, "run"]) if "run" in runs else ("row", runs.index[mask])
    count, shown = int(mask.sum()), ", ".join(f"{label} {i}" for i in list(ids)[:3])
    return f"{count} run{'s' * (count != 1)} ({shown}{', ...' * (count > 3)})"


def _ends(runs: pd.DataFrame, horizon: float | None) -> tuple[pd.Series, str]:
    """Each run's last week observed, and where it came from (for messages)."""
    if horizon is not None:
        if isinstance(horizon, bool) or not isinstance(horizon, int | float | np.number) \
                or not 0 < horizon < np.inf:
            raise ValueError(f"horizon={horizon!r} is not allowed: expected weeks > 0")
        return pd.Series(float(horizon), index=runs.index), f"horizon={horizon!r}"
    if "horizon" not in runs.columns:
        raise ValueError("no horizon: runs has no 'horizon' column; pass horizon=, the "
                         "week observation ended (e.g. 260)")
    ends = pd.to_numeric(runs["horizon"], errors="coerce").astype(float)
    bad = ~((ends > 0) & (ends < np.inf))
    if bad.any():
        raise ValueError(f"{_which(runs, bad)}: horizon={_plain(runs['horizon'][bad].iloc[0])!r}"
                         " is not allowed: expected weeks > 0")
    return ends, "its 'horizon'"


def _complete(table: pd.DataFrame, names: list[str], what: str = "") -> None:
    """Raise if any run has no value in one of the columns."""
    for name in names:
        if table[name].isna().any():
            raise ValueError(f"{_which(table, table[name].isna())}: no value of {what}{name!r}")


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value, so messages show ``52``, not ``np.int64(52)``."""
    return value.item() if isinstance(value, np.generic) else value


def _flags(runs: pd.DataFrame, name: str) -> pd.Series:
    """A true/false column as bools, refusing anything else."""
    column = runs[name]
    if column.dtype == bool:
        return column
    _complete(runs, [name])
    allowed = column.isin([True, False])  # also 1 and 0, which equal them
    if not allowed.all():
        raise ValueError(f"column {name!r} must be true or false, got "
                         f"{_plain(column[~allowed].iloc[0])!r} in {_which(runs, ~allowed)}")
    return column.astype(bool)


def _numeric(table: pd.DataFrame, name: str) -> pd.Series:
    """A covariate as floats: booleans as 1/0; refuse text, gaps and constants."""
    column = table[name]
    if column.dtype == bool or isinstance(column.dtype, pd.BooleanDtype):
        column = column.astype(float)
    elif not pd.api.types.is_numeric_dtype(column):
        raise ValueError(f"covariate {name!r} is not numeric or true/false (dtype "
                         f"{column.dtype}, e.g. {_plain(column.iloc[0])!r}); make one 0/1 column "
                         "per level, or pass it as strata=")
    _complete(table, [name], "covariate ")
    column = column.astype(float)
    if column.nunique() < 2:
        raise ValueError(f"covariate {name!r} is {column.iloc[0]:g} in every run: a "
                         "constant has no hazard ratio; leave it out")
    return column


def _arms(runs: pd.DataFrame, by: str | Sequence[str],
          horizon: float | None) -> tuple[pd.DataFrame, list[tuple[Hashable, pd.DataFrame]]]:
    """The durations table and its arms, sorted by their value of ``by``."""
    names = _columns(by)
    table = durations(runs, horizon)
    _require(table, names)
    _complete(table, names, "arm column ")
    return table, list(table.groupby(by if isinstance(by, str) else names, sort=True))


@contextmanager
def _quiet():
    """Silence pandas' deprecation notices raised inside lifelines (not ours to fix)."""
    with warnings.catch_warnings():
        for category in (DeprecationWarning, FutureWarning):
            warnings.filterwarnings("ignore", category=category, module="lifelines")
        yield
