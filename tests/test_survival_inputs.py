"""The runs table as survival data: censoring, and the refusal of tables it cannot read.

(``collabsim.analysis.censoring``, through ``collabsim.analysis.survival``.)
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import collabsim
from collabsim.analysis import survival


def small_runs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run": [0, 1, 2, 3, 4, 5],
            "cede_willingness": [0.1, 0.1, 0.1, 0.9, 0.9, 0.9],
            "sustained": [True, False, False, True, True, False],
            "collapse_step": [None, 30, 12, None, None, 52],
            "horizon": 52,
        },
        index=[10, 11, 12, 13, 14, 15],
    )


def test_durations_censor_sustained_runs_at_the_horizon():
    table = survival.durations(small_runs())
    assert table["weeks"].tolist() == [52, 30, 12, 52, 52, 52]
    assert table["dissolved"].tolist() == [False, True, True, False, False, True]
    # the other columns and the index are kept
    assert table["cede_willingness"].tolist() == small_runs()["cede_willingness"].tolist()
    assert table.index.tolist() == [10, 11, 12, 13, 14, 15]
    # an explicit horizon overrides the column, e.g. a sweep that ran 60 weeks
    assert survival.durations(small_runs(), horizon=60)["weeks"].tolist()[0] == 60


def test_each_run_is_censored_at_its_own_horizon():
    runs = small_runs().assign(horizon=[52, 52, 52, 260, 260, 260])
    assert survival.durations(runs)["weeks"].tolist() == [52, 30, 12, 260, 260, 52]


def test_runs_without_steps_joined_to_runs_with_them_are_censored_at_their_horizon():
    # An older sweep's runs (no steps) joined to a newer one's: each run where it stopped.
    joined = pd.concat(
        [small_runs().assign(steps=30.0).iloc[:3], small_runs().iloc[3:]], ignore_index=True
    )
    assert joined["steps"].isna().tolist() == [False] * 3 + [True] * 3
    assert survival.durations(joined)["weeks"].tolist() == [30, 30, 12, 52, 52, 52]
    late = joined.assign(collapse_step=[None, 31, 12, None, None, 52])
    with pytest.raises(
        ValueError, match=r"collapse_step=31 is beyond the horizon, week 30 \(its 'steps'\)"
    ):
        survival.durations(late)


def test_a_sweep_shorter_than_the_horizon_is_censored_where_its_runs_stopped(tmp_path):
    # The scenario's horizon is 260 weeks; the sweep runs 30. A network alive at week 30
    # was observed to week 30, not to week 260.
    result = collabsim.sweep(
        params={"n_people": 40},
        factors={"cede_willingness": [0.2, 0.8]},
        replicates=4,
        steps=30,
        backend="serial",
        outputs=["sustained", "collapse_step"],
        out=tmp_path / "sweep",
    )
    runs = result.runs
    assert (runs["horizon"] == 260).all() and (runs["steps"] == 30).all()
    table = survival.durations(runs)
    assert (table.loc[~table["dissolved"], "weeks"] == 30).all()
    for arm in survival.kaplan_meier(runs, "cede_willingness").values():
        assert arm.horizon == 30


def test_kaplan_meier_by_several_columns():
    arms = survival.kaplan_meier(
        small_runs().assign(partner=[True, False] * 3), ["cede_willingness", "partner"]
    )
    assert list(arms) == [(0.1, False), (0.1, True), (0.9, False), (0.9, True)]
    assert arms[(0.1, False)].events == 1 and arms[(0.1, False)].runs == 1
    assert arms[(0.9, True)].surviving == 1.0
    # one run that dissolved: a median, but no interval from a single run
    lone = arms[(0.1, False)]
    assert lone.median == 30 and math.isnan(lone.median_lower)
    assert lone.surviving == lone.surviving_lower == lone.surviving_upper == 0


# --- bad input ---------------------------------------------------------------------------


def change(**columns) -> pd.DataFrame:
    return small_runs().assign(**columns)


@pytest.mark.parametrize(
    "runs, horizon, message",
    [
        (
            small_runs().drop(columns="collapse_step"),
            None,
            r"runs has no column 'collapse_step'; its columns: run, cede_willingness",
        ),
        (
            small_runs().drop(columns="horizon"),
            None,
            r"no horizon: runs has no 'steps' or 'horizon' column",
        ),
        (small_runs(), 0, r"horizon=0 is not allowed: expected weeks > 0"),
        (small_runs(), True, r"horizon=True is not allowed"),
        (
            change(horizon=[52, 52, 52, 52, -1, 52]),
            None,
            r"1 run \(run 4\): horizon=-1 is not allowed",
        ),
        (
            change(collapse_step=[None, 30, 12, None, None, 53]),
            None,
            r"1 run \(run 5\): collapse_step=53 is beyond the horizon, week 52 \(its 'horizon'\)",
        ),
        (
            small_runs(),
            20,
            r"2 runs \(run 1, run 5\): collapse_step=30 is beyond the horizon, "
            r"week 20 \(horizon=20\)",
        ),
        (
            change(collapse_step=[5, 30, 12, None, None, 52]),
            None,
            r"1 run \(run 0\): marked sustained but collapse_step=5; a sustained network",
        ),
        (
            change(collapse_step=[None, None, 12, None, None, 52]),
            None,
            r"1 run \(run 1\): not sustained but collapse_step is missing; a run that is not "
            r"sustained must have the week",
        ),
        (
            change(collapse_step=[None, None, 12, None, None, 52], convened=[True, False] * 3),
            None,
            r"with convened=False there was no network to dissolve",
        ),
        (
            change(collapse_step=[None, 0, 12, None, None, 52]),
            None,
            r"1 run \(run 1\): collapse_step=0 is not after week 0",
        ),
        (
            change(collapse_step=[None, "soon", 12, None, None, 52]),
            None,
            r"column 'collapse_step' must hold week numbers",
        ),
        (
            change(sustained=[True, None, False, True, True, False]),
            None,
            r"1 run \(run 1\): no value of 'sustained'",
        ),
        (
            change(sustained=[True, "no", False, True, True, False]),
            None,
            r"column 'sustained' must be true or false, got 'no'",
        ),
        (
            change(status=["ok", "failed", "ok", "ok", "ok", "ok"]),
            None,
            r"1 run \(run 1\): did not finish .*runs\[runs\['status'\] == 'ok'\]",
        ),
    ],
)
def test_durations_refuse_bad_runs(runs, horizon, message):
    with pytest.raises(ValueError, match=message):
        survival.durations(runs, horizon=horizon)


def test_durations_accept_sustained_as_zero_one():
    table = survival.durations(change(sustained=[1, 0, 0, 1, 1, 0]))
    assert table["dissolved"].tolist() == [False, True, True, False, False, True]


def test_arm_functions_refuse_bad_arguments():
    with pytest.raises(ValueError, match=r"runs has no column 'cede'"):
        survival.kaplan_meier(small_runs(), "cede")
    with pytest.raises(ValueError, match=r"'cede_wilingness'; did you mean cede_willingness\?$"):
        survival.kaplan_meier(small_runs(), "cede_wilingness")
    with pytest.raises(ValueError, match=r"by=\[\] is not allowed: expected a column name"):
        survival.kaplan_meier(small_runs(), [])
    with pytest.raises(ValueError, match=r"alpha=1.5 is not allowed"):
        survival.kaplan_meier(small_runs(), "cede_willingness", alpha=1.5)
    with pytest.raises(ValueError, match=r"1 run \(run 0\): no value of arm column 'partner'"):
        survival.kaplan_meier(change(partner=[None, 1, 1, 0, 0, 0]), "partner")
    with pytest.raises(ValueError, match=r"one arm only \('horizon' = 52"):
        survival.compare_arms(small_runs(), "horizon")
    alive = change(sustained=True, collapse_step=None)
    with pytest.raises(ValueError, match=r"no run dissolved: the arms cannot differ"):
        survival.compare_arms(alive, "cede_willingness")
    # arm 0.9 is observed only to week 10, before any network dissolved
    early = change(
        horizon=[52, 52, 52, 10, 10, 10],
        collapse_step=[None, 30, 12, None, None, None],
        sustained=[True, False, False, True, True, True],
    )
    with pytest.raises(ValueError, match=r"some arm has no run at risk"):
        survival.compare_arms(early, "cede_willingness")


def test_cox_model_refuses_bad_arguments():
    runs = small_runs().assign(flag=[True, False] * 3, kind=["a", "b"] * 3)
    with pytest.raises(ValueError, match=r"no run dissolved \(all 6 were still alive"):
        survival.cox_model(runs.assign(sustained=True, collapse_step=None), "flag")
    with pytest.raises(ValueError, match=r"covariate 'kind' is not numeric or true/false"):
        survival.cox_model(runs, ["kind"])
    with pytest.raises(ValueError, match=r"covariate 'horizon' is 52 in every run"):
        survival.cox_model(runs, ["flag", "horizon"])
    with pytest.raises(ValueError, match=r"runs has no column 'cede'"):
        survival.cox_model(runs, ["cede"])
    with pytest.raises(ValueError, match=r"interaction \('flag', 'seed'\) is not allowed"):
        survival.cox_model(runs, ["flag", "cede_willingness"], interactions=[("flag", "seed")])
    with pytest.raises(ValueError, match=r"interaction 'flag' is not allowed.*list of pairs"):
        survival.cox_model(
            runs, ["flag", "cede_willingness"], interactions=("flag", "cede_willingness")
        )
    with pytest.raises(ValueError, match=r"\['flag'\] are both covariates and strata"):
        survival.cox_model(runs, ["flag"], strata="flag")
    with pytest.raises(ValueError, match=r"time_transform='km' is not allowed"):
        survival.cox_model(runs, ["flag"], time_transform="km")
    # a covariate named twice enters once
    assert list(survival.cox_model(runs, ["flag", "flag"]).hazard_ratios.index) == ["flag"]


# --- real runs ---------------------------------------------------------------------------
