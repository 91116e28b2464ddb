"""Sweeps that never fall over: processes killed and Ctrl-C, for real, and what the user sees.

Each test makes the fault happen for real (a killed process, Ctrl-C under the pool or a
local Dask cluster) on sweeps of a few small runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import psutil
import pytest
from cli_support import SCRIPT
from sweep_fault_support import (
    LONG,
    LONG_RUNS,
    TINY,
    still_running,
    wait_until_gone,
)
from test_sweep_kill_and_memory import part_rows, start_as_in_a_terminal, wait_for_saved_runs

import collabsim
from collabsim.cli import main
from collabsim.sweeps import iter_sweep, serial
from collabsim.sweeps.parts import Parts
from collabsim.sweeps.store import SweepStore

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
        wait_until_gone(children, timeout=60)
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
        f"collabsim: interrupted: {saved:,} of {LONG_RUNS:,} runs are saved in "
        "results/long; run the same command again to resume"
    ]
    kept = collabsim.load(folder)
    assert kept.meta["status"] == "interrupted" and len(kept.runs) == saved >= 4


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
            signal.raise_signal(signal.SIGINT)  # arrives before the runs are counted

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
        signal.raise_signal(signal.SIGINT)

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
        f"collabsim: interrupted: {saved:,} of {LONG_RUNS:,} runs are saved in "
        "results/long; run the same command again to resume"
    )
    assert saved == sum(written) >= 1
    assert collabsim.load(folder).meta["status"] == "interrupted"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


class _PressesCtrlCWhenCollected:
    """An object whose finaliser is interrupted by Ctrl-C: Python reports and ignores it."""

    def __del__(self):
        signal.raise_signal(signal.SIGINT)
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
