"""Aspiration, impatience and commitment (M12); self-interested acts (M13)."""

from __future__ import annotations

from collabsim.jit import jit
from collabsim.mechanisms.draws import below, chance
from collabsim.mechanisms.trust import TOP, damage_reputation, signal

#: A shortfall against aspiration (quality gain per year) as frustrating as a setback.
FRUSTRATING_SHORTFALL = 0.2


def aspiration_after(aspiration, performance, pressure, memory):
    """M12: the network's aspiration after one week (Lant 1992).

    ``A <- a·A + (1 - a)·(P + pressure)``: aspiration follows recent performance P (the
    improvement in quality, per year, over the last quarter) plus the improvement outside
    pressure demands beyond it. The shortfall ``max(0, A - P)`` is what wears people down.

    Evidence: "a shared sense of frustration with the pace of impact"; "demands for
    instant improvements and financial success" (Mervyn et al. 2019).
    Anchor: Lant (1992), aspiration level adaptation.

    Args:
        aspiration: Current aspiration (quality gain per year).
        performance: Recent performance (quality gain per year).
        pressure: Outside pressure after any shielding (quality gain per year).
        memory: a, weekly persistence of aspiration.
    """
    return memory * aspiration + (1.0 - memory) * (performance + pressure)


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
def weekly_commitment(people, involved, steady, wins, shortfall, small_win_boost,
                      pressure_sensitivity, decay):
    """M12: each member's commitment after a week of wins, shortfall and erosion.

    ``c += η_w·wins - η_f·shortfall - decay``. The day job wears commitment down by a
    steady ``decay`` a week whatever its level, so a network lives only while wins, good
    meetings and news of success outpace it. Non-tops see the wins on their own
    pathway; tops, who work across the city, see the average over pathways. Also updates
    frustration, a quarter-long average of weekly strain: 1 in a week with a setback (a
    block, a failed redesign, a self-interested act), 0 in a week with a win, otherwise
    the shortfall relative to ``FRUSTRATING_SHORTFALL``; and lets inspiration fade.

    Evidence: "For practitioners to commit themselves they just needed to see small
    improvements in the lives of their patients, which ignites their hope"
    (Kennedy et al. 2019); "a shared sense of frustration with the pace of impact"
    (Mervyn et al. 2019).

    Args:
        people: Person arrays (updated: commitment, frustration, inspiration, setback).
        involved: Who is updated: the network's members, or everyone in post in silos.
        steady: People whose commitment is held (convener, central leader).
        wins: Wins this week per pathway.
        shortfall: Aspiration minus performance, floored at 0.
        small_win_boost: η_w.
        pressure_sensitivity: η_f.
        decay: Weekly erosion.
    """
    mean_wins = wins.mean()
    for i in range(people.active.shape[0]):
        if not involved[i] or steady[i]:
            continue
        seen = mean_wins if people.pathway[i] < 0 else wins[people.pathway[i]]
        c = people.commitment[i] + small_win_boost * seen - pressure_sensitivity * shortfall - decay
        people.commitment[i] = min(1.0, max(0.0, c))
        if people.setback[i]:
            strain = 1.0
        elif seen > 0.0:
            strain = 0.0  # a win this week: no frustration with the pace
        else:
            strain = min(1.0, shortfall / FRUSTRATING_SHORTFALL)
        people.frustration[i] += (strain - people.frustration[i]) / 13.0
        people.setback[i] = False
        people.inspiration[i] *= 0.9


@jit
def meeting_energy(attendees, meeting_value, steady, commitment, energy):
    """A meeting worth coming to energises; one that goes badly drains (``c += energy·v``).

    Evidence: "I feel really energized, the openness has been really encouraging"
    (Kennedy et al. 2019).
    """
    for i in attendees:
        if not steady[i]:
            commitment[i] = min(1.0, max(0.0, commitment[i] + energy * meeting_value[i]))


@jit
def self_interest_act(actor, people, store, steady, trust_rates, reputation_damage, morale_hit):
    """M13: a top acts in self-interest; everyone in the network hears of it.

    Every active member receives a strong negative signal about the actor (M1, so those
    who depend on them lose most), the actor's reputation damage lowers the ceiling trust
    in them can ever recover to, and the venture's credibility suffers: everyone loses
    commitment.

    Evidence: "One leader sought a pay rise whilst arguing that he did not have the
    finance to set up permanent collaborative roles ... it had a devastating effect on
    the morale and credibility of the collaborative venture" (Kennedy et al. 2019).

    Args:
        actor: The top who acts.
        people: Person arrays (commitment, news, setback updated).
        store: The trust store.
        steady: People whose commitment is held.
        trust_rates: ``TrustRates``.
        reputation_damage: Rise in the actor's reputation damage.
        morale_hit: Commitment everyone loses.
    """
    damage_reputation(store, actor, reputation_damage)
    for i in range(people.active.shape[0]):
        if i == actor or not people.active[i]:
            continue
        signal(store, i, actor, -1.0, people.power, trust_rates)
        people.news[i] = actor
        if not steady[i]:
            people.commitment[i] = max(0.0, people.commitment[i] - morale_hit)
            people.setback[i] = True


@jit
def spontaneous_self_interest(stream, week, people, last_act, hazard):
    """M13: which top, if any, acts in self-interest this week.

    Territorial tops whose commitment to the network has worn thin (territoriality above
    0.5, commitment below 0.3) act with a small weekly ``hazard``, at most once a year.

    Args:
        stream: Random stream.
        week: Current week.
        people: Person arrays.
        last_act: Week of each person's last self-interested act.
        hazard: Weekly chance for an eligible top.

    Returns:
        The index of the acting top, or -1.
    """
    n = people.active.shape[0]
    start = below(stream, n)  # no post is first in line every week
    for k in range(n):
        i = (start + k) % n
        if (people.active[i] and people.role[i] == TOP and week - last_act[i] >= 52
                and people.territoriality[i] > 0.5 and people.commitment[i] < 0.3
                and chance(stream, hazard)):
            return i
    return -1
