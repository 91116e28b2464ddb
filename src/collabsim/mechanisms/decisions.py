"""Decision rights, escalation and ceding territory (M9)."""

from __future__ import annotations

import math
from typing import NamedTuple

from collabsim.jit import jit
from collabsim.mechanisms.draws import below
from collabsim.mechanisms.trust import TOP


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
def gatekeeper(stream, org, org_start, role, power, working):
    """The person who decides for organisation ``org``.

    A random top of the organisation among those taking part; if it has none, its most
    powerful person taking part (in a small voluntary organisation the frontline worker is
    the decision maker); -1 if nobody from it is left.

    Args:
        stream: Random stream.
        org: The organisation.
        org_start: People of organisation k are ``org_start[k]:org_start[k+1]``.
        role: Role of everyone.
        power: Power of everyone.
        working: Who takes part (network members, or everyone in post in silos).
    """
    lo, hi = org_start[org], org_start[org + 1]
    tops = 0
    for i in range(lo, hi):
        if working[i] and role[i] == TOP:
            tops += 1
    if tops > 0:
        pick = below(stream, tops)
        for i in range(lo, hi):
            if working[i] and role[i] == TOP:
                if pick == 0:
                    return i
                pick -= 1
    best = -1
    for i in range(lo, hi):
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
