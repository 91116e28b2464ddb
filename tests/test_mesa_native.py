"""The model as Mesa's own tools see it: DataCollector and batch_run, the constructor's
keywords, removing an agent, the network space, the repr and the week-indexed series."""

from __future__ import annotations

import copy
import functools
import pickle
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario

import collabsim
from collabsim import CollaborationModel
from collabsim.agents import PersonHasLeft
from collabsim.metrics import REPORTER_NAMES
from collabsim.params import ParameterError

#: A person's records, each under a column name no model reporter has (``batch_run`` puts
#: both in one row).
PERSON_REPORTERS = {
    "commitment": "commitment",
    "meetings_attended": "meetings_attended",
    "granted": "changes_granted",
    "blocked": "changes_blocked",
    "trust": "trust",
}


def stepped(model: CollaborationModel, weeks: int) -> CollaborationModel:
    for _ in range(weeks):
        model.step()
    return model


# --- 1. a real DataCollector, fed by the declared reporters ------------------------------


def test_batch_run_gives_the_same_rows_as_run():
    rows = mesa.batch_run(
        CollaborationModel,
        parameters={"params": "beston", "cede_willingness": [0.2, 0.8]},
        rng=[1],
        max_steps=6,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    assert len(frame) == 2 * 7
    for cede, runs in frame.groupby("cede_willingness"):
        expected = collabsim.run(
            collabsim.scenario("beston", cede_willingness=cede), seed=1, steps=6
        ).timeseries
        assert list(runs["Step"]) == list(range(7))
        got = runs[list(REPORTER_NAMES)].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)


def test_batch_run_takes_params_in_a_list_and_says_so_when_given_them_bare():
    params = collabsim.scenario("beston", cede_willingness=0.3)
    kept = {"rng": [1], "max_steps": 4, "display_progress": False}
    rows = mesa.batch_run(CollaborationModel, parameters={"params": [params]}, **kept)
    expected = collabsim.run(params, seed=1, steps=4).timeseries.iloc[-1]
    assert rows[0]["commitment_mean"] == expected["commitment_mean"]
    with pytest.raises(ParameterError, match=r"params='n_people' is not allowed: .* in a list"):
        mesa.batch_run(CollaborationModel, parameters={"params": params}, **kept)


def test_the_datacollector_holds_the_time_series_and_each_reporter_by_name():
    model = stepped(CollaborationModel("beston", rng=2), 5)
    collector = model.datacollector
    assert isinstance(collector, mesa.DataCollector)
    assert list(collector.model_reporters) == list(REPORTER_NAMES)
    frame = collector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(frame, model.timeseries(), check_exact=True)
    assert collector.model_vars["active_members"] == list(frame["active_members"])
    last = frame.iloc[-1]
    for name, reporter in collector.model_reporters.items():  # the same value, by name
        np.testing.assert_equal(reporter(model), last[name])


def test_a_collection_of_ones_own_is_labelled_with_the_week_it_was_made_in():
    model = stepped(CollaborationModel("beston", rng=2), 3)
    model.datacollector.collect(model)  # as a user's own DataCollector habit would
    frame = model.timeseries()
    assert frame.index.tolist() == [0, 1, 2, 3, 3] and frame.index.name == "week"
    pd.testing.assert_series_equal(frame.iloc[-1], frame.iloc[-2], check_names=False)


def test_reporters_agree_with_the_people_and_pathways_read_directly():
    """Each column holds its own reporter: values computed here from Mesa's agents and the
    state, independently of the reporters' compiled pass, match the columns by name."""
    # Records stay with their holders (nobody moves on), and each grant and block has one
    # decider (small tests only: a redesign is one decision by several tops; and a seed at
    # which no organisation withdraws, whose requests would then have nobody to decide).
    params = collabsim.scenario("iocn", turnover_rate=0.0, incremental_share=1.0)
    model = stepped(CollaborationModel(params, rng=0), 30)
    assert not model.state.withdrawn.any()
    last = model.timeseries().iloc[-1]
    members = [a for a in model.agents if a.active]
    assert last["active_members"] == len(members)
    assert last["commitment_mean"] == pytest.approx(np.mean([a.commitment for a in members]))
    tops = [a for a in members if a.role == "top" and not (a.is_convener or a.is_central_leader)]
    assert last["commitment_tops"] == pytest.approx(np.mean([a.commitment for a in tops]))
    assert last["changes_granted"] == sum(a.changes_granted for a in model.agents) > 0
    assert last["changes_blocked"] == sum(a.changes_blocked for a in model.agents) > 0
    fitness = model.state.pathways.fitness.sum() / model.state.pathways.initial_fitness.sum()
    assert last["quality"] == pytest.approx(fitness)
    views = [a.narrative for a in members]
    assert last["narrative_spread"] == pytest.approx(np.std(views))
    assert last["alive"] == model.alive and last["meeting"] == model.network.meeting_held


def test_each_persons_record_as_proposer_adds_up_to_the_models_counts():
    """Every request turned down is its proposer's and every adoption its leader's; the
    distributed-leadership index is the share of pathway team members who led one."""
    params = collabsim.scenario("iocn", turnover_rate=0.0, incremental_share=1.0)
    model = stepped(CollaborationModel(params, rng=4), 100)
    last = model.timeseries().iloc[-1]
    assert last["changes_blocked"] == sum(a.requests_refused for a in model.agents) > 0
    assert last["changes_adopted"] == sum(a.changes_led for a in model.agents) > 0
    on_teams = [a for a in model.agents if a.active and a.pathway is not None]
    led = np.mean([a.changes_led > 0 for a in on_teams])
    assert 0 < last["distributed_leadership_index"] == pytest.approx(led)


def test_agent_reporters_read_people_as_mesa_agents():
    model = stepped(CollaborationModel("beston", rng=3, agent_reporters=PERSON_REPORTERS), 8)
    agents = model.datacollector.get_agent_vars_dataframe()
    assert list(agents.columns) == list(PERSON_REPORTERS)
    assert list(agents.index.names) == ["Step", "AgentID"]
    assert sorted(agents.index.get_level_values("Step").unique()) == list(range(9))
    final = agents.xs(8, level="Step")
    people = model.state.people
    for person in model.agents:
        row = final.loc[person.unique_id]
        assert row["meetings_attended"] == people.attended[person.index]
        assert row["granted"] == people.granted[person.index]
        assert row["blocked"] == people.blocked[person.index]
        assert row["commitment"] == people.commitment[person.index]
    assert final["meetings_attended"].max() > 0
    assert 0 < final["trust"].mean() < 1


def test_agent_reporters_in_a_batch_run():
    tracked = functools.partial(CollaborationModel, agent_reporters=PERSON_REPORTERS)
    rows = pd.DataFrame(
        mesa.batch_run(
            tracked, parameters={"params": "beston"}, rng=[4], max_steps=3, display_progress=False
        )
    )
    assert len(rows) == collabsim.scenario("beston").n_people
    assert {"AgentID", "meetings_attended", "trust", "alive"} <= set(rows.columns)
    week = collabsim.run(collabsim.scenario("beston"), seed=4, steps=3).timeseries.iloc[-1]
    assert (rows["changes_granted"] == week["changes_granted"]).all()  # the model's, kept
    assert rows["granted"].sum() == week["changes_granted"]  # and each person's


def test_agent_reporters_that_are_not_a_mapping_are_refused():
    with pytest.raises(ParameterError, match="agent_reporters"):
        CollaborationModel("beston", agent_reporters="commitment")


@pytest.mark.parametrize(
    ("reporters", "message"),
    [
        ({"frustration": "frustration"}, "'frustration' is not allowed: a model reporter"),
        ({3: "commitment"}, "column name 3 is not allowed: expected text"),
        ({"x": 5}, r"agent_reporters\['x'\]=5 is not allowed: expected a Person attribute"),
        ({"x": None}, r"agent_reporters\['x'\]=None is not allowed"),
        ({"x": [len]}, r"agent_reporters\['x'\]=\[<built-in function len>\] is not allowed"),
    ],
)
def test_agent_reporters_mesa_could_not_keep_apart_or_call_are_refused_by_name(reporters, message):
    with pytest.raises(ParameterError, match=message):
        CollaborationModel("beston", agent_reporters=reporters)


def test_agent_reporters_take_every_form_mesa_takes():
    def scaled(person, factor):
        return factor * person.commitment

    model = stepped(
        CollaborationModel(
            "beston",
            rng=3,
            agent_reporters={
                "commitment": "commitment",
                "half": [scaled, [0.5]],
                "doubled": functools.partial(scaled, factor=2.0),
                "role": lambda person: person.role,
            },
        ),
        2,
    )
    final = model.datacollector.get_agent_vars_dataframe().xs(2, level="Step")
    assert np.allclose(final["half"], 0.5 * final["commitment"])
    assert np.allclose(final["doubled"], 2.0 * final["commitment"])
    assert set(final["role"]) == {"top", "middle", "bottom"}


# --- 2. Mesa's constructor keywords --------------------------------------------------------


def series(model: CollaborationModel, weeks: int = 12) -> pd.DataFrame:
    return stepped(model, weeks).timeseries()


def test_a_mesa_scenario_passes_the_seed_and_parameters():
    same = series(CollaborationModel("beston", rng=3))
    pd.testing.assert_frame_equal(
        series(CollaborationModel("beston", scenario=Scenario(rng=3))), same
    )
    # what SolaraViz's Reset passes: an empty Scenario beside the model's own keywords
    pd.testing.assert_frame_equal(
        series(CollaborationModel(params="beston", rng=3, scenario=Scenario())), same
    )
    model = CollaborationModel("beston", scenario=Scenario(rng=3, cede_willingness=0.2))
    assert model.params == collabsim.scenario("beston", cede_willingness=0.2)
    assert model.scenario.model is model


def test_an_unknown_name_in_a_mesa_scenario_is_refused_by_name():
    with pytest.raises(ParameterError, match="cede_wilingness"):
        CollaborationModel("beston", scenario=Scenario(rng=1, cede_wilingness=0.2))


def test_seed_is_mesas_older_spelling_of_rng():
    with pytest.warns(FutureWarning):
        old = series(CollaborationModel("beston", seed=5))
    pd.testing.assert_frame_equal(old, series(CollaborationModel("beston", rng=5)))
    with pytest.raises(ValueError, match="rng or seed"), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        CollaborationModel("beston", seed=5, rng=5)


def test_reset_rng_reseeds_the_rest_of_the_run():
    def after_reset(seed):
        model = stepped(CollaborationModel("iocn", rng=1, n_people=120), 4)
        if seed != "none":
            model.reset_rng(seed)
        return series(model, 40)

    untouched, nine = after_reset("none"), after_reset(9)
    pd.testing.assert_frame_equal(nine, after_reset(9), check_exact=True)
    assert not nine.equals(untouched)
    assert not nine.equals(after_reset(10))
    pd.testing.assert_frame_equal(nine.iloc[:5], untouched.iloc[:5])  # the past stays


# --- 3. removing an agent ------------------------------------------------------------------


def test_a_removed_person_leaves_the_network_and_stops_changing():
    model = stepped(CollaborationModel("iocn", rng=6, turnover_rate=0.0), 6)
    person = next(p for p in model.agents if p.role == "middle" and p.active)
    exits = model.network.exits
    person.remove()
    assert person not in model.agents
    assert not model.state.people.active[person.index]
    assert model.network.exits == exits + 1
    before = {
        name: getattr(person, name)
        for name in (
            "commitment",
            "narrative",
            "skill",
            "frustration",
            "leader_identity",
            "meetings_attended",
            "changes_granted",
            "changes_blocked",
            "changes_led",
            "requests_refused",
        )
    }
    stepped(model, 40)
    assert model.steps == 46 and model.alive
    assert {name: getattr(person, name) for name in before} == before
    assert model.timeseries()["active_members"].iloc[-1] <= model.params.n_people - 1


def test_turnover_still_replaces_people_as_new_agents():
    model = stepped(CollaborationModel("iocn", rng=7, n_people=120, turnover_rate=0.5), 52)
    assert model.network.turnover > 0
    assert len(model.agents) == model.params.n_people
    assert {p.index for p in model.agents} == set(range(model.params.n_people))


# --- 4. the network as a Mesa space ----------------------------------------------------------


def test_the_network_space_is_built_only_when_asked_for():
    model = stepped(CollaborationModel("beston", rng=8), 3)
    assert "grid" not in vars(model)
    space = model.grid
    assert isinstance(space, mesa.discrete_space.Network)
    assert model.grid is space
    assert sorted(space.G.nodes) == list(range(model.params.n_people))
    assert all(person.cell.coordinate == person.index for person in model.agents)
    assert len(space.agents) == len(model.agents)
    team = next(p for p in model.agents if p.pathway is not None)
    mates = {p.index for p in model.agents if p.pathway == team.pathway} - {team.index}
    assert mates <= set(space.G.neighbors(team.index))


def test_the_space_follows_turnover_and_removal():
    model = CollaborationModel("iocn", rng=9, n_people=120, turnover_rate=0.5)
    space = model.grid
    stepped(model, 30)
    assert model.network.turnover > 0
    assert set(space.agents) == set(model.agents)
    gone = next(iter(model.agents))
    gone.remove()
    assert gone not in set(space.agents) and len(space.agents) == len(model.agents)


# --- 5. repr and the week-indexed time series ---------------------------------------------------


def test_the_repr_says_scenario_week_people_and_life():
    model = stepped(CollaborationModel("beston", rng=1), 3)
    text = repr(model)
    assert "'beston'" in text and "week 3" in text and "alive" in text
    assert f"{collabsim.scenario('beston').n_people} people" in text
    changed = CollaborationModel("beston", rng=1, cede_willingness=0.1)
    assert "cede_willingness" in repr(changed)
    assert "never convened" in repr(CollaborationModel("beston", rng=1, convened=False))


def test_the_time_series_is_indexed_by_week():
    frame = collabsim.run(collabsim.scenario("beston"), seed=1, steps=10).timeseries
    assert frame.index.name == "week"
    assert list(frame.index) == list(range(11))
    assert list(frame.columns) == list(REPORTER_NAMES)


def test_a_run_folder_written_before_the_week_index_reads_back_by_week(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from collabsim import storage

    result = collabsim.run(collabsim.scenario("beston"), seed=1, steps=4)
    folder = storage.write_run(result, tmp_path / "run")
    older = result.timeseries.reset_index().rename(columns={"week": "step"})
    pq.write_table(pa.Table.from_pandas(older, preserve_index=False), folder / storage.TIMESERIES)
    pd.testing.assert_frame_equal(storage.read_run(folder).timeseries, result.timeseries)


# --- people kept by the user, attributes set by the user, copies --------------------------


def test_a_person_kept_after_their_post_changed_hands_refuses_to_read_or_change_it():
    model = CollaborationModel("beston", rng=3, turnover_rate=0.5)
    people = list(model.agents)
    stepped(model, 30)
    gone = next(p for p in people if p not in model.agents)
    newcomer = model.people[gone.index]
    assert newcomer is not gone and newcomer in model.agents
    before = newcomer.commitment
    for read in ("commitment", "active", "role", "trust", "meetings_attended"):
        with pytest.raises(PersonHasLeft, match=f"left post {gone.index} in week"):
            getattr(gone, read)
    with pytest.raises(PersonHasLeft):
        gone.commitment = 0.99
    assert newcomer.commitment == before  # the newcomer's row is untouched
    assert "left post" in repr(gone)


@pytest.mark.parametrize("value", [5.0, -0.1, float("nan"), None, "high", True])
def test_a_person_attribute_outside_0_1_is_refused_naming_it(value):
    model = CollaborationModel("beston", rng=3)
    person = next(iter(model.agents))
    before = person.commitment
    with pytest.raises(ParameterError, match="commitment=.* expected a number from 0 to 1"):
        person.commitment = value
    assert person.commitment == before
    person.commitment = np.float64(0.25)  # a NumPy number counts as the Python one
    assert person.commitment == 0.25


def test_trust_in_takes_a_person_of_the_same_model():
    model, other = CollaborationModel("beston", rng=3), CollaborationModel("beston", rng=4)
    person, stranger = next(iter(model.agents)), next(iter(other.agents))
    for given in (3, stranger):
        with pytest.raises(ParameterError, match="expected a Person of the same model"):
            person.trust_in(given)


@pytest.mark.parametrize("how", [copy.deepcopy, copy.copy, pickle.dumps])
def test_copying_or_pickling_a_model_is_refused_saying_how_to_branch(how):
    with pytest.raises(TypeError, match="same parameters and seed and step both to week k"):
        how(CollaborationModel("beston", rng=3))
