"""The week's meeting, compiled (ODD §3, phase 2).

``collabsim.week`` chooses who comes (M5; where participants play people, their choices
to come or not are made between choosing and meeting); ``hold`` is the rest of the
meeting in one compiled call: seating, encounters at tables, the central leader's pull,
the update on actions and the leader's drive, and the leadership programmes. Called from
Python, these were a dozen calls a meeting, each a few microseconds to cross, and the
meeting's arithmetic between them took as long again.
"""

from __future__ import annotations

from typing import NamedTuple

from collabsim.jit import jit
from collabsim.mechanisms import attendance, commitment, draws, encounters, learning, narrative
from collabsim.mechanisms.weekly import (
    ATTENDANCE_RATE,
    ATTENDEES,
    CENTRAL_LEADER_PRESENT,
    LAST_MEETING,
    MEETINGS_HELD,
    PARTNER_PRESENT,
    PROGRAMME_RUNNING,
    SHORTFALL_STRAIN,
    central_strength,
)


class MeetingRates(NamedTuple):
    """The parameters a meeting reads itself, named as the parameters.

    The last four say whether each of the partner's channels works (each is true unless
    ``partner_channel_off`` names it).
    """

    table_size: int
    facilitation_widening: float
    partner_strength: float
    pressure_crowding: float
    narrative_epsilon: float
    narrative_mu: float
    central_pull: float
    leader_drive: float
    seating_channel: bool
    threat_relief_channel: bool
    narrative_channel: bool
    learning_channel: bool


@jit
def facilitated(world):
    """Whether the academic partner's convener is in the network."""
    return world.standing[PARTNER_PRESENT] != 0.0 and world.people.active[world.convener]


@jit
def hold(world, settings, attendees, week):
    """A network meeting of ``attendees``, who were chosen to come (M5) in ``week``.

    Seating (M6); encounters at the tables (M1, M2, M4), with a wider hearing and a safer
    space where the partner facilitates, and less of the work on a common view when the
    network is pressed for results; the central leader's pull on views; meeting energy
    and, from the second meeting on, the update on actions (M12; the first meeting agrees
    the first actions, so it has no update to hear); the leader's drive; the leadership
    programmes (M7).
    """
    standing, people, rates = world.standing, world.people, settings.meeting
    draws.enter(world.stream, draws.MEETING)
    standing[MEETINGS_HELD] += 1
    for i in attendees:
        people.attended[i] += 1
    members = 0
    for i in range(people.active.shape[0]):
        members += people.active[i]
    standing[ATTENDEES] = attendees.size
    standing[ATTENDANCE_RATE] = attendees.size / max(1, members)
    history = world.attendance_history  # the latest meetings', as a ring
    history[(int(standing[MEETINGS_HELD]) - 1) % history.shape[0]] = standing[ATTENDANCE_RATE]

    partner = facilitated(world)
    mixed = partner and rates.seating_channel
    seated = attendance.seat(world.stream, attendees, people.org, rates.table_size, mixed)
    bounds = attendance.table_bounds(seated.size, rates.table_size, mixed)
    widening = 0.0
    if partner and rates.narrative_channel:
        widening = rates.facilitation_widening * rates.partner_strength
    relief = rates.partner_strength if partner and rates.threat_relief_channel else 0.0
    # Pressure to get things done takes time from building a common view.
    crowded = rates.pressure_crowding * standing[SHORTFALL_STRAIN]
    epsilon, mu = rates.narrative_epsilon + widening, rates.narrative_mu * (1.0 - crowded)
    encounters.table_encounters(world, settings, seated, bounds, epsilon, mu, relief)

    leader = world.central_leader
    leader_came = standing[CENTRAL_LEADER_PRESENT] != 0.0 and people.attended_last[leader]
    if leader_came:
        strength = central_strength(world, settings) * rates.central_pull
        narrative.central_pull(people.narrative, attendees, world.core_purpose, strength)
    actions = world.pathways.actions_since_meeting
    since = int(week - standing[LAST_MEETING])
    progress = commitment.progress_reported(actions, since, world.actions_taken_on)
    actions[:] = 0
    standing[LAST_MEETING] = week
    if standing[MEETINGS_HELD] > 1:
        commitment.meeting_experiences(world, settings, standing[SHORTFALL_STRAIN], progress)
    else:  # the first meeting agrees the first actions: it has no update on them to hear
        commitment.meeting_experiences(world, settings, standing[SHORTFALL_STRAIN], None)
    if leader_came:
        weight = central_strength(world, settings) * rates.leader_drive
        commitment.leader_drive(people, people.attended_last, leader, weight)
    if standing[PROGRAMME_RUNNING] != 0.0:
        deepening = rates.partner_strength if partner and rates.learning_channel else 0.0
        learning.programme_session(world, settings, attendees, 1.0 + deepening)
