"""Calibration by pattern filtering: which values of the uncertain rates reproduce the patterns.

::

    from collabsim import calibration

    result = calibration.calibrate("experiments/calibration_iocn.toml")
    result.points          # one row per point: its rates and how it fared in each stage
    result.accepted        # the accepted points' rates
    result.recommended     # the recommended rates, or None if no point was accepted

Approximate Bayesian computation by rejection, with the patterns of the field studies
as the summary statistics (pattern-oriented modelling): a Latin hypercube over the
model's uncertain rates that are not levers (``collabsim.calibration.plan``), each point
run and scored stage by stage (``collabsim.calibration.stages``): a point goes on to
the next stage only if it passes enough of the stage's patterns, at the stage's
significance level, and meets its quantitative targets; the points that pass every
stage are accepted. The recommended rates are those of the accepted point that passes
the most patterns in the last stage that checks patterns, the tie broken by nearness to the accepted
points' median (``collabsim.calibration.scoring``).

The output folder (default ``results/calibration/<name>/``) holds ``points.csv``,
``patterns_by_point.csv``, ``accepted.csv``, ``calibration.md``,
``figures/marginals.png`` (+ ``.csv``), ``meta.json`` and ``runs/``, the sweeps behind
it all. Rerunning the same calibration computes only the runs that are missing, on any
backend; runs of other model code are computed again (see
``collabsim.validation.runner``). ``collabsim calibrate FILE`` is the command-line entry.

References:
    Hartig, F. et al. (2011). Statistical inference for stochastic simulation models:
    theory and application. Ecology Letters 14, 816-827.
    Grimm, V. et al. (2005). Pattern-oriented modeling of agent-based complex systems:
    lessons from ecology. Science 310, 987-991.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collabsim.backends import DEFAULT_BACKEND
from collabsim.calibration.errors import CalibrationError
from collabsim.calibration.files import read_plan
from collabsim.calibration.outputs import KIND, META, CalibrationResult, write_outputs
from collabsim.calibration.plan import CalibrationPlan, Stage
from collabsim.calibration.targets import Recheck, Target
from collabsim.checks import function_or_none, path_option
from collabsim.storage import (
    json_writer,
    now,
    origin,
    recording_interruption,
    write_atomically,
)

#: ``progress(stage, done, total)``: runs done of the stage's runs, as they finish.
Progress = Callable[[str, int, int], None]

#: What ``progress`` is called with: a stage's name, then its runs done and in all.
PROGRESS_ARGUMENTS: tuple[str, ...] = ("stage", "done", "total")


def calibrate(
    file_or_plan: str | Path | CalibrationPlan,
    *,
    out: str | Path | None = None,
    backend: str = DEFAULT_BACKEND,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress | None = None,
    restart: bool = False,
    allow_large: bool = False,
) -> CalibrationResult:
    """Run a calibration, or resume one that was stopped, and write its results.

    Args:
        file_or_plan: A calibration file (TOML, see ``collabsim.calibration.files``) or a
            ``CalibrationPlan``.
        out: Output folder (new, empty, or a previous calibration's); default
            ``results/calibration/<name>``.
        backend: ``"serial"``, ``"pool"`` (local processes) or ``"dask"``.
        workers: Worker processes of the pool or of a local Dask cluster (all cores if
            None).
        scheduler: Dask only: a scheduler address (``tcp://HOST:PORT``) or a
            ``distributed.Client``.
        progress: Called as ``progress(stage, done, total)`` as a stage's runs finish
            (runs found stored count as done), then as ``progress("<stage> scored",
            done, total)`` over the same runs as their points are scored, and as
            ``progress("<stage> rechecked", done, total)`` over the runs of steepest moves
            measured again (a target with a ``recheck``). An exception
            it raises (``KeyboardInterrupt``) stops the calibration; the finished runs
            stay.
        restart: Delete every stored run in ``out`` and compute all anew.
        allow_large: Run a stage of more than ``collabsim.sweeps.size.LARGE_RUNS`` runs.
            Each stage is sized before it runs (``stage_size``): the first, which runs
            every point, before anything is written; a later one, at the points that
            reached it, when it starts.

    Returns:
        The points, the accepted ones and the recommended rates.

    Raises:
        SweepTooLarge: A stage of more than ``LARGE_RUNS`` runs without
            ``allow_large``; for the first stage, nothing is written.
        CalibrationError: A file or plan with anything not allowed, a path that is not
            one, or a ``progress`` that cannot be called as ``progress(stage, done,
            total)``; nothing is written.
        ValidationError: An option not allowed; nothing is written.
        FileExistsError: ``out`` is a file, or a folder holding other files.
    """
    from collabsim.sweeps.execution import execution
    from collabsim.validation import ValidationError, check_flags
    from collabsim.validation.options import check_results_folder, output_folder

    plan = (
        file_or_plan
        if isinstance(file_or_plan, CalibrationPlan)
        else read_plan(
            path_option(
                "file_or_plan",
                file_or_plan,
                expected="the path of a calibration file or a CalibrationPlan",
                error=CalibrationError,
            )
        )
    )
    function_or_none("progress", progress, PROGRESS_ARGUMENTS, error=CalibrationError)
    check_flags(quick=False, seed=plan.seed)
    run_with = execution(
        ValidationError,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        restart=restart,  # progress: each stage's own report, below
    )
    from collabsim.calibration.sizes import stage_size
    from collabsim.calibration.stages import arm_reads, run_stage
    from collabsim.sweeps import kept_alive
    from collabsim.sweeps.plan import check_size

    check_size(stage_size(plan, 0), allow_large=allow_large)
    out = output_folder(out, default=plan.default_out, error=CalibrationError)
    check_results_folder(out, meta=META, kind=KIND, what="a collabsim calibration")

    from collabsim.validation.runner import RUNS

    out.mkdir(parents=True, exist_ok=True)
    meta = _meta(plan, backend=backend, workers=workers)
    write_atomically(out / META, json_writer(meta))
    started = time.perf_counter()
    results, in_play = {}, list(range(plan.points))
    reads = arm_reads(plan.stages)
    # one start of the workers for every stage
    with recording_interruption(out / META, meta), kept_alive():
        for index, stage in enumerate(plan.stages):
            if not in_play:
                break
            if index:
                check_size(stage_size(plan, index, len(in_play)), allow_large=allow_large)
            report = None if progress is None else _StageProgress(progress, stage.name)
            scoring = None if progress is None else _StageProgress(progress, f"{stage.name} scored")
            again = (
                None if progress is None else _StageProgress(progress, f"{stage.name} rechecked")
            )
            results[stage.name] = run_stage(
                stage,
                {n: plan.point(n) for n in in_play},
                folder=out / RUNS,
                seed=plan.seed_of(stage),
                run_with=run_with.replace(restart=run_with.restart and index == 0, progress=report),
                reads=reads,
                allow_large=True,  # the stage's size was checked above, in full
                scoring=scoring,
                rechecking=again,
            )
            in_play = results[stage.name].passing
    meta["runs"] = {
        name: {
            "needed": r.count.needed,
            "reused": r.count.reused,
            "computed": r.count.computed,
            "groups": r.count.groups,
        }
        for name, r in results.items()
    }
    meta["seconds"] = round(time.perf_counter() - started, 1)
    return write_outputs(plan, results, out=out, meta=meta)


class _StageProgress:
    """Reports a stage's ``progress(done, total)`` as ``progress(stage, done, total)``."""

    def __init__(self, progress: Progress, stage: str) -> None:
        self.progress = progress
        self.stage = stage

    def __call__(self, done: int, total: int) -> None:
        self.progress(self.stage, done, total)


def _meta(plan: CalibrationPlan, *, backend: str, workers: int | None) -> dict[str, Any]:
    from collabsim.sweeps.sampling import replicate_seeds

    source = None
    if plan.source is not None:
        text = Path(plan.source).read_bytes()
        source = {"path": plan.source, "sha256": hashlib.sha256(text).hexdigest()}
    most = max(s.seeds for s in plan.stages)
    return {
        "kind": KIND,
        **origin(),
        "file": source,
        "plan": plan.describe(),
        "master_seed": plan.seed,
        "replicate_seeds": replicate_seeds(plan.seed, most),
        "backend": backend,
        "workers": workers,
        "status": "running",
        "started": now(),
        "finished": None,
    }


__all__ = [
    "CalibrationError",
    "CalibrationPlan",
    "CalibrationResult",
    "Recheck",
    "Stage",
    "Target",
    "calibrate",
    "read_plan",
]
