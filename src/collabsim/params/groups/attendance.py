"""Parameters: attendance and mixing (M5, M6)."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "attendance"

declare(
    "attendance_base",
    "float",
    1.96,
    "Baseline tendency to attend a meeting (log-odds).",
    unit="log-odds",
    low=-4.0,
    high=4.0,
    group=GROUP,
    symbol="α₀",
    evidence=f"Beston: 'most people were present for at least four out of the six' ({BESTON}).",
)
declare(
    "attendance_commitment",
    "float",
    2.0,
    "How much commitment drives attendance.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    symbol="α₁",
    evidence=f"'a willingness to do over-and-above their day jobs' ({IOCN}).",
)
declare(
    "attendance_experience",
    "float",
    2.0,
    "How much a worthwhile last meeting (good encounters across organisations) draws someone back.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    symbol="α₂",
    evidence=f"'a place to share enthusiasm and frustrations' ({BESTON}).",
)
declare(
    "attendance_workload",
    "float",
    1.5,
    "How much workload keeps people away.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    symbol="α₃",
    evidence=f"'Some practitioners had competing priorities' ({BESTON}).",
)
declare(
    "attendance_backlog",
    "float",
    2.88,
    "How much the backlog from attending last time keeps people away this time.",
    unit="log-odds",
    low=0.0,
    high=4.0,
    group=GROUP,
    evidence=f"'hardly anyone had had the luxury of three hours'; 'the group was fluid as "
    f"most practitioners could only afford the time to attend some of the meetings' "
    f"({BESTON}).",
)
declare(
    "attendance_territoriality",
    "float",
    2.9,
    "How much guarding territory keeps people away from meetings: the powerful have "
    "the most to share.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    symbol="α₄",
    evidence=f"'Those with the most power, were often the most reluctant to collaborate, "
    f"because it meant sharing it. Those with the least power, had little to lose' "
    f"({BESTON}).",
)
declare(
    "workload",
    "float",
    0.5,
    "Typical day-job workload.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'fed up with the ever-increasing volume of work' ({BESTON}).",
)
