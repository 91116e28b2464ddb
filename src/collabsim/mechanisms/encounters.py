"""Encounters: conversations at meeting tables and informal contact between meetings.

Each encounter composes trust (M2 quality, then M1 updating) and narrative exchange
(M4), with tops pulled back to their organisation's view.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from collabsim.jit import PREFETCH_AHEAD, jit
from collabsim.mechanisms.draws import (
    INFORMAL_CONTACT,
    below,
    chance,
    enter_for,
    phase_key,
    uniform,
)
from collabsim.mechanisms.narrative import anchored, narrative_exchange
from collabsim.mechanisms.trust import (
    encounter_goes_well_probability,
    identity_threat,
    lesson,
    turf_threat,
)
from collabsim.mechanisms.trust_store import prefetch_write, read, set_general, unpacked, write


class InformalContact(NamedTuple):
    """Settings of contact between meetings, named as their parameters."""

    informal_contact_rate: float  # mean encounters per person per week
    narrative_epsilon: float  # confidence bound of an exchange of views
    narrative_mu: float  # how far views converge in one


@jit
def converse(world, settings, first, second, epsilon, mu, threat_relief, went_well):
    """Conversations between ``first[k]`` and ``second[k]``, in order.

    Each side draws whether the encounter went well for them (M2) and learns from it
    (M1, about the person and, a little, their organisation); then they exchange views
    on purpose (M4), and tops are pulled back to their organisation's view.

    Args:
        world: The run's state (trust and views updated; power, territoriality, anchor
            and stubbornness read).
        settings: The run's settings (``encounters``: ``EncounterWeights``; ``trust``:
            ``TrustRates``).
        first: One side of each conversation.
        second: The other side.
        epsilon: Confidence bound.
        mu: Narrative convergence rate.
        threat_relief: Share of threat a safe space removes (0-1).
        went_well: Output, shape (len(first), 2): whether it went well for each side.
    """
    store, stream, people = unpacked(world.trust), world.stream, world.people
    weights, rates = settings.encounters, settings.trust
    power, narrative = people.power, people.narrative
    for k in range(first.shape[0]):
        if k + PREFETCH_AHEAD < first.shape[0]:  # pairs far apart in the trust matrix
            prefetch_write(store, first[k + PREFETCH_AHEAD], second[k + PREFETCH_AHEAD])
            prefetch_write(store, second[k + PREFETCH_AHEAD], first[k + PREFETCH_AHEAD])
        a, b = first[k], second[k]
        closeness = 1.0 - abs(narrative[a] - narrative[b])
        threat = (1.0 - threat_relief) * turf_threat(
            identity_threat(store.org[a], store.org[b], store.sector[a], store.sector[b]),
            people.territoriality[a],
            people.territoriality[b],
        )
        p_a = encounter_goes_well_probability(
            read(store, a, b), closeness, threat, max(0.0, power[b] - power[a]), weights
        )
        p_b = encounter_goes_well_probability(
            read(store, b, a), closeness, threat, max(0.0, power[a] - power[b]), weights
        )
        went_well[k, 0] = chance(stream, p_a)
        went_well[k, 1] = chance(stream, p_b)
        # M1 for each side, as trust.signal does (inlined: see its docstring).
        general, personal = lesson(
            store, a, b, 1.0 if went_well[k, 0] else -1.0, max(0.0, power[b] - power[a]), rates
        )
        set_general(store, a, store.org[b], general)
        write(store, a, b, personal)
        general, personal = lesson(
            store, b, a, 1.0 if went_well[k, 1] else -1.0, max(0.0, power[a] - power[b]), rates
        )
        set_general(store, b, store.org[a], general)
        write(store, b, a, personal)
        x_a, x_b = narrative_exchange(
            narrative[a], narrative[b], read(store, a, b), read(store, b, a), epsilon, epsilon, mu
        )
        narrative[a] = anchored(x_a, people.anchor[a], people.stubbornness[a])
        narrative[b] = anchored(x_b, people.anchor[b], people.stubbornness[b])


@jit
def table_encounters(world, settings, seated, bounds, epsilon, mu, threat_relief):
    """Everyone at a table talks with everyone else at it, in seating order.

    Updates trust and narrative in place, and records for each attendee how worthwhile
    the meeting was (``meeting_value``, -1 to 1): encounters with people from other
    organisations that went well, minus those that went badly, per tablemate. Talking to
    one's own colleagues is no reason to come to a network meeting; meeting the others
    is: "What practitioners valued most ... was the chance to understand what each other
    did" (Kennedy et al. 2019).

    Args:
        world: The run's state (trust, views and ``meeting_value`` updated).
        settings: The run's settings.
        seated: Attendees in seating order (from ``seat``).
        bounds: Table boundaries in ``seated`` (from ``table_bounds``).
        epsilon: Confidence bound at this meeting (widened by facilitation).
        mu: Narrative convergence rate.
        threat_relief: Share of threat the meeting's safe space removes.
    """
    store, meeting_value = unpacked(world.trust), world.people.meeting_value
    pairs = 0
    for t in range(bounds.shape[0] - 1):
        size = bounds[t + 1] - bounds[t]
        pairs += size * (size - 1) // 2
    first = np.empty(pairs, dtype=np.int64)
    second = np.empty(pairs, dtype=np.int64)
    k = 0
    for t in range(bounds.shape[0] - 1):
        for p in range(bounds[t], bounds[t + 1]):
            meeting_value[seated[p]] = 0.0
            for q in range(p + 1, bounds[t + 1]):
                first[k] = seated[p]
                second[k] = seated[q]
                k += 1
    went_well = np.empty((pairs, 2), dtype=np.bool_)
    converse(world, settings, first, second, epsilon, mu, threat_relief, went_well)
    for k in range(pairs):
        a, b = first[k], second[k]
        if store.org[a] != store.org[b]:
            meeting_value[a] += 1.0 if went_well[k, 0] else -1.0
            meeting_value[b] += 1.0 if went_well[k, 1] else -1.0
    for t in range(bounds.shape[0] - 1):
        others = bounds[t + 1] - bounds[t] - 1
        for p in range(bounds[t], bounds[t + 1]):
            if others > 0:
                meeting_value[seated[p]] /= others


@jit
def informal_encounters(world, settings):
    """Informal contact between meetings in a place-based network.

    Each active person starts on average ``informal_contact_rate`` encounters a week, half
    of them with someone from their own pathway team, half with anyone in the network;
    both sides learn from each, so a person takes part in more than they start (7.2).
    There is no safe space and no facilitation outside the room.

    Evidence: "it's [been] informal as well as formal kind of learning and sharing"
    (Mervyn et al. 2019).

    Args:
        world: The run's state (trust and views updated; people on no pathway, the tops,
            meet anyone).
        settings: The run's settings (``informal``: ``InformalContact``).
    """
    store, stream, people = unpacked(world.trust), world.stream, world.people
    team_members, team_start = world.team_members, world.team_start
    rate = settings.informal.informal_contact_rate
    n = people.active.shape[0]
    pathway = people.pathway
    whole = int(rate)
    fraction = rate - whole
    first = np.empty(n * (whole + 1), dtype=np.int64)
    second = np.empty(n * (whole + 1), dtype=np.int64)
    pairs = 0
    key = phase_key(stream, INFORMAL_CONTACT)
    for i in range(n):
        if not store.active[i]:
            continue
        enter_for(stream, key, i)
        for _ in range(whole + (1 if chance(stream, fraction) else 0)):
            p = pathway[i]
            if p >= 0 and uniform(stream) < 0.5:
                size = team_start[p + 1] - team_start[p]
                j = team_members[team_start[p] + below(stream, size)]
            else:
                j = below(stream, n)
            if j != i and store.active[j]:
                first[pairs] = i
                second[pairs] = j
                pairs += 1
    went_well = np.empty((pairs, 2), dtype=np.bool_)
    epsilon, mu = settings.informal.narrative_epsilon, settings.informal.narrative_mu
    converse(world, settings, first[:pairs], second[:pairs], epsilon, mu, 0.0, went_well)
