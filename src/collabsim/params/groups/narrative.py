"""Parameters: shared narrative (M4)."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "narrative"

declare(
    "narrative_mu",
    "float",
    0.3,
    "How far people move towards a view they engage with.",
    unit="share per encounter",
    low=0.05,
    high=0.5,
    group=GROUP,
    symbol="μ",
    evidence="Bounded confidence (Deffuant et al. 2000).",
)
declare(
    "narrative_epsilon",
    "float",
    0.2,
    "How different a view people will still engage with.",
    unit="narrative units",
    low=0.02,
    high=0.5,
    group=GROUP,
    symbol="ε",
    evidence="Bounded confidence (Deffuant et al. 2000).",
)
declare(
    "facilitation_widening",
    "float",
    0.2,
    "How far facilitation widens the views people engage with, at full partner strength.",
    unit="narrative units",
    low=0.0,
    high=0.5,
    group=GROUP,
    symbol="γ",
    evidence=f"'taking the time to explore what matters to people' ({BESTON}).",
)
declare(
    "pressure_crowding",
    "float",
    0.916,
    "Share of a meeting's work on a common view that the pressure to get things done "
    "takes when the shortfall against aspiration is at its most frustrating.",
    unit="share",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'The pressure just to 'get things done' is huge and mitigates against the "
    f"time it takes to establish a common vision' ({BESTON}).",
)
declare(
    "central_pull",
    "float",
    0.1,
    "Pull of the central leader on attendees' narrative, at full strength.",
    unit="share per meeting",
    low=0.0,
    high=0.5,
    group=GROUP,
    symbol="κ",
    evidence=f"'providing direction and focus for the network as a whole' ({IOCN}).",
)
declare(
    "leader_drive",
    "float",
    0.135,
    "Share of the way the central leader's drive moves each attendee's commitment towards the "
    "leader's own at a meeting the leader comes to, at full strength.",
    unit="share per meeting",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'Having someone like [University Lead] drive and enthusiasm is very important'; "
    f"'a strong and energetic and strategic leader that could hold the centre' ({IOCN}).",
)
declare(
    "tops_stubbornness",
    "float",
    0.3,
    "How strongly tops stay anchored to their own organisation's view.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    symbol="θ",
    evidence=f"Friedkin & Johnsen (1990) stubborn agents; 'hesitancy amongst the tops' ({IOCN}).",
)
