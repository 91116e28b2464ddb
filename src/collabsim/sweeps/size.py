"""How big a sweep or study is, worked out before anything is built: runs, time and disk.

A sweep of more than ``LARGE_RUNS`` runs is refused unless it is confirmed
(``allow_large=True``, ``collabsim sweep --allow-large``): a slip of a digit in
``levels``, ``n`` or ``replicates`` would otherwise start days of work without a word.
The studies that run many arms through the sweep engine (``collabsim robustness``,
``collabsim calibrate``) are sized and refused the same way (``StudySize``), in their
own files' words.
The estimates of time and disk are rough (within a factor of two or so): they come from
runs of the iocn scenario measured on an otherwise idle two-core machine, so a busy one
takes longer, and networks that dissolve early cost less to the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from collabsim.quantities import duration, size_text

#: Runs a sweep may have without being confirmed as large.
LARGE_RUNS = 1_000_000

#: Seconds to start: workers import collabsim and load the compiled model.
START_SECONDS = 2.0

#: Seconds a run takes: a fixed cost and a cost per person and week (fitted to runs of
#: 260 weeks of 100 to 2,000 people: 10 ms at 100, 16 at 300, 74 at 1,000 and 116 at
#: 2,000; 4.7 ms for Beston's 25 people over 24 weeks).
RUN_SECONDS = 0.005
PERSON_WEEK_SECONDS = 0.22e-6

#: Bytes on disk: one run's row of the runs table (compressed); one value of the kept
#: time series (a reporter at a step).
RUN_BYTES = 200
SERIES_VALUE_BYTES = 8


def run_seconds(steps: int, people: float) -> float:
    """Estimated seconds of one core that a run of ``steps`` weeks among ``people`` takes."""
    return RUN_SECONDS + steps * people * PERSON_WEEK_SECONDS


def run_bytes(steps: int, reporters: int, every: int) -> float:
    """Estimated bytes on disk of one run's row and kept time series."""
    rows = steps // every + 2 if reporters else 0
    return RUN_BYTES + rows * (reporters + 1) * SERIES_VALUE_BYTES


def fewer_points(design: str) -> str:
    """How a design of this kind gets fewer points: ``a smaller n`` for a sampled one."""
    if design == "grid":
        return "fewer levels, or a sampled design (lhs, sobol, morris)"
    if design == "explicit":
        return "fewer design points"
    return "a smaller n"


class _Cost:
    """What a sweep's and a study's sizes share: the limit and the estimate in words.

    A subclass gives ``runs``, ``core_seconds`` (the runs' time on one core) and
    ``disk_bytes``.
    """

    runs: int
    core_seconds: float
    disk_bytes: float

    def seconds(self, workers: int | None) -> float:
        """Estimated wall-clock seconds on ``workers`` processes (None: one core's time)."""
        return START_SECONDS + self.core_seconds / max(1, workers or 1)

    @property
    def large(self) -> bool:
        """Whether it must be confirmed as large before it runs."""
        return self.runs > LARGE_RUNS

    def estimate(self, workers: int | None) -> str:
        """``about 2 h on 4 workers and 1.2 GB on disk`` (workers None: a cluster's)."""
        where = (
            f"on {workers} worker{'s' if workers != 1 else ''}" if workers else "of one core's time"
        )
        return (
            f"about {duration(self.seconds(workers))} {where} and "
            f"{size_text(self.disk_bytes)} on disk"
        )


@dataclass(frozen=True)
class SweepSize(_Cost):
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

    #: What the refusal calls it.
    what: ClassVar[str] = "a sweep"

    @property
    def runs(self) -> int:
        """Runs in the sweep: points times replicates."""
        return self.points * self.replicates

    @property
    def core_seconds(self) -> float:
        """Estimated seconds of one core that the runs take."""
        return self.runs * run_seconds(self.steps, self.people)

    @property
    def disk_bytes(self) -> float:
        """Estimated bytes of the results on disk."""
        return self.runs * run_bytes(self.steps, self.reporters, self.every)

    @property
    def advice(self) -> str:
        """How to make the sweep smaller, for its kind of design."""
        return f"use {fewer_points(self.design)}, or fewer replicates"

    def describe(self) -> str:
        """``1,000 runs (100 grid design points x 10 replicates, 260 weeks each)``."""
        return (
            f"{self.runs:,} runs ({self.points:,} {self.design} design points x "
            f"{self.replicates:,} replicates, {self.steps:,} weeks each)"
        )


@dataclass(frozen=True)
class StudySize(_Cost):
    """The size of a study that runs many arms through the sweep engine.

    Its runs are sized in parts, each as a sweep (an arm's seeds, or an arm at every
    point of a design); the study's workers start once.

    Attributes:
        parts: The sizes of its parts.
        words: What the runs are, in the study file's words
            (``221 arms x 20 seeds, 260 weeks each``).
        advice: How to make the study smaller, in the study file's words.
        what: What the refusal calls it (``a robustness study``).
    """

    parts: tuple[SweepSize, ...]
    words: str
    advice: str
    what: str

    @property
    def runs(self) -> int:
        """Runs in the study: the sum of its parts' runs."""
        return sum(part.runs for part in self.parts)

    @property
    def core_seconds(self) -> float:
        """Estimated seconds of one core that the runs take: its workers start once."""
        return sum(part.core_seconds for part in self.parts)

    @property
    def disk_bytes(self) -> float:
        """Estimated bytes of the results on disk."""
        return sum(part.disk_bytes for part in self.parts)

    def describe(self) -> str:
        """``4,420 runs (221 arms x 20 seeds, 260 weeks each)``."""
        return f"{self.runs:,} runs ({self.words})"
