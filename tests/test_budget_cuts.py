"""A run's funding history: budget cuts drawn from the world's seed alone (ODD 7.18)."""

from __future__ import annotations

import numpy as np
import pytest

import collabsim
from collabsim.initialisation import budget_cut_weeks
from collabsim.mechanisms.roles import TOP


def _cut_weeks(seed, **values):
    m = collabsim.CollaborationModel(collabsim.scenario("iocn").replace(**values), rng=seed)
    return m, m.state.budget_cut_weeks


def test_every_run_of_a_seed_has_the_same_history_whatever_its_size_or_design():
    _, weeks = _cut_weeks(4, budget_cut_rate=2.0)
    assert weeks.size  # 2 a year for five years: none at all has a chance of e^-10
    for values in ({"n_people": 1000}, {"academic_partner": False}, {"cede_willingness": 0.9}):
        assert np.array_equal(_cut_weeks(4, budget_cut_rate=2.0, **values)[1], weeks)
    m, _ = _cut_weeks(4, budget_cut_rate=2.0)
    assert np.array_equal(m.silo_twin.state.budget_cut_weeks, weeks)  # the twin's too
    assert not np.array_equal(_cut_weeks(5, budget_cut_rate=2.0)[1], weeks)


def test_a_higher_rate_adds_cuts_without_moving_those_of_a_lower_one():
    for seed in range(20):
        low, high = _cut_weeks(seed, budget_cut_rate=0.5)[1], _cut_weeks(seed, budget_cut_rate=3)[1]
        assert set(low) <= set(high)
        assert _cut_weeks(seed, budget_cut_rate=0.0)[1].size == 0


def test_cuts_come_at_the_declared_rate_for_as_long_as_a_run_may_go():
    # 200 runs of five years at 1.5 cuts a year: 1,500 cuts expected within the horizon,
    # Poisson SD about 39; margin 150 (nearly four SDs)
    params = collabsim.scenario("iocn").replace(budget_cut_rate=1.5)
    weeks = [budget_cut_weeks(params, np.random.default_rng(seed)) for seed in range(200)]
    assert abs(sum(np.count_nonzero(w <= params.horizon) for w in weeks) - 1500) < 150
    everything = np.concatenate(weeks)  # and on past it, a run stepped on lives on with cuts
    assert everything.min() == 1 and everything.max() > params.horizon
    assert everything.max() <= collabsim.PARAMETERS["horizon"].high


def test_a_cut_raises_tops_territoriality_and_everyones_workload_in_its_week():
    m, weeks = _cut_weeks(4, budget_cut_rate=2.0, budget_cut_severity=0.2)
    people = m.state.people
    first = int(weeks[0])
    assert first > 1 and first - 1 not in weeks  # a week before it with no cut
    while m.steps < first - 1:
        m.step()
    tops = people.role == TOP
    before = people.territoriality.copy(), people.workload.copy()
    m.apply_scheduled_events(first - 1)  # the week before has no cut
    assert np.array_equal(people.workload, before[1])
    m.apply_scheduled_events(first)  # the start of the cut's week, before its work
    assert people.territoriality[tops] == pytest.approx(np.minimum(1, before[0][tops] + 0.2))
    assert people.workload == pytest.approx(np.minimum(1, before[1] + 0.2))
    # stepped, a run and its silo twin live through it, and newcomers inherit the shift
    m, _ = _cut_weeks(4, budget_cut_rate=2.0, budget_cut_severity=0.2)
    while m.steps < first - 1:
        m.step()
    for world in (m, m.silo_twin):
        assert world.state.draws.org_workload_shift == pytest.approx(0.0)
    m.step()
    for world in (m, m.silo_twin):
        assert world.state.draws.org_workload_shift == pytest.approx(0.2)


def test_cuts_wear_networks_down():
    # the same 40 seeds with and without a history of cuts (two a year, severity 0.3): cuts
    # harden turf and crowd out the time for the network, so fewer networks last. A
    # one-sided sign test on the paired runs at 0.01.
    from scipy.stats import binomtest

    def sustained(rate):
        p = collabsim.scenario("iocn").replace(budget_cut_rate=rate, budget_cut_severity=0.3)
        return np.array(
            [collabsim.run(p, seed=s, silo_twin=False).summary["sustained"] for s in range(40)]
        )

    without, with_cuts = sustained(0.0), sustained(2.0)
    worse, better = int(np.sum(without & ~with_cuts)), int(np.sum(with_cuts & ~without))
    assert binomtest(worse, worse + better, alternative="greater").pvalue < 0.01
