"""A week nobody plays, in one compiled call (ODD §3).

``collabsim.week`` tells a week's story in order. Where participants play people their
choices come between the phases, and the week calls the phases one at a time from Python.
In every other week (every week of a run that nobody plays, and of every silo twin) the
week after its scheduled events is one compiled call, ``live_week``: whether a meeting is
due, the meeting (attendance, then the meeting itself), phases 3 to 6
(``weekly.after_the_meeting``) and the network's judgement of itself (``judge_network``),
in the same order and through the same functions. ``tests/test_phases_in_one_call.py``
holds the two ways equal.
"""

from __future__ import annotations

from typing import NamedTuple

from collabsim.jit import jit
from collabsim.mechanisms import attendance, draws, meeting, weekly
from collabsim.mechanisms.roles import TOP
from collabsim.mechanisms.sustainability import network_failing
from collabsim.mechanisms.weekly import (
    ALIVE,
    COLLAPSE_STEP,
    FAILING_MEETINGS,
    INITIAL_MEMBERS,
    MEETING_HELD,
    MEETINGS_HELD,
)


class CollapseRule(NamedTuple):
    """When a failing network dissolves (M15), named as its parameters.

    The two spans of calendar weeks are counted in meetings (``settings.meetings_in``), so
    they follow the meeting interval when it changes mid-run.
    """

    min_attendance: float  # mean attendance below which a network is failing
    attendance_meetings: int  # meetings whose attendance is averaged (attendance_weeks)
    collapse_meetings: int  # failing meetings in a row that dissolve it (collapse_weeks)


@jit
def meeting_due(world, settings, week):
    """Whether the network meets in ``week``, recorded in how it stands.

    Every ``meeting_interval`` weeks from week 1, while a convened network is alive.
    """
    draws.start_week(world.stream, week)
    due = weekly.network_on(world, settings) and (week - 1) % settings.week.meeting_interval == 0
    world.standing[MEETING_HELD] = due
    return due


@jit
def judge_network(world, settings, week):
    """At a meeting, judge whether the network is failing (M15).

    Failing as ``sustainability.network_failing`` says; failing meetings in a row that
    span ``collapse_weeks`` dissolve it in ``week``.
    """
    standing, people, rule = world.standing, world.people, settings.collapse
    if standing[MEETING_HELD] == 0.0:
        return
    members = 0
    tops_left = False
    for i in range(people.active.shape[0]):
        if people.active[i]:
            members += 1
            tops_left = tops_left or (people.role[i] == TOP and not people.steady[i])
    held = int(standing[MEETINGS_HELD])
    recent = min(held, rule.attendance_meetings)
    total = 0.0
    history = world.attendance_history  # a ring of at least attendance_meetings places
    for k in range(held - recent, held):  # the latest meetings' attendance, oldest first
        total += history[k % history.shape[0]]
    failing = network_failing(
        members / standing[INITIAL_MEMBERS], total / recent, tops_left, rule.min_attendance
    )
    standing[FAILING_MEETINGS] = standing[FAILING_MEETINGS] + 1 if failing else 0
    if standing[FAILING_MEETINGS] >= rule.collapse_meetings:
        standing[ALIVE] = 0.0
        standing[COLLAPSE_STEP] = week


@jit
def live_week(world, settings, week):
    """The week ``week`` of a world nobody plays, after its scheduled events.

    Returns how many people moved on: their posts are the first of ``world.leavers``, in
    the order their holders left, for the Mesa agents to be handed over.
    """
    if meeting_due(world, settings, week):
        meeting.hold(world, settings, attendance.choose_attendees(world, settings), week)
    leaving = weekly.after_the_meeting(world, settings, week, world.standing[MEETING_HELD] != 0.0)
    judge_network(world, settings, week)
    return leaving
