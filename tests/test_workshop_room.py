"""A workshop room without the web: dealing, choices, refusals, the record, replay, debrief."""

import re

import pandas as pd
import pytest
from room_support import Clock, decide_all, rid

from collabsim.mechanisms.roles import BOTTOM, MIDDLE, TOP
from collabsim.storage import read_provenance
from collabsim.workshop import Refusal, Room, replay
from collabsim.workshop.debrief import debrief, key_moments
from collabsim.workshop.record import DECISIONS_CSV, DECISIONS_PARQUET, SESSION
from collabsim.workshop.room import MAX_PARTICIPANTS
from collabsim.workshop.views import facilitator_view, participant_view
from collabsim.workshop.whatif import label


@pytest.fixture
def room():
    return Room("iocn", seed=3, clock=Clock())


def test_a_mixed_deal_gives_tops_middles_and_bottoms_across_organisations(room):
    seats = [room.join(room.code, f"Player {k}") for k in range(12)]
    p = room.model.state.people
    roles = {int(p.role[s.person]) for s in seats}
    assert roles == {TOP, MIDDLE, BOTTOM}
    assert len({int(p.org[s.person]) for s in seats}) >= 4
    assert len({s.person for s in seats}) == 12
    assert all(room.model.played.plays(s.person) for s in seats)


@pytest.mark.parametrize("scenario", ["iocn", "beston", "clahrc"])
def test_a_mixed_deal_takes_the_sectors_and_kinds_of_organisation_in_turn(scenario):
    # the health / social care divide is the point of a session: a small room has both sides
    room = Room(scenario, seed=4)
    p, organisations = room.model.state.people, room.model.state.organisations
    kinds = {
        organisations[p.org[i]].kind for i in range(p.org.size) if p.active[i] and not p.steady[i]
    }
    sectors = {kind.sector for kind in kinds} - {"academic"}  # the neutral partner comes last
    seats = [room.join(room.code, f"Player {k}") for k in range(8)]
    dealt = [organisations[p.org[seat.person]].kind for seat in seats]
    for players in range(4, 9):
        assert len(set(dealt[:players])) == min(players, len(kinds))
    assert {kind.sector for kind in dealt[: len(sectors)]} == sectors
    assert Room(scenario, seed=4).order == room.order  # the same room seed deals the same
    if scenario == "iocn":  # a council, a GP practice and the voluntary sector among eight
        names = {kind.kind for kind in dealt}
        assert {"council_social_care", "general_practice", "voluntary_sector"} <= names


def test_a_fixed_deal_deals_the_listed_posts_in_order():
    fixed = Room("iocn", seed=1, deal="fixed", posts=[5, 9, 14])
    assert [fixed.join(fixed.code, n).person for n in "abc"] == [5, 9, 14]
    with pytest.raises(Refusal) as refused:  # the posts are dealt; the room is not full
        fixed.join(fixed.code, "d")
    assert str(refused.value) == (
        "all 3 posts in this room's deal (5, 9, 14) are taken: ask the facilitator, who can "
        "deal more posts in a new room"
    )
    with pytest.raises(ValueError, match="posts: 9999 is not allowed"):
        Room("iocn", deal="fixed", posts=[9999])
    # a post within the range that nobody plays is named with the reason
    p = fixed.model.state.people
    steady = [int(i) for i in p.steady.nonzero()[0]]  # the convener and the central leader
    with pytest.raises(ValueError) as refused:
        Room("iocn", deal="fixed", posts=[steady[-1]])
    said = str(refused.value)
    assert said.startswith(f"posts: {steady[-1]} is not allowed: expected a post from 0 to 299")
    assert f"other than {', '.join(map(str, steady))} (the convener and the central" in said
    with pytest.raises(ValueError, match="posts: 9 is listed twice: each post is dealt once"):
        Room("iocn", deal="fixed", posts=[5, 9, 9])


def test_a_late_joiner_hears_whether_the_posts_or_the_room_ran_out():
    small = Room("beston", seed=1)  # fewer posts to play than a room takes
    for k in range(len(small.order)):
        small.join(small.code, f"Guest {k}")
    with pytest.raises(Refusal) as refused:
        small.join(small.code, "Late")
    assert str(refused.value) == (
        f"all {len(small.order)} posts a participant can play in this network are taken: "
        "ask the facilitator"
    )
    large = Room("iocn", seed=1)
    for k in range(MAX_PARTICIPANTS):
        large.join(large.code, f"Guest {k}")
    with pytest.raises(
        Refusal, match=f"the room is full: it takes {MAX_PARTICIPANTS} participants"
    ):
        large.join(large.code, "Late")


def test_the_facilitator_deals_another_way_only_before_anyone_joins(room):
    mixed = list(room.order)

    def deal(value, token=room.facilitator_token):
        room.facilitate(token, request_id=rid(), action="deal", value=value)

    refusals = [
        ({"deal": "mix"}, "not-the-token", "forbidden", "needs the facilitator's token"),
        ({"deal": "shuffle"}, None, "invalid", "deal='shuffle' is not allowed: expected one of"),
        ("fixed", None, "invalid", "deal='fixed' is not allowed: expected"),
        ({"deal": "fixed", "posts": "12,40"}, None, "invalid", "is not allowed: expected"),
        ({"deal": "fixed", "posts": []}, None, "invalid", "a fixed deal needs a list of posts"),
        ({"deal": "fixed", "posts": [True]}, None, "invalid", "posts: True is not allowed"),
        ({"deal": "fixed", "posts": [9999]}, None, "invalid", "posts: 9999 is not allowed"),
    ]
    for value, token, kind, message in refusals:
        with pytest.raises(Refusal, match=message) as refusal:
            deal(value, token or room.facilitator_token)
        assert refusal.value.kind == kind
        assert room.deal == "mix" and room.order == mixed
    deal({"deal": "fixed", "posts": [mixed[1], mixed[0]]})
    assert room.deal == "fixed" and room.order == [mixed[1], mixed[0]]
    assert room.join(room.code, "Ann").person == mixed[1]
    with pytest.raises(Refusal, match="1 people have joined") as refusal:
        deal({"deal": "mix"})
    assert refusal.value.kind == "stale"  # 409: too late, as a request for a past meeting
    assert room.deal == "fixed" and room.order == [mixed[1], mixed[0]]


def test_rejoining_gives_the_same_person_back(room):
    seat = room.join(room.code, "Ann")
    assert room.rejoin(room.code.lower(), seat.rejoin_code.lower()) is seat
    with pytest.raises(Refusal, match="rejoin code 'NOPE' is not known"):
        room.rejoin(room.code, "nope")


def test_a_rejoin_on_another_device_takes_the_person_over(room):
    ann = room.join(room.code, "Ann")
    old = ann.token
    room.set_connected(old, 1)  # her first phone's page is open
    assert room.rejoin(room.code, ann.rejoin_code) is ann  # a second device
    assert ann.token != old and room.seat(ann.token) is ann
    assert facilitator_view(room, "http://x/")["seats"][0]["connected"] is False
    for refused in (
        lambda: participant_view(room, old),
        lambda: room.decide(old, request_id=rid(), meeting=1, field="attend", value="no"),
    ):
        with pytest.raises(Refusal) as refusal:
            refused()
        assert refusal.value.kind == "forbidden"
        assert str(refusal.value) == (
            "your person was taken over on another device with your rejoin code: to play "
            "here again, rejoin with that code"
        )
    room.set_connected(old, -1)  # the old page closing does not count against the new one
    room.set_connected(ann.token, 1)
    assert facilitator_view(room, "http://x/")["seats"][0]["connected"] is True
    room.decide(ann.token, request_id=rid(), meeting=1, field="attend", value="yes")
    assert room.choices[ann.person].attend is True
    assert room.rejoin(room.code, ann.rejoin_code) is ann  # and back again on the first


def test_bad_joins_are_refused_and_change_nothing(room):
    with pytest.raises(Refusal, match="is not this room's"):
        room.join("WRONG1", "Ann")
    with pytest.raises(Refusal, match="name='' is not allowed"):
        room.join(room.code, "   ")
    assert room.seats == {} and room.record.rows == []


def test_a_participant_can_act_only_for_their_own_person(room):
    ann, bob = room.join(room.code, "Ann"), room.join(room.code, "Bob")
    with pytest.raises(
        Refusal, match=f"you play person {ann.person}; you cannot act for person {bob.person}"
    ) as refusal:
        room.decide(
            ann.token, request_id=rid(), meeting=1, field="attend", value="yes", person=bob.person
        )
    assert refusal.value.kind == "forbidden"
    with pytest.raises(Refusal, match="unknown participant token"):
        room.decide("made-up-token", request_id=rid(), meeting=1, field="attend", value="yes")
    assert room.choices == {}


def test_replayed_late_and_invalid_requests_are_refused_and_change_nothing(room):
    ann = room.join(room.code, "Ann")
    room.decide(ann.token, request_id="same-id-123", meeting=1, field="attend", value="yes")
    rows = len(room.record.rows)
    with pytest.raises(Refusal, match="already received") as refusal:
        room.decide(ann.token, request_id="same-id-123", meeting=1, field="attend", value="no")
    assert refusal.value.kind == "stale"
    with pytest.raises(Refusal, match="meeting=7 is not the meeting being decided"):
        room.decide(ann.token, request_id=rid(), meeting=7, field="attend", value="no")
    with pytest.raises(Refusal, match="attend='maybe' is not allowed"):
        room.decide(ann.token, request_id=rid(), meeting=1, field="attend", value="maybe")
    with pytest.raises(Refusal, match="field='vote' is not allowed"):
        room.decide(ann.token, request_id=rid(), meeting=1, field="vote", value="yes")
    with pytest.raises(Refusal, match="request_id='x' is not allowed"):
        room.decide(ann.token, request_id="x", meeting=1, field="attend", value="no")
    with pytest.raises(Refusal, match="self-interested act is not open"):
        room.decide(ann.token, request_id=rid(), meeting=1, field="self_interest", value="act")
    assert room.choices[ann.person].attend is True
    assert len(room.record.rows) == rows


def test_programmes_already_running_cannot_start_and_nothing_is_recorded(room):
    # Set off, the model could not replay it from the record (it would hold the programmes
    # back until its week): the facilitator hears why in the room's words, not the model's.
    assert room.model.network.programme_running  # iocn runs its programmes from the start
    rows = len(room.record.rows)
    with pytest.raises(Refusal) as refusal:
        room.facilitate(
            room.facilitator_token, request_id=rid(), action="event", value="programme_starts"
        )
    assert refusal.value.kind == "stale"
    assert str(refusal.value) == (
        "event 'programme_starts' is not allowed now: the leadership programmes are running already"
    )
    assert len(room.record.rows) == rows


def test_a_what_if_is_acknowledged_and_one_that_happens_once_is_refused_again(room):
    fac = room.facilitator_token

    def set_off(kind):
        room.facilitate(fac, request_id=rid(), action="event", value=kind)
        return facilitator_view(room, "http://x/")

    view = set_off("central_leader_leaves")
    label = next(e["label"] for e in view["events"] if e["kind"] == "central_leader_leaves")
    assert view["fired"] == [
        {"kind": "central_leader_leaves", "label": label, "week": 0, "meeting": 1}
    ]
    room.facilitate(fac, request_id=rid(), action="advance")
    with pytest.raises(Refusal) as refusal:
        set_off("central_leader_leaves")
    assert refusal.value.kind == "stale"
    assert str(refusal.value) == (
        "event 'central_leader_leaves' is not allowed now: it happens only once, and the "
        "central leader is not in the network now (set off in week 0)"
    )
    view = set_off("budget_cut")  # a budget cut may come again
    view = set_off("budget_cut")
    assert [(f["kind"], f["week"]) for f in view["fired"]] == [
        ("central_leader_leaves", 0),
        ("budget_cut", room.params.meeting_interval),
        ("budget_cut", room.params.meeting_interval),
    ]
    rows = room.record.frame()
    assert list(rows[rows.field == "event"].value) == [f["kind"] for f in view["fired"]]


def test_a_once_only_what_if_the_network_never_had_is_refused():
    room = Room("beston", seed=1)  # Beston has no central leader
    with pytest.raises(Refusal, match="the central leader is not in the network now$"):
        room.facilitate(
            room.facilitator_token, request_id=rid(), action="event", value="central_leader_leaves"
        )
    assert room.record.rows == []


def test_the_facilitators_controls_need_the_facilitators_token(room):
    ann = room.join(room.code, "Ann")
    for token in (ann.token, "", None):
        with pytest.raises(Refusal, match="needs the facilitator's token"):
            room.facilitate(token, request_id=rid(), action="advance")
    assert room.meeting == 1 and room.model.steps == 0
    with pytest.raises(Refusal, match="action='explode' is not allowed"):
        room.facilitate(room.facilitator_token, request_id=rid(), action="explode")


def test_after_the_timer_choices_are_refused_and_the_model_decides(room):
    ann, bob = room.join(room.code, "Ann"), room.join(room.code, "Bob")
    room.facilitate(room.facilitator_token, request_id=rid(), action="timer", value=30)
    room.decide(ann.token, request_id=rid(), meeting=1, field="attend", value="no")
    room._clock.now += 31
    assert room.time_is_up()
    with pytest.raises(Refusal, match="time is up for meeting 1"):
        room.decide(bob.token, request_id=rid(), meeting=1, field="attend", value="yes")
    room.facilitate(room.facilitator_token, request_id=rid(), action="advance")
    rows = room.record.frame()
    by_model = rows[(rows.source == "model") & (rows.participant == bob.participant)]
    assert "attend" in set(by_model.field)
    assert room.model.state.people.attended[ann.person] == 0
    assert room.meeting == 2 and room.model.steps == room.params.meeting_interval
    assert any("stayed away" in line and "you chose" in line for line in ann.feedback)
    assert any("the model chose for you" in line for line in bob.feedback)


def test_pause_stops_the_clock(room):
    fac = room.facilitator_token
    room.facilitate(fac, request_id=rid(), action="timer", value=60)
    room._clock.now += 10
    room.facilitate(fac, request_id=rid(), action="pause")
    room._clock.now += 100
    assert room.seconds_left() == pytest.approx(50)
    room.facilitate(fac, request_id=rid(), action="resume")
    room._clock.now += 20
    assert room.seconds_left() == pytest.approx(30)


def test_the_time_the_facilitator_sets_runs_again_for_the_next_meetings(room):
    fac = room.facilitator_token
    assert room.seconds_left() is None  # no timer before the facilitator starts one
    room.facilitate(fac, request_id=rid(), action="timer", value=90)
    for meeting in (2, 3):
        room.facilitate(fac, request_id=rid(), action="advance")
        assert room.meeting == meeting and room.seconds_left() == pytest.approx(90)
    room.facilitate(fac, request_id=rid(), action="timer", value=40)
    room.facilitate(fac, request_id=rid(), action="advance")
    assert room.seconds_left() == pytest.approx(40)
    assert facilitator_view(room, "http://x/")["decision_seconds"] == 40


def test_a_participant_whose_post_changed_hands_hears_of_the_newcomer_not_the_predecessor():
    room = Room("iocn", seed=1)  # a post some participant plays changes hands by meeting 4
    seats = [room.join(room.code, f"Guest {k}") for k in range(10)]
    moved = []
    for _ in range(4):
        decide_all(room, seats)
        room.facilitate(room.facilitator_token, request_id=rid(), action="advance")
        moved += [s.feedback for s in seats if s.feedback[0].startswith("You moved on")]
    assert moved
    for lines in moved:
        said = " ".join(lines)
        assert "the meeting (" not in said  # the newcomer was not there to choose
        assert not re.search(r"granted -|blocked -", said)  # their counts start afresh
        assert re.search(r"Your commitment is \d\.\d\d\.", said)


def _played_session(tmp_path, meetings=3):
    room = Room("iocn", seed=11)
    seats = [room.join(room.code, f"Guest {k}") for k in range(8)]
    fac = room.facilitator_token
    room.facilitate(fac, request_id=rid(), action="self_interest", value=True)
    p = room.model.state.people
    for meeting in range(meetings):
        decide_all(room, seats[:-1])  # the last one never decides
        if meeting == 1:
            room.facilitate(fac, request_id=rid(), action="event", value="budget_cut")
            leader = next(s for s in seats if p.role[s.person] == TOP)
            room.decide(
                leader.token,
                request_id=rid(),
                meeting=room.meeting,
                field="self_interest",
                value="act",
            )
            seats.append(room.join(room.code, "Late comer"))  # takes a person the model had
        room.facilitate(fac, request_id=rid(), action="advance")
    return room, seats


def test_a_late_joiner_takes_over_a_person_the_model_was_playing(tmp_path):
    room, seats = _played_session(tmp_path)
    late = seats[-1]
    rows = room.record.frame()
    played = rows[rows.field == "played"]
    assert late.person not in set(played[played.meeting == 1].person)  # joined before meeting 2
    assert late.person in set(played[played.meeting == 2].person)
    assert len({s.person for s in seats}) == len(seats)


def test_a_saved_session_replays_to_the_same_run_exactly(tmp_path):
    room, _ = _played_session(tmp_path)
    folder = room.record.save(tmp_path / "session")
    for name in (DECISIONS_CSV, DECISIONS_PARQUET, SESSION, "timeseries.parquet", "meta.json"):
        assert (folder / name).is_file()
    made = read_provenance(folder / DECISIONS_PARQUET)  # what made it, as every file says
    assert made["code_fingerprint"] and made["seed"] == room.seed and made["meetings"] >= 1
    pd.testing.assert_frame_equal(pd.read_parquet(folder / DECISIONS_PARQUET), room.record.frame())
    decisions = pd.read_csv(folder / DECISIONS_CSV)
    assert {
        "verdict",
        "attend",
        "talk",
        "played",
        "event",
        "advance",
        "self_interest",
        "join",
    } <= set(decisions.field)
    assert decisions["time"].notna().all() and (decisions["seconds"] >= 0).all()
    replayed = replay(folder)
    pd.testing.assert_frame_equal(replayed.timeseries(), room.model.timeseries(), check_exact=True)


def test_the_record_has_no_names(tmp_path):
    room, seats = _played_session(tmp_path, meetings=1)
    text = (room.record.save(tmp_path / "s") / DECISIONS_CSV).read_text()
    assert not any(seat.name in text for seat in seats)


def test_the_debrief_compares_the_room_with_the_model_and_tells_each_story(tmp_path):
    room, seats = _played_session(tmp_path)
    data = debrief(room, others=True)
    assert set(data["series"]) == {"room", "model", "all_cede", "all_block"}
    weeks = len(data["weeks"])
    assert weeks == room.model.steps + 1
    assert all(len(v) == weeks for run in data["series"].values() for v in run.values())
    assert data["series"]["room"] != data["series"]["model"]  # the room's choices mattered
    assert data["series"]["all_cede"] != data["series"]["all_block"]
    assert len(data["stories"]) == len(seats)
    assert all(len(s["story"]) == 4 for s in data["stories"])  # the start and three meetings
    kinds = {m["kind"] for m in data["moments"]["room"]}
    assert {"first_block", "self_interest"} <= kinds
    # the budget cut the facilitator set off, in every run
    cut = room.record.frame().query("field == 'event'")
    events = [m for m in data["moments"]["room"] if m["kind"] == "event"]
    assert events == [
        {
            "week": int(cut.week.iloc[0]),
            "kind": "event",
            "text": f"what if: {label('budget_cut')}",
            "mark": "budget cut",
        }
    ]
    assert all(events[0] in moments for moments in data["moments"].values())


def test_one_rooms_tokens_mean_nothing_in_another():
    first, second = Room("iocn", seed=1), Room("iocn", seed=1)
    ann = first.join(first.code, "Ann")
    with pytest.raises(Refusal, match="unknown participant token"):
        second.decide(ann.token, request_id=rid(), meeting=1, field="attend", value="yes")
    with pytest.raises(Refusal, match="facilitator's token"):
        second.facilitate(first.facilitator_token, request_id=rid(), action="advance")
    with pytest.raises(Refusal, match="unknown participant token"):
        participant_view(second, ann.token)


def test_views_show_a_participant_only_their_own_person(room):
    ann = room.join(room.code, "Ann")
    room.join(room.code, "Bob")
    view = participant_view(room, ann.token)
    assert view["you"]["person"] == ann.person and "Bob" not in str(view)
    assert 2 <= len(view["situation"]) <= 3
    console = facilitator_view(room, "http://x/?room=" + room.code)
    assert [s["name"] for s in console["seats"]] == ["Ann", "Bob"]
    assert room.facilitator_token not in str(view) and room.facilitator_token not in str(console)


def test_a_scenario_whose_network_never_meets_is_refused():
    with pytest.raises(ValueError, match="scenario 'hierarchy' is not allowed: its network never"):
        Room("hierarchy")


def test_the_debrief_marks_the_budget_cuts_of_the_runs_own_history_once():
    import collabsim
    from collabsim.params import Event

    model = collabsim.CollaborationModel(
        "iocn", rng=4, budget_cut_rate=2.0, events=[{"step": 20, "kind": "budget_cut"}]
    )
    drawn = [int(w) for w in model.state.budget_cut_weeks if w <= 104]
    set_off_at = next(w for w in range(30, 104) if w + 1 not in drawn)
    while model.steps < 104:
        if model.steps == set_off_at:  # set off now, as a room records it: it acts next week
            model.apply_event("budget_cut")
        model.step()
    what_ifs = [{"week": set_off_at, "kind": "budget_cut", "label": label("budget_cut")}]
    moments = key_moments(model.timeseries(), what_ifs, [Event(20, "budget_cut")])
    assert [m["week"] for m in moments if m["kind"] == "budget_cut"] == drawn
    assert [m["week"] for m in moments if m["kind"] == "event"] == [set_off_at]
    assert model.network.budget_cuts == len(drawn) + 2  # the scheduled and the what-if too
