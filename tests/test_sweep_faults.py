"""Sweeps that never fall over: faults injected into real sweeps, and what the user sees.

Each test makes the fault happen for real (a killed process, a flipped bit, a truncated
file, a read-only folder, two sweeps at once, Ctrl-C) on sweeps of a few small runs.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import psutil
import pytest
from cli_support import SCRIPT
from test_sweep_kill_and_memory import part_rows, start_as_in_a_terminal, wait_for_saved_runs

import collabsim
from collabsim.cli import main
from collabsim.sweeps import SweepError, iter_sweep, serial
from collabsim.sweeps.parts import Parts
from collabsim.sweeps.store import SweepStore

#: A sweep long enough to be caught running whatever the machine: 4,000 runs of 100 weeks,
#: with a time series (a minute or more of work; every test stops it after its first runs).
LONG_RUNS = 4000
LONG = f"""\
[sweep]
name = "long"
design = "lhs"
n = {LONG_RUNS // 2}
replicates = 2
steps = 100
seed = 3

[sweep.timeseries]
reporters = ["alive"]
every = 10

[params]
n_people = 60

[factors]
cede_willingness = {{}}
"""

#: Options of a tiny sweep: 12 runs of 6 weeks, a time series, a sampled design.
TINY = {
    "factors": {"cede_willingness": (0.1, 0.9)},
    "design": "lhs",
    "n": 6,
    "replicates": 2,
    "steps": 6,
    "seed": 2,
    "params": {"n_people": 30},
    "timeseries": ["alive", "trust_cross_org"],
    "every": 2,
    "backend": "serial",
}


def command(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def still_running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# --- 1. pool workers end with their sweep ---------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_pool_workers_and_resource_tracker_exit_when_the_sweep_process_dies(tmp_path, signum):
    (tmp_path / "long.toml").write_text(LONG, encoding="utf-8")
    sweep = subprocess.Popen(
        [SCRIPT, "sweep", "long.toml", "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    children: list[psutil.Process] = []
    try:
        wait_for_saved_runs(sweep, tmp_path / "results" / "long", at_least=4, timeout=900)
        assert sweep.poll() is None, "the sweep finished before it was killed: make it longer"
        children = psutil.Process(sweep.pid).children(recursive=True)
        assert len(children) == 3  # two workers and multiprocessing's resource tracker
        sweep.send_signal(signum)  # the sweep's own process only, as the OOM killer does
        sweep.wait(timeout=60)
        deadline = time.monotonic() + 60
        while any(still_running(child) for child in children):
            assert time.monotonic() < deadline, [
                c.cmdline()[-1] for c in children if still_running(c)
            ]
            time.sleep(0.1)
    finally:
        if sweep.poll() is None:
            sweep.kill()
            sweep.wait(timeout=60)
        for child in children:
            if still_running(child):
                child.kill()


# --- 5. Ctrl-C under a local Dask cluster ---------------------------------------------


def test_ctrl_c_under_a_local_dask_cluster_prints_one_line_and_keeps_the_runs(tmp_path):
    (tmp_path / "long.toml").write_text(LONG, encoding="utf-8")
    folder = tmp_path / "results" / "long"
    sweep = start_as_in_a_terminal(
        [SCRIPT, "sweep", "long.toml", "--dask-local", "2", "--quiet"], tmp_path
    )
    try:
        wait_for_saved_runs(sweep, folder, at_least=4, timeout=900)
        assert sweep.poll() is None, "the sweep finished before Ctrl-C: make it longer"
        os.killpg(sweep.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
        _, err = sweep.communicate(timeout=600)
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
            sweep.wait(timeout=60)
    assert sweep.returncode == 130, err
    saved = part_rows(folder)
    assert err.splitlines() == [
        f"collabsim: interrupted: {saved} of {LONG_RUNS} runs are saved in "
        "results/long; run the same command again to resume"
    ]
    kept = collabsim.load(folder)
    assert kept.meta["status"] == "interrupted" and len(kept.runs) == saved >= 4


@pytest.fixture
def python_ctrl_c():
    """Ctrl-C at Python's own handler, as in a terminal, whatever this test process had.

    pytest started as a background job of a non-interactive shell (as a CI runner may
    start it) runs, with its workers, with SIGINT ignored; the sweep rightly leaves a
    handler it did not find as Python's own alone, so these tests set the default.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("python_ctrl_c")
@pytest.mark.parametrize("part", [1, 3])
def test_ctrl_c_as_a_part_is_saved_counts_that_part_as_saved(tmp_path, monkeypatch, part):
    """Ctrl-C landing just after a part file takes its name: the count still includes it."""
    monkeypatch.setattr(serial, "CHUNK_SECONDS", 0.0)  # a part per run
    written = []
    write = Parts.write

    def write_then_ctrl_c(self, runs, series):
        write(self, runs, series)
        written.append(runs.num_rows)
        if len(written) == part:
            os.kill(os.getpid(), signal.SIGINT)  # arrives before the runs are counted

    monkeypatch.setattr(Parts, "write", write_then_ctrl_c)
    run = iter_sweep(**TINY, out=tmp_path / "sweep")
    with pytest.raises(KeyboardInterrupt):
        for _ in run:
            pass
    assert run.done == sum(written) == part_rows(tmp_path / "sweep") == part
    assert collabsim.load(tmp_path / "sweep").meta["status"] == "interrupted"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.usefixtures("python_ctrl_c")
@pytest.mark.parametrize("second", ["shutting_down", "saving"])
def test_ctrl_c_pressed_again_while_a_pool_sweep_stops_still_stops_it_whole(
    tmp_path, monkeypatch, capsys, second
):
    """A second press lands while the first stops the sweep (an impatient user, or
    ``timeout -s INT``, which signals twice): inside the pool's shutdown, where it used to
    leave idle workers and Python's exit waiting on each other for good, or while the
    sweep records that it stopped."""
    (tmp_path / "long.toml").write_text(LONG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def press() -> None:
        os.kill(os.getpid(), signal.SIGINT)

    write, shutdown, stop = Parts.write, ProcessPoolExecutor.shutdown, SweepStore.stop
    written, workers, shut = [], [], []

    def write_then_ctrl_c(self, runs, series):
        write(self, runs, series)
        written.append(runs.num_rows)
        if len(written) == 1:
            press()  # the first press, once a chunk is saved

    def shut_down(self, *args, **kwargs):
        workers.extend(psutil.Process(process.pid) for process in self._processes.values())
        if second == "shutting_down":
            press()
        shutdown(self, *args, **kwargs)
        shut.append(self)  # the shutdown ran to its end, not broken off by the press

    def record_the_stop(self):
        if second == "saving":
            press()
        stop(self)

    monkeypatch.setattr(Parts, "write", write_then_ctrl_c)
    monkeypatch.setattr(ProcessPoolExecutor, "shutdown", shut_down)
    monkeypatch.setattr(SweepStore, "stop", record_the_stop)
    try:
        status = main(["sweep", "long.toml", "--workers", "2", "--quiet"])
        _, alive = psutil.wait_procs(workers, timeout=60)
        assert workers and not alive, "the pool's workers were left running"
        assert len(shut) == 1
    finally:
        for process in workers:
            if still_running(process):
                process.kill()
    err = capsys.readouterr().err
    assert status == 130, err
    assert "Traceback" not in err and "Exception ignored" not in err
    folder = tmp_path / "results" / "long"
    saved = part_rows(folder)
    assert err.strip().splitlines()[-1] == (
        f"collabsim: interrupted: {saved} of {LONG_RUNS} runs are saved in "
        "results/long; run the same command again to resume"
    )
    assert saved == sum(written) >= 1
    assert collabsim.load(folder).meta["status"] == "interrupted"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


class _PressesCtrlCWhenCollected:
    """An object whose finaliser is interrupted by Ctrl-C: Python reports and ignores it."""

    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):  # the interrupt is raised here, inside the finaliser
            pass


@pytest.mark.usefixtures("python_ctrl_c")
def test_a_ctrl_c_swallowed_in_a_finaliser_still_stops_the_sweep(tmp_path, monkeypatch):
    monkeypatch.setattr(serial, "CHUNK_SECONDS", 0.0)  # a part per run
    ignored = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: ignored.append(report.exc_type))

    def progress(done, total):
        if done == 2:
            _PressesCtrlCWhenCollected()  # collected at once: Ctrl-C lands in __del__

    run = iter_sweep(**TINY, out=tmp_path / "sweep", progress=progress)
    with pytest.raises(KeyboardInterrupt):
        for _ in run:
            pass
    assert ignored == [KeyboardInterrupt]  # Python did swallow it there
    assert run.done == part_rows(tmp_path / "sweep") == 2 < run.total
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


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


SWEEP_FILE = """\
[sweep]
name = "tiny"
design = "lhs"
n = 6
replicates = 2
steps = 6
seed = 2

[sweep.timeseries]
reporters = ["alive", "trust_cross_org"]
every = 2

[params]
n_people = 30

[factors]
cede_willingness = {low = 0.1, high = 0.9}
"""


def sweep_file(folder: Path) -> Path:
    path = folder / "tiny.toml"
    path.write_text(SWEEP_FILE, encoding="utf-8")
    return path


def cli(capsys, *args: str) -> tuple[int, list[str]]:
    status = main([*args, "--backend", "serial"])
    return status, capsys.readouterr().err.strip().splitlines()


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


# --- 2. the size of a sweep, before anything is built -----------------------------------


EIGHT_FACTORS = "".join(
    f"{name} = {{}}\n"
    for name in (
        "cede_willingness",
        "partner_strength",
        "distributed_leadership",
        "incremental_share",
        "central_leader_strength",
        "programme_intensity",
        "results_pressure",
        "power_imbalance",
    )
)
ONE_FACTOR = "cede_willingness = {}\n"

HUGE = [
    # (what, [sweep] keys, [factors] table, words of the one-line refusal)
    (
        "grid of 167,961,600 runs",
        "levels = 6\nreplicates = 100\n",
        EIGHT_FACTORS,
        [
            "167,961,600 runs (1,679,616 grid design points x 100 replicates, 52 weeks each)",
            "more than the 1,000,000 runs a sweep may have unconfirmed",
            "use fewer levels, or a sampled design (lhs, sobol, morris), or fewer replicates",
            "give --allow-large",
        ],
    ),
    (
        "LHS of 2,000,000 runs",
        'design = "lhs"\nn = 20000\nreplicates = 100\n',
        ONE_FACTOR,
        [
            "2,000,000 runs (20,000 lhs design points x 100 replicates, 52 weeks each)",
            "use a smaller n, or fewer replicates, or give --allow-large",
        ],
    ),
    (
        "a billion levels",
        "levels = 1000000000\n",
        ONE_FACTOR,
        [
            "the design has 1,000,000,000 points, more than the 5,000,000 allowed: "
            "use fewer levels, or a sampled design (lhs, sobol, morris)"
        ],
    ),
    (
        "Sobol' n = 2^30",
        'design = "sobol"\nn = 1073741824\n',
        EIGHT_FACTORS,
        ["the design has 19,327,352,832 points, more than the 5,000,000 allowed: use a smaller n"],
    ),
    (
        "LHS n = 1e9",
        'design = "lhs"\nn = 1000000000\n',
        ONE_FACTOR,
        ["the design has 1,000,000,000 points, more than the 5,000,000 allowed: use a smaller n"],
    ),
    (
        "a hundred million replicates",
        "levels = 2\nreplicates = 100000000\n",
        ONE_FACTOR,
        ["replicates=100000000 is not allowed: expected a whole number from 1 to 100,000"],
    ),
    (
        "steps past the longest horizon",
        "levels = 2\nsteps = 100000\n",
        ONE_FACTOR,
        ["steps=100000 is not allowed: expected a whole number from 1 to 2,600"],
    ),
]


@pytest.mark.parametrize(("what", "keys", "factors", "expected"), HUGE, ids=[h[0] for h in HUGE])
def test_huge_sweeps_are_refused_at_once_in_one_line_naming_the_file(
    tmp_path, capsys, what, keys, factors, expected
):
    path = tmp_path / "huge.toml"
    keys = keys if "steps" in keys else f"steps = 52\n{keys}"
    path.write_text(f"[sweep]\n{keys}\n[factors]\n{factors}", encoding="utf-8")
    import tracemalloc

    tracemalloc.start()
    status, err = cli(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert status == 2
    (line,) = err
    assert line.startswith(f"collabsim: error: {path}: "), line
    for words in expected:
        assert words in line, (what, line)
    if "design = " in keys:  # already sampled: no advice to sample
        assert "sampled design" not in line, line
    assert peak < 100e6, f"{peak / 1e6:.0f} MB held before refusing"  # nothing was built
    assert not (tmp_path / "out").exists()


def test_a_large_sweep_runs_once_confirmed_and_sizes_match_the_designs_made():
    from collabsim.sweeps.design import make_design, make_factors
    from collabsim.sweeps.plan import SweepTooLarge, plan_sweep
    from collabsim.sweeps.sampling import Sampling
    from collabsim.sweeps.size import LARGE_RUNS

    options = {"factors": {"cede_willingness": {}}, "levels": 20, "replicates": 60_000, "steps": 10}
    assert 20 * 60_000 > LARGE_RUNS
    with pytest.raises(SweepTooLarge, match="1,200,000 runs .* allow_large=True"):
        plan_sweep(**options)
    assert plan_sweep(**options, allow_large=True).total == 1_200_000
    factors = make_factors(
        {
            "cede_willingness": {},
            "meeting_interval": {"low": 1, "high": 4},
            "academic_partner": None,
            "network_type": None,
        }
    )
    for design, extra in [
        ("grid", {"levels": 3}),
        ("grid", {"levels": 9}),
        ("lhs", {"n": 7}),
        ("sobol", {"n": 8}),
        ("sobol", {"n": 8, "second_order": False}),
        ("morris", {"n": 3}),
    ]:
        sampling = Sampling(design, **extra)
        assert sampling.points(factors) == len(make_design(factors, sampling)), (design, extra)


def test_the_start_of_a_sweep_says_its_size_time_and_disk(tmp_path):
    path = sweep_file(tmp_path)
    done = command("sweep", str(path), "--backend", "serial", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(
        f"collabsim: {path}: 12 runs (6 lhs design points x 2 replicates, 6 weeks each): about "
    )
    assert " on 1 worker and " in first and first.endswith(" on disk")


def test_run_refuses_steps_past_the_longest_horizon(capsys):
    assert main(["run", "--steps", "5000", "--quiet"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "collabsim: error: --steps 5000 is not allowed: expected a whole number "
        "from 1 to 2,600 (weeks per run; 2,600 is the longest horizon a scenario may have)"
    )


# --- 6. an output folder that cannot be written is found first ------------------------


@pytest.fixture
def read_only(tmp_path):
    """A folder no one may write to: immutable for root, mode 555 for anyone else."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("this file system cannot make a folder read-only for root")
    else:
        folder.chmod(0o555)
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def test_run_into_a_read_only_folder_is_refused_before_the_run(tmp_path, read_only):
    """The run asked for (5,000 people for 50 years) takes about a minute of CPU."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = command(
        "run",
        "--set",
        "n_people=5000",
        "--steps",
        "2600",
        "--quiet",
        "--out",
        str(read_only / "run"),
        cwd=tmp_path,
        timeout=900,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(
        f"collabsim: error: cannot write results to '{read_only / 'run'}' "
        f"(it would be made in {read_only}): "
    )
    assert line.endswith("; nothing was run")
    assert spent < 30, f"refusing took {spent:.0f} s of CPU: the run was run"


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "FILE"],
        ["sensitivity", "STUDY"],
        ["validate", "--quick", "--pattern", "neutral_partner_sustains"],
    ],
    ids=["sweep", "sensitivity", "validate"],
)
def test_commands_refuse_a_read_only_folder_in_one_line(tmp_path, capsys, read_only, args):
    study = tmp_path / "study.toml"
    study.write_text(
        '[sensitivity]\nmethod = "morris"\nn = 2\nsteps = 4\n[params]\n'
        "n_people = 30\n[factors]\ncede_willingness = {}\n",
        encoding="utf-8",
    )
    names = {"FILE": str(sweep_file(tmp_path)), "STUDY": str(study)}
    for out in (read_only, read_only / "new"):
        status, err = cli(capsys, *[names.get(a, a) for a in args], "--out", str(out))
        assert status == 2
        (line,) = err
        assert line.startswith(f"collabsim: error: cannot write results to '{out}'")
        assert line.endswith("; nothing was run")


# --- 4. every refusal of a sweep or study file names the file ---------------------------


SENSITIVITY_FILE = """\
[sensitivity]
method = "morris"
n = 2
steps = 4
outputs = ["sustained"]
[params]
n_people = 30
[factors]
cede_willingness = {}
"""

REFUSED = [
    # (command, the good file, what replaces what)
    ("sweep", SWEEP_FILE, ("n = 6", "n = 0")),
    ("sweep", SWEEP_FILE, ('design = "lhs"', 'design = "grid"\nlevels = 1')),
    ("sweep", SWEEP_FILE, ("replicates = 2", "replicates = true")),
    ("sweep", SWEEP_FILE, ("seed = 2", "seed = -1")),
    ("sweep", SWEEP_FILE, ("steps = 6", "steps = 0")),
    ("sweep", SWEEP_FILE, ("n_people = 30", "n_people = 3")),
    ("sweep", SWEEP_FILE, ("every = 2", "every = 0")),
    ("sweep", SWEEP_FILE, ('"alive",', '"alive", "alive",')),
    ("sweep", SWEEP_FILE, ("{low = 0.1, high = 0.9}", "{low = 0.9, high = 0.1}")),
    ("sweep", SWEEP_FILE, ("cede_willingness = {low", "organisations = {low")),
    ("sweep", SWEEP_FILE, ('name = "tiny"', 'name = "a/b"')),
    ("sensitivity", SENSITIVITY_FILE, ('method = "morris"', "method = []")),
    ("sensitivity", SENSITIVITY_FILE, ('method = "morris"\nn = 2', 'method = "sobol"\nn = 3')),
    ("sensitivity", SENSITIVITY_FILE, ("n = 2", "n = 1")),
    ("sensitivity", SENSITIVITY_FILE, ("steps = 4", "steps = 0")),
    ("sensitivity", SENSITIVITY_FILE, ("n_people = 30", "n_people = 3")),
    ("sensitivity", SENSITIVITY_FILE, ("cede_willingness = {}", "cede_willingness = {low = 2}")),
    ("sensitivity", SENSITIVITY_FILE, ("cede_willingness = {}", "academic_partner = [1, 2]")),
]


@pytest.mark.parametrize(
    ("kind", "text", "change"), REFUSED, ids=[f"{k}: {c[1]}" for k, _, c in REFUSED]
)
def test_every_refusal_of_a_sweep_or_study_file_names_the_file(
    tmp_path, capsys, kind, text, change
):
    path = tmp_path / "study.toml"
    path.write_text(text.replace(*change), encoding="utf-8")
    status, err = cli(capsys, kind, str(path), "--out", str(tmp_path / "out"))
    assert status == 2, err
    (line,) = err
    assert line.startswith(f"collabsim: error: {path}: "), line
    assert not (tmp_path / "out").exists()
