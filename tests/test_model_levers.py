"""Levers changed mid-run and what-if events applied at the current week."""

from __future__ import annotations

import numpy as np
import pytest

import collabsim
from collabsim.model import CollaborationModel
from collabsim.params import EVENT_KINDS, LEVERS, PARAMETERS, Event, ParameterError, Params


def _run(model: CollaborationModel, weeks: int) -> CollaborationModel:
    for _ in range(weeks):
        model.step()
    return model


def test_every_lever_says_in_plain_words_what_it_does():
    for name in LEVERS:
        plain = PARAMETERS[name].plain
        assert len(plain) > 40, name
        assert "_" not in plain, name  # words, not parameter names


def test_live_flags_follow_what_the_model_reads_each_week():
    live = {name for name in LEVERS if PARAMETERS[name].live}
    assert live == {
        "network_type",
        "meeting_interval",
        "partner_strength",
        "distributed_leadership",
        "incremental_share",
        "results_pressure",
        "turnover_rate",
    }
    assert not any(p.live for p in PARAMETERS.values() if not p.lever)


def test_a_live_lever_changes_the_parameters_and_the_rates():
    model = _run(CollaborationModel("iocn", rng=1), 5)
    params = model.change_levers(incremental_share=0.2, results_pressure=0.4)
    assert params is model.params
    assert model.params.incremental_share == 0.2
    assert model.params.results_pressure == 0.4
    assert model.settings.change.incremental_share == 0.2  # the settings are rebuilt
    assert model.params.cede_willingness == Params().cede_willingness  # the rest unchanged


def test_set_parameter_is_change_levers_for_one_name():
    model = CollaborationModel("iocn", rng=1)
    model.set_parameter("meeting_interval", 2)
    assert model.params.meeting_interval == 2


def test_a_lever_changed_mid_run_changes_the_trajectory_from_then_on():
    same = _run(CollaborationModel("iocn", rng=4), 20)
    changed = _run(CollaborationModel("iocn", rng=4), 20)
    before = changed.timeseries()
    assert before.equals(same.timeseries())
    changed.change_levers(meeting_interval=1, results_pressure=0.5)
    _run(same, 40)
    _run(changed, 40)
    a, b = same.timeseries(), changed.timeseries()
    assert a.iloc[:21].equals(b.iloc[:21])  # the past is kept
    assert b["meeting"].iloc[21:].sum() > a["meeting"].iloc[21:].sum() * 2
    assert not np.allclose(a["commitment_mean"].iloc[-1], b["commitment_mean"].iloc[-1])


def test_the_same_lever_value_leaves_the_run_as_it_was():
    plain = _run(CollaborationModel("iocn", rng=2), 30)
    touched = _run(CollaborationModel("iocn", rng=2), 10)
    touched.change_levers(
        incremental_share=Params().incremental_share, cede_willingness=Params().cede_willingness
    )
    _run(touched, 20)
    assert plain.timeseries().equals(touched.timeseries())


def test_a_lever_that_shapes_the_start_needs_a_new_model():
    model = CollaborationModel("iocn", rng=1)
    with pytest.raises(ParameterError, match="cede_willingness.*cannot change mid-run"):
        model.change_levers(cede_willingness=0.9)
    with pytest.raises(ParameterError, match="academic_partner"):
        model.set_parameter("academic_partner", False)
    assert model.params.cede_willingness == Params().cede_willingness


def test_bad_values_and_names_are_refused_by_the_declarations():
    model = CollaborationModel("iocn", rng=1)
    with pytest.raises(ParameterError, match="incremental_share=1.5"):
        model.change_levers(incremental_share=1.5)
    with pytest.raises(ParameterError, match="did you mean incremental_share"):
        model.change_levers(incremental_shares=0.5)
    with pytest.raises(ParameterError, match="network_type"):
        model.change_levers(network_type="city")
    assert model.params == Params()


def test_apply_event_happens_now_and_is_dated_to_the_next_week():
    model = _run(CollaborationModel("iocn", rng=3), 12)
    event = model.apply_event("partner_withdraws")
    assert event == Event(13, "partner_withdraws")
    assert not model.network.partner_present
    assert not model.facilitated


@pytest.mark.parametrize("weeks", [0, 5])
def test_an_applied_event_replayed_as_a_scheduled_one_gives_the_same_run(weeks):
    live = _run(CollaborationModel("beston", rng=3), weeks)
    event = live.apply_event("budget_cut")
    _run(live, 30 - weeks)
    shipped = collabsim.scenario("beston")
    replayed = collabsim.scenario("beston", events=[*shipped.events, event])
    assert collabsim.run(replayed, seed=3, steps=30).timeseries.equals(live.timeseries())
    assert not collabsim.run(shipped, seed=3, steps=30).timeseries.equals(live.timeseries())


@pytest.mark.parametrize("kind", sorted(EVENT_KINDS))
def test_every_kind_of_event_set_off_live_replays_as_a_scheduled_one(kind):
    # programmes held back until week 20, so that starting them in week 6 changes the run
    held_back = collabsim.scenario("iocn", n_people=80, events=[Event(20, "programme_starts")])
    live = _run(CollaborationModel(held_back, rng=2), 5)
    event = live.apply_event(kind)
    _run(live, 25)
    replayed = held_back.replace(events=[event, *held_back.events])
    assert collabsim.run(replayed, seed=2, steps=30).timeseries.equals(live.timeseries())
    assert not collabsim.run(held_back, seed=2, steps=30).timeseries.equals(live.timeseries())


def test_programmes_already_running_cannot_be_started_live_as_no_replay_would_match():
    model = _run(CollaborationModel("iocn", rng=2, n_people=80), 10)
    assert model.network.programme_running  # from the start: nothing scheduled holds them
    with pytest.raises(ParameterError, match="'programme_starts' is not allowed now: .* already"):
        model.apply_event("programme_starts")
    _run(model, 5)
    plain = collabsim.run(collabsim.scenario("iocn", n_people=80), seed=2, steps=15)
    assert plain.timeseries.equals(model.timeseries())  # the refused event changed nothing


def test_apply_event_refuses_an_organisation_the_network_does_not_have():
    model = CollaborationModel("beston", rng=3)
    with pytest.raises(ParameterError, match="'acute_trust' .* is not in this network"):
        model.apply_event("budget_cut", organisation="acute_trust")


def test_a_what_if_changes_the_trajectory_relative_to_the_same_seed():
    plain = _run(CollaborationModel("iocn", rng=5), 30)
    acted = _run(CollaborationModel("iocn", rng=5), 30)
    acted.apply_event("self_interest_act")
    assert acted.network.self_interest_acts == plain.network.self_interest_acts + 1
    _run(plain, 10)
    _run(acted, 10)
    a, b = plain.timeseries(), acted.timeseries()
    assert a.iloc[:31].equals(b.iloc[:31])
    assert b["trust_mean"].iloc[-1] < a["trust_mean"].iloc[-1]


def test_apply_event_refuses_an_unknown_kind():
    model = CollaborationModel("iocn", rng=1)
    with pytest.raises(ParameterError, match="budget_cut"):
        model.apply_event("budget_cuts")


def test_set_parameter_refuses_a_name_that_is_not_text_as_an_unknown_parameter():
    model = CollaborationModel("iocn", rng=1)
    with pytest.raises(ParameterError, match="unknown parameter 3"):
        model.set_parameter(3, 0.3)
