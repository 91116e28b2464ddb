"""The facilitator's what-if events in a room: their names, the once-only, those set off.

``collabsim.events`` says what each does. The central leader leaves once and the academic
partner withdraws once: after that each would change nothing, yet stand in the record and
the debrief as if it had happened again. The leadership programmes start once too (the
model refuses that event while they run). The others (a self-interested act, a budget
cut, a resistant member moving on) may come again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from collabsim.params import EVENT_KINDS

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel

#: Events that happen once: the network's flag that says they still can, and who goes.
ONCE = {
    "central_leader_leaves": ("central_leader_present", "the central leader"),
    "partner_withdraws": ("partner_present", "the academic partner"),
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
    """Whether what-if ``kind`` can still change ``model``: a once-only one, only once."""
    return kind not in ONCE or getattr(model.network, ONCE[kind][0])


def not_again(model: CollaborationModel, kind: str, fired: list[dict]) -> str | None:
    """Why event ``kind`` cannot be set off now (it happens once, and has), or None.

    Args:
        model: The room's model.
        kind: A kind of ``EVENT_KINDS``.
        fired: The events set off so far (``set_off``).
    """
    if can_happen(model, kind):
        return None
    when = [f"set off in week {f['week']}" for f in fired if f["kind"] == kind]
    return (
        f"event {kind!r} is not allowed now: it happens only once, and {ONCE[kind][1]} is "
        f"not in the network now" + (f" ({when[0]})" if when else "")
    )
