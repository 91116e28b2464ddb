"""Claims of the field studies the model cannot express, with the reason."""

from __future__ import annotations

from collabsim.validation.catalogue.declare import BESTON, IOCN, declare

# --- claims the model cannot express ------------------------------------------------------------

declare(
    "newcomers_get_up_to_speed",
    claim="A network helps newcomers to a city get up to speed with its system and people.",
    quote="This helped them to get up to speed with immediate knowledge and understanding of "
    "the key issues",
    source=f"{IOCN}, Learning: an essential mechanism for development",
    operationalisation="Would compare how fast newcomers' trust and knowledge grow with and "
    "without a network.",
    arms={},
    test=None,
    reason="Newcomers in the model bring only prior trust; it represents no knowledge of the "
    "local system to acquire, and it reports trust by kind of pair, not by cohort of "
    "newcomers.",
)

declare(
    "structures_before_relationships_fail",
    claim="New structures created before purpose and relationships impede collaboration.",
    quote="New structures bridging organizations were often created, before purpose and "
    "working practices had been explored",
    source=f"{BESTON}, §6.5 Designing purposeful structural change",
    operationalisation="Would compare networks that build structures early with ones that "
    "build relationships first.",
    arms={},
    test=None,
    reason="The model has no formal structures (joint roles, boards, shared IT) to create or "
    "to time; its network is people, meetings, decisions and pathways.",
)

declare(
    "imposed_plans_feel_meaningless",
    claim="Plans written for people rather than with them feel meaningless to those on the ground.",
    quote="We saw several plans written by consultants or managers, which felt at best meaningless",
    source=f"{BESTON}, §6.2 Defining a shared purpose",
    operationalisation="Would compare a purpose imposed from above with one defined together.",
    arms={},
    test=None,
    reason="The shared narrative is a position on one dimension that moves through "
    "conversations and the central leader's pull; the model has no written plans and no "
    "notion of who authored the purpose.",
)

declare(
    "stories_of_real_people_create_urgency",
    claim="Starting from the stories of people using services creates urgency and "
    "accountability to a shared purpose.",
    quote="we started the process by focusing on 4 case studies of older 'housebound' people",
    source=f"{BESTON}, §6.3 Developing accountability to a shared purpose",
    operationalisation="Would compare meetings that start from service users' stories with "
    "ones that do not.",
    arms={},
    test=None,
    reason="Service users, their stories and accountability to them are not represented; "
    "meetings differ only in who attends, how they are seated and whether they are "
    "facilitated.",
)

declare(
    "collusion_in_avoiding_conflict",
    claim="Groups that assume relationships are already built avoid the conflict that "
    "meaningful change needs.",
    quote="The first is the assumption that they are already built",
    source=f"{BESTON}, §6.4 Exploring diversity and building trust",
    operationalisation="Would compare groups that confront difference with groups that avoid it.",
    arms={},
    test=None,
    reason="Encounters go well or badly; the model does not represent conflict that is "
    "avoided rather than had, nor what confronting it would change.",
)
