"""Parameter sweeps: many runs of the model over a design, resumable, on any backend.

::

    import collabsim

    result = collabsim.sweep(
        scenario="iocn",
        factors={"academic_partner": [True, False], "cede_willingness": (0.1, 0.9)},
        design="grid", levels=5, replicates=10, steps=260, seed=0,
        out="results/partner_cede",
    )
    result.runs            # one row per run: ids, seed, every parameter, outputs, status
    collabsim.load("results/partner_cede").runs   # the same, later

The pieces, one module each: ``design`` (factors, grid / Latin hypercube / Sobol' /
Morris / explicit designs, seeds), ``plan`` (the whole sweep checked before any run),
``files`` (the TOML experiment file), ``runner`` (the unit of work), ``store`` (the
chunked, resumable results folder), and the backends ``serial``, ``pool`` and ``dask``,
each imported only when used.

Running the same sweep again into the same folder resumes it; see
``collabsim.sweeps.store``. Many sweeps inside ``kept_alive()`` share their workers,
started once (``collabsim.sweeps.keeping``).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import mesa  # noqa: F401  (first, for the cost of its import: see collabsim.warm)

from collabsim.backends import BACKENDS
from collabsim.ctrl_c import CtrlC
from collabsim.params import Params
from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.sweeps.design import salib_points, salib_problem
from collabsim.sweeps.execution import Execution
from collabsim.sweeps.keeping import kept_alive
from collabsim.sweeps.plan import SweepPlan, SweepTooLarge, plan_sweep
from collabsim.sweeps.result import SweepResult, load
from collabsim.sweeps.sampling import Sampling, SweepError
from collabsim.sweeps.store import SweepStore


def sweep(
    *,
    scenario: str | Params = DEFAULT_SCENARIO,
    params: Mapping[str, Any] | None = None,
    factors: Mapping[str, Any] | None = None,
    design: str | Sequence[Mapping[str, Any]] = Sampling.design,
    n: int | None = Sampling.n,
    levels: int = Sampling.levels,
    replicates: int = Sampling.replicates,
    steps: int | None = None,
    seed: int = Sampling.seed,
    outputs: Sequence[str] | None = None,
    timeseries: Sequence[str] | bool | None = None,
    every: int = 1,
    second_order: bool = Sampling.second_order,
    morris_levels: int = Sampling.morris_levels,
    name: str | None = None,
    out: str | Path | None = None,
    backend: str = Execution.backend,
    workers: int | None = Execution.workers,
    scheduler: Any = Execution.scheduler,
    restart: bool = Execution.restart,
    progress: Callable[[int, int], None] | None = Execution.progress,
    allow_large: bool = False,
) -> SweepResult:
    """Run a parameter sweep and write its results folder; resume it if it was stopped.

    NumPy scalars (from a pandas table, say) count as the Python values they hold.

    Args:
        scenario: Scenario the parameters start from: a preset name (``"iocn"``), the
            path of a scenario TOML file, or ``collabsim.Params``.
        params: Parameters held at one value for the whole sweep, e.g.
            ``{"n_people": 100}``.
        factors: The parameters that vary, by name: a list gives levels
            (``[True, False]``), a ``(low, high)`` tuple or ``{"low": .., "high": ..}``
            a range, ``None`` the parameter's whole allowed range. Without factors
            (``None`` or ``{}``) nothing varies: the scenario alone, ``replicates``
            times (a sweep file says so with one ``[[points]]`` table instead, and
            refuses an empty ``[factors]`` as a slip).
        design: ``"grid"`` (full factorial), ``"lhs"`` (Latin hypercube), ``"sobol"``
            (Saltelli), ``"morris"``, or a list of parameter dicts or a pandas table of
            them, one row per point (run exactly those).
        n: Size of a sampled design: points (lhs), base samples, a power of 2 (sobol),
            trajectories (morris).
        levels: Grid only: evenly spaced values each range is split into.
        replicates: Runs per design point; replicate ``r`` uses the same seed at every
            point (common random numbers).
        steps: Weeks per run; the scenario's ``horizon`` if None.
        seed: Master seed of the replicate seeds and of sampled designs (0 is a seed).
        outputs: Summary outputs to keep (all of ``collabsim.metrics.SUMMARY`` if None).
        timeseries: Reporters to keep for every run (``True`` for all); None keeps none.
        every: Keep every ``every``-th step of the time series (and the last step).
        second_order: Sobol' only: also sample for second-order indices.
        morris_levels: Morris only: levels of the Morris grid.
        name: Name of the sweep (default ``sweep-<scenario>``).
        out: Results folder (default ``results/<name>``).
        backend: ``"serial"``, ``"pool"`` (local processes, the default) or ``"dask"``.
        workers: Worker processes for ``pool`` or a local Dask cluster (all cores if
            None).
        scheduler: Dask only: address of an existing scheduler (``tcp://HOST:PORT``) or
            a ``distributed.Client``; None starts a ``LocalCluster`` of ``workers``.
        restart: Discard a previous, different sweep in ``out`` instead of refusing.
        progress: Called as ``progress(done, total)`` as runs finish (``done`` counts
            runs finished in earlier sessions too).
        allow_large: Run a sweep of more than ``collabsim.sweeps.size.LARGE_RUNS`` runs
            (refused otherwise, before anything is built).

    Returns:
        The results: ``.runs`` is the runs DataFrame, one row per run with every
        parameter under its own name and the run's seed in ``seed``; see ``load``.

    Warns:
        RuntimeWarning: Runs failed (raised), saying how many and the first error; they
            are in the results with ``status`` ``"failed"`` and no outputs.

    Raises:
        SweepTooLarge: More runs than ``LARGE_RUNS`` without ``allow_large``.
        SweepError: An option that is not allowed, or an output folder holding a
            different sweep (nothing is written).
        ParameterError: A parameter, factor or design point that is not allowed.
    """
    runs = iter_sweep(**locals())  # every option above, as given
    for _ in runs:
        pass
    result = load(runs.plan.out)
    failures = result.meta.get("failures") or {}
    if failures.get("count"):  # a failed run has no outputs: say so, not only in .failed
        warnings.warn(
            f"{failures['count']:,} of {result.meta['runs']:,} runs failed (first: "
            f"{failures['reasons'][0]['error']}); they are in .failed, with no outputs",
            RuntimeWarning,
            stacklevel=2,
        )
    return result


class SweepRun:
    """A sweep in progress: iterate over it to run it, one finished row at a time.

    Made by ``iter_sweep``; every option has been checked and nothing written yet.
    Iterating opens the results folder, skips the runs already done, yields each new
    run's row (a dict, in the order runs finish) and, at the end, merges the results.
    Stopping early (``break``) leaves the finished chunks on disk for a resume.

    Args:
        plan: The checked sweep (``plan_sweep``).
        execution: How its runs are computed (``Execution``).

    Attributes:
        plan: The checked sweep.
        execution: How its runs are computed.
        total: Runs in the sweep.
        done: Runs finished so far (including earlier sessions once iteration starts).
        workers: Worker processes that will run them (None: an existing Dask cluster's).
        progress: Called as ``progress(done, total)`` once the folder is open (with the
            runs done in earlier sessions) and after every run; or None.
    """

    def __init__(self, plan: SweepPlan, execution: Execution) -> None:
        self.plan = plan
        self.total = plan.total
        self.done = 0
        self.execution = execution
        self.workers = execution.workers_used

    @property
    def progress(self) -> Callable[[int, int], None] | None:
        """Called as ``progress(done, total)`` (the execution's), or None."""
        return self.execution.progress

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with CtrlC() as ctrl_c:
            yield from self._run(ctrl_c)

    def _run(self, ctrl_c: CtrlC) -> Iterator[dict[str, Any]]:
        run_with = self.execution
        if run_with.restart:  # nothing is removed for a cluster the runs cannot reach
            run_with.reach()
        store = SweepStore.open(self.plan, restart=run_with.restart)
        try:
            self.done = len(store.done)
            store.begin(backend=run_with.backend, workers=self.workers)
            if self.progress is not None:
                self.progress(self.done, self.total)
            remaining = self.total - self.done
            if remaining:
                chunks = run_with.module.execute(
                    self.plan.tasks(skip=store.done),
                    remaining=remaining,
                    workers=run_with.workers,
                    scheduler=run_with.scheduler,
                )
                try:
                    for records in chunks:
                        ctrl_c.check()
                        with ctrl_c.held():
                            store.write(records)
                        for record in records:
                            self.done += 1
                            if self.progress is not None:
                                self.progress(self.done, self.total)
                            yield record.row
                finally:
                    chunks.close()
            store.finish()
        except BaseException:
            store.stop()
            # every run written, those of a chunk not yet handed out by the loop above too:
            # stopped between them, ``done`` would say fewer were saved than were
            self.done = len(store.done)
            raise
        finally:
            store.close()


def iter_sweep(**options: Any) -> SweepRun:
    """Check a sweep and return it unstarted, to run by iterating over its rows.

    Takes the same options as ``sweep`` (NumPy scalars count as the Python values they
    hold)::

        run = collabsim.iter_sweep(factors={"cede_willingness": (0, 1)}, replicates=5)
        for row in run:                      # each run's row as it finishes
            print(f"{run.done}/{run.total}", row["sustained"])

    Only the runs computed now are yielded: iterating a sweep that an earlier session
    finished yields nothing. Every run's row, old and new, is in
    ``collabsim.load(run.plan.out).runs``.

    Returns:
        The sweep, checked in full (errors are raised here, before anything is written).
    """
    backend = {f.name for f in dataclasses.fields(Execution) if f.init}
    run_with = Execution(**{k: v for k, v in options.items() if k in backend})
    return SweepRun(plan_sweep(**{k: v for k, v in options.items() if k not in backend}), run_with)


__all__ = [
    "BACKENDS",
    "Execution",
    "SweepError",
    "SweepResult",
    "SweepRun",
    "SweepTooLarge",
    "Sampling",
    "iter_sweep",
    "kept_alive",
    "load",
    "salib_points",
    "salib_problem",
    "sweep",
]
