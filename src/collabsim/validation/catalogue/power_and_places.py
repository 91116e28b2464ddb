"""Power and turf, place-based and issue-based networks, the Beston collaborative."""

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
    Greater,
    Mean,
    Share,
    Sign,
    Summary,
)

# --- power and turf ----------------------------------------------------------------------------

declare(
    "the_powerful_are_reluctant",
    claim="Those with the most power are the most reluctant to collaborate; those with the "
    "least have little to lose.",
    quote="Those with the most power, were often the most reluctant to collaborate, because it "
    "meant sharing it",
    source=f"{BESTON}, §6.1 Suspending disbelief",
    operationalisation="In `iocn`, within each run, formal power and the share of meetings "
    "attended are negatively rank-correlated across the people in post throughout "
    "(`power_participation` < 0).",
    arms={"iocn": iocn_arm()},
    test=Sign(Summary("power_participation"), "iocn", direction="negative"),
)

declare(
    "power_imbalance_slows_progress",
    claim="A deep power imbalance between health and social care makes progress slow and "
    "frustrating.",
    quote="there is a deep-rooted power imbalance between the two main parties, health and "
    "social care",
    source=f"{BESTON}, §6.4 Exploring diversity and building trust",
    operationalisation="`iocn` with `power_imbalance` 0 against 0.8: more changes are adopted "
    "while the network is alive without the imbalance, and members' mean frustration over the "
    "run is higher with it.",
    arms={"balanced": iocn_arm(power_imbalance=0.0), "imbalanced": iocn_arm(power_imbalance=0.8)},
    test=AllOf(
        Greater(m.ADOPTED_WHILE_ALIVE, "balanced", "imbalanced"),
        Greater(Mean("frustration", 1, 260), "imbalanced", "balanced"),
    ),
    limitation="Not met over the validation's seeds: fewer changes are adopted with the "
    "imbalance, but not clearly at p < 0.01 (63.1 against 68.8 balanced over the full "
    "validation's 40 seeds, p = 0.025; 63.5 against 68.8 over the quick validation's 30, p = "
    "0.078), and members are no more frustrated (0.379 against 0.389 balanced, p = 0.52; 0.382 "
    "against 0.393, p = 0.46). On 400 seeds an arm fewer changes are adopted with the imbalance, "
    "as the seed says (61.7 against 64.2, p = 7.6e-05), but members are no more frustrated "
    "(0.372 against 0.376 balanced, p = 0.72). Frustration is the shortfall against an "
    "aspiration that follows what the network achieves, so a network that achieves less also "
    "expects less; the model has no frustration with unequal treatment itself. Prior distrust "
    "across the divide deepened with the imbalance was tried and gave no effect either "
    "(`docs/odd.md` §9, (f)), nor did the imbalance entrenching a split in purpose between the "
    "two parties' senior leaders (§9, (n))."
    + on_many_seeds(2.46, 0.72, False, parts=True)
    + across_rates(0),
)

declare(
    "resistant_members_leaving_frees_progress",
    claim="Once those most resistant to change move on, power is used more constructively.",
    quote="those most resistant to change have moved on, managers have begun exercising their "
    "power in more constructive ways",
    source=f"{BESTON}, §6.4 Exploring diversity and building trust",
    operationalisation="A partnership group the size of the study's (`beston` kept facilitated "
    "for its year: no `partner_withdraws`) with two `resistant_member_leaves` events in week "
    "12 against none: the share of requests blocked in weeks 12-52 is lower once they have "
    "left.",
    arms={
        "stayed": Arm("beston", {"events": []}),
        "left": Arm("beston", event_at(12, "resistant_member_leaves", 2)),
    },
    test=Greater(m.block_rate(12, 52), "stayed", "left"),
    seeds=60,
    limitation="Model limitation: once the two most resistant members have left, no fewer "
    "requests are blocked, clearly (0.478 of decisions in weeks 12-52 against 0.485 where they "
    "stayed over the 56 of the full validation's 60 seeds in which the group decided any, p = "
    "0.48; 0.436 against 0.462 over 29 of the quick validation's 30, p = 0.26; 0.499 against "
    "0.492 on 400 seeds an arm). Resistance (power x territoriality x distance from the "
    "purpose) is mostly the post's: the two who leave are mostly the group's senior leaders "
    "(0.915 of the leavers, measured on 200 seeds of the arm), and their successors, drawn for "
    f"the same posts (`resistance_spread` = {default('resistance_spread')}) with views that start "
    "far from the purpose, are nearly as resistant (0.144 on average against the leavers' "
    "0.156). The group also decides only a few requests in weeks 12-52 (2.3 on average on those "
    "200 seeds, none in 20 of them), so the share blocked is a share of a handful. The seed's "
    "successors came in 'exercising their power in more constructive ways'; the model's are "
    "ordinary holders of the same posts. Choosing the leavers by their own resistance instead "
    "takes members who do not decide, and blocks were unchanged too (`docs/odd.md` §9, (h)); so "
    "they were with successors starting at the members' view of the purpose rather than their "
    "organisation's (§9, (aa)). "
    "No change in the successors alone could pass it on this pattern's seeds: the group has "
    "eleven senior leaders, one in each organisation, who make every decision, so the two who "
    "leave decide only the requests to their own organisations. Measured on a copy of the "
    "model in which the two successors grant every request they decide, blocks in weeks 12-52 "
    "fall from 0.503 where the resistant stayed to 0.409 over seeds 0-59 (p = 0.12), and from "
    "0.494 to 0.406 over seeds 0-399 (p = 0.0007); successors who take on their stance "
    "towards their organisation's territory only over months moved it less (§9, (af)). The "
    "seed's managers who use their power more constructively are those who stayed, and "
    "nothing in the model ties how they decide to who left."
    + on_many_seeds(-0.00711, 0.85, False)
    + across_rates(0),
)

declare(
    "scarce_resources_harden_turf",
    claim="Competing for scarce resources makes organisations guard their territory.",
    quote="particularly when their own specialism was under threat and when their "
    "organizations were competing for scarce resources",
    source=f"{BESTON}, §6.4 Exploring diversity and building trust",
    operationalisation="`iocn` with a `budget_cut` in week 52 against `iocn`: the share of "
    "requests blocked in weeks 52-156 is higher after the cut.",
    arms={"cut": iocn_arm(156, **event_at(52, "budget_cut")), "uncut": iocn_arm(156)},
    test=Greater(m.block_rate(52, 156), "cut", "uncut"),
)

# --- place-based and issue-based networks -------------------------------------------------

declare(
    "place_based_outlasts_issue_based",
    claim="Place-based networks that seek system-wide change are more sustainable than "
    "issue-based ones.",
    quote="place-based networks that sought to bring about system-wide change were a more "
    "sustainable entity",
    source=f"{IOCN}, Fundamental differences between a place-based network and an "
    "issues-based network",
    operationalisation="The share of weeks alive is higher in `iocn` than in `clahrc` (which "
    "also differs in size, meeting interval and kind of change). The scenarios differ in "
    "structure, so seeds do not pair them: compared as independent samples.",
    arms={"place_based": iocn_arm(), "issue_based": Arm("clahrc")},
    test=Greater(SURVIVAL, "place_based", "issue_based", paired=False),
    limitation="Direction as the seed says, but not significant at p < 0.01: `iocn` is alive "
    "for more of its five years than `clahrc` (0.914 of the weeks against 0.879 over the full "
    "validation's 40 seeds, p = 0.056; 0.919 against 0.887 over the quick validation's 30, p = "
    "0.16). At these rates the issue-based network also lasts (`clahrc` sustains five years in "
    "75 of 200 runs, `results/iocn_checks/`), which `issue_based_networks_also_last` "
    "asks, and runs of either kind differ so much that two samples of 40, unpaired, do not "
    "resolve the difference the seed reports."
    + on_many_seeds(0.0864, 3.7e-14, True)
    + across_rates(7),
)

declare(
    "issue_based_networks_also_last",
    claim="Issue-based networks are less sustainable, but they too last: both kinds emerged "
    "and worked.",
    quote="IOCN and CLAHRC's seem to have emerged at the right time",
    source=f"{IOCN}, Fundamental differences between a place-based network and an "
    "issues-based network",
    operationalisation="In `clahrc`, the network is still alive after five years in more than "
    "5% of runs.",
    arms={"clahrc": Arm("clahrc")},
    test=Share(m.SUSTAINED, "clahrc", above=0.05),
)

declare(
    "place_based_forms_quickly",
    claim="A place-based network forms quickly: people of one city meet beyond the meetings.",
    quote="This place-based network was able to emerge and form quite quickly",
    source=f"{IOCN}, Fundamental differences between a place-based network and an "
    "issues-based network",
    operationalisation="`iocn` as a place-based against an issue-based network "
    "(`network_type`, all else equal): trust across organisations after one year is higher "
    "in the place-based network.",
    arms={"place": iocn_arm(52), "issue": iocn_arm(52, network_type="issue")},
    test=Greater(AtWeek("trust_cross_org", 52), "place", "issue"),
)

declare(
    "programmes_sustain_the_network",
    claim="Leadership programmes help to set up and sustain the network.",
    quote="The importance of leadership programmes organised by IOCN has helped to both set up "
    "and sustain the network",
    source=f"{IOCN}, Learning: an essential mechanism for development",
    operationalisation="`iocn` with `programme_intensity` 0.5 against 0: the share of weeks "
    "alive is higher with the programmes.",
    arms={
        "programmes": iocn_arm(programme_intensity=0.5),
        "none": iocn_arm(programme_intensity=0.0),
    },
    test=Greater(SURVIVAL, "programmes", "none"),
)

# --- the Beston collaborative -----------------------------------------------------------------

declare(
    "fluid_attendance",
    claim="Attendance is fluid: hardly anyone besides the facilitator attends every meeting, "
    "most attend four or more of six, and each meeting draws fifteen to twenty people.",
    quote="No one (except Jo) attended all six meetings, although most people were present "
    "for at least four out of the six meetings",
    source=f"{BESTON}, §5 Interorganizational working in practice",
    operationalisation="`beston` over its first 24 weeks (six meetings): runs in which 0-1 "
    "people besides the facilitator attend all six (`attended_all_meetings`) are a majority; "
    "typically more than half of those in post throughout attend at least two-thirds of "
    "the meetings (`attended_two_thirds`); people per meeting are typically 14-21 "
    '("Fifteen–twenty people attended each meeting").',
    arms={"beston": Arm("beston", steps=24)},
    test=AllOf(
        Share(AtMost(Summary("attended_all_meetings"), 1), "beston", above=0.5),
        Bound(Summary("attended_two_thirds"), "beston", low=0.5),
        Bound(m.PEOPLE_PER_MEETING, "beston", low=14.0, high=21.0),
    ),
    seeds=60,
)

declare(
    "collaborative_carries_on_smaller",
    claim="After the facilitated meetings end, the collaborative carries on, in smaller "
    "configurations.",
    quote="who have continued to meet and address their common issues in smaller configurations",
    source=f"{BESTON}, §7 Final reflections",
    operationalisation="`beston` over its year (the facilitator withdraws after week 24): the "
    "network is still alive at week 52 in most runs, and fewer people come to its meetings "
    "after the facilitator leaves than before, run by run.",
    arms={"beston": Arm("beston")},
    test=AllOf(
        Share(m.SUSTAINED, "beston"), Sign(m.smaller_after(24), "beston", direction="negative")
    ),
)
