"""The results report end to end: run the studies' sweeps, analyse them, write the report.

::

    python -m collabsim.analysis.pipeline                 # make results
    python -m collabsim.analysis.pipeline --quick         # small: a test of the whole
    python -m collabsim.analysis.pipeline --workers 2 | --backend serial | --dask-local 2
    python -m collabsim.analysis.pipeline --scheduler tcp://HOST:8786
    python -m collabsim.analysis.pipeline --measure 20    # time runs, project the cost

The pipeline file (``experiments/results/pipeline.toml``, see
``collabsim.analysis.studies``) names the sweep files of each study. Every sweep is
planned and checked before any run, then run into ``<out>/runs/<its name>/`` through the
sweep engine, which resumes a stopped sweep and reuses a finished one: a rerun computes
only what is missing. The output folder then holds::

    README.md        the report: question, design, findings in plain words, tables
    meta.json        provenance: commit, code fingerprint, the pipeline and sweep files
                     (text and sha256), seeds, and per sweep the runs computed and reused
    tables/          survival.csv, survival_arms_<study>.csv (every arm of a study),
                     effects.csv, effects_within.csv, cox.csv, cox_fit.csv,
                     discovery_points.csv, discovery_boxes.csv, sweeps.csv, cost.csv
    figures/         every figure as PNG with its data as CSV beside it
    runs/            the sweeps' results folders, each with its own meta.json (design,
                     seeds, code version) and a copy of its sweep file, sweep.toml
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.analysis import cost, effects
from collabsim.analysis.levers import SweepFacts, study_data, study_design
from collabsim.analysis.studies import PipelineError, PipelineSpec, read_pipeline
from collabsim.backends import DEFAULT_BACKEND
from collabsim.checks import function_or_none, true_or_false
from collabsim.storage import (
    json_writer,
    now,
    origin,
    recording_interruption,
    write_atomically,
)
from collabsim.sweeps import SweepRun, kept_alive
from collabsim.sweeps.execution import Execution, execution
from collabsim.sweeps.plan import SweepPlan
from collabsim.sweeps.result import SweepResult, load
from collabsim.validation.options import check_results_folder

#: The pipeline file ``make results`` runs.
DEFAULT_FILE = Path("experiments/results/pipeline.toml")

#: The output folder's provenance file, what it says it is, and its parts.
META, KIND = "meta.json", "collabsim results pipeline"
REPORT, TABLES, FIGURES, RUNS = "README.md", "tables", "figures", "runs"

#: The copy of its sweep file each sweep's folder keeps.
SWEEP_FILE = "sweep.toml"


@dataclass
class PipelineResult:
    """What a pipeline run wrote.

    Attributes:
        path: The output folder.
        spec: The pipeline file, read.
        tables: The tables written to ``tables/``, by file stem.
        meta: What ``meta.json`` records.
    """

    path: Path
    spec: PipelineSpec
    tables: dict[str, pd.DataFrame]
    meta: dict[str, Any]


def run_pipeline(
    file: str | Path = DEFAULT_FILE,
    *,
    out: str | Path | None = None,
    quick: bool = False,
    backend: str = DEFAULT_BACKEND,
    workers: int | None = None,
    scheduler: Any = None,
    restart: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> PipelineResult:
    """Run every sweep the pipeline file names (or reuse it), then analyse and report.

    Args:
        file: The pipeline file.
        out: Output folder; the file's ``out`` (``[quick] out`` with ``quick``) if None.
        quick: Cut every sweep down as ``[quick]`` says: a test of the whole pipeline.
        backend: ``"serial"``, ``"pool"`` (local processes) or ``"dask"``.
        workers: Workers of the pool or of a local Dask cluster (all cores if None).
        scheduler: Dask only: an existing scheduler's address (``tcp://HOST:PORT``).
        restart: Discard a sweep in ``out`` made with another design or model code.
        progress: Called as ``progress(sweep_name, done, total)`` as runs finish.

    Returns:
        The folder, tables and provenance.

    Raises:
        PipelineError: A pipeline or sweep file, or an option, that is not allowed
            (nothing is run).
        FileExistsError: ``out`` holds files that are not a pipeline's.
    """
    spec = read_pipeline(file)
    true_or_false("quick", quick, error=PipelineError)
    function_or_none("progress", progress, ("sweep", "done", "total"), error=PipelineError)
    run_with = execution(  # progress: each sweep's own report (_run_sweeps)
        PipelineError, backend=backend, workers=workers, scheduler=scheduler, restart=restart
    )
    out = Path(out) if out is not None else (spec.quick.out if quick else spec.out)
    check_results_folder(out, meta=META, kind=KIND, what="a collabsim results pipeline")
    planned = _plans(spec, out, quick)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    meta = {
        "kind": KIND,
        **origin(),
        "pipeline_file": _file_record(spec.source),
        "quick": quick,
        "backend": backend,
        "workers": workers,
        "scheduler": scheduler if isinstance(scheduler, str) else None,
        "status": "running",
        "started": now(),
        "finished": None,
        "sweeps": [_sweep_record(path, plan) for path, plan in planned.items()],
    }
    write_atomically(out / META, json_writer(meta))
    with recording_interruption(out / META, meta):
        counts = _run_sweeps(planned, run_with, progress)
    results = {path: load(plan.out) for path, plan in planned.items()}
    for record, (path, count) in zip(meta["sweeps"], counts.items(), strict=True):
        failures = results[path].meta.get("failures") or {}
        record.update(count, failed=failures.get("count", 0))
    tables, facts = analyse(spec, results, planned)
    tables["sweeps"] = pd.DataFrame(meta["sweeps"]).drop(columns=["text"])
    previous = out / TABLES / "cost.csv"
    if previous.is_file():  # from --measure on this folder: the report quotes it
        tables["cost"] = pd.read_csv(previous)
    for name, table in tables.items():
        _write_csv(table, out / TABLES / f"{name}.csv")
    from collabsim.analysis.figures import draw_all
    from collabsim.analysis.report import write_report

    figures = draw_all(spec, tables, facts, out / FIGURES)
    meta.update(
        status="complete",
        finished=now(),
        seconds=round(time.perf_counter() - started, 1),
        figures=[p.name for p in figures],
    )
    write_report(out / REPORT, spec=spec, tables=tables, facts=facts, meta=meta, out=out)
    write_atomically(out / META, json_writer(meta))
    return PipelineResult(out, spec, tables, meta)


def _plans(spec: PipelineSpec, out: Path, quick: bool) -> dict[Path, SweepPlan]:
    """Every sweep planned, and every study checked against its sweeps, before any run."""
    planned = cost.plans(spec, runs_folder=out / RUNS, quick=quick)
    names = [plan.name for plan in planned.values()]
    twice = {name for name in names if names.count(name) > 1}
    if twice:
        raise PipelineError(
            f"two sweep files are named {sorted(twice)[0]!r}: each sweep "
            "needs its own name (it names its results folder)"
        )
    for study in spec.studies:
        study_design(study, [SweepFacts.of_plan(planned[path]) for path in study.sweeps])
    return planned


def _file_record(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {
        "path": str(path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "text": data.decode("utf-8", errors="replace"),
    }


def _sweep_record(path: Path, plan: SweepPlan) -> dict[str, Any]:
    record = _file_record(path)
    return {
        "name": plan.name,
        "file": str(path),
        "folder": str(plan.out),
        "sha256": record["sha256"],
        "text": record["text"],
        "scenario": plan.scenario,
        "points": len(plan.design),
        "replicates": plan.replicates,
        "steps": plan.steps,
        "seed": plan.seed,
        "seeds": " ".join(map(str, plan.seeds)),
        "runs": plan.total,
    }


def _run_sweeps(
    planned: dict[Path, SweepPlan],
    run_with: Execution,
    progress: Callable[[str, int, int], None] | None,
) -> dict[Path, dict[str, int]]:
    """Run (or resume, or reuse) every sweep; per sweep, the runs computed and reused.

    ``progress``, if any, is called as ``progress(sweep name, done, total)``.
    """
    counts = {}
    with kept_alive():  # one start of the workers for every sweep
        for path, plan in planned.items():
            run = SweepRun(
                plan,
                run_with.replace(
                    progress=None
                    if progress is None
                    else (lambda done, total, name=plan.name: progress(name, done, total)),
                ),
            )
            for _ in run:
                pass
            # the sweep's own meta.json holds its design, seeds and code; beside it, the
            # file that asked for it (the store leaves files it does not own alone)
            text = path.read_bytes()
            write_atomically(plan.out / SWEEP_FILE, lambda handle, text=text: handle.write(text))
            session = load(plan.out).meta["sessions"][-1]
            counts[path] = {"computed": session["runs"], "reused": session["resumed_from"]}
    return counts


def analyse(
    spec: PipelineSpec, results: dict[Path, SweepResult], planned: dict[Path, SweepPlan]
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Every table of the report, and facts about the fits (see ``effects``).

    Returns:
        The tables by name (``survival``, ``survival_arms_<study>`` (one row per arm:
        each combination of the study's levels), ``curves``, ``effects``, ``effects_within``,
        ``cox``, ``cox_fit``, ``heat_maps``, ``discovery_points``, ``discovery_boxes``,
        ``discovery_trajectory``) and facts: per study its ``StudyData`` (``studies``),
        the discovery's ``Discovery`` and message, and its levers' ranges.
    """
    survival_rows, curve_rows, effect_rows, within_rows, cox_rows, fits, heat = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    studies, arms = {}, {}
    for study in spec.studies:
        data = study_data(study, [results[path] for path in study.sweeps])
        studies[study.name] = data
        summary, curves = effects.survival_tables(data)
        survival_rows.append(summary)
        arms[study.name] = effects.survival_by_arm(data)
        curve_rows.append(curves)
        effect_rows.append(effects.lever_effects(data, spec.outcomes))
        if study.within:
            within_rows.append(effects.lever_effects(data, spec.outcomes, within=study.within))
        if study.cox:
            table, info = effects.cox_table(data, study.interactions)
            cox_rows.append(table)
            fits.append(
                {
                    "study": study.name,
                    **{
                        k: v if not isinstance(v, list) else "; ".join(map(str, v))
                        for k, v in info.items()
                    },
                }
            )
        for rows, columns in study.heat_maps:
            for outcome in spec.outcomes:
                heat.append(
                    effects.cell_means(data, rows, columns, outcome).assign(study=study.name)
                )
    lhs = results[spec.discovery.sweep]
    levers = list(lhs.meta["design"]["factors"])
    found = effects.discovery_tables(
        lhs.runs, levers, spec.discovery.outcome, spec.discovery.threshold
    )
    tables = {
        "survival": _concat(survival_rows),
        "curves": _concat(curve_rows),
        **{f"survival_arms_{name}": table for name, table in arms.items()},
        "effects": _concat(effect_rows),
        "effects_within": _concat(within_rows),
        "cox": _concat(cox_rows),
        "cox_fit": pd.DataFrame(fits),
        "heat_maps": _concat(heat),
        "discovery_points": found["points"],
        "discovery_boxes": found["boxes"],
        "discovery_trajectory": found["trajectory"],
    }
    facts = {
        "studies": studies,
        "discovery": found["found"],
        "discovery_message": found["message"],
        "discovery_levers": levers,
        "discovery_ranges": lhs.meta["design"]["factors"],
        "discovery_runs": len(lhs.runs),
        "discovery_seeds": lhs.meta["replicates"],
    }
    return tables, facts


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _write_csv(table: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = table.to_csv(index=False, lineterminator="\n")
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


# --- the command line ------------------------------------------------------------------


def measure_cost(
    file: str | Path = DEFAULT_FILE,
    *,
    count: int,
    out: str | Path | None = None,
    quick: bool = False,
    workers: int = 2,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Time ``count`` runs of each study and project the pipeline (see ``cost``).

    The table is written to ``<out>/tables/cost.csv``, where the report quotes it.
    """
    spec = read_pipeline(file)
    out = Path(out) if out is not None else (spec.quick.out if quick else spec.out)
    check_results_folder(out, meta=META, kind=KIND, what="a collabsim results pipeline")
    planned = _plans(spec, out, quick)
    table, totals = cost.measure(spec, planned, count=count, workers=workers)
    table = table.assign(**{f"total_{k}": v for k, v in totals.items()})
    if not (out / META).is_file():
        out.mkdir(parents=True, exist_ok=True)
        meta = {"kind": KIND, **origin(), "status": "measured", "started": now()}
        write_atomically(out / META, json_writer(meta))
    _write_csv(table, out / TABLES / "cost.csv")
    return table, totals


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline from the command line; return the exit status."""
    from collabsim.commands import PROG, StageProgress, UsageError, check_count, sweep_backend
    from collabsim.commands.options import add_sweep_options

    parser = argparse.ArgumentParser(
        prog="python -m collabsim.analysis.pipeline",
        description="Run the results report's sweeps (resuming), analyse them and write "
        "the report.",
    )
    parser.add_argument(
        "--file",
        type=Path,
        default=DEFAULT_FILE,
        help=f"the pipeline file (default: {DEFAULT_FILE})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="few seeds, a short horizon, small designs (a test)"
    )
    parser.add_argument(
        "--measure",
        type=int,
        default=None,
        metavar="N",
        help="time N runs of each study and project the whole; run nothing else",
    )
    add_sweep_options(
        parser,
        out_help="the report's folder (default: the file's out, or its quick out with --quick)",
        restart_help="discard sweeps in the folder made with another design or code",
    )
    args = parser.parse_args(argv)
    progress = StageProgress(enabled=not args.quiet, terminal=sys.stderr.isatty())
    try:
        backend, workers, scheduler = sweep_backend(args)
        check_count("--measure", args.measure, "runs to time per study")
        if args.measure is not None:
            table, totals = measure_cost(
                args.file, count=args.measure, out=args.out, quick=args.quick, workers=workers or 2
            )
            print(table[list(cost.COLUMNS)].to_string(index=False))
            print(
                f"{totals['runs']} runs, {totals['cpu_seconds'] / 60:.1f} processor-minutes: "
                f"about {totals['wall_minutes']:.0f} minutes on {totals['workers']} workers"
            )
            return 0
        result = run_pipeline(
            args.file,
            out=args.out,
            quick=args.quick,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            restart=args.restart,
            progress=progress,
        )
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted: {progress.reached_text()}the finished runs are kept; run "
            "the same command again to resume",
            file=sys.stderr,
        )
        return 130
    except (UsageError, ValueError, FileExistsError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    finally:
        progress.close()
    if not args.quiet:
        computed = sum(s["computed"] for s in result.meta["sweeps"])
        reused = sum(s["reused"] for s in result.meta["sweeps"])
        print(f"{computed} runs computed, {reused} reused; report: {result.path / REPORT}")
    return 0


if __name__ == "__main__":
    from collabsim import ctrl_c

    with ctrl_c.terminated_as_ctrl_c():  # a batch system's time limit keeps what is done
        sys.exit(main())
