"""Validation end to end on the real model, with a tiny catalogue of short, cheap runs.

The catalogue's own patterns take minutes; these take seconds: 20-week runs, 6 seeds,
two groups of arms (an iocn group and a beston group), one arm shared by two patterns.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
from pathlib import Path

import pytest

from collabsim import validation
from collabsim.params import ParameterError
from collabsim.sweeps import SweepError
from collabsim.validation import runner
from collabsim.validation.measures import PEOPLE_PER_MEETING
from collabsim.validation.report import CSV_COLUMNS, read_csv, report_markdown
from collabsim.validation.spec import (
    AllOf,
    Arm,
    AtMost,
    Bound,
    Change,
    Greater,
    Pattern,
    Share,
    Summary,
    ValidationError,
)

SMALL = {"n_people": 60}
WITH = Arm("iocn", SMALL, steps=20)
WITHOUT = Arm("iocn", {**SMALL, "academic_partner": False}, steps=20)
BESTON = Arm("beston", steps=20)


def tiny(name, arms, test, **fields):
    return Pattern(
        name,
        claim=f"The claim of {name}.",
        quote="a quote",
        source="A study 2019",
        operationalisation="How the model shows it.",
        arms=arms,
        test=test,
        seeds=6,
        **fields,
    )


TINY = [
    tiny(
        "partner_trust",
        {"with_partner": WITH, "without_partner": WITHOUT},
        Greater(Summary("final_trust_cross_org"), "with_partner", "without_partner", alpha=0.05),
    ),
    tiny(
        "trust_moves",
        {"partnered": WITH},  # the same arm under another name: run once
        Bound(
            Change("trust_cross_org", 0, 20), "partnered", low=-1.0, high=1.0, alpha=0.05
        ),  # six seeds: a one-sided signed-rank p is at least 1/64
        limitation="Stated for another run of fewer seeds.",
    ),
    tiny(
        "attendance",
        {"beston": BESTON},
        AllOf(
            Share(AtMost(Summary("attended_all_meetings"), 3), "beston", above=0.1),
            Bound(PEOPLE_PER_MEETING, "beston", low=0.0, high=100.0),
        ),
    ),
    tiny("cannot_say", {}, None, reason="It needs what a run does not store."),
]
RUNS_NEEDED = 3 * 6  # three distinct arms of six seeds


def meta(out: Path) -> dict:
    return json.loads((out / "validation.json").read_text(encoding="utf-8"))


def groups(out: Path) -> set[str]:
    return {p.name for p in (out / "runs").iterdir() if p.is_dir()}


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("validation") / "serial"
    return out, validation.validate(out=out, patterns=TINY, backend="serial")


def test_params_run_every_arm_at_other_values_and_say_so(serial, tmp_path):
    out, results = serial
    other = tmp_path / "other"
    changed = validation.validate(
        out=other, patterns=TINY, backend="serial", params={"meeting_energy": 0.4}
    )
    assert meta(out)["params"] == {} and meta(other)["params"] == {"meeting_energy": 0.4}
    assert meta(other)["computed"] == RUNS_NEEDED  # none of the defaults' runs serves
    # the same seeds at another rate: other values (all equal if the value were ignored)
    assert [r.effect for r in changed[:3]] != [r.effect for r in results[:3]]
    report = (other / "report.md").read_text(encoding="utf-8")
    assert "every arm at `meeting_energy`=0.4 instead of the defaults;" in report
    assert "instead of the defaults" not in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "params, error, match",
    [
        (
            {"academic_partner": True},
            ValidationError,
            "pattern partner_trust, arm without_partner: the arm sets academic_partner, so it "
            "cannot run with another value of it",
        ),
        (
            {"top_share": 0.1},
            ValidationError,
            "pattern attendance, arm beston: the arm runs scenario beston, which sets top_share",
        ),
        ({"meeting_energi": 0.1}, ParameterError, "did you mean meeting_energy"),
        ({"meeting_energy": 2.0}, ParameterError, "meeting_energy=2.0 is not allowed"),
        ([("meeting_energy", 0.1)], ValidationError, "expected a mapping of parameter name"),
    ],
)
def test_params_an_arm_fixes_or_the_model_refuses_are_refused_before_anything_is_written(
    tmp_path, params, error, match
):
    out = tmp_path / "never"
    with pytest.raises(error, match=match):
        validation.validate(out=out, patterns=TINY, backend="serial", params=params)
    assert not out.exists()


def test_a_validation_writes_its_table_report_and_figures(serial):
    out, results = serial
    assert [r.pattern for r in results] == [
        "partner_trust",
        "trust_moves",
        "attendance",
        "cannot_say",
    ]
    assert [r.expressible for r in results] == [True, True, True, False]
    assert results[3].passed is None and "does not store" in results[3].detail
    assert results[1].passed and results[1].seeds == 6  # a bound nothing can break
    table = read_csv(out / "patterns.csv")
    assert tuple(table.columns) == CSV_COLUMNS and len(table) == 4
    report = (out / "report.md").read_text(encoding="utf-8")
    passed = sum(bool(r.passed) for r in results[:3])
    assert f"**{passed} of 3 expressible patterns pass.**" in report
    assert "## Claims the model cannot express" in report
    assert "It needs what a run does not store." in report
    assert "\u201ca quote\u201d (A study 2019)" in report
    # a passing pattern that states a limitation is not hidden
    passing_stated = report.split("## Passing here, failing in the quick validation")[1]
    assert "`trust_moves`" in passing_stated and "Stated for another run" in passing_stated
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == [
        "attendance.csv",
        "attendance.png",
        "partner_trust.csv",
        "partner_trust.png",
        "trust_moves.csv",
        "trust_moves.png",
    ]
    data = read_csv(out / "figures" / "attendance.csv")
    assert list(data.columns) == ["metric", "arm", "replicate", "seed", "value"]
    assert len(data) == 2 * 6  # two metrics, six seeds


def test_identical_arms_are_run_once_in_one_sweep_per_group(serial):
    out, _ = serial
    info = meta(out)
    assert info["status"] == "complete"
    assert info["runs"] == info["computed"] == RUNS_NEEDED and info["reused"] == 0
    assert len(info["groups"]) == 2 and groups(out) == set(info["groups"])
    seeds_by_group = [validation_seeds(out / "runs" / name) for name in info["groups"]]
    assert seeds_by_group[0] == seeds_by_group[1]  # common random numbers across groups


def validation_seeds(folder: Path) -> list[int]:
    import collabsim

    runs = collabsim.load(folder).runs
    return sorted(set(runs["seed"]))


def test_the_pool_gives_exactly_the_serial_results(serial, tmp_path):
    out, results = serial
    pooled = validation.validate(out=tmp_path / "pool", patterns=TINY, backend="pool", workers=2)
    assert (tmp_path / "pool" / "patterns.csv").read_bytes() == (out / "patterns.csv").read_bytes()
    for name in ("partner_trust", "trust_moves", "attendance"):
        assert (tmp_path / "pool" / "figures" / f"{name}.csv").read_bytes() == (
            out / "figures" / f"{name}.csv"
        ).read_bytes()
    assert [r.p_value for r in pooled if r.expressible] == [
        r.p_value for r in results if r.expressible
    ]


def test_a_local_dask_cluster_starts_once_for_every_group(serial, tmp_path, local_dask_starts):
    out, _ = serial
    validation.validate(out=tmp_path / "dask", patterns=TINY, backend="dask", workers=2)
    assert len(meta(tmp_path / "dask")["groups"]) == 2 and local_dask_starts == [2]
    assert (tmp_path / "dask" / "patterns.csv").read_bytes() == (out / "patterns.csv").read_bytes()


def test_a_rerun_reuses_every_run(serial, tmp_path):
    out, _ = serial
    copy = tmp_path / "again"
    shutil.copytree(out, copy)
    before = (copy / "patterns.csv").read_bytes()
    validation.validate(out=copy, patterns=TINY, backend="serial")
    info = meta(copy)
    assert info["computed"] == 0 and info["reused"] == RUNS_NEEDED
    assert (copy / "patterns.csv").read_bytes() == before
    # another selection sharing an arm reuses it too
    validation.validate(out=copy, patterns=[TINY[1]], backend="serial")
    assert meta(copy)["computed"] == 0 and meta(copy)["runs"] == 6
    assert len(read_csv(copy / "patterns.csv")) == 1
    assert sorted(p.name for p in (copy / "figures").iterdir()) == [
        "trust_moves.csv",
        "trust_moves.png",
    ]


class StopAfter:
    """A progress callback that stops the validation, as Ctrl-C would, after some runs."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.seen: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.seen.append((done, total))
        if done >= self.runs:
            raise KeyboardInterrupt


@pytest.mark.parametrize("backend", ["serial", "pool", "dask"])
def test_an_interrupted_validation_resumes_to_the_same_result(serial, tmp_path, backend):
    out, _ = serial
    stopped = tmp_path / "stopped"
    stop = StopAfter(1)
    with pytest.raises(KeyboardInterrupt):
        validation.validate(out=stopped, patterns=TINY, backend=backend, progress=stop)
    assert stop.seen[0] == (0, RUNS_NEEDED)
    assert meta(stopped)["status"] == "interrupted"
    assert not (stopped / "patterns.csv").exists()

    seen = []
    validation.validate(
        out=stopped,
        patterns=TINY,
        backend=backend,
        progress=lambda done, total: seen.append((done, total)),
    )
    info = meta(stopped)
    assert 0 < info["computed"] < RUNS_NEEDED  # only what was missing
    assert info["computed"] + info["reused"] == RUNS_NEEDED
    assert seen[0][0] == RUNS_NEEDED - info["computed"] and seen[-1] == (RUNS_NEEDED, RUNS_NEEDED)
    assert groups(stopped) == groups(out)  # resumed in place, no second copy
    assert (stopped / "patterns.csv").read_bytes() == (out / "patterns.csv").read_bytes()


def test_runs_of_other_model_code_are_recomputed(serial, tmp_path, monkeypatch):
    out, _ = serial
    copy = tmp_path / "changed"
    shutil.copytree(out, copy)
    old = groups(copy)
    from collabsim.sweeps import store

    monkeypatch.setattr(store, "code_fingerprint", lambda: "0.1.0+othermodelcode")
    monkeypatch.setattr(runner, "code_fingerprint", lambda: "0.1.0+othermodelcode")
    validation.validate(out=copy, patterns=TINY, backend="serial")
    assert meta(copy)["computed"] == RUNS_NEEDED
    assert not old & groups(copy)  # the stale sweeps are gone, not kept beside
    assert len(groups(copy)) == 2


def test_restart_computes_everything_again(serial, tmp_path):
    out, _ = serial
    copy = tmp_path / "restarted"
    shutil.copytree(out, copy)
    validation.validate(out=copy, patterns=TINY, backend="serial", restart=True)
    assert meta(copy)["computed"] == RUNS_NEEDED
    assert (copy / "patterns.csv").read_bytes() == (out / "patterns.csv").read_bytes()


def test_a_restart_on_a_cluster_out_of_reach_keeps_the_stored_runs(serial, tmp_path):
    out, _ = serial
    copy = tmp_path / "unreachable"
    shutil.copytree(out, copy)

    def stored():  # every file but validation.json, which records the attempt
        return {p: p.read_bytes() for p in sorted(copy.rglob("*")) if p.is_file()} | {
            copy / validation.META: None
        }

    before = stored()
    with socket.socket() as closed:  # a port nothing listens on once it is closed
        closed.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{closed.getsockname()[1]}"
    with pytest.raises(SweepError, match=f"cannot reach the Dask scheduler at {address}"):
        validation.validate(
            out=copy, patterns=TINY, backend="dask", scheduler=address, restart=True
        )
    assert stored() == before


@pytest.mark.parametrize(
    "options, match",
    [
        ({"backend": "threads"}, "backend='threads'"),
        ({"backend": "serial", "workers": 2}, "workers=2"),
        ({"quick": "yes"}, "quick='yes'"),
        ({"seed": -1}, "seed=-1"),
        ({"patterns": ["partner_trust"]}, "'partner_trust' is not a pattern of the catalogue"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(tmp_path, options, match):
    out = tmp_path / "never"
    with pytest.raises(ValidationError, match=match):
        validation.validate(out=out, **{"patterns": TINY, **options})
    assert not out.exists()


def test_a_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a collabsim validation"):
        validation.validate(out=tmp_path, patterns=TINY, backend="serial")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(FileExistsError, match="is a file"):
        validation.validate(out=tmp_path / "notes.txt", patterns=TINY, backend="serial")


@pytest.mark.parametrize(
    "mode, says",
    [
        ("full", "it passes in the quick validation"),
        ("quick", "not yet recorded"),
    ],
)
def test_a_failing_pattern_with_no_limitation_is_explained_by_the_kind_of_run(serial, mode, says):
    out, results = serial
    failing = [
        dataclasses.replace(r, passed=False) if r.pattern == "partner_trust" else r for r in results
    ]
    info = {**meta(out), "mode": mode}
    text = report_markdown({p.name: p for p in TINY}, failing, info=info)
    entry = text.split("## Failing patterns")[1].split("`partner_trust`")[1].split("\n")[0]
    assert says in entry
