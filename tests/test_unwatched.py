"""A run nobody watches (``collabsim.run``, every sweep) lives its weeks in compiled
stretches (``collabsim.unwatched``); it must come out exactly as stepping the model.

The runs are ``test_same_results``'s (every scenario kind, every kind of event, with and
without the silo twin, a network that never meets, a large one) and the restless one of
``test_phases_in_one_call`` (leaders acting and moving on in weeks without a meeting).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_phases_in_one_call as phases
import test_same_results as same_results

import collabsim
from collabsim import metrics
from collabsim.metrics import summarise
from collabsim.model import CollaborationModel
from collabsim.runner import run_rows
from collabsim.unwatched import UnwatchedModel, live

#: name -> (scenario, parameters changed, seed, weeks, with the silo twin)
RUNS = same_results.RUNS | {"restless": (*phases.RUNS["restless"], True)}


def _stepped(scenario: str, changes: dict, seed: int, weeks: int, twin: bool):
    model = CollaborationModel(collabsim.scenario(scenario, **changes), rng=seed, silo_twin=twin)
    for _ in range(weeks):
        model.step()
    frame = model.timeseries()
    return model, frame, summarise(model)


def _same_summary(expected: dict, actual: dict) -> None:
    assert expected.keys() == actual.keys()
    for name, value in expected.items():
        if isinstance(value, float) and np.isnan(value):
            assert np.isnan(actual[name]), name
        else:
            assert actual[name] == value, name


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_run_nobody_watches_is_the_run_stepped_week_by_week(name):
    """Time series and summary identical to the last bit, in the same process."""
    scenario, changes, seed, weeks, twin = RUNS[name]
    model, frame, summary = _stepped(scenario, changes, seed, weeks, twin)
    result = collabsim.run(
        collabsim.scenario(scenario, **changes), seed=seed, steps=weeks, silo_twin=twin
    )
    pd.testing.assert_frame_equal(result.timeseries, frame, check_exact=True)
    _same_summary(summary, result.summary)
    # a sweep's run: the same weeks as recorded rows, typed and named by the frame
    rows, summary_of_rows = run_rows(
        collabsim.scenario(scenario, **changes), seed=seed, steps=weeks, silo_twin=twin
    )
    pd.testing.assert_frame_equal(metrics.timeseries_frame(rows), frame, check_exact=True)
    _same_summary(summary, summary_of_rows)


def test_hearing_of_every_week_does_not_change_the_run():
    """With progress reported, the weeks are lived one compiled call each: same run."""
    scenario, changes, seed, weeks, twin = RUNS["iocn_every_event"]
    params = collabsim.scenario(scenario, **changes)
    heard = []
    reported = collabsim.run(
        params, seed=seed, steps=weeks, progress=lambda done, of: heard.append(done)
    )
    quiet = collabsim.run(params, seed=seed, steps=weeks)
    assert heard == list(range(weeks + 1))
    pd.testing.assert_frame_equal(reported.timeseries, quiet.timeseries, check_exact=True)


def test_an_unwatched_model_stands_as_the_stepped_one_after_its_weeks():
    """Its clock, its running flag and its collected weeks are Mesa's, as if stepped;
    its people are not Mesa agents, and the stepped model's are."""
    params = collabsim.scenario("beston")
    stepped, frame, _ = _stepped("beston", {}, 3, 10, True)
    model = UnwatchedModel(params, rng=3)
    live(model, 10)
    assert (model.steps, model.time, model.running) == (stepped.steps, stepped.time, True)
    assert model.timeseries().index.tolist() == list(range(11))
    assert model.datacollector.model_vars["quality"] == frame["quality"].tolist()
    assert len(model.agents) == 0 and len(stepped.agents) == params.n_people
    finished = UnwatchedModel(params, rng=3)
    live(finished, params.horizon)
    assert not finished.running


@pytest.mark.parametrize("twin", [True, False])
def test_the_compiled_pass_writes_every_reporters_column(twin):
    """``observe_into`` leaves no column as it found it, whatever was there: a reporter
    declared and not computed would otherwise report whatever the memory held."""
    model = CollaborationModel("beston", rng=2, silo_twin=twin)
    for _ in range(6):
        model.step()
    silo_quality = model.silo_twin.network.quality if twin else np.nan
    for sentinel in (1e300, -7.0):
        row = np.full(len(metrics.REPORTERS), sentinel)
        metrics.observe_into(model.state.world, silo_quality, True, row)
        unwritten = [n for n, v in zip(metrics.REPORTER_NAMES, row, strict=True) if v == sentinel]
        assert unwritten == []
