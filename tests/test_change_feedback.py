"""What a participant is told of each change they started, checked against the model's record."""

import re

from room_support import decide_all, rid

from collabsim.mechanisms import change
from collabsim.workshop import Room
from collabsim.workshop.people import describe
from collabsim.workshop.views import participant_view
from collabsim.workshop.watch import ChangeWatch


def test_a_request_proposed_and_blocked_between_two_meetings_is_told_to_its_proposer():
    # A senior leader the model plays decides a few weeks after the meeting, so the request
    # is idle again by the next one: the feedback must still say what became of it.
    told = blocked = 0
    for seed in range(3):
        room = Room("iocn", seed=seed)
        seats = [room.join(room.code, f"Guest {k}") for k in range(8)]
        proposers = [s for s in seats if participant_view(room, s.token)["asks"]["propose"]]
        decide_all(room, seats)
        room.facilitate(room.facilitator_token, request_id=rid(), action="advance")
        for seat in proposers:
            assert any(line.startswith("You proposed a small test") for line in seat.feedback)
            told += 1
            blocked += any(line.startswith("Your change was blocked by") for line in seat.feedback)
    assert told >= 10 and blocked >= 3  # blocks within the weeks are common, and each is told


def test_a_proposal_chosen_while_a_change_is_under_way_is_told_it_did_not_start():
    not_started = (
        "You asked for a small test of change, but your earlier change was still under way "
        "at the meeting, so no new one started: propose again once it is over."
    )
    told = 0
    for seed in (3, 4, 5):  # rooms of a few seeds, so that several changes are under way
        room = Room("iocn", seed=seed)
        seats = [room.join(room.code, f"Guest {k}") for k in range(12)]
        decide_all(room, seats)  # everyone who may proposes a small test
        room.facilitate(room.facilitator_token, request_id=rid(), action="advance")
        changes, p = room.model.state.changes, room.model.state.people
        busy = [s for s in seats if p.active[s.person] and changes.stage[s.person] != change.IDLE]
        for seat in busy:  # the page does not offer it; the room takes it as the choice made
            assert not participant_view(room, seat.token)["asks"]["propose"]
            room.decide(
                seat.token, request_id=rid(), meeting=room.meeting, field="propose", value="small"
            )
        room.facilitate(room.facilitator_token, request_id=rid(), action="advance")
        for seat in busy:  # unless the earlier change ended in the meeting's own week
            started = any(line == "You proposed a small test of change." for line in seat.feedback)
            assert started != (not_started in seat.feedback), seat.feedback
            told += not_started in seat.feedback
    assert told >= 3


def test_every_change_a_participant_starts_is_told_how_it_ended():
    """A small test runs four to eight weeks and often ends between meetings: its proposer
    hears whether it was blocked, adopted or dropped, once, whenever it ended."""
    ended = re.compile(r"blocked by|not granted|worked and was adopted|no improvement|failed")
    outcomes = set()
    for seed in range(3):
        room = Room("iocn", seed=seed)
        seats = [room.join(room.code, f"Guest {k}") for k in range(8)]
        told = {seat.person: [] for seat in seats}
        for _ in range(6):
            decide_all(room, seats)
            room.facilitate(room.facilitator_token, request_id=rid(), action="advance")
            for seat in seats:
                told[seat.person] += seat.feedback
        p, changes = room.model.state.people, room.model.state.changes
        for seat in seats:
            lines = told[seat.person]
            if not p.active[seat.person] or any(line.startswith("You moved on") for line in lines):
                continue  # a change of someone who left lapses untold
            started = sum(line.startswith("You proposed") for line in lines)
            endings = [ended.search(line)[0] for line in lines if ended.search(line)]
            still_running = int(changes.stage[seat.person] != change.IDLE)
            assert started == len(endings) + still_running, lines
            outcomes |= set(endings)
    assert {"worked and was adopted", "no improvement", "blocked by"} <= outcomes


def _watched_change(stage: int):
    """A model some weeks in, one frontline post with a change at ``stage``, and its watch.

    The week the watch then reads is made by hand, so that each test can set up one of the
    rare weeks in which guessing from the pathway would misread what happened.
    """
    room = Room("iocn", seed=3)
    model = room.model
    for _ in range(10):
        model.step()
    p, changes = model.state.people, model.state.changes
    post = next(
        i
        for i in range(p.active.size)
        if p.active[i] and p.pathway[i] >= 0 and changes.stage[i] == change.IDLE
    )
    changes.stage[post], changes.due[post] = stage, model.steps + 1
    changes.pathway[post], changes.practice[post] = p.pathway[post], 0
    return model, post, ChangeWatch(model, [post])


def test_a_test_dropped_in_the_week_another_change_flips_its_practice_is_told_dropped():
    model, post, watch = _watched_change(change.TESTING)
    s = model.state
    pathway = int(s.changes.pathway[post])
    s.changes.stage[post] = change.IDLE  # the test showed no improvement
    s.pathways.config[pathway] ^= 1  # someone else's change flipped the same practice
    other = next(i for i in range(s.people.active.size) if i != post and s.people.pathway[i] >= 0)
    s.people.adopted[other] += 1
    watch.week()
    assert watch.lines[post] == ["Your small test of change showed no improvement and was dropped."]


def test_a_request_blocked_then_tried_without_asking_in_the_same_week_is_told_both():
    model, post, watch = _watched_change(change.AWAITING_TEST_GRANT)
    s = model.state
    owner = int(s.pathways.owner[s.changes.pathway[post], 0])
    top = next(i for i in range(s.people.active.size) if s.people.org[i] == owner)
    s.people.refused[post] += 1  # blocked, and then proposed again as a self-authorised test
    s.people.blocked[top] += 1
    s.changes.stage[post], s.changes.due[post] = change.TESTING, model.steps + 6
    watch.week()
    assert watch.lines[post] == [
        f"Your change was blocked by {describe(model, top)}.",
        "You proposed a small test of change.",
    ]


def test_every_adoption_and_refusal_the_model_records_is_told_once():
    """Over real rooms, the endings told to each participant match their post's own record."""
    adopted = refused = 0
    for seed in range(3):
        room = Room("iocn", seed=seed)
        seats = [room.join(room.code, f"Guest {k}") for k in range(8)]
        p = room.model.state.people
        told = {seat.person: [] for seat in seats}
        start = {seat.person: (p.adopted[seat.person], p.refused[seat.person]) for seat in seats}
        for _ in range(6):
            decide_all(room, seats)
            room.facilitate(room.facilitator_token, request_id=rid(), action="advance")
            for seat in seats:
                if seat.feedback[0].startswith("You moved on"):
                    start.pop(seat.person, None)  # the newcomer's record starts afresh
                told[seat.person] += seat.feedback
        for post, (adopted_before, refused_before) in start.items():
            lines = told[post]
            told_adopted = sum("worked and was adopted" in line for line in lines)
            told_refused = sum(
                re.search("blocked by|not granted", line) is not None for line in lines
            )
            assert told_adopted == p.adopted[post] - adopted_before, lines
            assert told_refused == p.refused[post] - refused_before, lines
            adopted += told_adopted
            refused += told_refused
    assert adopted >= 3 and refused >= 3  # both happen in six meetings of eight players
