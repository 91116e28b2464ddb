"""Serial backend: every run in this process, one after another.

For debugging, for tiny sweeps, and as the reference the parallel backends must match.
Finished runs are handed back in chunks of about ``CHUNK_SECONDS`` of work, so that the
store writes them as often as with the other backends.
"""

from __future__ import annotations

from collections.abc import Iterator

from collabsim.sweeps.chunking import CHUNK_SECONDS
from collabsim.sweeps.runner import RunRecord, Task, run_one
from collabsim.sweeps.sampling import SweepError


def check(*, workers: int | None = None, scheduler: object = None) -> int:
    """Check the options before anything is written; returns the number of workers (1).

    A ``scheduler`` is refused before this, by ``Execution``: it is for Dask only.
    """
    if workers not in (None, 1):
        raise SweepError(
            f"workers={workers!r} is not allowed with the serial backend: it "
            "runs in this process (use backend 'pool' for more)"
        )
    return 1


def execute(
    tasks: Iterator[Task], *, remaining: int, workers: int | None = None, scheduler: object = None
) -> Iterator[list[RunRecord]]:
    """Run ``tasks`` here, yielding chunks of finished runs.

    Args:
        tasks: The runs to do.
        remaining: How many there are.
        workers: Must be None or 1.
        scheduler: Must be None.

    Yields:
        Lists of finished runs, about ``CHUNK_SECONDS`` of work each.
    """
    chunk: list[RunRecord] = []
    seconds = 0.0
    for task in tasks:
        record = run_one(task)
        chunk.append(record)
        seconds += record.row["duration"]
        if seconds >= CHUNK_SECONDS:
            yield chunk
            chunk, seconds = [], 0.0
    if chunk:
        yield chunk
