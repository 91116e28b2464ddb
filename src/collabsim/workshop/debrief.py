"""The debrief of a session: the room's run beside the model's, key moments, each story.

The model-only run is the same seed with every person played by the model and the same
what-if events at the same points, so the difference is what the room's choices made.
The optional runs replay the room's record with every played senior leader granting
all requests and ceding territory, or blocking all requests and keeping it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from collabsim.mechanisms.roles import TOP
from collabsim.metrics import REPORTERS
from collabsim.params import Event
from collabsim.params.events import drawn_budget_cuts
from collabsim.played import Choice
from collabsim.workshop import whatif
from collabsim.workshop.people import describe
from collabsim.workshop.record import replay_rows

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel
    from collabsim.workshop.room import Room

#: The series the debrief compares, with what each is called.
SERIES = {
    "attendance_rate": "attendance",
    "trust_cross_org": "trust across organisations",
    "commitment_mean": "commitment",
    "active_members": "people taking part",
    "changes_blocked": "requests blocked",
    "changes_adopted": "changes adopted",
}
#: Units of values that run from 0 to 1: their charts always show that whole range.
UNIT_RANGES = {"0-1": (0, 1), "share": (0, 1)}
#: The other runs a debrief can show, and how a played senior leader chooses in each.
POLICIES = {"all_cede": True, "all_block": False}


def _leaders_all(grant: bool):
    """A policy: played senior leaders grant (and cede) or block (and keep) everything."""

    def policy(model: CollaborationModel, person: int, choice: Choice) -> Choice:
        if model.state.people.role[person] != TOP:
            return choice
        verdicts = {r.proposer: grant for r in model.played.requests(person)}
        return dataclasses.replace(choice, verdicts=verdicts, cede=grant)

    return policy


def runs(room: Room, *, others: bool = False) -> dict[str, pd.DataFrame]:
    """The time series to compare: the room's, the model's, and optionally the others."""
    rows = room.record.frame()
    out = {
        "room": room.model.timeseries(),
        "model": replay_rows(room.params, room.seed, rows, played=False).timeseries(),
    }
    if others:
        for name, grant in POLICIES.items():
            out[name] = replay_rows(
                room.params, room.seed, rows, policy=_leaders_all(grant)
            ).timeseries()
    return out


def key_moments(
    frame: pd.DataFrame, fired: Sequence[dict] = (), scheduled: Sequence[Event] = ()
) -> list[dict]:
    """The moments to mark on a run: first block, self-interest, budget cuts, people leaving.

    And the what-if events the facilitator set off (``fired``: ``whatif.set_off``). Each
    has its week, its kind, a sentence (``text``) and a few words for the charts (``mark``).
    The budget cuts marked are those of the run's funding history: not those on the
    scenario's timeline (``scheduled``) or set off as what-ifs, which act the week after.
    """
    moments = [
        {
            "week": int(event["week"]),
            "kind": "event",
            "text": f"what if: {event['label']}",
            "mark": event["kind"].replace("_", " "),
        }
        for event in fired
    ]
    blocked = frame.index[frame["changes_blocked"] > 0]
    if len(blocked):
        moments.append(
            {
                "week": int(blocked[0]),
                "kind": "first_block",
                "text": "the first change request is blocked",
                "mark": "first block",
            }
        )
    acted = frame["trust_in_actor"].notna()
    first_act = acted.idxmax() if acted.any() else None
    if first_act is not None:
        moments.append(
            {
                "week": int(first_act),
                "kind": "self_interest",
                "text": "a senior leader acts in self-interest",
                "mark": "self-interest",
            }
        )
    acting = [Event(int(e["week"]) + 1, e["kind"]) for e in fired]
    for cut in drawn_budget_cuts(frame, [*scheduled, *acting]):
        moments.append(
            {
                "week": cut.step,
                "kind": "budget_cut",
                "text": "the system's budget is cut",
                "mark": "budget cut",
            }
        )
    drop = -frame["active_members"].diff().fillna(0)
    for week in frame.index[drop > 0]:
        moments.append(
            {
                "week": int(week),
                "kind": "drifting_away",
                "text": f"{int(drop[week])} people drift away",
                "mark": f"{int(drop[week])} drift away",
            }
        )
    return sorted(moments, key=lambda m: m["week"])


def debrief(room: Room, *, others: bool = False) -> dict:
    """Everything the debrief shows, as plain data for the console.

    Args:
        room: A room (ended or not).
        others: Also the runs where the room's senior leaders all ceded or all blocked.
    """
    compared = runs(room, others=others)
    fired = whatif.set_off(room.record.rows)
    weeks = [int(w) for w in compared["room"].index]
    series = {
        name: {column: _values(frame[column]) for column in SERIES}
        for name, frame in compared.items()
    }
    stories = [
        {
            "participant": seat.participant,
            "name": seat.name,
            "person": seat.person,
            "who": describe(room.model, seat.person),
            "story": room.stories.of(seat.person),
        }
        for seat in sorted(room.seats.values(), key=lambda s: int(s.participant[1:]))
    ]
    return {
        "weeks": weeks,
        "labels": SERIES,
        "axes": {column: axis(column) for column in SERIES},
        "story_axis": axis("commitment_mean"),  # a person's trust and commitment: both 0-1
        "meeting_interval": int(room.params.meeting_interval),
        "series": series,
        # every run has the room's what-if events, at the same points
        "moments": {
            name: key_moments(frame, fired, room.params.events) for name, frame in compared.items()
        },
        "summary": {name: _summary(frame) for name, frame in compared.items()},
        "stories": stories,
    }


def axis(column: str) -> dict:
    """The y axis of a chart of ``column``: its unit and range (high None: the values').

    Units are the model's own (``collabsim.metrics.REPORTERS``).
    """
    unit = next(r.unit for r in REPORTERS if r.name == column)
    low, high = UNIT_RANGES.get(unit, (0, None))
    return {"unit": unit, "low": low, "high": high}


def _summary(frame: pd.DataFrame) -> dict:
    """Where a run stands at its last week."""
    last = frame.iloc[-1]
    return {
        "alive": bool(last["alive"]),
        "trust_cross_org": round(float(last["trust_cross_org"]), 3),
        "commitment_mean": round(float(last["commitment_mean"]), 3),
        "changes_adopted": int(last["changes_adopted"]),
        "changes_blocked": int(last["changes_blocked"]),
    }


def _values(column: pd.Series) -> list:
    """A column as JSON-ready numbers (None where missing)."""
    values = column.to_numpy(dtype=float)
    return [None if np.isnan(v) else round(float(v), 4) for v in values]
