"""Whole-model properties: determinism, invariants over random valid parameter sets, and
the model as Mesa sees it."""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collabsim
from collabsim.agents import Person
from collabsim.mechanisms import roles, trust_store
from collabsim.metrics import REPORTER_NAMES, SUMMARY
from collabsim.params import EVENT_KINDS, PARAMETERS, ParameterError


def test_same_seed_same_run_different_seed_different_run():
    params = collabsim.scenario("iocn", n_people=120)
    a = collabsim.run(params, seed=11)
    b = collabsim.run(params, seed=11)
    c = collabsim.run(params, seed=12)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    assert a.summary == b.summary or _nan_equal(a.summary, b.summary)
    assert not a.timeseries.equals(c.timeseries)


def _who_moves_on_each_week(model, weeks):
    """For each week, the posts whose holders moved on, in the run and in its silo twin."""
    worlds = (model, model.silo_twin)
    seen = []
    for _ in range(weeks):
        before = [world.network.turnover for world in worlds]
        model.step()
        seen.append(
            [
                sorted(world.state.leavers[: world.network.turnover - count].tolist())
                for world, count in zip(worlds, before, strict=True)
            ]
        )
    return seen


def test_runs_on_one_seed_draw_alike_wherever_they_do_the_same_thing():
    """Synchronised streams (ODD §7): where moving on does not depend on frustration, the
    same people move on in the same weeks in two runs on one seed that differ in a lever,
    and in each run's silo twin, although the runs differ in everything else."""
    params = collabsim.scenario(
        "iocn", n_people=150, central_leader_strength=0.0, turnover_frustration=0.0
    )
    runs = [
        collabsim.CollaborationModel(params.replace(cede_willingness=cede), rng=3)
        for cede in (0.1, 0.9)
    ]
    weeks = [_who_moves_on_each_week(model, 156) for model in runs]
    for seen in weeks:
        assert all(run == twin for run, twin in seen)
    assert [run for run, _ in weeks[0]] == [run for run, _ in weeks[1]]
    assert sum(len(run) for run, _ in weeks[0]) >= 20
    assert runs[0].network.quality != runs[1].network.quality


def _nan_equal(x, y):
    return all(x[k] == y[k] or (x[k] != x[k] and y[k] != y[k]) for k in x)


def test_two_models_in_one_process_do_not_disturb_each_other():
    """Interleaving two models (the dashboard's side-by-side panes) changes nothing."""
    params = collabsim.scenario("beston")
    alone = collabsim.run(params, seed=4).timeseries
    left = collabsim.CollaborationModel(params, rng=4)
    right = collabsim.CollaborationModel(params.replace(academic_partner=False), rng=4)
    for _ in range(params.horizon):
        left.step()
        right.step()
    pd.testing.assert_frame_equal(left.timeseries(), alone, check_exact=True)


def test_a_run_lets_go_of_its_arrays_as_it_returns():
    """A Mesa model holds itself in reference cycles; ``run`` frees the run's state (and
    its twin's) without waiting for the garbage collector, so the next run reuses it."""
    params = collabsim.scenario("iocn", n_people=1500)
    collabsim.run(params, seed=1, steps=2)  # the compiled mechanisms, loaded beforehand
    gc.collect()
    gc.disable()
    try:
        tracemalloc.start()
        collabsim.run(params, seed=1, steps=2)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.enable()
    matrix = 1500 * 1500 * 4  # one world's personal trust (float32): two were made
    assert peak > 2 * matrix
    assert held < matrix / 4, f"{held / 1e6:.1f} MB still held after the run"


def test_a_released_model_refuses_to_step_and_keeps_what_it_recorded():
    model = collabsim.CollaborationModel(collabsim.scenario("beston"), rng=3)
    for _ in range(5):
        model.step()
    recorded = model.timeseries()
    model.release()
    for _ in range(2):  # every time, before Mesa's clock moves on
        with pytest.raises(RuntimeError, match=r"let go of its state \(model\.release\(\)\)"):
            model.step()
        assert (model.steps, model.time) == (5, 5)
    assert not model.running
    with pytest.raises(RuntimeError, match="let go of its state"):
        model.run_for(1)  # Mesa's own loop, which steps without model.step
    pd.testing.assert_frame_equal(model.timeseries(), recorded, check_exact=True)
    assert len(recorded) == 6
    with pytest.raises(RuntimeError, match="nor read its people"):  # not None's AttributeError
        model.agents.agg("commitment", max)


def test_run_results_have_every_reporter_and_summary_output_and_pickle():
    result = collabsim.run(collabsim.scenario("beston"), seed=1)
    frame = result.timeseries
    assert list(frame.columns) == list(REPORTER_NAMES)
    assert list(frame.index) == list(range(53)) and frame.index.name == "week"
    assert set(result.summary) == set(SUMMARY)
    again = pickle.loads(pickle.dumps(result))
    pd.testing.assert_frame_equal(again.timeseries, frame)
    assert again.params == result.params and again.seed == 1
    shorter = collabsim.run(collabsim.scenario("beston"), seed=1, steps=10)
    pd.testing.assert_frame_equal(shorter.timeseries, frame.iloc[:11], check_exact=True)


# --- invariants over random valid parameter sets -------------------------------------------

KINDS = PARAMETERS["organisations"].choices


@st.composite
def valid_params(draw):
    values = {}
    for p in PARAMETERS.values():
        if p.kind == "float":
            values[p.name] = draw(st.floats(p.low, p.high, allow_nan=False))
        elif p.kind == "bool":
            values[p.name] = draw(st.booleans())
        elif p.kind == "choice":
            values[p.name] = draw(st.sampled_from(p.choices))
    organisations = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    values["organisations"] = organisations
    values["n_people"] = draw(st.integers(max(5, len(organisations) + 3), 70))
    values["middle_share"] = draw(st.floats(0.0, min(0.8, 1.0 - values["top_share"])))
    values["n_practices"] = draw(st.integers(2, 12))
    values["landscape_k"] = draw(st.integers(0, min(4, values["n_practices"] - 1)))
    values["pathway_team_size"] = draw(st.integers(5, 200))
    values["meeting_interval"] = draw(st.integers(1, 8))
    values["table_size"] = draw(st.integers(2, 8))
    values["horizon"] = draw(st.integers(1, 60))
    for name in ("exit_patience_weeks", "collapse_weeks", "attendance_weeks"):
        values[name] = draw(st.integers(1, 16))
    present = organisations + (["university"] if values["academic_partner"] else [])
    values["events"] = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "step": st.integers(0, values["horizon"]),
                    "kind": st.sampled_from(list(EVENT_KINDS)),
                },
                optional={"organisation": st.sampled_from(present)},
            ),
            max_size=4,
        )
    )
    return collabsim.Params(**values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=valid_params(), seed=st.integers(0, 2**31 - 1))
def test_state_stays_in_range_and_sums_stay_exact(params, seed):
    model = collabsim.CollaborationModel(params, rng=seed)
    for _ in range(params.horizon):
        model.step()
    people = model.state.people
    for name in (
        "power",
        "territoriality",
        "commitment",
        "skill",
        "narrative",
        "leader_identity",
        "workload",
        "inspiration",
        "frustration",
    ):
        values = getattr(people, name)
        assert np.all(np.isfinite(values)), name
        assert values.min() >= 0 and values.max() <= 1, name
    assert np.all((people.meeting_value >= -1) & (people.meeting_value <= 1))
    store = model.state.trust
    n = params.n_people
    values = np.array([[trust_store.read(store, i, j) for j in range(n)] for i in range(n)])
    assert np.all(np.isfinite(values)) and values.min() >= -1e-6 and values.max() <= 1 + 1e-6
    assert np.all((store.general >= 0) & (store.general <= 1))
    active = store.active
    pair = active[:, None] & active[None, :] & ~np.eye(n, dtype=bool)
    if pair.any():
        assert trust_store.group_mean(store, trust_store.ALL) == pytest.approx(
            values[pair].mean(), abs=1e-6
        )
    frame = model.timeseries()
    assert len(frame) == params.horizon + 1
    assert frame["quality"].notna().all() and frame["active_members"].notna().all()
    some = frame["active_members"] >= 1
    pairs = frame["active_members"] >= 2
    assert frame.loc[some, "commitment_mean"].notna().all()
    assert frame.loc[pairs, "trust_mean"].notna().all()
    assert frame.loc[~some, "commitment_mean"].isna().all()
    assert frame["active_members"].between(0, n).all()
    assert (np.diff(frame["changes_adopted"]) >= 0).all()
    assert len(model.agents) == n
    if not params.convened:
        assert not frame["alive"].any() and not frame["meeting"].any()


# --- the model as Mesa sees it -------------------------------------------------------------


def test_people_are_mesa_agents_viewing_the_state_arrays():
    model = collabsim.CollaborationModel("beston", rng=2)
    assert len(model.agents) == model.params.n_people
    assert all(isinstance(a, Person) for a in model.agents)
    tops = model.agents.select(lambda a: a.role == "top")
    assert len(tops) == int((model.state.people.role == roles.TOP).sum()) > 0
    person = model.people[3]
    person.commitment = 0.42
    assert model.state.people.commitment[3] == 0.42
    assert person.cede_willingness == pytest.approx(1 - person.territoriality)
    assert person.organisation is model.state.organisations[model.state.people.org[3]]
    assert 0 <= person.trust_in(model.people[4]) <= 1
    commitments = model.agents.get("commitment")
    assert np.allclose(sorted(commitments), sorted(model.state.people.commitment))
    assert sum(a.is_convener for a in model.agents) == 1


def test_newcomers_get_new_agents_and_the_population_keeps_its_size():
    model = collabsim.CollaborationModel("iocn", rng=3, n_people=60, turnover_rate=0.6)
    first_ids = {a.unique_id for a in model.agents}
    for _ in range(52):
        model.step()
    assert model.network.turnover > 0
    assert len(model.agents) == 60
    ids = {a.unique_id for a in model.agents}
    assert len(ids) == 60 and ids - first_ids  # newcomers are new agents
    assert max(ids) <= 60 + model.network.turnover == model.agent_id_counter - 1
    assert [a.index for a in model.people] == list(range(60))


def test_the_model_stops_at_the_horizon_and_accepts_overrides():
    model = collabsim.CollaborationModel("beston", rng=0, horizon=30)
    model.run_model()
    assert model.steps == 30 and not model.running
    with pytest.raises(ParameterError, match="cede_willingness"):
        collabsim.CollaborationModel(rng=0, cede_willingness=7)
    with pytest.raises(ParameterError, match="unknown scenario"):
        collabsim.CollaborationModel("nowhere", rng=0)


def test_scheduled_events_do_what_they_say():
    # no one moves on of their own accord, so each event's mark is still there when read (a
    # post refilled the week of the act would start with an undamaged reputation)
    base = collabsim.scenario("iocn", n_people=80, turnover_rate=0.0, turnover_frustration=0.0)
    events = [
        {"step": 5, "kind": "central_leader_leaves"},
        {"step": 6, "kind": "partner_withdraws"},
        {"step": 7, "kind": "budget_cut", "organisation": "acute_trust"},
        {"step": 8, "kind": "self_interest_act"},
        {"step": 9, "kind": "programme_starts"},
        {"step": 10, "kind": "resistant_member_leaves"},
    ]
    model = collabsim.CollaborationModel(
        base.replace(events=events, programme_intensity=0.5), rng=1
    )
    assert not model.network.programme_running
    people = model.state.people
    for _ in range(6):
        model.step()
    assert not model.network.central_leader_present and not model.network.partner_present
    university = [o.index for o in model.state.organisations if o.is_academic_partner]
    assert not people.active[np.isin(people.org, university)].any()
    acute = [o.index for o in model.state.organisations if o.kind.kind == "acute_trust"]
    tops = (people.role == roles.TOP) & np.isin(people.org, acute)
    before = people.territoriality[tops].copy()
    model.step()
    cut = model.params.budget_cut_severity
    assert np.all(people.territoriality[tops] >= np.minimum(1, before + cut - 1e-9))
    model.step()
    assert model.network.self_interest_acts == 1 and model.state.trust.damage.max() > 0
    model.step()
    assert model.network.programme_running
    turnover_before = model.network.turnover
    model.step()
    assert model.network.turnover >= turnover_before + 1


@pytest.mark.parametrize(
    ("scenario", "seed"), [("clahrc", 0), ("iocn", 5)], ids=["dissolves", "lasts"]
)
def test_summary_outputs_are_what_the_time_series_says(scenario, seed):
    # Read back from the weekly series independently, with the declared types: a share
    # declared whole, or two outputs swapped, would not come out equal.
    result = collabsim.run(collabsim.scenario(scenario), seed=seed, steps=260)
    series, summary = result.timeseries, result.summary
    last, mid = series.iloc[-1], series.iloc[len(series) // 2]
    dissolved = series.index[~series["alive"] & (series.index > 0)]
    expected = {
        "sustained": bool(last["alive"]),
        "collapse_step": int(dissolved[0]) if len(dissolved) else None,
        "sustainability_score": float(series["alive"].iloc[1:].mean()),
        "final_trust_cross_org": float(last["trust_cross_org"]),
        "final_narrative_spread": float(last["narrative_spread"]),
        "quality_gain": float(last["quality"]) - 1.0,
        "quality_gain_mid": float(mid["quality"]) - 1.0,
        "quality_gain_vs_silo": float(last["quality_vs_silo"]),
        "changes_adopted": int(last["changes_adopted"]),
        "big_bang_failures": int(last["big_bang_failures"]),
        "distributed_leadership_index": float(last["distributed_leadership_index"]),
        "mean_attendance": float(series.loc[series["meeting"], "attendance_rate"].mean()),
        "meetings_held": int(series["meeting"].sum()),
    }
    assert (summary["collapse_step"] is None) == (scenario == "iocn")  # both cases met
    for name, value in expected.items():
        assert summary[name] == value and type(summary[name]) is type(value), name
        assert value is None or SUMMARY[name].dtype is type(value), name


def test_power_participation_is_spearmans_rank_correlation():
    """The summary's rank correlation agrees with SciPy's, ties and all."""
    from scipy.stats import spearmanr

    from collabsim.metrics import power_participation, present_throughout

    for seed in (1, 2):
        model = collabsim.CollaborationModel("iocn", rng=seed)
        for _ in range(40):
            model.step()
        people, who = model.state.people, present_throughout(model)
        share = people.attended[who] / model.network.meetings_held
        assert len(np.unique(people.base_power[who])) < who.sum()  # power has ties
        expected = spearmanr(people.base_power[who], share).statistic
        assert power_participation(model) == pytest.approx(expected, rel=1e-12)


def test_average_ranks_are_scipys_with_ties():
    from scipy.stats import rankdata

    from collabsim.metrics import average_ranks

    rng = np.random.default_rng(4)
    for size in (1, 2, 7, 60):
        values = rng.integers(0, 5, size) / 4  # few distinct values: many ties
        assert np.array_equal(average_ranks(values), rankdata(values))


def test_attendees_count_the_people_at_each_meeting():
    """``attendees`` is the number who came, not the share times the members left at the
    week's end: in weeks when nobody moved on, it is everyone marked as at the meeting."""
    checked = 0
    for seed in range(3):
        model = collabsim.CollaborationModel("beston", rng=seed)
        for week in range(1, 25):
            turnover = model.network.turnover
            model.step()
            row = model.timeseries().iloc[-1]
            if not row["meeting"]:
                continue
            if model.network.turnover == turnover:
                assert row["attendees"] == model.state.people.attended_last.sum(), (seed, week)
                checked += 1
    assert checked >= 6


#: How a fresh process first loads the model: a script, a sweep's worker (it unpickles its
#: first task from collabsim.sweeps), and the command line.
FIRST_LOADS = {
    "script": "import collabsim; collabsim.run",
    "worker": "import collabsim.sweeps.runner",
    "command line": "from collabsim.cli import main; main(['run', '--steps', '1', '--quiet', "
    "'--out', {out!r}])",
}


@pytest.mark.parametrize("how", FIRST_LOADS)
def test_a_fresh_process_loads_mesa_before_the_model_reaches_it(how, tmp_path):
    """Mesa's import walks the call stack: its cost grows with depth (collabsim.warm)."""
    code = (
        FIRST_LOADS[how].format(out=str(tmp_path / "run"))
        + "\nimport sys\nloaded = list(sys.modules)  # in the order their imports ended"
        + "\nprint(loaded.index('mesa.model') < loaded.index('numba'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == "True"


def test_a_run_in_a_fresh_process_leaves_scipy_stats_unimported():
    """Importing scipy.stats took longer than a whole run, in every new worker process."""
    code = (
        "import sys, collabsim; collabsim.run(collabsim.scenario('beston'), seed=0, steps=30); "
        "print('scipy.stats' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
