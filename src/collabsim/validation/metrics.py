"""Pattern metrics: what a pattern measures in each run of an arm, one value per seed.

A metric turns one arm's runs into an array with one value per seed, ordered by
replicate (so that arms sharing seeds line up: common random numbers). It reads two
tables, both already limited to that arm and sorted:

- ``runs``: one row per run, ``replicate``, ``seed``, ``status`` and the summary
  outputs the metric declares in ``outputs`` (``collabsim.metrics.SUMMARY``);
- ``timeseries``: one row per (run, step), ``replicate``, ``step`` and the reporters
  the metric declares in ``reporters`` (``collabsim.metrics.REPORTERS``), or None when
  no metric of the arm needs any.

Each metric declares the outputs and reporters it reads, so the runner keeps exactly
those. ``Summary``, ``AtWeek``, ``Change`` and ``Mean`` cover the usual cases; ``Custom``
names any other function of the two tables; ``AtMost`` makes a true/false metric for
``Share``. A week of ``-1`` means the last week of the run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from collabsim.checks import one_of
from collabsim.metrics import REPORTER_NAMES, SUMMARY
from collabsim.sweeps.sampling import SweepError


class ValidationError(SweepError):
    """A pattern, metric, test or validation option that is not allowed (one line)."""


class Metric(ABC):
    """What a pattern measures: one value per seed from one arm's runs.

    Attributes:
        label: Short text naming the metric in tables and figures.
        outputs: Summary outputs it reads from the runs table.
        reporters: Reporters it reads from the time series.
        binary: Whether it is true/false (1/0) in each run (drawn as a share of runs).
    """

    label: str
    outputs: tuple[str, ...] = ()
    reporters: tuple[str, ...] = ()
    binary: bool = False

    @abstractmethod
    def values(self, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> np.ndarray:
        """One value per run of ``runs``, in its order (by replicate).

        Args:
            runs: The arm's runs (see the module docstring).
            timeseries: The arm's time series, or None if no reporter is kept.

        Returns:
            A float array as long as ``runs``; NaN where a run has no value.
        """

    def check_steps(self, steps: int, *, where: str) -> None:  # noqa: B027 (a default)
        """Refuse a week outside a run of ``steps`` weeks (a metric of no week: nothing).

        Args:
            steps: Weeks the arm simulates.
            where: What to name in the message (``"pattern x, arm y"``).

        Raises:
            ValidationError: A week the arm's runs do not reach.
        """

    def describe(self) -> str:
        """The metric in words, for the generated documentation."""
        return self.label

    def _declare(
        self,
        label: str,
        *,
        outputs: Sequence[str] = (),
        reporters: Sequence[str] = (),
        binary: bool = False,
    ) -> None:
        """Set the label, the names read and the kind (metrics are frozen dataclasses)."""
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "outputs", tuple(outputs))
        object.__setattr__(self, "reporters", tuple(reporters))
        object.__setattr__(self, "binary", binary)


def _check_week(week: object, name: str) -> None:
    if isinstance(week, bool) or not isinstance(week, int) or week < -1:
        raise ValidationError(
            f"{name}={week!r} is not allowed: expected a week number >= 0, or -1 for the last week"
        )


def _week_reached(week: int, steps: int, name: str, where: str) -> None:
    if week > steps:
        raise ValidationError(f"{where}: {name}={week} is after the end of a run of {steps} weeks")


def _week_text(week: int) -> str:
    return "the last week" if week == -1 else f"week {week}"


def by_replicate(values: pd.Series, runs: pd.DataFrame) -> np.ndarray:
    """Values indexed by replicate, in the order of ``runs`` (NaN where missing)."""
    return values.reindex(runs["replicate"].to_numpy()).to_numpy(dtype=float)


def in_week(timeseries: pd.DataFrame, reporter: str, week: int) -> pd.Series:
    """A reporter's value in one week (-1: each run's last), indexed by replicate."""
    if week == -1:
        return timeseries.groupby("replicate", sort=True)[reporter].last()
    rows = timeseries.loc[timeseries["step"] == week]
    return rows.set_index("replicate")[reporter]


def _at_week(timeseries: pd.DataFrame, runs: pd.DataFrame, reporter: str, week: int) -> np.ndarray:
    return by_replicate(in_week(timeseries, reporter, week).astype(float), runs)


@dataclass(frozen=True)
class Summary(Metric):
    """A per-run summary output, e.g. ``Summary("sustainability_score")``.

    Args:
        name: The output (``collabsim.metrics.SUMMARY``); true/false outputs count as
            1/0, undefined ones (``None``) as NaN.
    """

    name: str

    def __post_init__(self) -> None:
        one_of(None, self.name, tuple(SUMMARY), what="a summary output", error=ValidationError)
        self._declare(self.name, outputs=(self.name,), binary=SUMMARY[self.name].dtype is bool)

    def values(self, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> np.ndarray:
        """The output of each run (see ``Metric.values``)."""
        return pd.to_numeric(runs[self.name].astype(object), errors="coerce").to_numpy(dtype=float)

    def describe(self) -> str:
        """The metric in words."""
        return f"`{self.name}` (summary output)"


@dataclass(frozen=True)
class AtWeek(Metric):
    """A reporter's value in one week, e.g. ``AtWeek("narrative_spread", 52)``.

    Args:
        reporter: The reporter (``collabsim.metrics.REPORTERS``).
        week: The week (0 is the starting state); -1 the last week of the run.
    """

    reporter: str
    week: int = -1

    def __post_init__(self) -> None:
        one_of(None, self.reporter, REPORTER_NAMES, what="a reporter", error=ValidationError)
        _check_week(self.week, "week")
        self._declare(f"{self.reporter} at {_week_text(self.week)}", reporters=(self.reporter,))

    def check_steps(self, steps: int, *, where: str) -> None:
        """Refuse a week the arm's runs do not reach (see ``Metric.check_steps``)."""
        _week_reached(self.week, steps, "week", where)

    def values(self, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> np.ndarray:
        """The reporter in the week, per run (see ``Metric.values``)."""
        return _at_week(timeseries, runs, self.reporter, self.week)

    def describe(self) -> str:
        """The metric in words."""
        return f"`{self.reporter}` at {_week_text(self.week)}"


@dataclass(frozen=True)
class Change(Metric):
    """How much a reporter changed: its value at ``end`` minus its value at ``start``.

    Args:
        reporter: The reporter (``collabsim.metrics.REPORTERS``).
        start: The first week (0 is the starting state).
        end: The last week; -1 the last week of the run.
    """

    reporter: str
    start: int = 0
    end: int = -1

    def __post_init__(self) -> None:
        one_of(None, self.reporter, REPORTER_NAMES, what="a reporter", error=ValidationError)
        _check_week(self.start, "start")
        _check_week(self.end, "end")
        if self.start == -1 or (self.end != -1 and self.end <= self.start):
            raise ValidationError(
                f"start={self.start}, end={self.end} is not allowed: "
                "start must be a week before end"
            )
        self._declare(
            f"change in {self.reporter} from week {self.start} to {_week_text(self.end)}",
            reporters=(self.reporter,),
        )

    def check_steps(self, steps: int, *, where: str) -> None:
        """Refuse a week the arm's runs do not reach (see ``Metric.check_steps``)."""
        _week_reached(self.end, steps, "end", where)
        _week_reached(self.start + 1, steps, "start", where)

    def values(self, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> np.ndarray:
        """End minus start, per run (see ``Metric.values``)."""
        return _at_week(timeseries, runs, self.reporter, self.end) - _at_week(
            timeseries, runs, self.reporter, self.start
        )

    def describe(self) -> str:
        """The metric in words."""
        return f"change in `{self.reporter}` from week {self.start} to {_week_text(self.end)}"


@dataclass(frozen=True)
class Mean(Metric):
    """A reporter's mean over a window of weeks, both ends included.

    Args:
        reporter: The reporter (``collabsim.metrics.REPORTERS``).
        start: The first week of the window.
        end: The last week of the window; -1 the last week of the run.
    """

    reporter: str
    start: int = 0
    end: int = -1

    def __post_init__(self) -> None:
        one_of(None, self.reporter, REPORTER_NAMES, what="a reporter", error=ValidationError)
        _check_week(self.start, "start")
        _check_week(self.end, "end")
        if self.start == -1 or (self.end != -1 and self.end < self.start):
            raise ValidationError(
                f"start={self.start}, end={self.end} is not allowed: "
                "the window must not end before it starts"
            )
        self._declare(
            f"mean {self.reporter} over weeks {self.start} to {_week_text(self.end)}",
            reporters=(self.reporter,),
        )

    def check_steps(self, steps: int, *, where: str) -> None:
        """Refuse a week the arm's runs do not reach (see ``Metric.check_steps``)."""
        _week_reached(self.end, steps, "end", where)
        _week_reached(self.start, steps, "start", where)

    def values(self, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> np.ndarray:
        """The mean over the window, per run (see ``Metric.values``)."""
        steps = timeseries["step"]
        inside = steps >= self.start
        if self.end != -1:
            inside &= steps <= self.end
        rows = timeseries.loc[inside]
        return by_replicate(rows.groupby("replicate")[self.reporter].mean(), runs)

    def describe(self) -> str:
        """The metric in words."""
        return f"mean of `{self.reporter}` over weeks {self.start} to {_week_text(self.end)}"


@dataclass(frozen=True)
class Custom(Metric):
    """Any other metric: a named function of the arm's runs and time series.

    ::

        def adopted_while_alive(runs, timeseries):
            alive = timeseries[timeseries["alive"]]
            most = alive.groupby("replicate")["changes_adopted"].max()
            return most.reindex(runs["replicate"]).fillna(0).to_numpy()

        Custom("changes adopted while alive", adopted_while_alive,
               reporters=("changes_adopted", "alive"))

    Args:
        name: Short text naming the metric in tables and figures.
        function: ``function(runs, timeseries)`` returning one value per row of ``runs``,
            in its order (see the module docstring).
        reporters: Reporters the function reads from the time series.
        outputs: Summary outputs the function reads from the runs table.
        meaning: One sentence on what it measures, for the documentation.
        binary: Whether the function returns true/false (1/0) per run.
        weeks: The weeks the function reads by number, so that an arm whose runs end
            before one of them is refused when the pattern is declared.
    """

    name: str
    function: Callable[[pd.DataFrame, pd.DataFrame | None], Sequence[float] | np.ndarray]
    reporters: tuple[str, ...] = field(default=(), kw_only=True)
    outputs: tuple[str, ...] = field(default=(), kw_only=True)
    meaning: str = field(default="", kw_only=True)
    binary: bool = field(default=False, kw_only=True)
    weeks: tuple[int, ...] = field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(f"name={self.name!r} is not allowed: expected a short text")
        if not callable(self.function):
            raise ValidationError(
                f"metric {self.name!r}: function={self.function!r} is not "
                "a function of (runs, timeseries)"
            )
        for attribute, allowed, what in (
            ("reporters", REPORTER_NAMES, "a reporter"),
            ("outputs", tuple(SUMMARY), "a summary output"),
        ):
            names = getattr(self, attribute)
            if isinstance(names, str):
                raise ValidationError(
                    f"metric {self.name!r}: {attribute} must be a list of names, not one string"
                )
            for name in names:
                one_of(None, name, allowed, what=what, error=ValidationError)
        object.__setattr__(self, "label", self.name)
        object.__setattr__(self, "reporters", tuple(self.reporters))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        object.__setattr__(self, "weeks", tuple(self.weeks))

    def check_steps(self, steps: int, *, where: str) -> None:
        """Refuse a week the arm's runs do not reach (see ``Metric.check_steps``)."""
        for week in self.weeks:
            _week_reached(week, steps, "week", where)

    def values(self, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> np.ndarray:
        """The function's values, checked to be one per run (see ``Metric.values``)."""
        out = np.asarray(self.function(runs, timeseries), dtype=float)
        if out.shape != (len(runs),):
            raise ValidationError(
                f"metric {self.name!r} returned {out.shape[0] if out.ndim else 1}"
                f" values for {len(runs)} runs; expected one per run"
            )
        return out

    def describe(self) -> str:
        """The metric's name, in italics (its meaning is listed beside the test)."""
        return f"*{self.name}*"


@dataclass(frozen=True)
class AtMost(Metric):
    """Whether a metric is at most a value in each run (1 true, 0 false), for ``Share``.

    Args:
        metric: The metric.
        value: The largest value counted as true.
    """

    metric: Metric
    value: float

    def __post_init__(self) -> None:
        if not isinstance(self.metric, Metric):
            raise ValidationError(f"AtMost: {self.metric!r} is not a metric")
        self._declare(
            f"{self.metric.label} <= {self.value:g}",
            outputs=self.metric.outputs,
            reporters=self.metric.reporters,
            binary=True,
        )

    def check_steps(self, steps: int, *, where: str) -> None:
        """Refuse a week the arm's runs do not reach (see ``Metric.check_steps``)."""
        self.metric.check_steps(steps, where=where)

    def values(self, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> np.ndarray:
        """1 where the metric is at most ``value``, 0 where not, NaN where undefined."""
        inner = self.metric.values(runs, timeseries)
        return np.where(np.isnan(inner), np.nan, (inner <= self.value).astype(float))

    def describe(self) -> str:
        """The metric in words."""
        return f"{self.metric.describe()} is at most {self.value:g}"
