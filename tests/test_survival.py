"""Survival analysis of the weeks until a network dissolves (collabsim.analysis.survival)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.tools.sm_exceptions import ConvergenceWarning

import collabsim
from collabsim.analysis import survival

HORIZON = 104


def exponential_runs(
    hazards: dict, n: int, seed: int, horizon: float = HORIZON, extra=None
) -> pd.DataFrame:
    """Runs whose networks dissolve after exponential times, censored at ``horizon``.

    ``hazards`` maps an arm's value of ``arm`` to its weekly hazard; ``extra(rng, n)``
    may return covariate columns and a log-hazard shift per run.
    """
    rng = np.random.default_rng(seed)
    frames = []
    for arm, hazard in hazards.items():
        columns, shift = extra(rng, n) if extra else ({}, np.zeros(n))
        times = rng.exponential(1.0 / (hazard * np.exp(shift)))
        dissolved = times <= horizon
        frames.append(
            pd.DataFrame(
                {
                    "arm": arm,
                    **columns,
                    "sustained": ~dissolved,
                    "collapse_step": np.where(dissolved, times, np.nan),
                    "horizon": horizon,
                }
            )
        )
    runs = pd.concat(frames, ignore_index=True)
    runs.insert(0, "run", np.arange(len(runs)))
    return runs


# --- known answers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_hazards() -> pd.DataFrame:
    # Hazards 0.01 and 0.025 a week: a true hazard ratio of 2.5. With 300 runs an arm,
    # about 190 and 280 dissolve by week 104, so the log hazard ratio's standard error is
    # about sqrt(1/190 + 1/280) = 0.09: the 95% interval spans roughly 2.1 to 3.0.
    return exponential_runs({False: 0.01, True: 0.025}, n=300, seed=11)


def test_cox_interval_contains_the_true_hazard_ratio(two_hazards):
    fit = survival.cox_model(two_hazards, "arm")
    row = fit.hazard_ratios.loc["arm"]
    assert row["lower"] < 2.5 < row["upper"]
    assert row["lower"] > 1  # harmful: the whole interval says the risk is higher
    assert row["coef"] == pytest.approx(math.log(row["hazard_ratio"]))
    # and is informative: at this sample size it is narrower than a factor of 1.6
    assert row["upper"] / row["lower"] < 1.6
    assert row["p"] < 1e-6
    assert fit.runs == 600 and fit.events == int((~two_hazards["sustained"]).sum())
    # exponential times have proportional hazards by construction
    assert fit.proportional_hazards.loc["arm", "assumption_holds"]
    assert 0.5 < fit.concordance < 0.75


def test_logrank_separates_different_hazards(two_hazards):
    result = survival.compare_arms(two_hazards, "arm")
    assert result.test == "logrank_test"
    assert result.arms == (False, True) and result.degrees_of_freedom == 1
    # expected chi-squared about (ln 2.5 / 0.09)^2 = 100; p < 1e-6 leaves a wide margin
    assert result.statistic > 25 and result.p_value < 1e-6


def test_logrank_does_not_separate_identical_arms():
    # Same hazard in both arms: p is uniform on (0, 1) across seeds, and 0.05 would
    # wrongly reject in 1 seed of 20. This fixed seed is one of the other 19.
    runs = exponential_runs({"a": 0.02, "b": 0.02}, n=300, seed=5)
    assert survival.compare_arms(runs, "arm").p_value > 0.05


def test_more_than_two_arms_use_the_multivariate_test():
    runs = exponential_runs({1: 0.01, 2: 0.02, 3: 0.04}, n=150, seed=3)
    result = survival.compare_arms(runs, "arm")
    assert result.test == "multivariate_logrank_test"
    assert result.degrees_of_freedom == 2 and result.p_value < 1e-6


def test_kaplan_meier_median_matches_the_exponential_median(two_hazards):
    arms = survival.kaplan_meier(two_hazards, "arm")
    assert list(arms) == [False, True]
    for key, hazard in [(False, 0.01), (True, 0.025)]:
        arm = arms[key]
        true_median = math.log(2) / hazard  # 69.3 and 27.7 weeks, both within 104
        assert arm.median_lower <= true_median <= arm.median_upper
        assert arm.median_lower <= arm.median <= arm.median_upper
        # and the share alive at the horizon, exp(-hazard * 104)
        assert arm.surviving_lower <= math.exp(-hazard * HORIZON) <= arm.surviving_upper
        assert arm.runs == 300 and arm.horizon == HORIZON


def test_median_not_reached_is_infinite():
    # 0.002 a week: about 81% still alive at week 104, so the median is never reached
    runs = exponential_runs({"slow": 0.002}, n=200, seed=2)
    arm = survival.kaplan_meier(runs, "arm")["slow"]
    assert arm.median == math.inf and arm.median_upper == math.inf
    assert arm.surviving > 0.5


def test_interaction_and_boolean_covariates():
    # log hazard = 0.7 * partner - 0.5 * cede + 0.6 * partner * cede, with partner a
    # bool: the interaction's true hazard ratio is exp(0.6) = 1.82
    def covariates(rng, n):
        partner = rng.random(n) < 0.5
        cede = rng.uniform(0, 2, n)
        return (
            {"academic_partner": partner, "cede": cede},
            0.7 * partner - 0.5 * cede + 0.6 * partner * cede,
        )

    runs = exponential_runs({0: 0.02}, n=1500, seed=7, extra=covariates)
    assert runs["academic_partner"].dtype == bool
    fit = survival.cox_model(
        runs, ["academic_partner", "cede"], interactions=[("academic_partner", "cede")]
    )
    table = fit.hazard_ratios
    assert list(table.index) == ["academic_partner", "cede", "academic_partner × cede"]
    assert list(fit.proportional_hazards.index) == list(table.index)
    for term, beta in [("academic_partner", 0.7), ("cede", -0.5), ("academic_partner × cede", 0.6)]:
        assert table.loc[term, "lower"] < math.exp(beta) < table.loc[term, "upper"], term
    # True/False enters as 1/0: the same fit as with the column as integers
    as_int = runs.assign(academic_partner=runs["academic_partner"].astype(int))
    again = survival.cox_model(
        as_int, ["academic_partner", "cede"], interactions=[("academic_partner", "cede")]
    )
    pd.testing.assert_frame_equal(table, again.hazard_ratios)


def test_a_lever_that_nearly_decides_survival_is_still_fitted():
    # The results report's partner x meetings study in miniature: a quarter of networks
    # without a partner, nearly all of which dissolve, and meetings that matter only with
    # one. Log hazard = -4 partner - 2 meetings - 5 partner * meetings (both centred).
    # Newton's full steps overshoot the maximum and diverge to NaN here (checked first,
    # so that the case stays a hard one); halved steps reach it.
    truth = {"partner": -4.0, "meetings": -2.0, "partner × meetings": -5.0}

    def covariates(rng, n):
        partner = (np.arange(n) >= n // 4) - 0.75
        meetings = (np.tile([2, 4, 8, 13], n // 4) - 6.75) / 11
        shift = truth["partner"] * partner + truth["meetings"] * meetings
        return {"partner": partner, "meetings": meetings}, shift + truth[
            "partner × meetings"
        ] * partner * meetings

    runs = exponential_runs({0: 0.005}, n=480, seed=0, horizon=260, extra=covariates)
    runs["collapse_step"] = np.ceil(runs["collapse_step"])  # whole weeks, so tied
    table = survival.durations(runs)
    exog = table[["partner", "meetings"]].assign(product=table["partner"] * table["meetings"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full_steps = PHReg(
            table["weeks"], exog, status=table["dissolved"].astype(int), ties="efron"
        ).fit()
    assert not np.isfinite(full_steps.params).all()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no failure to converge
        fit = survival.cox_model(
            runs, ["partner", "meetings"], interactions=[("partner", "meetings")], horizon=260
        )
    for term, beta in truth.items():
        row = fit.hazard_ratios.loc[term]
        assert row["lower"] < math.exp(beta) < row["upper"], term
    # at the maximum: the partial likelihood's slope is zero in every direction
    assert np.abs(fit.model.model.score(fit.model.params)).max() < 1e-6


def test_strata_get_no_hazard_ratio(two_hazards):
    runs = two_hazards.assign(seed=np.arange(len(two_hazards)) % 5)
    fit = survival.cox_model(runs, "arm", strata="seed")
    assert list(fit.hazard_ratios.index) == ["arm"]
    assert fit.hazard_ratios.loc["arm", "lower"] < 2.5 < fit.hazard_ratios.loc["arm", "upper"]


# --- answers worked by hand ---------------------------------------------------------------


def hand_runs(weeks, dissolved, horizons, **columns) -> pd.DataFrame:
    collapse = [week if gone else None for week, gone in zip(weeks, dissolved, strict=True)]
    return pd.DataFrame(
        {
            "run": range(len(weeks)),
            **columns,
            "sustained": [not gone for gone in dissolved],
            "collapse_step": collapse,
            "horizon": horizons,
        }
    )


def test_kaplan_meier_by_hand_with_a_run_censored_early():
    # Dissolved in weeks 2, 4, 4 and 7; one run observed only to week 5, one to week 10.
    # At risk / dissolving: week 2: 6/1, week 4: 5/2, week 7: 2/1 (the week-5 run has
    # left), so S = 5/6, 5/6 * 3/5 = 1/2, 1/2 * 1/2 = 1/4, flat to week 10.
    runs = hand_runs(
        [2, 4, 4, 5, 7, 10],
        [True, True, True, False, True, False],
        [10, 10, 10, 5, 10, 10],
        arm="a",
    )
    arm = survival.kaplan_meier(runs, "arm")["a"]
    curve = arm.curve
    assert curve["week"].tolist() == [0, 2, 4, 7, 10]
    assert curve["survival"].tolist() == pytest.approx([1, 5 / 6, 1 / 2, 1 / 4, 1 / 4])
    assert (arm.runs, arm.events, arm.horizon) == (6, 4, 10)
    # not the share sustained (1/6 of runs): the run that left at week 5 counts as
    # surviving to week 5 only
    assert arm.surviving == pytest.approx(1 / 4)
    # the median is the first week the curve is at or below 1/2
    assert arm.median == 4 and arm.median_lower <= 4 <= arm.median_upper
    # Greenwood: Var(log S) sums d / (n (n - d)); the interval is built on log(-log S)
    z = stats.norm.ppf(0.975)
    for week, share, greenwood in [
        (4, 1 / 2, 1 / 30 + 2 / 15),
        (7, 1 / 4, 1 / 30 + 2 / 15 + 1 / 2),
    ]:
        sigma = math.sqrt(greenwood) / abs(math.log(share))
        row = curve.set_index("week").loc[week]
        assert row["lower"] == pytest.approx(share ** math.exp(z * sigma))
        assert row["upper"] == pytest.approx(share ** math.exp(-z * sigma))
    assert arm.surviving_lower == pytest.approx(curve["lower"].iloc[-1])
    # a 90% interval is narrower
    narrow = survival.kaplan_meier(runs, "arm", alpha=0.1)["a"]
    assert (
        arm.surviving_lower < narrow.surviving_lower < narrow.surviving_upper < arm.surviving_upper
    )


def test_logrank_by_hand():
    # Arm A dissolves in weeks 1 and 3; arm B in week 2, its other run observed to week 4.
    # Week 1: 4 at risk (2 A), 1 dissolves in A: O - E = 1 - 1/2, V = 1/4.
    # Week 2: 3 at risk (1 A), 1 in B: O - E = 0 - 1/3, V = (1/3)(2/3)(2/2) = 2/9.
    # Week 3: 2 at risk (1 A), 1 in A: O - E = 1 - 1/2, V = 1/4.
    # chi-squared = (2/3)^2 / (13/18) = 8/13.
    runs = hand_runs(
        [1, 3, 2, 4], [True, True, True, False], [10, 10, 10, 4], arm=["A", "A", "B", "B"]
    )
    result = survival.compare_arms(runs, "arm")
    assert result.statistic == pytest.approx(8 / 13)
    assert result.p_value == pytest.approx(stats.chi2.sf(8 / 13, 1))
    assert result.p_value > 0.05  # four runs prove nothing


def test_cox_model_by_hand():
    # A partnered network dissolves in week 1, then one without in week 2, then a
    # partnered one in week 3; one without lasts to its horizon, week 4. With u = e^beta,
    # the partial likelihood is u/(2u + 2) * 1/(u + 2) * u/(u + 1); its score is zero
    # where u^2 - u - 4 = 0, so the hazard ratio is u = (1 + sqrt 17) / 2. The
    # information sums p(1 - p) over the risk sets: 2u/(u + 1)^2 + 2u/(u + 2)^2.
    runs = hand_runs([1, 2, 3, 4], [True, True, True, False], 4, partner=[True, False, True, False])
    fit = survival.cox_model(runs, "partner")
    u = (1 + math.sqrt(17)) / 2
    se = 1 / math.sqrt(2 * u / (u + 1) ** 2 + 2 * u / (u + 2) ** 2)
    row = fit.hazard_ratios.loc["partner"]
    assert row["hazard_ratio"] == pytest.approx(u, rel=1e-6)
    z = stats.norm.ppf(0.975)
    assert row["lower"] == pytest.approx(u * math.exp(-z * se), rel=1e-5)
    assert row["upper"] == pytest.approx(u * math.exp(z * se), rel=1e-5)
    assert row["p"] == pytest.approx(2 * stats.norm.sf(math.log(u) / se), rel=1e-5)
    # Concordance: of the 6 pairs, (week 1, week 2), (1, 4) and (3, 4) are ranked right,
    # (2, 3) wrong, and (1, 3), (2, 4) have tied risks: (3 + 2 * 1/2) / 6.
    assert fit.concordance == pytest.approx(2 / 3)
    assert (fit.runs, fit.events) == (4, 3)


def test_cox_model_splits_tied_weeks_by_efron():
    # Two partnered networks dissolve in week 1 (at risk: 3 partnered, 2 not), one without
    # in week 2 (at risk: 1 partnered, 2 not); two last to week 3. With u = e^beta, Efron's
    # partial likelihood counts the second week-1 dissolution against a risk set less half
    # of the first pair: u^2 / ((3u + 2)(2u + 2)) * 1 / (u + 2), whose score is zero where
    # 3u^3 - 12u - 8 = 0 (u = 2.27). Breslow's u^2 / (3u + 2)^2 would give exactly u = 2.
    runs = hand_runs([1, 1, 2, 3, 3], [True, True, True, False, False], 3, partner=[1, 1, 0, 0, 1])
    u = survival.cox_model(runs, "partner").hazard_ratios.loc["partner", "hazard_ratio"]
    assert 3 * u**3 - 12 * u - 8 == pytest.approx(0, abs=1e-6)
    assert 2.2 < u < 2.3


# --- the proportional-hazards check ----------------------------------------------------


def crossing_runs(n: int, seed: int, change: float = 15) -> pd.DataFrame:
    """Partnered networks: 4 times the hazard before week ``change``, 1/4 of it after."""
    rng = np.random.default_rng(seed)
    partner = rng.random(n) < 0.5
    base = 0.02
    early, late = base * np.where(partner, 4, 1), base * np.where(partner, 0.25, 1)
    # invert the piecewise-constant cumulative hazard at an exponential draw
    draw = rng.exponential(1.0, n)
    times = np.where(draw < early * change, draw / early, change + (draw - early * change) / late)
    dissolved = times <= HORIZON
    return pd.DataFrame(
        {
            "run": np.arange(n),
            "partner": partner,
            "sustained": ~dissolved,
            "collapse_step": np.where(dissolved, np.ceil(times), np.nan),
            "horizon": HORIZON,
        }
    )


@pytest.mark.parametrize("transform", ["rank", "identity", "log"])
def test_a_hazard_ratio_that_changes_over_time_is_detected(transform):
    runs = crossing_runs(800, seed=4)
    fit = survival.cox_model(runs, "partner", time_transform=transform)
    check = fit.proportional_hazards.loc["partner"]
    assert not check["assumption_holds"] and check["p"] < 1e-4
    # the log hazard ratio falls over time, and the scaled residuals follow it down
    assert check["rho"] < 0
    assert check["statistic"] == pytest.approx(stats.chi2.isf(check["p"], 1))


def test_proportional_hazards_with_two_covariates_pass_the_check():
    def covariates(rng, n):
        partner, cede = rng.random(n) < 0.5, rng.uniform(0, 2, n)
        return {"partner": partner, "cede": cede}, 0.8 * partner - 0.4 * cede

    runs = exponential_runs({0: 0.02}, n=800, seed=8, extra=covariates)
    table = survival.cox_model(runs, ["partner", "cede"]).proportional_hazards
    assert list(table.columns) == ["rho", "statistic", "p", "assumption_holds"]
    # p is uniform under proportional hazards; this seed is not among the 1 in 20 where
    # either would fall below 0.05 by chance
    assert table["assumption_holds"].all() and (table["rho"].abs() < 0.1).all()


def test_a_fit_that_reaches_its_maximum_does_not_warn():
    # Partner x willingness to cede with their interaction, as in the README's sweep. Here
    # Newton's method reaches the maximum in a few steps, and one of the last, too small to
    # change the partial likelihood, lowers it by its rounding (a part in 10^15): that is not
    # an overshoot, and no step halved from it could do better. Seed 33 of the same design is
    # separated, and warns (below).
    def covariates(rng, n):
        partner = rng.integers(0, 2, n).astype(float)
        cede = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9], n)
        shift = -1.8 * partner - 3.6 * cede - 0.7 * partner * cede
        return {"partner": partner, "cede": cede}, shift

    runs = exponential_runs({0: 0.02}, n=100, seed=18, horizon=260, extra=covariates)
    runs["collapse_step"] = np.ceil(runs["collapse_step"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = survival.cox_model(
            runs, ["partner", "cede"], interactions=[("partner", "cede")], horizon=260
        )
    assert np.abs(fit.model.model.score(fit.model.params)).max() < 1e-9
    table = survival.durations(runs, horizon=260)
    exog = table[["partner", "cede"]].assign(product=table["partner"] * table["cede"])
    own = PHReg(table["weeks"], exog, status=table["dissolved"].astype(int), ties="efron").fit()
    assert np.allclose(fit.model.params, own.params, rtol=1e-9, atol=1e-9)

    runs = exponential_runs({0: 0.02}, n=100, seed=33, horizon=260, extra=covariates)
    runs["collapse_step"] = np.ceil(runs["collapse_step"])
    with pytest.warns(ConvergenceWarning, match="did not converge: a covariate may separate"):
        survival.cox_model(
            runs, ["partner", "cede"], interactions=[("partner", "cede")], horizon=260
        )


def test_cox_model_warns_when_a_covariate_separates_the_outcomes():
    # every partnered network dissolves before every other one: the hazard ratio runs off
    # to infinity and the fit cannot converge
    runs = hand_runs([1, 2, 3, 4, 5, 6], [True] * 6, 10, partner=[1, 1, 1, 0, 0, 0])
    with pytest.warns(ConvergenceWarning, match="did not converge: a covariate may separate"):
        survival.cox_model(runs, "partner")


# --- censoring ---------------------------------------------------------------------------


def test_kaplan_meier_at_the_horizon_is_the_share_sustained():
    runs = exponential_runs({"a": 0.01, "b": 0.03}, n=80, seed=1)
    runs["collapse_step"] = np.ceil(runs["collapse_step"])  # whole weeks, with ties
    arms = survival.kaplan_meier(runs, "arm")
    for key, arm in arms.items():
        sustained = runs.loc[runs["arm"] == key, "sustained"]
        # nobody is censored before the horizon, so KM is the plain share
        assert arm.surviving == pytest.approx(sustained.mean(), abs=1e-12)
        assert arm.events == int((~sustained).sum()) and arm.runs == len(sustained)
        assert arm.surviving_lower < arm.surviving < arm.surviving_upper
        curve = arm.curve
        assert list(curve.columns) == ["week", "survival", "lower", "upper"]
        assert curve["week"].iloc[0] == 0 and curve["survival"].iloc[0] == 1
        assert (curve["lower"] <= curve["survival"] + 1e-12).all()
        assert (curve["survival"] <= curve["upper"] + 1e-12).all()


def test_real_sweep(tmp_path):
    result = collabsim.sweep(
        scenario="beston",
        design=[{"cede_willingness": 0.1}, {"cede_willingness": 0.9}],
        replicates=3,
        outputs=["sustained", "collapse_step"],
        backend="serial",
        out=tmp_path / "sweep",
    )
    runs = result.runs
    table = survival.durations(runs)
    horizon = runs["horizon"].iloc[0]
    assert (table["dissolved"] == ~runs["sustained"]).all()
    expected = runs["collapse_step"].where(~runs["sustained"], horizon)
    assert table["weeks"].tolist() == expected.tolist()
    arms = survival.kaplan_meier(runs, "cede_willingness")
    assert list(arms) == [0.1, 0.9]
    for arm in arms.values():
        assert arm.runs == 3 and arm.horizon == horizon
        survival_curve = arm.curve["survival"]
        assert survival_curve.iloc[0] == 1.0
        assert (survival_curve.diff().dropna() <= 0).all()
        assert arm.surviving == pytest.approx(
            runs.loc[runs["cede_willingness"] == arm.arm, "sustained"].mean()
        )
