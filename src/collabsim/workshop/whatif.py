"""The facilitator's what-if events in a room: their names, when they can happen, those set off.

``collabsim.events`` says what each does. The central leader leaves once and the academic
partner withdraws once: after that each would change nothing, yet stand in the record and
the debrief as if it had happened again. The leadership programmes start only while they
are not running (the model refuses that event then, in terms of replaying a run). The
others (a self-interested act, a budget cut, a resistant member moving on) may come again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from collabsim.params import EVENT_KINDS

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel
    from collabsim.state import Network

#: Events that can change the network only while it stands so: whether it still does, and
#: why not, in a facilitator's words, once it does not.
ONLY_WHILE: dict[str, tuple[Callable[[Network], bool], str]] = {
    "central_leader_leaves": (
        lambda network: network.central_leader_present,
        "it happens only once, and the central leader is not in the network now",
    ),
    "partner_withdraws": (
        lambda network: network.partner_present,
        "it happens only once, and the academic partner is not in the network now",
    ),
    "programme_starts": (
        lambda network: not network.programme_running,
        "the leadership programmes are running already",
    ),
}


def label(kind: str) -> str:
    """A what-if's label from its meaning (``EVENT_KINDS``): the first clause, no asides."""
    clause = re.sub(r" \([^)]*\)", "", EVENT_KINDS[kind].split(";")[0])
    return clause[0].upper() + clause[1:]


def set_off(rows: list[dict]) -> list[dict]:
    """The events a room's record (``Record.rows``) holds, in order: kind, label, week, meeting.

    The week is the model's week when the event was set off; it acts in the week after.
    """
    return [
        {"kind": r["value"], "label": label(r["value"]), "week": r["week"], "meeting": r["meeting"]}
        for r in rows
        if r["field"] == "event"
    ]


def can_happen(model: CollaborationModel, kind: str) -> bool:
    """Whether what-if ``kind`` can change ``model`` now (``ONLY_WHILE``)."""
    return kind not in ONLY_WHILE or ONLY_WHILE[kind][0](model.network)


def not_now(model: CollaborationModel, kind: str, fired: list[dict]) -> str | None:
    """Why event ``kind`` cannot be set off now (``ONLY_WHILE``), or None.

    Args:
        model: The room's model.
        kind: A kind of ``EVENT_KINDS``.
        fired: The events set off so far (``set_off``).
    """
    if can_happen(model, kind):
        return None
    when = [f"set off in week {f['week']}" for f in fired if f["kind"] == kind]
    return f"event {kind!r} is not allowed now: {ONLY_WHILE[kind][1]}" + (
        f" ({when[0]})" if when else ""
    )
