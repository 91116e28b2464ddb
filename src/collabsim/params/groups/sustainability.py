"""Parameters: exit, turnover and sustainability (M14, M15)."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "sustainability"

declare(
    "exit_threshold",
    "float",
    0.15,
    "Commitment below which people start to drift away.",
    unit="0-1",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'others ... stopped attending' ({BESTON}).",
)
declare(
    "exit_patience_weeks",
    "int",
    12,
    "Weeks spent below the exit threshold, judged at meetings, before a person, or an "
    "organisation, leaves.",
    unit="weeks",
    low=1,
    high=52,
    group=GROUP,
    evidence="Assumption: patience runs in calendar time, so a network meeting quarterly "
    "is judged on the same calendar as one meeting monthly.",
)
declare(
    "turnover_frustration",
    "float",
    1.0,
    "How much frustration multiplies job turnover.",
    unit="multiplier",
    low=0.0,
    high=10.0,
    group=GROUP,
    evidence=f"'hopelessness and disaffection' ({BESTON}).",
)
declare(
    "min_attendance",
    "float",
    0.361,
    "Mean attendance below which a network is failing.",
    unit="share",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'not being able to get the right people in the room' ({BESTON}).",
)
declare(
    "tops_commitment_floor",
    "float",
    0.217,
    "Commitment of an organisation's chief (its first post, a senior leader) below which "
    "it withdraws from the network (after exit_patience_weeks).",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'when a chief exec says, \"It's not going to [provide] any outcomes\"'; "
    f"'distributed leadership was constrained by a lack of buy-in and commitment from "
    f"senior leaders' ({IOCN}).",
)
declare(
    "collapse_weeks",
    "int",
    12,
    "Weeks of failing meetings in a row before the network dissolves.",
    unit="weeks",
    low=1,
    high=52,
    group=GROUP,
    evidence="Assumption: sponsors judge a network over months of the calendar, however "
    "often it meets.",
)
declare(
    "attendance_weeks",
    "int",
    12,
    "Weeks of meetings over which mean attendance is judged (at least the last meeting).",
    unit="weeks",
    low=1,
    high=52,
    group=GROUP,
    evidence="Assumption, as collapse_weeks.",
)

declare(
    "events",
    "events",
    (),
    "Scheduled events on the timeline (see EVENT_KINDS).",
    group="timeline",
    evidence="Workshop what-if questions drawn from both studies.",
)
