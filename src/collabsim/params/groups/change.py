"""Parameters: change work (M8, M9, M11)."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "change"

declare(
    "proposal_rate",
    "float",
    0.113,
    "Weekly chance that a fully committed, skilled and entitled person proposes a change.",
    unit="per week",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'a million possibilities ... the people in our organisations will' think "
    f"of ({IOCN}).",
)
declare(
    "own_remit_bias",
    "float",
    0.1,
    "Chance a small test targets a practice the proposer's own organisation owns.",
    unit="probability",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'GPs began changing their prescribing practices' ({BESTON}).",
)
declare(
    "big_bang_scope",
    "float",
    0.5,
    "Share of a pathway's practices a big-bang redesign redraws.",
    unit="share",
    low=0.2,
    high=1.0,
    group=GROUP,
    evidence="Long jumps on NK landscapes (Levinthal 1997).",
)
declare(
    "change_duration_scale",
    "float",
    1.0,
    "Multiplier on how long changes take (small tests 4-8 weeks, big bangs 26-52).",
    unit="multiplier",
    low=0.25,
    high=4.0,
    group=GROUP,
    evidence=f"CLAHRCs 'focused specifically on applied research translation through research "
    f"networks', where IOCN 'required a gradual, incremental change' ({IOCN}): the model "
    "reads research translation as larger changes that take longer.",
)
declare(
    "grant_base",
    "float",
    1.1,
    "Baseline tendency of a top to grant a request (log-odds).",
    unit="log-odds",
    low=-4.0,
    high=4.0,
    group=GROUP,
    evidence=f"'if they bring that to me ... it's then my job. I can sort that out' ({IOCN}).",
)
declare(
    "grant_trust",
    "float",
    3.0,
    "How much a top's trust in the proposer helps a grant.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    evidence=f"'it's a trust thing' ({BESTON}).",
)
declare(
    "grant_alignment",
    "float",
    1.5,
    "How much a shared narrative helps a grant.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    evidence=f"'a very clear purpose which is foreground and center' ({BESTON}).",
)
declare(
    "grant_territoriality",
    "float",
    3.0,
    "How much a top's territoriality blocks changes to what their organisation owns.",
    unit="log-odds per unit",
    low=0.0,
    high=10.0,
    group=GROUP,
    evidence=f"'power, politics and turf wars were inherent in collaborative ventures' ({IOCN}).",
)
declare(
    "grant_commitment",
    "float",
    2.0,
    "How much a top's own commitment helps a grant.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=GROUP,
    evidence=f"'issues arose regarding how committed the tops were' ({IOCN}).",
)
declare(
    "cede_power_loss",
    "float",
    0.02,
    "Share of power a top gives up each time they cede territory.",
    unit="share per grant",
    low=0.0,
    high=0.2,
    group=GROUP,
    evidence=f"'Those with the most power ... [collaborating] meant sharing it' ({BESTON}).",
)
declare(
    "cede_capacity_gain",
    "float",
    0.05,
    "How far each grant across organisations builds a senior leader's record of ceding "
    "territory; the network's shared capacity is the tops' mean record.",
    unit="share of gap per grant",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'cede power between organisations ... a key feature in high performing "
    f"collaboratives' ({IOCN}).",
)
declare(
    "word_of_mouth",
    "float",
    3.0,
    "People an adopter tells of a change that worked; each takes it in with a chance equal "
    "to their trust in the adopter.",
    unit="people per adoption",
    low=0.0,
    high=20.0,
    group=GROUP,
    symbol="β",
    evidence=f"'a respiratory physician talking to a cardiac physician' ({IOCN}).",
)
declare(
    "environment_change",
    "float",
    0.0213,
    "Weekly chance that demand or policy shifts what works best for a practice.",
    unit="per practice per week",
    low=0.0,
    high=0.2,
    group=GROUP,
    evidence=f"'city's healthcare systems must continue to respond to urgent financial "
    f"and demand pressures' ({IOCN}); changing landscapes, Levinthal (1997).",
)
declare(
    "unsupported_decay",
    "float",
    0.01,
    "Weekly chance that a network-made change unravels once the network has dissolved.",
    unit="per week",
    low=0.0,
    high=0.2,
    group=GROUP,
    evidence=f"'continue to support these programmes until they are sustainable' ({IOCN}).",
)
