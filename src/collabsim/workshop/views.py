"""What each page of a room is sent: plain JSON-ready data built from the room.

A participant's view holds only their own person's situation, choices and feedback; the
facilitator's view holds who has joined and decided, the timer and, when revealed, the
network. Both are built under the room's lock by the server.
"""

from __future__ import annotations

import math

import numpy as np

from collabsim.mechanisms.roles import TOP
from collabsim.mechanisms.trust_store import read_all
from collabsim.params import EVENT_KINDS
from collabsim.workshop import people, whatif
from collabsim.workshop.debrief import debrief
from collabsim.workshop.room import Room

_trust_cache: dict[int, tuple[int, int, np.ndarray]] = {}


def trust_matrix(room: Room) -> np.ndarray:
    """Everyone's trust in everyone, read once per state of the room's model."""
    key = (room.model.steps, room.version)
    cached = _trust_cache.get(id(room))
    if cached is None or cached[:2] != key:
        cached = (*key, read_all(room.model.state.trust_ref))
        _trust_cache.clear()  # one room's matrix at a time: memory stays flat across rooms
        _trust_cache[id(room)] = cached
    return cached[2]


def _common(room: Room) -> dict:
    left = room.seconds_left()
    return {
        "room": room.code,
        "meeting": room.meeting,
        "week": room.model.steps,
        "ended": room.ended,
        # tenths rounded up, so that a page never counts down ahead of the room
        "seconds_left": None if left is None else math.ceil(left * 10) / 10,
        "paused": room.remaining is not None,
        "time_up": room.time_is_up(),
        "version": room.version,
    }


def participant_view(room: Room, token: str) -> dict:
    """What a participant's page shows: their person, choices so far and feedback."""
    seat = room.seat(token)
    model, person = room.model, seat.person
    p = model.state.people
    trust = trust_matrix(room)
    choice = room.choices.get(person)
    top = bool(p.role[person] == TOP)
    asks = people.required_fields(room, person)
    requests = room.requests(person) if top else []
    return {
        **_common(room),
        "kind": "participant",
        "you": {
            "participant": seat.participant,
            "name": seat.name,
            "rejoin_code": seat.rejoin_code,
            "person": person,
            "who": people.describe(model, person),
            "active": bool(p.active[person]),
            "top": top,
        },
        "situation": people.situation(model, person, trust),
        "feedback": seat.feedback,
        "asks": {
            "attend": "attend" in asks,
            "propose": "propose" in asks,
            "leader": top and bool(p.active[person]),
            "self_interest": top and room.self_interest_enabled and bool(p.active[person]),
        },
        "chosen": None
        if choice is None
        else {
            "attend": choice.attend,
            "propose": choice.propose,
            "talk_to": list(choice.talk_to),
            "cede": choice.cede,
            "self_interest": choice.self_interest,
            "verdicts": {str(k): v for k, v in choice.verdicts.items()},
        },
        "requests": [
            {
                "proposer": r.proposer,
                "label": f"{people.request_label(model, r)} (your trust in them "
                f"{trust[person, r.proposer]:.2f})",
            }
            for r in requests
        ],
        "talk_options": people.talk_options(model, person, trust) if p.active[person] else [],
        "decided": room.decided(seat),
    }


def facilitator_view(room: Room, join_url: str) -> dict:
    """What the console shows: the code, the deal, who has joined and decided, the network.

    Each what-if says why it cannot be set off now, if it cannot (``whatif.not_now``): its
    button is then off, as the dashboard's is.
    """
    model = room.model
    p = model.state.people
    fired = whatif.set_off(room.record.rows)
    seats = [
        {
            "participant": s.participant,
            "name": s.name,
            "person": s.person,
            "who": people.describe(model, s.person),
            "connected": s.connected > 0,
            "decided": room.decided(s),
        }
        for s in sorted(room.seats.values(), key=lambda s: int(s.participant[1:]))
    ]
    return {
        **_common(room),
        "kind": "facilitator",
        "join_url": join_url,
        "seats": seats,
        "decision_seconds": room.decision_seconds,
        "deal": room.deal,
        "posts": room.order if room.deal == "fixed" else [],
        "self_interest_enabled": room.self_interest_enabled,
        "network_visible": room.network_visible,
        "events": [
            {
                "kind": kind,
                "label": whatif.label(kind),
                "why_not": whatif.not_now(model, kind, fired),
            }
            for kind in EVENT_KINDS
        ],
        "fired": fired,
        "monitors": {
            "alive": bool(model.network_on),
            "attendance": None
            if np.isnan(model.network.attendance_rate)
            else round(float(model.network.attendance_rate), 2),
            "taking_part": int(p.active.sum()),
            "commitment": round(float(p.commitment[p.active].mean()), 2)
            if p.active.any()
            else None,
        },
        "network": network(room) if room.network_visible else None,
    }


def network(room: Room) -> dict:
    """Organisations, their people and the mean trust between organisations, and at the start."""
    model = room.model
    p = model.state.people
    trust = trust_matrix(room)
    played = {s.person: s.participant for s in room.seats.values()}
    orgs = []
    for k, org in enumerate(model.state.organisations):
        members = np.flatnonzero(p.org == k)
        orgs.append(
            {
                "name": people.organisation_label(model, int(members[0]))
                if members.size
                else org.name,
                "people": [
                    {
                        "person": int(i),
                        "role": int(p.role[i]),
                        "active": bool(p.active[i]),
                        "commitment": round(float(p.commitment[i]), 2),
                        "played": played.get(int(i)),
                    }
                    for i in members
                ],
            }
        )
    n = len(orgs)
    between = [[None] * n for _ in range(n)]
    for a in range(n):
        for b in range(a + 1, n):
            rows, cols = (p.org == a) & p.active, (p.org == b) & p.active
            if rows.any() and cols.any():
                value = 0.5 * (trust[np.ix_(rows, cols)].mean() + trust[np.ix_(cols, rows)].mean())
                between[a][b] = between[b][a] = round(float(value), 2)
    # the trust people first assume across organisations: the bands' colours are read from it
    start = round(float(model.params.trust_across_org), 2)
    return {"organisations": orgs, "trust": between, "trust_start": start}


def debrief_view(room: Room, others: bool) -> dict:
    """The debrief, under the room's lock (it replays the room's record)."""
    with room.lock:
        return debrief(room, others=others)
