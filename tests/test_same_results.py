"""Restructuring the code must not change what the model computes.

A fixed set of runs (scenarios, levers, sizes, every kind of event, with and without the
silo twin) is reduced to a compact record of each run: every reporter's sum and
week-weighted sum over the run, the summary, and the per-person records Mesa reports.
``tests/data/same_results.json`` holds the record made by the code as it stood before a
restructuring; a refactoring that changes any run's course changes it.

The comparison allows a relative difference of 1e-9, not bit-for-bit bytes: a processor
or C library other than the one that made the record may round a function's value
otherwise in its last bit. A change to what the model does moves a run's course, and its
record, far more. A run takes none of NumPy's functions that run other vector instructions
on some processors (``test_a_run_takes_no_numpy_function_that_varies_by_processor``).

When the model is changed on purpose (a mechanism, a default), remake the record and
commit it with the change::

    python tests/test_same_results.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import collabsim
from collabsim.metrics import summarise
from collabsim.model import CollaborationModel

RECORD = Path(__file__).parent / "data" / "same_results.json"

#: Relative tolerance of the comparison (see the module docstring).
RTOL = 1e-9

#: The runs: name -> (scenario, parameters changed, seed, weeks, with the silo twin).
RUNS: dict[str, tuple[str, dict, int, int, bool]] = {
    "iocn": ("iocn", {}, 1, 260, True),
    "iocn_other_seed": ("iocn", {}, 2, 260, True),
    "iocn_no_twin": ("iocn", {}, 2, 260, False),
    "clahrc": ("clahrc", {}, 3, 260, True),
    "beston": ("beston", {}, 4, 52, True),
    "hierarchy": ("hierarchy", {}, 5, 104, True),
    "iocn_every_event": (
        "iocn",
        {
            "events": [
                {"step": 20, "kind": "programme_starts"},
                {"step": 26, "kind": "central_leader_leaves"},
                {"step": 40, "kind": "self_interest_act"},
                {"step": 52, "kind": "resistant_member_leaves"},
                {"step": 52, "kind": "resistant_member_leaves"},
                {"step": 60, "kind": "budget_cut"},
                {"step": 104, "kind": "partner_withdraws"},
            ]
        },
        6,
        156,
        True,
    ),
    "iocn_hard_levers": (
        "iocn",
        {
            "n_people": 100,
            "power_imbalance": 0.8,
            "incremental_share": 0.2,
            "meeting_interval": 12,
            "results_pressure": 0.4,
        },
        7,
        156,
        True,
    ),
    "iocn_no_partner_distributed": (
        "iocn",
        {"academic_partner": False, "cede_willingness": 0.1, "distributed_leadership": 0.9},
        9,
        156,
        True,
    ),
    "iocn_large": ("iocn", {"n_people": 1000}, 8, 52, True),
}

#: Per-person records read from the Mesa agents.
PERSON_RECORDS = ("meetings_attended", "changes_granted", "changes_blocked")


def _number(value) -> float | None:
    """A JSON-safe number: None for NaN or a missing value."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def record_of(name: str) -> dict:
    """The compact record of one run of ``RUNS``."""
    scenario, changes, seed, weeks, twin = RUNS[name]
    model = CollaborationModel(collabsim.scenario(scenario, **changes), rng=seed, silo_twin=twin)
    for _ in range(weeks):
        model.step()
    frame = model.timeseries()
    weights = np.arange(1, len(frame) + 1, dtype=float)
    series = {}
    for column in frame.columns:
        values = frame[column].to_numpy(dtype=float)
        kept = ~np.isnan(values)
        series[column] = [
            _number(values[kept].sum()),
            _number((values * weights)[kept].sum()),
            int(kept.sum()),
        ]
    people = sorted(model.agents, key=lambda agent: agent.unique_id)
    persons = {k: [int(getattr(p, k)) for p in people] for k in PERSON_RECORDS}
    summary = {k: _number(v) for k, v in summarise(model).items()}
    return {"series": series, "summary": summary, "people": persons}


def _close(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is actual
    return math.isclose(expected, actual, rel_tol=RTOL, abs_tol=1e-12)


@pytest.fixture(scope="module")
def stored() -> dict:
    """The record made before the restructuring."""
    return json.loads(RECORD.read_text())


def test_the_record_covers_every_run(stored):
    """The stored record and the runs declared here are the same set."""
    assert sorted(stored) == sorted(RUNS)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_run_computes_what_it_computed_before(name, stored):
    """Each reporter, summary output and person record is as recorded."""
    expected, actual = stored[name], record_of(name)
    assert sorted(actual["series"]) == sorted(expected["series"])
    for column, values in expected["series"].items():
        got = actual["series"][column]
        assert all(_close(e, a) for e, a in zip(values, got, strict=True)), (column, values, got)
    assert sorted(actual["summary"]) == sorted(expected["summary"])
    for key, value in expected["summary"].items():
        assert _close(value, actual["summary"][key]), (key, value, actual["summary"][key])
    assert actual["people"] == expected["people"]


def test_the_record_tells_runs_apart(stored):
    """The record is sensitive: two seeds of one scenario leave different records."""
    assert stored["iocn"]["series"] != stored["iocn_other_seed"]["series"]
    twin = stored["iocn_other_seed"]["series"]["quality_vs_silo"]
    assert twin[2] > 0 and stored["iocn_no_twin"]["series"]["quality_vs_silo"][2] == 0


#: NumPy's functions that take other vector instructions on processors with AVX-512, whose
#: values can then differ in the last bit from the C library's. The test catches them called
#: by name (``np.exp``), as the model would call them; an operator (``**`` on arrays) or a
#: method (``ndarray.__pow__``) reaches the same code unseen.
PROCESSOR_DEPENDENT = tuple(
    "exp exp2 expm1 log log2 log10 log1p power float_power sin cos tan arcsin arccos arctan "
    "arctan2 sinh cosh tanh cbrt".split()
)


def test_a_run_takes_no_numpy_function_that_varies_by_processor(monkeypatch):
    """Every run of ``RUNS``, through ``collabsim.run`` and stepped as Mesa steps it, without
    calling any of ``PROCESSOR_DEPENDENT``: a value one of them rounded otherwise on another
    machine could turn a decision, so one seed would give two runs
    (``initialisation._guardedness``)."""
    called = []

    def refusing(name):
        def function(*args, **kwargs):
            called.append(name)
            raise AssertionError(f"numpy.{name} called in a run")

        return function

    def every_run():
        for name, (scenario, changes, seed, weeks, twin) in RUNS.items():
            collabsim.run(
                collabsim.scenario(scenario, **changes), seed=seed, steps=weeks, silo_twin=twin
            )
            record_of(name)

    every_run()  # Numba reads NumPy's functions as it loads a compiled mechanism: load them all
    for name in PROCESSOR_DEPENDENT:
        monkeypatch.setattr(np, name, refusing(name))
    every_run()
    assert called == []


if __name__ == "__main__":
    RECORD.parent.mkdir(exist_ok=True)
    RECORD.write_text(json.dumps({n: record_of(n) for n in RUNS}, indent=1) + "\n")
    sys.exit(f"wrote {RECORD}")
