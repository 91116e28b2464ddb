"""Unit behaviour of each mechanism: limits and known cases (M1 and M3 in
test_trust_mechanisms.py, the trust store's sums in test_trust_sums.py, M12 and M13 in
test_commitment.py)."""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest
from mechanism_support import compiled_settings, small_model

import collabsim
from collabsim.mechanisms import (
    attendance,
    change,
    decisions,
    draws,
    landscape,
    learning,
    narrative,
    sustainability,
    turnover,
)
from collabsim.mechanisms.roles import BOTTOM, MIDDLE, TOP

# --- random draws ------------------------------------------------------------------------


def test_streams_are_reproducible_independent_and_uniform():
    a = draws.new_stream(np.random.default_rng(1))
    b = draws.new_stream(np.random.default_rng(1))
    c = draws.new_stream(np.random.default_rng(2))
    xa = np.array([draws.uniform(a) for _ in range(20000)])
    xb = np.array([draws.uniform(b) for _ in range(20000)])
    xc = np.array([draws.uniform(c) for _ in range(20000)])
    assert np.array_equal(xa, xb)
    assert not np.array_equal(xa, xc)
    assert xa.min() >= 0 and xa.max() < 1
    assert abs(xa.mean() - 0.5) < 0.01  # sd of the mean is 0.002
    counts = np.bincount([draws.below(a, 7) for _ in range(70000)], minlength=7)
    assert counts.size == 7 and np.all(np.abs(counts - 10000) < 500)
    normals = np.array([draws.normal(a) for _ in range(20000)])
    assert abs(normals.mean()) < 0.03 and abs(normals.std() - 1) < 0.03


def _first_draws(stream, count=5):
    return [draws.uniform(stream) for _ in range(count)]


def test_each_phase_and_person_draws_from_its_own_stream_whatever_was_drawn_before():
    """Synchronised streams: a phase's (or a person's) draws in a week depend on the run's
    seed, the week and the phase (and person) only, not on how many draws came before."""
    fresh = draws.new_stream(np.random.default_rng(1))
    used = draws.new_stream(np.random.default_rng(1))
    _first_draws(used, 17)  # another run's phases took more draws before this one
    for stream in (fresh, used):
        draws.start_week(stream, 5)
        draws.enter(stream, draws.TURNOVER)
    assert _first_draws(fresh) == _first_draws(used)
    for stream in (fresh, used):
        draws.enter_for(stream, draws.phase_key(stream, draws.PROPOSALS), 3)
    assert _first_draws(fresh) == _first_draws(used)

    def first(week, phase, person=None, seed=1):
        stream = draws.new_stream(np.random.default_rng(seed))
        draws.start_week(stream, week)
        if person is None:
            draws.enter(stream, phase)
        else:
            draws.enter_for(stream, draws.phase_key(stream, phase), person)
        return draws.uniform(stream)

    base = first(5, draws.TURNOVER)
    assert base == first(5, draws.TURNOVER)
    others = [
        first(6, draws.TURNOVER),
        first(5, draws.ATTENDANCE),
        first(5, draws.TURNOVER, seed=2),
        first(5, draws.TURNOVER, person=0),
    ]
    assert base not in others
    # the first draws of neighbouring people, weeks and phases are uniform and unrelated
    people = np.array([first(9, draws.PROPOSALS, person=i) for i in range(20001)])
    assert abs(people.mean() - 0.5) < 0.01  # sd of the mean is 0.002
    assert abs(np.corrcoef(people[:-1], people[1:])[0, 1]) < 0.03  # sd 0.007
    weeks = np.array([first(w, draws.ATTENDANCE) for w in range(20001)])
    assert abs(weeks.mean() - 0.5) < 0.01
    assert abs(np.corrcoef(weeks[:-1], weeks[1:])[0, 1]) < 0.03
    phases = np.array([[first(w, phase) for phase in (1, 2)] for w in range(20000)])
    assert abs(np.corrcoef(phases[:, 0], phases[:, 1])[0, 1]) < 0.03


# --- M4 narrative --------------------------------------------------------------------------


def test_narrative_exchange_is_bounded_confidence():
    assert narrative.narrative_exchange(0.2, 0.6, 1.0, 1.0, 0.3, 0.3, 0.5) == (0.2, 0.6)
    a, b = narrative.narrative_exchange(0.4, 0.6, 1.0, 1.0, 0.3, 0.3, 0.5)
    assert a == pytest.approx(0.5) and b == pytest.approx(0.5)
    a, b = narrative.narrative_exchange(0.4, 0.6, 0.5, 0.0, 0.3, 0.3, 0.5)
    assert a == pytest.approx(0.45) and b == pytest.approx(0.6)  # distrust: no move
    a, b = narrative.narrative_exchange(0.4, 0.6, 1.0, 1.0, 0.3, 0.1, 0.5)
    assert a == pytest.approx(0.5) and b == 0.6  # only the open-minded one moves
    assert narrative.anchored(0.8, 0.2, 0.25) == pytest.approx(0.65)
    views = np.array([0.0, 1.0, 0.5])
    narrative.central_pull(views, np.array([0, 1]), 0.5, 0.2)
    assert np.allclose(views, [0.1, 0.9, 0.5])


def test_clusters_are_counted_with_minor_ones_left_out():
    views = np.concatenate([np.full(40, 0.1), np.full(40, 0.5), np.full(2, 0.9)])
    assert narrative.count_clusters(views, 0.05, 1) == 3
    assert narrative.count_clusters(views, 0.05, 5) == 2
    assert narrative.count_clusters(np.linspace(0, 1, 500), 0.05, 1) == 1
    assert narrative.count_clusters(np.array([]), 0.05, 1) == 0


# --- M5, M6 attendance and seating ----------------------------------------------------------

WEIGHTS = attendance.AttendanceWeights(
    attendance_base=0.0,
    attendance_commitment=2.0,
    attendance_experience=2.0,
    attendance_workload=1.5,
    attendance_backlog=2.0,
    attendance_territoriality=1.5,
)


def test_attendance_rises_with_commitment_and_good_meetings_falls_with_load_and_power():
    args = dict(commitment=0.5, meeting_value=0.0, workload=0.5, backlog=0.0, territoriality=0.0)

    def p(**change_):
        return attendance.attendance_probability(*{**args, **change_}.values(), WEIGHTS)

    assert p() == pytest.approx(0.5)
    assert p(commitment=0.9) > p() > p(commitment=0.1)
    assert p(meeting_value=0.8) > p() > p(meeting_value=-0.8)
    assert p(workload=0.9) < p() < p(workload=0.1)
    assert p(backlog=1.0) == pytest.approx(1 / (1 + math.exp(2.0)))
    # the powerful, with territory to share, stay away; the powerless have little to lose
    assert p(territoriality=0.8) == pytest.approx(1 / (1 + math.exp(1.5 * 0.8)))


def test_choose_attendees_keeps_the_convener_and_skips_leavers():
    n = 200
    model = collabsim.CollaborationModel(n_people=n)
    state = model.state
    people = state.people
    people.active[:] = True
    people.active[:50] = False
    people.steady[:] = False
    people.steady[[60, 70]] = True
    people.commitment[:] = 0.5
    people.meeting_value[:] = 0.0
    people.workload[:] = 0.5
    people.territoriality[:] = 0.0
    people.attended_last[:] = False
    chosen = attendance.choose_attendees(state.world, compiled_settings(model, attendance=WEIGHTS))
    assert set(chosen).isdisjoint(range(50)) and {60, 70} <= set(chosen)
    assert np.array_equal(np.flatnonzero(people.attended_last), chosen)
    assert 50 < chosen.size < 150  # about half of the 150 members


def test_mixed_seating_mixes_organisations_clustered_does_not():
    stream = draws.new_stream(np.random.default_rng(3))
    org = np.repeat(np.arange(6), 10)  # six organisations of ten
    attendees = np.arange(60)
    mixed = attendance.seat(stream, attendees, org, 6, True)
    home = attendance.seat(stream, attendees, org, 6, False)
    assert sorted(mixed) == sorted(home) == list(range(60))

    def orgs_per_table(seated, mixed_):
        bounds = attendance.table_bounds(seated.size, 6, mixed_)
        return np.mean(
            [len(set(org[seated[a:b]])) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        )

    assert orgs_per_table(mixed, True) == 6
    assert orgs_per_table(home, False) < 2
    bounds = attendance.table_bounds(17, 6, True)
    assert list(np.diff(bounds)) == [6, 6, 5]


# --- M7, M10 learning and leadership -------------------------------------------------------


def test_programmes_build_frontline_skill_and_wear_down_tops_territory():
    staff = namedtuple("Staff", "role skill leader_identity territoriality")
    rates = learning.ProgrammeRates(
        programme_intensity=1.0, skill_gain=0.1, identity_gain=0.1, territoriality_unlearning=0.1
    )
    role = np.array([TOP, MIDDLE, BOTTOM])
    people = staff(role, np.full(3, 0.2), np.full(3, 0.2), np.full(3, 0.8))
    world, settings = namedtuple("World", "people"), namedtuple("Settings", "programmes")(rates)
    learning.programme_session(world(people), settings, np.arange(3), 1.0)
    assert people.skill[0] == 0.2 and people.skill[1] == pytest.approx(0.28)
    assert people.leader_identity[2] == pytest.approx(0.28)
    assert people.territoriality[0] == pytest.approx(0.72) and people.territoriality[1] == 0.8
    deeper = staff(role, np.full(3, 0.2), np.full(3, 0.2), np.full(3, 0.8))
    learning.programme_session(world(deeper), settings, np.arange(3), 1.5)
    assert deeper.skill[1] == pytest.approx(0.32)  # the academic partner deepens learning
    assert learning.claim_leadership(0.5, 0.2) == pytest.approx(0.6)


# --- M8 change work on NK landscapes -------------------------------------------------------


def test_nk_fitness_and_moves():
    rng = np.random.default_rng(0)
    neighbours, contributions = landscape.make_landscapes(rng, 1, 8, 3)
    nb, ct = neighbours[0], contributions[0]
    assert neighbours.shape == (1, 8, 3) and contributions.shape == (1, 8, 16)
    assert all(n not in nb[n] for n in range(8))  # nobody depends on themselves
    values = [landscape.fitness(c, nb, ct) for c in range(256)]
    assert 0 < min(values) and max(values) < 1
    assert landscape.flip(landscape.flip(37, 4), 4) == 37
    assert landscape.flip(0, 3) == 8
    stream = draws.new_stream(rng)
    mask, vals = landscape.redraw(stream, 8, 0.5)
    assert bin(mask).count("1") == 4 and vals & ~mask == 0
    assert landscape.redesigned(0b11110000, 0b00111100, 0b00010100) == 0b11010100
    owner = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    mine = [n for n in range(8) if owner[n] == 1]
    expected = np.mean([landscape.contribution(37, n, nb, ct) for n in mine])
    assert landscape.own_fitness(37, 1, owner, nb, ct) == pytest.approx(expected)
    assert landscape.own_fitness(37, 9, owner, nb, ct) == 0.0


def test_proposals_need_energy_skill_and_entitlement():
    p = change.proposal_probability
    assert p(0.0, 0.5, 0.5, 0.0, 0.5, 0.2) == 0.0
    # entitlement is the mean of leader identity and freedom to prototype
    assert p(0.5, 0.5, 0.5, 0.0, 0.0, 0.2) == pytest.approx(0.2 * 0.5 * 0.5 * 0.25)
    assert p(0.5, 0.5, 0.5, 0.0, 1.0, 0.2) == pytest.approx(0.2 * 0.5 * 0.5 * 0.75)
    assert p(0.5, 0.5, 0.5, 1.0, 0.0, 0.2) == pytest.approx(2 * p(0.5, 0.5, 0.5, 0.0, 0.0, 0.2))


def test_the_environment_moves_and_unsupported_changes_unravel():
    rng = np.random.default_rng(4)
    neighbours, contributions = landscape.make_landscapes(rng, 2, 10, 2)
    config = np.array([5, 9], dtype=np.int64)
    fit = np.array(
        [landscape.fitness(config[p], neighbours[p], contributions[p]) for p in range(2)]
    )
    stream = draws.new_stream(rng)
    initial = np.array([0, 0], dtype=np.int64)
    made = config.copy()
    pathways = namedtuple(
        "Pathways",
        "config initial_config network_made fitness neighbours contributions environment_shift",
    )(config, initial, made, fit, neighbours, contributions, np.full(2, 0.25))
    world = namedtuple("World", "stream environment pathways")(stream, stream, pathways)
    rates = landscape.LandscapeRates(environment_change=0.2, n_practices=10, unsupported_decay=1.0)
    settings = namedtuple("Settings", "landscape")(rates)
    before, fit_before = contributions.copy(), fit.copy()
    landscape.shift_environment(world, settings)
    changed = np.any(before != contributions, axis=2).sum(axis=1)
    assert list(changed) == [2, 2]
    assert fit[0] == pytest.approx(landscape.fitness(config[0], neighbours[0], contributions[0]))
    # each pathway's record of what the environment did adds up the moves it made
    assert np.allclose(pathways.environment_shift, 0.25 + fit - fit_before, rtol=0, atol=1e-15)
    assert not np.allclose(fit, fit_before)
    landscape.unravel(world, settings)
    assert list(config) == [0, 0] and list(made) == [0, 0]


# --- M9 decisions ----------------------------------------------------------------------------


def test_territoriality_weighs_only_when_control_is_ceded():
    w = decisions.GrantWeights(
        grant_base=0.5,
        grant_trust=3.0,
        grant_alignment=1.5,
        grant_territoriality=4.0,
        grant_commitment=2.0,
    )
    own = decisions.grant_probability(0.5, 0.5, 0.9, 0.5, False, w)
    ceded = decisions.grant_probability(0.5, 0.5, 0.9, 0.5, True, w)
    assert own == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert ceded < own / 4
    assert decisions.grant_probability(0.9, 0.5, 0.5, 0.5, True, w) > decisions.grant_probability(
        0.1, 0.5, 0.5, 0.5, True, w
    )
    assert decisions.grant_probability(0.5, 0.5, 0.5, 0.9, True, w) > decisions.grant_probability(
        0.5, 0.5, 0.5, 0.1, True, w
    )


def test_gatekeeper_is_an_active_top_else_the_most_senior_member():
    stream = draws.new_stream(np.random.default_rng(0))
    org_start = np.array([0, 4, 7, 10])
    role = np.array([TOP, TOP, MIDDLE, BOTTOM, MIDDLE, BOTTOM, BOTTOM, BOTTOM, MIDDLE, TOP])
    tops = np.flatnonzero(role == TOP)
    power = np.array([1.0, 0.9, 0.6, 0.3, 0.5, 0.4, 0.2, 0.1, 0.3, 0.2])
    active = np.ones(10, dtype=bool)
    picks = {decisions.gatekeeper(stream, 0, org_start, tops, power, active) for _ in range(50)}
    assert picks == {0, 1}
    assert decisions.gatekeeper(stream, 2, org_start, tops, power, active) == 9  # a last post
    active[[0, 1]] = False
    assert decisions.gatekeeper(stream, 0, org_start, tops, power, active) == 2
    assert decisions.gatekeeper(stream, 1, org_start, tops, power, active) == 4
    active[9] = False  # its one top gone: the most powerful member left decides
    assert decisions.gatekeeper(stream, 2, org_start, tops, power, active) == 8
    active[4:7] = False
    assert decisions.gatekeeper(stream, 1, org_start, tops, power, active) == -1


def test_ceding_territory_costs_power_and_builds_the_tops_record():
    m = small_model()
    p = m.state.people
    top = int(np.flatnonzero(p.role == TOP)[0])
    p.power[top], p.ceded[top] = 0.8, 0.0
    decisions.cede_territory(top, p, 0.1, 0.2)
    assert p.power[top] == pytest.approx(0.72) and p.ceded[top] == pytest.approx(0.2)
    decisions.cede_territory(top, p, 0.1, 0.2)
    assert p.ceded[top] == pytest.approx(0.36)
    # the network's shared capacity is the tops' mean record, whatever their number
    tops = p.active & (p.role == TOP)
    assert m.shared_capacity == pytest.approx(p.ceded[tops].mean())


# --- M14, M15 -----------------------------------------------------------------------------


def test_people_drift_away_only_after_enough_low_meetings():
    m = small_model()
    p, s = m.state.people, m.state
    p.commitment[:] = 0.05
    low = compiled_settings(m, exits=m.settings.exits._replace(exit_threshold=0.15))
    assert turnover.drift_away(s.world, low, 3) == 0
    assert turnover.drift_away(s.world, low, 3) == 0
    left = turnover.drift_away(s.world, low, 3)
    assert left == int((~p.steady).sum()) and not p.active[~p.steady].any()
    assert p.active[p.steady].all()


def test_frustration_makes_moving_on_likelier_and_steady_posts_stay():
    m = small_model()
    p, s = m.state.people, m.state
    leavers = np.zeros(40, dtype=np.int64)
    weekly = m.settings.exits._replace(turnover_rate=0.05 * 52, turnover_frustration=3.0)
    rates = compiled_settings(m, exits=weekly)

    def weeks_of_moving_on(frustration):
        p.frustration[:] = frustration
        total = 0
        for week in range(200):  # each a week of its own: a week's draws are the week's
            draws.start_week(s.stream, week)
            total += turnover.move_on(s.world, rates, leavers)
        return total

    calm, upset = weeks_of_moving_on(0.0), weeks_of_moving_on(1.0)
    assert upset > 3 * calm > 0
    assert not set(leavers[:5]) & set(np.flatnonzero(p.steady))


def test_newcomers_are_drawn_within_range_and_take_prevailing_commitment():
    m = small_model()
    s = m.state
    p = s.people
    members = p.active & ~p.steady
    p.commitment[members] = 0.2
    p.commitment[~members] = 0.9  # those outside the network do not set the mean
    p.commitment[np.flatnonzero(members)[0]] = 0.5
    expected = (0.5 + 0.2 * (members.sum() - 1)) / members.sum()
    assert turnover.prevailing_commitment(p, 0.7) == pytest.approx(expected)
    post = 12
    p.granted[post], p.blocked[post], p.ceded[post] = 3, 2, 0.5
    turnover.replace_person(s.world, post, s.draws, True, 4, 0.2)
    assert p.granted[post] == 0 and p.blocked[post] == 0 and p.ceded[post] == 0.0
    assert p.joined_meeting[post] == 4 and p.active[post]
    assert abs(p.commitment[post] - 0.2) < 0.6
    for name in (
        "territoriality",
        "commitment",
        "skill",
        "narrative",
        "leader_identity",
        "workload",
    ):
        assert 0 <= getattr(p, name)[post] <= 1


def test_a_network_fails_without_people_room_or_tops():
    f = sustainability.network_failing
    assert not f(0.9, 0.6, True, 0.25)
    assert f(0.4, 0.6, True, 0.25)
    assert f(0.9, 0.2, True, 0.25)
    assert f(0.9, 0.6, False, 0.25)


def test_an_organisation_withdraws_when_its_chief_loses_heart_for_long_enough():
    m = small_model(top_share=0.3)  # organisations with several senior leaders
    s, p = m.state, m.state.people
    k = int(np.flatnonzero([not o.is_academic_partner for o in s.organisations])[1])
    lo, hi = s.org_start[k], s.org_start[k + 1]
    assert (p.role[lo:hi] == TOP).sum() >= 2 and p.role[lo] == TOP  # setup
    p.commitment[:] = 0.8
    floor = compiled_settings(m, exits=m.settings.exits._replace(tops_commitment_floor=0.2))

    def meeting():
        return sustainability.organisations_withdrawing(s.world, floor, m.state.partner_index, 3)

    p.commitment[lo + 1 : hi] = 0.05  # all but the chief have lost heart: it stays
    for _ in range(4):
        assert meeting() == 0
    assert not s.withdrawn[k]
    p.commitment[lo + 1 : hi] = 0.9
    p.commitment[lo] = 0.05  # the chief alone has lost heart: it goes, everyone with it
    assert meeting() == 0 and meeting() == 0 and not s.withdrawn[k]
    left = meeting()
    assert s.withdrawn[k] and left == hi - lo and not p.active[lo:hi].any()
    assert s.withdrawn.sum() == 1 and p.active[:lo].all()
    m.replace(int(lo))  # a newcomer in a withdrawn organisation does not join
    assert not p.active[lo]


def test_a_chief_who_recovers_resets_the_count_and_the_central_leader_holds_their_organisation():
    m = small_model()
    s, p = m.state, m.state.people
    leader_org = p.org[s.central_leader]
    assert s.central_leader == s.org_start[leader_org]  # the central leader is its chief
    floor = compiled_settings(m, exits=m.settings.exits._replace(tops_commitment_floor=0.2))
    p.commitment[p.org == leader_org] = 0.0
    p.commitment[s.central_leader] = 1.0  # committed by design
    for _ in range(5):
        sustainability.organisations_withdrawing(s.world, floor, m.state.partner_index, 3)
    assert not s.withdrawn[leader_org]
    k = int(np.flatnonzero(s.org_low_meetings == 0)[0])
    s.org_low_meetings[k] = 2
    p.commitment[s.org_start[k] : s.org_start[k + 1]] = 0.9
    sustainability.organisations_withdrawing(s.world, floor, m.state.partner_index, 3)
    assert s.org_low_meetings[k] == 0 and not s.withdrawn[k]
