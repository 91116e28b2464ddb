"""How big a sweep is, worked out before anything is built: runs, time and disk.

A sweep of more than ``LARGE_RUNS`` runs is refused unless it is confirmed
(``allow_large=True``, ``collabsim sweep --allow-large``): a slip of a digit in
``levels``, ``n`` or ``replicates`` would otherwise start days of work without a word.
The estimates of time and disk are rough (within a factor of a few): they come from
runs of the iocn scenario measured on a two-core machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from collabsim.quantities import duration, size_text

#: Runs a sweep may have without being confirmed as large.
LARGE_RUNS = 1_000_000

#: Seconds to start: workers import collabsim and load the compiled model.
START_SECONDS = 10.0

#: Seconds a run takes: a fixed cost, a cost per person and week, and one per pair of
#: people and week (each person weighs their trust in every other).
RUN_SECONDS = 0.02
PERSON_WEEK_SECONDS = 1.5e-6
PAIR_WEEK_SECONDS = 2e-9

#: Bytes on disk: one run's row of the runs table (compressed); one value of the kept
#: time series (a reporter at a step).
RUN_BYTES = 200
SERIES_VALUE_BYTES = 8


@dataclass(frozen=True)
class SweepSize:
    """The size of a sweep, and what running it will cost.

    Attributes:
        points: Design points.
        replicates: Runs per design point.
        steps: Weeks each run simulates.
        people: People in a run's network (a typical value if it varies).
        reporters: Reporters kept in the time series.
        every: Steps between kept time-series rows.
        design: The design's name (``"grid"``, ``"lhs"``, ...).
    """

    points: int
    replicates: int
    steps: int
    people: float
    reporters: int
    every: int
    design: str

    @property
    def runs(self) -> int:
        """Runs in the sweep: points times replicates."""
        return self.points * self.replicates

    @property
    def large(self) -> bool:
        """Whether the sweep must be confirmed as large before it runs."""
        return self.runs > LARGE_RUNS

    def seconds(self, workers: int | None) -> float:
        """Estimated wall-clock seconds on ``workers`` processes (None: one core's time)."""
        per_run = RUN_SECONDS + self.steps * self.people * (
            PERSON_WEEK_SECONDS + PAIR_WEEK_SECONDS * self.people
        )
        return START_SECONDS + self.runs * per_run / max(1, workers or 1)

    @property
    def disk_bytes(self) -> float:
        """Estimated bytes of the results on disk."""
        rows = self.steps // self.every + 2 if self.reporters else 0
        return self.runs * (RUN_BYTES + rows * (self.reporters + 1) * SERIES_VALUE_BYTES)

    def describe(self) -> str:
        """``1,000 runs (100 grid design points x 10 replicates, 260 weeks each)``."""
        return (
            f"{self.runs:,} runs ({self.points:,} {self.design} design points x "
            f"{self.replicates:,} replicates, {self.steps:,} weeks each)"
        )

    def estimate(self, workers: int | None) -> str:
        """``about 2 h on 4 workers and 1.2 GB on disk`` (workers None: a cluster's)."""
        where = (
            f"on {workers} worker{'s' if workers != 1 else ''}" if workers else "of one core's time"
        )
        return (
            f"about {duration(self.seconds(workers))} {where} and "
            f"{size_text(self.disk_bytes)} on disk"
        )
