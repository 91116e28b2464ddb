"""Dask distributed backend: a cluster of many machines, or a local one.

With ``scheduler`` an address (``tcp://HOST:PORT``) the runs go to an existing Dask
cluster, whose workers must have the same version of collabsim installed; with
``scheduler`` a ``distributed.Client`` they go through that client; with no scheduler a
``LocalCluster`` of ``workers`` single-threaded processes is started here and stopped at
the end. Dask is an optional extra (``pip install "collabsim[dask]"``), imported only
when this backend is used.

Workers run the same ``run_chunk`` as the process pool, in chunks of about a second of
work, with twice as many chunks as worker threads in flight. A local cluster takes about
two seconds to start: a job of many sweeps keeps one for all of them
(``collabsim.sweeps.kept_alive``). The processes of a local
cluster leave Ctrl-C to this process, as the pool's workers do, and keep Dask's own log
quiet: the sweep stops cleanly, keeping what finished, instead of every worker printing
a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from collabsim import ctrl_c
from collabsim.sweeps.chunking import ChunkSizer, worker_count
from collabsim.sweeps.execution import SCRIPT_GUARD
from collabsim.sweeps.keeping import kept
from collabsim.sweeps.runner import RunRecord, Task, run_chunk
from collabsim.sweeps.sampling import SweepError
from collabsim.warm import ready_dask_worker

#: Seconds allowed to reach an existing scheduler.
CONNECT_TIMEOUT = "20s"
#: Seconds after which a scheduler that took the connection but never answered is given
#: up on: Dask's own timeout (``CONNECT_TIMEOUT``) does not end a handshake that waits.
HANDSHAKE_SECONDS = 30.0


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise SweepError('the dask backend needs Dask: pip install "collabsim[dask]"') from None
    return distributed


#: Dask settings of a local cluster, whose every core runs a worker: what Dask does
#: between tasks takes a core from the runs. Its statistical profiler samples the running
#: thread every 10 ms (several percent of a pure-Python run); every server's event loop
#: wakes every 20 ms to time itself, a worker polls its memory every 100 ms and its
#: system every 500 ms, for a dashboard nobody is shown. Together these cost 6% of the
#: runs' CPU time on two workers, and 2% at these intervals. The ticks only time the
#: event loop for a log line; memory is still checked every second. And Dask starts its
#: workers with ``MALLOC_TRIM_THRESHOLD_`` set, so that memory freed goes back to the
#: system at once: the next run's arrays then come as fresh pages the system must zero,
#: twice the page faults (117,000 against 53,000 in 200 runs of ``iocn``) and a fifth
#: more system time. A run keeps nothing, so nothing builds up to give back; the
#: variable is left unset (unless this process's own environment sets it).
LOCAL_CLUSTER_SETTINGS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def local_cluster(workers: int) -> Any:
    """A started ``LocalCluster`` of ``workers`` single-threaded processes, kept quiet.

    Its workers leave Ctrl-C to this process, and Dask's own periodic work is spaced out
    (``LOCAL_CLUSTER_SETTINGS``). The scheduler serves no dashboard, and the small web
    server it starts anyway listens on a free port rather than Dask's usual 8787, so that
    two studies on one machine do not collide (Dask would warn on stderr and move to
    another port).
    """
    import dask

    distributed = _distributed()
    cluster = None
    try:
        with dask.config.set(LOCAL_CLUSTER_SETTINGS), ctrl_c.left_here():
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
    except RuntimeError as error:  # each worker has said why on stderr
        raise SweepError(
            f"the local Dask cluster's workers did not start ({error}); {SCRIPT_GUARD}"
        ) from None
    except KeyboardInterrupt:  # a SIGTERM passed on as the cluster started: close it
        if cluster is not None:
            cluster.close()
        raise
    return cluster


def check(*, workers: int | None = None, scheduler: Any = None) -> int | None:
    """Check the options (and that Dask is installed) before anything is written.

    Returns:
        The number of local workers to start, or None for an existing cluster.
    """
    distributed = _distributed()
    if scheduler is None:
        return worker_count(workers)
    if workers is not None:
        raise SweepError(
            "workers is for a local Dask cluster: an existing cluster "
            "(scheduler) has its own workers"
        )
    if isinstance(scheduler, distributed.Client):
        return None
    if (reason := _not_an_address(scheduler)) is not None:
        raise SweepError(
            f"scheduler={scheduler!r} is not allowed ({reason}): expected the address of a "
            "Dask scheduler, tcp://HOST:PORT with a port from 1 to 65535, e.g. tcp://HOST:8786"
        )
    return None


#: The address schemes of a scheduler on another machine that a plain client can reach.
SCHEMES = ("tcp", "tls")


def _not_an_address(scheduler: Any) -> str | None:
    """Why ``scheduler`` is not a scheduler's address, or None if it is one."""
    if not isinstance(scheduler, str):
        return f"a {type(scheduler).__name__}"
    parts = urlsplit(scheduler)
    if parts.scheme not in SCHEMES or not scheduler.startswith(f"{parts.scheme}://"):
        return f"no {' or '.join(f'{scheme}://' for scheme in SCHEMES)} in front"
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        return "a port that is not a whole number in range"
    if not parts.hostname:
        return "no host"
    if port is None or port == 0:
        return "no port"
    if parts.path or parts.query or parts.fragment:
        return "more after the port"
    return None


def _connect(distributed: Any, scheduler: str) -> Any:
    """A client of the scheduler at ``scheduler``, or a ``SweepError`` saying why not.

    A machine that refuses the connection outright (nothing listens on that port) is
    said at once, rather than after Dask's ``CONNECT_TIMEOUT`` of retries.
    """
    parts = urlsplit(scheduler)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=5).close()
    except ConnectionRefusedError:
        raise SweepError(
            f"cannot reach the Dask scheduler at {scheduler}: the connection was refused "
            "(is the scheduler running, on that port?)"
        ) from None
    except OSError:
        pass  # a name that does not resolve, a slow network: Dask says why, in its time
    outcome: dict[str, Any] = {}

    def attempt() -> None:
        try:
            outcome["client"] = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except BaseException as error:  # said in one line below, whatever it was
            outcome["error"] = error

    # In a thread of its own, so that a listener that never answers cannot hold the sweep
    # for ever; the attempt left behind is a daemon and dies with the process.
    trying = threading.Thread(target=attempt, name="collabsim-dask-connect", daemon=True)
    trying.start()
    trying.join(HANDSHAKE_SECONDS)
    if trying.is_alive():
        raise _not_dask(scheduler, f"no Dask scheduler answered in {HANDSHAKE_SECONDS:g} s")
    error = outcome.get("error")
    if isinstance(error, (OSError, TimeoutError)):
        raise SweepError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    if error is not None:  # e.g. an HTTP server's reply read as a Dask message's length
        raise _not_dask(scheduler, "it did not answer as a Dask scheduler") from None
    return outcome["client"]


def _not_dask(scheduler: str, how: str) -> SweepError:
    """The error for an address where something listens that is not a Dask scheduler."""
    return SweepError(
        f"cannot reach the Dask scheduler at {scheduler}: something listens there, but {how} "
        "(a scheduler has a port of its own, 8786 unless set; 8787 is its dashboard)"
    )


def reach(scheduler: Any) -> None:
    """Connect to an existing scheduler once, or raise ``SweepError`` saying why not.

    A restart calls it before removing the earlier sweep's files, so that a cluster that
    cannot be reached costs nothing already computed. A local cluster (``scheduler``
    None) or a client already connected needs no check.
    """
    if isinstance(scheduler, str):
        with _connect(_distributed(), scheduler):
            pass


def execute(
    tasks: Iterator[Task], *, remaining: int, workers: int | None = None, scheduler: Any = None
) -> Iterator[list[RunRecord]]:
    """Run ``tasks`` on a Dask cluster, yielding chunks of finished runs as they finish.

    Args:
        tasks: The runs to do.
        remaining: How many there are.
        workers: Workers of the local cluster to start (all cores if None); only
            without ``scheduler``.
        scheduler: Address of an existing scheduler (``tcp://HOST:PORT``), a
            ``distributed.Client``, or None for a local cluster.

    Yields:
        Lists of finished runs, in the order the chunks finish.
    """
    distributed = _distributed()
    local = check(workers=workers, scheduler=scheduler)
    with contextlib.ExitStack() as stack:
        if scheduler is None:  # started warm, here or for every sweep of a kept_alive block
            client = stack.enter_context(kept(("dask", local), lambda: local_client(local)))
        elif isinstance(scheduler, distributed.Client):
            client = scheduler
        else:
            client = stack.enter_context(_connect(distributed, scheduler))
        if scheduler is not None:  # someone else's cluster, whose workers may be new
            warm_up_workers(client, distributed, local=False)
        slots = max(1, sum(client.nthreads().values()))
        sizer = ChunkSizer(workers=slots, remaining=remaining)
        finished = distributed.as_completed()
        pending: set[Any] = set()

        def fill() -> None:
            while len(pending) < 2 * slots:
                chunk = sizer.take(tasks)
                if not chunk:
                    return
                future = client.submit(run_chunk, chunk, pure=False)
                pending.add(future)
                finished.add(future)

        try:
            fill()
            for future in finished:
                pending.discard(future)
                records = future.result()
                future.release()
                sizer.observe(records)
                fill()
                yield records
        finally:
            if pending:
                client.cancel(list(pending))


@contextlib.contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A client of a new local cluster of ``workers`` warmed-up workers; both closed after.

    The cluster's log in this process is quiet while they close, as its workers' is
    throughout: after a SIGTERM sent to the whole process group (a batch system's time
    limit), the workers are gone before the scheduler closes its connections to them,
    and Dask would log each closed connection with its traceback.
    """
    distributed, log = _distributed(), logging.getLogger("distributed")
    with contextlib.ExitStack() as stack:  # its callbacks run last first
        stack.callback(log.setLevel, log.level)  # as it was, once both have closed
        cluster = stack.enter_context(local_cluster(workers))
        client = stack.enter_context(distributed.Client(cluster))
        warm_up_workers(client, distributed, local=True)
        stack.callback(log.setLevel, logging.CRITICAL)  # quiet before either closes
        yield client


def warm_up_workers(client: Any, distributed: Any, *, local: bool) -> None:
    """Load the model and the compiled mechanisms on every worker before the first chunk.

    As tasks, one pinned to each worker, so that they run in the worker's task threads:
    ``Client.run`` would run them on the worker's event loop, which then cannot answer
    the scheduler's heartbeats while the mechanisms load. The task's function is
    ``warm.ready_dask_worker``, whose module imports nothing heavy, so unpickling it on
    the event loop is quick too (see ``collabsim.warm``); ``local`` says the workers are
    a local cluster's, started here.
    """
    futures = [
        client.submit(
            ready_dask_worker,
            local,
            key=f"collabsim-warm-up-{address}",
            workers=[address],
            pure=False,
        )
        for address in client.scheduler_info()["workers"]
    ]
    distributed.wait(futures)
    for future in futures:
        future.result()  # a worker that failed to warm up says why here
