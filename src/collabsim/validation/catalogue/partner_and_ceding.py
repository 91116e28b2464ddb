"""The neutral academic partner, ceding territory and distributed leadership."""

from __future__ import annotations

from collabsim.validation import measures as m
from collabsim.validation.catalogue.declare import (
    BESTON,
    IOCN,
    SURVIVAL,
    declare,
    event_at,
    iocn_arm,
)
from collabsim.validation.spec import Arm, AtWeek, Bound, Greater, Interaction, Sign

# --- the neutral academic partner -----------------------------------------------------------

declare(
    "neutral_partner_sustains",
    claim="A neutral academic partner helps an inter-organisational network last.",
    quote="where there is a neutral academic partner to support the collaboration",
    source=f"{IOCN}, Summary and conclusion",
    operationalisation="`iocn` with the academic partner against `iocn` without it: the "
    "share of weeks the network is alive is higher with the partner.",
    arms={"with_partner": iocn_arm(), "without_partner": iocn_arm(academic_partner=False)},
    test=Greater(SURVIVAL, "with_partner", "without_partner"),
)

declare(
    "neutral_partner_builds_relationships",
    claim="A neutral setting builds relationships between the organisations.",
    quote="IOCN provided more of a neutral setting in which health organisations within the "
    "city could converge",
    source=f"{IOCN}, Fundamental differences between a place-based network and an "
    "issues-based network",
    operationalisation="`iocn` with the academic partner against `iocn` without it: trust "
    "between members of different organisations after two years is higher with the partner.",
    arms={"with_partner": iocn_arm(104), "without_partner": iocn_arm(104, academic_partner=False)},
    test=Greater(AtWeek("trust_cross_org", 104), "with_partner", "without_partner"),
)

declare(
    "partner_deepens_learning",
    claim="The link with a university builds a culture of learning.",
    quote="The association between the health system and a higher education establishment "
    "highlighted a culture of learning",
    source=f"{IOCN}, Summary and conclusion",
    operationalisation="`iocn` with the academic partner against `iocn` without it: members' "
    "mean improvement skill after two years (`skill_mean`) is higher with the partner.",
    arms={"with_partner": iocn_arm(104), "without_partner": iocn_arm(104, academic_partner=False)},
    test=Greater(AtWeek("skill_mean", 104), "with_partner", "without_partner"),
)

declare(
    "partner_must_stay_until_sustainable",
    claim="A supporting institute must stay until the work is sustainable; withdrawing early "
    "leaves the network less likely to last.",
    quote="it has to also continue to support these programmes until they are sustainable",
    source=f"{IOCN}, Challenges and contradictions of relationships within network (R12)",
    operationalisation="`iocn` against `iocn` with a `partner_withdraws` event at week 52: "
    "the share of weeks alive is higher when the partner stays.",
    arms={"stays": iocn_arm(), "withdraws": iocn_arm(**event_at(52, "partner_withdraws"))},
    test=Greater(SURVIVAL, "stays", "withdraws"),
)

# --- ceding territory and distributed leadership ---------------------------------------------

declare(
    "ceding_territory_sustains",
    claim="A network works as long as its senior leaders are willing to cede territory.",
    quote="as long as the senior leader is willing to cede territory",
    source=f"{IOCN}, Summary and conclusion",
    operationalisation="`iocn` with `cede_willingness` 0.8 against 0.2: the share of weeks "
    "alive is higher where senior leaders cede.",
    arms={"ceding": iocn_arm(cede_willingness=0.8), "guarding": iocn_arm(cede_willingness=0.2)},
    test=Greater(SURVIVAL, "ceding", "guarding"),
)


def _gate_arms(lever: str, low: float, high: float) -> dict[str, Arm]:
    return {
        f"{who}_{level}": iocn_arm(
            cede_willingness=cede, territoriality_unlearning=0.0, **{lever: value}
        )
        for who, cede in (("willing", 0.9), ("unwilling", 0.1))
        for level, value in (("high", high), ("low", low))
    }


declare(
    "ceding_gates_distributed_leadership",
    claim="Distributed leadership adds changes only where senior leaders are willing to cede "
    "territory.",
    quote="distributed leadership was constrained by a lack of buy-in and commitment from "
    "senior leaders",
    source=f"{IOCN}, Challenges and contradictions of relationships within network",
    operationalisation="In `iocn` with `territoriality_unlearning` 0, the gain in changes "
    "adopted while the network was alive from raising `distributed_leadership` from 0 to 0.9 "
    "is larger where senior leaders cede (`cede_willingness` 0.9) than where they do not "
    "(0.1), positive there, and under half as large where they do not.",
    arms=_gate_arms("distributed_leadership", 0.0, 0.9),
    test=Interaction(
        m.ADOPTED_WHILE_ALIVE,
        ("willing_high", "willing_low"),
        ("unwilling_high", "unwilling_low"),
        ratio_below=0.5,
    ),
)

declare(
    "ceding_gates_frontline_programme",
    claim="Training frontline leaders adds changes only where senior leaders will let them lead.",
    quote="We need the tops to pay real attention to the bottoms",
    source=f"{IOCN}, Learning: an essential mechanism for development (R14)",
    operationalisation="As `ceding_gates_distributed_leadership`, with `programme_intensity` "
    "raised from 0 to 1 (the senior programme's unlearning of territoriality switched off, so "
    "that the lever is the frontline programme alone).",
    arms=_gate_arms("programme_intensity", 0.0, 1.0),
    test=Interaction(
        m.ADOPTED_WHILE_ALIVE,
        ("willing_high", "willing_low"),
        ("unwilling_high", "unwilling_low"),
        ratio_below=0.5,
    ),
)

declare(
    "empowered_staff_get_things_done",
    claim="Where leaders let go, empowering staff gets change happening from the bottom up.",
    quote="Empowerment of staff helps to get things happening from the bottom up",
    source=f"{BESTON}, §6.6 Supporting courageous and systemic leadership",
    operationalisation="`iocn` with `cede_willingness` 0.8: changes adopted while the network "
    "was alive are more with `distributed_leadership` 0.9 than with 0.1.",
    arms={
        "empowered": iocn_arm(cede_willingness=0.8, distributed_leadership=0.9),
        "held": iocn_arm(cede_willingness=0.8, distributed_leadership=0.1),
    },
    test=Greater(m.ADOPTED_WHILE_ALIVE, "empowered", "held"),
)

declare(
    "distributed_leadership_partly_realised",
    claim="Distributed leadership is partly realised: some of the frontline come to lead "
    "change, far from all.",
    quote="some of the intent was realised, but distributed leadership was constrained",
    source=f"{IOCN}, Challenges and contradictions of relationships within network",
    operationalisation="In `iocn`, the share of pathway team members who have led an adopted "
    "change (`distributed_leadership_index`) by the last week the network worked (the end, "
    "or the week it dissolved) lies between 0.1 and 0.6.",
    arms={"iocn": iocn_arm()},
    test=Bound(m.LEADERSHIP_WHILE_ALIVE, "iocn", low=0.1, high=0.6),
)

declare(
    "blocks_breed_despondency",
    claim="Where senior leaders do not support frontline change, keen local leaders lose heart.",
    quote="A lack of support permeated to unease and despondency amongst otherwise innovative "
    "and keen local leaders",
    source=f"{IOCN}, Learning: an essential mechanism for development",
    operationalisation="`iocn` with `cede_willingness` 0.9 against 0.1: members' mean "
    "commitment after two years is higher where senior leaders cede.",
    arms={
        "supported": iocn_arm(104, cede_willingness=0.9),
        "unsupported": iocn_arm(104, cede_willingness=0.1),
    },
    test=Greater(AtWeek("commitment_mean", 104), "supported", "unsupported"),
)

declare(
    "senior_leaders_hold_back",
    claim="Senior leaders commit less to the network than the people they lead.",
    quote="the senior leaders did not fully commit to this",
    source=f"{IOCN}, Challenges and contradictions of relationships within network",
    operationalisation="In `iocn` after two years, senior leaders' mean commitment "
    "(`commitment_tops`) is below members' mean commitment (`commitment_mean`), run by run.",
    arms={"iocn": iocn_arm(104)},
    test=Sign(m.TOPS_COMMITMENT_GAP, "iocn", direction="negative"),
)
