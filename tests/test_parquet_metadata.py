"""The Parquet files collabsim writes, read with plain pandas and pyarrow.

Every file says what made it in its schema metadata; a sweep's runs table keeps only what
varies between runs, marks its categories and keeps the parameters every run shares once,
in meta.json; collabsim's own reader gives the whole table back.
"""

from __future__ import annotations

import hashlib
import json
import logging

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import collabsim
from collabsim import storage
from collabsim.analysis import discovery, survival
from collabsim.metrics import SUMMARY
from collabsim.sweeps import serial, store

EVENTS = [
    {"step": 2, "kind": "budget_cut"},
    {"step": 3, "kind": "self_interest_act", "organisation": "pharmacy"},
]
FIXED = {
    "n_people": 30,
    "organisations": ["acute_trust", "pharmacy", "council_social_care"],
    "events": EVENTS,
}
FACTORS = {"cede_willingness": [0.2, 0.8], "network_type": None, "academic_partner": None}


def provenance(path) -> dict:
    """The provenance pandas gives, checked against what pyarrow reads from the file."""
    frame = pd.read_parquet(path)
    raw = pq.read_schema(path).metadata[b"collabsim"]
    assert frame.attrs["collabsim"] == json.loads(raw)
    return frame.attrs["collabsim"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("metadata") / "sweep"
    return collabsim.sweep(
        scenario="iocn",
        params=FIXED,
        factors=FACTORS,
        replicates=2,
        steps=4,
        seed=7,
        timeseries=["alive", "trust_cross_org"],
        backend="serial",
        out=out,
    )


def test_a_run_folder_says_what_made_its_time_series(tmp_path):
    params = collabsim.scenario("beston", n_people=30)
    result = collabsim.run(params, seed=3, steps=4)
    folder = storage.write_run(result, tmp_path / "run", scenario="beston")
    made = provenance(folder / storage.TIMESERIES)
    assert made["collabsim_version"] == collabsim.__version__
    assert made["code_fingerprint"] == store.code_fingerprint()
    assert "git_commit" in made
    assert (made["scenario"], made["seed"], made["steps"]) == ("beston", 3, 4)
    assert made["parameters"]["organisations"] == list(params.organisations)
    assert made["parameters"]["events"] == params.to_dict()["events"]


def test_every_file_of_a_sweep_says_what_made_it(sweep):
    files = {path.name: path for path in sweep.path.glob("*.parquet")}
    assert set(files) == {"runs.parquet", "timeseries.parquet", "design.parquet"}
    for name, path in files.items():
        made = provenance(path)
        assert made["table"] == name
        assert made["collabsim_version"] == collabsim.__version__
        assert made["code_fingerprint"] == sweep.meta["code_fingerprint"]
        assert made["design_fingerprint"] == sweep.meta["design_fingerprint"]
        assert (made["scenario"], made["seed"], made["replicates"]) == ("iocn", 7, 2)
        assert made["design"] == sweep.meta["design"]


def test_a_sampled_design_says_so_in_its_sample_too(tmp_path):
    result = collabsim.sweep(
        params={"n_people": 30},
        factors={"cede_willingness": None},
        design="lhs",
        n=3,
        steps=2,
        backend="serial",
        out=tmp_path / "s",
    )
    made = provenance(result.path / "sample.parquet")
    assert made["table"] == "sample.parquet" and made["design"]["kind"] == "lhs"


def test_the_runs_table_keeps_only_what_varies(sweep):
    runs = pd.read_parquet(sweep.path / "runs.parquet")
    parameters = [name for name in collabsim.PARAMETERS if name in runs.columns]
    assert parameters == [name for name in collabsim.PARAMETERS if name in FACTORS]
    assert list(runs.columns) == [
        "run",
        "point",
        "replicate",
        "seed",
        "steps",
        *parameters,
        *SUMMARY,
        "status",
        "error",
        "duration",
    ]
    assert len(runs) == 2 * 2 * 2 * 2
    constants = sweep.meta["constants"]
    assert set(constants) == set(collabsim.PARAMETERS) - set(FACTORS)
    assert constants["n_people"] == 30


def test_organisations_and_events_are_lists_not_joined_text(sweep):
    constants = json.loads((sweep.path / "meta.json").read_text(encoding="utf-8"))["constants"]
    assert constants["organisations"] == FIXED["organisations"]
    assert constants["events"] == EVENTS


def test_categories_are_marked(sweep):
    runs = pd.read_parquet(sweep.path / "runs.parquet")
    for name in ("network_type", "status"):
        assert isinstance(runs[name].dtype, pd.CategoricalDtype), name
    assert set(runs["network_type"].cat.categories) == {"place", "issue"}
    schema = pq.read_schema(sweep.path / "runs.parquet")
    assert pa.types.is_dictionary(schema.field("status").type)
    assert schema.field("academic_partner").type == pa.bool_()
    design = pd.read_parquet(sweep.path / "design.parquet")
    assert isinstance(design["network_type"].dtype, pd.CategoricalDtype)


def test_collabsim_gives_the_whole_table_back(sweep):
    runs = collabsim.load(sweep.path).runs
    assert list(runs.columns) == [
        "run",
        "point",
        "replicate",
        "seed",
        "steps",
        *collabsim.PARAMETERS,
        *SUMMARY,
        "status",
        "error",
        "duration",
    ]
    assert (runs["n_people"] == 30).all()
    given = collabsim.scenario("iocn", **FIXED).to_dict()
    assert runs["organisations"].tolist() == [given["organisations"]] * len(runs)
    assert runs["events"].tolist() == [given["events"]] * len(runs)
    assert given["events"] == EVENTS
    assert runs.explode("organisations").groupby("run").size().eq(3).all()
    runs.at[0, "organisations"].append("pharmacy")  # each row's list is its own
    assert runs.at[1, "organisations"] == given["organisations"]
    assert isinstance(runs["network_type"].dtype, pd.CategoricalDtype)
    assert runs.groupby("network_type", observed=True).size().to_dict() == {"place": 8, "issue": 8}
    assert (runs["status"] == "ok").all()


def test_an_unfinished_sweep_reads_whole_from_its_parts(tmp_path):
    run = collabsim.iter_sweep(
        params={"n_people": 30},
        factors={"cede_willingness": [0.3]},
        replicates=40,
        steps=2,
        backend="serial",
        out=tmp_path / "s",
    )
    for _ in run:
        break
    parts = sorted((tmp_path / "s" / "runs").glob("part-*.parquet"))
    assert parts
    assert provenance(parts[0])["table"] == "runs.parquet"
    loaded = collabsim.load(tmp_path / "s")
    assert not loaded.complete
    assert len(loaded.runs) >= 1
    assert set(collabsim.PARAMETERS) <= set(loaded.runs.columns)
    assert (loaded.runs["n_people"] == 30).all()


def test_a_part_names_a_long_design_by_its_fingerprint_so_slow_sweeps_stay_small(
    tmp_path, monkeypatch
):
    """A part of one run does not carry the whole design again: an explicit design is
    metadata that grows with its points, and a sweep of one run per part would write it
    once a run (a calibration's 8,192 points: 17 MB a part)."""
    monkeypatch.setattr(serial, "CHUNK_SECONDS", 0.0)  # one run per part
    options = dict(
        params={"n_people": 30},
        factors={"cede_willingness": [round(0.1 + 0.001 * k, 4) for k in range(600)]},
        steps=2,
        timeseries=["alive"],
        backend="serial",
        out=tmp_path / "s",
    )
    for count, _ in enumerate(collabsim.iter_sweep(**options), start=1):
        if count == 2:
            break
    meta = json.loads((tmp_path / "s" / "meta.json").read_text(encoding="utf-8"))
    design_bytes = len(json.dumps(meta["design"]))
    parts = [
        part
        for kind in ("runs", "timeseries")
        for part in sorted((tmp_path / "s" / kind).glob("part-*.parquet"))
    ]
    assert len(parts) == 4
    for part in parts:
        made = provenance(part)
        assert "design" not in made
        assert made["design_fingerprint"] == meta["design_fingerprint"]
        assert len(pq.read_schema(part).metadata[b"collabsim"]) < design_bytes / 4
    result = collabsim.sweep(**options)  # resumed from those parts, and merged
    assert len(result.runs) == 600
    for name in ("runs.parquet", "timeseries.parquet"):
        assert provenance(result.path / name)["design"] == meta["design"]


def test_a_folder_of_the_earlier_layout_resumes_in_it(tmp_path, monkeypatch):
    """A folder whose meta.json has no constants stores every column, even on resume."""
    original = store._new_meta

    def earlier(*args, **kwargs):
        meta = original(*args, **kwargs)
        del meta["constants"]
        return meta

    events = [{"step": 1, "kind": "self_interest_act", "organisation": "pharmacy"}]
    options = dict(
        params={"n_people": 30, "events": events},
        factors={"cede_willingness": [0.3, 0.6]},
        replicates=6,
        steps=2,
        backend="serial",
        out=tmp_path / "s",
    )
    with monkeypatch.context() as patch:
        patch.setattr(store, "_new_meta", earlier)
        run = collabsim.iter_sweep(**options)
        for _ in run:
            break
    result = collabsim.sweep(**options)
    assert "constants" not in result.meta
    stored = pq.read_schema(result.path / "runs.parquet").names
    assert set(collabsim.PARAMETERS) <= set(stored)
    assert len(result.runs) == 12 and (result.runs["n_people"] == 30).all()
    # kept on disk as text, read back as the lists the runs were given
    assert pq.read_table(result.path / "runs.parquet").column("events")[0].as_py() == (
        "1:self_interest_act:pharmacy"
    )
    given = collabsim.scenario("iocn", n_people=30, events=events).to_dict()
    assert result.runs["events"].tolist() == [events] * 12
    assert result.runs["organisations"].tolist() == [given["organisations"]] * 12


def test_the_checksums_kept_cover_the_provenance_written(tmp_path, monkeypatch, caplog):
    """Parts and final files are checksummed as written, metadata and all: a resumed sweep
    finds every part whole, and each final file matches its checksum in meta.json."""
    monkeypatch.setattr(serial, "CHUNK_SECONDS", 0.0)  # one run per part
    out = tmp_path / "s"
    options = dict(
        params={"n_people": 30},
        factors={"cede_willingness": [0.3, 0.6]},
        replicates=3,
        steps=2,
        timeseries=["alive"],
        backend="serial",
        out=out,
    )
    for count, _ in enumerate(collabsim.iter_sweep(**options), start=1):
        if count == 3:
            break
    lines = (out / "runs" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    for entry in map(json.loads, lines):
        for kind, table in (("runs", "runs.parquet"), ("timeseries", "timeseries.parquet")):
            part = out / kind / f"part-{entry['part']:06d}.parquet"
            assert hashlib.sha256(part.read_bytes()).hexdigest() == entry[kind]["sha256"]
            assert provenance(part)["table"] == table

    with caplog.at_level(logging.WARNING, logger="collabsim.sweeps"):
        result = collabsim.sweep(**options)
    assert [r.getMessage() for r in caplog.records if r.name == "collabsim.sweeps"] == []
    assert not (out / "damaged").exists()
    assert result.meta["sessions"][-1]["runs"] == 6 - 3
    for name in ("runs.parquet", "timeseries.parquet", "design.parquet"):
        recorded = result.meta["checksums"][name]["sha256"]
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == recorded, name
        assert provenance(out / name)["table"] == name
    assert len(result.runs) == 6 and (result.runs["n_people"] == 30).all()


def test_analyses_of_a_categorical_lever_see_only_the_levels_run(sweep):
    """A choice lever read back is categorical: grouping by it, the levels a selection
    leaves out (here network_type "issue") make no empty groups."""
    runs = collabsim.load(sweep.path).runs
    place = runs[runs["network_type"] == "place"]
    assert "issue" in place["network_type"].cat.categories
    levers = ["network_type", "cede_willingness", "academic_partner"]
    points = discovery.cases_by_point(place, levers)
    assert len(points) == 4 and (points["seeds"] == 2).all()
    assert list(survival.kaplan_meier(place, by="network_type", horizon=4)) == ["place"]
    both = survival.kaplan_meier(runs, by=["network_type", "academic_partner"], horizon=4)
    assert len(both) == 4
