"""How many runs a calibration takes: each stage at the points that reach it, and in all.

A stage runs every distinct arm of its patterns and targets on its seeds at each point;
the arm of a ``perturb`` target runs again with each rate moved down and up, and, with a
``recheck``, the arm and its steepest moves run once more on the recheck's own seeds. A
calibration is sized before anything is written, so that a design too large for the
machine is refused at once (``collabsim.sweeps.plan.check_size``).
"""

from __future__ import annotations

from collabsim.calibration.plan import CalibrationPlan
from collabsim.calibration.stages import arm_reads, stage_arms
from collabsim.sweeps.plan import typical_size
from collabsim.sweeps.size import StudySize, SweepSize
from collabsim.validation import runner


def stage_size(plan: CalibrationPlan, index: int, points: int | None = None) -> StudySize:
    """The runs of stage ``index`` at ``points`` points (all the plan's if None).

    Each distinct arm of the stage runs the stage's seeds at every point, keeping what
    every stage reads from it (``arm_reads``); the arm of a ``perturb`` target runs again
    with each rate moved down and up (at most: a move its range or rounding undoes is not
    run), and, with a ``recheck``, with its steepest moves on the recheck's seeds.
    """
    stage = plan.stages[index]
    points = plan.points if points is None else points
    parts = _stage_parts(plan, index, points)
    settings = {s: part.points // points for s, part in parts.items() if not _again(s[1])}
    arms = sum(settings.values())
    moved = sum(count for (_, share), count in settings.items() if share)
    which = f" ({moved:,} of them a rate moved)" if moved else ""
    again = sum(part.runs for (_, mark), part in parts.items() if _again(mark))
    rechecked = f", and {again:,} runs of the steepest moves measured again" if again else ""
    return StudySize(
        tuple(parts.values()),
        f"{points:,} point{'s' if points != 1 else ''} x {arms:,} "
        f"arm{'s' if arms != 1 else ''}{which} x {stage.seeds:,} seeds in stage {stage.name}"
        f"{rechecked}",
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
            if _again(setting[1]):  # its own seeds, and settings no other stage runs
                parts.append(part)
                continue
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

#: What marks a stage's runs of steepest moves measured again (``_stage_parts``), before
#: the recheck's master seed and seeds.
RECHECK = "recheck"

#: What else marks a setting of a stage's arm: None for the arm itself, the share its rates
#: move, or (``RECHECK``, master seed, seeds).
Mark = float | tuple[str, int, int] | None


def _again(mark: Mark) -> bool:
    """Whether a setting's mark is that of steepest moves measured again."""
    return isinstance(mark, tuple) and mark[0] == RECHECK


def _stage_parts(
    plan: CalibrationPlan, index: int, points: int
) -> dict[tuple[str, Mark], SweepSize]:
    """A stage's runs at ``points`` points, by arm key and what else marks the setting.

    The mark is None for the arm itself, the share its rates move, or ``RECHECK`` with the
    recheck's master seed and seeds (``Mark``). An arm
    keeps every reporter any stage reads from it; its settings with a rate moved keep only
    their target's output, as do the arm and its steepest moves measured again (at most:
    every point measured again).
    """
    stage = plan.stages[index]
    reads = arm_reads(plan.stages)
    parts: dict[tuple[str, Mark], SweepSize] = {}
    for arm in stage_arms(stage):
        key = runner.arm_key(arm.params.to_dict(), arm.weeks)
        people = typical_size(plan.factors, arm.params)
        kept = len(reads[key][1])
        part = SweepSize(points, stage.seeds, arm.weeks, people, kept, 1, "lhs")
        parts[key, None] = part
        if arm.moves:
            moves = 2 * len(plan.factors) * points
            parts[key, arm.moves] = SweepSize(moves, stage.seeds, arm.weeks, people, 0, 1, "lhs")
        if arm.recheck:
            settings = (1 + min(arm.recheck.moves, 2 * len(plan.factors))) * points
            parts[key, (RECHECK, arm.recheck.seed, arm.recheck.seeds)] = SweepSize(
                settings, arm.recheck.seeds, arm.weeks, people, 0, 1, "lhs"
            )
    return parts


__all__ = ["calibration_size", "stage_size"]
