"""Leadership programmes (M7) and leadership claims (M10)."""

from __future__ import annotations

from collabsim.jit import jit
from collabsim.mechanisms.trust import TOP


@jit
def programme_session(
    attendees,
    role,
    skill,
    leader_identity,
    territoriality,
    intensity,
    partner_multiplier,
    skill_gain,
    identity_gain,
    unlearning,
):
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
        attendees: Indices of the people at the session.
        role: Role of everyone.
        skill: Improvement skill (updated).
        leader_identity: Leader identity (updated).
        territoriality: Territoriality (updated).
        intensity: programme_intensity (0-1).
        partner_multiplier: 1 + partner_strength with the academic partner, else 1.
        skill_gain: Share of the skill gap closed per session at full intensity.
        identity_gain: Share of the identity gap closed per session at full intensity.
        unlearning: Share of tops' territoriality lost per session at full intensity.
    """
    depth = intensity * partner_multiplier
    for i in attendees:
        if role[i] == TOP:
            territoriality[i] -= depth * unlearning * territoriality[i]
        else:
            skill[i] += depth * skill_gain * (1.0 - skill[i])
            leader_identity[i] += depth * identity_gain * (1.0 - leader_identity[i])


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
