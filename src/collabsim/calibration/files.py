"""The calibration file: a calibration written down in TOML, run by ``collabsim calibrate``.

::

    [calibration]
    name = "iocn_rates"          # results/calibration/<name>/ (default: the file's name)
    points = 256                 # Latin hypercube points
    seed = 0                     # master seed of the design and of the replicate seeds

    [factors]                    # uncertain non-lever rates and their ranges
    commitment_decay = {low = 0.001, high = 0.02}
    meeting_energy = {}          # an empty table: the declared range

    [[stage]]                    # stages filter in turn: a point goes on only if it passes
    name = "targets"
    seeds = 16                   # seeds per arm, the same at every point
    patterns = ["fluid_attendance", "small_tests_energise"]
    alpha = 0.05                 # significance of these patterns' tests here
    min_passed = 1.0             # share of the stage's patterns a point must pass
    [[stage.target]]             # quantitative targets, besides patterns
    arm = {scenario = "iocn"}    # scenario, params (a table), steps
    output = "sustained"         # a summary output; its mean over the stage's seeds
    low = 0.3
    high = 0.7
    [[stage.target]]             # a gap: the mean in arm minus the mean in versus
    arm = {scenario = "iocn", params = {n_people = 150}}
    versus = {scenario = "iocn", params = {n_people = 1000}}
    output = "sustained"
    low = -0.25
    high = 0.25
    [[stage.target]]             # steepness: the largest shift of the mean in arm when
    arm = {scenario = "iocn"}    # any one rate moves by 20% of its value either way
    output = "sustained"
    perturb = 0.2
    low = 0
    high = 0.3
    # its three steepest moves on the stage's seeds, measured again on 120 seeds of their own
    recheck = {moves = 3, seeds = 120, seed = 5}

    [[stage]]
    name = "patterns"
    seeds = 16
    patterns = "all"             # every expressible pattern of the catalogue
    min_passed = 0.9

    [[stage]]                    # the same again on seeds no earlier stage saw
    name = "confirm"
    seeds = 40
    seed = 2                     # master seed of this stage's seeds (default: the plan's)
    patterns = "all"
    min_passed = 0.9

Everything is checked when the file is read, before anything is written; a mistake is
refused in one line naming the file, the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from collabsim.calibration.errors import CalibrationError
from collabsim.calibration.plan import CalibrationPlan, Stage
from collabsim.calibration.targets import Recheck, Target
from collabsim.checks import path_option
from collabsim.params import ParameterError
from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.tomlfile import check_keys, check_tables, read_toml, scenario_beside
from collabsim.validation.spec import Arm, ValidationError

#: Tables of a calibration file.
TABLES: tuple[str, ...] = ("calibration", "factors", "stage")

#: Keys of the ``[calibration]`` table.
CALIBRATION_KEYS: tuple[str, ...] = ("name", "points", "seed")

#: Keys of a ``[[stage]]`` table.
STAGE_KEYS: tuple[str, ...] = (
    "name",
    "seeds",
    "patterns",
    "alpha",
    "min_passed",
    "target",
    "seed",
)

#: Keys of a ``[[stage.target]]`` table.
TARGET_KEYS: tuple[str, ...] = (
    "name",
    "arm",
    "output",
    "low",
    "high",
    "versus",
    "perturb",
    "recheck",
)

#: Keys of a target's ``recheck`` table (``collabsim.calibration.targets.Recheck``).
RECHECK_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Recheck))

#: Keys of a target's ``arm`` (and ``versus``) table.
ARM_KEYS: tuple[str, ...] = ("scenario", "params", "steps")


def read_plan(path: str | Path) -> CalibrationPlan:
    """Read and check a calibration file.

    Args:
        path: The TOML calibration file.

    Returns:
        The plan, checked; ``source`` is the file's path.

    Raises:
        CalibrationError: ``path`` is not a path, or the file is missing, unreadable,
            not TOML, or holds anything not allowed (the message names the file and
            the field).
    """
    path = path_option(
        "path", path, expected="the path of a calibration file", error=CalibrationError
    )
    data = read_toml(path, "calibration file", CalibrationError)

    def fail(message: str) -> CalibrationError:
        return CalibrationError(f"{path}: {' '.join(str(message).split())}")

    check_tables(data, TABLES, fail, arrays=("stage",))
    head = data.get("calibration", {})
    if not isinstance(head, dict):
        raise fail("calibration must be a table ([calibration]) with name, points and seed")
    check_keys(head, CALIBRATION_KEYS, "[calibration]", fail)
    factors = data.get("factors")
    if not isinstance(factors, dict) or not factors:
        raise fail(
            "[factors]: no factors: name each uncertain rate with its range, e.g. "
            "commitment_decay = {low = 0.001, high = 0.02}"
        )
    for name, spec in factors.items():
        if not isinstance(spec, dict):
            raise fail(
                f"[factors] {name} = {spec!r} is not allowed: expected a range "
                "{low = ..., high = ...} ({} for the declared range)"
            )
    tables = data.get("stage")
    if isinstance(tables, dict):  # [stage], one table, where each stage is one of [[stage]]
        raise fail(
            "[stage] is written with single brackets: write each stage as [[stage]], an "
            "array of tables, so that a calibration may have several"
        )
    if not isinstance(tables, list) or not tables:
        raise fail(
            "no [[stage]] table: a calibration needs at least one stage of patterns or targets"
        )
    try:
        stages = [_stage(table, i, path, fail) for i, table in enumerate(tables, 1)]
        return CalibrationPlan(
            head.get("name", path.stem),
            factors=factors,
            stages=stages,
            points=head.get("points", 256),
            seed=head.get("seed", 0),
            source=str(path),
        )
    except (CalibrationError, ParameterError, ValidationError) as error:
        if str(error).startswith(f"{path}: "):
            raise
        where = "" if str(error).startswith(("factors", "stage")) else "[calibration] "
        raise fail(where + str(error)) from None


def _stage(table: Any, index: int, path: Path, fail) -> Stage:
    if not isinstance(table, dict):
        raise fail(f"[[stage]] {index} must be a table")
    check_keys(table, STAGE_KEYS, f"[[stage]] {index}", fail)
    if "name" not in table:
        raise fail(f"[[stage]] {index} has no name: give each stage a snake_case name")
    name = table["name"]
    if "seeds" not in table:
        raise fail(f"stage {name}: no seeds: give the seeds per arm, e.g. seeds = 16")
    targets = table.get("target", [])
    if not isinstance(targets, list):
        raise fail(f"stage {name}: target must be an array of tables ([[stage.target]])")
    made = []
    for number, spec in enumerate(targets, 1):
        where = f"stage {name}: target {number}"
        try:
            made.append(_target(spec, where, path, fail))
        except (CalibrationError, ParameterError, ValidationError) as error:
            if str(error).startswith(f"{path}: "):
                raise
            raise fail(f"{where}: {error}") from None
    options = {k: table[k] for k in ("patterns", "alpha", "min_passed", "seed") if k in table}
    return Stage(name, seeds=table["seeds"], targets=made, **options)


def _target(spec: Any, where: str, path: Path, fail) -> Target:
    if not isinstance(spec, dict):
        raise fail(f"{where} must be a table")
    check_keys(spec, TARGET_KEYS, where, fail)
    for key in ("arm", "output", "low", "high"):
        if key not in spec:
            raise fail(f"{where}: no {key}: a target needs arm, output, low and high")
    arms = {
        which: _arm(spec[which], f"{where}: {which}", path, fail)
        for which in ("arm", "versus")
        if which in spec
    }
    return Target(
        arms["arm"],
        spec["output"],
        spec["low"],
        spec["high"],
        name=spec.get("name", ""),
        versus=arms.get("versus"),
        perturb=spec.get("perturb"),
        recheck=_recheck(spec["recheck"], f"{where}: recheck", fail) if "recheck" in spec else None,
    )


def _recheck(spec: Any, where: str, fail) -> Recheck:
    if not isinstance(spec, dict):
        raise fail(
            f"{where} = {spec!r} is not allowed: expected a table such as "
            "{moves = 3, seeds = 120, seed = 5}"
        )
    check_keys(spec, RECHECK_KEYS, where, fail)
    missing = [key for key in RECHECK_KEYS if key not in spec]
    if missing:
        raise fail(f"{where}: no {', '.join(missing)}: a recheck needs {', '.join(RECHECK_KEYS)}")
    return Recheck(**spec)


def _arm(arm: Any, where: str, path: Path, fail) -> Arm:
    if not isinstance(arm, dict):
        raise fail(
            f"{where} = {arm!r} is not allowed: expected a table such as "
            '{scenario = "iocn", steps = 260}'
        )
    check_keys(arm, ARM_KEYS, where, fail)
    scenario = scenario_beside(arm.get("scenario", DEFAULT_SCENARIO), path)
    params = arm.get("params", {})
    if not isinstance(params, Mapping):
        raise fail(f"{where}: params must be a table of parameter values")
    try:
        return Arm(scenario, params, steps=arm.get("steps"))
    except (ParameterError, ValidationError) as error:
        raise fail(f"{where}: {error}") from None


__all__ = ["read_plan"]
