"""The unit of work every backend runs: one task in, one row (and time series) out.

A ``Task`` carries everything a run needs, the full parameter dict and the seed, so the
serial loop, the process pool and Dask workers all call exactly the same top-level
``run_chunk``/``run_one``. A run that raises is caught and becomes a row with status
``"failed"`` and the error message; the sweep goes on. A row's values depend only on
the task, never on which process ran it or when, except ``duration``.

The runs table has one column per field of ``runs_schema``: ``run``, ``point``,
``replicate``, ``seed``, ``steps`` (the weeks it ran, where observation ended), every
parameter under its own name (lists of organisation kinds and timeline events as the text
``collabsim run`` accepts: ``acute_trust,pharmacy`` and
``10:budget_cut;104:self_interest_act``), the kept summary outputs, ``status``, ``error``
and ``duration`` (seconds the run took).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from collabsim.metrics import (
    REPORTER,
    REPORTER_NAMES,
    SUMMARY,
    Column,
    needs_silo_twin,
    timeseries_frame,
)
from collabsim.params import PARAMETERS, Params
from collabsim.runner import run_rows

#: Status of a run that finished and of one that raised.
OK, FAILED = "ok", "failed"

#: Arrow type of a summary output, by the Python type it declares
#: (``collabsim.metrics.SUMMARY``).
_OUTPUT_TYPES = {bool: pa.bool_(), int: pa.int64(), float: pa.float64()}

_PARAMETER_TYPES = {
    "float": pa.float64(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "choice": pa.string(),
    "kinds": pa.string(),
    "events": pa.string(),
}


@dataclass(frozen=True)
class Task:
    """One run of a sweep: which one it is, and everything needed to run it.

    Args:
        run: Run id: ``point * replicates + replicate``.
        point: Design point.
        replicate: Replicate at that point.
        seed: Seed of the run (the same for a replicate at every point).
        params: Every parameter value, as ``Params.to_dict`` gives them.
        steps: Weeks to simulate.
        outputs: Summary outputs to keep.
        reporters: Reporters to keep in the time series (empty: no time series).
        every: Keep the time series every ``every`` steps (and the last step).
    """

    run: int
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]
    steps: int
    outputs: tuple[str, ...]
    reporters: tuple[str, ...] = ()
    every: int = 1


@dataclass
class RunRecord:
    """What one task produced: its row of the runs table and its time series (or None).

    The time series is a dict of equal-length arrays: ``run``, ``point``, ``replicate``,
    ``step`` and the kept reporters, one element per kept step.
    """

    row: dict[str, Any]
    timeseries: dict[str, np.ndarray] | None = None


def run_one(task: Task) -> RunRecord:
    """Run one task; a run that raises becomes a failed row with the error message.

    Args:
        task: The run to do.

    Returns:
        The run's row, with ``status`` ``"ok"`` or ``"failed"``, and its time series.
    """
    row: dict[str, Any] = {
        "run": task.run,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        "steps": task.steps,
    }
    row.update(parameter_columns(task.params))
    start = time.perf_counter()
    series = None
    try:
        twin = needs_silo_twin(task.outputs + task.reporters)
        rows, summary = run_rows(
            Params(**task.params), seed=task.seed, steps=task.steps, silo_twin=twin
        )
    except Exception as error:  # every failure is recorded, and the sweep goes on
        row.update(dict.fromkeys(task.outputs))
        row.update(status=FAILED, error=f"{type(error).__name__}: {error}")
    else:
        row.update({name: summary[name] for name in task.outputs})
        row.update(status=OK, error=None)
        if task.reporters:
            series = _subsample(rows, task)
    row["duration"] = time.perf_counter() - start
    return RunRecord(row, series)


def run_chunk(tasks: Sequence[Task]) -> list[RunRecord]:
    """Run a chunk of tasks in order (what a backend sends to a worker at once)."""
    return [run_one(task) for task in tasks]


def warm_up() -> None:
    """Load the compiled mechanisms in this process (a worker does it once, at start)."""
    run_rows(Params(n_people=30), seed=0, steps=2)


def start_worker() -> None:
    """Start a local pool worker: leave Ctrl-C to the sweep's process, then warm up.

    A pool worker ignores SIGINT, so that Ctrl-C on the command line stops the sweep
    through its own process, which shuts the pool down cleanly, instead of every worker
    printing a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


def parameter_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Every parameter as a column value: lists become the text ``collabsim run`` accepts."""
    out = {}
    for name, value in values.items():
        kind = PARAMETERS[name].kind
        if kind == "kinds":
            value = ",".join(value)
        elif kind == "events":
            value = ";".join(_event_text(event) for event in value)
        out[name] = value
    return out


def _event_text(event: Any) -> str:
    if not isinstance(event, dict):
        event = event.to_dict()
    parts = [str(event["step"]), event["kind"]]
    if event.get("organisation") is not None:
        parts.append(event["organisation"])
    return ":".join(parts)


def _subsample(rows: np.ndarray, task: Task) -> dict[str, np.ndarray]:
    """The task's reporters every ``task.every`` weeks and at the last, each as its type."""
    steps = np.arange(len(rows), dtype=np.int64)  # a row per week, from week 0
    keep = (steps % task.every == 0) | (steps == steps[-1])
    kept = int(keep.sum())
    out = {
        "run": np.full(kept, task.run, dtype=np.int64),
        "point": np.full(kept, task.point, dtype=np.int64),
        "replicate": np.full(kept, task.replicate, dtype=np.int64),
        "step": steps[keep],
    }
    for name in task.reporters:
        out[name] = rows[keep, Column[name]].astype(REPORTER[name].dtype)
    return out


# --- schemas -------------------------------------------------------------------------


def runs_schema(outputs: Iterable[str]) -> pa.Schema:
    """The Arrow schema of the runs table that keeps ``outputs``."""
    fields = [
        pa.field("run", pa.int64()),
        pa.field("point", pa.int64()),
        pa.field("replicate", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("steps", pa.int64()),
    ]
    fields += [pa.field(name, _PARAMETER_TYPES[p.kind]) for name, p in PARAMETERS.items()]
    fields += [pa.field(name, _OUTPUT_TYPES[SUMMARY[name].dtype]) for name in outputs]
    fields += [
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("duration", pa.float64()),
    ]
    return pa.schema(fields)


def timeseries_schema(reporters: Iterable[str]) -> pa.Schema:
    """The Arrow schema of the kept time series."""
    types = timeseries_frame(np.empty((0, len(REPORTER_NAMES))))
    empty = pa.Schema.from_pandas(types, preserve_index=False)
    fields = [
        pa.field("run", pa.int64()),
        pa.field("point", pa.int64()),
        pa.field("replicate", pa.int64()),
        pa.field("step", pa.int64()),
    ]
    fields += [empty.field(name) for name in reporters]
    return pa.schema(fields)
