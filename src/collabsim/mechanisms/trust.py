"""Trust: asymmetric updating (M1), encounter quality (M2) and second-hand trust (M3).

The rules by which trust moves: how a signal in an interaction moves it
(``trust_after_signal``, ``lesson``, ``signal``), how likely an encounter is to go well
(``encounter_goes_well_probability``, with identity and turf threat), and gossip
(``second_hand``). Trust itself, and every write to it, is kept in the trust store
(``collabsim.mechanisms.trust_store``, and ``trust_members`` when people join or leave),
whose docstring lists every place trust changes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from collabsim.jit import PREFETCH_AHEAD, jit, prefetch
from collabsim.mechanisms.draws import (
    WORD_OF_MOUTH,
    below,
    chance,
    enter_for,
    phase_key,
    uniform,
)
from collabsim.mechanisms.trust_store import prefetch_write, read, set_general, unpacked, write
from collabsim.organisations import HEALTH, SOCIAL_CARE


class EncounterWeights(NamedTuple):
    """Weights of M2, in log-odds."""

    encounter_warmth: float
    encounter_trust_weight: float
    encounter_narrative_weight: float
    identity_threat: float
    upward_hesitancy: float


class TrustRates(NamedTuple):
    """Rates of M1 (λ⁺, λ⁻, ξ, and how far a lesson about a person generalises) and M3."""

    trust_gain: float
    trust_loss: float
    dependency_amplification: float
    generalisation: float
    gossip_contacts: float  # M3: conversations about a third person per person per week
    second_hand_trust: float  # M3: ω, how far one such conversation moves trust


def prior_trust(sectors, within_org, across_org, health_social_gap):
    """Return the organisation-by-organisation matrix of prior trust.

    Trust starts higher within an organisation than across, lower across the
    health/social-care divide (``docs/odd.md`` section 5): "we are naturally threatened by
    'the other'" (Kennedy et al. 2019).

    Args:
        sectors: Sector code of each organisation.
        within_org: Prior trust between colleagues (0-1).
        across_org: Prior trust across organisations (0-1).
        health_social_gap: Deduction across the health / social care divide (0-1).
    """
    sectors = np.asarray(sectors)
    prior = np.full((len(sectors), len(sectors)), across_org)
    divide = ((sectors[:, None] == HEALTH) & (sectors[None, :] == SOCIAL_CARE)) | (
        (sectors[:, None] == SOCIAL_CARE) & (sectors[None, :] == HEALTH)
    )
    prior[divide] -= health_social_gap
    np.fill_diagonal(prior, within_org)
    return np.clip(prior, 0.0, 1.0)


@jit
def trust_after_signal(trust, signal, ceiling, dependency, gain, loss, amplification):
    """M1: trust after one signal, slow to build and quick to lose.

    A positive signal closes a share ``gain * signal`` of the gap to the ceiling; a
    negative one removes a share ``loss * |signal|`` of trust itself, more when the
    truster depends on the other (power gap). With ``loss > gain`` one bad experience
    undoes several good ones.

    Evidence: "Trust takes time to develop and can only be sustained if all parties
    demonstrate through their actions ... that they are working towards the same goals";
    a leader's pay rise "had a devastating effect on the morale and credibility of the
    collaborative venture" (Kennedy et al. 2019).
    Anchor: asymmetric trust updating, Pant & Yu (2025) TR-2 form; Slovic (1993).

    Args:
        trust: Current trust (0-1).
        signal: Signal in [-1, 1]; positive builds, negative destroys.
        ceiling: Highest trust can recover to, ``1 - reputation_damage``.
        dependency: Dependency of the truster on the other, 0-1 (power gap).
        gain: λ⁺, rate of building.
        loss: λ⁻, rate of losing.
        amplification: ξ, extra loss per unit of dependency.
    """
    if signal > 0.0:
        return trust + gain * signal * max(0.0, ceiling - trust)
    return max(0.0, trust - loss * (-signal) * trust * (1.0 + amplification * dependency))


@jit
def encounter_goes_well_probability(trust, closeness, threat, upward_gap, weights):
    """M2: chance that an encounter leaves a person with a positive signal.

    ``σ(w₀ + w_T(T - ½) + w_N(closeness - ½) - w_H·threat - w_U·upward_gap)``: rises with
    existing trust and closeness of narrative; falls with the threat felt (identity across
    professions and sectors, and turf: see ``turf_threat``) and with the power gap when
    one must speak upwards.

    Evidence: "others found the cross-sector approach threatening to their sense of
    identity and professionalism" (Kennedy et al. 2019); "subordinates were often
    hesitant to converse upwards" (Mervyn et al. 2019).

    Args:
        trust: Trust in the other person (0-1).
        closeness: ``1 - |narrative difference|`` (0-1).
        threat: Threat of the encounter, already lowered by a safe space.
        upward_gap: How much more powerful the other person is (0-1).
        weights: ``EncounterWeights``.
    """
    x = (
        weights.encounter_warmth
        + weights.encounter_trust_weight * (trust - 0.5)
        + weights.encounter_narrative_weight * (closeness - 0.5)
        - weights.identity_threat * threat
        - weights.upward_hesitancy * upward_gap
    )
    return 1.0 / (1.0 + math.exp(-x))


@jit
def identity_threat(org_a, org_b, sector_a, sector_b):
    """Identity threat of a meeting: none within an organisation, more across sectors."""
    if org_a == org_b:
        return 0.0
    if sector_a == sector_b:
        return 0.5
    return 1.0


@jit
def turf_threat(identity, territoriality_a, territoriality_b):
    """Threat in an encounter across organisations: identity threat times the turf at stake.

    The turf at stake is the sum of both sides' territoriality (1 for two people of
    middling territoriality): two guarded senior leaders meet as rivals, two frontline
    workers with little to lose as colleagues, and one person guarding their territory
    spoils the conversation for the other too. So the powerful, who guard most, find
    collaborating most threatening, and a resistant member's leaving lifts the
    conversations of everyone they met.

    Evidence: "Those with the most power, were often the most reluctant to collaborate,
    because it meant sharing it. Those with the least power, had little to lose";
    diversity felt "threatening, particularly when their own specialism was under threat
    and when their organizations were competing for scarce resources"; "those most
    resistant to change have moved on ... and difference is being confronted more
    openly" (Kennedy et al. 2019); "power, politics and turf wars were inherent in
    collaborative ventures" (Mervyn et al. 2019).
    """
    return identity * (territoriality_a + territoriality_b)


@jit
def lesson(store, i, j, strength, dependency, rates):
    """What i learns from a signal of ``strength`` (-1..1) in an interaction with j (M1).

    The lesson is learned about j as a person, and a share ``rates.generalisation`` of it
    about j's organisation: "many people in the group were beginning to question the
    assumptions they made about those who worked in other organizations" (Kennedy et al.
    2019).

    Returns:
        i's new trust in j's organisation, and i's new trust in j. Store them with
        ``set_general`` and then ``write``, as ``signal`` does.
    """
    k = store.org[j]
    general = trust_after_signal(
        store.general[k, i],
        strength,
        1.0,
        dependency,
        rates.generalisation * rates.trust_gain,
        rates.generalisation * rates.trust_loss,
        rates.dependency_amplification,
    )
    personal = trust_after_signal(
        read(store, i, j),
        strength,
        1.0 - store.damage[j],
        dependency,
        rates.trust_gain,
        rates.trust_loss,
        rates.dependency_amplification,
    )
    return general, personal


@jit
def signal(store, i, j, strength, power, rates):
    """Apply a signal from an interaction with j to i's trust (M1; see ``lesson``).

    Hot loops inline these three lines instead of calling ``signal``: a call that is not
    inlined passes the store's arrays with reference counting, which costs more than the
    work.
    """
    general, personal = lesson(store, i, j, strength, max(0.0, power[j] - power[i]), rates)
    set_general(store, i, store.org[j], general)
    write(store, i, j, personal)


@jit
def second_hand(world, settings, network_on):
    """M3: second-hand trust through conversations with people one trusts.

    Each person draws on average ``gossip_contacts`` conversations a week. While the network
    works its members talk, each with a random fellow member k of any organisation; without
    a working network (the silo twin, or once the network has dissolved) everyone in post
    talks with a random colleague k, another person of their own organisation, since nothing
    else brings people of different organisations together. Each conversation is about a
    third person j: often the person k last had a notable experience with (``news[k]``: a
    blocker, a self-interested leader, a top who granted a request), otherwise anyone. i's
    trust in j moves towards k's, weighted by how much i trusts k:
    ``T_ij += ω * T_ik * (T_kj - T_ij)`` (ω: ``second_hand_trust``). It moves trust towards the same
    trust-weighted average as ``T_ij <- (1-ω) T_ij + ω Σ_k T_ik T_kj / Σ_k T_ik``, at a
    rate set by how often people talk; sampling keeps it O(N) a week instead of O(N^3),
    and lets news of a self-interested act damage trust beyond those who saw it.

    Evidence: "Word of mouth works as well doesn't it?" (Mervyn et al. 2019); in silos
    "each part works to optimise its own performance with little if any, consideration for
    other parts" (Mervyn et al. 2019, quoting Shortell et al. 2014).
    Anchor: Burt & Knez (1995), third-party gossip amplifies trust and distrust.

    Args:
        world: The run's state (trust updated; ``people.news``, each person's latest
            notable counterpart or -1, read).
        settings: The run's settings (``trust``: ``TrustRates``).
        network_on: Whether a convened network is alive and meeting.
    """
    store, stream, news = unpacked(world.trust), world.stream, world.people.news
    weight, contacts = settings.trust.second_hand_trust, settings.trust.gossip_contacts
    colleagues_only = not settings.week.convened and not store.counted
    talks = gossip(store, stream, news, contacts, network_on, colleagues_only, world.org_start)
    personal = store.personal
    for t in range(talks.shape[0]):
        if t + PREFETCH_AHEAD < talks.shape[0]:  # the matrix is read at random: start loads early
            i, k, j = talks[t + PREFETCH_AHEAD]
            prefetch_write(store, i, j)
            prefetch(personal, i, k)
            prefetch(personal, k, j)
        i, k, j = talks[t]
        t_ij = read(store, i, j)
        write(store, i, j, t_ij + weight * read(store, i, k) * (read(store, k, j) - t_ij))


@jit
def gossip(store, stream, news, conversations, network_on, colleagues_only, org_start):
    """The week's conversations about third people, in order: rows (i, k, j) (M3).

    Members of a working network talk with fellow members, of any organisation (a draw of
    someone who has left is skipped, so a shrunken network talks less); without one,
    everyone in post talks with colleagues, the others of their organisation (people of
    organisation o are ``org_start[o]:org_start[o+1]``). Drawn before any trust moves (who
    talks to whom does not depend on trust), so that ``second_hand`` can read the trust
    matrix ahead of each conversation.

    ``colleagues_only``: a world that never convenes a network and whose trust nobody
    reports (the silo twin) reads trust only between colleagues. Its requests stay within
    organisations (``change._choose_practice``), and it holds no meetings or informal
    contact and tells no one of its wins. Trust between colleagues moves only by what
    colleagues learn and say of each other. So its conversations about people of other
    organisations would move only trust that nothing reads: they are drawn, keeping
    everyone's draws in step, but not held. They were seven in ten of the twin's talks, each
    a wait on memory at 2,000 people.
    """
    n = store.org.shape[0]
    whole = int(conversations)
    fraction = conversations - whole
    talks = np.empty((n * (whole + 1), 3), dtype=np.int64)
    count = 0
    key = phase_key(stream, WORD_OF_MOUTH)
    for i in range(n):
        if network_on and not store.active[i]:
            continue
        enter_for(stream, key, i)
        first = colleagues = 0
        if not network_on:
            first = org_start[store.org[i]]
            colleagues = org_start[store.org[i] + 1] - first - 1
        for _ in range(whole + (1 if chance(stream, fraction) else 0)):
            if network_on:
                k = below(stream, n)
            else:
                if colleagues == 0:
                    continue
                k = first + below(stream, colleagues)
                if k >= i:  # anyone in the organisation but i
                    k += 1
            if k == i or (network_on and not store.active[k]):
                continue
            j = news[k]
            if j < 0 or uniform(stream) < 0.5:
                j = below(stream, n)
            if j == i or j == k or (network_on and not store.active[j]):
                continue
            if colleagues_only and store.org[j] != store.org[i]:
                continue
            talks[count, 0], talks[count, 1], talks[count, 2] = i, k, j
            count += 1
    return talks[:count]
