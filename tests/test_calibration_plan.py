"""The calibration file and plan, the stage's alpha, the acceptance and recommendation rules.

No model runs here: the rules are checked on synthetic scores and planted examples.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim.calibration import CalibrationError, CalibrationPlan, Stage, Target, read_plan
from collabsim.calibration.scoring import at_alpha, ranking, recommend, stage_verdict, with_alpha
from collabsim.calibration.targets import Recheck
from collabsim.sweeps.design import Factor
from collabsim.validation.catalogue import PATTERNS
from collabsim.validation.spec import (
    AllOf,
    Arm,
    Change,
    Greater,
    Pattern,
    Share,
    Sign,
    Summary,
)

if TYPE_CHECKING:  # a class named Test: pytest would try to collect it
    from collabsim.validation.stats import Test

EXAMPLE = Path(__file__).resolve().parents[1] / "experiments" / "calibration_iocn.toml"

GOOD = """\
[calibration]
name = "tiny"
points = 4
seed = 0

[factors]
commitment_decay = {low = 0.001, high = 0.02}
meeting_energy = {}

[[stage]]
name = "targets"
seeds = 4
patterns = ["small_tests_energise"]
alpha = 0.05
min_passed = 1.0
[[stage.target]]
arm = {scenario = "beston", steps = 20}
output = "final_trust_cross_org"
low = 0.0
high = 1.0
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calibration.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_calibrates_uncertain_rates_against_the_whole_table():
    plan = read_plan(EXAMPLE)
    assert plan.name == "iocn_rates" and len(plan.design) == plan.points
    for factor in plan.factors:  # uncertain rates only, within their declared ranges
        declared = collabsim.PARAMETERS[factor.name]
        assert not declared.lever
        assert declared.low <= factor.low < factor.high <= declared.high
    *early, last = plan.stages
    assert all(stage.required == len(stage.patterns) for stage in early)  # cheap, all of it
    # a fragile iocn on few seeds, then on more, steady in size and in every rate (ODD 9.4)
    targets = {(stage.name, t.name): t for stage in early for t in stage.targets}
    assert list(targets) == [
        ("fragile", "sustained"),
        ("steady", "sustained"),
        ("steady", "size_gap"),
        ("steepness", "knife_edge"),
    ]
    # the steady checks on seeds of their own, the steepest moves on others again (ODD 9.1)
    seeds = {stage.name: (stage.seeds, plan.seed_of(stage)) for stage in plan.stages}
    assert seeds["steady"] == (120, 4) and seeds["steepness"] == (40, 4)
    assert targets["steepness", "knife_edge"].recheck == Recheck(moves=3, seeds=120, seed=5)
    for target in targets.values():
        assert target.output == "sustained" and target.arm.scenario == "iocn"
    for stage in ("fragile", "steady"):
        fragile = targets[stage, "sustained"]
        assert (fragile.low, fragile.high) == (0.3, 0.7)
    gap = targets["steady", "size_gap"]
    assert (gap.arm.params, gap.versus.params) == ({"n_people": 150}, {"n_people": 1000})
    assert (gap.low, gap.high) == (-0.25, 0.25)
    edge = targets["steepness", "knife_edge"]
    assert (edge.perturb, edge.low, edge.high) == (0.2, 0.0, 0.3)
    expressible = [p for p in PATTERNS.values() if p.expressible]
    assert list(last.patterns) == expressible  # then judged as the validation judges
    assert (last.seeds, plan.seed_of(last), last.alpha) == (40, 2, 0.01)  # seeds of its own
    assert last.required == math.ceil(0.9 * len(expressible))


def test_a_good_file_reads_into_a_frozen_plan(tmp_path):
    plan = read_plan(write(tmp_path, GOOD))
    assert plan.source == str(tmp_path / "calibration.toml")
    assert [f.name for f in plan.factors] == ["commitment_decay", "meeting_energy"]
    assert (plan.factors[1].low, plan.factors[1].high) == (0.0, 0.5)  # the declared range
    assert plan.default_out == Path("results") / "calibration" / "tiny"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.points = 8
    values = plan.point(0)
    assert set(values) == {"commitment_decay", "meeting_energy"}
    assert all(type(v) is float for v in values.values())
    again = read_plan(write(tmp_path, GOOD))
    pd.testing.assert_frame_equal(plan.design, again.design)  # the design follows the seed


@pytest.mark.parametrize(
    "old, new, match",
    [
        (
            "meeting_energy = {}",
            "cede_willingness = {}",
            "factors: cede_willingness is a policy lever",
        ),
        ("meeting_energy = {}", "meeting_enrgy = {}", "did you mean meeting_energy"),
        ("high = 0.02}", "high = 0.9}", "commitment_decay: high=0.9 is outside the allowed range"),
        ("meeting_energy = {}", "meeting_energy = [0.1, 0.2]", "meeting_energy"),
        (
            "meeting_energy = {}",
            "exit_patience_weeks = {low = 1, high = 6}\nmeeting_energy = {}",
            None,
        ),  # a whole-number rate is allowed
        ("meeting_energy = {}", "organisations = {}", "organisations takes"),
        (
            '["small_tests_energise"]',
            '["small_test_energise"]',
            "did you mean small_tests_energise",
        ),
        (
            '["small_tests_energise"]',
            '["newcomers_get_up_to_speed"]',
            "newcomers_get_up_to_speed cannot be checked: the model cannot express it",
        ),
        ('["small_tests_energise"]', '"some"', "patterns='some' is not allowed"),
        ("points = 4", "points = 0", "points=0 is not allowed"),
        ("seed = 0", "seed = -1", "seed=-1 is not allowed"),
        ("seeds = 4", "seeds = 1", "stage targets: seeds=1 is not allowed"),
        ("seeds = 4", "seeds = 4\nseed = -2", "stage targets: seed=-2 is not allowed"),
        ("seeds = 4", "seeds = 4\nseed = 3", None),
        ("alpha = 0.05", "alpha = 1.5", "stage targets: alpha=1.5 is not allowed"),
        ("min_passed = 1.0", "min_passed = 2", "stage targets: min_passed=2 is not allowed"),
        ("low = 0.0\n", "low = 2.0\n", "target 1: low=2 and high=1 are not allowed"),
        ("high = 1.0", 'high = "a lot"', "target 1: high='a lot' is not allowed"),
        ("high = 1.0", "high = 1.0\nperturb = 2", "target 1: perturb=2 is not allowed"),
        (
            "high = 1.0",
            "high = 1.0\nperturb = 0.2\nrecheck = {moves = 3, seeds = 8, seed = 3}",
            None,
        ),
        (
            "high = 1.0",
            "high = 1.0\nrecheck = {moves = 3, seeds = 8, seed = 3}",
            "target 1: recheck is not allowed without perturb",
        ),
        (
            "high = 1.0",
            "high = 1.0\nperturb = 0.2\nrecheck = {moves = 3, seeds = 8}",
            "target 1: recheck: no seed: a recheck needs moves, seeds, seed",
        ),
        (
            "high = 1.0",
            "high = 1.0\nperturb = 0.2\nrecheck = {move = 3, seeds = 8, seed = 3}",
            "target 1: recheck: unknown key 'move'.*did you mean moves",
        ),
        (
            "high = 1.0",
            "high = 1.0\nperturb = 0.2\nrecheck = {moves = 0, seeds = 8, seed = 3}",
            "target 1: recheck: moves=0 is not allowed",
        ),
        (
            "high = 1.0",
            "high = 1.0\nperturb = 0.2\nrecheck = 3",
            "target 1: recheck = 3 is not allowed: expected a table",
        ),
        (
            "high = 1.0",
            "high = 1.0\nperturb = 0.2\nrecheck = {moves = 3, seeds = 8, seed = 0}",
            "stage targets: target final_trust_cross_org_shift: recheck seed=0 is the stage's "
            "own master seed",
        ),
        (
            "high = 1.0",
            'high = 1.0\nversus = {scenario = "beston", step = 16}',
            "target 1: versus: .*step",
        ),
        (
            "high = 1.0",
            'high = 1.0\nversus = {scenario = "beston", steps = 16}\nperturb = 0.2',
            "target 1: versus and perturb are not allowed together",
        ),
        ("high = 1.0", 'high = 1.0\nversus = {scenario = "beston", steps = 16}', None),
        (
            'output = "final_trust_cross_org"',
            'output = "final_trust_cross"',
            "did you mean final_trust_cross_org",
        ),
        (
            'output = "final_trust_cross_org"',
            'output = "nope"',
            "target 1: output='nope' is not a summary output; allowed: .*sustained",
        ),
        ("seeds = 4", "sedes = 4", "unknown key 'sedes'.*did you mean seeds"),
        (
            "[calibration]",
            "[calibrations]",
            "unknown table .calibrations.*did you mean calibration",
        ),
        (
            'arm = {scenario = "beston", steps = 20}',
            'arm = {scenario = "beston", steps = 20, params = {commitment_decay = 0.01}}',
            "target final_trust_cross_org, arm sets commitment_decay, a calibration factor",
        ),
        (
            "meeting_energy = {}",
            "n_people = {low = 20, high = 40}",
            "pattern small_tests_energise, arm beston runs scenario beston, which sets n_people",
        ),
        (
            'arm = {scenario = "beston", steps = 20}',
            'arm = {scenario = "beston", steps = 0}',
            "target 1: arm: steps=0 is not allowed",
        ),
        (
            'arm = {scenario = "beston", steps = 20}',
            'arm = {scenario = "beston", params = {cede_willingness = 7}}',
            "target 1: arm: scenario beston: cede_willingness=7",
        ),
    ],
)
def test_each_mistake_is_refused_in_one_line_naming_file_and_field(tmp_path, old, new, match):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    if match is None:
        read_plan(path)
        return
    with pytest.raises(CalibrationError, match=match) as caught:
        read_plan(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message


def test_a_stage_with_nothing_to_check_is_refused(tmp_path):
    text = GOOD.split("[[stage.target]]")[0].replace('patterns = ["small_tests_energise"]\n', "")
    with pytest.raises(CalibrationError, match="stage targets has nothing to check"):
        read_plan(write(tmp_path, text))


@pytest.mark.parametrize(
    "text, match",
    [
        (GOOD.split("[factors]")[0] + GOOD.split("meeting_energy = {}\n")[1], r"\[factors\]: no "),
        (GOOD.split("[[stage]]")[0], r"no \[\[stage\]\] table"),
        (GOOD.replace('name = "targets"\n', ""), r"\[\[stage\]\] 1 has no name"),
        (GOOD + GOOD[GOOD.index("[[stage]]") :], "stage targets: the name is given twice"),
        ("points = [", "not valid TOML"),
    ],
)
def test_structural_mistakes_are_refused(tmp_path, text, match):
    path = write(tmp_path, text)
    with pytest.raises(CalibrationError, match=match):
        read_plan(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CalibrationError, match="no such calibration file"):
        read_plan(tmp_path / "absent.toml")


# --- a stage's alpha ------------------------------------------------------------------------


def leaves(test: Test) -> list[Test]:
    return (
        [leaf for part in test.parts for leaf in leaves(part)]
        if isinstance(test, AllOf)
        else [test]
    )


@pytest.mark.parametrize("name", [n for n, p in PATTERNS.items() if p.expressible])
def test_with_alpha_changes_every_parts_alpha_and_nothing_else(name):
    test = PATTERNS[name].test
    before = [(leaf.alpha, repr(leaf)) for leaf in leaves(test)]
    changed = with_alpha(test, 0.2)
    assert [leaf.alpha for leaf in leaves(changed)] == [0.2] * len(before)
    for leaf, new in zip(leaves(test), leaves(changed), strict=True):
        assert type(new) is type(leaf)
        assert dataclasses.replace(new, alpha=leaf.alpha) == leaf  # only alpha differs
    assert [(leaf.alpha, repr(leaf)) for leaf in leaves(test)] == before  # original kept
    assert changed.uses() == test.uses()


def test_with_alpha_reaches_into_nested_parts():
    metric = Summary("sustained")
    nested = AllOf(Share(metric, "a"), AllOf(Greater(metric, "a", "b"), Sign(metric, "a")))
    assert [leaf.alpha for leaf in leaves(with_alpha(nested, 0.3))] == [0.3, 0.3, 0.3]


def test_a_stage_alpha_decides_what_passes():
    values = {"a": np.array([0.3, 0.1, 0.4, 0.2, -0.05, 0.5, 0.25])}  # p = 0.016
    test = Sign(Summary("quality_gain"), "a", direction="positive")
    assert 0.01 < test.evaluate(values).p_value < 0.05
    assert not test.evaluate(values).passed  # the catalogue's alpha, 0.01
    assert with_alpha(test, 0.05).evaluate(values).passed
    pattern = at_alpha(PATTERNS["small_tests_energise"], 0.05)
    assert pattern.test.alpha == 0.05 and PATTERNS["small_tests_energise"].test.alpha == 0.01


# --- the acceptance rule -------------------------------------------------------------------


def synthetic(name: str) -> Pattern:
    return Pattern(
        name,
        claim="c.",
        quote="q",
        source="s",
        operationalisation="o.",
        arms={"beston": Arm("beston", steps=8)},
        test=Sign(Change("trust_cross_org", 0, 8), "beston"),
    )


def test_the_acceptance_rule_on_synthetic_scores():
    target = Target(Arm("iocn", steps=8), "sustained", 0.3, 0.7)
    stage = Stage(
        "s",
        seeds=4,
        patterns=[synthetic(f"p{i}") for i in range(4)],
        min_passed=0.75,
        targets=[target],
    )
    assert stage.required == 3
    assert stage_verdict(stage, passed=3, targets={"sustained": 0.5})
    assert stage_verdict(stage, passed=4, targets={"sustained": 0.3})  # ends included
    assert stage_verdict(stage, passed=4, targets={"sustained": 0.7})
    assert not stage_verdict(stage, passed=2, targets={"sustained": 0.5})
    assert not stage_verdict(stage, passed=4, targets={"sustained": 0.71})
    assert not stage_verdict(stage, passed=4, targets={"sustained": math.nan})
    assert not stage_verdict(stage, passed=4, targets={})
    only_targets = Stage("t", seeds=4, targets=[target])
    assert only_targets.required == 0
    assert stage_verdict(only_targets, passed=0, targets={"sustained": 0.4})
    none_needed = Stage("n", seeds=4, patterns=[synthetic("p")], min_passed=0.0)
    assert stage_verdict(none_needed, passed=0, targets={})
    share = Stage("all", seeds=4, patterns="all", min_passed=0.9)
    count = len(share.patterns)
    assert stage_verdict(share, passed=math.ceil(0.9 * count), targets={})
    assert not stage_verdict(share, passed=math.ceil(0.9 * count) - 1, targets={})


def test_stage_and_plan_refusals_name_the_field():
    with pytest.raises(CalibrationError, match="stage s: seeds=1"):
        Stage("s", seeds=1, patterns=[synthetic("p")])
    with pytest.raises(CalibrationError, match="stage s: patterns: p is given twice"):
        Stage("s", seeds=4, patterns=[synthetic("p"), synthetic("p")])
    with pytest.raises(CalibrationError, match="clash with the stage's ok column"):
        Stage("s", seeds=4, targets=[Target(Arm("iocn"), "sustained", 0, 1, name="ok")])
    with pytest.raises(CalibrationError, match="stages=.*expected a non-empty list"):
        CalibrationPlan("x", factors={"meeting_energy": None}, stages=[])
    with pytest.raises(CalibrationError, match="factors={} is not allowed: expected a non-empty"):
        CalibrationPlan("x", factors={}, stages=[Stage("s", seeds=2, patterns="all")])
    with pytest.raises(CalibrationError, match="name='a b' is not allowed"):
        CalibrationPlan(
            "a b", factors={"meeting_energy": None}, stages=[Stage("s", seeds=2, patterns="all")]
        )


def test_leaving_stages_out_keeps_the_points_and_names_what_was_left_out():
    plan = read_plan(EXAMPLE)
    without = plan.without_stages(["fragile", "steady", "fragile"])
    assert without.name == "iocn_rates_without_fragile_steady"
    assert [s.name for s in without.stages] == ["attendance", "steepness", "patterns"]
    assert without.stages == tuple(s for s in plan.stages if s.name not in ("fragile", "steady"))
    assert without.default_out.name == "iocn_rates_without_fragile_steady"
    pd.testing.assert_frame_equal(without.design, plan.design)  # the same points
    assert (without.factors, without.seed, without.source) == (
        plan.factors,
        plan.seed,
        plan.source,
    )
    assert plan.without_stages([]) is plan
    with pytest.raises(
        CalibrationError,
        match="no stage 'fragil' to leave out: .* are "
        "attendance, fragile, steady, steepness, patterns; did you mean fragile",
    ):
        plan.without_stages(["fragil"])
    with pytest.raises(CalibrationError, match="every stage of calibration iocn_rates left out"):
        plan.without_stages(["attendance", "fragile", "steady", "steepness", "patterns"])


# --- the recommended point -----------------------------------------------------------------


def test_the_recommended_point_passes_most_then_lies_nearest_the_median():
    factors = (Factor("a", "float", low=0.0, high=1.0), Factor("b", "float", low=0.0, high=10.0))
    table = pd.DataFrame(
        {
            "point": [0, 1, 2, 3, 4, 5],
            "a": [0.50, 0.90, 0.45, 0.50, 0.50, 0.1],
            "b": [5.0, 9.0, 6.0, 5.0, 5.0, 1.0],
            "last_passed": pd.array([38, 39, 39, 37, 40, None], dtype="Int64"),
            "accepted": [True, True, True, True, False, False],
        }
    )
    # point 4 passes most but was not accepted; 1 and 2 tie on 39; the accepted median
    # is (0.5, 5.5) in units (0.5, 0.55) scaled: point 2 is nearer
    assert recommend(table, factors, passed="last_passed") == 2
    assert ranking(table, factors, passed="last_passed") == [2, 1, 0, 3]  # accepted.csv's order
    table.loc[[0, 1, 2, 3], "a"] = [0.5, 0.75, 0.25, 0.5]  # a median of 0.5
    table.loc[[0, 1, 2, 3], "b"] = 5.0
    assert recommend(table, factors, passed="last_passed") == 1  # 1 and 2 both 0.25 away
    table["accepted"] = False
    assert recommend(table, factors, passed="last_passed") is None
    assert ranking(table, factors, passed="last_passed") == []


def test_the_recommendation_scales_each_factor_by_its_range():
    # on raw values point 1 is nearer the median; scaled by the ranges, point 2 is
    factors = (Factor("a", "float", low=0.0, high=1.0), Factor("b", "float", low=0.0, high=1000.0))
    table = pd.DataFrame(
        {
            "point": [0, 1, 2],
            "a": [0.5, 0.9, 0.5],
            "b": [500.0, 500.0, 540.0],
            "last_passed": [1, 2, 2],
            "accepted": [True, True, True],
        }
    )
    assert recommend(table, factors, passed="last_passed") == 2
