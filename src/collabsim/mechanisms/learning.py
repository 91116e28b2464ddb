"""Leadership programmes (M7) and leadership claims (M10)."""

from __future__ import annotations

from typing import NamedTuple

from collabsim.jit import jit
from collabsim.mechanisms.roles import TOP


class ProgrammeRates(NamedTuple):
    """Settings of the leadership programmes (M7), named as their parameters."""

    programme_intensity: float  # 0-1
    skill_gain: float  # share of the skill gap closed per session at full intensity
    identity_gain: float  # share of the identity gap closed per session at full intensity
    territoriality_unlearning: float  # share of tops' territoriality lost per session


@jit
def programme_session(world, settings, attendees, partner_multiplier):
    """M7: one session of the leadership programmes for the people at a meeting.

    The frontline programme (PLP) closes a share of the gap in improvement skill and in
    leader identity of non-tops; the senior programme (ALP) wears down tops'
    territoriality. The academic partner deepens both by ``partner_multiplier``
    (``1 + partner_strength`` when present).

    Evidence: "two training programmes - one professional (PLP) for leaders working on
    specific local clinical change programmes, and one advanced (ALP) ... for senior
    leaders"; "people want, they're surprised that they've been given this authority";
    "The association between the health system and a higher education establishment
    highlighted a culture of learning" (Mervyn et al. 2019).

    Args:
        world: The run's state (skill, leader identity and territoriality updated).
        settings: The run's settings (``programmes``: ``ProgrammeRates``).
        attendees: Indices of the people at the session.
        partner_multiplier: 1 + partner_strength with the academic partner, else 1.
    """
    people, rates = world.people, settings.programmes
    depth = rates.programme_intensity * partner_multiplier
    skill, identity, territoriality = people.skill, people.leader_identity, people.territoriality
    for i in attendees:
        if people.role[i] == TOP:
            territoriality[i] -= depth * rates.territoriality_unlearning * territoriality[i]
        else:
            skill[i] += depth * rates.skill_gain * (1.0 - skill[i])
            identity[i] += depth * rates.identity_gain * (1.0 - identity[i])


@jit
def claim_leadership(identity, gain):
    """M10: leader identity after successfully leading a change that was granted.

    Leader identity grows when a claim to lead is granted by others and the change
    succeeds, so distributed leadership is something people grow into.

    Evidence: "That to me is about creating the conditions for an empowered dispersed
    leadership model to work" (Mervyn et al. 2019).
    Anchor: DeRue & Ashford (2010), leader identity through claiming and granting.

    Args:
        identity: Current leader identity (0-1).
        gain: Share of the gap to 1 closed.
    """
    return identity + gain * (1.0 - identity)


@jit
def refuse_claim(identity, gain):
    """M10: leader identity after a claim to lead was refused (a block).

    A refused claim wears leader identity down as a granted one builds it: the same
    share ``gain``, of what there is to lose.

    Evidence: "A lack of support permeated to unease and despondency amongst otherwise
    innovative and keen local leaders" (Mervyn et al. 2019).
    Anchor: DeRue & Ashford (2010), leader identity through claiming and granting.

    Args:
        identity: Current leader identity (0-1).
        gain: Share of it lost.
    """
    return identity - gain * identity
