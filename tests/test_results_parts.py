"""The results pipeline's parts on data with known answers: figures, effects, statistics.

Each is checked against a hand-worked case or an independent computation (the pipeline
end to end: ``test_results_pipeline``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collabsim.analysis import effects, figures
from collabsim.analysis.levers import StudyData
from collabsim.analysis.studies import StudySpec

# --- the parts, on known answers -------------------------------------------------------


def _study(shares: dict[tuple[str, str], list[int]]) -> StudyData:
    """A study of two levers whose cells hold the given per-seed outcomes (1 lasts)."""
    runs, levels = [], []
    for (a, b), values in shares.items():
        for seed, value in enumerate(values):
            runs.append(
                {
                    "seed": seed,
                    "sustained": bool(value),
                    "collapse_step": np.nan if value else 10 + seed,
                    "status": "ok",
                    "quality_gain_vs_silo": 0.01 * value,
                }
            )
            levels.append({"a": a, "b": b})
    order = {
        "a": list(dict.fromkeys(a for a, _ in shares)),
        "b": list(dict.fromkeys(b for _, b in shares)),
    }
    spec = StudySpec(name="toy", title="Toy", sweeps=())
    return StudyData(spec, pd.DataFrame(runs), pd.DataFrame(levels), order, 52)


def test_heat_map_csv_and_cells_hold_the_input_shares(tmp_path):
    data = _study(
        {
            ("low", "x"): [1, 0, 0, 0],
            ("low", "y"): [1, 1, 0, 0],
            ("high", "x"): [1, 1, 1, 0],
            ("high", "y"): [1, 1, 1, 1],
        }
    )
    cells = effects.cell_means(data, "a", "b", "sustained")
    fig = figures.heat_map_figure(cells, row_label="a", column_label="b", title="t", share=True)
    png, csv = figures.save_figure(fig, cells, tmp_path, "heat")
    saved = pd.read_csv(csv)
    assert saved["value"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert saved["row_level"].tolist() == ["low", "low", "high", "high"]
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["100%", "25%", "50%", "75%"]
    assert png.stat().st_size > 0


def test_paired_lever_effect_is_the_per_seed_difference():
    # every seed gains exactly one network in four from a = low to a = high
    data = _study(
        {
            ("low", "x"): [1, 0, 0, 0],
            ("low", "y"): [1, 1, 0, 0],
            ("high", "x"): [1, 1, 0, 0],
            ("high", "y"): [1, 1, 1, 0],
        }
    )
    table = effects.lever_effects(data, ["sustained"])
    row = table.loc[table["lever"] == "a"].iloc[0]
    assert (row["reference"], row["level"]) == ("low", "high")
    assert row["at_reference"] == pytest.approx(0.375)
    assert row["at_level"] == pytest.approx(0.625)
    assert row["effect"] == pytest.approx(0.25)
    assert row["seeds"] == 4
    within = effects.lever_effects(data, ["sustained"], within=("b",))
    assert within["within"].tolist() == ["b=x", "b=y"]
    assert within["effect"].tolist() == pytest.approx([0.25, 0.25])


def test_survival_curves_follow_kaplan_meier():
    # one arm: two of four networks dissolve, at weeks 10 and 11; two last to week 52
    data = _study({("low", "x"): [0, 0, 1, 1], ("high", "x"): [1, 1, 1, 1]})
    summary, curves = effects.survival_tables(data)
    low = curves.loc[(curves["lever"] == "a") & (curves["level"] == "low")]
    assert low["week"].tolist() == [0, 10, 11, 52]
    assert low["survival"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.5])
    row = summary.loc[(summary["lever"] == "a") & (summary["level"] == "low")].iloc[0]
    assert row["median_weeks"] == 11 and row["surviving"] == pytest.approx(0.5)
    fig = figures.survival_figure(curves, data.order, {}, "t")
    assert [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()] == ["a", "b"]


def test_forest_rows_are_the_effects_in_order():
    data = _study(
        {
            ("low", "x"): [1, 0, 0, 0],
            ("low", "y"): [1, 1, 0, 0],
            ("high", "x"): [1, 1, 0, 0],
            ("high", "y"): [1, 1, 1, 0],
        }
    )
    table = effects.lever_effects(data, ["sustained", "quality_gain_vs_silo"])
    rows = figures.forest_data(table, "sustained", {"a": "lever a"})
    assert rows["label"].tolist() == ["lever a: high vs low", "b: y vs x"]
    assert rows["effect"].tolist() == table.loc[table["outcome"] == "sustained", "effect"].tolist()


# --- statistics on hand-worked cases ----------------------------------------------------


def _paired(differences: list[int]) -> StudyData:
    """A one-lever study whose seed s gains ``differences[s]`` networks in four at ``high``."""
    low = [0] * len(differences)
    high = [d / 4 for d in differences]
    runs, levels = [], []
    for level, values in (("low", low), ("high", high)):
        for seed, value in enumerate(values):
            runs.append(
                {
                    "seed": seed,
                    "sustained": True,
                    "collapse_step": np.nan,
                    "status": "ok",
                    "quality_gain_vs_silo": value,
                }
            )
            levels.append({"a": level})
    spec = StudySpec(name="toy", title="Toy", sweeps=())
    return StudyData(spec, pd.DataFrame(runs), pd.DataFrame(levels), {"a": ["low", "high"]}, 52)


@pytest.mark.parametrize(
    ("differences", "p", "clear"),
    [
        # every seed gains: the exact two-sided signed-rank p is 2 / 2**n
        ([1, 1, 1], 2 / 8, "unclear"),  # a zero-width interval, yet 3 seeds prove nothing
        ([1, 2, 3, 4, 5], 2 / 32, "unclear"),  # interval above 0, but p = 0.0625
        ([1, 2, 3, 4, 5, 6], 2 / 64, "higher"),  # interval above 0 and p = 0.031
    ],
)
def test_an_effect_is_clear_only_where_interval_and_rank_test_agree(differences, p, clear):
    row = effects.lever_effects(_paired(differences), ["quality_gain_vs_silo"]).iloc[0]
    assert row["effect"] == pytest.approx(np.mean(differences) / 4)
    assert row["ci_low"] > 0
    assert row["p_value"] == pytest.approx(p)
    assert row["clear"] == clear


@pytest.mark.parametrize(
    ("lasting", "runs", "low", "high"),
    [
        # Clopper-Pearson by hand: with none (or all) lasting, one end is 0.025 ** (1 / n)
        (9, 9, 0.025 ** (1 / 9), 1.0),
        (0, 9, 0.0, 1 - 0.025 ** (1 / 9)),
        (2, 4, 0.0675860, 0.9324140),  # solves P(at least 2 of 4 | p) = 0.025
    ],
)
def test_share_surviving_has_an_exact_interval_even_when_none_or_all_last(lasting, runs, low, high):
    values = [1] * lasting + [0] * (runs - lasting)
    data = _study({("only", "x"): values, ("other", "x"): [1, 0] * (runs // 2) + [1] * (runs % 2)})
    summary, _ = effects.survival_tables(data)
    row = summary.loc[(summary["lever"] == "a") & (summary["level"] == "only")].iloc[0]
    assert row["surviving"] == pytest.approx(lasting / runs)
    assert (row["surviving_low"], row["surviving_high"]) == pytest.approx((low, high), abs=1e-6)
    arms = effects.survival_by_arm(data)
    arm = arms.loc[arms["a"] == "only"].iloc[0]
    assert (arm["surviving_low"], arm["surviving_high"]) == pytest.approx((low, high), abs=1e-6)
