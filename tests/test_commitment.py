"""M12 and M13: commitment as learned hope, the update on actions, and self-interested acts."""

from __future__ import annotations

import numpy as np
import pytest
from mechanism_support import compiled_settings, hope, small_model

import collabsim
from collabsim.initialisation import pathway_count
from collabsim.mechanisms import commitment, meeting, trust_store
from collabsim.mechanisms.roles import TOP


def test_aspiration_follows_performance_plus_pressure_and_the_leader_shields():
    a = 0.0
    for _ in range(400):
        a = commitment.aspiration_after(a, 0.1, 0.05, 0.95)
    assert a == pytest.approx(0.15)
    assert commitment.shielded_pressure(0.2, 0.0, 0.8) == pytest.approx(0.2)
    assert commitment.shielded_pressure(0.2, 1.0, 0.8) == pytest.approx(0.04)


def _meeting(model, came, strain, progress, rates):
    """A meeting's experiences in ``model`` for those in ``came``, at commitment ``rates``."""
    model.state.people.attended_last[:] = came
    settings = compiled_settings(model, commitment=rates)
    commitment.meeting_experiences(model.state.world, settings, strain, progress)


def test_an_experience_moves_commitment_a_share_of_the_way_to_its_value():
    m = small_model()
    p = m.state.people
    i = int(np.flatnonzero(~p.steady)[0])
    p.commitment[i] = 0.4
    commitment.see_win(p, i, 0.25)
    assert p.commitment[i] == pytest.approx(0.55) and p.won[i]
    commitment.suffer_setback(p, i, 0.2, True)
    assert p.commitment[i] == pytest.approx(0.44) and p.setback[i]
    for _ in range(200):  # however many wins, hope never passes full commitment
        commitment.see_win(p, i, 0.5)
    assert p.commitment[i] <= 1.0
    convener = m.state.convener
    commitment.suffer_setback(p, convener, 0.9, True)  # committed by design: not moved
    assert p.commitment[convener] == 1.0
    leader = m.state.central_leader  # steady in post, but hope is learned
    commitment.suffer_setback(p, leader, 0.5, True)
    assert p.commitment[leader] == pytest.approx(0.5)


def test_a_setback_outside_a_working_network_strains_but_leaves_hope_as_it_is():
    """In silos there is no venture to lose hope in (ODD 7.14): it counts as strain only."""
    m = small_model()
    p = m.state.people
    i = int(np.flatnonzero(~p.steady)[0])
    p.commitment[i] = 0.4
    commitment.suffer_setback(p, i, 0.5, False)
    assert p.commitment[i] == 0.4 and p.setback[i]


def test_the_leaders_drive_moves_those_who_came_towards_the_leaders_own_hope():
    m = small_model()
    p, leader, convener = m.state.people, m.state.central_leader, m.state.convener
    assert p.steady[leader] and p.steady[convener]
    came = np.zeros(p.active.size, dtype=bool)
    present, away = (int(i) for i in np.flatnonzero(~p.steady & p.active)[:2])
    came[[present, leader, convener]] = True
    p.commitment[[present, away]] = 0.8
    p.commitment[leader] = 0.2  # a leader worn down takes the room down with them
    commitment.leader_drive(p, came, leader, 0.25)
    assert p.commitment[present] == pytest.approx(0.65)
    assert p.commitment[away] == 0.8  # not there: not moved
    assert p.commitment[leader] == 0.2 and p.commitment[convener] == 1.0
    p.commitment[leader] = 1.0  # and a heartened one lifts it
    commitment.leader_drive(p, came, leader, 0.25)
    assert p.commitment[present] == pytest.approx(0.7375)


def test_weeks_without_experiences_leave_commitment_as_it_is():
    m = small_model()
    p = m.state.people
    start = p.commitment.copy()
    for _ in range(20):
        commitment.week_passes(p, p.active, 0.3)
    assert np.array_equal(p.commitment, start)
    assert np.all(p.frustration[p.active & ~p.steady] > 0)  # the slow pace frustrates


def test_a_week_with_a_win_is_not_frustrating_and_setbacks_are():
    m = small_model()
    p = m.state.people
    a, b, c = np.flatnonzero(p.active & ~p.steady)[:3]
    p.frustration[:] = 0.5
    commitment.see_win(p, a, 0.1)
    commitment.suffer_setback(p, b, 0.1, True)
    commitment.week_passes(p, p.active, 0.5)  # the pace half as frustrating as a setback
    assert p.frustration[a] == pytest.approx(0.5 - 0.5 / 13)
    assert p.frustration[b] == pytest.approx(0.5 + 0.5 / 13)
    assert p.frustration[c] == pytest.approx(0.5)
    assert not p.won.any() and not p.setback.any()


def test_a_meeting_moves_those_who_came_towards_its_worth_and_those_away_down():
    m = small_model()
    p = m.state.people
    a, b, c = np.flatnonzero(p.active & ~p.steady)[:3]
    p.commitment[[a, b, c]] = 0.5
    p.meeting_value[a], p.meeting_value[b] = 1.0, -1.0
    came = np.zeros(p.active.size, dtype=bool)
    came[[a, b]] = True
    rates = hope(meeting_energy=0.2, commitment_decay=0.1, pressure_sensitivity=0.0)
    _meeting(m, came, 0.0, _every_pathway(m, 0.0), rates)
    assert p.commitment[a] == pytest.approx(0.6) and p.commitment[b] == pytest.approx(0.4)
    assert p.commitment[c] == pytest.approx(0.45)  # kept away by the day job
    assert p.commitment[m.state.convener] == 1.0  # committed by design
    assert p.commitment[m.state.central_leader] < 1.0  # away, and the leader's hope is learned


def _every_pathway(model, value):
    """An update on actions reporting ``value`` of every pathway of ``model``."""
    return np.full(pathway_count(model.params), value)


def test_the_update_on_actions_moves_those_who_came_towards_what_it_reports():
    m = small_model()
    p = m.state.people
    a, b = np.flatnonzero(p.active & ~p.steady)[:2]
    p.commitment[[a, b]] = 0.5
    came = np.zeros(p.active.size, dtype=bool)
    came[a] = True
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )
    _meeting(m, came, 0.0, _every_pathway(m, 1.0), rates)
    assert p.commitment[a] == pytest.approx(0.6)
    assert p.commitment[b] == pytest.approx(0.5)  # not there, did not hear it
    _meeting(m, came, 0.0, _every_pathway(m, 0.0), rates)
    assert p.commitment[a] == pytest.approx(0.48)


def test_the_first_meeting_hears_no_update_and_the_later_ones_do():
    """Whole meetings (``meeting.hold``), with the update on actions the only thing that
    moves commitment: the first moves nobody, however much is on record, since nothing
    had been taken on yet; the second reports that nothing was done since."""
    m = small_model(central_leader_strength=0.0)  # no leader's drive
    p, world = m.state.people, m.state.world
    a = int(np.flatnonzero(p.active & ~p.steady)[0])
    p.attended_last[:] = False
    p.attended_last[a] = True
    attendees = np.array([a], dtype=np.int64)
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )
    settings = compiled_settings(m, commitment=rates)
    p.commitment[a] = 0.5
    m.state.pathways.actions_since_meeting[:] = 4  # a full report, were it heard
    meeting.hold(world, settings, attendees, 1)
    assert p.commitment[a] == 0.5  # a progress of None is not a report of nothing done
    assert not m.state.pathways.actions_since_meeting.any()  # the record starts afresh
    meeting.hold(world, settings, attendees, 5)
    assert p.commitment[a] == pytest.approx(0.4)
    assert m.network.meetings_held == 2 and m.network.last_meeting == 5


def test_each_member_hears_their_own_pathways_record_and_tops_the_whole_networks():
    m = small_model()
    p = m.state.people
    assert pathway_count(m.params) == 2
    first = int(np.flatnonzero((p.pathway == 0) & ~p.steady)[0])
    second = int(np.flatnonzero((p.pathway == 1) & ~p.steady)[0])
    top = int(np.flatnonzero((p.role == TOP) & ~p.steady)[0])
    assert p.pathway[top] == -1
    p.commitment[[first, second, top]] = 0.5
    came = p.active.copy()
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )
    _meeting(m, came, 0.0, np.array([1.0, 0.0]), rates)
    assert p.commitment[first] == pytest.approx(0.6)  # their pathway did what it took on
    assert p.commitment[second] == pytest.approx(0.4)  # theirs had nothing to report
    assert p.commitment[top] == pytest.approx(0.5)  # serves both: hears the mean, 0.5


def test_the_update_on_actions_reports_a_monthly_rate_per_pathway_whatever_the_calendar():
    # three full pathway teams: two changes, none, one; a month since the last meeting
    assert list(commitment.progress_reported(np.array([2, 0, 1]), 4, 1.0)) == [1, 0, 1]
    # the same record over a quarter is a third of a change a month on two of them
    assert commitment.progress_reported(np.array([2, 0, 1]), 12, 1.0) == pytest.approx(
        [2 / 3, 0, 1 / 3]
    )
    # a team half again as large took on half again as much: one action is two thirds
    assert commitment.progress_reported(np.array([1, 2]), 4, 1.5) == pytest.approx([2 / 3, 1])


def test_a_pathway_takes_on_a_months_actions_in_proportion_to_its_people():
    def taken_on(n_people, pathway_team_size=100):
        params = collabsim.Params(n_people=n_people, pathway_team_size=pathway_team_size)
        return commitment.actions_taken_on(n_people, pathway_count(params), pathway_team_size)

    assert taken_on(300) == taken_on(1000) == 1.0  # full teams
    assert taken_on(150) == 1.5  # one pathway: 150 people take on half again as much
    assert taken_on(25) == 0.25  # a small group on one issue takes on a quarter


@pytest.mark.parametrize(
    ("n_people", "pathways"), [(40, 1), (100, 1), (150, 1), (199, 1), (200, 2), (1000, 10)]
)
def test_a_network_takes_on_a_pathway_per_full_team_of_people(n_people, pathways):
    assert pathway_count(collabsim.Params(n_people=n_people)) == pathways


def test_the_pace_frustrates_as_the_mean_of_its_pathways_strains_not_the_strain_of_the_mean():
    # Two pathways expected to improve by 0.2 a year (aspiration held: memory 1, no
    # pressure): one improves at 0.6 a year, the other not at all. Averaged first, their
    # pace (0.3) would meet the aspiration; reviewed pathway by pathway, one falls short by
    # 0.2, a setback's strain, and the other not at all (ODD 7.14).
    m = small_model()
    pw = m.state.pathways
    assert pw.fitness.shape[0] == 2
    pw.aspiration[:] = 0.2
    week = 20
    pw.net_history[week % commitment.QUARTER] = pw.initial_fitness
    pw.fitness[:] = pw.initial_fitness * np.array([1.0 + 0.6 / 4, 1.0])  # 52 / 13 = 4
    aspiration, shortfall, strain = commitment.review_pace(m.state.pathways_ref, week, 0.0, 1.0)
    assert aspiration == pytest.approx(0.2)
    assert shortfall == pytest.approx(0.1)  # 0 and 0.2, where the mean pace falls short by 0
    assert strain == pytest.approx(0.5)  # 0 and 1
    pw.fitness[:] = pw.initial_fitness * np.array([1.0 + 1.0 / 4, 1.0 - 0.2 / 4])
    pw.net_history[week % commitment.QUARTER] = pw.initial_fitness
    _, shortfall, strain = commitment.review_pace(m.state.pathways_ref, week, 0.0, 1.0)
    assert shortfall == pytest.approx(0.2)  # 0 and 0.4
    assert strain == pytest.approx(0.5)  # 0 and 1, not min(1, 0.2 / 0.2) of the mean shortfall
    assert list(pw.net_history[week % commitment.QUARTER]) == pytest.approx(list(pw.fitness))


def test_a_shortfall_at_a_meeting_costs_everyone_up_to_the_pressure_sensitivity():
    m = small_model()
    p = m.state.people
    members = p.active & ~p.steady
    came = p.active.copy()
    p.meeting_value[:] = 0.0
    rates = hope(meeting_energy=0.0, pressure_sensitivity=0.2)
    p.commitment[members] = 0.5
    _meeting(m, came, 0.5, _every_pathway(m, 0.0), rates)  # half as bad
    assert np.allclose(p.commitment[members], 0.5 * 0.9)
    p.commitment[members] = 0.5
    _meeting(m, came, 1.0, _every_pathway(m, 0.0), rates)  # at its most frustrating
    assert np.allclose(p.commitment[members], 0.5 * 0.8)


def test_a_self_interested_act_costs_the_actor_trust_and_everyone_morale():
    m = small_model()
    s = m.state
    p = s.people
    actor = int(np.flatnonzero((p.role == TOP) & ~p.steady)[0])
    others = [i for i in range(40) if i != actor]
    before = np.array([trust_store.read(s.trust, i, actor) for i in others])
    c_before = p.commitment.copy()
    hit_hard = compiled_settings(m, commitment=hope(morale_hit=0.3, reputation_damage=0.3))
    commitment.self_interest_act(s.world, hit_hard, actor, True)
    after = np.array([trust_store.read(s.trust, i, actor) for i in others])
    assert np.all(after < before - 0.25 * before)
    assert s.trust.damage[actor] == pytest.approx(0.3)
    hit = p.active.copy()  # the central leader's hope too
    hit[[actor, s.convener]] = False
    assert np.allclose(p.commitment[hit], c_before[hit] * 0.7)
    assert p.commitment[s.convener] == c_before[s.convener] == 1.0  # committed by design


def test_a_discredited_venture_reports_progress_that_heartens_less_while_the_actor_stays():
    m = small_model()
    s, p = m.state, m.state.people
    actor = int(np.flatnonzero((p.role == TOP) & ~p.steady)[0])
    member = int(np.flatnonzero(p.active & ~p.steady & (p.role != TOP))[0])
    came = np.zeros(p.active.size, dtype=bool)
    came[member] = True
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )

    def after_update(reported):
        p.commitment[member] = 0.5
        _meeting(m, came, 0.0, _every_pathway(m, reported), rates)
        return p.commitment[member]

    assert commitment.credibility(s.world) == 1.0  # no leader has acted in self-interest
    assert after_update(1.0) == pytest.approx(0.6)
    s.trust.damage[actor] = 0.3
    assert commitment.credibility(s.world) == pytest.approx(0.7)
    assert after_update(1.0) == pytest.approx(0.5 + 0.2 * (0.7 - 0.5))  # believed as 0.7
    assert after_update(0.0) == pytest.approx(0.4)  # an empty update disheartens as much
    p.active[actor] = False  # the actor leaves: the venture is credible again
    assert commitment.credibility(s.world) == 1.0
    assert after_update(1.0) == pytest.approx(0.6)


def test_only_territorial_disheartened_tops_act_spontaneously():
    m = small_model()
    p, world = m.state.people, m.state.world
    certain = compiled_settings(m, commitment=hope(self_interest_hazard=1.0))
    p.territoriality[:] = 0.9
    p.commitment[:] = 0.9
    assert commitment.spontaneous_self_interest(world, certain, 100) == -1
    p.commitment[:] = 0.1
    actor = commitment.spontaneous_self_interest(world, certain, 100)
    assert actor >= 0 and p.role[actor] == TOP
    p.last_act[:] = 90  # acted ten weeks ago: not again within a year
    assert commitment.spontaneous_self_interest(world, certain, 100) == -1


def _acts_per_week(n_people, hazard, weeks=4000):
    """Weeks in which a top acts, a share, with every top territorial and disheartened."""
    m = collabsim.CollaborationModel(collabsim.scenario("iocn").replace(n_people=n_people), rng=3)
    p, world = m.state.people, m.state.world
    rates = compiled_settings(m, commitment=hope(self_interest_hazard=hazard))
    p.territoriality[:] = 0.9
    p.commitment[:] = 0.1
    p.last_act[:] = -1000
    acts = [commitment.spontaneous_self_interest(world, rates, 100) for _ in range(weeks)]
    actors = [a for a in acts if a >= 0]
    assert all(p.role[a] == TOP for a in actors)
    with_tops = {int(k) for k in p.org[p.role == TOP]}
    return len(actors) / weeks, with_tops, {int(p.org[a]) for a in actors}


def test_an_organisation_acts_as_often_as_its_leaders_are_disheartened_not_as_many():
    # Each week one of an organisation's senior posts speaks for it (ODD 7.15): with 8 of its
    # 33 tops disheartened and territorial, it acts in 8/33 of the weeks it would with all of
    # them (hazard 0.6: 0.145 of weeks, against 0.6 for a chance per organisation with any
    # such top; 4,000 weeks, standard error under 0.6 points, margin 3 points, five of them)
    m = collabsim.CollaborationModel(collabsim.scenario("iocn").replace(n_people=1000), rng=3)
    p, world = m.state.people, m.state.world
    rates = compiled_settings(m, commitment=hope(self_interest_hazard=0.6))
    org = int(p.org[p.role == TOP][0])
    tops = np.flatnonzero((p.role == TOP) & (p.org == org))
    eligible = tops[:8]
    p.territoriality[:] = 0.0
    p.territoriality[eligible] = 0.9
    p.commitment[:] = 0.1
    p.last_act[:] = -1000
    acts = [commitment.spontaneous_self_interest(world, rates, 100) for _ in range(4000)]
    assert {a for a in acts if a >= 0} == set(eligible.tolist())
    assert np.mean(np.array(acts) >= 0) == pytest.approx(0.6 * 8 / tops.size, abs=0.03)


def test_self_interest_is_a_chance_per_organisation_not_per_top():
    # 1,000 people of iocn have 100 tops in 11 organisations, 150 people 15 tops in 8: a
    # chance per top would make acts about seven times as likely; per organisation a week
    # with an act has chance 1 - (1 - h)^k, k the organisations with a top (4,000 weeks: a
    # standard error under 0.5 points; margin 2.5 points, five of them)
    for n_people in (150, 1000):
        share, with_tops, actors = _acts_per_week(n_people, 0.01)
        assert share == pytest.approx(1 - 0.99 ** len(with_tops), abs=0.025)
        assert actors == with_tops  # each organisation with a top has its turn


def test_the_network_is_judged_by_its_own_work_not_by_the_environment_moving():
    # With nobody proposing changes, only the environment moves quality: all of that move is
    # the environment's, so the network has made no progress, and what it is expected to
    # achieve follows the outside pressure alone (ODD 7.14; no central leader to shield it).
    still = small_model(
        proposal_rate=0.0,
        environment_change=0.2,
        results_pressure=0.2,
        central_leader_strength=0.0,
    )
    for _ in range(60):
        still.step()
    net = still.network
    assert abs(net.quality - 1.0) > 0.01  # the environment did move quality
    assert net.environment_shift == pytest.approx(net.quality - 1.0, abs=1e-12)
    memory = collabsim.Params().aspiration_memory
    # A <- a A + (1 - a)(0 + pressure), from A = 0 over 60 weeks
    assert net.aspiration == pytest.approx(0.2 * (1 - memory**60), rel=1e-9)
