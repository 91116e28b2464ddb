"""What the studies take as input: NumPy numbers, paths and progress functions.

Calibration, validation, robustness and a sweep's results each take numbers, paths and
callbacks from Python code; a NumPy number counts as the Python one, as everywhere else
in the package, and anything that cannot be used is refused up front in one line naming
the option, in the study's own error type.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import collabsim
from collabsim import validation
from collabsim.calibration import (
    CalibrationError,
    CalibrationPlan,
    Stage,
    Target,
    calibrate,
    read_plan,
)
from collabsim.checks import function_or_none
from collabsim.robustness import RobustnessError, make_plan, read_robustness_file, robustness
from collabsim.sweeps.design import SweepError
from collabsim.validation import ValidationError, check_flags
from collabsim.validation.spec import Arm, Pattern

PATTERN = "trust_takes_time"
LEVERS = {"cede_willingness": {"low": 0.2, "high": 0.8}}


class Folder:
    """A path-like object that is not a ``pathlib.Path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __fspath__(self) -> str:
        return str(self.path)


def small_plan(**changes) -> CalibrationPlan:
    options = {
        "factors": {"commitment_decay": None},
        "stages": [Stage("first", seeds=2, patterns=[PATTERN])],
        "points": 2,
    }
    return CalibrationPlan("small", **{**options, **changes})


def plain(value) -> bool:
    """Whether ``value`` is a plain Python number, as the JSON records need."""
    return type(value) in (int, float)


def test_numpy_numbers_count_as_python_ones_in_a_calibration_plan():
    stage = Stage(
        "first",
        seeds=np.int64(4),
        patterns=[PATTERN],
        alpha=np.float32(0.25),
        min_passed=np.int64(1),
    )
    assert (stage.seeds, stage.alpha, stage.min_passed) == (4, 0.25, 1.0)
    target = Target(Arm("beston"), "sustained", low=np.int64(0), high=np.float32(0.5))
    assert (target.low, target.high) == (0.0, 0.5)
    plan = small_plan(stages=[stage], points=np.int64(3), seed=np.uint8(7))
    assert (plan.points, plan.seed) == (3, 7)
    for value in (stage.seeds, stage.alpha, stage.min_passed, target.low, plan.points, plan.seed):
        assert plain(value)
    json.dumps(plan.describe())  # meta.json records the plan as given
    assert len(plan.design) == 3


def test_numpy_numbers_count_as_python_ones_in_arms_and_patterns():
    arm = Arm("beston", steps=np.int64(10))
    assert arm.steps == 10 and plain(arm.steps) and arm.weeks == 10
    declared = validation.PATTERNS[PATTERN]
    fields = {
        name: getattr(declared, name)
        for name in ("claim", "quote", "source", "operationalisation", "arms", "test")
    }
    pattern = Pattern("renamed", **fields, seeds=np.int32(12))
    assert pattern.seeds == 12 and plain(pattern.seeds)
    assert check_flags(quick=np.bool_(True), seed=np.int64(5)) == (True, 5)


def test_numpy_numbers_count_as_python_ones_in_a_robustness_study(tmp_path):
    accepted = tmp_path / "accepted.csv"
    accepted.write_text("point,commitment_decay\n1,0.01\n2,0.02\n3,0.03\n", encoding="utf-8")
    plan = make_plan(
        levers=LEVERS,
        seeds=np.int64(5),
        seed=np.int16(1),
        steps=np.int64(10),
        sizes=[np.int64(30)],
        accepted=accepted,
        max_accepted=np.int64(2),
    )
    assert (plan.seeds, plan.seed, plan.steps) == (5, 1, 10)
    assert all(plain(v) for v in (plan.seeds, plan.seed, plan.steps))
    assert [c.label for c in plan.contexts] == [
        "defaults",
        "accepted point 1",
        "accepted point 2",
        "n_people=30",
    ]
    json.dumps(plan.describe())


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: Stage("s", seeds=np.int64(1), patterns=[PATTERN]), CalibrationError, "seeds=1 "),
        (lambda: small_plan(points=np.int64(0)), CalibrationError, "points=0 "),
        (lambda: Arm("beston", steps=np.int64(0)), ValidationError, "steps=0 "),
        (lambda: make_plan(levers=LEVERS, seeds=np.int64(1)), RobustnessError, "seeds: 1 "),
    ],
)
def test_a_numpy_number_out_of_range_is_refused_as_the_python_one(make, error, match):
    with pytest.raises(error, match=match):
        make()


def two_arguments(done, total):
    return None


class ThreeArguments:
    def __call__(self, stage, done, total):
        return None


@pytest.mark.parametrize("progress", [two_arguments, lambda stage: None, 3, "bar"])
def test_calibrate_refuses_a_progress_it_cannot_call_with_stage_done_total(tmp_path, progress):
    out = tmp_path / "cal"
    with pytest.raises(CalibrationError) as refused:
        calibrate(small_plan(), out=out, backend="serial", progress=progress)
    message = str(refused.value)
    assert message == (
        f"progress={progress!r} is not allowed: expected a function called as "
        "progress(stage, done, total)"
    )
    assert "\n" not in message
    assert not out.exists()  # refused before anything is written


@pytest.mark.parametrize(
    "progress",
    [ThreeArguments(), lambda *report: None, lambda stage, done, total, extra=0: None, max],
)
def test_a_progress_that_takes_stage_done_total_is_accepted(progress):
    # max: a built-in whose signature cannot be read is given the benefit of the doubt
    arguments = ("stage", "done", "total")
    assert function_or_none("progress", progress, arguments, error=ValueError) is progress


def test_a_progress_with_a_required_keyword_is_refused():
    with pytest.raises(ValueError, match=r"progress\(stage, done, total\)$"):
        function_or_none(
            "progress",
            lambda stage, done, total, *, unit: None,
            ("stage", "done", "total"),
            error=ValueError,
        )


@pytest.mark.parametrize("bad", [3, None, b"folder", "", ["a"]])
def test_path_options_are_refused_in_one_line_naming_the_option(tmp_path, bad):
    plan = small_plan()
    study = make_plan(levers=LEVERS, seeds=2, steps=2)
    cases = [
        (lambda: calibrate(bad), CalibrationError, "file_or_plan", "a calibration file or a Cal"),
        (lambda: read_plan(bad), CalibrationError, "path", "the path of a calibration file"),
        (lambda: collabsim.load(bad), SweepError, "path", "the path of a sweep's results folder"),
        (
            lambda: validation.validate(out=bad, patterns=[PATTERN], backend="serial"),
            ValidationError,
            "out",
            "the path of an output folder",
        ),
        (lambda: robustness(bad), RobustnessError, "file_or_plan", "a study file or a Robust"),
        (lambda: read_robustness_file(bad), RobustnessError, "path", "the path of a study file"),
    ]
    if bad is not None:  # None is the default folder of these
        cases += [
            (
                lambda: calibrate(plan, out=bad, backend="serial"),
                CalibrationError,
                "out",
                "the path of an output folder, or None for 'results/calibration/small'",
            ),
            (
                lambda: robustness(study, out=bad, backend="serial"),
                RobustnessError,
                "out",
                "the path of an output folder, or None for 'results/robustness/robustness'",
            ),
            (lambda: small_plan(source=bad), CalibrationError, "source", "the path of the file"),
            (
                lambda: make_plan(levers=LEVERS, source=bad),
                RobustnessError,
                "source",
                "the path of the study file",
            ),
        ]
    for call, error, name, expected in cases:
        with pytest.raises(error) as refused:
            call()
        message = str(refused.value)
        assert message.startswith(f"{name}={bad!r} is not allowed: expected "), message
        assert expected in message and "\n" not in message


def test_path_like_objects_are_taken_as_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a collabsim sweep folder"):
        collabsim.load(Folder(tmp_path))
    with pytest.raises(CalibrationError, match="no such|not found|does not exist"):
        calibrate(Folder(tmp_path / "missing.toml"))
    assert validation.check_out(Folder(tmp_path / "new")) == tmp_path / "new"
    assert small_plan(source=Folder(tmp_path / "plan.toml")).source == str(tmp_path / "plan.toml")
