"""Every backend runs the same unit of work: serial, process pool and Dask agree exactly."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from cli_support import SCRIPT

import collabsim
from collabsim.sweeps import SweepError, keeping, kept_alive, pool
from collabsim.sweeps.chunking import ChunkSizer, default_workers
from collabsim.sweeps.runner import RunRecord

SWEEP_FILE = """\
[sweep]
name = "backends"
levels = 3
replicates = 4
steps = 12
seed = 11

[sweep.timeseries]
reporters = ["attendance_rate", "trust_cross_org", "alive"]
every = 5

[params]
n_people = 40

[factors]
academic_partner = [true, false]
cede_willingness = {low = 0.1, high = 0.9}
"""

OPTIONS = {
    "factors": {"academic_partner": [True, False], "cede_willingness": (0.1, 0.9)},
    "levels": 3,
    "replicates": 4,
    "steps": 12,
    "seed": 11,
    "params": {"n_people": 40},
    "timeseries": ["attendance_rate", "trust_cross_org", "alive"],
    "every": 5,
}


def table(folder: Path, name: str):
    data = pq.read_table(folder / name)
    return data.drop_columns(["duration"]) if "duration" in data.column_names else data


@pytest.fixture(scope="module")
def serial_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "backends"
    collabsim.sweep(**OPTIONS, backend="serial", out=out)
    return out


def assert_same_results(folder: Path, reference: Path) -> None:
    runs, expected = table(folder, "runs.parquet"), table(reference, "runs.parquet")
    assert runs.num_rows == 24
    assert runs.schema == expected.schema
    assert runs.equals(expected)
    assert table(folder, "timeseries.parquet").equals(table(reference, "timeseries.parquet"))
    assert table(folder, "design.parquet").equals(table(reference, "design.parquet"))


@pytest.mark.parametrize("workers", [1, 2])
def test_process_pool_gives_identical_results_for_any_worker_count(
    serial_folder, tmp_path, workers
):
    out = tmp_path / "backends"
    result = collabsim.sweep(**OPTIONS, backend="pool", workers=workers, out=out)
    assert_same_results(out, serial_folder)
    assert (result.meta["backend"], result.meta["workers"]) == ("pool", workers)


def test_more_workers_than_cores_run_as_many_as_the_cores_and_say_so_once(
    serial_folder, tmp_path, caplog
):
    cores = default_workers()
    out = tmp_path / "many"
    with caplog.at_level("WARNING", logger="collabsim.sweeps"):
        result = collabsim.sweep(**OPTIONS, backend="pool", workers=cores + 1000, out=out)
    assert_same_results(out, serial_folder)
    assert result.meta["workers"] == cores
    notices = [r.getMessage() for r in caplog.records if "cores" in r.getMessage()]
    assert notices == [
        f"workers={cores + 1000} is more than the {cores} cores this process may use: "
        f"{cores} workers run (more would only share the cores)"
    ]


def test_sweeps_inside_kept_alive_share_the_pool_the_first_starts(serial_folder, tmp_path):
    with kept_alive():
        assert not keeping._started  # nothing is started before a sweep needs it
        collabsim.sweep(**OPTIONS, backend="pool", workers=2, out=tmp_path / "first")
        shared = keeping._started[("pool", 2)]
        workers = dict(shared._processes)
        collabsim.sweep(**OPTIONS, backend="pool", workers=2, out=tmp_path / "second")
        assert len(workers) == 2 and shared._processes == workers  # the same processes
        # another number of workers is another pool, kept beside the first
        collabsim.sweep(**OPTIONS, backend="pool", workers=1, out=tmp_path / "own")
        assert set(keeping._started) == {("pool", 2), ("pool", 1)}
        assert shared._processes == workers
    assert not keeping._started
    assert all(not process.is_alive() for process in workers.values())  # stopped with it
    for name in ("first", "second", "own"):
        assert_same_results(tmp_path / name, serial_folder)


def test_sweeps_inside_kept_alive_share_one_local_dask_cluster(serial_folder, tmp_path):
    with kept_alive():
        collabsim.sweep(**OPTIONS, backend="dask", workers=2, out=tmp_path / "first")
        client = keeping._started[("dask", 2)]
        workers = set(client.scheduler_info()["workers"])
        collabsim.sweep(**OPTIONS, backend="dask", workers=2, out=tmp_path / "second")
        assert len(workers) == 2 and set(client.scheduler_info()["workers"]) == workers
        assert client.status == "running"
    assert client.status == "closed"  # the cluster stopped with the block
    for name in ("first", "second"):
        assert_same_results(tmp_path / name, serial_folder)


@contextlib.contextmanager
def dasks_usual_port_taken() -> Iterator[None]:
    """Port 8787, where Dask serves by default, held as another study's cluster would."""
    with socket.socket() as holder:
        try:
            holder.bind(("", 8787))
            holder.listen()
        except OSError:
            pass  # another process on this machine holds it already
        yield


def test_dask_local_cluster_gives_identical_results(serial_folder, tmp_path):
    """With Dask's usual port taken too: two studies on one machine must not collide, nor
    Dask warn on stderr that it moved."""
    out = tmp_path / "backends"
    with dasks_usual_port_taken(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = collabsim.sweep(**OPTIONS, backend="dask", workers=2, out=out)
    assert not [str(w.message) for w in caught if "already in use" in str(w.message)]
    assert_same_results(out, serial_folder)
    assert result.meta["backend"] == "dask"


UNGUARDED_SCRIPT = """\
import collabsim

collabsim.sweep(
    factors={{"academic_partner": [True, False]}}, replicates=2, steps=4,
    params={{"n_people": 40}}, out="unguarded", backend="{backend}", workers=2,
)
"""


@pytest.mark.parametrize("backend", ["pool", "dask"])
def test_a_script_sweeping_without_a_main_guard_is_told_to_add_one(tmp_path, backend):
    # Workers import the script that started them; its sweep must not start again there.
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT.format(backend=backend))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    assert done.stderr.count("Traceback") == 1, done.stderr  # the script's own, no worker's
    assert "the worker stops here" in done.stderr  # each worker says so in one line
    assert "being written by another sweep" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("collabsim.sweeps.sampling.SweepError: ")
    assert 'put the study under `if __name__ == "__main__":`' in last


def test_a_local_clusters_workers_space_out_dasks_own_periodic_work_and_freeze_their_load(
    monkeypatch,
):
    """The settings reach the worker processes (which read Dask's configuration when they
    start, in another process) and the nannies, not only this process."""
    # A nanny started with Dask's defaults (another test's cluster) sets this variable in
    # this process for good, and its workers would inherit it from here
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    import dask.utils
    import distributed

    from collabsim.sweeps.dask import LOCAL_CLUSTER_SETTINGS, local_cluster, warm_up_workers

    callbacks = {  # the periodic callback each setting times, by Dask's name for it
        "tick": "distributed.admin.tick.interval",
        "monitor": "distributed.admin.system-monitor.interval",
        "memory_monitor": "distributed.worker.memory.monitor-interval",
    }
    expected = {
        name: dask.utils.parse_timedelta(LOCAL_CLUSTER_SETTINGS[key]) * 1000
        for name, key in callbacks.items()
    }

    def intervals(dask_worker) -> dict:  # Client.run passes the worker by that name
        return {name: dask_worker.periodic_callbacks[name].callback_time for name in callbacks}

    with local_cluster(2) as cluster, distributed.Client(cluster) as client:
        workers = client.run(intervals)
        profiling = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
        trimming = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        nannies = [intervals(nanny) for nanny in cluster.workers.values()]
        warm_up_workers(client, distributed, local=True)
        frozen = client.run(gc.get_freeze_count)
    assert list(workers.values()) == [expected, expected]
    assert nannies == [expected, expected]
    assert list(profiling.values()) == [False, False]
    # Dask's own default (65536) would hand each run's memory back to be zeroed anew
    assert list(trimming.values()) == [None, None]
    # warmed up, each froze what it loaded, so that it exits quickly when the sweep ends
    assert min(frozen.values()) > 10_000, frozen


def test_a_local_cluster_closing_after_its_workers_died_logs_nothing(caplog):
    """After a SIGTERM sent to the whole process group (a batch system's time limit), the
    workers are gone before the scheduler closes its connections to them, and Dask logs
    each with a traceback; the sweep's one line is what the user should see. Dask's log
    is as it was afterwards."""
    from distributed.diagnostics.plugin import SchedulerPlugin

    from collabsim.sweeps.dask import local_client

    class LogsAsItCloses(SchedulerPlugin):  # stands in for Dask's log of a dead worker
        async def close(self) -> None:
            logging.getLogger("distributed.batched").info("Batched Comm Closed (a dead worker)")

    caplog.set_level(logging.INFO, logger="distributed")
    with local_client(2) as client:
        client.register_plugin(LogsAsItCloses(), name="logs-as-it-closes")
    logging.getLogger("distributed.batched").info("Dask logs again")
    messages = [record.getMessage() for record in caplog.records]
    assert not [message for message in messages if "Batched Comm Closed" in message]
    assert "Dask logs again" in messages  # as before, once the cluster has closed
    assert logging.getLogger("distributed").level == logging.INFO


def test_a_pool_worker_freezes_what_it_loaded():
    """So that its exit, at the end of every sweep, does not search all that for garbage
    (0.4 s of each sweep's shutdown)."""
    with pool._pool(1) as executor:
        frozen = executor.submit(gc.get_freeze_count).result(timeout=300)
    assert frozen > 10_000


#: A fresh process that gets ready as a worker does, then says what the garbage collector
#: did meanwhile: full searches made, whether it is on again, and how much is frozen.
_WORKER_START = """\
import gc, json
from collabsim.warm import {start}
def searches():
    return gc.get_stats()[2]["collections"]
before = searches()
{call}
print(json.dumps([searches() - before, gc.isenabled(), gc.get_freeze_count()]))
"""


@pytest.mark.parametrize(
    ("start", "call", "frozen"),
    [
        ("ready_pool_worker", "ready_pool_worker()", True),
        ("ready_dask_worker", "ready_dask_worker(True)", True),  # a local cluster's worker
        ("ready_dask_worker", "ready_dask_worker(False)", False),  # someone else's
    ],
)
def test_a_worker_loads_the_model_with_no_search_for_garbage_and_collects_again_after(
    start, call, frozen
):
    """The model's objects all live on: searching them while they load (three full searches
    without the pause) is start-up time spent finding nothing (``collabsim.warm``)."""
    done = subprocess.run(
        [sys.executable, "-c", _WORKER_START.format(start=start, call=call)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    searches, collecting, freeze_count = json.loads(done.stdout.splitlines()[-1])
    assert searches == 0
    assert collecting is True
    assert (freeze_count > 100_000) is frozen, freeze_count


@pytest.mark.parametrize("enabled", [True, False])
def test_collection_paused_restores_the_collector_as_it_was_even_after_an_error(enabled):
    from collabsim.warm import collection_paused

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(ValueError), collection_paused():
            assert not gc.isenabled()
            raise ValueError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_cli_sends_the_runs_to_an_existing_dask_cluster(serial_folder, tmp_path):
    import distributed

    (tmp_path / "backends.toml").write_text(SWEEP_FILE, encoding="utf-8")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        done = subprocess.run(
            [SCRIPT, "sweep", "backends.toml", "--scheduler", cluster.scheduler_address],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        with distributed.Client(cluster) as client:
            ran = client.run(lambda: "collabsim.sweeps.runner" in sys.modules)
            warmed = client.run(
                lambda dask_worker: (
                    f"collabsim-warm-up-{dask_worker.address}"
                    in {entry[0] for entry in dask_worker.state.log}
                )
            )
            # the longest the worker's event loop went without a turn, since it started
            longest_tick = client.run(lambda dask_worker: dask_worker.digests_max["tick-duration"])
            frozen = client.run(gc.get_freeze_count)
    assert done.returncode == 0, done.stderr
    assert "with the dask backend" in done.stdout
    assert sorted(ran.values()) == [True, True]  # both workers ran the unit of work
    # Each loaded the compiled mechanisms as a task of its own, in a task thread: on the
    # worker's event loop (as Client.run runs a function) it would not answer meanwhile.
    assert sorted(warmed.values()) == [True, True]
    # Nor did unpickling that task import collabsim on the event loop: that took 2 to 3 s
    # here, where loading everything in the task thread leaves the loop at most 0.2 s.
    assert max(longest_tick.values()) < 1.0, longest_tick
    # someone else's workers are left as they are: nothing of theirs is frozen
    assert max(frozen.values()) < 1_000, frozen
    assert_same_results(tmp_path / "results" / "backends", serial_folder)


def test_dask_errors_are_clear(monkeypatch, tmp_path):
    with pytest.raises(SweepError, match="scheduler='127.0.0.1:8786' is not allowed"):
        collabsim.iter_sweep(
            **OPTIONS, backend="dask", scheduler="127.0.0.1:8786", out=tmp_path / "x"
        )
    with pytest.raises(SweepError, match="an existing cluster"):
        collabsim.iter_sweep(
            **OPTIONS,
            backend="dask",
            scheduler="tcp://127.0.0.1:8786",
            workers=2,
            out=tmp_path / "x",
        )
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    with pytest.raises(SweepError, match=r'pip install "collabsim\[dask\]"'):
        collabsim.iter_sweep(**OPTIONS, backend="dask", out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("tcp://127.0.0.1", "no port"),
        ("tcp://", "no host"),
        ("tcp://127.0.0.1:abc", "a port that is not a whole number in range"),
        ("tcp://127.0.0.1:99999", "a port that is not a whole number in range"),
        ("tcp://127.0.0.1:0", "no port"),
        ("tcp://:8786", "no host"),
        ("tcp://127.0.0.1:1/x", "more after the port"),
        ("http://127.0.0.1:8786", "no tcp:// or tls:// in front"),
        ("inproc://foo", "no tcp:// or tls:// in front"),
        (8786, "a int"),
    ],
)
def test_a_scheduler_address_that_is_not_one_is_refused_before_anything_is_written(
    address, reason, tmp_path
):
    with pytest.raises(SweepError, match=re.escape(f"not allowed ({reason})")):
        collabsim.iter_sweep(**OPTIONS, backend="dask", scheduler=address, out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_a_restart_on_a_cluster_out_of_reach_keeps_the_earlier_runs(serial_folder, tmp_path):
    out = tmp_path / "backends"
    shutil.copytree(serial_folder, out)
    with socket.socket() as closed:  # a port nothing listens on once it is closed
        closed.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{closed.getsockname()[1]}"
    changed = {**OPTIONS, "replicates": 5}  # another sweep: only a restart may replace it
    run = collabsim.iter_sweep(**changed, backend="dask", scheduler=address, restart=True, out=out)
    # nothing listens there, so the machine refuses at once: said so, not after a timeout
    refused = f"cannot reach the Dask scheduler at {address}: the connection was refused"
    with pytest.raises(SweepError, match=refused):
        list(run)
    assert_same_results(out, serial_folder)


def test_backend_options_are_checked_before_anything_is_written(tmp_path):
    cases = [
        ({"backend": "threads"}, "backend='threads' is not a backend"),
        ({"backend": "pool", "workers": 0}, "workers=0 is not allowed"),
        ({"backend": "serial", "workers": 2}, "serial backend"),
        (
            {"backend": "pool", "scheduler": "tcp://x:1"},
            "only for the dask backend, not backend='pool': give backend='dask' with it",
        ),
    ]
    for options, expected in cases:
        with pytest.raises(SweepError, match=expected):
            collabsim.iter_sweep(**OPTIONS, **options, out=tmp_path / "x")
    assert not (tmp_path / "x").exists()
    with pytest.raises(SweepError, match="^out=3 is not allowed: expected a results folder's"):
        collabsim.iter_sweep(**OPTIONS, out=3)


def record(duration: float) -> RunRecord:
    return RunRecord({"duration": duration})


def test_chunks_aim_at_about_a_second_of_work_and_shrink_at_the_end():
    sizer = ChunkSizer(workers=2, remaining=10_000, seconds=1.0)
    assert sizer.size() == 1  # nothing measured yet
    sizer.observe([record(0.05)] * 4)
    assert sizer.size() == 20  # 1 s of 50 ms runs
    sizer.observe([record(0.0001)] * 1000)
    assert sizer.size() == 1000  # capped however short runs are
    tail = ChunkSizer(workers=2, remaining=30, seconds=1.0)
    tail.observe([record(0.01)])
    assert tail.size() == 8  # 30 left among 2 workers: 4 chunks in flight get a share
    tasks = iter(range(30))
    assert len(tail.take(tasks)) == 8 and tail.remaining == 22


def test_an_execution_is_checked_once_and_passed_down_whole():
    """The five options every study takes are one object, checked when it is made."""
    from collabsim.sweeps.execution import Execution, execution
    from collabsim.validation import ValidationError

    run_with = Execution(backend="pool", workers=np.int64(2))
    assert run_with.workers == 2 and type(run_with.workers) is int and run_with.workers_used == 2
    assert Execution(backend="serial").workers_used == 1
    reporting = run_with.replace(progress=print)
    assert reporting.progress is print and reporting.workers_used == 2
    for options, message in (
        ({"backend": "threads"}, "backend='threads' is not a backend"),
        ({"restart": "yes"}, "restart='yes' is not allowed"),
        ({"progress": 3}, "progress=3 is not allowed"),
        ({"backend": "pool", "scheduler": "tcp://HOST:8786"}, "scheduler is only for"),
    ):
        with pytest.raises(SweepError, match=message):
            Execution(**options)
    with pytest.raises(ValidationError, match="is not a backend"):  # said as the study's own
        execution(ValidationError, backend="threads")
