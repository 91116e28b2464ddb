"""Scheduled events on the scenario timeline, applied at the start of their week.

Workshops use them to ask "what if": a senior leader acts in self-interest, the central
leader leaves, the university partner withdraws, a budget cut, a resistant member moves
on, the leadership programmes start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from collabsim.mechanisms import weekly
from collabsim.mechanisms.roles import TOP
from collabsim.mechanisms.trust_members import set_membership
from collabsim.organisations import ACADEMIC_PARTNER_KIND
from collabsim.params import Event, ParameterError

if TYPE_CHECKING:
    from collabsim.week import WeeklyWorld


def _in_organisation(model: WeeklyWorld, kind: str | None) -> np.ndarray:
    """Mask of people in organisations of ``kind`` (everyone if None)."""
    people = model.state.people
    if kind is None:
        return np.ones(people.org.size, dtype=bool)
    orgs = [o.index for o in model.state.organisations if o.kind.kind == kind]
    return np.isin(people.org, orgs)


def likeliest_self_interested_top(model: WeeklyWorld, organisation: str | None = None) -> int:
    """The active top with the most territory to guard, or -1 if there is none.

    The highest territoriality x power, among the tops of ``organisation`` if given.
    """
    s = model.state
    people = s.people
    candidates = (
        people.active
        & (people.role == TOP)
        & ~people.steady
        & _in_organisation(model, organisation)
    )
    if not candidates.any():
        return -1
    return int(np.argmax(np.where(candidates, people.territoriality * people.power, -1.0)))


def senior_leader_acts(model: WeeklyWorld, event: Event) -> None:
    """The likeliest top (of the organisation, if given) acts in self-interest (M13)."""
    actor = likeliest_self_interested_top(model, event.organisation)
    if actor >= 0:
        model.act_in_self_interest(actor)


def resistant_member_leaves(model: WeeklyWorld, event: Event) -> None:
    """The most resistant member moves on; a newcomer takes the post.

    Resistance is power x territoriality x distance from the core purpose, among the members
    who were in post at the latest meeting (before the first, among all): one who took up a
    post since has not yet been part of the group to resist it, and two such events in one
    week would otherwise often take the newcomer who has just replaced the first leaver
    (a newcomer's view starts far from the purpose).

    Evidence: "those most resistant to change have moved on" (Kennedy et al. 2019).
    """
    s = model.state
    people = s.people
    candidates = people.active & ~people.steady & _in_organisation(model, event.organisation)
    if model.network.meetings_held:
        candidates &= people.joined_meeting < model.network.meetings_held
    if not candidates.any():
        return
    resistance = people.power * people.territoriality * np.abs(people.narrative - s.core_purpose)
    model.replace(int(np.argmax(np.where(candidates, resistance, -1.0))))


def central_leader_leaves(model: WeeklyWorld, event: Event | None = None) -> None:
    """The leader holding the centre leaves; an ordinary top takes the post.

    Scheduled as an event, or when the leader moves on like anyone else (M14).
    """
    if weekly.central_leader_leaves(model.state.world, 0):
        model.hand_over_leavers(1)


def partner_withdraws(model: WeeklyWorld, event: Event) -> None:
    """The academic partner withdraws: its people, the convener among them, leave."""
    if not model.network.partner_present:
        return
    s = model.state
    model.network.partner_present = False
    s.withdrawn[model.state.partner_index] = True
    for i in np.flatnonzero(_in_organisation(model, ACADEMIC_PARTNER_KIND)):
        if s.people.active[i]:  # leaving with their organisation, as in M15
            model.network.exits += 1
        set_membership(s.trust_ref, int(i), False)
        s.people.steady[i] = False


def budget_cut(model: WeeklyWorld, event: Event) -> None:
    """A budget cut: tops guard their territory harder and everyone's workload rises.

    Evidence: specialisms feel threatened "when their organizations were competing for
    scarce resources"; "All difficulties were blamed on budget cuts" (Kennedy et al. 2019).
    """
    s = model.state
    people = s.people
    severity = model.params.budget_cut_severity
    hit = _in_organisation(model, event.organisation)
    tops = hit & (people.role == TOP)
    people.territoriality[tops] = np.minimum(1.0, people.territoriality[tops] + severity)
    people.workload[hit] = np.minimum(1.0, people.workload[hit] + severity)
    orgs = np.unique(people.org[hit])
    s.draws.org_territoriality_shift[orgs] += severity
    s.draws.org_workload_shift[orgs] += severity
    model.network.budget_cuts += 1


def programme_starts(model: WeeklyWorld, event: Event) -> None:
    """The leadership programmes (PLP for the frontline, ALP for tops) start."""
    model.network.programme_running = True


#: What each event kind does.
HANDLERS = {
    "self_interest_act": senior_leader_acts,
    "resistant_member_leaves": resistant_member_leaves,
    "central_leader_leaves": central_leader_leaves,
    "partner_withdraws": partner_withdraws,
    "budget_cut": budget_cut,
    "programme_starts": programme_starts,
}


def apply(model: WeeklyWorld, event: Event) -> None:
    """Apply ``event`` to ``model`` now."""
    HANDLERS[event.kind](model, event)


def check_replayable(model: WeeklyWorld, event: Event) -> None:
    """Refuse an event set off mid-run that, listed in ``events``, would not replay the run.

    Leadership programmes that run from the start (``programme_intensity`` above 0 and no
    ``programme_starts`` scheduled) are held back until the week of a scheduled
    ``programme_starts``: set off while they run, it would change nothing here, yet hold
    them back in a replay.

    Raises:
        ParameterError: The event cannot be replayed.
    """
    if event.kind == "programme_starts" and model.network.programme_running:
        raise ParameterError(
            "event 'programme_starts' is not allowed now: the leadership programmes are "
            "already running, and listed in events a programme_starts holds them back until "
            f"its week ({event.step}), so it could not replay this run"
        )
