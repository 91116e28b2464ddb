"""Robustness analysis on synthetic paired data with known effects and signs."""

from __future__ import annotations

import numpy as np
import pytest

from collabsim.robustness.analysis import (
    COLUMNS,
    SUMMARY_COLUMNS,
    Paired,
    effects_table,
    paired_effect,
    sign_of,
    summary_table,
)
from collabsim.robustness.plan import Lever, make_plan
from collabsim.robustness.report import headline, report_markdown
from collabsim.validation.stats import bootstrap_mean_ci, clear_side

SEEDS = 20

#: context -> true effect of high - low (noise SD 0.02 per seed).
TRUE_EFFECTS = {
    "defaults": 0.30,
    "n_people=100": 0.20,
    "n_people=1000": 0.45,
    "network_type=issue": -0.25,
    "partner_channel_off=seating": 0.0,
}
KINDS = {
    "defaults": "defaults",
    "n_people=100": "size",
    "n_people=1000": "size",
    "network_type=issue": "network_type",
    "partner_channel_off=seating": "channel_off",
}


def synthetic(expect: str = "higher", outcome: str = "sustainability_score") -> list[Paired]:
    rng = np.random.default_rng(42)
    cells = []
    for context, effect in TRUE_EFFECTS.items():
        base = rng.uniform(0.3, 0.6, SEEDS)
        noise = rng.normal(0, 0.02, SEEDS) if effect else np.zeros(SEEDS)
        cells.append(
            Paired(
                "cede_willingness",
                KINDS[context],
                context,
                outcome,
                0.2,
                0.8,
                expect,
                base,
                base + effect + noise,
            )
        )
    return cells


def test_effects_have_the_known_size_and_sign():
    table = effects_table(synthetic(), seed=0)
    assert tuple(table.columns) == COLUMNS and len(table) == len(TRUE_EFFECTS)
    by_context = table.set_index("context")
    for context, effect in TRUE_EFFECTS.items():
        assert by_context.loc[context, "effect"] == pytest.approx(effect, abs=0.015)
        assert by_context.loc[context, "seeds"] == SEEDS
    assert by_context["sign"].to_dict() == {
        "defaults": "expected",
        "n_people=100": "expected",
        "n_people=1000": "expected",
        "network_type=issue": "reversed",
        "partner_channel_off=seating": "unclear",
    }
    assert (by_context.loc[["defaults", "n_people=100", "n_people=1000"], "p_value"] < 1e-5).all()
    assert by_context.loc["network_type=issue", "p_value"] > 0.99  # one-sided, the wrong way
    assert by_context.loc["partner_channel_off=seating", "p_value"] == 1.0  # all zeros


def test_the_interval_is_the_seeded_bootstrap_of_validation():
    cell = synthetic()[0]
    found = paired_effect(cell.at_high, cell.at_low, expect="higher", seed=7)
    assert (found.ci_low, found.ci_high) == bootstrap_mean_ci(cell.at_high - cell.at_low, seed=7)
    again = paired_effect(cell.at_high, cell.at_low, expect="higher", seed=7)
    assert again == found


def test_counts_range_and_flips_per_lever_and_outcome():
    table = effects_table(synthetic(), seed=0)
    summary = summary_table(table, {"cede_willingness": "higher"})
    assert tuple(summary.columns) == SUMMARY_COLUMNS and len(summary) == 1
    row = summary.iloc[0]
    assert (row["contexts"], row["expected"], row["unclear"], row["reversed"]) == (5, 3, 1, 1)
    assert row["context_min"] == "network_type=issue"
    assert row["effect_min"] == pytest.approx(-0.25, abs=0.015)
    assert row["context_max"] == "n_people=1000"
    assert row["flips"] == "network_type=issue (-0.249)"
    assert row["leaning_against"] == ""


def test_a_lever_expected_to_lower_reads_the_same_data_the_other_way():
    table = effects_table(synthetic(expect="lower"), seed=0)
    signs = table.set_index("context")["sign"]
    assert signs["network_type=issue"] == "expected"
    assert (signs[["defaults", "n_people=100", "n_people=1000"]] == "reversed").all()
    summary = summary_table(table, {"cede_willingness": "lower"})
    assert summary.iloc[0][["expected", "unclear", "reversed"]].tolist() == [1, 1, 3]


def test_an_unclear_effect_on_the_wrong_side_is_listed_as_leaning_against():
    rng = np.random.default_rng(1)
    low = rng.uniform(0.3, 0.6, 8)
    high = low - 0.01 + rng.normal(0, 0.05, 8)
    cells = [
        Paired(
            "results_pressure",
            "defaults",
            "defaults",
            "quality_gain_vs_silo",
            0.0,
            0.3,
            "higher",
            low,
            high,
        )
    ]
    table = effects_table(cells)
    assert table["sign"].iloc[0] == "unclear" and table["effect"].iloc[0] < 0
    summary = summary_table(table, {"results_pressure": "higher"})
    assert summary["leaning_against"].iloc[0].startswith("defaults (-")


def test_failed_runs_are_left_out_pairwise():
    low = np.array([0.1, 0.2, np.nan, 0.4, 0.5])
    high = np.array([0.3, np.nan, 0.5, 0.6, 0.7])
    found = paired_effect(high, low, expect="higher")
    assert found.seeds == 3 and found.effect == pytest.approx(0.2)
    nothing = paired_effect(np.full(3, np.nan), np.zeros(3), expect="higher")
    assert nothing.seeds == 0 and nothing.sign == "unclear" and nothing.p_value == 1.0


@pytest.mark.parametrize(
    "low, high, p, expect, sign",
    [
        (0.01, 0.2, 0.01, "higher", "expected"),
        (-0.2, -0.01, 0.01, "higher", "reversed"),
        (-0.1, 0.1, 0.01, "higher", "unclear"),
        (0.0, 0.2, 0.01, "higher", "unclear"),
        (0.01, 0.2, 0.2, "higher", "unclear"),  # the interval alone is not enough
        (-0.2, -0.01, 0.01, "lower", "expected"),
        (0.01, 0.2, 0.01, "lower", "reversed"),
        (float("nan"), float("nan"), 0.01, "higher", "unclear"),
    ],
)
def test_the_sign_rule_is_the_results_reports(low, high, p, expect, sign):
    assert sign_of(clear_side(low, high, p), expect=expect) == sign


def test_a_few_seeds_that_differ_do_not_make_an_effect_clear_on_the_interval_alone():
    # A yes/no outcome over 20 seeds, 4 that gain and none that lose: the bootstrap
    # interval of the mean leaves 0, but four in twenty could be chance.
    low, high = np.zeros(20), np.zeros(20)
    high[:4] = 1
    found = paired_effect(high, low, expect="higher")
    assert found.ci_low > 0
    assert found.sign == "unclear"
    many = np.zeros(20)
    many[:12] = 1  # twelve in twenty is not chance
    assert paired_effect(many, low, expect="higher").sign == "expected"


def test_a_lever_with_no_difference_anywhere_says_so():
    cells = [
        Paired(
            "power_imbalance",
            "defaults",
            "defaults",
            outcome,
            0.0,
            0.8,
            "lower",
            np.ones(4),
            np.ones(4),
        )
        for outcome in ("sustainability_score", "quality_gain_vs_silo")
    ]
    summary = summary_table(effects_table(cells), {"power_imbalance": "lower"})
    assert headline(Lever("power_imbalance", 0.0, 0.8, "lower"), summary) == (
        "Power skewed towards health (0 \u2192 0.8) lowers survival in 0 of 1 contexts (no "
        "difference in any context) and quality against silos in 0 of 1 (no difference in "
        "any context)."
    )


def test_the_headline_says_it_in_plain_words():
    cells = synthetic() + synthetic(outcome="quality_gain_vs_silo")
    table = effects_table(cells, seed=0)
    summary = summary_table(table, {"cede_willingness": "higher"})
    lever = Lever("cede_willingness", 0.2, 0.8)
    text = headline(lever, summary)
    assert text.startswith(
        "Willingness to cede territory (0.2 \u2192 0.8) raises survival in "
        "3 of 5 contexts (effect -0.249 to +0.446 of weeks alive) and "
        "quality against silos in 3 of 5 (-0.249 to +0.446 of starting "
        "quality)."
    )
    assert text.endswith(
        "It goes the other way for survival in 1 (network_type=issue "
        "(-0.249)) and for quality against silos in 1 (network_type=issue "
        "(-0.249))."
    )

    plan = make_plan(
        levers={"cede_willingness": {"low": 0.2, "high": 0.8}},
        scenario="beston",
        seeds=SEEDS,
        steps=5,
    )
    info = {"code_fingerprint": "x", "git_commit": None, "runs": 1, "computed": 1, "reused": 0}
    report = report_markdown(plan, table, summary, info=info)
    assert "## Where effects flip" in report
    assert "reverses in network_type=issue (-0.249, 95% CI -0.2" in report
    assert "| cede_willingness | 0.2 → 0.8 | higher | survival | 5 | 3 | 1 | 1 |" in report
