"""Lever robustness: does each lever keep its effect, and how large is it, across contexts?

::

    from collabsim.robustness import robustness, study_size

    study_size("experiments/robustness_levers.toml").describe()   # runs, before any
    result = robustness("experiments/robustness_levers.toml")
    result.table      # one row per (context, lever, outcome): effect, 95% CI, p, sign
    result.summary    # per (lever, outcome): contexts as expected / unclear / reversed
    for line in result.headlines:
        print(line)

A study file (``collabsim.robustness.files``) names the scenario, the levers with a
low and a high setting and the direction each is expected to push survival, and the
contexts: the scenario's defaults, parameter sets accepted by calibration, network
sizes, kinds of network, and the academic partner's channels switched off one at a
time (``collabsim.robustness.plan``). Each lever is run at both settings in every
context; every arm is a validation need (``collabsim.validation.runner``), so all the
arms run through the sweep engine in one go, identical arms once, on any backend, with
the same seeds in every arm, and a stopped study resumes where it stopped. The effects
are paired differences high − low over seeds (``collabsim.robustness.analysis``).

Written to the output folder (default ``results/robustness/<name>/``):

- ``robustness.csv``: one row per (context, lever, outcome) (``analysis.COLUMNS``);
- ``summary.csv``: per (lever, outcome) (``analysis.SUMMARY_COLUMNS``);
- ``report.md``: a headline per lever, the table, where effects flip, the contexts;
- ``figures/robustness_<outcome>.png`` and ``.csv``: forest plots and their data;
- ``meta.json``: provenance, the study file, seeds, code fingerprint, run counts;
- ``runs/``: the sweeps behind it all, reused by the next study in the folder.

``collabsim robustness FILE`` is the command-line entry.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from collabsim.backends import DEFAULT_BACKEND
from collabsim.checks import path_option
from collabsim.robustness.analysis import OUTCOMES, Paired, effects_table, summary_table
from collabsim.robustness.files import read_robustness_file
from collabsim.robustness.plan import RobustnessError, RobustnessPlan, make_plan
from collabsim.storage import (
    json_writer,
    now,
    origin,
    recording_interruption,
    write_atomically,
)
from collabsim.sweeps.execution import execution
from collabsim.sweeps.plan import check_size
from collabsim.sweeps.size import StudySize
from collabsim.validation.options import check_results_folder, output_folder

if TYPE_CHECKING:
    from collabsim.validation.runner import Need

#: The file that marks a study's output folder and records what made it.
META = "meta.json"

#: What ``meta.json`` says it is.
KIND = "collabsim robustness"

#: A study's own files, beside ``runs/``.
TABLE, SUMMARY, REPORT, FIGURES = "robustness.csv", "summary.csv", "report.md", "figures"


@dataclass(frozen=True)
class RobustnessResult:
    """What a robustness study found.

    Attributes:
        plan: The study.
        table: ``robustness.csv``: one row per (context, lever, outcome).
        summary: ``summary.csv``: one row per (lever, outcome).
        headlines: A sentence per lever, in plain words.
        path: The output folder.
        meta: What ``meta.json`` records (run counts, provenance).
    """

    plan: RobustnessPlan
    table: pd.DataFrame
    summary: pd.DataFrame
    headlines: list[str]
    path: Path
    meta: dict[str, Any]


def default_out(plan: RobustnessPlan) -> Path:
    """Where a study's results go unless told: ``results/robustness/<name>``."""
    return Path("results") / "robustness" / plan.name


def load_plan(file_or_plan: str | Path | RobustnessPlan) -> RobustnessPlan:
    """A study file read and checked, or a plan as it is."""
    if isinstance(file_or_plan, RobustnessPlan):
        return file_or_plan
    return read_robustness_file(
        path_option(
            "file_or_plan",
            file_or_plan,
            expected="the path of a study file or a RobustnessPlan",
            error=RobustnessError,
        )
    )


def study_size(file_or_plan: str | Path | RobustnessPlan) -> StudySize:
    """The study's runs, time and disk, worked out before anything is run or written.

    Each distinct arm is run ``seeds`` times (identical arms of several cells once).
    """
    plan = load_plan(file_or_plan)
    return _size(plan, _needs(plan)[0])


def _size(plan: RobustnessPlan, needs: dict[str, Need]) -> StudySize:
    from collabsim.validation.runner import need_sizes

    arms = f"{len(needs):,} arm{'s' if len(needs) != 1 else ''}"
    return StudySize(
        need_sizes(needs),
        f"{arms} x {plan.seeds:,} seeds, {plan.steps:,} weeks each",
        "use fewer seeds, levers or contexts",
        "a robustness study",
    )


def robustness(
    file_or_plan: str | Path | RobustnessPlan,
    *,
    out: str | Path | None = None,
    backend: str = DEFAULT_BACKEND,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Callable[[int, int], None] | None = None,
    restart: bool = False,
    allow_large: bool = False,
) -> RobustnessResult:
    """Run a lever robustness study and write its tables, report and figures.

    The runs are kept in ``out/runs/`` and reused: rerunning after an interruption
    computes only the runs that are missing; runs made by other model code are deleted
    and computed again (see ``collabsim.validation.runner``).

    Args:
        file_or_plan: The study file (TOML) or a plan from ``make_plan``.
        out: Output folder (new, empty, or a previous study's); default
            ``results/robustness/<name>``.
        backend: ``"serial"``, ``"pool"`` (local processes) or ``"dask"``.
        workers: Worker processes of the pool or of a local Dask cluster (all cores if
            None).
        scheduler: Dask only: a scheduler address (``tcp://HOST:PORT``) or a
            ``distributed.Client``.
        progress: Called as ``progress(done, total)`` as runs finish (runs found stored
            count as done). An exception it raises (``KeyboardInterrupt``) stops the
            study; the finished runs stay.
        restart: Delete every stored run in ``out`` and compute all anew.
        allow_large: Run a study of more than ``collabsim.sweeps.size.LARGE_RUNS`` runs
            (``study_size``).

    Returns:
        The tables and headlines.

    Raises:
        SweepTooLarge: More than ``LARGE_RUNS`` runs without ``allow_large``; nothing
            is written.
        RobustnessError: A study file or option not allowed; nothing is written.
        FileExistsError: ``out`` is a file, or a folder holding other files.
    """
    plan = load_plan(file_or_plan)
    run_with = execution(
        RobustnessError,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        restart=restart,
        progress=progress,
    )
    needs, keys = _needs(plan)
    check_size(_size(plan, needs), allow_large=allow_large)
    out = output_folder(out, default=default_out(plan), error=RobustnessError)
    check_results_folder(out, meta=META, kind=KIND, what="a collabsim robustness study")

    from collabsim.validation import runner  # pulls in pandas and the sweep store

    out.mkdir(parents=True, exist_ok=True)
    meta = _meta(plan, backend=backend, workers=workers, arms=len(needs))
    write_atomically(out / META, json_writer(meta))
    started = time.perf_counter()
    with recording_interruption(out / META, meta):
        stored, count = runner.run_needs(
            needs,
            folder=out / runner.RUNS,
            seed=plan.seed,
            run_with=run_with,
            allow_large=True,  # the study's size was checked above, in full
        )
    cache: dict[Path, Any] = {}
    runs = {key: runner.load_arm(stored[key], need, cache)[0] for key, need in needs.items()}
    failed = [runner.failures(frame) for frame in runs.values()]
    paired = [
        Paired(
            cell.lever.name,
            cell.context.kind,
            cell.context.label,
            outcome,
            cell.lever.low,
            cell.lever.high,
            cell.lever.expect,
            *_aligned(runs[arms["low"]], runs[arms["high"]], outcome),
        )
        for cell, arms in zip(plan.cells, keys, strict=True)
        for outcome in OUTCOMES
    ]
    table = effects_table(paired, seed=plan.seed)
    summary = summary_table(table, {lever.name: lever.expect for lever in plan.levers})
    meta.update(
        runs=count.needed,
        reused=count.reused,
        computed=count.computed,
        groups=count.groups,
        failed=sum(n for n, _ in failed),
        first_error=next((e for _, e in failed if e), None),
        seconds=round(time.perf_counter() - started, 1),
    )
    return _write_outputs(plan, table, summary, out=out, meta=meta)


def _needs(plan: RobustnessPlan) -> tuple[dict[str, Need], list[dict[str, str]]]:
    """The distinct arms to run, and each cell's arm keys by level (low, high)."""
    from collabsim.validation import runner  # pulls in pandas and the sweep store

    needs: dict[str, runner.Need] = {}
    keys = [
        {
            level: runner.add_need(
                needs,
                getattr(cell, level),
                plan.steps,
                plan.seeds,
                outputs=OUTCOMES,
                reporters=(),
            )
            for level in ("low", "high")
        }
        for cell in plan.cells
    ]
    return needs, keys


def _aligned(low: pd.DataFrame, high: pd.DataFrame, outcome: str) -> tuple[np.ndarray, np.ndarray]:
    """An outcome's values in two arms, paired by replicate (NaN where a run failed)."""
    if not np.array_equal(low["seed"].to_numpy(), high["seed"].to_numpy()):
        raise RobustnessError(
            "the two arms of a lever do not share their seeds: the stored "
            "runs are inconsistent; rerun with restart"
        )
    return _numbers(low[outcome]), _numbers(high[outcome])


def _numbers(column: pd.Series) -> np.ndarray:
    return np.array(
        [np.nan if value is None or pd.isna(value) else float(value) for value in column],
        dtype=float,
    )


def _file_record(path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return {"path": path, "sha256": None}
    record = {"path": path, "sha256": hashlib.sha256(data).hexdigest()}
    if path.endswith(".toml"):
        record["text"] = data.decode("utf-8", errors="replace")
    return record


def _meta(plan: RobustnessPlan, *, backend: str, workers: int | None, arms: int) -> dict[str, Any]:
    return {
        "kind": KIND,
        **origin(),
        "file": _file_record(plan.source),
        "accepted_file": _file_record(plan.accepted),
        "plan": plan.describe(),
        "seeds": plan.seeds,
        "seed": plan.seed,
        "outcomes": list(OUTCOMES),
        "arms": arms,
        "backend": backend,
        "workers": workers,
        "status": "running",
        "started": now(),
        "finished": None,
    }


def _write_outputs(
    plan: RobustnessPlan,
    table: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    out: Path,
    meta: dict[str, Any],
) -> RobustnessResult:
    from collabsim.robustness.figures import draw_forest
    from collabsim.robustness.report import headlines, write_report, write_table

    write_table(table, out / TABLE)
    write_table(summary, out / SUMMARY)
    write_report(plan, table, summary, out / REPORT, info=meta)
    for outcome in OUTCOMES:
        draw_forest(plan, table, outcome, out / FIGURES)
    meta.update(status="complete", finished=now(), files=[TABLE, SUMMARY, REPORT, FIGURES, "runs"])
    write_atomically(out / META, json_writer(meta))
    return RobustnessResult(plan, table, summary, headlines(plan, summary), out, meta)


__all__ = [
    "RobustnessError",
    "RobustnessPlan",
    "RobustnessResult",
    "default_out",
    "load_plan",
    "make_plan",
    "read_robustness_file",
    "robustness",
    "study_size",
]
