"""Local process-pool backend (the default): every core of this machine.

Uses ``concurrent.futures.ProcessPoolExecutor`` with its own ``spawn`` context, so the
program's global start method is never touched and workers start clean (no copies of
the parent's threads or locks) on every platform. Each worker loads the compiled
mechanisms once, at start. Chunks of about a second of work keep the per-run overhead
small, and twice as many chunks as workers are kept in flight so no worker waits while
this process writes results.

Each worker (started by ``warm.ready_pool_worker``) watches its parent and exits as soon
as the parent is gone, however it went (``kill -9``, the out-of-memory killer): left
alone, workers blocked on their task queue would wait for good, each holding its memory,
and the resource tracker with them.

Starting the workers (spawning, imports, loading the compiled mechanisms) costs seconds:
a job of many sweeps keeps one pool for all of them (``collabsim.sweeps.kept_alive``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from collabsim import ctrl_c
from collabsim.sweeps.chunking import ChunkSizer, worker_count
from collabsim.sweeps.execution import SCRIPT_GUARD
from collabsim.sweeps.keeping import keeping, kept
from collabsim.sweeps.runner import RunRecord, Task, run_chunk
from collabsim.sweeps.sampling import SweepError
from collabsim.warm import ready_pool_worker


def check(*, workers: int | None = None, scheduler: object = None) -> int:
    """Check the options before anything is written; returns the number of workers.

    A ``scheduler`` is refused before this, by ``Execution``: it is for Dask only.
    """
    return worker_count(workers)


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` spawned processes; leaving shuts it, cancelling what is left.

    The processes are started at once, born deaf to Ctrl-C
    (``ctrl_c.kept_from_new_processes``): a worker still importing the model would
    otherwise print a traceback of its own for a Ctrl-C meant to stop the sweep.
    """
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=ready_pool_worker,
    )
    try:
        with ctrl_c.kept_from_new_processes():  # a spawning pool starts one per task submitted
            for _ in range(workers):
                pool.submit(os.getpid)
        yield pool
    finally:
        with ctrl_c.held():
            pool.shutdown(wait=True, cancel_futures=True)


def execute(
    tasks: Iterator[Task], *, remaining: int, workers: int | None = None, scheduler: object = None
) -> Iterator[list[RunRecord]]:
    """Run ``tasks`` on a pool of local worker processes, yielding chunks as they finish.

    Args:
        tasks: The runs to do.
        remaining: How many there are.
        workers: Worker processes; all cores if None.
        scheduler: Must be None.

    Yields:
        Lists of finished runs, in the order the chunks finish.
    """
    workers = check(workers=workers, scheduler=scheduler)
    # a pool kept for later sweeps has every worker; one for this sweep alone, no more
    # than it has runs
    started = workers if keeping() else max(1, min(workers, remaining))
    with kept(("pool", workers), lambda: _pool(started)) as pool:
        yield from _run_on(pool, tasks, ChunkSizer(workers=started, remaining=remaining))


def _run_on(
    pool: ProcessPoolExecutor, tasks: Iterator[Task], sizer: ChunkSizer
) -> Iterator[list[RunRecord]]:
    """Run ``tasks`` on ``pool`` in chunks cut by ``sizer``, yielding them as they finish.

    Unfinished chunks are cancelled when the generator is closed, so that a pool kept for
    later sweeps is left with nothing of this one.
    """
    workers = sizer.workers
    pending: set[Future] = set()

    def fill() -> None:
        while len(pending) < 2 * workers:
            chunk = sizer.take(tasks)
            if not chunk:
                return
            pending.add(pool.submit(run_chunk, chunk))

    try:
        fill()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            results = []
            for future in finished:
                pending.discard(future)
                try:
                    records = future.result()
                except BrokenProcessPool as error:
                    raise SweepError(
                        f"a worker process died ({error}); the finished chunks are saved, so "
                        f"rerunning resumes; {SCRIPT_GUARD}"
                    ) from None
                sizer.observe(records)
                results.append(records)
            fill()
            yield from results
    finally:
        for future in pending:
            future.cancel()
