"""Change work on care pathways (M8), its decisions (M9, M10) and word of mouth (M11).

Each pathway is an NK landscape (Levinthal 1997) over ``n_practices`` binary working
practices, each owned by one organisation; its quality is the NK fitness of its current
configuration. Frontline staff and managers propose changes:

* a **small test of change** flips one practice for a few weeks (``SMALL_TEST_WEEKS``)
  and is kept only if quality rises (Plan-Do-Study-Act): local search on the landscape;
* a **big-bang redesign** redraws many practices at once, takes months
  (``REDESIGN_WEEKS``), needs the owning organisations' tops to approve it together up
  front, and drains the pathway team's commitment when it fails: a long jump on the
  landscape.

Decision rights follow the IOCN: with probability ``distributed_leadership`` (the intent,
realised as far as senior leaders will cede territory, and widened by the network's shared
capacity) the frontline team may prototype a small test on its own authority, which also
makes people readier to try things; otherwise the test is escalated first to the owning
organisation's top. Either way, a prototype that works
must be embedded by that top: members "did need to refer to the tops for the embedding
and implementation" (Mervyn et al. 2019). Embedding what the frontline did on its own
authority, or granting another organisation's request, cedes control, so the top's
territoriality weighs on it. So ceding territory gates distributed leadership twice: in
how much of it tops allow, and in what they embed.

Each person leads at most one change at a time, so changes are stored in arrays indexed
by their proposer.
"""

from __future__ import annotations

from typing import NamedTuple

from collabsim.jit import jit
from collabsim.mechanisms.commitment import see_win, suffer_setback
from collabsim.mechanisms.counters import (
    ADOPTED,
    ADOPTED_BIG_BANGS,
    BIG_BANG_FAILURES,
    PROPOSED,
    TESTED,
)
from collabsim.mechanisms.decisions import decide, decide_redesign
from collabsim.mechanisms.draws import (
    PROGRESS,
    PROPOSALS,
    below,
    chance,
    enter_for,
    phase_key,
    uniform,
)
from collabsim.mechanisms.landscape import fitness, flip, own_fitness, redesigned, redraw
from collabsim.mechanisms.learning import claim_leadership
from collabsim.mechanisms.played import MODEL, NO_CHANGE, SMALL_TEST, waits_for
from collabsim.mechanisms.trust_store import read

# Stages of a change.
IDLE, AWAITING_TEST_GRANT, TESTING, AWAITING_EMBEDDING, AWAITING_REDESIGN_GRANTS, REDESIGNING = (
    range(6)
)


#: How long a small test of change and a big-bang redesign take, shortest and longest
#: weeks (each times ``change_duration_scale``), and how long a request takes to reach a
#: top (via a middle manager), in weeks: ODD 7.0 and M8.
SMALL_TEST_WEEKS = (4, 8)
REDESIGN_WEEKS = (26, 52)
ESCALATION_WEEKS = (1, 3)


class ChangeRates(NamedTuple):
    """Scalar settings of change work for one week."""

    proposal_rate: float
    incremental_share: float
    own_remit_bias: float
    big_bang_scope: float
    change_duration_scale: float
    word_of_mouth: float
    word_of_mouth_across_pathways: bool
    leadership_claim_gain: float
    cede_power_loss: float
    cede_capacity_gain: float


# --- change work -----------------------------------------------------------------------


@jit
def _improves(trial, p, org, network_on, pathways):
    """Whether a tested change counts as an improvement.

    Judged on the whole pathway in a working network ("look at things as pathways",
    Mervyn et al. 2019), on one's own practices in a silo.
    """
    config = pathways.config[p]
    neighbours, contributions = pathways.neighbours[p], pathways.contributions[p]
    if network_on:
        return fitness(trial, neighbours, contributions) > pathways.fitness[p]
    owner = pathways.owner[p]
    return own_fitness(trial, org, owner, neighbours, contributions) > own_fitness(
        config, org, owner, neighbours, contributions
    )


@jit
def _escalation_delay(stream):
    return _duration(stream, ESCALATION_WEEKS, 1.0)


@jit
def _duration(stream, weeks, scale):
    shortest, longest = weeks
    return max(1, int(round((shortest + below(stream, longest - shortest + 1)) * scale)))


@jit
def _listens(people, j, adopter, pathway, across_pathways):
    """Whether member j is someone the adopter's news can reach.

    In an issue-based network news stays with the adopter's pathway team and those on no
    team (the tops and the convener).
    """
    if j == adopter or not people.active[j]:
        return False
    return across_pathways or people.pathway[j] < 0 or people.pathway[j] == pathway


@jit
def _word_of_mouth(world, settings, adopter, pathway):
    """M11: the adopter tells a few people of a change that worked.

    They tell ``word_of_mouth`` members on average (the whole part, plus one more with
    the fraction as probability), picked at random; each takes it in with a chance equal
    to their trust in the adopter, is inspired (their chance of proposing a change rises
    for a while) and sees a small win. The reach is per adoption, so how often a person
    hears good news depends on how productive the network is, not on how big it is. A
    telling that lands on someone outside the network, or outside an issue-based
    network's pathway team, is lost.

    Evidence: "You will get a respiratory physician talking to a cardiac physician at
    some point saying well we've just done some really amazing stuff ... and they will
    go well why can't we do that?" (Mervyn et al. 2019).
    """
    stream, people, rates = world.stream, world.people, settings.change
    n = people.active.shape[0]
    whole = int(rates.word_of_mouth)
    tellings = whole + (1 if chance(stream, rates.word_of_mouth - whole) else 0)
    for _ in range(tellings):
        j = below(stream, n)
        if not _listens(people, j, adopter, pathway, rates.word_of_mouth_across_pathways):
            continue
        if chance(stream, read(world.trust, j, adopter)):
            people.inspiration[j] = 1.0
            see_win(people, j, settings.commitment.small_win_boost)


@jit
def _celebrate(world, settings, proposer, p, big_bang, working):
    """Who sees an adopted change as a win: hope rises where a win is seen up close.

    The proposer and their improvement team (for a redesign, the whole pathway team,
    which it changes for everyone). A redesign that works counts as
    ``big_bang_win_weight`` small wins. The top who granted the change does not see it
    as their win: they hear of the network's progress at its meetings like everyone else
    (``meeting_experiences``), so a top's hope does not grow with how many people bring
    them requests.
    """
    people, teams, hope = world.people, world.teams, settings.commitment
    weight = hope.small_win_boost * (hope.big_bang_win_weight if big_bang else 1.0)
    see_win(people, proposer, weight)
    if big_bang:
        for j in range(people.active.shape[0]):
            if j != proposer and working[j] and people.pathway[j] == p:
                see_win(people, j, weight)
        return
    t = people.team[proposer]
    if t < 0:
        return
    for k in range(teams.start[t], teams.start[t + 1]):
        j = teams.members[k]
        if j != proposer and working[j]:
            see_win(people, j, weight)


@jit
def _adopt(world, settings, proposer, p, new_config, big_bang, network_on, working):
    """Make a successful change part of how the pathway works."""
    people, pathways, counters = world.people, world.pathways, world.counters
    changed = pathways.config[p] ^ new_config
    crosses = False
    for n in range(pathways.owner.shape[1]):
        if (changed >> n) & 1 and pathways.owner[p, n] != people.org[proposer]:
            crosses = True
    pathways.config[p] = new_config
    pathways.fitness[p] = fitness(new_config, pathways.neighbours[p], pathways.contributions[p])
    if crosses and network_on:
        pathways.network_made[p] |= changed
    else:
        pathways.network_made[p] &= ~changed
    counters[ADOPTED] += 1
    if big_bang:
        counters[ADOPTED_BIG_BANGS] += 1
    people.leader_identity[proposer] = claim_leadership(
        people.leader_identity[proposer], settings.change.leadership_claim_gain
    )
    people.adopted[proposer] += 1
    if network_on:  # in silos nobody tells anyone, and commitment is not at stake
        _celebrate(world, settings, proposer, p, big_bang, working)
        _word_of_mouth(world, settings, proposer, p)


@jit
def _action_done(p, network_on, pathways):
    """An action on pathway p is carried out: a small test studied, or a redesign adopted.

    The next meeting's update on actions hears of it (``commitment.progress_reported``);
    a small test counts whether or not it showed an improvement, as trial and error.

    Evidence: "an update on actions in the whole group"; "an opportunity for trial and
    error in a safe environment"; "These small practical experiments in doing things
    differently began to add up to a conviction that maybe things could be better"
    (Kennedy et al. 2019).
    """
    if network_on:  # in silos nobody meets to hear of it
        pathways.actions_since_meeting[p] += 1


@jit
def _big_bang_failed(world, settings, p, proposer, working, network_on):
    """A failed redesign is a setback for everyone on the pathway.

    It wears their hope only while a network is working (``network_on``, 7.14).
    """
    world.counters[BIG_BANG_FAILURES] += 1
    people, cost = world.people, settings.commitment.big_bang_failure_cost
    for j in range(people.active.shape[0]):
        if working[j] and (people.pathway[j] == p or j == proposer):
            suffer_setback(people, j, cost, network_on)


@jit
def end_change(i, changes, redesign_lead):
    """Person i's change is over (adopted, dropped, blocked or lapsed)."""
    if changes.stage[i] != IDLE and redesign_lead[changes.pathway[i]] == i:
        redesign_lead[changes.pathway[i]] = -1
    changes.stage[i] = IDLE


@jit
def _progress(world, settings, week, i, network_on, working):
    """Move person i's change on at the week it comes due."""
    stream, people, pathways, changes = world.stream, world.people, world.pathways, world.changes
    scale = settings.change.change_duration_scale
    stage = changes.stage[i]
    p = changes.pathway[i]
    practice = changes.practice[i]
    end_change(i, changes, pathways.redesign_lead)
    if stage == AWAITING_TEST_GRANT:
        top = decide(world, settings, i, pathways.owner[p, practice], False, working, network_on)
        if top >= 0:
            changes.stage[i] = TESTING
            changes.due[i] = week + _duration(stream, SMALL_TEST_WEEKS, scale)
    elif stage == TESTING or stage == AWAITING_EMBEDDING:
        if stage == TESTING:
            world.counters[TESTED] += 1
            _action_done(p, network_on, pathways)  # whatever the test showed
        trial = flip(pathways.config[p], practice)
        if not _improves(trial, p, people.org[i], network_on, pathways):
            return  # the test showed no improvement (PDSA: study, then drop it)
        owner = pathways.owner[p, practice]
        if stage == TESTING and changes.self_authorised[i]:
            changes.stage[i] = AWAITING_EMBEDDING  # the prototype worked: ask to embed it
            changes.due[i] = week + _escalation_delay(stream)
            return
        if (
            stage == AWAITING_EMBEDDING
            and decide(world, settings, i, owner, True, working, network_on) < 0
        ):
            return
        _adopt(world, settings, i, p, trial, False, network_on, working)
    elif stage == AWAITING_REDESIGN_GRANTS:
        if not decide_redesign(world, settings, i, p, changes.mask[i], working, network_on):
            return
        pathways.redesign_lead[p] = i
        changes.stage[i] = REDESIGNING
        changes.due[i] = week + _duration(stream, REDESIGN_WEEKS, scale)
    elif stage == REDESIGNING:
        trial = redesigned(pathways.config[p], changes.mask[i], changes.values[i])
        if fitness(trial, pathways.neighbours[p], pathways.contributions[p]) > pathways.fitness[p]:
            _action_done(p, network_on, pathways)
            _adopt(world, settings, i, p, trial, True, network_on, working)
        else:
            _big_bang_failed(world, settings, p, i, working, network_on)


@jit
def proposal_probability(
    commitment, skill, leader_identity, inspiration, distributed_leadership, rate
):
    """M8: weekly chance that a non-top proposes a change.

    ``rate x commitment x skill x entitlement x (1 + inspiration)``: people propose
    changes when they have the energy and the improvement skill and feel entitled to
    lead: entitlement is the mean of how far they see themselves as leaders and how free
    they are to prototype without asking first, ``(identity + DL) / 2``. Recent news of a
    colleague's success (inspiration, 0-1) doubles it at most. Freedom to prototype
    raises how much is tried, not what gets embedded: that still needs the owning
    organisation's top.

    Evidence: "people want, they're surprised that they've been given this authority to
    do this and I think it's about persuading them, just get on with it"; "there a
    million possibilities that we will never as a group of leaders think of but the
    people in our organisations will" (Mervyn et al. 2019).
    """
    entitlement = 0.5 * (leader_identity + distributed_leadership)
    return rate * commitment * skill * entitlement * (1.0 + inspiration)


@jit
def _choose_practice(stream, p, org, owner, own_remit_bias, own_only):
    """A practice for a small test: often one's own organisation's, else any."""
    n_practices = owner.shape[1]
    own = 0
    for n in range(n_practices):
        if owner[p, n] == org:
            own += 1
    if own > 0 and (own_only or uniform(stream) < own_remit_bias):
        pick = below(stream, own)
        for n in range(n_practices):
            if owner[p, n] == org:
                if pick == 0:
                    return n
                pick -= 1
    if own_only:
        return -1
    return below(stream, n_practices)


@jit
def _propose(world, rates, week, i, network_on, distributed_leadership, size):
    """Person i proposes a change on their pathway.

    ``size`` is a played person's choice (``played.SMALL_TEST`` or ``played.REDESIGN``),
    or ``played.MODEL``; ``rates`` are the ``ChangeRates``.
    """
    stream, changes = world.stream, world.changes
    owner, redesign_lead = world.pathways.owner, world.pathways.redesign_lead
    p, org = world.people.pathway[i], world.people.org[i]
    if size == MODEL:
        small = not network_on or uniform(stream) < rates.incremental_share
    else:
        small = not network_on or size == SMALL_TEST
    if small:
        practice = _choose_practice(stream, p, org, owner, rates.own_remit_bias, not network_on)
        if practice < 0:
            return  # in silos, nothing on this pathway is one's own to change
        changes.practice[i] = practice
        changes.self_authorised[i] = uniform(stream) < distributed_leadership
        if changes.self_authorised[i]:
            changes.stage[i] = TESTING
            changes.due[i] = week + _duration(stream, SMALL_TEST_WEEKS, rates.change_duration_scale)
        else:
            changes.stage[i] = AWAITING_TEST_GRANT
            changes.due[i] = week + _escalation_delay(stream)
    else:
        if redesign_lead[p] >= 0:
            return  # a pathway is redesigned by one project at a time
        redesign_lead[p] = i
        mask, values = redraw(stream, owner.shape[1], rates.big_bang_scope)
        changes.mask[i] = mask
        changes.values[i] = values
        changes.self_authorised[i] = False
        changes.stage[i] = AWAITING_REDESIGN_GRANTS
        changes.due[i] = week + _escalation_delay(stream)
    changes.pathway[i] = p
    world.counters[PROPOSED] += 1


@jit
def _waits(i, changes, pathways, working, played):
    """Whether person i's request waits on a played senior leader's desk (``played``)."""
    stage = changes.stage[i]
    p = changes.pathway[i]
    if stage == AWAITING_TEST_GRANT or stage == AWAITING_EMBEDDING:
        return waits_for(pathways.owner[p, changes.practice[i]], i, played, working)
    if stage == AWAITING_REDESIGN_GRANTS:
        for n in range(pathways.owner.shape[1]):
            if (changes.mask[i] >> n) & 1 and waits_for(pathways.owner[p, n], i, played, working):
                return True
    return False


@jit
def change_work(world, settings, week, network_on, distributed_leadership, working):
    """One week of change work: changes come due and move on, then new ones are proposed.

    While the network is alive, changes may touch any organisation's practices. Without
    a working network (the hierarchy counterfactual, or after the network dissolves)
    people make only small changes to their own organisation's practices, decided by
    their own tops.

    Args:
        world: The run's state (``collabsim.state.World``); people, pathways, changes,
            trust, counters and the stream are updated.
        settings: The run's settings (``collabsim.settings.Settings``).
        week: Current week.
        network_on: Whether a convened network is alive.
        distributed_leadership: Chance the frontline may authorise a small test itself
            (the lever as far as tops cede, widened by the network's shared capacity).
        working: Who takes part in change work and decides on it: the network's members
            while it works, everyone in post in silos.
    """
    people, pathways, changes, played = world.people, world.pathways, world.changes, world.played
    n = people.active.shape[0]
    key = phase_key(world.stream, PROGRESS)
    for i in range(n):
        if changes.stage[i] == IDLE or changes.due[i] > week:
            continue
        if not working[i]:
            end_change(i, changes, pathways.redesign_lead)  # the proposer left; it lapses
            continue
        if _waits(i, changes, pathways, working, played):
            continue
        enter_for(world.stream, key, i)
        _progress(world, settings, week, i, network_on, working)
    rates = settings.change
    key = phase_key(world.stream, PROPOSALS)
    for i in range(n):
        if not working[i] or people.pathway[i] < 0 or changes.stage[i] != IDLE:
            continue
        size = played.propose[i]
        enter_for(world.stream, key, i)
        if size == MODEL:
            p = proposal_probability(
                people.commitment[i],
                people.skill[i],
                people.leader_identity[i],
                people.inspiration[i],
                distributed_leadership,
                rates.proposal_rate,
            )
            if not chance(world.stream, p):
                continue
        elif size == NO_CHANGE:
            continue
        _propose(world, rates, week, i, network_on, distributed_leadership, size)
