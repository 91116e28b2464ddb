"""Scenario discovery with PRIM (collabsim.analysis.discovery)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim.analysis import discovery

LEVERS = ["x1", "x2", "x3", "noise", "size", "partner", "network_type"]
NOISE = {"noise", "size", "partner"}  # levers no case depends on


def levers_table(n: int, seed: int) -> pd.DataFrame:
    """Levers drawn at random: floats, an integer, a boolean and a category."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x1": rng.random(n),
            "x2": rng.random(n),
            "x3": rng.random(n),
            "noise": rng.random(n),
            "size": rng.integers(5, 50, n),
            "partner": rng.random(n) < 0.5,
            "network_type": rng.choice(["place", "issue"], n),
        }
    )


def first_box(table: pd.DataFrame) -> pd.Series:
    return (table["x1"] > 0.6) & (table["x2"] < 0.4) & (table["network_type"] == "place")


def second_box(table: pd.DataFrame) -> pd.Series:
    return (table["x3"] < 0.25) & (table["network_type"] == "issue")


# --- planted boxes ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_recovers_a_planted_box_and_restricts_no_noise_lever(seed):
    table = levers_table(1000, seed)
    table["case"] = first_box(table)
    found = discovery.discover(table, LEVERS, threshold_density=0.95)
    box = found.boxes[0]
    assert set(box.limits) == {"x1", "x2", "network_type"}
    low, high = box.limits["x1"]
    assert low == pytest.approx(0.6, abs=0.05) and high == math.inf
    low, high = box.limits["x2"]
    assert low == -math.inf and high == pytest.approx(0.4, abs=0.05)
    assert box.limits["network_type"] == {"place"}
    assert box.density >= 0.95 and box.coverage >= 0.95
    # the statistics are those of the rows the limits hold
    inside = box.contains(table)
    assert box.rows == inside.sum() and box.cases == table.loc[inside, "case"].sum()
    assert box.density == pytest.approx(table.loc[inside, "case"].mean())
    assert box.coverage == pytest.approx(box.cases / table["case"].sum())
    assert box.mass == pytest.approx(inside.mean())


@pytest.mark.parametrize("seed", range(5))
def test_covering_finds_a_second_planted_box(seed):
    table = levers_table(2000, seed)
    table["case"] = first_box(table) | second_box(table)
    found = discovery.discover(table, LEVERS, threshold_density=0.95)
    assert len(found.boxes) == 2
    by_type = {next(iter(b.limits["network_type"])): b for b in found.boxes}
    place, issue = by_type["place"], by_type["issue"]
    assert place.limits["x1"][0] == pytest.approx(0.6, abs=0.05)
    assert place.limits["x2"][1] == pytest.approx(0.4, abs=0.05)
    assert issue.limits["x3"] == (-math.inf, pytest.approx(0.25, abs=0.05))
    for box in found.boxes:
        assert not NOISE & set(box.limits)
        assert box.density >= 0.95
    # each case is counted once: the second box's counts leave out the first box's rows
    assert sum(b.coverage for b in found.boxes) == pytest.approx(
        (found.boxes[0].contains(table) | found.boxes[1].contains(table))[table["case"]].mean()
    )
    # a third search, if the cases left called for one, found nothing beating the base rate
    third = found.trajectory[found.trajectory["box"] == 3]
    assert third.empty or third.loc[third["chosen"], "density"].item() <= 0.5


def test_integer_and_boolean_levers_get_whole_number_and_set_limits():
    table = levers_table(1000, 7)
    table["case"] = (table["size"] >= 30) & table["partner"]
    box = discovery.discover(table, LEVERS, threshold_density=1).boxes[0]
    assert box.limits == {"size": (30, math.inf), "partner": frozenset({True})}
    assert isinstance(box.limits["size"][0], int)
    assert box.conditions() == "size at least 30 and with partner"


def test_a_grid_loses_a_whole_level_at_a_time():
    grid = pd.MultiIndex.from_product(
        [np.linspace(0, 1, 5), np.linspace(0, 1, 5), ["place", "issue"]],
        names=["cede_willingness", "distributed_leadership", "network_type"],
    ).to_frame(index=False)
    grid["case"] = (grid["cede_willingness"] >= 0.5) & (grid["distributed_leadership"] >= 0.25)
    found = discovery.discover(
        grid, ["cede_willingness", "distributed_leadership", "network_type"], threshold_density=1
    )
    # 5% of 50 points is less than a level (10 points): each step cuts one level
    assert found.trajectory["mass"].tolist() == [1.0, 0.8, 0.6, 0.48]
    assert found.boxes[0].limits == {
        "cede_willingness": (0.5, math.inf),
        "distributed_leadership": (0.25, math.inf),
    }
    assert found.boxes[0].coverage == 1 and found.boxes[0].density == 1


# --- by hand ----------------------------------------------------------------------------


def test_trajectory_coverage_and_density_by_hand():
    # a = 1..10; cases at a = 2 and a = 7..10: base rate 5/10
    table = pd.DataFrame(
        {
            "a": range(1, 11),
            "case": [False, True, False, False, False, False, True, True, True, True],
        }
    )
    found = discovery.discover(table, "a", min_mass=0.1, peel_alpha=0.1, threshold_density=0.8)
    first = found.trajectory[found.trajectory["box"] == 1]
    # step 1 cuts a = 1 (a non-case: density 5/9); no cut then gains, and the cut
    # keeping the highest density is either end (4/8 both): the lower end, the first
    # tried; then a = 3, 4, 5, 6 go, each a non-case
    assert first["density"].tolist() == pytest.approx(
        [5 / 10, 5 / 9, 4 / 8, 4 / 7, 4 / 6, 4 / 5, 4 / 4]
    )
    assert first["coverage"].tolist() == pytest.approx([1, 1, 0.8, 0.8, 0.8, 0.8, 0.8])
    assert first["mass"].tolist() == pytest.approx([1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    assert first["restricted"].tolist() == [0, 1, 1, 1, 1, 1, 1]
    # the first step with density >= 0.8 is a >= 6; pasting a = 5 back would lower it
    assert first.loc[first["chosen"], "step"].tolist() == [5]
    one, two = found.boxes
    assert one.limits == {"a": (6, math.inf)}
    assert (one.coverage, one.density, one.mass, one.cases, one.rows) == (0.8, 0.8, 0.5, 4, 5)
    # covering: of a = 1..5 only a = 2 is a case, and peeling closes in on it
    assert two.limits == {"a": (2, 2)}
    assert (two.coverage, two.density, two.mass, two.cases, two.rows) == (0.2, 1, 0.1, 1, 1)
    assert found.base_rate == 0.5
    assert found.describe() == [
        "Across all rows, 50% are cases of interest (base rate).",
        "1. a at least 6: 80% of such rows are cases of interest (density), covering 80% "
        "of all that are cases of interest (coverage)",
        "2. Otherwise, a exactly 2: 100% of such rows are cases of interest (density), "
        "covering 20% of all that are cases of interest (coverage)",
    ]
    # a box elsewhere on the trajectory, as peeled
    assert found.box_at(3, paste=False).limits == {"a": (4, math.inf)}
    assert found.box_at(3, paste=False).density == pytest.approx(4 / 7)


def test_a_limit_later_cuts_made_redundant_is_lifted():
    # b is noise, a decides: cases at a >= 6
    table = pd.DataFrame(
        {"b": [3, 10, 4, 7, 1, 5, 9, 8, 6, 2], "a": range(1, 11), "case": [False] * 5 + [True] * 5}
    )
    found = discovery.discover(table, ["b", "a"], min_mass=0.1, peel_alpha=0.1, threshold_density=1)
    # cutting b = 1 (at a = 5) gains as much as cutting a = 1 and b comes first; then
    # b = 10 (at a = 2) ties with a = 1 and restricts fewer levers; then a = 1, 3, 4 go
    peeled = found.box_at(5, paste=False)
    assert peeled.limits == {"b": (2, 9), "a": (6, math.inf)}
    assert peeled.density == 1 and found.trajectory["chosen"].tolist()[-1]
    # b's limit now keeps out only rows that a >= 6 keeps out too: it is lifted
    assert found.boxes[0].limits == {"a": (6, math.inf)}
    assert found.boxes[0].rows == peeled.rows == 5


def test_on_a_tie_peeling_cuts_a_lever_already_restricted():
    table = pd.DataFrame(
        {"b": [2, 5, 1, 3, 6, 4], "a": range(1, 7), "case": [False, True, True, False, True, False]}
    )
    found = discovery.discover(table, ["b", "a"], min_mass=0.1, peel_alpha=0.1, threshold_density=1)
    # a = 1 and a = 6 go (non-cases); then, in a = 2..5, every cut (b = 1, b = 6, a = 2,
    # a = 5) removes one case: a tie, and cutting b, though tried first, would restrict
    # a second lever
    assert found.box_at(3, paste=False).limits == {"a": (3, 5)}
    first = found.trajectory[found.trajectory["box"] == 1]
    assert first["restricted"].tolist() == [0, 1, 1, 1, 1, 1]
    assert first["density"].tolist() == pytest.approx([1 / 2, 3 / 5, 3 / 4, 2 / 3, 1 / 2, 1])


def test_no_box_when_nothing_beats_the_base_rate():
    table = pd.DataFrame({"a": [1.0] * 6, "case": [True, False] * 3})
    found = discovery.discover(table, ["a"])
    assert found.boxes == []
    assert found.trajectory["step"].tolist() == [0]
    assert found.describe()[1] == (
        "No combination of levers found where more rows are "
        "cases of interest than across all of them."
    )


def test_a_box_is_found_where_the_base_rate_already_passes_the_threshold():
    # seven of eight design points are cases (above the 0.8 threshold), but only the
    # four with x = 1 are all cases: the box is x = 1, not the whole table
    table = pd.DataFrame(
        {
            "x": [0, 0, 0, 0, 1, 1, 1, 1],
            "y": [0, 0, 1, 1, 0, 0, 1, 1],
            "z": [0, 1, 0, 1, 0, 1, 0, 1],
            "case": [False, True, True, True, True, True, True, True],
        }
    )
    found = discovery.discover(table, ["x", "y", "z"])
    assert found.base_rate == pytest.approx(7 / 8)
    assert found.boxes, "no box, though x = 1 holds only cases"
    box = found.boxes[0]
    assert box.density == 1.0 and box.density > found.base_rate
    assert box.contains(table).sum() >= 4 and table.loc[box.contains(table), "case"].all()


def test_description_names_only_restricted_levers_in_plain_words():
    box = discovery.Box(
        limits={
            "cede_willingness": (0.52, math.inf),
            "distributed_leadership": (0.3, 0.75),
            "meeting_interval": (-math.inf, 4),
            "network_type": frozenset({"place"}),
            "academic_partner": frozenset({False}),
        },
        coverage=0.64,
        density=0.91,
        mass=0.2,
        cases=16,
        rows=18,
    )
    assert box.describe("networks", "last") == (
        "cede_willingness at least 0.52 and distributed_leadership from 0.3 to 0.75 and "
        "meeting_interval at most 4 and network_type is place and without academic_partner: "
        "91% of such networks last (density), covering 64% of all that last (coverage)"
    )


# --- design points ----------------------------------------------------------------------


def test_cases_by_point_shares_by_hand():
    runs = pd.DataFrame(
        {
            "cede_willingness": [0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
            "network_type": ["place"] * 5 + ["issue"] * 3 + ["place"] * 3,
            "seed": [1, 2, 3, 4, 5, 1, 2, 3, 1, 2, 3],
            "sustained": [True, True, True, True, False, True, False, False, True, True, True],
            "status": "ok",
        }
    )
    table = discovery.cases_by_point(runs, ["cede_willingness", "network_type"])
    assert table.columns.tolist() == ["cede_willingness", "network_type", "share", "seeds", "case"]
    assert table[["cede_willingness", "network_type"]].values.tolist() == [
        [0.1, "place"],
        [0.9, "issue"],
        [0.9, "place"],
    ]
    assert table["share"].tolist() == pytest.approx([0.8, 1 / 3, 1.0])
    assert table["seeds"].tolist() == [5, 3, 3]
    # a share exactly at the threshold counts
    assert table["case"].tolist() == [True, False, True]
    assert discovery.cases_by_point(runs, ["cede_willingness", "network_type"], threshold=0.81)[
        "case"
    ].tolist() == [False, False, True]
    # 1/0 outcomes count as True/False
    ints = runs.assign(sustained=runs["sustained"].astype(int))
    pd.testing.assert_frame_equal(
        discovery.cases_by_point(ints, ["cede_willingness", "network_type"]), table
    )


def test_discovery_on_design_points_speaks_of_design_points():
    table = levers_table(400, 3)
    runs = pd.concat([table.assign(seed=s) for s in range(4)], ignore_index=True)
    sustained = first_box(runs).to_numpy() | (runs["seed"] == 0).to_numpy()
    runs["sustained"] = sustained
    points = discovery.cases_by_point(runs, LEVERS, threshold=0.75)
    assert len(points) == 400 and (points["seeds"] == 4).all()
    found = discovery.discover(points, LEVERS, threshold_density=0.95)
    assert found.units == "design points"
    assert found.describe()[1].endswith(
        "of such design points have at least 75% of runs sustained (density), covering "
        "100% of all that have at least 75% of runs sustained (coverage)"
    )


# --- determinism ------------------------------------------------------------------------


def test_same_input_same_boxes_whatever_the_row_order():
    table = levers_table(1500, 11)
    table["case"] = first_box(table) | second_box(table)
    found = discovery.discover(table, LEVERS)
    again = discovery.discover(table.copy(), LEVERS)
    shuffled = discovery.discover(table.sample(frac=1, random_state=0), LEVERS)
    assert found.boxes == again.boxes == shuffled.boxes
    pd.testing.assert_frame_equal(found.trajectory, again.trajectory)
    pd.testing.assert_frame_equal(found.trajectory, shuffled.trajectory)


# --- errors -----------------------------------------------------------------------------


@pytest.fixture
def small() -> pd.DataFrame:
    table = levers_table(200, 0)
    table["case"] = first_box(table)
    return table


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"levers": ["x1", "cede"]},
            r"levers: 'cede' is not a column of the table; its "
            r"columns are x1, x2, x3",
        ),
        ({"levers": []}, r"levers=\[\] is not allowed"),
        (
            {"levers": ["x1", "x1"]},
            r"levers=\['x1', 'x1'\] is not allowed: a column is named twice",
        ),
        ({"case": "sustained"}, r"case: 'sustained' is not a column"),
        ({"min_mass": 0}, r"min_mass=0 is not allowed: it must be a number above 0 and below 1"),
        ({"min_mass": 1.5}, r"min_mass=1.5 is not allowed"),
        ({"min_mass": "0.1"}, r"min_mass='0.1' is not allowed"),
        (
            {"peel_alpha": 0.5},
            r"peel_alpha=0.5 is not allowed: it must be a number above 0 and "
            r"below 0.5",
        ),
        ({"peel_alpha": -0.1}, r"peel_alpha=-0.1 is not allowed"),
        ({"paste_alpha": True}, r"paste_alpha=True is not allowed"),
        (
            {"threshold_density": 1.2},
            r"threshold_density=1.2 is not allowed: it must be a number "
            r"above 0 and at most 1",
        ),
        ({"max_boxes": 0}, r"max_boxes=0 is not allowed: it must be a whole number, 1 or more"),
    ],
)
def test_discover_refuses_bad_arguments(small, options, message):
    arguments = {"levers": LEVERS} | options
    with pytest.raises(ValueError, match=message):
        discovery.discover(small, **arguments)


def test_discover_refuses_tables_without_a_contrast(small):
    with pytest.raises(
        ValueError,
        match=r"case: column 'case' has no case of interest.*"
        r"try a lower threshold",
    ):
        discovery.discover(small.assign(case=False), LEVERS)
    with pytest.raises(
        ValueError,
        match=r"case: every row of column 'case' is a case of "
        r"interest.*try a higher threshold",
    ):
        discovery.discover(small.assign(case=True), LEVERS)
    with pytest.raises(
        ValueError,
        match=r"case: column 'case' must hold True/False \(or "
        r"1/0\), got values such as 0.3",
    ):
        discovery.discover(small.assign(case=0.3), LEVERS)
    with pytest.raises(ValueError, match=r"levers: column 'x1' has missing values"):
        discovery.discover(
            small.assign(x1=np.where(small["x1"] > 0.9, np.nan, small["x1"])), LEVERS
        )
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got dict"):
        discovery.discover({"x1": [1]}, ["x1"])


def test_cases_by_point_refuses_bad_arguments():
    runs = pd.DataFrame(
        {"a": [1, 1, 2], "sustained": [True, False, True], "status": ["ok", "ok", "ok"]}
    )
    with pytest.raises(ValueError, match=r"outcome: 'collapsed' is not a column"):
        discovery.cases_by_point(runs, ["a"], outcome="collapsed")
    with pytest.raises(ValueError, match=r"levers: 'b' is not a column of the table"):
        discovery.cases_by_point(runs, ["a", "b"])
    for threshold in (0, 1.5, True):
        with pytest.raises(
            ValueError,
            match=rf"threshold={threshold!r} is not allowed: it "
            r"must be a number above 0 and at most 1",
        ):
            discovery.cases_by_point(runs, ["a"], threshold=threshold)
    with pytest.raises(
        ValueError,
        match=r"runs: 1 run\(s\) did not finish.*"
        r"runs\[runs\['status'\] == 'ok'\]",
    ):
        discovery.cases_by_point(runs.assign(status=["ok", "failed", "ok"]), ["a"])
    with pytest.raises(ValueError, match=r"outcome: column 'sustained' must hold True/False"):
        discovery.cases_by_point(runs.assign(sustained=[0.5, 1, 0]), ["a"])


def test_box_at_refuses_steps_off_the_trajectory(small):
    found = discovery.discover(small, LEVERS)
    last = found.trajectory.loc[found.trajectory["box"] == 1, "step"].max()
    assert found.box_at(last, paste=False) == found.box_at(last, box=1, paste=False)
    with pytest.raises(
        ValueError,
        match=rf"box=1, step={last + 1} is not on the trajectory: "
        rf"allowed are steps 0 to {last}",
    ):
        found.box_at(last + 1)
    with pytest.raises(
        ValueError,
        match=r"box=9, step=0 is not on the trajectory: allowed "
        r"are boxes 1 to",
    ):
        found.box_at(0, box=9)


# --- real runs ---------------------------------------------------------------------------


def test_real_sweep(tmp_path):
    levers = ["cede_willingness", "network_type", "meeting_interval"]
    result = collabsim.sweep(
        scenario="beston",
        factors={
            "cede_willingness": [0.0, 1.0],
            "network_type": ["place", "issue"],
            "meeting_interval": [1, 13],
        },
        replicates=2,
        outputs=["sustained"],
        backend="serial",
        out=tmp_path / "sweep",
    )
    runs = result.runs
    table = discovery.cases_by_point(runs, levers, threshold=0.5)
    assert len(table) == 8 and (table["seeds"] == 2).all()
    expected = runs.groupby(levers)["sustained"].mean()
    assert table.set_index(levers)["share"].to_dict() == expected.to_dict()
    assert (table["case"] == (table["share"] >= 0.5)).all()
    # whatever the model makes of these levers, discover either finds boxes whose
    # statistics hold on the table or says why it cannot
    if table["case"].all() or not table["case"].any():
        with pytest.raises(ValueError, match="case"):
            discovery.discover(table, levers)
    else:
        found = discovery.discover(table, levers)
        assert found.boxes, found.trajectory  # distinct points, some cases: a denser box
        box = found.boxes[0]
        inside = box.contains(table)
        assert box.rows == inside.sum()
        assert box.density == pytest.approx(table.loc[inside, "case"].mean())
        assert box.density > found.base_rate
