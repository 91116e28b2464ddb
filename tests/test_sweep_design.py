"""Sweep designs: factors from the declarations, grid / LHS / Sobol' / Morris / explicit, seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collabsim.params import PARAMETERS, ParameterError
from collabsim.sweeps.design import Factor, make_design, make_factor, make_factors, salib_problem
from collabsim.sweeps.sampling import Sampling, SweepError, replicate_seeds

# --- factors -------------------------------------------------------------------------


def test_a_list_gives_levels_in_canonical_form():
    factor = make_factor("n_people", [40, 60.0])
    assert factor.levels == (40, 60) and all(type(v) is int for v in factor.levels)
    assert not factor.is_range
    assert make_factor("cede_willingness", [0, 1]).levels == (0.0, 1.0)


def test_a_range_defaults_to_the_declared_bounds():
    assert make_factor("cede_willingness", None) == Factor(
        "cede_willingness", "float", low=0.0, high=1.0
    )
    assert make_factor("turnover_rate", {}) == Factor("turnover_rate", "float", low=0.0, high=0.6)
    narrower = make_factor("turnover_rate", {"low": 0.1})
    assert (narrower.low, narrower.high) == (0.1, 0.6)
    ranged = make_factor("meeting_interval", (2, 8))
    assert (ranged.kind, ranged.low, ranged.high) == ("int", 2, 8)


def test_bool_and_choice_factors_default_to_all_their_values():
    assert make_factor("academic_partner", None).levels == (True, False)
    assert make_factor("network_type", {}).levels == PARAMETERS["network_type"].choices


@pytest.mark.parametrize(
    ("name", "spec", "expected"),
    [
        ("cede_wilingness", [0.1], "did you mean cede_willingness"),
        ("cede_willingness", (0.1, 1.5), "high=1.5 is outside the allowed range"),
        ("cede_willingness", {"low": -0.5}, "low=-0.5 is outside the allowed range"),
        ("cede_willingness", (0.9, 0.1), "low must be below high"),
        ("cede_willingness", (0.5, 0.5), "below high (a factor must vary: to hold it at one"),
        ("cede_willingness", {"lo": 0.1}, "unknown key 'lo'"),
        ("cede_willingness", (0.1, 0.5, 0.9), "a range is (low, high)"),
        ("cede_willingness", "wide", "is not a factor"),
        ("cede_willingness", [], "list of levels is empty"),
        ("cede_willingness", [0.1, 0.1], "level 0.1 is given twice"),
        ("cede_willingness", [0.1, 2], "cede_willingness=2.0 is not allowed"),
        ("academic_partner", (0, 1), "not a range"),
        ("academic_partner", ["yes"], "academic_partner='yes' is not allowed"),
        ("network_type", ["place", "village"], "network_type='village'"),
        ("organisations", [["pharmacy"]], "organisations cannot be a sweep factor"),
        ("events", None, "events cannot be a sweep factor"),
        ("meeting_interval", (0, 8), "low=0 is outside the allowed range"),
    ],
)
def test_bad_factors_name_the_problem(name, spec, expected):
    with pytest.raises(ParameterError) as caught:
        make_factor(name, spec)
    assert expected in str(caught.value)
    assert name.split("_")[0] in str(caught.value)


def test_factors_must_be_a_mapping():
    with pytest.raises(ParameterError, match="factors must be a mapping"):
        make_factors([("cede_willingness", (0, 1))])


# --- grid ----------------------------------------------------------------------------


def test_grid_is_the_full_factorial_last_factor_fastest():
    factors = make_factors({"academic_partner": [True, False], "cede_willingness": (0.1, 0.9)})
    design = make_design(factors, Sampling("grid", levels=5))
    assert len(design) == 10
    assert design.points["academic_partner"].tolist() == [True] * 5 + [False] * 5
    assert design.points["cede_willingness"].tolist() == [0.1, 0.3, 0.5, 0.7, 0.9] * 2
    assert design.points["academic_partner"].dtype == bool
    assert design.sample is None


def test_grid_of_int_ranges_gives_distinct_whole_numbers():
    design = make_design(make_factors({"meeting_interval": (1, 4)}), Sampling("grid", levels=7))
    assert design.points["meeting_interval"].tolist() == [1, 2, 3, 4]
    assert design.points["meeting_interval"].dtype == np.int64


def test_grid_without_factors_is_the_scenario_once():
    assert len(make_design((), Sampling("grid"))) == 1


@pytest.mark.parametrize(
    ("design", "options", "expected"),
    [
        ("gird", {}, "design='gird' is not a design.*did you mean grid"),
        ("grid", {"n": 10}, "n=10 is not allowed with design 'grid'"),
        ("grid", {"levels": 1}, "levels=1 is not allowed"),
        ("lhs", {}, "design 'lhs' needs n"),
        ("sobol", {"n": 100}, "n=100 is not allowed with design 'sobol'.*64 or 128"),
        ("morris", {"n": 4, "morris_levels": 3}, "morris_levels=3 is not allowed"),
        ("lhs", {"n": 0}, "n=0 is not allowed"),
        ("lhs", {"n": 8, "seed": -1}, "seed=-1 is not allowed"),
        ("lhs", {"n": 8, "levels": 3}, "levels=3 is not allowed with design 'lhs': .* 'grid' only"),
        ("grid", {"second_order": False}, "second_order=False is not allowed with design 'grid'"),
        ("sobol", {"n": 8, "morris_levels": 6}, "morris_levels=6 is not allowed with design 'sob"),
        ([{"cede_willingness": 0.3}], {"levels": 3}, "levels=3 is not allowed with an explicit"),
    ],
)
def test_bad_design_options_name_the_problem(design, options, expected):
    factors = make_factors({"cede_willingness": (0.1, 0.9)})
    with pytest.raises(SweepError, match=expected):
        make_design(factors, Sampling(design, **options))


def test_a_huge_grid_is_refused_before_it_is_built():
    factors = make_factors(
        {
            name: None
            for name in (
                "partner_strength",
                "cede_willingness",
                "incremental_share",
                "turnover_rate",
                "power_imbalance",
                "results_pressure",
                "programme_intensity",
                "workload",
                "trust_gain",
                "trust_loss",
            )
        }
    )
    with pytest.raises(SweepError, match="9,765,625 points"):
        make_design(factors, Sampling("grid", levels=5))


# --- sampled designs -----------------------------------------------------------------


def test_latin_hypercube_has_one_point_in_every_stratum():
    factors = make_factors({"cede_willingness": (0.0, 1.0), "turnover_rate": (0.0, 0.6)})
    design = make_design(factors, Sampling("lhs", n=50, seed=3))
    assert len(design) == 50
    for factor in factors:
        values = design.points[factor.name].to_numpy()
        strata = np.floor((values - factor.low) / (factor.high - factor.low) * 50)
        assert sorted(strata.astype(int)) == list(range(50))


def test_sampled_discrete_factors_take_every_level_equally_often():
    factors = make_factors(
        {"academic_partner": [True, False], "meeting_interval": (1, 4), "network_type": None}
    )
    design = make_design(factors, Sampling("lhs", n=40, seed=0))
    assert design.points["academic_partner"].value_counts().to_dict() == {True: 20, False: 20}
    assert design.points["meeting_interval"].value_counts().to_dict() == {
        1: 10,
        2: 10,
        3: 10,
        4: 10,
    }
    assert design.points["network_type"].value_counts().to_dict() == {"place": 20, "issue": 20}
    assert design.points["meeting_interval"].dtype == np.int64


def test_sobol_design_has_saltelli_size_and_maps_back_to_its_sample():
    factors = make_factors(
        {"cede_willingness": (0.1, 0.9), "academic_partner": None, "meeting_interval": (1, 12)}
    )
    design = make_design(factors, Sampling("sobol", n=16, seed=1))
    assert len(design) == 16 * (2 * 3 + 2)
    assert design.sample.shape == (len(design), 3)
    assert np.array_equal(design.points["cede_willingness"].to_numpy(), design.sample[:, 0])
    assert design.points["academic_partner"].tolist() == [
        bool(u < 0.5) for u in design.sample[:, 1]
    ]
    assert design.points["meeting_interval"].tolist() == [
        int(x) for x in np.floor(design.sample[:, 2])
    ]
    assert design.points["meeting_interval"].between(1, 12).all()
    first_order = make_design(factors, Sampling("sobol", n=16, seed=1, second_order=False))
    assert len(first_order) == 16 * (3 + 2)


def test_morris_design_is_trajectories_of_one_step_each():
    factors = make_factors(
        {
            "cede_willingness": (0.0, 1.0),
            "turnover_rate": (0.0, 0.6),
            "results_pressure": (0.0, 0.5),
        }
    )
    design = make_design(factors, Sampling("morris", n=6, seed=2))
    assert len(design) == 6 * (3 + 1)
    steps = np.abs(np.diff(design.sample.reshape(6, 4, 3), axis=1))
    assert ((steps > 0).sum(axis=2) == 1).all()  # each step moves exactly one factor


def test_sampled_designs_are_reproducible_from_the_seed_and_differ_between_seeds():
    factors = make_factors({"cede_willingness": (0.0, 1.0), "turnover_rate": (0.0, 0.6)})
    for kind, n in (("lhs", 20), ("sobol", 8), ("morris", 4)):
        a = make_design(factors, Sampling(kind, n=n, seed=0))
        b = make_design(factors, Sampling(kind, n=n, seed=0))
        c = make_design(factors, Sampling(kind, n=n, seed=1))
        assert a.points.equals(b.points), kind
        assert not a.points.equals(c.points), kind


def test_salib_problem_uses_sample_coordinates():
    factors = make_factors(
        {"cede_willingness": (0.1, 0.9), "meeting_interval": (1, 12), "academic_partner": None}
    )
    assert salib_problem(factors) == {
        "num_vars": 3,
        "names": ["cede_willingness", "meeting_interval", "academic_partner"],
        "bounds": [[0.1, 0.9], [1.0, 13.0], [0.0, 1.0]],
    }


# --- explicit designs ----------------------------------------------------------------


def test_explicit_design_runs_exactly_the_points_given():
    design = make_design(
        (),
        Sampling(
            [
                {"cede_willingness": 0.2, "academic_partner": True},
                {"cede_willingness": 1, "academic_partner": False},
            ]
        ),
    )
    assert design.kind == "explicit"
    assert design.points.to_dict("list") == {
        "cede_willingness": [0.2, 1.0],
        "academic_partner": [True, False],
    }


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([], "non-empty list"),
        ([{"cede_willingness": 2.0}], "design point 0: cede_willingness=2.0"),
        ([{"cede_willingness": 0.2}, {"cede_wilingness": 0.3}], "did you mean cede_willingness"),
        ([{"cede_willingness": 0.2}, {"turnover_rate": 0.3}], "design point 0 does not set"),
        ([{"events": []}], "events cannot vary"),
        (["cede_willingness=0.2"], "design point 0: expected a table"),
    ],
)
def test_bad_explicit_points_name_the_problem(points, expected):
    with pytest.raises((SweepError, ParameterError), match=expected):
        make_design((), Sampling(points))


# --- seeds ---------------------------------------------------------------------------


def test_replicate_seeds_are_spawned_from_the_master_seed():
    children = np.random.SeedSequence(0).spawn(3)
    expected = [int(c.generate_state(1, np.uint32)[0]) for c in children]
    assert replicate_seeds(0, 3) == expected
    assert len(set(replicate_seeds(0, 50))) == 50
    assert replicate_seeds(0, 5)[:3] == replicate_seeds(0, 3)  # adding replicates keeps seeds
    assert replicate_seeds(1, 3) != replicate_seeds(0, 3)


@pytest.mark.parametrize(
    ("master", "replicates", "expected"),
    [
        (-1, 2, "seed=-1"),
        (True, 2, "seed=True"),
        (None, 2, "seed=None"),
        (0, 0, "replicates=0"),
        (0, -3, "replicates=-3"),
        (0, 2.0, "replicates=2.0"),
    ],
)
def test_bad_seeds_and_replicates_are_refused(master, replicates, expected):
    with pytest.raises(SweepError, match=expected):
        replicate_seeds(master, replicates)


@pytest.mark.parametrize(
    ("name", "levels", "expected"),
    [
        ("cede_willingness", np.array([0.1, 0.5, 0.9]), (0.1, 0.5, 0.9)),
        ("n_practices", range(10, 13), (10, 11, 12)),
        ("network_type", pd.Series(["place", "issue"]), ("place", "issue")),
    ],
)
def test_levels_may_come_as_a_range_an_array_or_a_series(name, levels, expected):
    factor = make_factor(name, levels)
    assert factor.levels == expected
    assert [type(level) for level in factor.levels] == [type(want) for want in expected]
    assert factor == make_factor(name, list(expected))


def test_an_explicit_design_may_be_a_pandas_table_of_points():
    table = pd.DataFrame({"cede_willingness": [0.2, 0.8], "n_practices": [10, 12]})
    assert Sampling(design=table) == Sampling(design=table.to_dict("records"))
    assert Sampling(design=table).design == (
        {"cede_willingness": 0.2, "n_practices": 10},
        {"cede_willingness": 0.8, "n_practices": 12},
    )
