"""Commitment as learned hope (M12); aspiration and pressure; self-interested acts (M13).

Commitment is each person's expectation that working together pays off, learned from
what they live through (Rescorla & Wagner 1972): every experience moves it a share of
the way towards the experience's value, 1 for a small win seen, 0 for a setback, and
how worthwhile it was for a meeting::

    c <- c + w * (value - c)

A network's meetings are its occasions: each one is an experience for every member,
worth how well it went to those who came, nothing to those the day job kept away, and a
little less to everyone for any shortfall against what is expected of the network.
Between meetings only what happens moves commitment (wins, blocks, failures, a leader's
self-interest); calendar weeks with nothing happening do not. So commitment settles
where the mix of experiences puts it: it reflects how often things go well, not how many
people there are to see them go well, nor how many weeks pass between meetings. Hope is
intensive: a person sees their own wins, their improvement team's, and news passed on to
them, never every win in the network.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms.draws import below, chance
from collabsim.mechanisms.posts import senior_posts
from collabsim.mechanisms.roles import TOP
from collabsim.mechanisms.trust import signal
from collabsim.mechanisms.trust_store import damage_reputation, unpacked

#: A shortfall against aspiration (quality gain per year) as frustrating as a setback.
FRUSTRATING_SHORTFALL = 0.2
#: Weeks over which frustration averages strain (a quarter).
QUARTER = 13
#: Weeks of work a meeting's update on actions is judged by (a month).
MONTH = 4


class CommitmentRates(NamedTuple):
    """How far each kind of experience moves commitment (M12, M13)."""

    small_win_boost: float
    big_bang_win_weight: float
    meeting_energy: float
    progress_update: float
    block_cost: float
    big_bang_failure_cost: float
    morale_hit: float
    pressure_sensitivity: float
    commitment_decay: float
    self_interest_hazard: float  # weekly chance a disheartened, territorial top acts (M13)
    reputation_damage: float  # rise in a self-interested actor's reputation damage (M13)


@jit
def experience(people, i, value, weight):
    """M12: person i's commitment after one experience of ``value`` (0-1).

    Commitment closes a share ``weight`` of the gap to the value (Rescorla & Wagner 1972);
    the convener, committed by design, is not moved. The central leader, steady in post,
    learns hope from what the network lives through like anyone else: their drive passes
    on their own hope (``leader_drive``), not a fixed one.

    Evidence: "they just needed to see small improvements in the lives of their patients,
    which ignites their hope that working together could be far more productive"
    (Kennedy et al. 2019).
    """
    if not people.steady[i] or people.role[i] == TOP:  # the steady top: the central leader
        people.commitment[i] += min(1.0, weight) * (value - people.commitment[i])


@jit
def see_win(people, i, weight):
    """Person i sees a small win: hope rises, and the week counts as one with a win."""
    experience(people, i, 1.0, weight)
    people.won[i] = True


@jit
def suffer_setback(people, i, weight, hope_at_stake):
    """Person i suffers a setback (a block, a failed redesign, a leader's self-interest).

    It strains them (the week counts as one with a setback) wherever it happens, but it
    wears their hope that working together pays off only while a network is working
    (``hope_at_stake``), as a win builds that hope only then: in silos there is no
    venture to lose hope in (7.14).
    """
    if hope_at_stake:
        experience(people, i, 0.0, weight)
    people.setback[i] = True


@jit
def aspiration_after(aspiration, performance, pressure, memory):
    """M12: a pathway's aspiration after one week (Lant 1992).

    ``A <- a·A + (1 - a)·(P + pressure)``: aspiration follows the pathway's recent
    performance P (its improvement in quality net of the environment's shifts, per year,
    over the last quarter: the network's own work, ODD §10 item 40) plus the improvement
    outside pressure demands beyond it. The shortfall ``max(0, A - P)`` is what wears
    people down (``review_pace``).

    Evidence: "a shared sense of frustration with the pace of impact"; "demands for
    instant improvements and financial success" (Mervyn et al. 2019).
    Anchor: Lant (1992), aspiration level adaptation.

    Args:
        aspiration: The pathway's current aspiration (quality gain per year).
        performance: Its recent performance (quality gain per year).
        pressure: Outside pressure after any shielding (quality gain per year).
        memory: a, weekly persistence of aspiration.
    """
    return memory * aspiration + (1.0 - memory) * (performance + pressure)


@jit
def review_pace(pathways, week, pressure, memory):
    """M12: each pathway's pace reviewed against what is expected of it.

    Each pathway's performance is its improvement over the last quarter, net of the
    environment's shifts, per year and relative to where it started; its aspiration
    follows that performance plus outside pressure (``aspiration_after``), and its
    shortfall is ``max(0, A - P)``. The network's frustration with the pace is how
    frustrating its pathways' shortfalls are, on average: a pathway that lags is not
    made good by another that leaps, as people keep the accounts of separate areas of work
    apart (narrow bracketing). So how frustrating the pace is does not depend on how many
    pathways the network has: one pathway's quality moves in lumps, and the average of
    ten moves smoothly, but the average of ten pathways' frustrations is as large as one's.

    Evidence: "an update on actions in the whole group ... followed by an in-depth focus on
    two or three key areas, in smaller groups" (Kennedy et al. 2019); "a shared sense of
    frustration with the pace of impact" (Mervyn et al. 2019). Anchor: Read, Loewenstein
    & Rabin (1999), choice bracketing.

    Returns:
        The pathways' mean aspiration, mean shortfall and mean strain (``shortfall_strain``).
    """
    slot, n = week % QUARTER, pathways.fitness.shape[0]
    aspiration = shortfall = strain = 0.0
    for p in range(n):
        net = pathways.fitness[p] - pathways.environment_shift[p]
        performance = (net - pathways.net_history[slot, p]) / pathways.initial_fitness[p]
        performance *= 52 / QUARTER
        pathways.net_history[slot, p] = net
        a = aspiration_after(pathways.aspiration[p], performance, pressure, memory)
        pathways.aspiration[p] = a
        gap = max(0.0, a - performance)
        aspiration += a
        shortfall += gap
        strain += shortfall_strain(gap)
    return aspiration / n, shortfall / n, strain / n


@jit
def shielded_pressure(results_pressure, central_leader_strength, shield):
    """Outside pressure that reaches the network past the central leader.

    Evidence: courageous leaders "were willing to take the risk to challenge the targets
    imposed on them by government" (Kennedy et al. 2019).

    Args:
        results_pressure: Pressure from outside (quality gain per year).
        central_leader_strength: 0 when there is no central leader.
        shield: Share of pressure a full-strength leader absorbs.
    """
    return results_pressure * (1.0 - central_leader_strength * shield)


@jit
def shortfall_strain(shortfall):
    """How frustrating a shortfall against aspiration is, 0-1 (1 at ``FRUSTRATING_SHORTFALL``)."""
    return min(1.0, shortfall / FRUSTRATING_SHORTFALL)


@jit
def week_passes(people, involved, strain_of_pace):
    """M12: frustration follows the week's strain; setbacks, wins and inspiration fade.

    Frustration is a quarter-long average of weekly strain: 1 in a week with a setback,
    0 in a week with a win seen, otherwise how frustrating the pace is (``review_pace``).
    Setbacks and wins are then cleared and inspiration fades.
    Commitment itself moves only with experiences (``experience``).

    Evidence: "a shared sense of frustration with the pace of impact" (Mervyn et al.
    2019); "hopelessness and disaffection" (Kennedy et al. 2019).

    Args:
        people: Person arrays (updated: frustration, inspiration, setback, won).
        involved: Who is updated: the network's members, or everyone in post in silos.
        strain_of_pace: How frustrating the pathways' shortfalls against aspiration are,
            0-1 (``review_pace``; 0 without a network).
    """
    for i in range(people.active.shape[0]):
        if not involved[i] or people.steady[i]:
            continue
        if people.setback[i]:
            strain = 1.0
        elif people.won[i]:
            strain = 0.0  # a win this week: no frustration with the pace
        else:
            strain = strain_of_pace
        people.frustration[i] += (strain - people.frustration[i]) / QUARTER
        people.setback[i] = False
        people.won[i] = False
        people.inspiration[i] *= 0.9


@jit
def progress_reported(actions_since_meeting, weeks_since_meeting, taken_on):
    """M12: what a meeting's update on actions says of each pathway, 0-1.

    Whether each pathway's people carried out the actions they took on for a month, on
    the record since the last meeting: each pathway counts its small tests studied
    (whatever they showed) and redesigns adopted per ``MONTH`` weeks, against what its
    people took on (``actions_taken_on``), up to one. So small tests give a meeting
    something to report every month, where a redesign gives nothing for half a year or
    more. A rate over the calendar, so a network meeting quarterly does not report three
    times the progress of one meeting monthly; against what was taken on, so a pathway
    team half again as large is not reported done on a full team's month of actions.

    Evidence: "Each meeting began with a short recap, using a visual plan which was
    pinned on the wall, and an update on actions in the whole group"; "actions agreed at
    the meeting were not always being carried out between meetings" (Kennedy et al. 2019).

    Args:
        actions_since_meeting: Actions carried out on each pathway since the last meeting.
        weeks_since_meeting: Weeks since the last meeting (at least 1).
        taken_on: Actions a month each pathway's people took on (``actions_taken_on``).

    Returns:
        What the update reports of each pathway (an array, one value per pathway).
    """
    per_month = actions_since_meeting * MONTH / max(1, weeks_since_meeting)
    return np.minimum(1.0, per_month / taken_on)


def actions_taken_on(n_people, n_pathways, pathway_team_size):
    """Actions a month a pathway's people take on at a meeting: one per full team.

    In proportion to the pathway's people: one for ``pathway_team_size`` people, a
    quarter for a group of 25 working on one issue, one and a half for 150 on one
    pathway (``initialisation.pathway_count``).
    """
    return n_people / n_pathways / pathway_team_size


@jit
def credibility(world):
    """M13: how far members believe what the venture reports of itself, 0-1.

    One less the reputation damage of the least credible senior leader still in the
    network: a leader who put themselves before the collaboration discredits the venture
    they lead for as long as they stay in it, not only themselves. It is 1 in a network
    none of whose leaders has acted in self-interest, and it comes back when the actor
    leaves. What the update on actions reports is believed only as far as the venture
    is credible (``meeting_experiences``): progress reported by a discredited venture
    heartens less, and its empty updates dishearten as much.

    Evidence: "One leader sought a pay rise whilst arguing that he did not have the
    finance to set up permanent collaborative roles ... it had a devastating effect on
    the morale and credibility of the collaborative venture"; trust is being "confident
    that the other is committed to the same end; and will put that end before their own
    organizational or individual interests" (Kennedy et al. 2019).
    """
    people, damage = world.people, unpacked(world.trust).damage
    worst = 0.0
    for j in range(people.active.shape[0]):
        if people.active[j] and people.role[j] == TOP:
            worst = max(worst, damage[j])
    return 1.0 - worst


@jit
def meeting_experiences(world, settings, strain, progress):
    """M12: a meeting is an experience for every member of the network.

    Those who came move towards how worthwhile it was, ``(1 + v) / 2`` (weight
    ``meeting_energy``), and, from the second meeting on, hear the update on actions
    (``progress`` is None at the first: no action had been taken on yet, so there is
    nothing to report, good or bad): each moves towards what it reports of their own
    pathway as far as they believe it (``progress_reported`` times the venture's
    ``credibility``, weight ``progress_update``; tops and the convener, who serve every
    pathway, towards its mean over pathways), so a run of small successes builds a
    conviction that the network works, and a run of meetings with nothing to report
    wears it. What a person takes from the update is
    their own pathway team's record, as they take their own and their team's wins: so
    members of a network of ten pathways are not heartened by an average that is seldom
    empty while those of a single pathway hear their own record, often empty; how
    hopeful people are does not depend on how many pathways the network has. Those the
    day job kept away move towards 0 (weight ``commitment_decay``); and everyone towards
    0 for the shortfall against what is expected of the network's pathways (weight
    ``pressure_sensitivity`` times how frustrating their shortfalls are, ``review_pace``),
    felt when its progress is reviewed.

    Evidence: "I feel really energized, the openness has been really encouraging";
    "Each meeting began with a short recap ... and an update on actions in the whole
    group ... This was followed by an in-depth focus on two or three key areas, in
    smaller groups"; "These small practical experiments in doing things differently
    began to add up to a conviction that maybe things could be better"; "Some
    practitioners had competing priorities and were not able to give the work the
    attention they wanted to" (Kennedy et al. 2019); "This requires a willingness to do
    over-and-above their day jobs"; "a shared sense of frustration with the pace of
    impact" (Mervyn et al. 2019).

    Args:
        world: The run's state (commitment updated; who came, ``attended_last``,
            ``meeting_value`` and pathway read).
        settings: The run's settings (``commitment``: ``CommitmentRates``).
        strain: How frustrating the pathways' shortfalls against aspiration are, 0-1
            (``review_pace``).
        progress: What the update on actions reports of each pathway, 0-1
            (``progress_reported``), or None when the meeting hears no update.
    """
    people, rates = world.people, settings.commitment
    came = people.attended_last
    whole = progress.mean() if progress is not None else 0.0
    believed = credibility(world)
    for i in range(people.active.shape[0]):
        if not people.active[i]:
            continue
        if came[i]:
            experience(people, i, 0.5 * (1.0 + people.meeting_value[i]), rates.meeting_energy)
            if progress is not None:
                heard = progress[people.pathway[i]] if people.pathway[i] >= 0 else whole
                experience(people, i, heard * believed, rates.progress_update)
        else:
            experience(people, i, 0.0, rates.commitment_decay)
        experience(people, i, 0.0, rates.pressure_sensitivity * strain)


@jit
def leader_drive(people, came, leader, weight):
    """M12: the central leader's drive moves those who came towards the leader's own hope.

    Each attendee's commitment closes a share ``weight`` of the gap to the leader's (who
    came too). The leader's hope is learned like anyone's, so a leader heartened by the
    network's progress lifts the room, and one worn down by it takes the room down with
    them: a network's fate then hangs partly on the one person holding its centre.

    Evidence: "Having someone like [University Lead] drive and enthusiasm is very
    important"; "a strong and energetic and strategic leader that could hold the centre"
    (Mervyn et al. 2019).

    Args:
        people: Person arrays (commitment updated).
        came: Whether each person came to this meeting.
        leader: The central leader (who came).
        weight: ``central_leader_strength`` x ``leader_drive``.
    """
    hope = people.commitment[leader]
    for i in range(people.active.shape[0]):
        if came[i] and people.active[i] and i != leader:
            experience(people, i, hope, weight)


@jit
def self_interest_act(world, settings, actor, network_on):
    """M13: a top acts in self-interest; every other member hears of it.

    Every other active member receives a strong negative signal about the actor (M1, so
    those who depend on them lose most), the actor's reputation damage lowers the ceiling
    trust in them can ever recover to, and the venture's morale and credibility suffer:
    every other member's hope that working together pays off takes a setback of weight
    ``morale_hit`` (while the network works; outside it, only their strain), and while the
    actor stays in the network the progress the update on actions reports is believed
    less (``credibility``).

    Evidence: "One leader sought a pay rise whilst arguing that he did not have the
    finance to set up permanent collaborative roles ... it had a devastating effect on
    the morale and credibility of the collaborative venture" (Kennedy et al. 2019).

    Args:
        world: The run's state (trust, commitment, news and setbacks updated).
        settings: The run's settings (``commitment``: ``CommitmentRates``; ``trust``).
        actor: The top who acts.
        network_on: Whether a network is working (its members' hope is at stake).
    """
    store, people, rates = unpacked(world.trust), world.people, settings.commitment
    damage_reputation(store, actor, rates.reputation_damage)
    for i in range(people.active.shape[0]):
        if i == actor or not people.active[i]:
            continue
        signal(store, i, actor, -1.0, people.power, settings.trust)
        people.news[i] = actor
        suffer_setback(people, i, rates.morale_hit, network_on)


@jit
def spontaneous_self_interest(world, settings, week):
    """M13: which top, if any, acts in self-interest this week.

    A top may act when territorial and disheartened (territoriality above 0.5, commitment
    below 0.3) and has not acted in the past year. The act the field study describes is a
    leader's on behalf of an organisation ("One leader sought a pay rise whilst arguing that
    he did not have the finance to set up permanent collaborative roles", Kennedy et al.
    2019): so each week one of each organisation's senior posts, drawn at random, speaks for
    it, and if its holder may act they do so with chance ``self_interest_hazard``. How many
    senior posts an organisation has grows with the network's size, so a chance for each
    top (before ODD §10 item 39), or for each organisation with any top who may act (before
    §10 item 42), made acts more frequent in larger networks: the act is a matter of how
    many of an organisation's leaders are disheartened, not of how many it has.

    Args:
        world: The run's state.
        settings: The run's settings (``commitment``: ``CommitmentRates``).
        week: Current week.

    Returns:
        The index of the acting top, or -1.
    """
    stream, people, org_start, tops = world.stream, world.people, world.org_start, world.top_posts
    hazard = settings.commitment.self_interest_hazard
    n_orgs = org_start.shape[0] - 1
    first = below(stream, n_orgs)  # no organisation is first in line every week
    for m in range(n_orgs):
        k = (first + m) % n_orgs
        first_top, last_top = senior_posts(tops, org_start, k)
        if last_top == first_top:
            continue
        leader = tops[first_top + below(stream, last_top - first_top)]  # speaks for it this week
        if _may_act(people, leader, week) and chance(stream, hazard):
            return leader
    return -1


@jit
def _may_act(people, i, week):
    """Whether top i is territorial, disheartened, in the network and has not acted for a year."""
    return (
        people.active[i]
        and week - people.last_act[i] >= 52
        and people.territoriality[i] > 0.5
        and people.commitment[i] < 0.3
    )
