"""Parameters: commitment, aspiration and self-interest (M12, M13)."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "commitment"

declare(
    "initial_commitment",
    "float",
    0.55,
    "Mean commitment at the start.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"At Beston's first meeting 'What they had in common was a clear intention to "
    "work together better', while 'The GPs ... were still skeptical' and getting started "
    f"meant 'suspending disbelief' ({BESTON}).",
)
declare(
    "aspiration_memory",
    "float",
    0.95,
    "Weekly persistence of each pathway's aspiration.",
    unit="per week",
    low=0.5,
    high=0.999,
    group=GROUP,
    symbol="a",
    evidence="Adaptive aspirations (Lant 1992).",
)
declare(
    "small_win_boost",
    "float",
    0.151,
    "How far seeing a small win (one's own, an improvement team-mate's, or news of one) "
    "moves commitment towards full commitment.",
    unit="share of gap per win",
    low=0.0,
    high=0.5,
    group=GROUP,
    symbol="η_w",
    evidence=f"'they just needed to see small improvements ... which ignites their hope' "
    f"({BESTON}).",
)
declare(
    "big_bang_win_weight",
    "float",
    4.18,
    "How many small wins a successful big bang is worth to those who see it.",
    unit="wins",
    low=1.0,
    high=10.0,
    group=GROUP,
    evidence="Assumption: a redesign that works is visible but rare.",
)
declare(
    "progress_update",
    "float",
    0.11,
    "How far the update on actions at each meeting moves those who came towards what it "
    "reports of their own pathway: the actions carried out (small tests studied, redesigns "
    "adopted) per month since the last meeting, against what its people took on (at "
    "most 1; tops and the convener hear the mean over pathways).",
    unit="share of gap per meeting",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'Each meeting began with a short recap ... and an update on actions in the "
    f"whole group'; 'These small practical experiments in doing things differently began "
    f"to add up to a conviction that maybe things could be better' ({BESTON}).",
)
declare(
    "pressure_sensitivity",
    "float",
    0.0782,
    "Share of commitment lost at each meeting when the shortfall against aspiration is at "
    "its most frustrating (0.2 of quality a year or more).",
    unit="share per meeting",
    low=0.0,
    high=0.5,
    group=GROUP,
    symbol="η_f",
    evidence=f"'a shared sense of frustration with the pace of impact' ({IOCN}).",
)
declare(
    "commitment_decay",
    "float",
    0.0865,
    "Share of commitment lost at each network meeting the day job keeps one from.",
    unit="share per missed meeting",
    low=0.0,
    high=0.5,
    group=GROUP,
    symbol="δ",
    evidence=f"'This requires a willingness to do over-and-above their day jobs' ({IOCN}); "
    f"'Some practitioners had competing priorities' ({BESTON}).",
)
declare(
    "meeting_energy",
    "float",
    0.214,
    "How far a meeting moves commitment towards how worthwhile it was.",
    unit="share of gap per meeting",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'I feel really energized, the openness has been really encouraging' ({BESTON}).",
)
declare(
    "block_cost",
    "float",
    0.124,
    "Share of a proposer's commitment lost when a top blocks their change while the network works.",
    unit="share per block",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'A lack of support permeated to unease and despondency amongst otherwise "
    f"innovative and keen local leaders' ({IOCN}).",
)
declare(
    "big_bang_failure_cost",
    "float",
    0.1,
    "Share of commitment everyone on the pathway loses when a big-bang redesign fails "
    "while the network works.",
    unit="share per failure",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence=f"'people are going to want to run before they can walk' ({IOCN}).",
)
declare(
    "central_leader_shield",
    "float",
    0.8,
    "Share of outside pressure a full-strength central leader absorbs.",
    unit="share",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'leaders at the top who were willing to take the risk to challenge the "
    f"targets imposed on them' ({BESTON}).",
)
declare(
    "self_interest_hazard",
    "float",
    0.002,
    "Weekly chance, for each organisation with a territorial, disheartened top, that one of "
    "them acts in self-interest.",
    unit="per organisation per week",
    low=0.0,
    high=0.05,
    group=GROUP,
    evidence=f"'One leader sought a pay rise whilst arguing that he did not have the "
    f"finance' ({BESTON}).",
)
declare(
    "reputation_damage",
    "float",
    0.3,
    "How far a self-interested act lowers the ceiling that trust in the actor can recover to.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'a devastating effect on the morale and credibility' ({BESTON}).",
)
declare(
    "morale_hit",
    "float",
    0.3,
    "Share of commitment every other member loses on learning of a self-interested act "
    "while the network works.",
    unit="share per act",
    low=0.0,
    high=0.9,
    group=GROUP,
    evidence=f"'a devastating effect on the morale and credibility of the collaborative "
    f"venture' ({BESTON}).",
)
declare(
    "budget_cut_rate",
    "float",
    1.39,
    "Budget cuts a year, on average (a chance of a fifty-second of it each week): each a "
    "budget_cut across every organisation, in weeks drawn from the run's seed alone.",
    unit="cuts per year",
    low=0.0,
    high=12.0,
    group=GROUP,
    evidence=f"The city's health systems 'must continue to respond to urgent financial and "
    f"demand pressures' ({IOCN}); 'All difficulties were blamed on budget cuts and poor "
    f"leadership'; services 'will need to be rationed in some way' ({BESTON}).",
)
declare(
    "budget_cut_severity",
    "float",
    0.094,
    "Rise in tops' territoriality and everyone's workload from a budget cut, for good.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'when their organizations were competing for scarce resources' ({BESTON}).",
)
