"""Whether organisations stay in the network, and whether the network is still alive (M15)."""

from __future__ import annotations

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms.trust_members import set_membership


@jit
def chiefs_commitment(people, lo, hi):
    """Commitment of the chief of the organisation of posts ``lo`` to ``hi`` (its first post).

    NaN when nobody from it is left in the network.
    """
    for i in range(lo, hi):
        if people.active[i]:
            return people.commitment[lo]
    return np.nan


@jit
def organisations_withdrawing(world, settings, partner, patience):
    """M15: organisations whose chiefs have lost heart withdraw from the network.

    At each meeting, an organisation whose chief (its first post, a senior leader) is
    committed below ``floor`` counts a low meeting (a meeting with them above it resets
    the count); after ``patience`` low meetings in a row it withdraws: everyone from it
    leaves the network, and people who take up its posts later do not join. A network is
    only as alive as the organisations that sponsor it; the academic partner is left out
    (it withdraws only by event). The central leader is their organisation's chief: their
    commitment is learned too. One person speaks for each organisation, as in M13, so an
    organisation's chance of withdrawing does not depend on how many senior posts the
    network's size gives it (docs/odd.md 7.17).

    Evidence: "when a chief exec says, 'It's not going to [provide] any outcomes'" (R14);
    "distributed leadership was constrained by a lack of buy-in and commitment from senior
    leaders"; "issues arose regarding how committed the tops were" (Mervyn et al. 2019);
    "not being able to get the right people in the room" (Kennedy et al. 2019).

    Args:
        world: The run's state (membership, ``withdrawn`` and ``org_low_meetings``
            updated; membership changes keep the trust store's sums exact).
        settings: The run's settings (``exits``: ``ExitRates``).
        partner: Index of the academic partner, or -1.
        patience: Meetings in a row spanning ``exit_patience_weeks``.

    Returns:
        How many members left with their organisations.
    """
    people, store, org_start = world.people, world.trust, world.org_start
    withdrawn, low_meetings = world.withdrawn, world.org_low_meetings
    floor = settings.exits.tops_commitment_floor
    left = 0
    for k in range(org_start.shape[0] - 1):
        if withdrawn[k] or k == partner:
            continue
        lo, hi = org_start[k], org_start[k + 1]
        commitment = chiefs_commitment(people, lo, hi)
        if commitment != commitment:  # nobody from it is left in the network
            continue
        low_meetings[k] = low_meetings[k] + 1 if commitment < floor else 0
        if low_meetings[k] < patience:
            continue
        withdrawn[k] = True
        for i in range(lo, hi):
            if people.active[i]:
                set_membership(store, i, False)
                left += 1
    return left


@jit
def network_failing(membership_share, recent_attendance, tops_left, min_attendance):
    """M15: a network is failing when it loses its people, its room or its senior leaders.

    Failing means any of: active membership below half its starting size (people drifting
    away, and organisations withdrawing with all their people); mean attendance over the
    last few meetings below ``min_attendance``; no senior leader (other than the central
    leader) left in it. A network whose failing meetings in a row span ``collapse_weeks``
    dissolves: meetings stop, and changes it made across organisations start to unravel.

    Evidence: "in such place-based networks, we found that immense efforts must be made
    to ensure their sustainability"; "distributed leadership was constrained by a lack
    of buy-in and commitment from senior leaders" (Mervyn et al. 2019); "not being able
    to get the right people in the room" (Kennedy et al. 2019).

    Args:
        membership_share: Active members over members at the start.
        recent_attendance: Mean attendance rate over the last few meetings.
        tops_left: Whether any senior leader (not steady) is still a member.
        min_attendance: Attendance floor.
    """
    return membership_share < 0.5 or recent_attendance < min_attendance or not tops_left
