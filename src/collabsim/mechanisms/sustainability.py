"""Whether the network is still alive (M15)."""

from __future__ import annotations


def network_failing(membership_share, recent_attendance, tops_commitment, min_attendance,
                    tops_floor):
    """M15: a network is failing when it loses its people, its room or its tops.

    Failing means any of: active membership below half its starting size; mean attendance
    over the last few meetings below ``min_attendance``; tops' mean commitment below
    ``tops_floor``. A network failing for ``collapse_window`` meetings in a row dissolves:
    meetings stop, and changes it made across organisations start to unravel.

    Evidence: "in such place-based networks, we found that immense efforts must be made
    to ensure their sustainability"; "distributed leadership was constrained by a lack
    of buy-in and commitment from senior leaders" (Mervyn et al. 2019); "not being able
    to get the right people in the room" (Kennedy et al. 2019).

    Args:
        membership_share: Active members over members at the start.
        recent_attendance: Mean attendance rate over the last few meetings.
        tops_commitment: Mean commitment of active tops (NaN if none).
        min_attendance: Attendance floor.
        tops_floor: Floor on tops' commitment.
    """
    no_tops = tops_commitment != tops_commitment  # NaN: no tops left in the network
    return (membership_share < 0.5 or recent_attendance < min_attendance
            or no_tops or tops_commitment < tops_floor)
