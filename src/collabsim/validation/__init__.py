"""Pattern-oriented validation: the field studies' patterns, run, tested and reported.

::

    from collabsim import validation

    results = validation.validate(out="results/validation", quick=True)
    [r.pattern for r in results if r.expressible and not r.passed]   # the failing ones
    validation.PATTERNS["neutral_partner"].test.describe()

Each pattern of the catalogue (``collabsim.validation.catalogue``, declared with the
types in ``collabsim.validation.spec``) names the arms to compare, a metric and a test.
``validate`` runs every arm the chosen patterns need through the sweep engine (each
distinct arm once, all sharing seeds by replicate; see ``collabsim.validation.runner``
for grouping, resuming and changed model code), tests each pattern and writes:

- ``patterns.csv``: one row per pattern (``collabsim.validation.report.CSV_COLUMNS``);
- ``report.md``: the pattern-oriented modelling table, the claims the model cannot
  express, the failing patterns with their known limitations;
- ``figures/<pattern>.png`` and ``.csv``: each arm's per-seed values;
- ``validation.json``: what was validated and how (provenance);
- ``runs/``: the sweeps behind it all, reused by the next validation.

``collabsim validate`` and ``collabsim patterns`` are the command-line entries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from collabsim.backends import DEFAULT_BACKEND
from collabsim.checks import true_or_false, whole_number
from collabsim.params import python_value, suggest
from collabsim.storage import (
    json_writer,
    now,
    origin,
    recording_interruption,
    write_atomically,
)
from collabsim.sweeps.execution import execution
from collabsim.sweeps.size import StudySize
from collabsim.validation.catalogue import PATTERNS
from collabsim.validation.options import check_results_folder, output_folder
from collabsim.validation.report import patterns_markdown
from collabsim.validation.spec import QUICK_SEEDS, Pattern, PatternResult, ValidationError

#: The file that marks a validation's output folder and records what made it.
META = "validation.json"

#: What ``validation.json`` says it is.
KIND = "collabsim validation"

#: Files of a validation's own, beside ``runs/`` and ``figures/``.
CSV, REPORT, FIGURES = "patterns.csv", "report.md", "figures"


def validate(
    *,
    out: str | Path,
    quick: bool = False,
    patterns: Sequence[str | Pattern] | Mapping[str, Pattern] | None = None,
    backend: str = DEFAULT_BACKEND,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Callable[[int, int], None] | None = None,
    restart: bool = False,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
) -> list[PatternResult]:
    """Run, test and report the patterns; resume a validation that was stopped.

    The runs are kept in ``out/runs/`` and reused: rerunning after an interruption
    computes only the runs that are missing, and a later validation of other patterns
    reuses every identical arm (see ``collabsim.validation.runner``). Runs made by other
    model code (a different ``collabsim.fingerprint.code_fingerprint``) are deleted and
    computed again, without asking: a validation always judges the code that is
    installed now, and old runs could only mislead. Editing the catalogue's tests or
    metrics needs no new runs.

    Args:
        out: Output folder (new, empty, or a previous validation's).
        quick: Use exactly ``QUICK_SEEDS`` (30) seeds per arm instead of each pattern's
            declared ``seeds``.
        patterns: The patterns to validate: names from the catalogue and/or ``Pattern``
            objects, or a mapping of name to ``Pattern``; the whole catalogue if None.
        backend: ``"serial"``, ``"pool"`` (local processes) or ``"dask"``.
        workers: Worker processes of the pool or of a local Dask cluster (all cores if
            None).
        scheduler: Dask only: a scheduler address (``tcp://HOST:PORT``) or a
            ``distributed.Client``.
        progress: Called as ``progress(done, total)`` as runs finish, over all the runs
            the validation needs (runs found stored count as done). An exception it
            raises (``KeyboardInterrupt``) stops the validation; the finished runs stay.
        restart: Delete every stored run in ``out`` and compute all anew.
        seed: Master seed of the replicate seeds (0 is a seed).
        params: Parameter values every arm runs with instead of its scenario's defaults
            (a calibrated point's rates, say), each checked against its declaration; a
            parameter an arm or its scenario sets itself is refused, as the pattern
            depends on it. The runs are other runs than those at the defaults.

    Returns:
        One result per pattern, in order; claims the model cannot express have
        ``expressible`` false and ``passed`` None.

    Raises:
        ValidationError: An unknown pattern (with close names) or option not allowed,
            or a value of ``params`` that an arm sets itself; nothing is written.
        ParameterError: A parameter of ``params`` that is not one, or a value it does
            not allow.
        FileExistsError: ``out`` is a file, or a folder holding other files.
    """
    chosen, params = _chosen(patterns, params)
    quick, seed = check_flags(quick=quick, seed=seed)
    run_with = execution(
        ValidationError,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        restart=restart,
        progress=progress,
    )
    out = check_out(out)

    from collabsim.validation import runner  # pulls in pandas and the sweep store
    from collabsim.validation.evaluate import evaluate_pattern, not_expressible

    needs, keys = _needs(chosen, quick=quick)
    out.mkdir(parents=True, exist_ok=True)
    meta = _meta(chosen, quick=quick, seed=seed, params=params, backend=backend, workers=workers)
    write_atomically(out / META, json_writer(meta))
    started = time.perf_counter()

    with recording_interruption(out / META, meta):
        stored, count = runner.run_needs(
            needs,
            folder=out / runner.RUNS,
            seed=seed,
            run_with=run_with,
        )
    cache: dict[Path, Any] = {}
    data = {key: runner.load_arm(stored[key], need, cache) for key, need in needs.items()}
    results, evaluations = [], []
    for pattern in chosen.values():
        if not pattern.expressible:
            results.append(not_expressible(pattern))
            continue
        n = QUICK_SEEDS if quick else pattern.seeds
        arms = {arm: _first(data[keys[pattern.name, arm]], n) for arm in pattern.arms_run()}
        evaluation = evaluate_pattern(pattern, arms)
        evaluations.append(evaluation)
        results.append(evaluation.result)

    meta.update(
        runs=count.needed,
        reused=count.reused,
        computed=count.computed,
        groups=count.groups,
        seconds=round(time.perf_counter() - started, 1),
    )
    _write_outputs(out, chosen, results, evaluations, meta)
    return results


def select_patterns(
    patterns: Sequence[str | Pattern] | Mapping[str, Pattern] | None = None,
) -> dict[str, Pattern]:
    """The patterns asked for, by name, checked (see ``validate``).

    Raises:
        ValidationError: An unknown name (with the close ones), a name given twice, or
            something that is not a pattern.
    """
    if patterns is None:
        return dict(PATTERNS)
    if isinstance(patterns, Mapping):
        patterns = list(patterns.values())
    if isinstance(patterns, (str, Pattern)) or not isinstance(patterns, Sequence) or not patterns:
        raise ValidationError(
            f"patterns={patterns!r} is not allowed: expected a non-empty "
            "list of pattern names (or Pattern objects)"
        )
    chosen: dict[str, Pattern] = {}
    for item in patterns:
        if isinstance(item, str):
            if item not in PATTERNS:
                hint = suggest(item, PATTERNS)
                raise ValidationError(
                    f"{item!r} is not a pattern of the catalogue; "
                    + (hint if hint else "see: collabsim patterns")
                )
            item = PATTERNS[item]
        if not isinstance(item, Pattern):
            raise ValidationError(f"{item!r} is not a pattern name or Pattern")
        if item.name in chosen:
            raise ValidationError(f"pattern {item.name} is given twice")
        chosen[item.name] = item
    return chosen


def _chosen(patterns: Any, params: Any) -> tuple[dict[str, Pattern], dict[str, Any]]:
    """The patterns asked for, with ``params`` in every arm, and the params as plain values.

    ``patterns`` and ``params`` as for ``validate``.

    Raises:
        ValidationError: An unknown pattern, params that are not a mapping, or a value
            an arm sets itself.
        ParameterError: A name that is not a parameter, or a value not allowed.
    """
    chosen = select_patterns(patterns)
    if params is None:
        return chosen, {}
    if not isinstance(params, Mapping):
        raise ValidationError(
            f"params={params!r} is not allowed: expected a mapping of parameter name to value"
        )
    params = {name: python_value(value) for name, value in params.items()}
    if params:
        chosen = {name: pattern.with_params(params) for name, pattern in chosen.items()}
    return chosen, params


def check_flags(*, quick: Any, seed: Any) -> tuple[bool, int]:
    """``quick`` and ``seed`` if they are true or false and a whole number >= 0.

    NumPy scalars count as the Python values they hold, which are returned.

    Raises:
        ValidationError: Either is not allowed.
    """
    quick = true_or_false("quick", python_value(quick), error=ValidationError)
    return quick, whole_number("seed", python_value(seed), 0, error=ValidationError)


def _first(arm: tuple[Any, Any], n: int) -> tuple[Any, Any]:
    """An arm's runs and time series limited to its first ``n`` replicates."""
    runs, series = arm
    runs = runs.loc[runs["replicate"] < n].reset_index(drop=True)
    if series is not None:
        series = series.loc[series["replicate"] < n].reset_index(drop=True)
    return runs, series


def _meta(
    chosen: Mapping[str, Pattern],
    *,
    quick: bool,
    seed: int,
    params: dict[str, Any],
    backend: str,
    workers: int | None,
) -> dict[str, Any]:
    return {
        "kind": KIND,
        **origin(),
        "mode": "quick" if quick else "full",
        "seed": seed,
        "params": params,
        "seeds": {
            name: QUICK_SEEDS if quick else p.seeds for name, p in chosen.items() if p.expressible
        },
        "patterns": list(chosen),
        "backend": backend,
        "workers": workers,
        "status": "running",
        "started": now(),
        "finished": None,
    }


def _write_outputs(
    out: Path,
    chosen: Mapping[str, Pattern],
    results: list[PatternResult],
    evaluations: list[Any],
    meta: dict[str, Any],
) -> None:
    from collabsim.validation.figures import draw_pattern
    from collabsim.validation.report import write_csv, write_report

    write_csv(results, out / CSV)
    write_report(chosen, results, out / REPORT, info=meta)
    figures = out / FIGURES
    if figures.is_dir():  # figures of patterns not validated this time would mislead
        for old in [*figures.glob("*.png"), *figures.glob("*.csv")]:
            old.unlink()
    for evaluation in evaluations:
        name = evaluation.result.pattern
        draw_pattern(evaluation, figures, title=name.replace("_", " ").capitalize())
    expressible = [r for r in results if r.expressible]
    meta.update(
        status="complete",
        finished=now(),
        passed=sum(bool(r.passed) for r in expressible),
        expressible=len(expressible),
        failing=[r.pattern for r in expressible if not r.passed],
        files=[CSV, REPORT, FIGURES, "runs"],
    )
    write_atomically(out / META, json_writer(meta))


def check_out(out: str | Path) -> Path:
    """``out`` as a path, if it can hold a validation: new, empty, or an earlier one's.

    Raises:
        ValidationError: ``out`` is not a path.
        FileExistsError: ``out`` is a file, or a folder holding other files.
    """
    out = output_folder(out, default=None, error=ValidationError)
    check_results_folder(out, meta=META, kind=KIND, what="a collabsim validation")
    return out


def validation_size(
    patterns: Sequence[str] | None = None,
    *,
    quick: bool = False,
    params: Mapping[str, Any] | None = None,
) -> StudySize:
    """The validation's runs, time and disk, worked out before anything is run or written.

    Each distinct arm is run once, with the most seeds any pattern reading it asks for;
    ``patterns``, ``quick`` and ``params`` as for ``validate``.

    Raises:
        ValidationError: An unknown pattern (with close names), or a value of ``params``
            an arm sets itself.
        ParameterError: A parameter of ``params`` that is not one, or a value not allowed.
    """
    from collabsim.validation.runner import need_sizes

    needs, _ = _needs(_chosen(patterns, params)[0], quick=quick)
    seeds = sorted({need.replicates for need in needs.values()})
    weeks = sorted({need.steps for need in needs.values()})
    words = (
        f"{len(needs):,} arm{'s' if len(needs) != 1 else ''} x {_span(seeds)} seeds, "
        f"{_span(weeks)} weeks each"
        if needs
        else "the patterns chosen cannot be expressed: nothing to run"
    )
    return StudySize(
        need_sizes(needs),
        words,
        "name fewer patterns, or use --quick",
        "a validation",
    )


def _needs(
    chosen: Mapping[str, Pattern], *, quick: bool
) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    """The distinct arms the chosen patterns run, and each pattern's arm's key to them."""
    from collabsim.validation import runner  # pulls in pandas and the sweep store

    needs: dict[str, runner.Need] = {}
    keys: dict[tuple[str, str], str] = {}
    for pattern in chosen.values():
        for arm in pattern.arms_run():
            uses = [m for m, a in pattern.test.uses() if a == arm]
            keys[pattern.name, arm] = runner.add_need(
                needs,
                pattern.arms[arm].to_params(),
                pattern.arms[arm].weeks,
                QUICK_SEEDS if quick else pattern.seeds,
                outputs=[o for m in uses for o in m.outputs],
                reporters=[r for m in uses for r in m.reporters],
            )
    return needs, keys


def _span(values: Sequence[int]) -> str:
    """``40`` or ``40-60``: the least and most of some counts."""
    return f"{values[0]:,}" if len(values) == 1 else f"{values[0]:,}-{values[-1]:,}"


__all__ = [
    "PATTERNS",
    "Pattern",
    "PatternResult",
    "ValidationError",
    "check_flags",
    "check_out",
    "patterns_markdown",
    "select_patterns",
    "validate",
    "validation_size",
]
