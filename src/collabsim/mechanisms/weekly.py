"""The week's phases after the meeting, compiled (ODD §3).

``collabsim.week`` tells a week's story in order. Its phases after the meeting (change
work, talk between meetings, aspiration and commitment, exits and turnover) are the
compiled functions here. Where participants play people, their choices come between the
phases, and the week calls them one at a time; in every other week (every week of a run
that nobody plays, and of every silo twin) phases 3 to 6 run in one compiled call,
``after_the_meeting``, rather than eight or more calls from Python, each of which costs
a few microseconds to cross (``tests/test_phases_in_one_call.py`` holds the two ways equal).

They read and write how the network stands, ``Network``'s running figures, in the
world's ``standing`` array at the indices below (``collabsim.state.Network`` reads them
by name).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms import (
    change,
    commitment,
    draws,
    encounters,
    landscape,
    sustainability,
    trust,
    turnover,
)
from collabsim.mechanisms.draws import chance, enter
from collabsim.mechanisms.trust_store import drift, trust_in

# How the network stands, as the compiled phases read and write it (``world.standing``).
ALIVE = 0  # still meeting (1.0) or dissolved (0.0)
CENTRAL_LEADER_PRESENT = 1  # someone holds the centre
ASPIRATION = 2  # improvement a year expected of the pathways, on average
ASPIRATION_GAP = 3  # the pathways' aspiration less performance, floored at 0, on average
QUALITY = 4  # pathway quality relative to the start
MEETINGS_HELD = 5
TURNOVER = 6  # people who moved on and were replaced
SELF_INTEREST_ACTS = 7
LAST_ACTOR = 8  # the latest senior leader to act in self-interest, -1 if none
TRUST_IN_ACTOR_BEFORE = 9  # members' trust in them just before they acted
INITIAL_QUALITY = 10  # the pathways' total fitness at the start
EXITS = 11  # members who left the network: drifting away, or with their organisation
PARTNER_PRESENT = 12  # the academic partner has not withdrawn
PROGRAMME_RUNNING = 13  # the leadership programmes are under way
LAST_MEETING = 14  # week of the latest meeting (0: the network's start)
ATTENDEES = 15  # people at the latest meeting
ATTENDANCE_RATE = 16  # share of members at the latest meeting
MEETING_HELD = 17  # a meeting is held this week
FAILING_MEETINGS = 18  # meetings in a row at which the network was failing (M15)
COLLAPSE_STEP = 19  # week the network dissolved, -1 while it lives
INITIAL_MEMBERS = 20  # members at the start
BUDGET_CUTS = 21  # budget cuts so far, scheduled or of the run's funding history
ENVIRONMENT_SHIFT = 22  # quality moved so far by the environment's changes, not by any work
SHORTFALL_STRAIN = 23  # how frustrating the pathways' shortfalls are, on average, 0-1
N_STANDING = 24


def new_standing(
    alive: bool,
    central_leader_present: bool,
    partner_present: bool,
    programme_running: bool,
    initial_quality: float,
    initial_members: int,
) -> np.ndarray:
    """How a network stands at its start: nothing yet achieved, expected or lost."""
    standing = np.zeros(N_STANDING)
    standing[INITIAL_MEMBERS] = initial_members
    standing[COLLAPSE_STEP] = -1
    standing[ALIVE] = alive
    standing[CENTRAL_LEADER_PRESENT] = central_leader_present
    standing[PARTNER_PRESENT] = partner_present
    standing[PROGRAMME_RUNNING] = programme_running
    standing[INITIAL_QUALITY] = initial_quality
    standing[QUALITY] = 1.0
    standing[LAST_ACTOR] = -1
    standing[TRUST_IN_ACTOR_BEFORE] = np.nan
    standing[ATTENDANCE_RATE] = np.nan
    return standing


class WeekRates(NamedTuple):
    """The parameters the week's phases read themselves, named as the parameters."""

    convened: bool
    meeting_interval: int
    distributed_leadership: float
    cede_willingness: float
    talks_informally: bool  # a place-based network whose members meet between meetings
    trust_drift: float
    results_pressure: float
    central_leader_strength: float
    central_leader_shield: float
    aspiration_memory: float


@jit
def network_on(world, settings):
    """Whether a convened network is alive and meeting."""
    return settings.week.convened and world.standing[ALIVE] != 0.0


@jit
def central_strength(world, settings):
    """Strength of the leader holding the centre now (0 once they have left)."""
    present = world.standing[CENTRAL_LEADER_PRESENT] != 0.0
    return settings.week.central_leader_strength if present else 0.0


_NUMPY_BLOCK = 128  # NumPy's pairwise block
_STACK = 192  # three slots a halving: enough for 2**64 items


@jit
def sum_in_numpy_order(values):
    """The sum of ``values`` exactly as NumPy adds them.

    NumPy's ``sum`` halves an array until the parts have at most 128 items and adds each
    part with eight running totals; a plain loop differs in the last bits, so a compiled
    week adding its own way would drift from the same week told from Python. (NumPy 2.0
    adds more than 8,192 items in buffers of 8,192, later versions do not; the model adds at
    most ``n_people`` items, and the most it allows is below that, so every NumPy agrees.)
    The halving is walked with a stack of its own: Numba's on-disk cache cannot load a
    function that calls itself.
    """
    n = values.shape[0]
    if n <= _NUMPY_BLOCK:
        return _block_sum(values, 0, n)
    starts = np.empty(_STACK, dtype=np.int64)
    sizes = np.empty(_STACK, dtype=np.int64)
    combine = np.zeros(_STACK, dtype=np.bool_)  # both halves summed: add them
    sums = np.empty(_STACK)
    starts[0], sizes[0], top, done = 0, n, 1, 0
    while top:
        top -= 1
        start, size = starts[top], sizes[top]
        if combine[top]:
            combine[top] = False
            done -= 1
            sums[done - 1] += sums[done]
        elif size <= _NUMPY_BLOCK:
            sums[done] = _block_sum(values, start, size)
            done += 1
        else:
            half = size // 2
            half -= half % 8
            combine[top] = True  # after the second half, which is after the first
            starts[top + 1], sizes[top + 1] = start + half, size - half
            starts[top + 2], sizes[top + 2] = start, half
            top += 3
    return sums[0]


@jit
def _block_sum(values, start, n):
    """NumPy's sum of a block of at most 128 items: eight running totals, then the rest."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    r = values[start : start + 8].copy()
    i = 8
    while i < n - n % 8:
        for k in range(8):
            r[k] += values[start + i + k]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total += values[start + i]
        i += 1
    return total


@jit
def shared_capacity(world):
    """The network's shared decision capacity: its tops' mean record of ceding (M9)."""
    people, tops = world.people, world.top_posts
    present = tops[people.active[tops]]
    if present.size == 0:
        return 0.0
    return sum_in_numpy_order(people.ceded[present]) / present.size


@jit
def change_work_phase(world, settings, week):
    """Phase 3: a week of change work, and of the world changing around it.

    Proposals, decisions, tests, embedding and adoption (M8-M11). What the frontline may
    decide is the distributed leadership intended, realised as far as senior leaders will
    cede territory, and widened by the territory they have ceded; in a working network its
    members do the work, in silos everyone in post. The environment moves on, and how far
    it moved quality is kept apart, for the network to be judged by its own work (M12);
    once a convened network has dissolved, its cross-organisation changes unravel.
    """
    enter(world.stream, draws.CHANGE_WORK)
    on, rates = network_on(world, settings), settings.week
    # "distributed leadership was constrained by a lack of buy-in and commitment from senior
    # leaders ... (or to cede power ...)" (Mervyn et al. 2019): the intent, as far as tops cede.
    dl = rates.distributed_leadership * rates.cede_willingness
    if on:
        dl += (1.0 - dl) * shared_capacity(world)
    working = world.people.active if on else world.everyone
    change.change_work(world, settings, week, on, dl, working)
    if rates.convened and world.standing[ALIVE] == 0.0:
        landscape.unravel(world, settings)
    landscape.shift_environment(world, settings)
    standing, pathways = world.standing, world.pathways
    standing[ENVIRONMENT_SHIFT] = (
        sum_in_numpy_order(pathways.environment_shift) / standing[INITIAL_QUALITY]
    )
    standing[QUALITY] = sum_in_numpy_order(pathways.fitness) / standing[INITIAL_QUALITY]


@jit
def informal_contact(world, settings):
    """Phase 4, first part: informal contact among the members of a living place-based network."""
    enter(world.stream, draws.INFORMAL_CONTACT)
    if network_on(world, settings) and settings.week.talks_informally:
        encounters.informal_encounters(world, settings)


@jit
def word_gets_around(world, settings):
    """Phase 4, second part: second-hand trust (M3), then trust drifting back (M1)."""
    enter(world.stream, draws.WORD_OF_MOUTH)
    trust.second_hand(world, settings, network_on(world, settings))
    drift(world.trust, settings.week.trust_drift)


@jit
def commitment_phase(world, settings, week):
    """Phase 5: aspiration, frustration, and whether a top acts in self-interest.

    Each pathway's aspiration follows its performance (the network's own improvement on it,
    net of the environment's shifts) plus the pressure the central leader lets through, and
    the pace is as frustrating as the pathways' shortfalls are on average (``review_pace``);
    frustration follows the week's strain (M12). Returns the territorial, disheartened top
    who acts in self-interest this week (M13), or -1; nobody does outside a working network,
    where there is nothing left to be committed to and frustration and inspiration just fade.
    """
    enter(world.stream, draws.COMMITMENT)
    standing, rates, people = world.standing, settings.week, world.people
    pressure = commitment.shielded_pressure(
        rates.results_pressure, central_strength(world, settings), rates.central_leader_shield
    )
    aspiration, shortfall, strain = commitment.review_pace(
        world.pathways, week, pressure, rates.aspiration_memory
    )
    standing[ASPIRATION], standing[ASPIRATION_GAP] = aspiration, shortfall
    standing[SHORTFALL_STRAIN] = strain
    if not network_on(world, settings):
        commitment.week_passes(people, world.everyone, 0.0)
        return -1
    commitment.week_passes(people, people.active, standing[SHORTFALL_STRAIN])
    return commitment.spontaneous_self_interest(world, settings, week)


@jit
def act_in_self_interest(world, settings, actor, week):
    """Top ``actor`` acts in self-interest in ``week`` (M13), on the network's record."""
    standing = world.standing
    standing[TRUST_IN_ACTOR_BEFORE] = trust_in(world.trust, actor)
    commitment.self_interest_act(world, settings, actor, network_on(world, settings))
    world.people.last_act[actor] = week
    standing[SELF_INTEREST_ACTS] += 1
    standing[LAST_ACTOR] = actor


@jit
def replace_posts(world, posts):
    """The holders of ``posts`` move on, in order; a newcomer takes over each (M14)."""
    turnover.replace_people(world, posts, world.draws, int(world.standing[MEETINGS_HELD]))
    world.standing[TURNOVER] += posts.shape[0]
    for post in posts:
        if post == world.standing[LAST_ACTOR]:
            world.standing[LAST_ACTOR] = -1


@jit
def exits_phase(world, settings):
    """Phase 6 at a meeting: members and organisations who have lost heart leave (M14, M15).

    Members drift away after meetings spent disheartened; organisations whose senior
    leaders lost heart withdraw with their people. A leader holding the centre whose
    organisation withdrew stays in post, and nobody holds the centre after them.
    """
    enter(world.stream, draws.EXITS)
    standing, people, patience = world.standing, world.people, settings.exits.patience
    standing[EXITS] += turnover.drift_away(world, settings, patience)
    standing[EXITS] += sustainability.organisations_withdrawing(
        world, settings, world.partner, patience
    )
    leader = world.central_leader
    if standing[CENTRAL_LEADER_PRESENT] != 0.0 and not people.active[leader]:
        standing[CENTRAL_LEADER_PRESENT] = 0.0
        people.steady[leader] = False


@jit
def central_leader_leaves(world, slot):
    """The leader holding the centre leaves; an ordinary top takes the post (M14).

    Their view returns to their organisation's own, as any top's. Returns whether they
    left (not when nobody holds the centre), their post then in ``world.leavers[slot]``.
    """
    standing, people, leader = world.standing, world.people, world.central_leader
    if standing[CENTRAL_LEADER_PRESENT] == 0.0:
        return False
    standing[CENTRAL_LEADER_PRESENT] = 0.0
    people.steady[leader] = False
    people.anchor[leader] = world.org_view[people.org[leader]]
    world.leavers[slot] = leader
    replace_posts(world, world.leavers[slot : slot + 1])
    return True


@jit
def turnover_phase(world, settings):
    """Phase 6, every week: people move on and are replaced (M14).

    The leader holding the centre moves on at the same base rate as anyone, after the
    others. Returns how many moved on, their posts first in ``world.leavers`` in the order
    they left, for the model to hand their posts' Mesa agents over.
    """
    enter(world.stream, draws.TURNOVER)
    leaving = turnover.move_on(world, settings, world.leavers)
    if leaving:
        replace_posts(world, world.leavers[:leaving])
    if world.standing[CENTRAL_LEADER_PRESENT] != 0.0 and chance(
        world.stream, settings.exits.turnover_rate / 52
    ):
        leaving += central_leader_leaves(world, leaving)
    return leaving


@jit
def work_talk_and_hope(world, settings, week):
    """Phases 3 to 5 of a week in which nobody is played, in the week's order.

    Change work, talk between meetings, aspiration and commitment, and a self-interested
    act if a top is moved to one.
    """
    change_work_phase(world, settings, week)
    informal_contact(world, settings)
    word_gets_around(world, settings)
    actor = commitment_phase(world, settings, week)
    if actor >= 0:
        act_in_self_interest(world, settings, actor, week)


@jit
def after_the_meeting(world, settings, week, meeting_held):
    """Phases 3 to 6 of a week in which nobody is played, in the week's order.

    Phases 3 to 5 (``work_talk_and_hope``); after a meeting, the exits it settles
    (``exits_phase``); then who moves on (``turnover_phase``, whose count it returns).
    """
    work_talk_and_hope(world, settings, week)
    if meeting_held:
        exits_phase(world, settings)
    return turnover_phase(world, settings)
