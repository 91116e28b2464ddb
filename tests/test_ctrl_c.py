"""Ctrl-C and SIGTERM when a sweep or a run is least ready for them: one line, nothing lost."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from cli_support import SCRIPT
from sweep_fault_support import wait_until_gone
from test_sweep_kill_and_memory import (
    KILL_FILE,
    RUNS,
    part_rows,
    start_as_in_a_terminal,
    wait_for_saved_runs,
)

import collabsim
from collabsim import ctrl_c

#: Seconds allowed for a command to get where a test presses Ctrl-C.
DEADLINE = 120


def _pool_workers(pid: int) -> list[psutil.Process]:
    """The spawned pool workers of process ``pid`` (not Python's resource tracker)."""
    workers = []
    for child in psutil.Process(pid).children():
        try:
            command = " ".join(child.cmdline())
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        if "spawn_main" in command and "resource_tracker" not in command:
            workers.append(child)
    return workers


def _hears_ctrl_c(worker: psutil.Process) -> bool:
    """Whether SIGINT reaches ``worker``'s main thread: neither blocked nor ignored."""
    status = (Path("/proc") / str(worker.pid) / "status").read_text(encoding="utf-8")
    masks = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    bit = 1 << (signal.SIGINT - 1)
    return not (int(masks["SigBlk"], 16) & bit or int(masks["SigIgn"], 16) & bit)


def test_ctrl_c_while_the_workers_load_the_model_is_one_line(tmp_path):
    (tmp_path / "killed.toml").write_text(KILL_FILE, encoding="utf-8")
    running = start_as_in_a_terminal([SCRIPT, "sweep", "killed.toml", "--workers", "2"], tmp_path)
    deadline = time.monotonic() + DEADLINE
    while len(_pool_workers(running.pid)) < 2:  # a worker takes about a second to load
        assert running.poll() is None and time.monotonic() < deadline, "no workers started"
        time.sleep(0.002)  # a poll of the process table, ended by the deadline above
    # found within milliseconds of starting, long before their imports end: deaf already
    assert not any(_hears_ctrl_c(worker) for worker in _pool_workers(running.pid))
    os.killpg(running.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = running.communicate(timeout=DEADLINE)
    assert running.returncode == 130, err
    assert "Traceback" not in err and "Exception in initializer" not in err, err
    lines = err.strip().splitlines()
    assert all(line.startswith("collabsim: ") for line in lines), err
    assert lines[-1].startswith("collabsim: interrupted: "), err


def test_ctrl_c_during_a_run_writes_nothing_and_says_so_in_one_line(tmp_path):
    long_run = ["n_people=5000", "horizon=2600", "cede_willingness=0.9"]  # about 10 s
    running = start_as_in_a_terminal(
        [SCRIPT, "run", *(f"--set={value}" for value in long_run), "--out", "long"],
        tmp_path,
        stdout=subprocess.DEVNULL,
    )
    first = running.stderr.readline()  # the run's first progress line, after a few seconds
    assert re.match(r"collabsim: [\d,]+ of 2,?600 weeks", first), first
    os.killpg(running.pid, signal.SIGINT)
    _, err = running.communicate(timeout=DEADLINE)
    assert running.returncode == 130, first + err
    assert err.strip() == "collabsim: interrupted before the run ended: nothing was written"
    assert not (tmp_path / "long").exists()


@pytest.mark.usefixtures("python_ctrl_c")
def test_a_ctrl_c_held_arrives_once_the_block_has_ended():
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with ctrl_c.held():
            signal.raise_signal(signal.SIGINT)  # to this thread: handled before it returns
            finished.append(True)
    assert finished == [True]


@pytest.mark.usefixtures("python_ctrl_c")
def test_a_ctrl_c_another_thread_hears_while_processes_start_arrives_once_they_have():
    # Blocked in this thread, a press goes to any other; Python still raises it here, and
    # must not before the block ends (a process half started would print a traceback).
    go, heard = threading.Event(), threading.Event()

    def hear_ctrl_c():
        go.wait(DEADLINE)
        signal.raise_signal(signal.SIGINT)  # to this thread: its C handler runs at once
        heard.set()

    hearing = threading.Thread(target=hear_ctrl_c, daemon=True)
    hearing.start()  # before the block, so the signal is not blocked in it
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with ctrl_c.kept_from_new_processes():
            go.set()
            assert heard.wait(DEADLINE)
            finished.append(True)  # Python's handler has run by now, at the latest here
    assert finished == [True]
    hearing.join(DEADLINE)


def test_a_process_started_while_ctrl_c_is_kept_from_it_never_hears_it(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import signal, sys\n"
        "sys.stdout.write(str(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])))\n",
        encoding="utf-8",
    )
    with ctrl_c.kept_from_new_processes():
        inside = subprocess.run([sys.executable, probe], capture_output=True, text=True)
    after = subprocess.run([sys.executable, probe], capture_output=True, text=True)
    assert (inside.stdout, after.stdout) == ("True", "False")


def test_sigterm_stops_a_pool_sweep_as_ctrl_c_does_keeping_its_runs(tmp_path):
    """``kill`` sends SIGTERM to the sweep's process alone (its workers hear nothing)."""
    (tmp_path / "killed.toml").write_text(KILL_FILE, encoding="utf-8")
    folder = tmp_path / "results" / "killed"
    running = start_as_in_a_terminal([SCRIPT, "sweep", "killed.toml", "--workers", "2"], tmp_path)
    wait_for_saved_runs(running, folder, at_least=4, timeout=DEADLINE)
    assert running.poll() is None, "the sweep finished before SIGTERM: make it longer"
    running.send_signal(signal.SIGTERM)
    _, err = running.communicate(timeout=DEADLINE)
    assert running.returncode == 130, err
    assert "leaked" not in err and "Traceback" not in err, err  # the pool was shut down
    saved = part_rows(folder)
    assert err.strip().splitlines()[-1] == (
        f"collabsim: interrupted: {saved:,} of {RUNS:,} runs are saved in results/killed; "
        "run the same command again to resume"
    )
    assert collabsim.load(folder).meta["status"] == "interrupted"


@pytest.mark.parametrize("backend", [["--workers", "2"], ["--dask-local", "2"]])
def test_sigterm_to_the_whole_process_group_stops_a_sweep_as_ctrl_c_does(tmp_path, backend):
    """A batch system's time limit signals every process of the job: the workers die at
    once, and the sweep must still stop in one line, keeping what it saved."""
    (tmp_path / "killed.toml").write_text(KILL_FILE, encoding="utf-8")
    folder = tmp_path / "results" / "killed"
    running = start_as_in_a_terminal([SCRIPT, "sweep", "killed.toml", *backend], tmp_path)
    wait_for_saved_runs(running, folder, at_least=4, timeout=DEADLINE)
    assert running.poll() is None, "the sweep finished before SIGTERM: make it longer"
    os.killpg(running.pid, signal.SIGTERM)
    _, err = running.communicate(timeout=DEADLINE)
    assert running.returncode == 130, err
    assert "leaked" not in err and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("collabsim: interrupted: "), err
    assert collabsim.load(folder).meta["status"] == "interrupted"


def test_sigterm_while_a_local_dask_cluster_starts_is_passed_on_once_it_has(tmp_path):
    """Ctrl-C is ignored while the cluster's workers start; a SIGTERM then must not be lost."""
    (tmp_path / "killed.toml").write_text(KILL_FILE, encoding="utf-8")
    running = start_as_in_a_terminal(
        [SCRIPT, "sweep", "killed.toml", "--dask-local", "2", "--quiet"], tmp_path
    )
    try:
        deadline = time.monotonic() + DEADLINE
        while not _pool_workers(running.pid):  # the cluster's first worker is starting
            assert running.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.002)  # a poll of the process table, ended by the deadline above
        assert not _hears_ctrl_c(_pool_workers(running.pid)[0])  # still starting: deaf
        children = psutil.Process(running.pid).children(recursive=True)
        running.send_signal(signal.SIGTERM)
        _, err = running.communicate(timeout=DEADLINE)
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
            running.wait()
    assert running.returncode == 130, err
    assert "leaked" not in err and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("collabsim: interrupted: "), err
    assert collabsim.load(tmp_path / "results" / "killed").meta["status"] == "interrupted"
    wait_until_gone(children, timeout=DEADLINE)  # the cluster's processes end with it


def test_sigterm_ends_a_command_that_ignores_ctrl_c_as_it_would_have(tmp_path):
    """A background job of a script ignores Ctrl-C; SIGTERM must still end it."""
    (tmp_path / "killed.toml").write_text(KILL_FILE, encoding="utf-8")
    folder = tmp_path / "results" / "killed"
    running = subprocess.Popen(
        [SCRIPT, "sweep", "killed.toml", "--workers", "2", "--quiet"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        wait_for_saved_runs(running, folder, at_least=4, timeout=DEADLINE)
        assert running.poll() is None, "the sweep finished before SIGTERM: make it longer"
        running.send_signal(signal.SIGTERM)
        running.communicate(timeout=DEADLINE)
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
            running.wait()
    assert running.returncode == -signal.SIGTERM
