"""Leadership holding the centre, pressure, the shared narrative, trust and relationships."""

from __future__ import annotations

from collabsim.validation import measures as m
from collabsim.validation.catalogue.declare import (
    BESTON,
    IOCN,
    SURVIVAL,
    across_rates,
    declare,
    default,
    event_at,
    iocn_arm,
    on_many_seeds,
)
from collabsim.validation.spec import (
    AllOf,
    Arm,
    AtMost,
    AtWeek,
    Bound,
    Change,
    Greater,
    Interaction,
    Share,
    Sign,
)

# --- leadership holding the centre, and pressure ------------------------------------------

declare(
    "central_leader_holds_the_centre",
    claim="A strong leader holding the centre still matters for a network to last.",
    quote="there was also the great need for a strong and energetic and strategic leader that "
    "could hold the centre",
    source=f"{IOCN}, Summary and conclusion",
    operationalisation="`iocn` with `central_leader_strength` 0.8 against 0: the share of "
    "weeks alive is higher with the leader.",
    arms={
        "with_leader": iocn_arm(central_leader_strength=0.8),
        "without_leader": iocn_arm(central_leader_strength=0.0),
    },
    test=Greater(SURVIVAL, "with_leader", "without_leader"),
)

declare(
    "courageous_leaders_shield_from_targets",
    claim="A leader who challenges imposed targets matters most when the pressure is on.",
    quote="leaders at the top who were willing to take the risk to challenge the targets "
    "imposed on them by government",
    source=f"{BESTON}, §6.6 Supporting courageous and systemic leadership",
    operationalisation="In `iocn`, the gain in the share of weeks alive from a central "
    "leader (`central_leader_strength` 0.8 against 0) is larger under `results_pressure` 0.3 "
    "than under none.",
    arms={
        f"{who}_{level}": iocn_arm(central_leader_strength=strength, results_pressure=pressure)
        for who, strength in (("leader", 0.8), ("none", 0.0))
        for level, pressure in (("pressed", 0.3), ("calm", 0.0))
    },
    test=Interaction(SURVIVAL, ("leader_pressed", "none_pressed"), ("leader_calm", "none_calm")),
)

declare(
    "results_pressure_wears_networks_down",
    claim="Demands for quick results wear networks down.",
    quote="demands for instant improvements and financial success",
    source=f"{IOCN}, Challenges and contradictions of relationships within network",
    operationalisation="`iocn` with `results_pressure` 0 against 0.3: the share of weeks "
    "alive is higher without the pressure.",
    arms={"calm": iocn_arm(results_pressure=0.0), "pressed": iocn_arm(results_pressure=0.3)},
    test=Greater(SURVIVAL, "calm", "pressed"),
)

declare(
    "pressure_crowds_out_common_vision",
    claim="Pressure to get things done leaves too little time to build a common vision.",
    quote="The pressure just to 'get things done' is huge and mitigates against the time it "
    "takes to establish a common vision",
    source=f"{BESTON}, §5 Interorganizational working in practice",
    operationalisation="`iocn` with `results_pressure` 0.3 against 0: the spread of views on "
    "the network's purpose after two years (`narrative_spread`) is larger under pressure.",
    arms={
        "pressed": iocn_arm(104, results_pressure=0.3),
        "calm": iocn_arm(104, results_pressure=0.0),
    },
    test=Greater(AtWeek("narrative_spread", 104), "pressed", "calm"),
)

# --- the shared narrative -------------------------------------------------------------------

declare(
    "shared_narrative_needs_holding",
    claim="A shared narrative comes sooner with facilitation and a leader holding the centre.",
    quote="The shared narrative and shared culture were seen as core components that could "
    "sustain the place-based network",
    source=f"{IOCN}, The core strategy is equivalent to the shared narrative",
    operationalisation="`narrative_spread` after 52 weeks is lower in `iocn` than in `iocn` "
    "with neither the academic partner nor a central leader.",
    arms={
        "held": iocn_arm(52),
        "unheld": iocn_arm(52, academic_partner=False, central_leader_strength=0.0),
    },
    test=Greater(AtWeek("narrative_spread", 52), "unheld", "held"),
)

declare(
    "shared_narrative_takes_time",
    claim="A shared narrative takes years to develop: two years in, views on it still range "
    "from 'not yet' to 'developed'.",
    quote="a continuum existed between those that felt a shared narrative did not yet exist; "
    "those that felt that it was partially developed",
    source=f"{IOCN}, The core strategy is equivalent to the shared narrative",
    operationalisation="In `iocn`, the spread of views on purpose after two years is below its "
    "start, run by run, yet typically still more than a quarter of it.",
    arms={"iocn": iocn_arm(104)},
    test=AllOf(
        Sign(m.NARRATIVE_CONVERGENCE, "iocn", direction="positive"),
        Bound(m.NARRATIVE_LEFT, "iocn", low=0.25),
    ),
)

# --- trust and relationships -----------------------------------------------------------------

declare(
    "trust_takes_time",
    claim="Trust between organisations takes time to develop: after six meetings it is only "
    "modestly above where it started.",
    quote="Trust takes time to develop",
    source=f"{BESTON}, §6.4 Exploring diversity and building trust",
    operationalisation="`beston` over its first 24 weeks (six monthly meetings): the change "
    "in `trust_cross_org` from week 0 to week 24 is above 0 and below 0.1.",
    arms={"beston": Arm("beston", steps=24)},
    test=Bound(Change("trust_cross_org", 0, 24), "beston", low=0.0, high=0.1),
)

declare(
    "trust_lost_fast_rebuilt_slowly",
    claim="Trust in a senior leader collapses after one self-interested act and is rebuilt "
    "slowly, if at all.",
    quote="it had a devastating effect on the morale and credibility of the collaborative venture",
    source=f"{BESTON}, §6.6 Supporting courageous and systemic leadership",
    operationalisation="In `iocn` with a `self_interest_act` in week 156 and no spontaneous "
    "ones (`self_interest_hazard` 0, so that the actor followed is the one who acted then), "
    "members' mean trust "
    "in the actor (`trust_in_actor`, against `trust_in_actor_before`): falling 0.2 below its "
    "level before the act takes at most 2 weeks in most runs, climbing 0.2 above its low "
    "point takes at least 26 weeks (censored at the end) in most runs, and run by run "
    "rebuilding takes longer than falling.",
    arms={"act": iocn_arm(self_interest_hazard=0.0, **event_at(156, "self_interest_act"))},
    test=AllOf(
        Sign(m.TRUST_ASYMMETRY, "act", direction="positive"),
        Share(AtMost(m.TRUST_FALL_WEEKS, 2), "act"),
        Share(m.TRUST_REBUILT_SLOWLY, "act"),
    ),
)

declare(
    "self_interest_devastates_the_venture",
    claim="A leader's self-interested act devastates the morale and credibility of the whole "
    "venture, not only trust in the leader.",
    quote="a devastating effect on the morale and credibility of the collaborative venture",
    source=f"{BESTON}, §6.6 Supporting courageous and systemic leadership",
    operationalisation="`iocn` against `iocn` with a `self_interest_act` in week 52: members' "
    "mean commitment a month later (week 56) and the share of weeks alive are both higher "
    "without the act.",
    arms={"none": iocn_arm(), "act": iocn_arm(**event_at(52, "self_interest_act"))},
    test=AllOf(
        Greater(AtWeek("commitment_mean", 56), "none", "act"), Greater(SURVIVAL, "none", "act")
    ),
    limitation="Direction as the seed says, but not significant at p < 0.01 in its second part: "
    "a month after the act members are clearly less committed (0.461 against 0.622 without it "
    "over the full validation's 40 seeds, p = 9.1e-13; 0.463 against 0.625 over the quick "
    "validation's 30), and the network is alive for fewer of its five years, but not clearly "
    "(0.872 of the weeks against 0.914, p = 0.14; 0.869 against 0.919, p = 0.063). The act is "
    "a blow to every member's hope; whether the network dies of it turns on whether the lost "
    "commitment tips organisations into withdrawing, each when its chief stays below "
    f"`tops_commitment_floor` ({default('tops_commitment_floor')}; ODD §10 item 45). On 400 "
    "other seeds an arm the actor's own organisation withdrew after the act in 225 runs against "
    "212 without it (at a median week of 117 against 141), and the network sustained five years "
    "in 50% of runs against 54.5%: most networks last, or dissolve, whether or not the act "
    "happens, so a loss of about four points of the weeks alive, among runs that differ by far "
    "more, needs more than 40 seeds to resolve."
    + on_many_seeds(0.158, 4.7e-11, True, parts=True)
    + across_rates(1),
)

declare(
    "relationships_reach_the_top_tier_last",
    claim="Relationships change across the frontline before they reach the top tier.",
    quote="relationships and attitude to people have changed very significantly. And whether "
    "that translates to the top tier so-to-speak, I'm not sure",
    source=f"{IOCN}, Challenges and contradictions of relationships within network (R2)",
    operationalisation="In `iocn`, the rise in trust between senior leaders and frontline "
    "staff over two years (`trust_tops_bottoms`) is smaller than the rise in trust across "
    "organisations (`trust_cross_org`), run by run.",
    arms={"iocn": iocn_arm(104)},
    test=Sign(m.TOP_TIER_LAG, "iocn", direction="negative"),
)

declare(
    "health_social_split_persists",
    claim="The split between health and social care is acknowledged but entrenched.",
    quote="The split in the senior leadership team is acknowledged but entrenched",
    source=f"{BESTON}, §6.4 Exploring diversity and building trust",
    operationalisation="In `iocn`, the gap between trust across organisations and trust across "
    "the health / social care divide at the end is typically at least half the gap at the "
    "start.",
    arms={"iocn": iocn_arm()},
    test=Bound(m.DIVIDE_KEPT, "iocn", low=0.5),
)
