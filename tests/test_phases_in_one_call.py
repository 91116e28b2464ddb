"""A week in one compiled call gives the same weeks as its phases called one at a time.

In a run nobody plays, each week after its events (the meeting, change work, talk between
meetings, commitment, exits and turnover, the sustainability check) is one compiled call
(``mechanisms.whole_week.live_week``); with people played by participants, whose choices
come between them, the week calls the same phases one at a time (``collabsim.week``).
Playing a frontline post whose player makes no choice changes nothing in the run, but it
sends every week down the phase-by-phase path: the two runs must agree exactly, value for
value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_same_results as same_results

import collabsim
from collabsim.mechanisms import weekly
from collabsim.mechanisms.roles import BOTTOM
from collabsim.metrics import summarise
from collabsim.model import CollaborationModel

#: name -> (scenario, parameters changed, seed, weeks): four of the runs whose record
#: ``test_same_results`` keeps, and one of restless leaders
RUNS = {
    name: same_results.RUNS[name][:4] for name in ("iocn", "clahrc", "beston", "iocn_every_event")
} | {
    # leaders acting in self-interest and moving on in weeks without a meeting, unscheduled
    "restless": (
        "iocn",
        {
            "n_people": 100,
            "turnover_rate": 0.6,
            "self_interest_hazard": 0.05,
            "cede_willingness": 0.1,
        },
        1,  # a seed whose leader holding the centre moves on in a week without a meeting
        156,
    ),
}


def _run(name: str, played: bool) -> CollaborationModel:
    scenario, changes, seed, weeks = RUNS[name]
    model = CollaborationModel(collabsim.scenario(scenario, **changes), rng=seed)
    if played:  # a frontline post whose player makes no choice: every week phase by phase
        frontline = np.flatnonzero((model.state.people.role == BOTTOM) & ~model.state.people.steady)
        model.played.play(int(frontline[0]))
    for _ in range(weeks):
        model.step()
    return model


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_week_in_one_call_gives_the_weeks_told_phase_by_phase(name):
    """Same time series, summary and per-person records, exactly, on both paths."""
    together, told = _run(name, played=False), _run(name, played=True)
    pd.testing.assert_frame_equal(together.timeseries(), told.timeseries(), check_exact=True)
    first, second = summarise(together), summarise(told)
    assert first.keys() == second.keys()
    for key, value in first.items():
        assert value == second[key] or (np.isnan(value) and np.isnan(second[key])), key
    for record in ("meetings_attended", "changes_granted", "changes_blocked"):
        assert [getattr(p, record) for p in together.people] == [
            getattr(p, record) for p in told.people
        ]


def test_the_restless_run_takes_the_rarer_turns_in_weeks_without_a_meeting():
    """The comparison above covers, in weeks without a meeting, a senior leader acting in
    self-interest and the leader holding the centre moving on unscheduled."""
    scenario, changes, seed, weeks = RUNS["restless"]
    model = CollaborationModel(collabsim.scenario(scenario, **changes), rng=seed)
    quiet_acts, quiet_leaving = 0, 0
    for _ in range(weeks):
        acts, leader = model.network.self_interest_acts, model.network.central_leader_present
        model.step()
        if not model.network.meeting_held:
            quiet_acts += model.network.self_interest_acts - acts
            quiet_leaving += leader and not model.network.central_leader_present
    assert quiet_acts >= 1
    assert quiet_leaving == 1


@pytest.mark.parametrize(
    "n", [0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 1000, 4097, collabsim.PARAMETERS["n_people"].high]
)
def test_the_compiled_sum_adds_as_numpy_does(n):
    """Exactly NumPy's sum, so quality and shared capacity do not move in their last bits.

    Up to the most people a run may have, the longest array summed. Above 8,192 items NumPy
    itself adds differently from one version to another (2.0 in buffers of 8,192, later
    versions not), so no order matches every NumPy there.
    """
    rng = np.random.default_rng(n)
    for scale in (1.0, 1e-3, 1e6):
        values = rng.random(n) * scale
        assert weekly.sum_in_numpy_order(values) == np.add.reduce(values)


def test_the_network_reads_and_sets_each_running_figure_by_its_name():
    """Every figure the compiled phases keep in ``standing`` is ``Network``'s by name.

    ``initial_quality`` and ``initial_members`` are read only by the compiled phases; the
    collapse week is read as None while the network lives.
    """
    network = CollaborationModel("iocn", rng=0).network
    indices = {
        name.lower(): index
        for name, index in vars(weekly).items()
        if name.isupper() and isinstance(index, int) and index < weekly.N_STANDING
    }
    assert sorted(indices.values()) == list(range(weekly.N_STANDING))
    assert "standing" not in repr(network) and "quality=1.0" in repr(network)
    assert network.collapse_step is None
    network.standing[weekly.COLLAPSE_STEP] = 7
    assert network.collapse_step == 7
    for name, index in indices.items():
        if name in ("initial_quality", "initial_members"):
            assert not hasattr(network, name)
            continue
        if name == "collapse_step":
            continue
        setattr(network, name, 1)
        assert network.standing[index] == 1
        network.standing[index] = 0
        assert getattr(network, name) == 0


@pytest.mark.parametrize("scenario", ["iocn", "hierarchy"])
def test_the_model_asks_whether_the_network_works_as_the_compiled_phases_do(scenario):
    """``network_on`` is read in Python without a crossing; it must agree with the phases'
    own test every week, through dissolution, in a convened network and in silos."""
    model = CollaborationModel(scenario, rng=3, n_people=100, results_pressure=0.4)
    seen = set()
    for _ in range(156):
        model.step()
        for world in (model, model.silo_twin):
            if world is None:
                continue
            compiled = weekly.network_on(world.state.world, world.settings_ref)
            assert world.network_on == compiled
            seen.add(compiled)
    assert seen == ({True, False} if scenario == "iocn" else {False})
