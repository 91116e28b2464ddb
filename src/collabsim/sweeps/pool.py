"""Local process-pool backend (the default): every core of this machine.

Uses ``concurrent.futures.ProcessPoolExecutor`` with its own ``spawn`` context, so the
program's global start method is never touched and workers start clean (no copies of
the parent's threads or locks) on every platform. Each worker loads the compiled
mechanisms once, at start. Chunks of about a second of work keep the per-run overhead
small, and twice as many chunks as workers are kept in flight so no worker waits while
this process writes results.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from collabsim.sweeps.chunking import ChunkSizer, worker_count
from collabsim.sweeps.design import SweepError
from collabsim.sweeps.runner import RunRecord, Task, run_chunk, start_worker


def check(*, workers: int | None = None, scheduler: object = None) -> int:
    """Check the options before anything is written; returns the number of workers."""
    if scheduler is not None:
        raise SweepError("scheduler is only for the dask backend")
    return worker_count(workers)


def execute(tasks: Iterator[Task], *, remaining: int, workers: int | None = None,
            scheduler: object = None) -> Iterator[list[RunRecord]]:
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
    workers = max(1, min(workers, remaining))
    sizer = ChunkSizer(workers=workers, remaining=remaining)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(
        "spawn"), initializer=start_worker)
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
                        "rerunning resumes. From a script, put the sweep under "
                        "`if __name__ == \"__main__\":` (workers import the script)") from None
                sizer.observe(records)
                results.append(records)
            fill()
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
