"""Played people: their choices take the place of the model's draws (collabsim.played)."""

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim import CollaborationModel
from collabsim.mechanisms import change, counters
from collabsim.mechanisms.roles import TOP
from collabsim.played import AWAITING, Choice, ChoiceError
from collabsim.workshop.turns import meeting_due, play_meeting


def _run(model, weeks):
    for _ in range(weeks):
        model.step()
    return model.timeseries()


@pytest.mark.parametrize(("scenario", "seed"), [("iocn", 0), ("beston", 3), ("clahrc", 1)])
def test_a_person_who_leaves_every_choice_to_the_model_lives_the_models_run(scenario, seed):
    plain = _run(CollaborationModel(scenario, rng=seed), 60)
    model = CollaborationModel(scenario, rng=seed)
    p = model.state.people
    frontline = [i for i in range(p.role.size) if p.role[i] != TOP and not p.steady[i]][:3]
    for person in frontline:
        model.played.play(person)
    for _ in range(60):
        if meeting_due(model):
            for person in frontline:
                model.played.choose(person, Choice())
        model.step()
    pd.testing.assert_frame_equal(model.timeseries(), plain, check_exact=True)


def _ordinary(model, role_is_top):
    p = model.state.people
    return [
        int(i)
        for i in np.flatnonzero(
            p.active
            & ~p.steady
            & ((p.role == TOP) == role_is_top)
            & ((p.pathway >= 0) | role_is_top)
        )
    ]


def test_staying_away_and_coming_are_the_persons_choice():
    # nobody moves on, so the posts' records stay those of the people who chose
    model = CollaborationModel(collabsim.scenario("iocn", turnover_rate=0.0), rng=2)
    away, come = _ordinary(model, False)[:2]
    play_meeting(model, [away, come], {away: Choice(attend=False), come: Choice(attend=True)})
    p = model.state.people
    assert p.attended[away] == 0 and p.attended[come] == 1


def test_a_chosen_small_test_is_proposed_at_the_meeting_and_nothing_else_until_the_next():
    model = CollaborationModel("iocn", rng=4)
    person = _ordinary(model, False)[0]
    proposed_before = model.state.counters[counters.PROPOSED]
    model.played.play(person)
    model.played.choose(person, Choice(propose="small"))
    model.step()
    stage = model.state.changes.stage[person]
    assert stage in (change.TESTING, change.AWAITING_TEST_GRANT)
    assert model.state.counters[counters.PROPOSED] >= proposed_before + 1


def test_a_chosen_redesign_asks_the_owning_tops_and_not_now_proposes_nothing():
    model = CollaborationModel("iocn", rng=4)
    bold, quiet = _ordinary(model, False)[:2]
    play_meeting(model, [bold, quiet], {bold: Choice(propose="big"), quiet: Choice(propose="none")})
    changes = model.state.changes
    assert changes.stage[quiet] == change.IDLE
    assert changes.stage[bold] in (
        change.AWAITING_REDESIGN_GRANTS,
        change.REDESIGNING,
        change.IDLE,
    )  # granted, blocked, or waiting still
    assert changes.mask[bold] != 0  # a redesign was drawn up


def _top_with_a_request(seed):
    """A model just before a meeting, with a request waiting on an ordinary top alone.

    Not a redesign: the partnership board decides those, on every owning top's leave.
    """
    model = CollaborationModel("iocn", rng=seed)
    p = model.state.people
    while True:
        model.step()
        if not meeting_due(model):
            continue
        for top in _ordinary(model, True):
            model.played.play(top)
            requests = [r for r in model.played.requests(top) if r.kind != "redesign"]
            if requests:
                return model, top, requests[0].proposer
            model.played.release(top)
        assert model.steps < 200 and p.active.any(), "no request found"


@pytest.mark.parametrize("grant", [False, True])
def test_a_played_senior_leaders_verdict_decides_the_request(grant):
    model, top, proposer = _top_with_a_request(5)
    p = model.state.people
    granted, blocked = int(p.granted[top]), int(p.blocked[top])
    stage = model.state.changes.stage[proposer]
    play_meeting(model, [top], {top: Choice(verdicts={proposer: grant})})
    assert model.state.changes.stage[proposer] != stage
    if grant:
        assert p.granted[top] == granted + 1 and p.blocked[top] == blocked
    else:
        assert p.blocked[top] == blocked + 1 and p.granted[top] == granted


def test_requests_to_a_played_senior_leader_wait_on_their_desk_until_the_meeting():
    model = CollaborationModel("iocn", rng=6)
    changes = model.state.changes
    while True:  # a week with no meeting, in which a request to an ordinary top comes due
        model.step()
        if meeting_due(model):
            continue
        found = None
        for top in _ordinary(model, True):
            model.played.play(top)
            due = [r for r in model.played.requests(top) if r.due == model.steps + 1]
            if due:
                found = top, due[0].proposer
                break
            model.played.release(top)
        if found:
            break
        assert model.steps < 300, "no request came due between meetings"
    top, proposer = found
    stage = changes.stage[proposer]
    while not meeting_due(model):
        model.step()
        assert changes.stage[proposer] == stage  # on the desk, not decided
    others = {r.proposer: True for r in model.played.requests(top) if r.proposer != proposer}
    model.played.choose(top, Choice(verdicts={**others, proposer: False}))
    blocked = int(model.state.people.blocked[top])
    model.step()  # the meeting: decided as the senior leader chose (the others granted)
    assert changes.stage[proposer] not in AWAITING
    assert model.state.people.blocked[top] == blocked + 1


def test_ceding_territory_costs_power_and_builds_the_record_of_ceding():
    model = CollaborationModel("iocn", rng=7)
    top = _ordinary(model, True)[0]
    p = model.state.people
    power, ceded = float(p.power[top]), float(p.ceded[top])
    play_meeting(model, [top], {top: Choice(cede=True)})
    assert p.power[top] < power and p.ceded[top] > ceded


def test_a_chosen_self_interested_act_is_the_models_act():
    model = CollaborationModel("iocn", rng=7)
    top = _ordinary(model, True)[0]
    play_meeting(model, [top], {top: Choice(self_interest=True)})
    assert model.network.self_interest_acts == 1 and model.network.last_actor == top


def test_chosen_conversations_are_held_with_the_chosen_people():
    model = CollaborationModel("iocn", rng=8)
    p = model.state.people
    person = _ordinary(model, False)[0]
    others = [j for j in _ordinary(model, False) if p.org[j] != p.org[person]][:2]
    model.played.play(person)
    model.played.choose(person, Choice(talk_to=tuple(others)))
    model.step()
    assert [(c.person, c.other) for c in model.played.conversations] == [
        (person, j) for j in others
    ]


def test_choices_that_are_not_the_persons_to_make_are_refused_with_a_reason():
    model = CollaborationModel("iocn", rng=9)
    p = model.state.people
    frontline, top = _ordinary(model, False)[0], _ordinary(model, True)[0]
    with pytest.raises(ChoiceError, match="is not played"):
        model.played.choose(frontline, Choice(attend=True))
    model.played.play(frontline)
    model.played.play(top)
    with pytest.raises(ChoiceError, match="only senior leaders"):
        model.played.choose(frontline, Choice(cede=True))
    with pytest.raises(ChoiceError, match="only frontline staff and managers"):
        model.played.choose(top, Choice(propose="small"))
    with pytest.raises(ChoiceError, match="propose='huge' is not allowed"):
        model.played.choose(frontline, Choice(propose="huge"))
    with pytest.raises(ChoiceError, match="no request from person"):
        model.played.choose(top, Choice(verdicts={frontline: True}))
    colleague = next(
        j for j in range(p.org.size) if p.org[j] == p.org[frontline] and j != frontline
    )
    with pytest.raises(ChoiceError, match="own organisation"):
        model.played.choose(frontline, Choice(talk_to=(colleague,)))
    with pytest.raises(ChoiceError, match="person=9999 is not allowed"):
        model.played.play(9999)
    with pytest.raises(ChoiceError, match="holds the centre or convenes"):
        model.played.play(int(np.flatnonzero(p.steady)[0]))
