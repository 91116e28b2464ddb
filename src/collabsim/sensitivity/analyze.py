"""The public entry: check everything, run the design, line outputs up, call SALib.

One path for every function. The design comes from ``collabsim.sweeps.design``; the
runs are either calls of a plain function in this process (``evaluate``) or, for the
model (a ``ScenarioFunction``), a sweep through ``collabsim.sweeps`` into the results
folder, resumable and on any backend. Then, the same for both: each run is placed by its
design ``point`` and ``replicate``, and analysed (``indices``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from collabsim.checks import function_or_none, names, path_option, true_or_false
from collabsim.params import suggest
from collabsim.sensitivity import aggregate as agg
from collabsim.sensitivity.evaluate import ScenarioFunction, evaluate
from collabsim.sensitivity.indices import analyse_runs
from collabsim.sensitivity.options import AnalysisOptions, study_sampling
from collabsim.sensitivity.problem import (
    SensitivityError,
    check_n,
    function_factors,
    lever_specs,
    takes_seed,
)
from collabsim.sensitivity.results import META, Analysis, clear_analysis_without_runs
from collabsim.sweeps.sampling import DESIGN_OPTIONS, Sampling, SweepError

if TYPE_CHECKING:
    from collabsim.sweeps.execution import Execution
    from collabsim.sweeps.result import SweepResult
    from collabsim.sweeps.size import SweepSize


def analyze(
    func: Callable[..., Any],
    factors: Mapping[str, Any] | None = None,
    *,
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """Sensitivity indices of ``func``'s outputs to its factors, as a tidy table.

    ::

        def ishigami(x1, x2, x3):
            return np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)

        box = (-np.pi, np.pi)
        analyze(ishigami, {"x1": box, "x2": box, "x3": box}, method="sobol", n=1024)

        model = scenario_function("iocn", outputs=["sustained", "quality_gain"])
        analyze(model, method="morris", n=20, replicates=4, out="results/screen")

    Takes the options of ``run_study``; returns ``run_study(...).indices``: one row per
    (output, factor) with ``factor``, ``output``, the method's indices (``S1``,
    ``S1_conf``, ``ST``, ``ST_conf`` for Sobol'; ``mu_star``, ``mu_star_conf``,
    ``sigma``, ``mu`` for Morris), ``noise_share``, ``noise_floor``, ``below_noise``
    and ``settled``. An output that does not vary over the design has no indices (NaN);
    ``run_study(...).verdicts`` and its report say so.
    """
    study_options = inspect.signature(run_study).parameters  # func, factors, then options
    if unknown := [name for name in options if name not in study_options]:
        name = unknown[0]
        hint = suggest(name, study_options)
        raise SweepError(
            f"analyze() got an unknown option {name!r}"
            + (f" ({hint})" if hint else "")
            + f"; it takes those of run_study: {', '.join(list(study_options)[2:])}"
        )
    return run_study(func, factors, method=method, n=n, seed=seed, **options).indices


def run_study(
    func: Callable[..., Any],
    factors: Mapping[str, Any] | None = None,
    *,
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    outputs: Sequence[str] | None = None,
    replicates: int = 1,
    statistic: str = AnalysisOptions.statistic,
    fill: Mapping[str, float] | None = None,
    second_order: bool = False,
    morris_levels: int = Sampling.morris_levels,
    resamples: int | None = AnalysisOptions.resamples,
    conf_level: float = AnalysisOptions.conf_level,
    convergence: bool = AnalysisOptions.convergence,
    tolerance: float = AnalysisOptions.tolerance,
    out: str | Path | None = None,
    name: str | None = None,
    backend: str | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    restart: bool = False,
    figures: bool = True,
    progress: Callable[[int, int], None] | None = None,
    allow_large: bool = False,
    on_start: Callable[[SweepSize], None] | None = None,
) -> Analysis:
    """Run a sensitivity analysis of ``func`` and return everything it found.

    Every option is checked before the first run and before anything is written.

    Args:
        func: A function of named factors returning a number or a dict of numbers
            (taking ``seed`` too if it is stochastic), or the model as
            ``scenario_function(...)``.
        factors: For a plain function, ``{name: (low, high)}``. For the model,
            ``{parameter: levels or range}`` as sweeps take them (``None``: the whole
            allowed range); default every lever (``collabsim.LEVERS``).
        method: ``"sobol"``, ``"morris"``, ``"delta"``, ``"pawn"`` or ``"rbd_fast"``.
        n: Sample size: base samples for Sobol' (a power of 2; ``n * (D + 2)`` points,
            ``n * (2D + 2)`` with second order), trajectories for Morris
            (``n * (D + 1)`` points), points of a Latin hypercube otherwise.
        seed: Master seed of the sample, the replicate seeds and the bootstrap (0 is a
            seed).
        outputs: Outputs to analyse: of a plain function, some of those it returns (all
            if None); of the model, some of the scenario function's.
        replicates: Runs per design point (a plain function needs a ``seed`` argument
            for more than one); replicate ``r`` has the same seed at every point.
        statistic: How each point's replicates are summarised: ``"mean"`` (default),
            ``"median"``, ``"std"``, ``"var"``, ``"min"`` or ``"max"``.
        fill: Stand-in values for outputs undefined in some runs, e.g.
            ``{"collapse_step": 260}``; without one such an output is refused.
        second_order: Sobol' only: also second-order indices (twice the runs).
        morris_levels: Morris only: levels of the grid (even).
        resamples: Bootstrap resamples of the confidence intervals; default 1000 (100
            for ``delta``, whose bootstrap is slow).
        conf_level: Confidence level of the intervals.
        convergence: Sobol'/Morris: also the indices at ``n / 8``, ``n / 4``, ``n / 2``
            and whether they settled (no extra runs).
        tolerance: Settling threshold: Sobol' index units; Morris, a share of the
            largest ``mu_star``.
        out: Results folder. The model's default is ``results/<name>``; a plain
            function writes nothing unless given one.
        name: The model study's name (default ``sensitivity-<scenario>``).
        backend: The model only: ``"serial"``, ``"pool"`` (default) or ``"dask"``.
        workers: The model only: worker processes of the pool or local Dask cluster.
        scheduler: The model only: a Dask scheduler address or ``distributed.Client``.
        restart: The model only: discard a different earlier sweep in ``out``.
        figures: Draw the figures into ``out/figures``.
        progress: Called as ``progress(done, total)`` as runs finish.
        allow_large: The model only: run a sweep of more than
            ``collabsim.sweeps.size.LARGE_RUNS`` runs (refused otherwise).
        on_start: The model only: called with the sweep's size once it is planned and
            checked, before any run (the command line says the size, time and disk).

    Returns:
        The analysis: ``.indices`` (tidy table), ``.noise``, ``.convergence``,
        ``.verdicts``, ``.second_order``, ``.problem``, ``.report()``.

    Raises:
        SensitivityError: An option that is not allowed (a ``SweepError``).
        ParameterError: A model factor or parameter that is not allowed.
        FileExistsError: ``out`` holds files that are not an analysis's.
    """
    sampling = study_sampling(
        method,
        n=n,
        replicates=replicates,
        seed=seed,
        second_order=second_order,
        morris_levels=morris_levels,
    )
    analysis = AnalysisOptions(method, statistic, resamples, conf_level, convergence, tolerance)
    analysis.check(sampling.kind, sampling.replicates)
    true_or_false("figures", figures, error=SensitivityError)
    function_or_none("progress", progress, ("done", "total"), error=SensitivityError)
    if out is not None:
        out = path_option(
            "out", out, expected="the path of an output folder", error=SensitivityError
        )
    if isinstance(func, ScenarioFunction):
        from collabsim.sweeps.execution import Execution, execution

        return _model_study(
            func,
            factors,
            sampling,
            analysis,
            outputs=outputs,
            fill=fill,
            out=out,
            name=name,
            run_with=execution(
                SensitivityError,
                backend=backend or Execution.backend,
                workers=workers,
                scheduler=scheduler,
                restart=restart,
                progress=progress,
            ),
            figures=figures,
            allow_large=allow_large,
            on_start=on_start,
        )
    if not callable(func):
        raise SensitivityError(
            f"func={func!r} is not a function: give a function of named "
            "factors or collabsim.sensitivity.scenario_function(...)"
        )
    for option, value in (
        ("backend", backend),
        ("workers", workers),
        ("scheduler", scheduler),
        ("name", name),
    ):
        if value is not None:
            raise SensitivityError(
                f"{option} is for studies of the model "
                "(scenario_function); a plain function runs in this process"
            )
    for option, value in (
        ("restart", restart),
        ("allow_large", allow_large),
        ("on_start", on_start),
    ):
        if value:
            raise SensitivityError(f"{option} is for studies of the model (scenario_function)")
    factor_list = function_factors(factors, func)
    if sampling.replicates > 1 and not takes_seed(func):
        raise SensitivityError(
            f"replicates={sampling.replicates} needs a stochastic function, one that takes a "
            "seed argument: without it every replicate gives the same value"
        )
    if outputs is not None:
        # A plain function's outputs are known once it is called (``evaluate`` checks
        # them at the first call); here only the list itself.
        if (
            isinstance(outputs, str)
            or not isinstance(outputs, Sequence)
            or not outputs
            or not all(isinstance(o, str) for o in outputs)
        ):
            raise SensitivityError(
                f"outputs={outputs!r} is not allowed: expected a non-empty list of output names"
            )
        agg.check_fill(fill, outputs)
    from collabsim.sweeps.design import make_design, salib_encoding, salib_problem

    the_design = make_design(factor_list, sampling)
    out_path = None if out is None else _check_out(out)
    runs = evaluate(
        func,
        the_design,
        replicates=sampling.replicates,
        seed=sampling.seed,
        outputs=outputs,
        progress=progress,
    )
    kept = [c for c in runs.columns if c not in ("run", "point", "replicate", "seed", "status")]
    found = analyse_runs(
        runs,
        the_design.sample,
        salib_problem(factor_list),
        sampling=sampling,
        analysis=analysis,
        outputs=kept,
        fill=agg.check_fill(fill, kept),
        encoding=salib_encoding(factor_list),
        source={"function": getattr(func, "__name__", repr(func))},
    )
    if out_path is not None:
        from collabsim.sensitivity.output import write_analysis  # draws: matplotlib

        write_analysis(found, out_path, figures=figures, runs=runs)
    return found


def analyze_sweep(
    path: str | Path | SweepResult,
    *,
    method: str | None = None,
    outputs: Sequence[str] | None = None,
    statistic: str = AnalysisOptions.statistic,
    fill: Mapping[str, float] | None = None,
    seed: int | None = AnalysisOptions.seed,
    resamples: int | None = AnalysisOptions.resamples,
    conf_level: float = AnalysisOptions.conf_level,
    convergence: bool = AnalysisOptions.convergence,
    tolerance: float = AnalysisOptions.tolerance,
    write: bool = True,
    figures: bool = True,
) -> Analysis:
    """Analyse a finished sweep of a sampled design (``design="sobol"``, ``"morris"``, ``"lhs"``).

    Args:
        path: The sweep's results folder, or the ``SweepResult`` ``collabsim.sweep``
            returns.
        method: The method; default the design's (``sobol``, ``morris``); a Latin
            hypercube takes ``delta``, ``pawn`` or ``rbd_fast``.
        outputs: Outputs to analyse (default: every output the sweep kept). Those
            undefined in some runs need a ``fill``; if any have none, one message
            names them all.
        statistic: How each point's replicates are summarised.
        fill: Stand-in values for outputs undefined in some runs.
        seed: Seed of the bootstrap (default: the sweep's master seed).
        resamples: Bootstrap resamples (default as ``run_study``).
        conf_level: Confidence level.
        convergence: Also the indices at smaller sizes (Sobol', Morris).
        tolerance: Settling threshold (see ``run_study``).
        write: Write the analysis into the sweep's folder.
        figures: Draw the figures too.

    Returns:
        The analysis.

    Raises:
        FileNotFoundError: ``path`` is not a sweep folder.
        SensitivityError: ``path`` is neither a folder nor a ``SweepResult``, the sweep
            is not complete, its design cannot be analysed by ``method``, or an option
            is not allowed.
    """
    from collabsim.sweeps import SweepResult, load

    if isinstance(path, SweepResult):
        # Its folder, read afresh: the sweep may have been resumed there since.
        path = path.path
    path = path_option(
        "path",
        path,
        expected="a sweep's results folder or the SweepResult collabsim.sweep returns",
        error=SensitivityError,
    )
    result = load(path)
    meta = result.meta
    if not result.complete:
        raise SensitivityError(
            f"{path}: the sweep is not complete ({meta.get('status')}); "
            "run it again to finish it before analysing"
        )
    kind = meta["design"]["kind"]
    if method is None:
        if kind not in ("sobol", "morris"):
            raise SensitivityError(
                f"{path}: a {kind} design needs a method: "
                + (
                    "delta, pawn or rbd_fast"
                    if kind == "lhs"
                    else "only sampled designs (sobol, morris, lhs) can be analysed"
                )
            )
        method = kind
    analysis = AnalysisOptions(
        method, statistic, resamples, conf_level, convergence, tolerance, seed
    )
    found = _analyse_sweep(result, analysis, outputs, fill)
    if write:
        true_or_false("figures", figures, error=SensitivityError)
        from collabsim.sensitivity.output import write_analysis  # draws: matplotlib

        write_analysis(found, result.path, figures=figures)
    return found


def _analyse_sweep(
    result: Any,
    analysis: AnalysisOptions,
    outputs: Sequence[str] | None,
    fill: Mapping[str, float] | None,
) -> Analysis:
    """A finished sweep's runs analysed: its sample rebuilt from its ``meta.json``."""
    from collabsim.sweeps.design import salib_encoding

    meta = result.meta
    described = meta["design"]
    try:
        analysis.check(described["kind"], meta["replicates"])
        check_n(analysis.method, described["n"])  # the sweep's size may be too small for it
        # A design records the options that shape it (``Sampling.options``), no others.
        shaping = {k: v for k, v in described.items() if k in DESIGN_OPTIONS}
        sampling = Sampling(
            described["kind"],
            n=described["n"],
            replicates=meta["replicates"],
            seed=meta["seed"],
            **shaping,
        )
    except SweepError as error:
        raise SensitivityError(f"{result.path}: {error}") from None
    kept = list(meta["outputs"])
    chosen = (
        kept
        if outputs is None
        else list(
            names("outputs", outputs, kept, what="outputs the sweep kept", error=SensitivityError)
        )
    )
    return analyse_runs(
        result.runs,
        result.sample,
        result.problem,
        sampling=sampling,
        analysis=analysis,
        outputs=chosen,
        fill=agg.check_fill(fill, chosen),
        encoding=salib_encoding(result.factors),
        source={
            "scenario": meta.get("scenario"),
            "sweep": str(result.path),
            "fixed": meta.get("fixed"),
            "steps": meta.get("steps"),
        },
    )


def _model_study(
    func: ScenarioFunction,
    factors: Mapping[str, Any] | None,
    sampling: Sampling,
    analysis: AnalysisOptions,
    *,
    outputs: Sequence[str] | None,
    fill: Mapping[str, float] | None,
    out: str | Path | None,
    name: str | None,
    run_with: Execution,
    figures: bool,
    allow_large: bool,
    on_start: Callable[[SweepSize], None] | None,
) -> Analysis:
    """The model: a sweep through ``collabsim.sweeps`` into ``out``, then the analysis."""
    from collabsim.sweeps import SweepRun, load
    from collabsim.sweeps.plan import plan_sweep

    chosen = (
        list(func.outputs)
        if outputs is None
        else list(
            names(
                "outputs",
                outputs,
                func.outputs,
                what="outputs of the scenario function",
                error=SensitivityError,
            )
        )
    )
    fill = agg.check_fill(fill, chosen)
    plan = plan_sweep(
        scenario=func.scenario,
        params=func.params or None,
        factors=lever_specs() if factors is None else factors,
        sampling=sampling,
        steps=func.steps,
        outputs=list(func.outputs),
        name=name or f"sensitivity-{func.label}",
        out=out,
        allow_large=allow_large,
    )
    run = SweepRun(plan, run_with)
    if on_start is not None:
        on_start(plan.size)
    clear_analysis_without_runs(run.plan.out)  # as a clone of a repository holds it
    for _ in run:
        pass
    found = _analyse_sweep(load(run.plan.out), analysis, chosen, fill)
    from collabsim.sensitivity.output import write_analysis  # draws: matplotlib

    write_analysis(found, run.plan.out, figures=figures)
    return found


def _check_out(out: Path) -> Path:
    """A plain function's results folder: new, empty, or an earlier analysis's."""
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"output folder {str(out)!r} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / META).is_file():
        raise FileExistsError(
            f"output folder {str(out)!r} already has files in it and holds "
            "no sensitivity analysis; choose an empty or new folder"
        )
    return out


__all__ = ["analyse_runs", "analyze", "analyze_sweep", "run_study"]
