"""Decision rights, escalation and ceding territory (M9).

A request for a change goes to the top who decides for the organisation that owns the
practice (``gatekeeper``); they grant it with ``grant_probability``. A grant across
organisations cedes territory (``cede_territory``); a block is a setback to the
proposer. Change work (``change``) asks through ``decide`` and ``decide_redesign``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms.commitment import experience, suffer_setback
from collabsim.mechanisms.counters import BLOCKED, GRANTED
from collabsim.mechanisms.draws import below, chance
from collabsim.mechanisms.learning import refuse_claim
from collabsim.mechanisms.played import decider, grant_chance
from collabsim.mechanisms.posts import senior_posts
from collabsim.mechanisms.trust import signal
from collabsim.mechanisms.trust_store import read


class GrantWeights(NamedTuple):
    """Weights of a top's decision, in log-odds."""

    grant_base: float
    grant_trust: float
    grant_alignment: float
    grant_territoriality: float
    grant_commitment: float


@jit
def grant_probability(trust_in_proposer, alignment, territoriality, commitment, ceding, weights):
    """M9: chance that the top who owns a practice grants a change to it.

    ``σ(a₀ + a₁(T - ½) + a₂(alignment - ½) + a₄(commitment - ½) - a₃·territoriality)``,
    with the territoriality term only when granting cedes control: to another
    organisation, or to frontline staff whose self-authorised prototype is to be embedded.

    Evidence: "distributed leadership was constrained by a lack of buy-in and commitment
    from senior leaders because ... it was hard ... to cede power between organisations";
    "There was recognition that power, politics and turf wars were inherent in
    collaborative ventures" (Mervyn et al. 2019); "it's a trust thing" (Kennedy et al.
    2019). Anchor: Baker & Denis (2011), ceding territory as leadership work.

    Args:
        trust_in_proposer: The top's trust in the proposer (0-1).
        alignment: ``1 - |narrative difference|`` between them (0-1).
        territoriality: The top's territoriality (0-1).
        commitment: The top's commitment to the network (0-1).
        ceding: Whether granting cedes control (see above).
        weights: ``GrantWeights``.
    """
    x = (
        weights.grant_base
        + weights.grant_trust * (trust_in_proposer - 0.5)
        + weights.grant_alignment * (alignment - 0.5)
        + weights.grant_commitment * (commitment - 0.5)
    )
    if ceding:
        x -= weights.grant_territoriality * territoriality
    return 1.0 / (1.0 + math.exp(-x))


@jit
def gatekeeper(stream, org, org_start, tops, power, working):
    """The person who decides for organisation ``org``.

    A random top of the organisation among those taking part; if it has none, its most
    powerful person taking part (in a small voluntary organisation the frontline worker is
    the decision maker); -1 if nobody from it is left.

    Args:
        stream: Random stream.
        org: The organisation.
        org_start: People of organisation k are ``org_start[k]:org_start[k+1]``.
        tops: The senior leaders' posts, in post order (posts keep their roles), so an
            organisation's tops are looked at without a pass over all its people.
        power: Power of everyone.
        working: Who takes part (network members, or everyone in post in silos).
    """
    first, last = senior_posts(tops, org_start, org)
    present = 0
    for t in range(first, last):
        present += working[tops[t]]
    if present > 0:
        pick = below(stream, present)
        for t in range(first, last):
            if working[tops[t]]:
                if pick == 0:
                    return tops[t]
                pick -= 1
    best = -1
    for i in range(org_start[org], org_start[org + 1]):
        if working[i] and (best < 0 or power[i] > power[best]):
            best = i
    return best


@jit
def cede_territory(top, people, power_loss, capacity_gain):
    """A top grants a change across organisations: they cede a little territory.

    Their power falls by a share ``power_loss``, and their record of ceding (``ceded``,
    0-1) closes a share ``capacity_gain`` of its gap. The network's shared decision
    capacity, which widens distributed leadership, is the mean record of its tops, so it
    grows with how readily each top cedes, not with how many there are.

    Evidence: ceding territory is "key leadership work in high performing
    collaboratives" (Mervyn et al. 2019, after Baker & Denis 2011); "Those with the most
    power, were often the most reluctant to collaborate, because it meant sharing it"
    (Kennedy et al. 2019).

    Args:
        top: The granting top.
        people: Person arrays (power and ceded updated).
        power_loss: Share of power given up.
        capacity_gain: Share of the gap in the top's record closed.
    """
    people.power[top] -= power_loss * people.power[top]
    people.ceded[top] += capacity_gain * (1.0 - people.ceded[top])


@jit
def ask(world, settings, proposer, owner_org, embedding, working):
    """Who decides for ``owner_org``, and how likely they are to grant (M9).

    Territoriality weighs on the decision when granting cedes control: the proposer is
    from another organisation, or the top is asked to embed what the frontline tried on
    its own authority (``embedding``). Returns ``(-1, 0)`` when nobody from the
    organisation is left to ask. A played senior leader of the organisation is the one
    asked, and their verdict, if they gave one, decides (``played``).
    """
    people, played = world.people, world.played
    asked = gatekeeper(
        world.stream, owner_org, world.org_start, world.top_posts, people.power, working
    )
    top = decider(asked, owner_org, played, working)
    if top < 0:
        return -1, 0.0
    if top == proposer:
        return top, 1.0
    ceding = embedding or people.org[top] != people.org[proposer]
    alignment = 1.0 - abs(people.narrative[top] - people.narrative[proposer])
    return top, grant_chance(
        grant_probability(
            read(world.trust, top, proposer),
            alignment,
            people.territoriality[top],
            people.commitment[top],
            ceding,
            settings.grants,
        ),
        proposer,
        owner_org,
        played,
    )


@jit
def granted(world, settings, proposer, top, network_on):
    """A grant: a positive signal, and territory ceded if it crosses organisations.

    Ceding costs a top who guards their territory: each grant to another organisation
    moves their commitment towards 0 with weight ``small_win_boost x territoriality``, nothing
    for a top who does not guard it, and only while a network is working (``network_on``;
    a change still under way when it dissolves may yet cross organisations, 7.14). Ceding
    is a loss to be borne, not a win to be enjoyed: a top's hope comes from the network's
    meetings, like everyone's.
    Evidence: "Those with the most power, were often the most reluctant to collaborate,
    because it meant sharing it" (Kennedy et al. 2019); "the senior leaders did not fully
    commit to this" (Mervyn et al. 2019).
    """
    if top == proposer:
        return
    people, rates = world.people, settings.change
    people.granted[top] += 1
    people.news[proposer] = top
    signal(world.trust, proposer, top, 1.0, people.power, settings.trust)
    if people.org[top] != people.org[proposer]:
        cede_territory(top, people, rates.cede_power_loss, rates.cede_capacity_gain)
        if network_on:
            weight = settings.commitment.small_win_boost * people.territoriality[top]
            experience(people, top, 0.0, weight)


@jit
def blocked(world, settings, proposer, top, network_on):
    """A block: a negative signal, and a setback to the proposer and their leader identity.

    The setback wears their hope only while a network is working (``network_on``, 7.14).

    Evidence: "A lack of support permeated to unease and despondency amongst otherwise
    innovative and keen local leaders" (Mervyn et al. 2019). Anchor: claiming and
    granting leader identity (DeRue & Ashford 2010).
    """
    world.counters[BLOCKED] += 1
    world.people.refused[proposer] += 1
    if top < 0:
        return  # nobody from that organisation left to ask
    people = world.people
    people.blocked[top] += 1
    people.news[proposer] = top
    signal(world.trust, proposer, top, -1.0, people.power, settings.trust)
    suffer_setback(people, proposer, settings.commitment.block_cost, network_on)
    people.leader_identity[proposer] = refuse_claim(
        people.leader_identity[proposer], settings.change.leadership_claim_gain
    )


@jit
def decide(world, settings, proposer, owner_org, embedding, working, network_on):
    """A top of ``owner_org`` decides on the proposer's request.

    Returns the top who granted it (the proposer themself for a request to oneself), or
    -1 if it was blocked.
    """
    top, p = ask(world, settings, proposer, owner_org, embedding, working)
    if top >= 0 and chance(world.stream, p):
        if top != proposer:
            world.counters[GRANTED] += 1
        granted(world, settings, proposer, top, network_on)
        return top
    blocked(world, settings, proposer, top, network_on)
    return -1


@jit
def decide_redesign(world, settings, proposer, p, mask, working, network_on):
    """The owning organisations' tops decide on a redesign together.

    At the partnership board it goes ahead with the mean of their grant probabilities,
    counted as one decision. If it is turned down, the least willing top is seen to
    have blocked it.
    """
    owner = world.pathways.owner
    n_orgs = world.org_start.shape[0] - 1
    tops = np.full(n_orgs, -2, dtype=np.int64)  # -2: organisation not involved
    chances = np.zeros(n_orgs)
    for n in range(owner.shape[1]):
        k = owner[p, n]
        if (mask >> n) & 1 and tops[k] == -2:
            tops[k], chances[k] = ask(world, settings, proposer, k, False, working)
    involved = tops != -2
    if chance(world.stream, chances[involved].mean()):
        world.counters[GRANTED] += 1
        for k in np.flatnonzero(involved):
            if tops[k] >= 0:
                granted(world, settings, proposer, tops[k], network_on)
        return True
    least = np.flatnonzero(involved)[np.argmin(chances[involved])]
    blocked(world, settings, proposer, tops[least], network_on)
    return False
