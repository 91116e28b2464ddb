"""Parameters: trust (M1-M3)."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "trust"

declare(
    "trust_gain",
    "float",
    0.10,
    "Rate at which a positive signal builds trust.",
    unit="per signal",
    low=0.01,
    high=0.3,
    group=GROUP,
    symbol="λ⁺",
    evidence=f"'Trust takes time to develop' ({BESTON}); asymmetric trust, Pant & Yu (2025).",
)
declare(
    "trust_loss",
    "float",
    0.35,
    "Rate at which a negative signal destroys trust.",
    unit="per signal",
    low=0.05,
    high=0.6,
    group=GROUP,
    symbol="λ⁻",
    evidence=f"A pay rise 'had a devastating effect on the morale and credibility' "
    f"({BESTON}); Slovic (1993) trust asymmetry.",
)
declare(
    "dependency_amplification",
    "float",
    0.5,
    "Extra trust loss when the truster depends on the more powerful person.",
    unit="multiplier",
    low=0.0,
    high=1.0,
    group=GROUP,
    symbol="ξ",
    evidence=f"'Power and Politics were at play from tops to bottoms' ({IOCN}).",
)
declare(
    "generalisation",
    "float",
    0.2,
    "Share of what one learns about a person that one also learns about their organisation.",
    unit="share",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'many people in the group were beginning to question the assumptions they "
    f"made about those who worked in other organizations' ({BESTON}).",
)
declare(
    "trust_drift",
    "float",
    0.01,
    "Weekly fading of personal trust back to one's view of the other's organisation.",
    unit="per week",
    low=0.0,
    high=0.1,
    group=GROUP,
    evidence=f"Relationships need maintaining: 'time and patience were needed to nurture' "
    f"them ({IOCN}).",
)
declare(
    "trust_within_org",
    "float",
    0.6,
    "Prior trust in a colleague in one's own organisation.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"Organisational silos: 'each part works to optimise its own performance' ({IOCN}).",
)
declare(
    "trust_across_org",
    "float",
    0.35,
    "Prior trust in someone from another organisation.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'we are naturally threatened by the other' ({BESTON}).",
)
declare(
    "health_social_gap",
    "float",
    0.1,
    "Extra prior distrust across the health / social care divide.",
    unit="0-1",
    low=0.0,
    high=0.3,
    group=GROUP,
    evidence=f"'The split in the senior leadership team is acknowledged but entrenched' "
    f"({BESTON}).",
)
declare(
    "encounter_warmth",
    "float",
    1.68,
    "Baseline tendency of an encounter to go well (log-odds).",
    unit="log-odds",
    low=-3.0,
    high=3.0,
    group=GROUP,
    evidence=f"'they almost always found ways of helping one another' ({BESTON}).",
)
declare(
    "encounter_trust_weight",
    "float",
    3.0,
    "How much existing trust makes an encounter go well.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    evidence="Trust is self-reinforcing (Pant & Yu 2025).",
)
declare(
    "encounter_narrative_weight",
    "float",
    2.0,
    "How much a shared view of purpose makes an encounter go well.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    evidence=f"'confident that the other is committed to the same end' ({BESTON}).",
)
declare(
    "identity_threat",
    "float",
    2.01,
    "How much meeting another profession or sector threatens identity.",
    unit="log-odds",
    low=0.0,
    high=4.0,
    group=GROUP,
    evidence=f"'the cross-sector approach threatening to their sense of identity and "
    f"professionalism' ({BESTON}).",
)
declare(
    "upward_hesitancy",
    "float",
    0.666,
    "How much a power gap spoils an encounter for the less powerful person.",
    unit="log-odds per unit",
    low=0.0,
    high=4.0,
    group=GROUP,
    evidence=f"'subordinates were often hesitant to converse upwards' ({IOCN}).",
)
declare(
    "second_hand_trust",
    "float",
    0.1,
    "Weight given to a trusted contact's view of a third person.",
    unit="per conversation",
    low=0.0,
    high=0.3,
    group=GROUP,
    symbol="ω",
    evidence="Reputation travels through people one trusts (Burt & Knez 1995).",
)
declare(
    "gossip_contacts",
    "float",
    1.0,
    "Conversations about third people each week.",
    unit="per person per week",
    low=0.0,
    high=5.0,
    group=GROUP,
    evidence=f"'Word of mouth works as well doesn't it?' ({IOCN}).",
)
declare(
    "informal_contact_rate",
    "float",
    0.25,
    "Informal encounters each member starts between meetings in a place-based network "
    "(each takes part in more: others start encounters with them too).",
    unit="per person per week",
    low=0.0,
    high=2.0,
    group=GROUP,
    evidence=f"'informal as well as formal kind of learning and sharing' ({IOCN}).",
)
