"""Sweeps that never fall over: damaged results found, set aside and redone.

Each test damages a real sweep's files (a flipped bit, a truncated or foreign part, a
deleted design, a damaged manifest or meta.json) and checks what is redone and what the
user is told.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from cli_support import SCRIPT
from sweep_fault_support import (
    LONG,
    LONG_RUNS,
    TINY,
    cli,
    command,
    sweep_file,
)
from test_sweep_kill_and_memory import part_rows, start_as_in_a_terminal, wait_for_saved_runs

import collabsim
from collabsim.cli import main
from collabsim.sweeps import SweepError, iter_sweep, serial

# --- 3. damaged results are found, set aside and redone --------------------------------


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The tiny sweep run without a fault: what every repaired sweep must equal."""
    return collabsim.sweep(**TINY, out=tmp_path_factory.mktemp("whole") / "sweep")


def stopped_sweep(out: Path, monkeypatch, runs: int = 6) -> None:
    """The tiny sweep stopped after ``runs`` runs, each in its own part."""
    monkeypatch.setattr(serial, "CHUNK_SECONDS", 0.0)
    for count, _ in enumerate(iter_sweep(**TINY, out=out), start=1):
        if count == runs:
            break


def flip_bit(path: Path, offset: int, bit: int = 2) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 1 << bit
    path.write_bytes(bytes(data))


def same_results(repaired, whole) -> None:
    pd.testing.assert_frame_equal(
        repaired.runs.drop(columns="duration"), whole.runs.drop(columns="duration")
    )
    pd.testing.assert_frame_equal(repaired.timeseries, whole.timeseries)


def notices(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "collabsim.sweeps"]


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9], ids=["head", "middle", "tail"])
def test_a_flipped_bit_in_a_part_is_set_aside_and_only_its_runs_redone(
    tmp_path, monkeypatch, caplog, whole, where
):
    out = tmp_path / "sweep"
    stopped_sweep(out, monkeypatch)
    part = out / "runs" / "part-000002.parquet"
    flip_bit(part, int(part.stat().st_size * where))
    flipped = part.read_bytes()
    with caplog.at_level(logging.WARNING, logger="collabsim.sweeps"):
        repaired = collabsim.sweep(**TINY, out=out)
    (notice,) = notices(caplog)
    assert notice.startswith(f"{part} is damaged (its checksum differs")
    assert f"set aside as {out / 'damaged' / 'runs-part-000002.parquet'}" in notice
    assert notice.endswith("its run will be run again")
    assert (out / "damaged" / "runs-part-000002.parquet").read_bytes() == flipped
    assert (out / "damaged" / "timeseries-part-000002.parquet").is_file()
    assert repaired.meta["sessions"][-1]["runs"] == 12 - 6 + 1  # the rest, and its run
    same_results(repaired, whole)


def test_a_deleted_timeseries_part_has_its_runs_redone(tmp_path, monkeypatch, caplog, whole):
    out = tmp_path / "sweep"
    stopped_sweep(out, monkeypatch)
    (out / "timeseries" / "part-000004.parquet").unlink()
    with caplog.at_level(logging.WARNING, logger="collabsim.sweeps"):
        repaired = collabsim.sweep(**TINY, out=out)
    (notice,) = notices(caplog)
    assert notice.startswith(
        f"{out / 'runs' / 'part-000004.parquet'} has a time series part "
        "that is missing; set aside as"
    )
    assert repaired.meta["sessions"][-1]["runs"] == 7
    same_results(repaired, whole)


def damage_manifest(manifest: Path, fault: str) -> set[int]:
    """Damage the parts manifest of a stopped sweep; the parts it still vouches for."""
    lines = manifest.read_bytes().splitlines(keepends=True)
    if fault == "deleted":
        manifest.unlink()
        return set()
    if fault == "truncated":  # cut inside the line of part 3
        manifest.write_bytes(b"".join(lines[:3]) + lines[3][: len(lines[3]) // 2])
        return {0, 1, 2}
    if fault == "truncated in its first line":
        manifest.write_bytes(lines[0][:30])
        return set()
    # garbled: 40 bytes of junk across the end of part 1's line and the start of part 2's
    data = bytearray(b"".join(lines))
    end = len(lines[0]) + len(lines[1])
    data[end - 20 : end + 20] = bytes(range(200, 240))
    manifest.write_bytes(bytes(data))
    return {0, 3, 4, 5}


@pytest.mark.parametrize(
    "fault", ["truncated", "truncated in its first line", "garbled", "deleted"]
)
def test_a_damaged_manifest_has_the_parts_it_no_longer_vouches_for_set_aside_and_redone(
    tmp_path, monkeypatch, caplog, whole, fault
):
    """Resumed, stopped again and resumed once more: only the unvouched parts are redone."""
    out = tmp_path / "sweep"
    stopped_sweep(out, monkeypatch)
    vouched = damage_manifest(out / "runs" / "manifest.jsonl", fault)
    unvouched = sorted(set(range(6)) - vouched)
    with caplog.at_level(logging.WARNING, logger="collabsim.sweeps"):
        stopped_sweep(out, monkeypatch, runs=2)
    assert notices(caplog) == [
        f"{out / 'runs' / f'part-{n:06d}.parquet'} is not in the parts manifest; set aside as "
        f"{out / 'damaged' / f'runs-part-{n:06d}.parquet'} and "
        f"{out / 'damaged' / f'timeseries-part-{n:06d}.parquet'}; its runs will be run again"
        for n in unvouched
    ]
    assert sorted(p.name for p in (out / "runs").glob("part-*.parquet")) == [
        f"part-{n:06d}.parquet" for n in [*sorted(vouched), 6, 7]
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="collabsim.sweeps"):
        repaired = collabsim.sweep(**TINY, out=out)
    assert notices(caplog) == []  # the parts written since are vouched for
    assert repaired.meta["sessions"][-1]["runs"] == 12 - len(vouched) - 2
    same_results(repaired, whole)


def test_a_deleted_final_time_series_is_reported_in_one_line_and_redone(tmp_path, caplog, whole):
    out = tmp_path / "sweep"
    collabsim.sweep(**TINY, out=out)
    (out / "timeseries.parquet").unlink()
    loaded = collabsim.load(out)
    assert len(loaded.runs) == 12  # the runs table is whole
    with pytest.raises(SweepError) as refused:
        assert loaded.timeseries is None
    assert str(refused.value) == (
        f"{out / 'timeseries.parquet'} is missing: run the sweep again to redo its runs"
    )
    with caplog.at_level(logging.WARNING, logger="collabsim.sweeps"):
        repaired = collabsim.sweep(**TINY, out=out)
    assert notices(caplog) == [
        f"{out / 'timeseries.parquet'} is missing; all 12 runs will be run again"
    ]
    assert repaired.complete and repaired.meta["sessions"][-1]["runs"] == 12
    same_results(repaired, whole)
    same_results(collabsim.load(out), whole)


def test_a_complete_sweep_with_a_flipped_bit_is_refused_on_reading_and_redone(
    tmp_path, caplog, whole
):
    out = tmp_path / "sweep"
    collabsim.sweep(**TINY, out=out)
    flip_bit(out / "runs.parquet", 700)
    with pytest.raises(SweepError, match=r"runs.parquet is damaged .*run the sweep again"):
        assert collabsim.load(out).runs is None
    with caplog.at_level(logging.WARNING, logger="collabsim.sweeps"):
        repaired = collabsim.sweep(**TINY, out=out)
    (notice,) = notices(caplog)
    assert notice.startswith(f"{out / 'runs.parquet'} is damaged")
    assert notice.endswith("all 12 runs will be run again")
    assert repaired.meta["sessions"][-1]["runs"] == 12
    same_results(repaired, whole)


def test_truncated_foreign_and_scrambled_parts_each_get_one_line_not_a_traceback(
    tmp_path, monkeypatch, capsys, whole
):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    stopped_sweep(out, monkeypatch, runs=8)
    runs = out / "runs"
    (runs / "part-000001.parquet").write_bytes((runs / "part-000001.parquet").read_bytes()[:90])
    (runs / "part-000003.parquet").write_text("not parquet at all", encoding="utf-8")
    scrambled = bytearray((runs / "part-000005.parquet").read_bytes())
    for offset in range(100, 160):  # 60 bytes flipped
        scrambled[offset] ^= 0xFF
    (runs / "part-000005.parquet").write_bytes(bytes(scrambled))
    status, err = cli(capsys, "sweep", str(path), "--out", str(out), "--quiet")
    assert status == 0, err
    assert [line.split(" is damaged")[0] for line in err] == [
        f"collabsim: {runs / f'part-00000{n}.parquet'}" for n in (1, 3, 5)
    ]
    assert all("set aside as" in line and "run again" in line for line in err)
    assert collabsim.load(out).meta["sessions"][-1]["runs"] == 12 - 8 + 3
    same_results(collabsim.load(out), whole)


def test_a_deleted_design_and_a_truncated_sample_are_rebuilt(tmp_path, capsys):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    assert cli(capsys, "sweep", str(path), "--out", str(out), "--quiet")[0] == 0
    before = collabsim.load(out)
    design, sample = before.design, before.sample
    (out / "design.parquet").unlink()
    (out / "sample.parquet").write_bytes((out / "sample.parquet").read_bytes()[:200])
    with pytest.raises(
        SweepError,
        match=r"design.parquet is missing: run the sweep again to "
        "rebuild it",
    ):
        assert collabsim.load(out).design is None
    with pytest.raises(SweepError, match=r"sample.parquet is damaged"):
        assert collabsim.load(out).sample is None
    status, err = cli(capsys, "sweep", str(path), "--out", str(out), "--quiet")
    assert status == 0
    assert err == [
        f"collabsim: {out / 'design.parquet'} is missing; rebuilt from the sweep's design",
        f"collabsim: {out / 'sample.parquet'} is damaged (its checksum differs from the one "
        f"recorded when it was written); set aside as {out / 'damaged' / 'sample.parquet'}; "
        "rebuilt from the sweep's design",
    ]
    after = collabsim.load(out)
    pd.testing.assert_frame_equal(after.design, design)
    assert (after.sample == sample).all()
    assert after.meta["sessions"][-1]["runs"] == 0  # the runs were whole: none redone


@pytest.mark.parametrize("damage", ["truncated", "deleted"])
def test_a_damaged_meta_json_is_refused_in_one_line_and_restart_clears_it(
    tmp_path, monkeypatch, capsys, damage
):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    stopped_sweep(out, monkeypatch, runs=3)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    meta = out / "meta.json"
    if damage == "truncated":
        meta.write_bytes(meta.read_bytes()[:150])
    else:
        meta.unlink()
    status, err = cli(capsys, "sweep", str(path), "--out", str(out), "--quiet")
    assert status == 2
    (line,) = err
    assert line.startswith(f"collabsim: error: {meta} is ")
    assert "--restart" in line and "design.parquet" in line and "runs/" in line
    status, err = cli(capsys, "sweep", str(path), "--out", str(out), "--quiet", "--restart")
    assert status == 0, err
    (line,) = err
    assert line.startswith(f"collabsim: {out}: removing the earlier sweep's files to start over: ")
    assert "design.parquet" in line and "runs/" in line
    assert collabsim.load(out).complete
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # not a sweep's file


# --- 4. messages that say what happened ------------------------------------------------


def test_a_sweep_started_while_another_is_opening_the_folder_is_told_it_is_in_use(tmp_path, capsys):
    """The first sweep has taken the lock and written its design, not yet meta.json."""
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "design.parquet").write_bytes(b"being written")
    with open(out / ".lock", "a+b") as first:
        fcntl.flock(first.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        status, err = cli(capsys, "sweep", str(path), "--out", str(out), "--quiet")
    assert status == 2
    assert err == [
        f"collabsim: error: {out} is being written by another sweep right now; "
        "wait for it to finish or stop it"
    ]


def test_two_sweeps_started_at_once_one_runs_and_the_other_is_told_it_is_in_use(tmp_path):
    """The second starts once the first holds the folder (its first runs are saved) and
    has thousands of runs to go, so the two overlap for certain."""
    (tmp_path / "long.toml").write_text(LONG, encoding="utf-8")
    folder = tmp_path / "results" / "long"
    start = [SCRIPT, "sweep", "long.toml", "--backend", "serial", "--quiet"]
    first = start_as_in_a_terminal(start, tmp_path, stdout=subprocess.DEVNULL)
    try:
        wait_for_saved_runs(first, folder, at_least=1, timeout=600)
        assert first.poll() is None, "the first sweep ended before the second started"
        second = command(*start[1:], cwd=tmp_path)
        assert first.poll() is None, "the first sweep ended before the second was refused"
        saved = part_rows(folder)
        assert saved < LONG_RUNS
        os.killpg(first.pid, signal.SIGINT)  # stop the first, as Ctrl-C would
        _, first_err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=60)
    assert second.returncode == 2, second.stderr
    assert second.stderr.splitlines() == [
        f"collabsim: error: {Path('results') / 'long'} is being written by another sweep "
        "right now; wait for it to finish or stop it"
    ]
    assert first.returncode == 130, first_err
    meta = collabsim.load(folder).meta
    assert len(meta["sessions"]) == 1  # the first ran; the second began no session
    assert meta["sessions"][0]["runs"] == part_rows(folder) >= saved >= 1
    assert not (folder / "damaged").exists()


def test_loading_what_is_not_a_sweep_says_what_it_is(tmp_path):
    run_folder = tmp_path / "run"
    command = ["run", "--scenario", "beston", "--steps", "2", "--quiet", "--out", str(run_folder)]
    assert main(command) == 0
    with pytest.raises(FileNotFoundError, match=r"meta.json is not a sweep's \(a `collabsim run`"):
        collabsim.load(run_folder)
    a_file = tmp_path / "runs.csv"
    a_file.write_text("", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="is not a collabsim sweep folder: it is a file"):
        collabsim.load(a_file)
    with pytest.raises(FileNotFoundError, match="is not a collabsim sweep folder: no sweep meta"):
        collabsim.load(tmp_path / "nothing")
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut" / "meta.json").write_text('{"kind": "collabsim sw', encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="its meta.json is damaged"):
        collabsim.load(tmp_path / "cut")
