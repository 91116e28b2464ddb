"""Parameters: levers."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "levers"

declare(
    "academic_partner",
    "bool",
    True,
    "A neutral academic partner convenes the network and offers a safe space.",
    group=GROUP,
    lever=True,
    plain="A university joins as a neutral host: it convenes the meetings, facilitates the "
    "tables and makes it safer to speak across organisations.",
    evidence=f"'IOCN provided more of a neutral setting'; 'a neutral academic partner to "
    f"support the collaboration' ({IOCN}).",
)
declare(
    "partner_strength",
    "float",
    0.5,
    "How strongly the neutral partner lowers threat and deepens learning.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    lever=True,
    live=True,
    plain="How much the neutral partner's facilitation helps: less threat between "
    "professions, more listening, faster learning.",
    evidence=f"'an enabling shared space' from the University and NHS connection ({IOCN}).",
)
#: The academic partner's channels, each of which ``partner_channel_off`` may switch off.
PARTNER_CHANNELS = ("seating", "threat_relief", "narrative", "learning")

declare(
    "partner_channel_off",
    "choice",
    "none",
    "One channel of the academic partner switched off, to see what it carries.",
    choices=("none", *PARTNER_CHANNELS),
    group=GROUP,
    evidence="Robustness: the partner works through mixed seating, a safe space, a "
    "wider hearing of others' views and deeper learning (M6, M2, M4, M7); switching "
    "one off shows which of them carries its effect.",
)
declare(
    "distributed_leadership",
    "float",
    0.3,
    "Chance intended that the frontline team may decide a small test of change itself; "
    "realised as far as senior leaders will cede territory (times cede_willingness).",
    unit="probability",
    low=0.0,
    high=1.0,
    group=GROUP,
    lever=True,
    live=True,
    plain="How often frontline teams are meant to try a small change themselves, without "
    "asking a senior leader for permission; they do so only as far as senior leaders are "
    "willing to cede territory.",
    evidence=f"'members were permitted self-managed teams ... to prototype solutions' but "
    f"'did need to refer to the tops for the embedding'; 'distributed leadership was "
    f"constrained by a lack of buy-in and commitment from senior leaders' ({IOCN}).",
)
declare(
    "cede_willingness",
    "float",
    0.5,
    "Willingness of senior leaders to let others change what their organisation owns.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    lever=True,
    plain="How willing senior leaders are to let others change what their organisation owns "
    "(to cede territory), and so to let their frontline decide for themselves.",
    evidence=f"'as long as the senior leader is willing to cede territory' ({IOCN}); Baker "
    f"& Denis (2011).",
)
declare(
    "incremental_share",
    "float",
    0.7,
    "Share of proposed changes that are small tests of change rather than big-bang redesigns.",
    unit="share",
    low=0.0,
    high=1.0,
    group=GROUP,
    lever=True,
    live=True,
    plain="Share of ideas tried as small tests of change rather than big-bang redesigns. "
    "Small tests succeed often and keep hope alive; big bangs are slow and risky.",
    evidence=f"'slow and incremental forms of change were more realistic' ({IOCN}); 'small "
    f"tests of change' ({BESTON}).",
)
declare(
    "central_leader_strength",
    "float",
    0.6,
    "Strength of the energetic strategic leader holding the centre (0 = none).",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    lever=True,
    plain="A strong, energetic system leader holding the centre: pulls people towards a "
    "shared purpose and shields them from outside pressure. 0 means there is no such "
    "leader.",
    evidence=f"'the great need for a strong and energetic and strategic leader that could "
    f"hold the centre' ({IOCN}).",
)
declare(
    "programme_intensity",
    "float",
    0.5,
    "Intensity of the frontline (PLP) and senior (ALP) leadership programmes.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    lever=True,
    plain="How much leadership training people get: improvement skills for the frontline, "
    "letting go of territory for senior leaders.",
    evidence=f"'strong relationships ... should be linked to leadership training "
    f"programmes' ({IOCN}).",
)
declare(
    "results_pressure",
    "float",
    0.1,
    "Improvement demanded from outside beyond what the network is achieving.",
    unit="share of quality per year",
    low=0.0,
    high=0.5,
    group=GROUP,
    lever=True,
    live=True,
    plain="How hard boards and regulators push for quick, visible results beyond what the "
    "network is achieving.",
    evidence=f"'demands for instant improvements and financial success' ({IOCN}); 'the "
    f"pressure just to get things done is huge' ({BESTON}).",
)
declare(
    "power_imbalance",
    "float",
    0.3,
    "How far power is skewed towards health organisations over social care and community.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    lever=True,
    plain="How much more say health organisations have than social care, councils and the "
    "voluntary sector.",
    evidence=f"'a deep-rooted power imbalance between the two main parties, health and "
    f"social care' ({BESTON}).",
)
declare(
    "turnover_rate",
    "float",
    0.12,
    "Share of people who change jobs each year.",
    unit="per year",
    low=0.0,
    high=0.6,
    group=GROUP,
    lever=True,
    live=True,
    plain="Share of people who change jobs each year; newcomers start with no personal "
    "relationships in the network.",
    evidence=f"'those most resistant to change have moved on' ({BESTON}).",
)
