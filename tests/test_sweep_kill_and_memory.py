"""A sweep survives SIGKILL, and its memory does not grow with its size."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
from cli_support import SCRIPT

import collabsim

#: Runs in the sweep that is killed: with 20 of them saved, the rest take seconds of work
#: (about 40 ms a run), while the signal follows the 20th within a look at the folder
#: (50 ms), so it always arrives while the sweep is still running.
RUNS = 160
KILL_FILE = f"""\
[sweep]
name = "killed"
design = "lhs"
n = {RUNS // 4}
replicates = 4
steps = 100
seed = 3

[sweep.timeseries]
reporters = ["trust_cross_org", "alive"]
every = 10

[params]
n_people = 100

[factors]
cede_willingness = {{}}
academic_partner = [true, false]
"""


def part_rows(folder: Path) -> int:
    parts = sorted((folder / "runs").glob("part-*.parquet"))
    return sum(pq.read_metadata(p).num_rows for p in parts)


def wait_for_saved_runs(
    process: subprocess.Popen, folder: Path, at_least: int = 20, timeout: float = 120
) -> None:
    """Wait until ``at_least`` runs are saved in ``folder`` or ``process`` has exited.

    Between looks at the folder it waits on the process itself, so an early exit ends
    the wait at once; the caller asserts which of the two happened.
    """
    deadline = time.monotonic() + timeout
    while part_rows(folder) < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} runs saved in {timeout} s"
        try:
            process.wait(timeout=0.05)
            return  # it exited
        except subprocess.TimeoutExpired:
            pass


def test_a_sweep_killed_with_sigkill_resumes_to_exactly_the_full_set(tmp_path):
    (tmp_path / "killed.toml").write_text(KILL_FILE, encoding="utf-8")
    folder = tmp_path / "results" / "killed"
    victim = subprocess.Popen(
        [SCRIPT, "sweep", "killed.toml", "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_saved_runs(victim, folder)
    finally:
        os.killpg(victim.pid, signal.SIGKILL)  # the command and its worker processes
        victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL, "the sweep finished before it was killed"

    saved = part_rows(folder)
    assert 20 <= saved < RUNS
    assert not (folder / "runs.parquet").exists()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["status"] == "running"  # a killed process records nothing more

    done = subprocess.run(
        [SCRIPT, "sweep", "killed.toml", "--workers", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"; {saved} were done before." in done.stdout
    resumed = collabsim.load(folder)
    assert resumed.complete
    assert resumed.meta["sessions"][-1]["runs"] == RUNS - saved  # none run twice
    runs = resumed.runs
    assert runs["run"].tolist() == list(range(RUNS))  # one row per (point, replicate)
    assert not list(folder.rglob("*.tmp")) and not (folder / "runs").exists()

    whole = collabsim.sweep(
        factors={"cede_willingness": {}, "academic_partner": [True, False]},
        design="lhs",
        n=RUNS // 4,
        replicates=4,
        steps=100,
        seed=3,
        params={"n_people": 100},
        timeseries=["trust_cross_org", "alive"],
        every=10,
        backend="serial",
        out=tmp_path / "whole",
    )
    assert runs.drop(columns="duration").equals(whole.runs.drop(columns="duration"))
    assert resumed.timeseries.equals(whole.timeseries)


def ctrl_c_as_in_a_terminal() -> None:
    """In the child before it starts: Ctrl-C at its default, as a terminal leaves it.

    A process started with SIGINT ignored keeps ignoring it (Python installs its handler
    only if SIGINT is not ignored), and a test runner's worker may have been left so.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_as_in_a_terminal(command: list, cwd: Path, stdout=subprocess.PIPE) -> subprocess.Popen:
    """Start ``command`` in a process group of its own, Ctrl-C as a terminal leaves it.

    Ctrl-C is then ``os.killpg(process.pid, signal.SIGINT)``; stderr is read as text.
    """
    return subprocess.Popen(
        command,
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )


def first_lines_then_ctrl_c(command: list, cwd: Path, lines: int = 2) -> tuple[list, int, str]:
    """Run ``command``, read its first ``lines`` of stderr, then press Ctrl-C.

    Returns:
        The lines read, the exit status and the rest of stderr.
    """
    running = start_as_in_a_terminal(command, cwd, stdout=subprocess.DEVNULL)
    try:
        first = [running.stderr.readline() for _ in range(lines)]
    finally:
        os.killpg(running.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = running.communicate(timeout=300)
    return first, running.returncode, err


def test_ctrl_c_keeps_the_finished_chunks_and_says_how_to_resume(tmp_path):
    (tmp_path / "killed.toml").write_text(KILL_FILE, encoding="utf-8")
    folder = tmp_path / "results" / "killed"
    command = [SCRIPT, "sweep", "killed.toml", "--workers", "2"]
    interrupted = start_as_in_a_terminal(command, tmp_path)
    wait_for_saved_runs(interrupted, folder)
    assert interrupted.poll() is None, "the sweep finished before Ctrl-C: make it longer"
    os.killpg(interrupted.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    out, err = interrupted.communicate(timeout=120)
    assert interrupted.returncode == 130, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()  # the sweep's size, its progress, then the message
    assert all(line.startswith("collabsim: ") for line in lines), err
    line = lines[-1]
    saved = part_rows(folder)
    assert line == (
        f"collabsim: interrupted: {saved:,} of {RUNS:,} runs are saved in "
        f"results/killed; run the same command again to resume"
    )
    assert collabsim.load(folder).meta["status"] == "interrupted"

    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    resumed = collabsim.load(folder)
    assert resumed.complete and resumed.runs["run"].tolist() == list(range(RUNS))
    assert resumed.meta["sessions"][-1]["runs"] == RUNS - saved


#: Runs of the two sweeps whose peak memory is compared, and of each of the two batches
#: whose held results are measured.
SMALL, LARGE, HOLD = 400, 4000, 50

CHILD = textwrap.dedent(f"""
    import gc, resource, sys, tracemalloc
    import pyarrow
    import collabsim
    from collabsim.metrics import REPORTER_NAMES, SILO_TWIN_OUTPUTS
    from collabsim.sweeps import serial, store
    from collabsim.sweeps.plan import plan_sweep
    from collabsim.sweeps.runner import run_one

    runs, out = int(sys.argv[1]), sys.argv[2]
    # every reporter but the one that needs the silo twin, whose set-up would add to runs
    # that are mostly set-up
    reporters = [r for r in REPORTER_NAMES if r not in SILO_TWIN_OUTPUTS]
    options = dict(factors={{"cede_willingness": (0.0, 1.0), "academic_partner": None}},
                   design="lhs", steps=2, params={{"n_people": 20}}, timeseries=reporters)
    # Small chunks (about ten runs) and row groups, so that the small sweep already fills
    # every buffer the store keeps: what grows beyond that would grow without bound.
    serial.CHUNK_SECONDS = 0.2
    store.RUNS_GROUP_ROWS, store.TIMESERIES_GROUP_ROWS = 50, 150
    collabsim.sweep(**options, n=runs, backend="serial", out=out)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
          pyarrow.default_memory_pool().max_memory())
    if runs == {SMALL}:  # then what keeping every run's results in memory would cost
        tasks = list(plan_sweep(**options, n=2 * {HOLD}).tasks())
        tracemalloc.start()  # counts the bytes the held records keep, allocator aside
        held = [run_one(task) for task in tasks[:{HOLD}]]  # and what runs make only once
        gc.collect()  # a run's garbage (its model) is not held
        before = tracemalloc.get_traced_memory()[0]
        held += [run_one(task) for task in tasks[{HOLD}:]]
        gc.collect()
        print((tracemalloc.get_traced_memory()[0] - before) / {HOLD})  # held, a run
""")


def child(runs: int, out: Path) -> list[list[float]]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(runs), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return [[float(x) for x in line.split()] for line in done.stdout.strip().splitlines()]


def test_peak_memory_stays_flat_as_the_sweep_grows_tenfold(tmp_path):
    """A serial sweep of 400 runs and one of 4,000 (each keeping its whole time series).

    Holding the extra 3,600 runs' rows and time series would cost ~32 MB (measured here
    with tracemalloc, ~9 KB a run). The larger sweep's peak RSS may be at most half of
    that above the smaller one's (RSS also counts the allocator's slack), and its peak
    of Arrow memory (the merge) at most a tenth. Memory is bounded by the chunk in hand
    and the merge's row group."""
    (small_rss, small), (per_run_held,) = child(SMALL, tmp_path / "small")
    ((large_rss, large),) = child(LARGE, tmp_path / "large")
    held = per_run_held * (LARGE - SMALL)
    assert held > 25e6, f"holding rows would cost only {held / 1e6:.0f} MB: test too weak"
    assert large - small < held / 10, (
        f"Arrow memory grew {(large - small) / 1e6:.1f} MB from {SMALL} to {LARGE} runs; "
        f"holding them would cost {held / 1e6:.0f} MB"
    )
    assert large_rss - small_rss < held / 2, (
        f"peak RSS grew {(large_rss - small_rss) / 1e6:.1f} MB from {SMALL} to {LARGE} runs"
    )
    assert len(collabsim.load(tmp_path / "large").runs) == LARGE
