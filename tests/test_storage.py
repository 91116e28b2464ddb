"""Results on disk: atomic files, strict JSON, provenance, and exact round trips."""

from __future__ import annotations

import datetime
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim import storage
from collabsim.runner import RunResult

RUN_FILES = {"timeseries.parquet", "summary.json", "meta.json"}


@pytest.fixture(scope="module")
def beston_run() -> RunResult:
    return collabsim.run(collabsim.scenario("beston"), seed=1, steps=30)


def strict_json(text: str):
    """Parse JSON, refusing the NaN / Infinity extensions Python's json accepts."""

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def assert_summaries_equal(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, float) and math.isnan(x):
            assert isinstance(y, float) and math.isnan(y), key
        else:
            assert x == y and type(x) is type(y), key


def test_write_run_writes_exactly_the_run_files_and_no_temporaries(beston_run, tmp_path):
    out = storage.write_run(beston_run, tmp_path / "deep" / "er" / "beston", scenario="beston")
    assert out == tmp_path / "deep" / "er" / "beston"
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert not list(tmp_path.rglob("*.tmp"))


def test_failed_atomic_write_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old", encoding="utf-8")

    def half_then_fail(handle):
        handle.write(b"half a fi")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError, match="disk gone"):
        storage.write_atomically(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_round_trip_gives_back_the_same_run(beston_run, tmp_path):
    storage.write_run(beston_run, tmp_path / "run", scenario="beston")
    back = storage.read_run(tmp_path / "run")
    pd.testing.assert_frame_equal(back.timeseries, beston_run.timeseries, check_exact=True)
    assert list(back.timeseries.dtypes) == list(beston_run.timeseries.dtypes)
    assert_summaries_equal(back.summary, beston_run.summary)
    assert back.params == beston_run.params
    assert (back.seed, back.steps) == (1, 30)


def test_round_trip_restores_nan_summary_values(tmp_path):
    # With no weeks run there are no meetings and no decisions: means are NaN.
    result = collabsim.run(collabsim.Params(), seed=0, steps=0)
    assert math.isnan(result.summary["block_rate"])
    storage.write_run(result, tmp_path / "run")
    written = strict_json((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert written["block_rate"] is None
    assert written["collapse_step"] is None
    back = storage.read_run(tmp_path / "run")
    assert_summaries_equal(back.summary, result.summary)
    assert back.summary["collapse_step"] is None


def test_meta_records_provenance_as_strict_json(beston_run, tmp_path):
    out = storage.write_run(beston_run, tmp_path / "run", scenario="beston")
    meta = strict_json((out / "meta.json").read_text(encoding="utf-8"))
    strict_json((out / "summary.json").read_text(encoding="utf-8"))
    assert set(meta) >= {
        "collabsim_version",
        "git_commit",
        "git_dirty",
        "scenario",
        "seed",
        "steps",
        "parameters",
        "created",
        "python",
        "outputs",
    }
    assert meta["collabsim_version"] == collabsim.__version__
    assert meta["scenario"] == "beston"
    assert (meta["seed"], meta["steps"]) == (1, 30)
    assert meta["parameters"] == collabsim.scenario("beston").to_dict()
    assert set(meta["outputs"]) == RUN_FILES
    created = datetime.datetime.fromisoformat(meta["created"])
    assert created.utcoffset() == datetime.timedelta(0)
    assert abs(datetime.datetime.now(datetime.UTC) - created) < datetime.timedelta(minutes=5)
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", meta["python"])
    if meta["git_commit"] is None:
        assert meta["git_dirty"] is None
    else:
        assert re.fullmatch(r"[0-9a-f]{40}", meta["git_commit"])
        assert meta["git_dirty"] in (True, False)


def test_numpy_scalars_and_infinities_become_plain_json(beston_run, tmp_path):
    summary = {
        "count": np.int64(3),
        "share": np.float64(0.25),
        "flag": np.bool_(True),
        "none": None,
        "nan": np.float64("nan"),
        "up": float("inf"),
        "down": float("-inf"),
    }
    result = RunResult(beston_run.params, 1, 30, beston_run.timeseries, summary)
    storage.write_run(result, tmp_path / "run")
    written = strict_json((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert written == {
        "count": 3,
        "share": 0.25,
        "flag": True,
        "none": None,
        "nan": None,
        "up": None,
        "down": None,
    }
    back = storage.read_run(tmp_path / "run").summary
    assert back["count"] == 3 and type(back["count"]) is int
    assert back["flag"] is True
    assert math.isnan(back["nan"])
    assert (back["up"], back["down"]) == (math.inf, -math.inf)


def test_refuses_a_non_empty_folder_that_is_not_a_run(beston_run, tmp_path):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(FileExistsError, match="thesis.*not a previous collabsim run"):
        storage.write_run(beston_run, folder)
    assert [p.name for p in folder.iterdir()] == ["chapter1.docx"]
    assert (folder / "chapter1.docx").read_text(encoding="utf-8") == "precious"


def test_refuses_a_folder_whose_meta_json_is_not_from_collabsim(beston_run, tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "meta.json").write_text('{"tool": "something else"}', encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a previous collabsim run"):
        storage.write_run(beston_run, folder)


def test_refuses_a_file_as_output_folder(beston_run, tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError, match="results.txt.*is a file"):
        storage.write_run(beston_run, target)


def test_empty_existing_folder_is_fine(beston_run, tmp_path):
    storage.write_run(beston_run, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == RUN_FILES


def test_overwrites_a_previous_run_and_drops_its_stale_outputs(beston_run, tmp_path):
    out = storage.write_run(beston_run, tmp_path / "run")
    (out / "dynamics.png").write_bytes(b"old figure")
    storage.record_output(out, "dynamics.png")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert "dynamics.png" in storage.read_meta(out)["outputs"]

    other = collabsim.run(collabsim.scenario("beston"), seed=2, steps=10)
    storage.write_run(other, out, scenario="beston")
    meta = storage.read_meta(out)
    assert (meta["seed"], meta["steps"]) == (2, 10)
    assert not (out / "dynamics.png").exists()  # belonged to the old run
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # not ours to remove
    assert len(storage.read_run(out).timeseries) == 11


def test_a_stale_output_that_cannot_be_removed_leaves_the_new_run_whole(beston_run, tmp_path):
    out = storage.write_run(beston_run, tmp_path / "run")
    (out / "dynamics.png").write_bytes(b"old figure")
    storage.record_output(out, "dynamics.png")
    (out / "dynamics.png").unlink()
    (out / "dynamics.png").mkdir()  # in the way: a folder cannot be unlinked

    other = collabsim.run(collabsim.scenario("beston"), seed=2, steps=10)
    with pytest.raises(IsADirectoryError):
        storage.write_run(other, out, scenario="beston")
    meta = storage.read_meta(out)
    assert (meta["seed"], meta["steps"]) == (2, 10)  # the meta is the new run's, as is
    assert len(storage.read_run(out).timeseries) == 11  # the time series it describes


def test_record_output_rejects_paths_and_missing_files(beston_run, tmp_path):
    out = storage.write_run(beston_run, tmp_path / "run")
    with pytest.raises(ValueError, match="name='../x.png'"):
        storage.record_output(out, "../x.png")
    with pytest.raises(FileNotFoundError, match="figure.png"):
        storage.record_output(out, "figure.png")


def test_read_run_of_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="no meta.json"):
        storage.read_run(tmp_path)


def test_read_run_names_parameters_this_version_does_not_know(beston_run, tmp_path):
    out = storage.write_run(beston_run, tmp_path / "run")
    meta = storage.read_meta(out)
    meta["parameters"]["cede_willingnes"] = meta["parameters"].pop("cede_willingness")
    (out / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(collabsim.ParameterError, match="cede_willingnes.*cede_willingness"):
        storage.read_run(out)


def test_read_run_detects_a_time_series_that_does_not_fit_the_meta(beston_run, tmp_path):
    out = storage.write_run(beston_run, tmp_path / "run")
    meta = storage.read_meta(out)
    meta["steps"] = 52
    (out / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="31 rows.*steps=52"):
        storage.read_run(out)
