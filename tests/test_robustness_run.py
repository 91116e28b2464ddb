"""A tiny real robustness study end to end: serial, pool, resume, reuse.

One lever in two contexts of ``beston`` (the defaults and a larger network), 20-week
runs, 4 seeds: four arms, 16 runs, a few seconds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from collabsim.robustness import RobustnessError, make_plan, robustness
from collabsim.robustness.analysis import COLUMNS, OUTCOMES, SUMMARY_COLUMNS

PLAN = make_plan(
    name="tiny",
    levers={"cede_willingness": {"low": 0.1, "high": 0.9}},
    scenario="beston",
    seeds=4,
    steps=20,
    sizes=[40],
)
RUNS_NEEDED = 2 * 2 * 4  # contexts x levels x seeds


def meta(out: Path) -> dict:
    return json.loads((out / "meta.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("robustness") / "serial"
    return out, robustness(PLAN, out=out, backend="serial")


def test_a_study_writes_its_tables_report_figures_and_provenance(serial):
    out, result = serial
    table = pd.read_csv(out / "robustness.csv")
    assert tuple(table.columns) == COLUMNS and len(table) == 2 * len(OUTCOMES)
    assert table["context"].unique().tolist() == ["defaults", "n_people=40"]
    assert table["context_kind"].unique().tolist() == ["defaults", "size"]
    assert (table["seeds"] == 4).all() and set(table["sign"]) <= {"expected", "unclear", "reversed"}
    assert table["effect"].tolist() == pytest.approx(result.table["effect"].tolist())
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert tuple(summary.columns) == SUMMARY_COLUMNS and len(summary) == len(OUTCOMES)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith(
        "# Lever robustness: tiny\n\n- Willingness to cede territory "
        "(0.1 \u2192 0.9) raises survival in "
    )
    assert result.headlines[0] in report
    for outcome in OUTCOMES:
        assert (out / "figures" / f"robustness_{outcome}.png").stat().st_size > 1000
        data = pd.read_csv(out / "figures" / f"robustness_{outcome}.csv")
        assert len(data) == 2 and data["lever"].unique().tolist() == ["cede_willingness"]
    info = meta(out)
    assert info["kind"] == "collabsim robustness" and info["status"] == "complete"
    assert info["runs"] == info["computed"] == RUNS_NEEDED and info["reused"] == 0
    assert info["seeds"] == 4 and info["code_fingerprint"] and info["failed"] == 0
    assert info["plan"]["contexts"][1]["overrides"] == {"n_people": 40}


def test_the_pool_gives_exactly_the_serial_table(serial, tmp_path):
    out, _ = serial
    robustness(PLAN, out=tmp_path / "pool", backend="pool", workers=2)
    for name in ("robustness.csv", "summary.csv"):
        assert (tmp_path / "pool" / name).read_bytes() == (out / name).read_bytes()


def test_a_rerun_reuses_every_run(serial, tmp_path):
    out, _ = serial
    copy = tmp_path / "again"
    shutil.copytree(out, copy)
    robustness(PLAN, out=copy, backend="serial")
    assert meta(copy)["computed"] == 0 and meta(copy)["reused"] == RUNS_NEEDED
    assert (copy / "robustness.csv").read_bytes() == (out / "robustness.csv").read_bytes()


class StopAfter:
    """A progress callback that stops the study, as Ctrl-C would, after some runs."""

    def __init__(self, runs: int) -> None:
        self.runs = runs

    def __call__(self, done: int, total: int) -> None:
        if done >= self.runs:
            raise KeyboardInterrupt


def test_an_interrupted_study_resumes_to_the_same_table(serial, tmp_path, monkeypatch):
    out, _ = serial
    from collabsim.sweeps import serial as serial_backend

    monkeypatch.setattr(serial_backend, "CHUNK_SECONDS", 0.0)  # store every run at once
    stopped = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        robustness(PLAN, out=stopped, backend="serial", progress=StopAfter(5))
    assert meta(stopped)["status"] == "interrupted"
    assert not (stopped / "robustness.csv").exists()
    seen = []
    robustness(
        PLAN, out=stopped, backend="serial", progress=lambda done, total: seen.append((done, total))
    )
    info = meta(stopped)
    assert info["computed"] == RUNS_NEEDED - 5 and info["reused"] == 5
    assert seen[0] == (5, RUNS_NEEDED) and seen[-1] == (RUNS_NEEDED, RUNS_NEEDED)
    assert (stopped / "robustness.csv").read_bytes() == (out / "robustness.csv").read_bytes()


@pytest.mark.parametrize(
    "options, match",
    [
        ({"backend": "threads"}, "backend='threads'"),
        ({"backend": "serial", "workers": 2}, "workers=2"),
        ({"restart": "yes"}, "restart='yes'"),
        ({"progress": 3}, "progress=3"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(tmp_path, options, match):
    out = tmp_path / "never"
    with pytest.raises(RobustnessError, match=match):
        robustness(PLAN, out=out, **options)
    assert not out.exists()


def test_a_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a collabsim robustness study"):
        robustness(PLAN, out=tmp_path, backend="serial")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
