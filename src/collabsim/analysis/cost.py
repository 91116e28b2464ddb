"""What a pipeline will cost: time real runs of each study, and project the whole.

``measure`` takes ``count`` runs of each study (evenly spread over its design points
and seeds, so that networks that dissolve early, which are cheap, and those that last
are both in the sample), runs them one after another in this process after a warm-up,
and records each run's processor time (what it costs a core of its own, however busy
the machine) and wall-clock time. Each sweep's runs are projected at the mean processor
time per run of the first study that holds it; the wall-clock projection divides the
total by the workers and the pool's efficiency (``pool_efficiency`` in the pipeline
file).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from collabsim.analysis.studies import PipelineSpec, sweep_options
from collabsim.sweeps.plan import SweepPlan, plan_sweep
from collabsim.sweeps.runner import run_one, warm_up

#: Columns of the cost table.
COLUMNS = ("study", "sweeps", "runs", "measured", "cpu_per_run", "wall_per_run", "cpu_total")


def plans(spec: PipelineSpec, *, runs_folder: Path, quick: bool) -> dict[Path, SweepPlan]:
    """Every sweep of the pipeline, planned and checked, by file (nothing is written)."""
    cut = spec.quick if quick else None
    return {
        path: plan_sweep(**sweep_options(path, runs_folder=runs_folder, quick=cut))
        for path in spec.sweep_files()
    }


def measure(
    spec: PipelineSpec, planned: dict[Path, SweepPlan], *, count: int, workers: int
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Time ``count`` runs of each study and project the whole pipeline.

    Args:
        spec: The pipeline.
        planned: Its sweeps, planned (``plans``).
        count: Runs to time per study (at least 1).
        workers: Worker processes to project the wall-clock time for.

    Returns:
        The table (``COLUMNS``: per study, its runs not counted in an earlier study, the
        runs timed, mean processor and wall seconds per run, processor seconds in all),
        and the totals: ``runs``, ``cpu_seconds``, ``workers``, ``pool_efficiency`` and
        ``wall_minutes``.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(
            f"count={count!r} is not allowed: expected a whole number >= 1 (runs to time per study)"
        )
    warm_up()  # the first run in a process loads the compiled mechanisms: not a run's cost
    groups = [(study.name, list(study.sweeps)) for study in spec.studies]
    groups.append(("discovery", [spec.discovery.sweep]))
    counted: set[Path] = set()
    rows = []
    for name, files in groups:
        tasks = [(path, run) for path in files for run in range(planned[path].total)]
        picks = np.unique(
            np.linspace(0, len(tasks) - 1, min(count, len(tasks))).round().astype(int)
        )
        cpu, wall = [], []
        for pick in picks:
            path, run = tasks[pick]
            started, clock = time.process_time(), time.perf_counter()
            run_one(planned[path].task(run))
            cpu.append(time.process_time() - started)
            wall.append(time.perf_counter() - clock)
        new = [path for path in files if path not in counted]
        counted.update(new)
        runs = sum(planned[path].total for path in new)
        rows.append(
            {
                "study": name,
                "sweeps": len(new),
                "runs": runs,
                "measured": len(picks),
                "cpu_per_run": float(np.mean(cpu)),
                "wall_per_run": float(np.mean(wall)),
                "cpu_total": runs * float(np.mean(cpu)),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    cpu_seconds = float(table["cpu_total"].sum())
    totals = {
        "runs": int(table["runs"].sum()),
        "cpu_seconds": cpu_seconds,
        "workers": workers,
        "pool_efficiency": spec.pool_efficiency,
        "wall_minutes": cpu_seconds
        / (workers * (spec.pool_efficiency if workers > 1 else 1.0))
        / 60,
    }
    return table, totals
