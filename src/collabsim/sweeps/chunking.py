"""How many runs a backend sends to a worker at once.

Sending runs one at a time costs a round trip each; sending too many at once leaves
workers idle at the end and loses more when a sweep is killed. A chunk is therefore
sized to take about ``CHUNK_SECONDS`` of work, from the durations of the runs seen so
far (the first chunks hold one run each, to measure them), and shrinks towards the end
of the sweep so that every worker gets a share of what is left.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable, Iterator

from collabsim.sweeps.parts import log
from collabsim.sweeps.runner import RunRecord, Task
from collabsim.sweeps.sampling import SweepError

#: Seconds of work aimed for in one chunk.
CHUNK_SECONDS = 1.0

#: Most runs in one chunk, however short they are.
MAX_CHUNK = 1_000


def default_workers() -> int:
    """The number of cores this process may use."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def worker_count(workers: int | None) -> int:
    """The workers asked for, checked: a whole number >= 1, or all cores if None.

    At most one per core: more processes than cores only share them, each holding the
    model in memory (a sweep's results do not depend on how many workers run it), so a
    larger number is lowered to the cores, with a notice (``_note_fewer_workers``).
    """
    cores = default_workers()
    if workers is None:
        return cores
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SweepError(f"workers={workers!r} is not allowed: expected a whole number >= 1")
    if workers > cores:
        _note_fewer_workers(workers, cores)
        return cores
    return workers


@functools.cache
def _note_fewer_workers(asked: int, cores: int) -> None:
    """Say once that ``asked`` workers run as ``cores``: a check may ask several times."""
    log.warning(
        f"workers={asked} is more than the {cores} cores this process may use: {cores} "
        "workers run (more would only share the cores)"
    )


class ChunkSizer:
    """Cuts a stream of tasks into chunks of about ``CHUNK_SECONDS`` of work.

    Args:
        workers: Workers the chunks are shared between.
        remaining: Tasks in the stream.
        seconds: Seconds of work aimed for in one chunk.
    """

    def __init__(self, *, workers: int, remaining: int, seconds: float = CHUNK_SECONDS) -> None:
        self.workers = max(1, workers)
        self.remaining = remaining
        self.seconds = seconds
        self._runs = 0
        self._time = 0.0

    def observe(self, records: Iterable[RunRecord]) -> None:
        """Learn from the durations of finished runs."""
        for record in records:
            self._runs += 1
            self._time += record.row["duration"]

    def size(self) -> int:
        """Runs to put in the next chunk."""
        if self._runs == 0:
            return 1
        per_run = max(self._time / self._runs, 1e-6)
        size = min(MAX_CHUNK, max(1, round(self.seconds / per_run)))
        share = math.ceil(self.remaining / (2 * self.workers))
        return max(1, min(size, share))

    def take(self, tasks: Iterator[Task]) -> list[Task]:
        """The next chunk of ``tasks`` (empty when the stream is done)."""
        chunk = []
        for _ in range(self.size()):
            task = next(tasks, None)
            if task is None:
                break
            chunk.append(task)
        self.remaining -= len(chunk)
        return chunk
