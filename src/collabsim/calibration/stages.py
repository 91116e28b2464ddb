"""Running one stage of a calibration for every point still in play, and scoring them.

Every arm of every pattern and target of the stage, at every point (the arm's full
parameters with the point's rates put in), becomes a need of the validation runner
(``collabsim.validation.runner``): identical arms are run once, all points share
replicate seeds (common random numbers), and the whole stage is one call of
``run_needs``, so each group of arms (same weeks and timeline) is one large sweep and a
process pool starts a few times per stage. The runs are stored in ``<out>/runs/`` and
found there again on a rerun, so an interrupted calibration computes only what is
missing; scoring is redone from the stored runs.

A steepness target with a ``recheck`` is measured twice: on the stage's seeds, which
choose each point's steepest moves, and then, at the points that pass all else in the
stage, on the recheck's own seeds, where those moves and the arm itself run again and
give the target's value (``_recheck``).

Scoring reads the runs in batches of points whose arms hold at most ``BATCH_ROWS`` rows
of time series together (only the design points a batch reads), so memory stays bounded
whatever the number of points, and a stage of short arms reads each file a few times
rather than once for every handful of points.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from collabsim.calibration.plan import Stage
from collabsim.calibration.scoring import (
    StageScore,
    at_alpha,
    stage_verdict,
    steepest,
    target_value,
)
from collabsim.calibration.targets import Recheck, perturbed
from collabsim.metrics import SUMMARY
from collabsim.params import Params
from collabsim.sweeps.execution import Execution
from collabsim.sweeps.store import RUNS as RUNS_FILE
from collabsim.sweeps.store import TIMESERIES as TIMESERIES_FILE
from collabsim.validation import runner
from collabsim.validation.evaluate import evaluate_pattern

#: Rows of time series (runs x weeks, over a batch's arms) scored per read of the stored
#: runs: about eight points of the whole catalogue's arms at 30 seeds, the memory scoring
#: has always taken, or thousands of points of one short arm.
BATCH_ROWS = 2_400_000

#: What marks a target's arm among the patterns' (not a snake_case name: no pattern has it).
TARGET = "(target)"

#: Columns of a sweep's runs table the patterns may read, besides the outputs.
_RUN_IDS = ("run", "point", "replicate", "seed", "status", "error")


@dataclass
class StageResult:
    """A stage's outcome over the points it judged.

    Attributes:
        scores: One score per point, in point order.
        patterns: Long table of every pattern at every point: ``point``, ``stage``,
            ``pattern``, ``effect``, ``p_value``, ``passed``.
        count: Runs the stage needed, found stored and computed now, and its groups.
    """

    scores: list[StageScore]
    patterns: pd.DataFrame
    count: runner.RunCount = field(default_factory=runner.RunCount)

    @property
    def passing(self) -> list[int]:
        """The points that pass the stage, in order."""
        return [s.point for s in self.scores if s.ok]


def run_stage(
    stage: Stage,
    points: Mapping[int, Mapping[str, Any]],
    *,
    folder: Path,
    seed: int,
    run_with: Execution,
    reads: Mapping[str, tuple[set[str], set[str]]] | None = None,
    allow_large: bool = False,
    scoring: Callable[[int, int], None] | None = None,
    rechecking: Callable[[int, int], None] | None = None,
) -> StageResult:
    """Run a stage's arms at every point and score each point.

    Args:
        stage: The stage.
        points: The points in play, by number: each one's rate values.
        folder: The runs folder (``<out>/runs``).
        seed: Master seed of the replicate seeds.
        run_with: How the runs are computed (``collabsim.sweeps.Execution``); its
            ``progress`` is called as ``progress(done, total)`` over the stage's runs.
        reads: What every stage reads from each arm (``arm_reads``): kept for points
            that go on to later stages.
        allow_large: Run a group of more than ``collabsim.sweeps.size.LARGE_RUNS`` runs
            (for a calibration that has checked the stage's size: ``stage_size``).
        scoring: Called as ``scoring(done, total)`` over the stage's runs as the points
            they belong to are scored (which takes a while at thousands of points).
        rechecking: Called as ``rechecking(done, total)`` over the runs of the steepest
            moves measured again (targets with a ``recheck``).

    Returns:
        The scores, the pattern table and the run counts.
    """
    needs: dict[str, runner.Need] = {}
    keys = _add_needs(stage, points, needs, reads)
    stored, count = runner.run_needs(
        needs,
        folder=folder,
        seed=seed,
        run_with=run_with,
        allow_large=allow_large,
    )
    patterns = [at_alpha(p, stage.alpha) for p in stage.patterns]
    runs_of = {n: sum(needs[k].replicates for k in set(keys[n].values())) for n in points}
    total, done = sum(runs_of.values()), 0
    scores, rows, chosen = [], [], {}
    for batch in _batches(sorted(points), keys, needs):
        cache = _read_batch([stored[k] for n in batch for k in keys[n].values()])
        for number in batch:
            score, found, chosen[number] = _score(
                stage, patterns, number, keys[number], stored, needs, cache
            )
            scores.append(score)
            rows.extend(found)
        if scoring is not None:
            done += sum(runs_of[n] for n in batch)
            scoring(done, total)
    if any(t.recheck for t in stage.targets):
        scores = _recheck(
            stage,
            scores,
            chosen,
            points,
            folder=folder,
            # the stage's own runs are made: a restart must not delete them now
            run_with=run_with.replace(restart=False, progress=rechecking),
            allow_large=allow_large,
            count=count,
        )
    table = pd.DataFrame(rows, columns=["point", "stage", "pattern", "effect", "p_value", "passed"])
    return StageResult(scores, table, count)


class StageArm(NamedTuple):
    """An arm a stage runs at each point, before the point's rates are put in."""

    what: tuple[str, ...]  #: (pattern, arm), or (TARGET, target, "arm" or "versus")
    params: Params
    weeks: int
    outputs: set[str]  #: summary outputs read
    reporters: set[str]  #: reporters read
    moves: float | None = None  #: also run with each rate moved by this share (``perturb``)
    recheck: Recheck | None = None  #: the steepest moves measured again (``recheck``)


def stage_arms(stage: Stage) -> list[StageArm]:
    """Every arm a stage runs at each point, before the point's rates are put in."""
    arms = []
    for pattern in stage.patterns:
        for arm in pattern.arms_run():
            uses = [m for m, a in pattern.test.uses() if a == arm]
            declared = pattern.arms[arm]
            arms.append(
                StageArm(
                    (pattern.name, arm),
                    declared.to_params(),
                    declared.weeks,
                    {o for m in uses for o in m.outputs},
                    {r for m in uses for r in m.reporters},
                )
            )
    for target in stage.targets:
        for which, arm in target.arms().items():
            moves = target.perturb if which == "arm" else None
            again = target.recheck if which == "arm" else None
            what = (TARGET, target.name, which)
            arms.append(
                StageArm(what, arm.to_params(), arm.weeks, {target.output}, set(), moves, again)
            )
    return arms


def arm_reads(stages: Sequence[Stage]) -> dict[str, tuple[set[str], set[str]]]:
    """What all the stages together read from each arm, by the arm's key before a point.

    A stage keeps what later stages read from the same arm too, so that a point that
    goes on finds those runs stored and does not run them again.
    """
    reads: dict[str, tuple[set[str], set[str]]] = {}
    for stage in stages:
        for arm in stage_arms(stage):
            key = runner.arm_key(arm.params.to_dict(), arm.weeks)
            found = reads.setdefault(key, (set(), set()))
            found[0].update(arm.outputs)
            found[1].update(arm.reporters)
    return reads


def _add_needs(
    stage: Stage,
    points: Mapping[int, Mapping[str, Any]],
    needs: dict[str, runner.Need],
    reads: Mapping[str, tuple[set[str], set[str]]] | None,
) -> dict[int, dict[tuple[str, ...], str]]:
    """Add every (point, arm) need; return each point's need keys by what they are.

    A ``perturb`` target's arm adds, besides ``(TARGET, target, "arm")``, one need for
    each move of a rate: ``(TARGET, target, "<rate> x0.8")`` and so on (``perturbed``).
    """
    arms = stage_arms(stage)
    kept = [
        (reads or {}).get(runner.arm_key(arm.params.to_dict(), arm.weeks), (set(), set()))
        for arm in arms
    ]
    keys: dict[int, dict[tuple[str, ...], str]] = {}
    for number, values in points.items():
        keys[number] = found = {}
        for arm, (outputs, reporters) in zip(arms, kept, strict=True):
            found[arm.what] = runner.add_need(
                needs,
                arm.params.replace(**values),
                arm.weeks,
                stage.seeds,
                outputs=arm.outputs | outputs,
                reporters=arm.reporters | reporters,
            )
            # the settings with a rate moved: only the target's output is read from them
            for label, moved in perturbed(values, arm.moves).items() if arm.moves else ():
                found[(*arm.what[:2], label)] = runner.add_need(
                    needs,
                    arm.params.replace(**moved),
                    arm.weeks,
                    stage.seeds,
                    outputs=arm.outputs,
                    reporters=(),
                )
    return keys


def _batches(
    numbers: list[int],
    keys: Mapping[int, Mapping[tuple[str, ...], str]],
    needs: Mapping[str, runner.Need],
) -> Iterator[list[int]]:
    """Consecutive points, at least one at a time, holding at most ``BATCH_ROWS`` rows."""
    batch: list[int] = []
    rows = 0
    for number in numbers:
        size = sum(needs[k].replicates * needs[k].steps for k in set(keys[number].values()))
        if batch and rows + size > BATCH_ROWS:
            yield batch
            batch, rows = [], 0
        batch.append(number)
        rows += size
    if batch:
        yield batch


def _score(
    stage: Stage,
    patterns: list,
    number: int,
    keys: Mapping[tuple[str, ...], str],
    stored: Mapping[str, runner.Stored],
    needs: Mapping[str, runner.Need],
    cache: Mapping[tuple[Path, int], Any],
) -> tuple[StageScore, list[tuple]]:
    loaded: dict[str, Any] = {}  # an arm several patterns read is read once

    def arm_data(what: tuple[str, ...]):
        key = keys[what]
        if key not in loaded:
            where = stored[key]
            loaded[key] = runner.load_arm(
                where, needs[key], {where.folder: cache[where.folder, where.point]}
            )
        return loaded[key]

    rows, passed = [], 0
    for pattern in patterns:
        arms = {arm: arm_data((pattern.name, arm)) for arm in pattern.arms_run()}
        result = evaluate_pattern(pattern, arms).result
        passed += bool(result.passed)
        rows.append(
            (number, stage.name, pattern.name, result.effect, result.p_value, bool(result.passed))
        )
    values, moved_by, chosen = {}, {}, {}
    for target in stage.targets:
        means = {
            what[2]: _mean(arm_data(what), target.output)
            for what in keys
            if what[:2] == (TARGET, target.name)
        }
        value, by = target_value(target, means)
        values[target.name] = value
        if target.perturb:
            moved_by[target.name] = by
        if target.recheck:
            chosen[target.name] = steepest(means, target.recheck.moves)
    ok = stage_verdict(stage, passed=passed, targets=values)
    return StageScore(number, passed, len(patterns), values, ok, moved_by), rows, chosen


def _recheck(
    stage: Stage,
    scores: list[StageScore],
    chosen: Mapping[int, Mapping[str, list[str]]],
    points: Mapping[int, Mapping[str, Any]],
    *,
    folder: Path,
    run_with: Execution,
    allow_large: bool,
    count: runner.RunCount,
) -> list[StageScore]:
    """The scores with each ``recheck`` target measured again on its own seeds.

    At each point that passes everything else in the stage, and whose value on the stage's
    seeds is defined, the arm and the moves chosen there run on the recheck's seeds; the
    target's value and move are then those of these runs, and the value on the stage's
    seeds is kept as ``screened``. A point not run again has the value NaN. ``count`` gains
    the runs. The runs are read at once: they hold one summary output and no time series.
    """
    checked = [t for t in stage.targets if t.recheck]
    names = frozenset(t.name for t in checked)
    due = {
        s.point
        for s in scores
        if stage_verdict(stage, passed=s.passed, targets=s.targets, ignoring=names)
        and all(math.isfinite(s.targets[name]) for name in names)
    }
    # by (master seed, seeds): two rechecks of one arm on as many seeds share their runs
    needs: dict[tuple[int, int], dict[str, runner.Need]] = {}
    keys: dict[tuple[int, str], dict[str, str]] = {}  # by (point, target): label -> need
    for number in sorted(due):
        for target in checked:
            moved = perturbed(points[number], target.perturb)
            settings = {"arm": points[number]} | {m: moved[m] for m in chosen[number][target.name]}
            again = needs.setdefault((target.recheck.seed, target.recheck.seeds), {})
            keys[number, target.name] = {
                label: runner.add_need(
                    again,
                    target.arm.to_params().replace(**setting),
                    target.arm.weeks,
                    target.recheck.seeds,
                    outputs={target.output},
                    reporters=(),
                )
                for label, setting in settings.items()
            }
    stored = {}
    for (seed, seeds), group in needs.items():
        found, counted = runner.run_needs(
            group, folder=folder, seed=seed, run_with=run_with, allow_large=allow_large
        )
        stored.update({(seed, seeds, key): where for key, where in found.items()})
        count.add(counted)
    cache = _read_batch(list(stored.values()))

    def mean(target, key: str) -> float:
        where = stored[target.recheck.seed, target.recheck.seeds, key]
        need = needs[target.recheck.seed, target.recheck.seeds][key]
        data = {where.folder: cache[where.folder, where.point]}
        return _mean(runner.load_arm(where, need, data), target.output)

    rechecked = []
    for score in scores:
        values, moved_by = dict(score.targets), dict(score.moved_by)
        for target in checked:
            values[target.name], moved_by[target.name] = math.nan, ""
            if score.point in due:
                means = {
                    label: mean(target, key)
                    for label, key in keys[score.point, target.name].items()
                }
                values[target.name], moved_by[target.name] = target_value(target, means)
        rechecked.append(
            dataclasses.replace(
                score,
                targets=values,
                moved_by=moved_by,
                screened={name: score.targets[name] for name in names},
                ok=stage_verdict(stage, passed=score.passed, targets=values),
            )
        )
    return rechecked


def _mean(data: tuple[pd.DataFrame, Any], output: str) -> float:
    """An output's mean over an arm's runs; NaN if a run failed or a value is undefined."""
    runs, _ = data
    failed, _ = runner.failures(runs)
    column = runs[output].to_numpy(dtype=float)
    return math.nan if failed or not np.isfinite(column).all() else float(column.mean())


def _read_batch(where: list[runner.Stored]) -> dict[tuple[Path, int], Any]:
    """The runs and time series of the design points a batch reads, by folder and point.

    Each entry stands in for ``collabsim.sweeps.load(folder)`` in ``runner.load_arm``,
    limited to one design point: it has ``runs`` and ``timeseries`` (the columns patterns
    read). Split once here, so that finding a point's rows does not scan the whole batch.
    """
    wanted: dict[Path, set[int]] = {}
    for stored in where:
        wanted.setdefault(stored.folder, set()).add(stored.point)
    cache: dict[tuple[Path, int], Any] = {}
    for folder, design_points in wanted.items():
        keep = [("point", "in", sorted(design_points))]
        names = pq.read_schema(folder / RUNS_FILE).names
        columns = [c for c in (*_RUN_IDS, *SUMMARY) if c in names]
        runs = pq.read_table(folder / RUNS_FILE, columns=columns, filters=keep).to_pandas()
        series = None
        if (folder / TIMESERIES_FILE).is_file():
            series = pq.read_table(folder / TIMESERIES_FILE, filters=keep).to_pandas()
        runs_of = dict(tuple(runs.groupby("point", sort=False)))
        series_of = {} if series is None else dict(tuple(series.groupby("point", sort=False)))
        for point in design_points:
            cache[folder, point] = SimpleNamespace(
                runs=runs_of.get(point, runs.iloc[:0]),
                timeseries=None if series is None else series_of.get(point, series.iloc[:0]),
            )
    return cache


__all__ = [
    "BATCH_ROWS",
    "TARGET",
    "StageArm",
    "StageResult",
    "arm_reads",
    "run_stage",
    "stage_arms",
]
