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

Starting the workers (spawning, imports, loading the compiled mechanisms) costs seconds.
A job of many short sweeps, such as a validation's groups of arms, runs them inside
``kept_alive`` and pays that once instead of once per sweep.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from collabsim.sweeps.chunking import ChunkSizer, worker_count
from collabsim.sweeps.ctrl_c import held_while_stopping
from collabsim.sweeps.execution import SCRIPT_GUARD
from collabsim.sweeps.runner import RunRecord, Task, run_chunk
from collabsim.sweeps.sampling import SweepError
from collabsim.warm import ready_pool_worker


def check(*, workers: int | None = None, scheduler: object = None) -> int:
    """Check the options before anything is written; returns the number of workers."""
    if scheduler is not None:
        raise SweepError("scheduler is only for the dask backend")
    return worker_count(workers)


#: The pool kept alive by ``kept_alive``, with its number of workers, or None.
_kept: tuple[ProcessPoolExecutor, int] | None = None


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=ready_pool_worker,
    )


@contextmanager
def kept_alive(workers: int | None = None) -> Iterator[None]:
    """Keep one pool of worker processes for every pool sweep inside the block.

    A sweep asking for the same number of workers uses it (and leaves it running);
    one asking for another number starts its own, as outside the block. Inside an
    outer ``kept_alive`` block, the outer pool serves.

    Args:
        workers: Worker processes; all cores if None.
    """
    global _kept
    if _kept is not None:
        yield
        return
    count = worker_count(workers)
    pool = _new_pool(count)
    _kept = (pool, count)
    try:
        yield
    finally:
        _kept = None
        with held_while_stopping():
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
    kept = _kept is not None and _kept[1] == workers
    workers = max(1, min(workers, remaining))
    sizer = ChunkSizer(workers=workers, remaining=remaining)
    pool = _kept[0] if kept else _new_pool(workers)
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
        if kept:  # the pool outlives this sweep: only its unfinished chunks go
            for future in pending:
                future.cancel()
        else:
            with held_while_stopping():
                pool.shutdown(wait=True, cancel_futures=True)
