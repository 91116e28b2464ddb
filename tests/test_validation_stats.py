"""The pattern tests on synthetic data with known answers (seeded, so never flaky)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from collabsim.validation.spec import (
    AllOf,
    AtMost,
    Bound,
    Greater,
    Interaction,
    Share,
    Sign,
    Steadier,
    Summary,
    ValidationError,
)
from collabsim.validation.stats import bootstrap_mean_ci, signed_rank_p

METRIC = Summary("sustainability_score")  # any metric: the values are given directly
N = 40


def normal(seed, mean=0.0, sd=1.0, n=N):
    return np.random.default_rng(seed).normal(mean, sd, n)


# --- Greater -------------------------------------------------------------------------


def test_greater_finds_a_planted_shift_and_its_size():
    lower = normal(1)
    higher = lower + 1.0 + normal(2, sd=0.5)
    outcome = Greater(METRIC, "high", "low").evaluate({"high": higher, "low": lower})
    assert outcome.p_value < 1e-6 and outcome.passed
    assert outcome.effect == pytest.approx(np.mean(higher - lower))
    assert outcome.ci_low < 1.0 < outcome.ci_high
    assert outcome.seeds == N
    assert "Wilcoxon signed-rank" in outcome.detail and "40 seeds" in outcome.detail


def test_greater_does_not_find_a_shift_that_is_not_there():
    a, b = normal(3), normal(4)
    outcome = Greater(METRIC, "a", "b").evaluate({"a": a, "b": b})
    assert outcome.p_value > 0.1 and not outcome.passed


def test_greater_rejects_at_the_stated_rate_under_no_shift():
    """Over 300 seeded null data sets, about alpha of them reject (calibration)."""
    rejections = 0
    for seed in range(300):
        a, b = normal(10_000 + 2 * seed), normal(10_001 + 2 * seed)
        rejections += Greater(METRIC, "a", "b", alpha=0.05).evaluate({"a": a, "b": b}).passed
    assert 0.01 <= rejections / 300 <= 0.09


def test_pairing_by_seed_sees_a_small_shift_that_seed_noise_hides():
    """Common random numbers: a large shared seed effect cancels in paired differences."""
    shared = normal(5, sd=10.0)
    higher = shared + 0.5 + normal(6, sd=0.3)
    lower = shared + normal(7, sd=0.3)
    values = {"high": higher, "low": lower}
    paired = Greater(METRIC, "high", "low").evaluate(values)
    unpaired = Greater(METRIC, "high", "low", paired=False).evaluate(values)
    assert paired.passed and paired.p_value < 1e-6
    assert not unpaired.passed and unpaired.p_value > 0.2
    assert "Mann-Whitney" in unpaired.detail
    assert unpaired.effect == pytest.approx(paired.effect)  # the same mean difference
    assert unpaired.ci_high - unpaired.ci_low > 5 * (paired.ci_high - paired.ci_low)


def test_only_paired_comparisons_pair_arms_seed_by_seed():
    assert Greater(METRIC, "a", "b").pairs() == (("a", "b"),)
    assert Greater(METRIC, "a", "b", paired=False).pairs() == ()
    assert Interaction(METRIC, ("a", "b"), ("c", "d")).pairs() == (("a", "b"), ("c", "d"))
    assert AllOf(
        Greater(METRIC, "a", "b"),
        Bound(METRIC, "a", low=0.0),
        Greater(Summary("quality_gain"), "a", "b"),
    ).pairs() == (("a", "b"),)


def test_greater_unpaired_finds_a_shift_between_independent_samples():
    outcome = Greater(METRIC, "a", "b", paired=False).evaluate(
        {"a": normal(8, mean=2.0), "b": normal(9, n=25)}
    )
    assert outcome.passed and outcome.p_value < 1e-4
    assert outcome.seeds == 25


def test_a_margin_must_be_exceeded_too():
    lower = normal(11)
    higher = lower + 0.5 + normal(12, sd=0.1)
    values = {"high": higher, "low": lower}
    assert Greater(METRIC, "high", "low", margin=0.2).evaluate(values).passed
    outcome = Greater(METRIC, "high", "low", margin=1.0).evaluate(values)
    assert outcome.p_value < 1e-6 and not outcome.passed


def test_all_zero_differences_give_p_one():
    same = normal(13)
    outcome = Greater(METRIC, "a", "b").evaluate({"a": same, "b": same.copy()})
    assert outcome.p_value == 1.0 and not outcome.passed
    assert signed_rank_p(np.zeros(10), "greater") == 1.0
    assert signed_rank_p(np.array([]), "less") == 1.0


def test_values_equal_but_for_floating_point_noise_tie():
    # 0.1 + 0.2 and 0.3 differ in the last bit. As differences they are one value, so
    # they share a rank, exactly as the same values written down and read back do.
    noisy = np.array([0.1 + 0.2, 0.3, 0.3, -0.1, 0.5, 0.2, 0.7, -0.4, 0.3, 0.6])
    written = np.array([float(f"{v:.10f}") for v in noisy])
    assert noisy[0] != noisy[1]
    for alternative in ("greater", "two-sided"):
        assert signed_rank_p(noisy, alternative) == signed_rank_p(written, alternative)


def test_seeds_missing_in_either_arm_are_left_out_in_pairs():
    a, b = normal(14, mean=2.0), normal(15)
    a[[0, 3]] = np.nan
    b[[3, 7]] = np.nan
    outcome = Greater(METRIC, "a", "b").evaluate({"a": a, "b": b})
    assert outcome.seeds == N - 3
    keep = np.isfinite(a) & np.isfinite(b)
    assert outcome.effect == pytest.approx(np.mean(a[keep] - b[keep]))


def test_paired_arms_must_have_the_same_seeds():
    with pytest.raises(ValidationError, match="same seeds"):
        Greater(METRIC, "a", "b").evaluate({"a": normal(1), "b": normal(2, n=30)})


# --- Interaction ---------------------------------------------------------------------


def four_arms(gain_first, gain_second, seed=20, sd=0.5):
    base = normal(seed, sd=5.0)
    return {
        "a": base + gain_first + normal(seed + 1, sd=sd),
        "b": base + normal(seed + 2, sd=sd),
        "c": base + gain_second + normal(seed + 3, sd=sd),
        "d": base + normal(seed + 4, sd=sd),
    }


def test_interaction_finds_a_gain_that_exists_only_in_the_first_pair():
    outcome = Interaction(METRIC, ("a", "b"), ("c", "d"), ratio_below=0.5).evaluate(
        four_arms(2.0, 0.0)
    )
    assert outcome.passed and outcome.p_value < 1e-6
    assert outcome.ci_low < 2.0 < outcome.ci_high
    assert "ratio of gains" in outcome.detail and "(below 0.5)" in outcome.detail


def test_interaction_ratio_requires_the_second_gain_to_be_small_not_only_smaller():
    values = four_arms(2.0, 1.5, sd=0.1)
    plain = Interaction(METRIC, ("a", "b"), ("c", "d")).evaluate(values)
    assert plain.passed  # the first gain is clearly larger...
    barely = Interaction(METRIC, ("a", "b"), ("c", "d"), ratio_below=0.5).evaluate(values)
    assert not barely.passed  # ...but the second is three quarters of it, not under half
    assert barely.p_value == plain.p_value and "not below 0.5" in barely.detail


def test_interaction_without_one_is_not_found():
    outcome = Interaction(METRIC, ("a", "b"), ("c", "d")).evaluate(four_arms(1.0, 1.0))
    assert not outcome.passed and outcome.p_value > 0.05


# --- Sign, Bound, Share, Steadier ----------------------------------------------------


def test_sign_of_a_per_run_statistic():
    correlations = np.clip(normal(30, mean=-0.3, sd=0.2), -1, 1)
    assert Sign(METRIC, "arm").evaluate({"arm": correlations}).passed
    outcome = Sign(METRIC, "arm", direction="positive").evaluate({"arm": correlations})
    assert not outcome.passed and outcome.p_value > 0.99
    assert outcome.effect == pytest.approx(np.mean(correlations))


def test_bound_passes_inside_and_fails_outside_or_across():
    inside = normal(31, mean=0.05, sd=0.01)
    outcome = Bound(METRIC, "arm", low=0.0, high=0.1).evaluate({"arm": inside})
    assert outcome.passed and outcome.p_value < 1e-6
    assert outcome.ci_low < 0.05 < outcome.ci_high
    above = normal(32, mean=0.15, sd=0.01)
    assert not Bound(METRIC, "arm", low=0.0, high=0.1).evaluate({"arm": above}).passed
    across = normal(33, mean=0.1, sd=0.05)  # on the upper bound: not shown to be below it
    assert not Bound(METRIC, "arm", low=0.0, high=0.1).evaluate({"arm": across}).passed
    assert Bound(METRIC, "arm", low=0.0).evaluate({"arm": above}).passed  # one bound only


def test_share_of_runs_above_a_half():
    mostly = np.array([1.0] * 35 + [0.0] * 5)
    outcome = Share(AtMost(METRIC, 1), "arm").evaluate({"arm": mostly})
    assert outcome.passed and outcome.effect == pytest.approx(35 / 40)
    # the exact two-sided 95% interval (Clopper-Pearson), not the one-sided test's bound
    clopper_pearson = (beta.ppf(0.025, 35, 40 - 35 + 1), beta.ppf(0.975, 35 + 1, 40 - 35))
    assert (outcome.ci_low, outcome.ci_high) == pytest.approx(clopper_pearson)
    assert "35 of 40 runs" in outcome.detail
    half = np.array([1.0, 0.0] * 20)
    assert not Share(AtMost(METRIC, 1), "arm").evaluate({"arm": half}).passed
    with pytest.raises(ValidationError, match="true/false"):
        Share(METRIC, "arm").evaluate({"arm": normal(34)})


def test_steadier_finds_less_relative_spread():
    steady = normal(35, mean=1.0, sd=0.1)
    wild = normal(36, mean=1.0, sd=0.6)
    outcome = Steadier(METRIC, "steady", "wild").evaluate({"steady": steady, "wild": wild})
    assert outcome.passed and outcome.p_value < 0.001
    assert outcome.effect == pytest.approx(
        np.std(wild) / np.mean(wild) - np.std(steady) / np.mean(steady)
    )
    assert not Steadier(METRIC, "wild", "steady").evaluate({"steady": steady, "wild": wild}).passed


def test_all_of_passes_only_when_every_part_does():
    values = {"high": normal(40, mean=1.0), "low": normal(41)}
    strong = Greater(METRIC, "high", "low", paired=False)
    wrong_way = Greater(METRIC, "low", "high", paired=False)
    both = AllOf(strong, Greater(Summary("quality_gain"), "high", "low", paired=False))
    outcome = both.evaluate(lambda metric, arm: values[arm])
    assert outcome.passed
    assert outcome.effect == strong.evaluate(values).effect  # the headline: the first part
    mixed = AllOf(strong, wrong_way).evaluate(values)
    assert not mixed.passed
    assert mixed.p_value == wrong_way.evaluate(values).p_value  # the largest p
    assert mixed.detail.count(";") == 1
    assert both.label() == "sustainability_score; quality_gain"


# --- bootstrap -----------------------------------------------------------------------


def test_bootstrap_interval_covers_the_true_mean_difference_about_95_percent():
    covered = 0
    for seed in range(200):
        differences = normal(50_000 + seed, mean=0.3)
        low, high = bootstrap_mean_ci(differences, seed=seed)
        covered += low <= 0.3 <= high
    assert 0.88 <= covered / 200 <= 0.99


def test_bootstrap_is_repeatable():
    x = normal(60)
    assert bootstrap_mean_ci(x) == bootstrap_mean_ci(x)
    assert bootstrap_mean_ci(x, seed=1) != bootstrap_mean_ci(x, seed=2)


# --- declarations refused --------------------------------------------------------------


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Greater(METRIC, "a", "a"), "both 'a'"),
        (lambda: Greater("sustainability_score", "a", "b"), "not a metric"),
        (lambda: Greater(METRIC, "a", "b", alpha=1.5), "alpha"),
        (lambda: Interaction(METRIC, ("a", "b"), "cd"), "pair of arm names"),
        (lambda: Interaction(METRIC, ("a", "b"), ("c", "d"), ratio_below=0), "ratio_below"),
        (lambda: Sign(METRIC, "a", direction="down"), "direction"),
        (lambda: Bound(METRIC, "a"), "low, high or both"),
        (lambda: Bound(METRIC, "a", low=1.0, high=0.5), "below high"),
        (lambda: Share(METRIC, "a", above=1.0), "above"),
        (lambda: Steadier(METRIC, "a", "b", resamples=10), "resamples"),
        (lambda: AllOf(Greater(METRIC, "a", "b")), "two or more"),
    ],
)
def test_a_badly_declared_test_is_refused_in_one_line(make, match):
    with pytest.raises(ValidationError, match=match):
        make()
