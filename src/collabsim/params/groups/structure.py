"""Parameters: structure of the network."""

from __future__ import annotations

from collabsim.organisations import ACADEMIC_PARTNER_KIND, ORGANISATION_KINDS
from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "structure"

declare(
    "n_people",
    "int",
    300,
    "People in the network across all organisations.",
    unit="people",
    low=5,
    high=5000,
    group=GROUP,
    evidence=f"IOCN: a city-wide network; 'circa 100 clinical and managerial leaders' "
    f"joined one priority conversation alone ({IOCN}).",
)
declare(
    "organisations",
    "kinds",
    (
        "acute_trust",
        "mental_health_trust",
        "community_trust",
        "commissioner",
        "general_practice",
        "general_practice",
        "council_social_care",
        "public_health",
        "voluntary_sector",
        "pharmacy",
    ),
    "Organisation kinds taking part (the university joins when academic_partner is on).",
    unit="kinds",
    choices=tuple(k for k in ORGANISATION_KINDS if k != ACADEMIC_PARTNER_KIND),
    group=GROUP,
    evidence=f"IOCN: providers and commissioners of health and social care, pharmacy and "
    f"a university ({IOCN}).",
)
declare(
    "top_share",
    "float",
    0.1,
    "Share of people who are senior leaders ('tops'); every organisation but the academic "
    "partner has at least one, its chief.",
    unit="share",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'tops, middles, bottoms' across a pathway ({IOCN}, after Oshry 2007).",
)
declare(
    "middle_share",
    "float",
    0.25,
    "Share of people who are managers ('middles').",
    unit="share",
    low=0.0,
    high=0.8,
    group=GROUP,
    evidence=f"As top_share ({IOCN}).",
)
declare(
    "pathway_team_size",
    "int",
    100,
    "People per programme of care: a network takes on as many care pathways as it has "
    "full teams of people for (n_people // pathway_team_size, at least one).",
    unit="people per pathway",
    low=5,
    high=5000,
    group=GROUP,
    evidence=f"IOCN: 'three programmes of care ... of a scale which meant that we could "
    f"test some of this methodology'; priorities chosen by 'circa 100 clinical and "
    f"managerial leaders' ({IOCN}). A bigger network takes on more work, not the same "
    f"work shared more thinly.",
)
declare(
    "n_practices",
    "int",
    20,
    "Binary working practices that make up each pathway.",
    unit="practices",
    low=2,
    high=40,
    group=GROUP,
    symbol="N",
    evidence="NK landscapes of organisational practice (Levinthal 1997).",
)
declare(
    "landscape_k",
    "int",
    4,
    "How many other practices each practice's value depends on (ruggedness).",
    unit="practices",
    low=0,
    high=10,
    group=GROUP,
    symbol="K",
    evidence="Levinthal (1997): higher K gives more local peaks.",
)
declare(
    "network_type",
    "choice",
    "place",
    "Place-based (one city, informal contact between meetings) or issue-based (dispersed).",
    choices=("place", "issue"),
    group=GROUP,
    lever=True,
    live=True,
    plain="Place-based: everyone works in one city and bumps into each other between "
    "meetings. Issue-based: people are spread out and meet only at meetings.",
    evidence=f"Place-based IOCN versus issue-based, 'nationally dispersed' CLAHRCs ({IOCN}).",
)
declare(
    "convened",
    "bool",
    True,
    "Whether the network meets at all (false: the hierarchy counterfactual).",
    group=GROUP,
    evidence="Counterfactual: organisations improving alone, in their silos.",
)
declare(
    "horizon",
    "int",
    260,
    "Length of a run.",
    unit="weeks",
    low=1,
    high=2600,
    group=GROUP,
    evidence="Five years, the span over which the IOCN expected 'richer pickings'.",
)
declare(
    "meeting_interval",
    "int",
    4,
    "Weeks between network meetings.",
    unit="weeks",
    low=1,
    high=52,
    group=GROUP,
    lever=True,
    live=True,
    plain="How often the whole network meets, in weeks: 4 is monthly, 13 quarterly.",
    evidence=f"Beston: 'meetings were held monthly' ({BESTON}).",
)
declare(
    "table_size",
    "int",
    6,
    "People seated together at a meeting table.",
    unit="people",
    low=2,
    high=30,
    group=GROUP,
    evidence=f"Beston: 'in-depth focus on two or three key areas, in smaller groups' ({BESTON}).",
)

declare(
    "team_size",
    "int",
    8,
    "People in a self-managed improvement team within a pathway team.",
    unit="people",
    low=2,
    high=50,
    group=GROUP,
    evidence=f"IOCN members 'were permitted self-managed teams to investigate areas for "
    f"innovation and improvement, and to prototype solutions' ({IOCN}); Beston: 'Four "
    f"small groups worked to distil the learning' ({BESTON}).",
)
