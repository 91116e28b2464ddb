"""A calibration's quantitative targets: a mean, a gap between two settings, a steepness.

The rules are checked on planted values; then a tiny real calibration (2 rates, 3 points,
short Beston runs, 4 seeds) is checked against runs made here with ``collabsim.run``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil

import pandas as pd
import pytest

import collabsim
from collabsim.calibration import CalibrationError, CalibrationPlan, Stage, Target, calibrate
from collabsim.calibration.scoring import stage_verdict, steepest, target_value
from collabsim.calibration.sizes import calibration_size, stage_size
from collabsim.calibration.targets import Recheck, perturbed
from collabsim.sweeps.sampling import replicate_seeds
from collabsim.validation.spec import Arm

BESTON = Arm("beston", steps=20)
SHORTER = Arm("beston", steps=16)
SEEDS = 4
OUTPUT = "final_trust_cross_org"
FACTORS = {"meeting_energy": (0.05, 0.4), "commitment_decay": (0.02, 0.3)}


def test_a_target_is_a_mean_a_gap_or_a_steepness_with_a_name_to_say_which():
    assert Target(BESTON, OUTPUT, 0, 1).name == OUTPUT
    gap = Target(BESTON, OUTPUT, -1, 1, versus=SHORTER)
    assert gap.name == f"{OUTPUT}_gap" and gap.arms() == {"arm": BESTON, "versus": SHORTER}
    steep = Target(BESTON, OUTPUT, 0, 0.3, perturb=0.2)
    assert steep.name == f"{OUTPUT}_shift" and steep.columns == (steep.name, f"{steep.name}_by")
    assert "minus that in `beston`, 16 weeks" in gap.describe()
    assert "moved by 20% of its value either way" in steep.describe()


@pytest.mark.parametrize(
    "options, match",
    [
        (
            {"perturb": 0},
            "perturb=0 is not allowed: expected a number between 0 and 1 \\(exclusive\\), e.g. 0.2",
        ),
        ({"perturb": 1.5}, "perturb=1.5 is not allowed"),
        ({"perturb": True}, "perturb=True is not allowed"),
        ({"versus": "iocn"}, "versus='iocn' is not allowed: expected an Arm"),
        ({"versus": SHORTER, "perturb": 0.2}, "versus and perturb are not allowed together"),
        ({"versus": Arm("beston", steps=20)}, "versus is the same setting as arm"),
        ({"perturb": 0.2, "low": -0.1}, "low=-0.1 is not allowed with perturb"),
    ],
)
def test_a_target_that_cannot_be_read_is_refused(options, match):
    bounds = {"low": 0, "high": 1} | options
    with pytest.raises(CalibrationError, match=match):
        Target(BESTON, OUTPUT, **bounds)


def test_a_steepness_target_keeps_a_column_of_its_own():
    steep = Target(BESTON, OUTPUT, 0, 1, name="edge", perturb=0.2)
    with pytest.raises(CalibrationError, match="two targets would both have a column 'edge_by'"):
        Stage("s", seeds=2, targets=[steep, Target(BESTON, OUTPUT, 0, 1, name="edge_by")])


def test_a_versus_setting_may_not_fix_a_calibrated_rate():
    fixed = Arm("beston", {"meeting_energy": 0.1}, steps=16)
    stage = Stage("s", seeds=2, targets=[Target(BESTON, OUTPUT, -1, 1, versus=fixed)])
    with pytest.raises(CalibrationError, match=f"target {OUTPUT}_gap, versus sets meeting_energy"):
        CalibrationPlan("x", factors=FACTORS, stages=[stage])


def test_each_rate_moves_alone_within_its_declared_range():
    moved = perturbed({"meeting_energy": 0.2, "commitment_decay": 0.1}, 0.2)
    assert list(moved) == [
        "meeting_energy x0.8",
        "meeting_energy x1.2",
        "commitment_decay x0.8",
        "commitment_decay x1.2",
    ]
    assert moved["meeting_energy x1.2"] == {"meeting_energy": 0.2 * 1.2, "commitment_decay": 0.1}
    assert moved["commitment_decay x0.8"] == {"meeting_energy": 0.2, "commitment_decay": 0.1 * 0.8}
    top = collabsim.PARAMETERS["tops_commitment_floor"].high  # at the top: only down
    assert list(perturbed({"tops_commitment_floor": top}, 0.2)) == ["tops_commitment_floor x0.8"]
    assert perturbed({"progress_update": 0.0}, 0.2) == {}  # a share of nothing moves nothing
    # a whole number is rounded, and a move the rounding undoes is left out
    assert perturbed({"table_size": 3}, 0.2) == {
        "table_size x0.8": {"table_size": 2},
        "table_size x1.2": {"table_size": 4},
    }
    assert perturbed({"table_size": 2}, 0.2) == {}  # 1.6 is below its range, 2.4 rounds to 2


def test_a_targets_value_from_its_settings_means():
    mean, gap = Target(BESTON, OUTPUT, 0, 1), Target(BESTON, OUTPUT, -1, 1, versus=SHORTER)
    steep = Target(BESTON, OUTPUT, 0, 1, perturb=0.2)
    assert target_value(mean, {"arm": 0.4}) == (0.4, "")
    assert target_value(gap, {"arm": 0.4, "versus": 0.7}) == pytest.approx((-0.3, ""))
    moves = {"arm": 0.5, "a x0.8": 0.375, "a x1.2": 0.25, "b x0.8": 0.75}  # exact in binary
    assert target_value(steep, moves) == (0.25, "a x1.2")  # the first of equal shifts
    assert target_value(steep, {"arm": 0.5}) == (0.0, "")  # no rate could move
    assert math.isnan(target_value(steep, {**moves, "b x1.2": math.nan})[0])
    assert math.isnan(target_value(gap, {"arm": 0.4, "versus": math.nan})[0])


@pytest.mark.parametrize("seeds", [20, 40, 60, 100])  # 0.3 and 0.25 of them: whole runs
def test_a_bound_met_exactly_by_counts_of_runs_is_met(seeds):
    """Shares of runs are not exact in binary; their differences must still meet a bound
    they reach exactly, and equal shifts must tie (the first move named)."""
    steep = Target(BESTON, OUTPUT, 0, 0.3, perturb=0.2)
    gap = Target(BESTON, OUTPUT, -0.25, 0.25, versus=SHORTER)
    stage = Stage("s", seeds=seeds, targets=[steep, gap])
    third, quarter = round(0.3 * seeds), round(0.25 * seeds)
    for sustained in range(seeds - third + 1):
        arm = sustained / seeds
        means = {"arm": arm, "a x0.8": (sustained + third) / seeds}
        value, by = target_value(steep, means | {"a x1.2": arm, "b x0.8": arm})
        assert value == 0.3 and by == "a x0.8"
        if sustained:  # one run fewer with a up, one more with b down: a tie, a named first
            tied = {
                "arm": arm,
                "a x1.2": (sustained - 1) / seeds,
                "b x0.8": (sustained + 1) / seeds,
            }
            assert target_value(steep, tied)[1] == "a x1.2"
        for other in (sustained - quarter, sustained + quarter):
            if 0 <= other <= seeds:
                found = target_value(gap, {"arm": arm, "versus": other / seeds})[0]
                values = {steep.name: value, gap.name: found}
                assert stage_verdict(stage, passed=0, targets=values)


def test_a_steepness_stage_is_sized_with_every_move_of_every_rate():
    stage = Stage(
        "steady",
        seeds=SEEDS,
        targets=[
            Target(BESTON, OUTPUT, 0, 1, name="level"),
            Target(BESTON, OUTPUT, 0, 1, perturb=0.2),  # the same arm: run once
            Target(BESTON, OUTPUT, -1, 1, versus=SHORTER),
        ],
    )
    plan = CalibrationPlan("x", factors=FACTORS, stages=[stage], points=3)
    size = stage_size(plan, 0)
    assert size.runs == 3 * SEEDS * (1 + 2 * len(FACTORS) + 1)
    assert f"3 points x {2 + 2 * len(FACTORS)} arms ({2 * len(FACTORS)} of them a rate" in (
        size.describe()
    )


@pytest.mark.parametrize("later_seeds", [SEEDS, 2 * SEEDS])
def test_a_later_steepness_stage_reruns_its_arm_only_for_more_seeds(later_seeds):
    plain = Stage("plain", seeds=SEEDS, targets=[Target(BESTON, OUTPUT, 0, 1)])
    steep = Stage("steep", seeds=later_seeds, targets=[Target(BESTON, OUTPUT, 0, 1, perturb=0.1)])
    moved = Stage("moved", seeds=SEEDS, targets=[Target(BESTON, OUTPUT, 0, 1, perturb=0.2)])
    plan = CalibrationPlan("x", factors=FACTORS, stages=[plain, steep, moved], points=3)
    moves = 3 * 2 * len(FACTORS)
    first = 3 * SEEDS  # the plain arm; the second stage reruns it only for more seeds
    again = 3 * later_seeds if later_seeds > SEEDS else 0
    # each share moves the rates to settings of its own; the second share's at fewer seeds
    # than the first's would still be new runs
    expected = first + again + moves * later_seeds + moves * SEEDS
    assert calibration_size(plan).runs == expected


STEADY = CalibrationPlan(
    "steady",
    factors=FACTORS,
    points=3,
    seed=0,
    stages=[
        Stage(
            "steady",
            seeds=SEEDS,
            targets=[
                # a gap no point can reach (trust lies within [0, 1]): none is accepted
                Target(BESTON, OUTPUT, 1.5, 2, name="gap", versus=SHORTER),
                Target(BESTON, OUTPUT, 0, 0.02, name="edge", perturb=0.2),
            ],
        )
    ],
)


@pytest.fixture(scope="module")
def steady(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibration") / "steady"
    return out, calibrate(STEADY, out=out, backend="serial")


def mean_of(values: dict, arm: Arm, seeds: list[int]) -> float:
    """The output's mean over ``seeds``, each run made here on its own."""
    params = collabsim.scenario(arm.scenario, **values)
    return sum(collabsim.run(params, seed=s, steps=arm.weeks).summary[OUTPUT] for s in seeds) / len(
        seeds
    )


def test_gap_and_steepness_are_those_of_runs_made_alone(steady):
    out, result = steady
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    seeds = meta["replicate_seeds"][:SEEDS]
    assert meta["runs"]["steady"]["computed"] == 3 * SEEDS * (1 + 1 + 2 * len(FACTORS))
    points = pd.read_csv(out / "points.csv")
    assert "steady_edge_by" in points.columns
    for number in range(STEADY.points):
        values = STEADY.point(number)
        row = points.set_index("point").loc[number]
        base = mean_of(values, BESTON, seeds)
        assert row["steady_gap"] == pytest.approx(base - mean_of(values, SHORTER, seeds), abs=1e-12)
        shifts = {
            label: abs(mean_of(moved, BESTON, seeds) - base)
            for label, moved in perturbed(values, 0.2).items()
        }
        assert len(shifts) == 2 * len(FACTORS)
        by = max(shifts, key=shifts.__getitem__)
        assert row["steady_edge"] == pytest.approx(shifts[by], abs=1e-12) and shifts[by] > 0
        assert row["steady_edge_by"] == by
        assert not row["steady_ok"] and not row["accepted"]
    report = (out / "calibration.md").read_text(encoding="utf-8")
    assert "when any one calibrated rate is moved by 20% of its value either way" in report
    assert "**steady** (4 seeds per arm, the same at every point): the mean" in report
    # a stage of targets alone: no count of patterns, and the move beside the steepness
    assert "| point | `gap` | `edge` | passed the stage |" in report
    assert f"({points['steady_edge_by'].iloc[0]}) |" in report


def test_the_closest_points_are_those_of_the_furthest_stage_reached(steady):
    out, result = steady
    assert pd.read_csv(out / "closest.csv")["point"].tolist() == [0, 1, 2]  # all failed it
    # planted verdicts: of the points that reached the furthest stage, those that passed
    # it first, then most of its patterns, then by point
    plan = CalibrationPlan(
        "x",
        factors=FACTORS,
        stages=[Stage("a", seeds=2, patterns=["fluid_attendance"]), *STEADY.stages],
        points=5,
    )
    points = plan.design.assign(point=range(5))
    points["a_ok"] = pd.array([True, True, False, True, True], dtype="boolean")
    points["a_passed"] = [1, 1, 0, 1, 1]
    points["steady_ok"] = pd.array([False, True, None, False, True], dtype="boolean")
    points["steady_passed"] = [0, 1, 0, 2, 3]
    found = dataclasses.replace(result, plan=plan, points=points).closest
    assert found["point"].tolist() == [4, 1, 3, 0]
    assert found.columns.tolist() == ["point", *FACTORS]
    # the last stage reached by none: the furthest reached is the first, every point
    points["steady_ok"] = pd.array([None] * 5, dtype="boolean")
    found = dataclasses.replace(result, plan=plan, points=points).closest
    assert found["point"].tolist() == [0, 1, 3, 4, 2]


def test_a_steepness_calibration_resumes_without_running_again(steady, tmp_path):
    out, _ = steady
    copy = tmp_path / "again"
    shutil.copytree(out, copy)
    calibrate(STEADY, out=copy, backend="serial")
    assert (
        json.loads((copy / "meta.json").read_text(encoding="utf-8"))["runs"]["steady"]["computed"]
        == 0
    )
    assert (copy / "points.csv").read_bytes() == (out / "points.csv").read_bytes()


def test_a_last_stage_of_targets_alone_leaves_the_ranking_to_the_patterns_before_it():
    patterns = Stage("patterns", seeds=2, patterns=["fluid_attendance"])
    plan = CalibrationPlan("x", factors=FACTORS, stages=[patterns, *STEADY.stages])
    assert plan.ranking_stage is plan.stages[0]  # not steady, where every point passes 0
    assert STEADY.ranking_stage is STEADY.stages[0]  # none checks patterns: the last


RECHECK = Recheck(moves=2, seeds=6, seed=5)
#: STEADY's design with its steepness alone, measured again
RECHECKED = dataclasses.replace(
    STEADY,
    name="rechecked",
    stages=[
        dataclasses.replace(
            STEADY.stages[0],
            targets=[Target(BESTON, OUTPUT, 0, 0.02, name="edge", perturb=0.2, recheck=RECHECK)],
        )
    ],
)


def test_a_recheck_is_refused_where_it_cannot_be_read():
    with pytest.raises(CalibrationError, match="recheck is not allowed without perturb"):
        Target(BESTON, OUTPUT, 0, 1, recheck=RECHECK)
    with pytest.raises(CalibrationError, match="recheck=3 is not allowed: expected a Recheck"):
        Target(BESTON, OUTPUT, 0, 1, perturb=0.2, recheck=3)
    for options, match in (
        ({"moves": 0}, "recheck: moves=0 is not allowed"),
        ({"seeds": 1}, "recheck: seeds=1 is not allowed"),
        ({"seed": -1}, "recheck: seed=-1 is not allowed"),
        ({"moves": True}, "recheck: moves=True is not allowed"),
    ):
        with pytest.raises(CalibrationError, match=match):
            dataclasses.replace(RECHECK, **options)


def test_the_steepest_moves_are_named_largest_first_the_first_of_equal_ones_first():
    moves = {"arm": 0.5, "a x0.8": 0.375, "a x1.2": 0.25, "b x0.8": 0.75, "b x1.2": 0.5}
    assert steepest(moves, 2) == ["a x1.2", "b x0.8"]
    assert steepest(moves, 9) == ["a x1.2", "b x0.8", "a x0.8", "b x1.2"]
    assert steepest({**moves, "b x1.2": math.nan}, 1) == ["b x1.2"]  # cannot be shown small


def test_a_stage_with_a_recheck_is_sized_with_its_second_measurement():
    size = stage_size(RECHECKED, 0)
    moves = 2 * len(FACTORS)
    again = 3 * (1 + RECHECK.moves) * RECHECK.seeds
    assert size.runs == 3 * SEEDS * (1 + moves) + again
    assert f"and {again:,} runs of the steepest moves measured again" in size.describe()
    assert calibration_size(RECHECKED).runs == size.runs


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibration") / "rechecked"
    return out, calibrate(RECHECKED, out=out, backend="serial")


def shifts_alone(values: dict, seeds: list[int], moves) -> dict[str, float]:
    """Each named move's shift of the output's mean over ``seeds``, from runs made alone."""
    settings = perturbed(values, 0.2)
    base = mean_of(values, BESTON, seeds)
    return {m: abs(mean_of(settings[m], BESTON, seeds) - base) for m in moves}


def test_a_recheck_measures_the_steepest_moves_again_on_seeds_of_their_own(rechecked):
    out, _ = rechecked
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    stage_seeds = meta["replicate_seeds"][:SEEDS]
    own_seeds = replicate_seeds(RECHECK.seed, RECHECK.seeds)
    assert not set(own_seeds) & set(stage_seeds)
    moves = 2 * len(FACTORS)
    assert meta["runs"]["steady"]["computed"] == 3 * (
        SEEDS * (1 + moves) + RECHECK.seeds * (1 + RECHECK.moves)
    )
    points = pd.read_csv(out / "points.csv").set_index("point")
    for number in range(RECHECKED.points):
        values = RECHECKED.point(number)
        first = shifts_alone(values, stage_seeds, perturbed(values, 0.2))
        chosen = sorted(first, key=first.__getitem__, reverse=True)[: RECHECK.moves]
        again = shifts_alone(values, own_seeds, chosen)
        by = max(again, key=again.__getitem__)
        row = points.loc[number]
        assert row["steady_edge_screen"] == pytest.approx(max(first.values()), abs=1e-12)
        assert row["steady_edge"] == pytest.approx(again[by], abs=1e-12)
        assert row["steady_edge_by"] == by
        assert bool(row["steady_ok"]) == (again[by] <= 0.02)
    report = (out / "calibration.md").read_text(encoding="utf-8")
    assert "the 2 moves that shifted it most on the stage's seeds, measured again on 6" in report


def test_a_point_that_fails_the_rest_of_its_stage_is_not_measured_again(tmp_path):
    never = Target(BESTON, OUTPUT, 1.5, 2, name="gap", versus=SHORTER)  # trust is in [0, 1]
    stage = dataclasses.replace(RECHECKED.stages[0], targets=[never, *RECHECKED.stages[0].targets])
    plan = dataclasses.replace(RECHECKED, name="failing", stages=[stage])
    calibrate(plan, out=tmp_path, backend="serial")
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    assert meta["runs"]["steady"]["needed"] == 3 * SEEDS * (2 + 2 * len(FACTORS))
    points = pd.read_csv(tmp_path / "points.csv")
    assert points["steady_edge"].isna().all() and points["steady_edge_screen"].gt(0).all()
    assert not points["steady_ok"].any()


def test_a_restarted_recheck_keeps_the_runs_it_made_for_the_next_rerun(rechecked, tmp_path):
    out, _ = rechecked
    copy = tmp_path / "restarted"
    shutil.copytree(out, copy)
    calibrate(RECHECKED, out=copy, backend="serial", restart=True)
    first = json.loads((copy / "meta.json").read_text(encoding="utf-8"))["runs"]["steady"]
    assert first["computed"] == first["needed"]  # all anew
    calibrate(RECHECKED, out=copy, backend="serial")
    again = json.loads((copy / "meta.json").read_text(encoding="utf-8"))["runs"]["steady"]
    assert (again["reused"], again["computed"]) == (again["needed"], 0)
    assert (copy / "points.csv").read_bytes() == (out / "points.csv").read_bytes()


def test_two_rechecks_of_one_arm_on_their_own_numbers_of_seeds_each_read_their_own(
    rechecked, tmp_path
):
    out, _ = rechecked
    (edge,) = RECHECKED.stages[0].targets
    more = dataclasses.replace(
        edge, name="edge_more", recheck=dataclasses.replace(RECHECK, seeds=9)
    )
    stage = dataclasses.replace(RECHECKED.stages[0], targets=[edge, more])
    plan = dataclasses.replace(RECHECKED, name="two", stages=[stage])
    calibrate(plan, out=tmp_path, backend="serial")
    points = pd.read_csv(tmp_path / "points.csv")
    alone = pd.read_csv(out / "points.csv")
    assert points["steady_edge"].tolist() == alone["steady_edge"].tolist()  # 6 seeds, as alone
    seeds = replicate_seeds(RECHECK.seed, 9)
    for number, row in points.set_index("point").iterrows():
        values = RECHECKED.point(number)
        again = shifts_alone(values, seeds, [row["steady_edge_more_by"]])
        assert row["steady_edge_more"] == pytest.approx(max(again.values()), abs=1e-12)
    later = dataclasses.replace(stage, name="later")
    size = calibration_size(dataclasses.replace(plan, stages=[RECHECKED.stages[0], later]))
    moves = 2 * len(FACTORS)
    # the second stage's settings were run by the first; each recheck runs its own
    assert size.runs == 3 * SEEDS * (1 + moves) + 3 * (1 + RECHECK.moves) * (6 + 6 + 9)
