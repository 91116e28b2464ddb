"""Who comes to a meeting (M5) and where they sit (M6)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms.draws import ATTENDANCE, chance, enter, enter_for, uniform


class AttendanceWeights(NamedTuple):
    """Weights of the choice to come to a meeting, in log-odds (M5)."""

    attendance_base: float  # α₀
    attendance_commitment: float  # α₁
    attendance_experience: float  # α₂
    attendance_workload: float  # α₃
    attendance_backlog: float
    attendance_territoriality: float  # α₄


@jit
def attendance_probability(commitment, meeting_value, workload, backlog, territoriality, weights):
    """M5: chance that a member comes to a meeting (fluid attendance).

    ``σ(α₀ + α₁(c - ½) + α₂·v - α₃(w - ½) - backlog_weight·backlog - α₄·t)``, where v is
    how worthwhile the person found the last meeting they came to (-1 to 1: good minus bad
    encounters with other organisations, which trust makes likelier); backlog is 1 if they
    came last time: three hours away from the day job leaves work that keeps them away
    from the next meeting; and t is their territoriality, the power they would have to
    share (``people.territoriality``, 0-1: unwillingness to cede times power, resistance
    and the organisation's guardedness; ``turnover.draw_person``), which keeps the
    powerful away. The backlog term is what makes Beston's pattern, most people at four
    or more of six meetings yet nobody at all six, possible.

    Evidence: "No one (except Jo) attended all six meetings, although most people were
    present for at least four out of the six"; "the group was fluid as most
    practitioners could only afford the time to attend some of the meetings"; "Those
    with the most power, were often the most reluctant to collaborate, because it meant
    sharing it. Those with the least power, had little to lose" (Kennedy et al. 2019).

    Args:
        commitment: Commitment (0-1).
        meeting_value: How worthwhile the last meeting attended was (-1 to 1).
        workload: Day-job workload (0-1).
        backlog: 1 if the person attended the previous meeting, else 0.
        territoriality: Territoriality (0-1).
        weights: ``AttendanceWeights``.
    """
    x = (
        weights.attendance_base
        + weights.attendance_commitment * (commitment - 0.5)
        + weights.attendance_experience * meeting_value
        - weights.attendance_workload * (workload - 0.5)
        - weights.attendance_backlog * backlog
        - weights.attendance_territoriality * territoriality
    )
    return 1.0 / (1.0 + math.exp(-x))


@jit
def choose_attendees(world, settings):
    """Draw who attends this meeting; update ``people.attended_last`` in place.

    Active members come with ``attendance_probability``; the convener and the central
    leader (``people.steady``) come to every meeting while they are members.

    Args:
        world: The run's state (``people.attended_last`` updated).
        settings: The run's settings (``settings.attendance``: ``AttendanceWeights``).

    Returns:
        Indices of the attendees, in index order.
    """
    stream, people, weights = world.stream, world.people, settings.attendance
    key = enter(stream, ATTENDANCE)
    n = people.active.shape[0]
    chosen = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        came = False
        if people.active[i]:
            if people.steady[i]:
                came = True
            else:
                enter_for(stream, key, i)
                p = attendance_probability(
                    people.commitment[i],
                    people.meeting_value[i],
                    people.workload[i],
                    1.0 if people.attended_last[i] else 0.0,
                    people.territoriality[i],
                    weights,
                )
                came = chance(stream, p)
        people.attended_last[i] = came
        if came:
            chosen[count] = i
            count += 1
    return chosen[:count]


@jit
def table_bounds(m, table_size, mixed):
    """Start index of each table in a seating of ``m`` people, plus ``m`` at the end.

    Mixed seating fills all tables nearly evenly (the first ``m % tables`` get one more
    seat); clustered seating fills tables of ``table_size`` in order.
    """
    tables = (m + table_size - 1) // table_size
    bounds = np.empty(tables + 1, dtype=np.int64)
    if mixed and tables > 0:
        base_size = m // tables
        extra = m - base_size * tables
        position = 0
        for t in range(tables):
            bounds[t] = position
            position += base_size + (1 if t < extra else 0)
    else:
        for t in range(tables):
            bounds[t] = t * table_size
    bounds[tables] = m
    return bounds


@jit
def seat(stream, attendees, org, table_size, mixed):
    """M6: seat attendees at tables; returns them reordered so tables are consecutive.

    With a convener, seating is deliberately mixed: attendees sorted by organisation are
    dealt round the tables like cards, so each table holds as many organisations as
    possible. Without one, people sit with their own organisation.

    Evidence: the leadership programmes "brought together the tops, middles, and bottoms
    across a patient pathway" (Mervyn et al. 2019); "Four small groups worked to distil
    the learning from each of the stories" (Kennedy et al. 2019).

    Args:
        stream: Random stream.
        attendees: Indices of attendees.
        org: Organisation of everyone.
        table_size: People per table (the last table may be smaller).
        mixed: Whether a convener mixes the seating.
    """
    m = attendees.shape[0]
    key = np.empty(m)
    for k in range(m):
        key[k] = org[attendees[k]] + uniform(stream)  # by organisation, random within
    by_org = attendees[np.argsort(key)]
    if not mixed:
        return by_org
    bounds = table_bounds(m, table_size, True)
    tables = bounds.shape[0] - 1
    seated = np.empty(m, dtype=np.int64)
    filled = np.zeros(tables, dtype=np.int64)
    for k in range(m):
        t = k % tables
        seated[bounds[t] + filled[t]] = by_org[k]
        filled[t] += 1
    return seated
