"""Who takes up a post, who drifts away and who moves on (M14)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms.change import end_change
from collabsim.mechanisms.draws import TURNOVER, chance, enter_for, normal, phase_key
from collabsim.mechanisms.roles import MIDDLE, TOP
from collabsim.mechanisms.trust_members import renew, set_membership

#: How much more a middle manager starts out seeing themselves as a leader than the
#: frontline do (tops start at 1).
MIDDLE_LEADER_IDENTITY = 0.1


class ExitRates(NamedTuple):
    """Settings of leaving (M14, M15), named as their parameters."""

    exit_threshold: float  # commitment below which members start to drift away
    tops_commitment_floor: float  # a chief's commitment below which their organisation withdraws
    turnover_rate: float  # share of people moving on in a year
    turnover_frustration: float  # how much frustration raises the chance of moving on
    patience: int  # meetings in a row spanning exit_patience_weeks (``settings.meetings_in``)


class PersonDraws(NamedTuple):
    """Population means from which a person taking up a post is drawn."""

    cede_willingness: float
    resistance_spread: float
    initial_commitment: float
    initial_skill: float
    initial_leader_identity: float
    workload: float
    org_territoriality_shift: np.ndarray  # (organisations,) float64, raised by budget cuts
    org_guardedness: np.ndarray  # (organisations,) float64, how guarded each one's culture is
    org_workload_shift: np.ndarray  # (organisations,) float64, raised by budget cuts


@jit
def _clip01(x):
    return min(1.0, max(0.0, x))


@jit
def draw_person(stream, i, people, draws, commitment):
    """Draw the attributes of the person in post ``i`` (at the start, or a newcomer).

    ``commitment`` is the mean their commitment is drawn around.

    Role, organisation and pathway belong to the post. Territoriality is unwillingness
    to cede (``1 - cede_willingness``) times what one stands to lose, the power of the
    post (1 for the most powerful), times how guarded their organisation's culture is,
    times the person's own resistance to change, a lognormal factor of mean 1 and spread
    ``resistance_spread``: most people are near the norm of their post, a few much more
    resistant. So resistance lives in people and leaves with them, while the powerful
    guard most. Narratives start near the organisation's own view. A newcomer knows
    nobody: their trust is the prior (the caller resets it).

    Evidence: "Those with the most power, were often the most reluctant to collaborate,
    because it meant sharing it. Those with the least power, had little to lose by
    collaborating"; "We saw some practitioners willing to suspend disbelief and take the
    risk. We saw other practitioners ... reluctant to take the risk"; the resistant view
    "was the view of a minority of group members, but they had a strong voice"
    (Kennedy et al. 2019). Anchor: Kegan & Lahey (2009), immunity to change.
    """
    role = people.role[i]
    org = people.org[i]
    people.power[i] = people.base_power[i]
    spread = draws.resistance_spread
    resistance = math.exp(spread * normal(stream) - 0.5 * spread * spread)
    territorial = (
        (1.0 - draws.cede_willingness) * people.power[i] * resistance * draws.org_guardedness[org]
    )
    if role == TOP:
        people.leader_identity[i] = 1.0
    else:
        extra = MIDDLE_LEADER_IDENTITY if role == MIDDLE else 0.0
        people.leader_identity[i] = _clip01(
            draws.initial_leader_identity + extra + 0.1 * normal(stream)
        )
    if role == TOP:  # budget cuts harden the tops' stance (events.budget_cut)
        territorial += draws.org_territoriality_shift[org]
    people.territoriality[i] = _clip01(territorial)
    people.commitment[i] = _clip01(commitment + 0.15 * normal(stream))
    people.skill[i] = _clip01(draws.initial_skill + 0.1 * normal(stream))
    people.narrative[i] = _clip01(people.anchor[i] + 0.1 * normal(stream))
    people.workload[i] = _clip01(
        draws.workload + draws.org_workload_shift[org] + 0.15 * normal(stream)
    )
    people.inspiration[i] = 0.0
    people.frustration[i] = 0.0
    people.meeting_value[i] = 0.0
    people.attended_last[i] = False
    people.attended[i] = 0
    people.low_meetings[i] = 0
    people.adopted[i] = 0
    people.setback[i] = False
    people.won[i] = False
    people.granted[i] = 0
    people.blocked[i] = 0
    people.refused[i] = 0
    people.ceded[i] = 0.0
    people.news[i] = -1
    people.last_act[i] = -1_000_000


@jit
def draw_everyone(stream, people, draws, commitment):
    """Draw everyone's attributes at the start of a run, post by post (``draw_person``).

    One compiled loop rather than a call from Python per post: that was half the time of
    setting up the state of a run of 300 people.
    """
    for i in range(people.role.shape[0]):
        draw_person(stream, i, people, draws, commitment)


@jit
def drift_away(world, settings, patience):
    """M14: members whose commitment stays low for ``patience`` meetings leave the network.

    Called at each meeting. They stay in their jobs but stop taking part.

    Evidence: "others, found the cross-sector approach threatening to their sense of
    identity and professionalism, and stopped attending" (Kennedy et al. 2019).

    Returns:
        How many left.
    """
    people, store = world.people, world.trust
    threshold = settings.exits.exit_threshold
    left = 0
    for i in range(people.active.shape[0]):
        if not people.active[i] or people.steady[i]:
            continue
        if people.commitment[i] < threshold:
            people.low_meetings[i] += 1
        else:
            people.low_meetings[i] = 0
        if people.low_meetings[i] >= patience:
            set_membership(store, i, False)
            left += 1
    return left


@jit
def move_on(world, settings, leavers):
    """M14: who changes job this week; frustration makes it likelier.

    Evidence: "Two years later, those most resistant to change have moved on"; "hopelessness
    and disaffection" (Kennedy et al. 2019).

    Args:
        world: The run's state (the steady posts, convener and central leader, are exempt).
        settings: The run's settings (``exits``: ``ExitRates``; the weekly chance of moving
            on is ``turnover_rate / 52``, raised by ``turnover_frustration`` x frustration).
        leavers: Output buffer of length N.

    Returns:
        Number of leavers written to ``leavers``.
    """
    stream, people = world.stream, world.people
    weekly_rate = settings.exits.turnover_rate / 52
    frustration_weight = settings.exits.turnover_frustration
    count = 0
    key = phase_key(stream, TURNOVER)
    for i in range(people.active.shape[0]):
        if people.steady[i]:
            continue
        enter_for(stream, key, i)
        if chance(stream, weekly_rate * (1.0 + frustration_weight * people.frustration[i])):
            leavers[count] = i
            count += 1
    return count


@jit
def prevailing_commitment(people, otherwise):
    """Mean commitment of the members, steady posts aside (``otherwise`` if there are none).

    Newcomers take it on (``replace_people``). It is found once for all who join in a
    week, so that a week's cost does not grow with how many change jobs in it.
    """
    total = 0.0
    members = 0
    for j in range(people.active.shape[0]):
        if people.active[j] and not people.steady[j]:
            total += people.commitment[j]
            members += 1
    return total / members if members else otherwise


@jit
def replace_person(world, i, draws, joins_network, meetings_held, prevailing):
    """A newcomer takes up post ``i``: fresh attributes, prior trust only.

    Their commitment is drawn around ``prevailing``, the commitment of the members they
    join (``prevailing_commitment``).

    Evidence: the IOCN "offered vehicles for new clinicians and healthcare personnel to
    come into the city for the first time" (Mervyn et al. 2019).
    """
    people = world.people
    draw_person(world.stream, i, people, draws, prevailing)
    people.joined_meeting[i] = meetings_held
    end_change(i, world.changes, world.pathways.redesign_lead)
    renew(world.trust, i, joins_network)


@jit
def replace_people(world, posts, draws, meetings_held):
    """Newcomers take up ``posts``, in order (``replace_person`` for each).

    Each takes on the commitment prevailing among the members before any of them joined.
    A newcomer joins the network unless their organisation has withdrawn from it: its
    posts are refilled, but not as members (M15).
    """
    prevailing = prevailing_commitment(world.people, draws.initial_commitment)
    for i in posts:
        joins = not world.withdrawn[world.people.org[i]]
        replace_person(world, i, draws, joins, meetings_held, prevailing)
