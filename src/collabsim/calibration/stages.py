"""Running one stage of a calibration for every point still in play, and scoring them.

Every arm of every pattern and target of the stage, at every point (the arm's full
parameters with the point's rates put in), becomes a need of the validation runner
(``collabsim.validation.runner``): identical arms are run once, all points share
replicate seeds (common random numbers), and the whole stage is one call of
``run_needs``, so each group of arms (same weeks and timeline) is one large sweep and a
process pool starts a few times per stage. The runs are stored in ``<out>/runs/`` and
found there again on a rerun, so an interrupted calibration computes only what is
missing; scoring is redone from the stored runs.

Scoring reads the runs in batches of points whose arms hold at most ``BATCH_ROWS`` rows
of time series together (only the design points a batch reads), so memory stays bounded
whatever the number of points, and a stage of short arms reads each file a few times
rather than once for every handful of points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from collabsim.calibration.plan import CalibrationPlan, Stage
from collabsim.calibration.scoring import StageScore, at_alpha, stage_verdict, target_value
from collabsim.calibration.targets import perturbed
from collabsim.metrics import SUMMARY
from collabsim.params import Params
from collabsim.sweeps.execution import Execution
from collabsim.sweeps.plan import typical_size
from collabsim.sweeps.size import StudySize, SweepSize
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
    scores, rows = [], []
    for batch in _batches(sorted(points), keys, needs):
        cache = _read_batch([stored[k] for n in batch for k in keys[n].values()])
        for number in batch:
            score, found = _score(stage, patterns, number, keys[number], stored, needs, cache)
            scores.append(score)
            rows.extend(found)
        if scoring is not None:
            done += sum(runs_of[n] for n in batch)
            scoring(done, total)
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
            what = (TARGET, target.name, which)
            arms.append(StageArm(what, arm.to_params(), arm.weeks, {target.output}, set(), moves))
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


def stage_size(plan: CalibrationPlan, index: int, points: int | None = None) -> StudySize:
    """The runs of stage ``index`` at ``points`` points (all the plan's if None).

    Each distinct arm of the stage runs the stage's seeds at every point, keeping what
    every stage reads from it (``arm_reads``); the arm of a ``perturb`` target runs again
    with each rate moved down and up (at most: a move its range or rounding undoes is not
    run).
    """
    stage = plan.stages[index]
    points = plan.points if points is None else points
    parts = _stage_parts(plan, index, points)
    settings = {setting: part.points // points for setting, part in parts.items()}
    arms = sum(settings.values())
    moved = sum(count for (_, share), count in settings.items() if share)
    which = f" ({moved:,} of them a rate moved)" if moved else ""
    return StudySize(
        tuple(parts.values()),
        f"{points:,} point{'s' if points != 1 else ''} x {arms:,} "
        f"arm{'s' if arms != 1 else ''}{which} x {stage.seeds:,} seeds in stage {stage.name}",
        _ADVICE,
        "a calibration stage",
    )


def calibration_size(plan: CalibrationPlan) -> StudySize:
    """The most runs a calibration can do: every point through every stage.

    An arm a later stage shares with an earlier one of the same master seed runs again
    only if it asks for more seeds (the stored runs serve it otherwise); so do its settings
    with a rate moved.
    """
    seeds_run: dict[tuple[int, str, float | None], int] = {}
    parts = []
    for index, stage in enumerate(plan.stages):
        for setting, part in _stage_parts(plan, index, plan.points).items():
            setting = (plan.seed_of(stage), *setting)
            if part.replicates > seeds_run.get(setting, 0):
                parts.append(part)
                seeds_run[setting] = part.replicates
    stages = len(plan.stages)
    return StudySize(
        tuple(parts),
        f"{plan.points:,} points through {stages} stage{'s' if stages != 1 else ''}, "
        "if every point passes every stage",
        _ADVICE,
        "a calibration",
    )


#: How to make a calibration smaller, in the calibration file's words.
_ADVICE = "use fewer points or seeds"


def _stage_parts(
    plan: CalibrationPlan, index: int, points: int
) -> dict[tuple[str, float | None], SweepSize]:
    """A stage's runs at ``points`` points, by (arm key, None or the share its rates move).

    An arm keeps every reporter any stage reads from it; its settings with a rate moved
    keep only their target's output.
    """
    stage = plan.stages[index]
    reads = arm_reads(plan.stages)
    parts: dict[tuple[str, float | None], SweepSize] = {}
    for arm in stage_arms(stage):
        key = runner.arm_key(arm.params.to_dict(), arm.weeks)
        people = typical_size(plan.factors, arm.params)
        kept = len(reads[key][1])
        part = SweepSize(points, stage.seeds, arm.weeks, people, kept, 1, "lhs")
        parts[key, None] = part
        if arm.moves:
            moves = 2 * len(plan.factors) * points
            parts[key, arm.moves] = SweepSize(moves, stage.seeds, arm.weeks, people, 0, 1, "lhs")
    return parts


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
    values, moved_by = {}, {}
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
    ok = stage_verdict(stage, passed=passed, targets=values)
    return StageScore(number, passed, len(patterns), values, ok, moved_by), rows


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
    "calibration_size",
    "run_stage",
    "stage_arms",
    "stage_size",
]
