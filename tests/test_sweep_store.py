"""The sweep's results folder: what a row holds, resume, refusals, failures, loading."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import collabsim
from collabsim import fingerprint, storage, validation
from collabsim.cli import main
from collabsim.metrics import SUMMARY
from collabsim.sweeps import SweepError, iter_sweep, serial
from collabsim.sweeps.runner import Task, run_one, runs_schema
from collabsim.sweeps.sampling import replicate_seeds

SMALL = {"n_people": 30}


def small_sweep(out, **options):
    settings = {
        "factors": {"academic_partner": [True, False], "cede_willingness": (0.2, 0.8)},
        "levels": 3,
        "replicates": 3,
        "steps": 8,
        "seed": 5,
        "params": SMALL,
        "backend": "serial",
        "out": out,
    }
    settings.update(options)
    return collabsim.sweep(**settings)


def without_timing(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["duration"])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted serial sweep with a time series."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    return small_sweep(out, timeseries=["trust_cross_org", "alive", "changes_adopted"], every=3)


def test_one_row_per_run_sorted_with_ids_every_parameter_and_outputs(reference):
    runs = reference.runs
    assert len(runs) == 6 * 3
    assert runs["run"].tolist() == list(range(18))
    assert runs["point"].tolist() == [p for p in range(6) for _ in range(3)]
    assert runs["replicate"].tolist() == [0, 1, 2] * 6
    columns = list(runs.columns)
    assert columns[:5] == ["run", "point", "replicate", "seed", "steps"]
    assert columns[5 : 5 + len(collabsim.PARAMETERS)] == list(collabsim.PARAMETERS)
    assert columns[-3:] == ["status", "error", "duration"]
    assert set(SUMMARY) <= set(columns)
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert (runs["duration"] > 0).all()
    assert (runs["n_people"] == 30).all()
    assert runs["organisations"].iloc[0] == list(collabsim.Params().organisations)
    assert runs["cede_willingness"].tolist()[::3] == [0.2, 0.5, 0.8] * 2


def test_common_random_numbers_replicate_r_has_one_seed_everywhere(reference):
    runs = reference.runs
    seeds = replicate_seeds(5, 3)
    for replicate, group in runs.groupby("replicate"):
        assert set(group["seed"]) == {seeds[replicate]}


def test_each_row_is_exactly_what_collabsim_run_gives(reference):
    runs = reference.runs
    for index in (0, 7, 17):
        row = runs.iloc[index]
        params = collabsim.scenario(
            "iocn",
            n_people=30,
            academic_partner=bool(row["academic_partner"]),
            cede_willingness=float(row["cede_willingness"]),
        )
        expected = collabsim.run(params, seed=int(row["seed"]), steps=8)
        for name, value in expected.summary.items():
            got = row[name]
            if value is None:
                assert pd.isna(got), name
            elif isinstance(value, float) and math.isnan(value):
                assert math.isnan(got), name
            else:
                assert got == value, name
        series = reference.timeseries
        mine = series[series["run"] == row["run"]]
        assert mine["step"].tolist() == [0, 3, 6, 8]  # every 3 steps, and the last
        full = expected.timeseries.loc[[0, 3, 6, 8]]
        assert mine["trust_cross_org"].tolist() == full["trust_cross_org"].tolist()
        assert mine["alive"].tolist() == full["alive"].tolist()


def test_summary_columns_have_the_types_of_the_values(reference):
    # The values a run gives are plain Python of their declared type, and the sweep's
    # file on disk stores each output's column with the matching Arrow type.
    row = reference.runs.iloc[0]
    result = collabsim.run(
        collabsim.Params(
            **{
                **SMALL,
                "academic_partner": bool(row["academic_partner"]),
                "cede_willingness": float(row["cede_willingness"]),
            }
        ),
        seed=int(row["seed"]),
        steps=int(row["steps"]),
    )
    stored = pq.read_schema(reference.path / "runs.parquet")
    schema = runs_schema(SUMMARY)
    arrow = {bool: "bool", int: "int64", float: "double"}
    for name, value in result.summary.items():
        if value is None:
            assert name == "collapse_step", name  # a week, or nothing
            assert str(stored.field(name).type) == "int64", name
            continue
        assert type(value) is SUMMARY[name].dtype, name
        assert str(schema.field(name).type) == arrow[type(value)], name
        assert str(stored.field(name).type) == arrow[type(value)], name


def test_meta_records_provenance_design_and_sessions(reference):
    meta = json.loads((reference.path / "meta.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "collabsim sweep"
    assert meta["collabsim_version"] == collabsim.__version__
    assert meta["code_fingerprint"] == fingerprint.code_fingerprint()
    assert meta["status"] == "complete" and meta["backend"] == "serial"
    assert meta["seed"] == 5 and meta["replicate_seeds"] == replicate_seeds(5, 3)
    assert meta["design"]["kind"] == "grid" and meta["design"]["points"] == 6
    assert meta["design"]["factors"]["cede_willingness"] == {
        "kind": "float",
        "low": 0.2,
        "high": 0.8,
    }
    assert meta["fixed"] == SMALL and meta["steps"] == 8
    assert meta["started"] <= meta["finished"]
    assert [s["runs"] for s in meta["sessions"]] == [18]
    assert sorted(p.name for p in reference.path.iterdir()) == [
        ".lock",
        "design.parquet",
        "meta.json",
        "runs.parquet",
        "timeseries.parquet",
    ]
    assert reference.design["cede_willingness"].tolist() == [0.2, 0.5, 0.8] * 2
    assert reference.problem == {
        "num_vars": 2,
        "names": ["academic_partner", "cede_willingness"],
        "bounds": [[0.0, 1.0], [0.2, 0.8]],
    }


def test_stopped_sweep_resumes_without_running_anything_twice(reference, tmp_path, monkeypatch):
    monkeypatch.setattr(serial, "CHUNK_SECONDS", 0.0)  # one part file per run
    out = tmp_path / "sweep"
    first = iter_sweep(
        factors={"academic_partner": [True, False], "cede_willingness": (0.2, 0.8)},
        levels=3,
        replicates=3,
        steps=8,
        seed=5,
        params=SMALL,
        backend="serial",
        out=out,
        timeseries=["trust_cross_org", "alive", "changes_adopted"],
        every=3,
    )
    for count, _ in enumerate(first, start=1):
        if count == 4:
            break
    partial = collabsim.load(out)
    assert not partial.complete and partial.meta["status"] == "interrupted"
    saved = len(partial.runs)
    assert saved == 4
    assert partial.runs["run"].is_unique and partial.runs["run"].is_monotonic_increasing
    assert not (out / "runs.parquet").exists()

    seen = []
    resumed = small_sweep(
        out,
        timeseries=["trust_cross_org", "alive", "changes_adopted"],
        every=3,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (saved, 18) and seen[-1] == (18, 18)
    assert [s["runs"] for s in resumed.meta["sessions"]] == [saved, 18 - saved]
    assert resumed.meta["sessions"][1]["resumed_from"] == saved
    pd.testing.assert_frame_equal(without_timing(resumed.runs), without_timing(reference.runs))
    pd.testing.assert_frame_equal(resumed.timeseries, reference.timeseries)
    assert not (out / "runs").exists()  # parts merged and removed

    again = small_sweep(out, timeseries=["trust_cross_org", "alive", "changes_adopted"], every=3)
    assert again.meta["sessions"][-1]["runs"] == 0  # complete: nothing runs
    pd.testing.assert_frame_equal(again.runs, resumed.runs)


def test_a_changed_design_is_refused_and_leaves_the_folder_alone(tmp_path):
    out = tmp_path / "sweep"
    small_sweep(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # the refusal names what changed, with its value in the folder and now
    with pytest.raises(
        SweepError, match=r"different design \(replicates 3 there, 4 here\).*--restart"
    ):
        small_sweep(out, replicates=4)
    with pytest.raises(SweepError, match=r"different design \(fixed n_people: 30 there, 40 here\)"):
        small_sweep(out, params={"n_people": 40})
    factors = {"academic_partner": [True, False], "cede_willingness": (0.2, 0.9)}
    with pytest.raises(SweepError, match=r"design factors cede_willingness: \{.*0\.8.*there"):
        small_sweep(out, factors=factors)
    with pytest.raises(SweepError, match=r"\(replicates 3 there, 2 here; steps 8 there, 9 here\)"):
        small_sweep(out, steps=9, replicates=2)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    restarted = small_sweep(out, replicates=4, restart=True)
    assert len(restarted.runs) == 24
    assert [s["runs"] for s in restarted.meta["sessions"]] == [24]


def test_a_changed_code_version_is_refused(tmp_path, capsys):
    out = tmp_path / "sweep"
    small_sweep(out)
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    meta["code_fingerprint"] = "0.0.9+0123456789abcdef"
    (out / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(SweepError, match="other model code.*0.0.9"):
        small_sweep(out)
    restarted = small_sweep(out, restart=True)
    assert restarted.meta["code_fingerprint"] == fingerprint.code_fingerprint()


def test_folders_that_are_not_sweeps_are_refused(tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter1.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a collabsim sweep"):
        small_sweep(thesis)
    with pytest.raises(FileExistsError, match="not a collabsim sweep"):
        small_sweep(thesis, restart=True)
    assert [p.name for p in thesis.iterdir()] == ["chapter1.docx"]

    single = storage.write_run(
        collabsim.run(collabsim.Params(n_people=30), seed=0, steps=3), tmp_path / "one_run"
    )
    with pytest.raises(FileExistsError, match="not a collabsim sweep"):
        small_sweep(single)


def test_a_validations_folder_is_not_taken_for_a_damaged_sweep(tmp_path, capsys):
    # its runs/ holds the validation's own sweeps: a restart would have deleted them
    folder = tmp_path / "validation"
    stored = folder / "runs" / "arm" / "runs.parquet"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"the validation's runs")
    (folder / validation.META).write_text(json.dumps({"kind": validation.KIND}), "utf-8")
    for restart in (False, True):
        with pytest.raises(FileExistsError, match="already has files in it and is not a coll"):
            small_sweep(folder, restart=restart)
    assert stored.read_bytes() == b"the validation's runs"
    assert main(["run", "--steps", "2", "--out", str(folder), "--quiet"]) == 2
    assert "holds a collabsim validation, not a run" in capsys.readouterr().err
    assert stored.read_bytes() == b"the validation's runs"


def test_collabsim_run_will_not_overwrite_a_sweep(tmp_path, capsys):
    out = tmp_path / "sweep"
    small_sweep(out)
    before = sorted(p.name for p in out.iterdir())
    assert main(["run", "--steps", "2", "--out", str(out), "--quiet"]) == 2
    assert "holds a collabsim sweep, not a run" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path):
    # landscape_k must be smaller than n_practices: the grid's corner (4, 6) is a
    # parameter set the model refuses, so its runs raise; the other points run.
    with pytest.warns(RuntimeWarning, match=r"^2 of 8 runs failed \(first: ParameterError: lan"):
        result = collabsim.sweep(
            factors={"n_practices": [4, 10], "landscape_k": [2, 6]},
            replicates=2,
            steps=5,
            params=SMALL,
            backend="serial",
            out=tmp_path / "sweep",
        )
    runs = result.runs
    assert len(runs) == 8 and result.complete
    failed = runs[runs["status"] == "failed"]
    assert failed["point"].tolist() == [1, 1]
    assert (failed[["n_practices", "landscape_k"]].to_numpy() == [4, 6]).all()
    assert (
        failed["error"]
        .str.startswith(
            "ParameterError: landscape_k=6 is not allowed: it must be smaller than n_practices=4"
        )
        .all()
    )
    assert failed["sustained"].isna().all()
    ok = runs[runs["status"] == "ok"]
    assert len(ok) == 6 and ok["error"].isna().all() and ok["sustained"].notna().all()
    failures = result.meta["failures"]
    assert failures["count"] == 2 and failures["reasons"][0]["runs"] == 2
    report = result.report()
    assert "2 runs failed" in report and "2 x ParameterError: landscape_k=6" in report
    assert len(result.failed) == 2
    # the gaps are gaps: yes/no and whole-number outputs typed to skip them, not counted
    assert runs["sustained"].dtype == "boolean" and runs["changes_adopted"].dtype == "Int64"
    assert runs["sustained"].mean() == ok["sustained"].astype(float).mean()
    with pytest.raises(ValueError):  # no silent False for a run that never ran
        runs["sustained"].astype(bool)


def test_categories_hold_every_value_so_two_sweeps_tables_concatenate_as_categories(
    tmp_path,
):
    one = small_sweep(tmp_path / "one").runs  # place-based, every run ok
    with pytest.warns(RuntimeWarning, match="1 of 1 runs failed"):
        other = collabsim.sweep(
            factors={"network_type": ["issue"], "n_practices": [4], "landscape_k": [6]},
            replicates=1,
            steps=2,
            params=SMALL,
            backend="serial",
            out=tmp_path / "other",
        ).runs  # issue-based, and its one run fails
    assert list(one["status"]) == ["ok"] * len(one) and list(other["status"]) == ["failed"]
    for name, levels in (("status", ["ok", "failed"]), ("network_type", ["place", "issue"])):
        assert one[name].cat.categories.tolist() == other[name].cat.categories.tolist() == levels
        assert pd.concat([one, other])[name].dtype == "category"
    design = collabsim.load(tmp_path / "other").design  # as the runs have it
    assert design["network_type"].cat.categories.tolist() == ["place", "issue"]
    # without gaps the outputs keep NumPy's types; a network that never dissolved has no
    # collapse_step, a NaN as ever (not a gap of a run that failed)
    assert one["sustained"].dtype == bool and one["changes_adopted"].dtype == np.int64
    assert one["collapse_step"].isna().all() and one["collapse_step"].dtype == float


def test_run_one_records_any_exception_with_its_type():
    task = Task(
        run=0,
        point=0,
        replicate=0,
        seed=1,
        params={**collabsim.Params().to_dict(), "n_people": -5},
        steps=2,
        outputs=("sustained",),
    )
    record = run_one(task)
    assert record.row["status"] == "failed"
    assert record.row["error"].startswith("ParameterError: n_people=-5")
    assert record.row["sustained"] is None and record.row["n_people"] == -5


def test_loading_an_unfinished_sweep_gives_the_runs_so_far(tmp_path, monkeypatch):
    monkeypatch.setattr(serial, "CHUNK_SECONDS", 0.0)
    out = tmp_path / "sweep"
    run = iter_sweep(
        factors={"cede_willingness": (0.0, 1.0)},
        design="lhs",
        n=12,
        steps=4,
        params=SMALL,
        backend="serial",
        out=out,
    )
    for count, _ in enumerate(run, start=1):
        if count == 3:
            break
    loaded = collabsim.load(out)
    assert not loaded.complete
    assert loaded.runs["run"].tolist() == [0, 1, 2]
    assert loaded.sample.shape == (12, 1)
    assert np.array_equal(loaded.sample[:, 0], loaded.design["cede_willingness"].to_numpy())
    with pytest.raises(FileNotFoundError, match="not a collabsim sweep folder"):
        collabsim.load(tmp_path)


def test_events_and_kinds_are_lists_read_back_and_on_disk(tmp_path):
    events = [
        {"step": 2, "kind": "budget_cut"},
        {"step": 3, "kind": "self_interest_act", "organisation": "pharmacy"},
    ]
    result = collabsim.sweep(
        factors={"cede_willingness": [0.5]},
        steps=4,
        backend="serial",
        out=tmp_path / "s",
        params={"n_people": 30, "organisations": ["acute_trust", "pharmacy"], "events": events},
    )
    row = result.runs.iloc[0]
    assert row["organisations"] == ["acute_trust", "pharmacy"]
    assert row["events"] == events
    names = pq.read_schema(result.path / "runs.parquet").names
    assert "events" not in names and "organisations" not in names  # the same in every run
    assert result.meta["constants"]["organisations"] == ["acute_trust", "pharmacy"]
    assert result.meta["constants"]["events"] == events
