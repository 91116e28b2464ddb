"""problem.json: a complete SALib problem, with how each factor is decoded from the sample."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from SALib import ProblemSpec

from collabsim import sensitivity
from collabsim.sweeps import load as load_sweep

FACTORS = {
    "academic_partner": None,
    "network_type": None,
    "meeting_interval": (1, 4),
    "cede_willingness": None,
}
OUTPUTS = ["quality_gain", "mean_attendance"]


def decode(encoding: dict, x: float):
    """A factor's value from a sample value, by the expression problem.json states."""
    return eval(
        encoding["decode"],
        {
            "__builtins__": {"len": len, "min": min},  # noqa: S307
            "floor": math.floor,
        },
        {"x": x, **encoding},
    )


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("salib") / "study"
    model = sensitivity.scenario_function("iocn", outputs=OUTPUTS, params={"n_people": 30}, steps=8)
    return sensitivity.run_study(
        model,
        FACTORS,
        method="sobol",
        n=8,
        seed=3,
        out=out,
        backend="serial",
        figures=False,
        convergence=False,
    )


def test_problem_json_is_complete(study):
    problem = json.loads((study.path / "problem.json").read_text(encoding="utf-8"))
    assert problem["num_vars"] == 4 and problem["names"] == list(FACTORS)
    assert problem["bounds"] == load_sweep(study.path).problem["bounds"]
    assert problem["outputs"] == OUTPUTS
    assert set(problem["encoding"]) == set(FACTORS)
    assert problem["encoding"]["academic_partner"]["levels"] == [True, False]
    assert decode(problem["encoding"]["academic_partner"], 0.857) is False
    assert problem["encoding"]["meeting_interval"]["low"] == 1
    assert "groups" not in problem  # collabsim does not group factors


def test_the_encoding_gives_the_values_the_runs_had(study):
    problem = json.loads((study.path / "problem.json").read_text(encoding="utf-8"))
    sample = pd.read_parquet(study.path / "sample.parquet")
    design = pd.read_parquet(study.path / "design.parquet")
    assert list(sample.columns) == problem["names"]
    for name in problem["names"]:
        decoded = [decode(problem["encoding"][name], x) for x in sample[name]]
        assert decoded == design[name].tolist(), name


def test_salib_analyses_the_sweep_outputs_with_it(study):
    spec = ProblemSpec(json.loads((study.path / "problem.json").read_text(encoding="utf-8")))
    spec.set_samples(pd.read_parquet(study.path / "sample.parquet").to_numpy())
    values = pd.read_parquet(study.path / "values.parquet")
    spec.set_results(values[spec["outputs"]].to_numpy())
    spec.analyze_sobol(calc_second_order=False, num_resamples=100, seed=1)
    for output in OUTPUTS:
        mine = study.indices[study.indices["output"] == output].set_index("factor")
        total, first = spec.analysis[output].to_df()
        for index, table in (("ST", total), ("S1", first)):
            np.testing.assert_allclose(
                table.loc[spec["names"], index].to_numpy(),
                mine.loc[spec["names"], index].to_numpy(),
                rtol=1e-12,
            )


def test_a_plain_function_problem_has_outputs_and_ranges(tmp_path):
    def plane(x1, x2):
        return {"y": x1 + 2 * x2}

    study = sensitivity.run_study(
        plane,
        {"x1": (0, 1), "x2": (-1, 1)},
        method="sobol",
        n=16,
        out=tmp_path / "p",
        figures=False,
    )
    problem = json.loads((tmp_path / "p" / "problem.json").read_text(encoding="utf-8"))
    assert problem["outputs"] == ["y"]
    assert problem["encoding"]["x2"] == {"kind": "float", "low": -1.0, "high": 1.0, "decode": "x"}
    assert sensitivity.load(tmp_path / "p").encoding == problem["encoding"]
    assert study.salib_problem["outputs"] == ["y"]


def test_the_analysis_tables_say_what_made_them(study):
    for name in ("indices.parquet", "values.parquet", "noise.parquet"):
        made = pd.read_parquet(study.path / name).attrs["collabsim"]
        assert made["table"] == name and made["method"] == "sobol", name
        assert made["source"]["scenario"] == "iocn" and made["code_fingerprint"]


def test_a_problem_can_be_asked_for_by_parameter_names_or_a_sweeps_factors():
    from collabsim.params import PARAMETERS, ParameterError
    from collabsim.sweeps import salib_problem
    from collabsim.sweeps.design import make_factors

    cede = PARAMETERS["cede_willingness"]
    by_name = salib_problem(["cede_willingness", "academic_partner"])
    assert by_name == {
        "num_vars": 2,
        "names": ["cede_willingness", "academic_partner"],
        "bounds": [[cede.low, cede.high], [0.0, 1.0]],  # a true/false factor by level
    }
    narrowed = {"cede_willingness": (0.2, 0.8)}
    assert salib_problem(narrowed) == salib_problem(make_factors(narrowed))
    assert salib_problem(narrowed)["bounds"] == [[0.2, 0.8]]
    with pytest.raises(ParameterError, match="did you mean cede_willingness"):
        salib_problem(["cede_wilingness"])


def test_a_sample_drawn_from_salib_itself_runs_as_an_explicit_design(tmp_path):
    """A user's own SALib sample, over factors of every kind, decoded as collabsim's own."""
    from SALib.sample import morris

    import collabsim
    from collabsim.sweeps import SweepError, salib_points, salib_problem
    from collabsim.sweeps.design import make_factor, salib_encoding

    names = ["meeting_interval", "academic_partner", "network_type", "cede_willingness"]
    sample = morris.sample(salib_problem(names), 4, num_levels=4, seed=2)
    points = salib_points(names, sample)
    assert list(points.columns) == names and len(points) == len(sample)
    assert points["meeting_interval"].dtype == np.int64 and points["academic_partner"].dtype == bool
    # each value is the one the decoding problem.json states gives for its sample value
    encoding = salib_encoding([make_factor(name, None) for name in names])
    for j, name in enumerate(names):
        assert points[name].tolist() == [decode(encoding[name], x) for x in sample[:, j]]
    ran = collabsim.sweep(
        design=points, steps=2, params={"n_people": 30}, backend="serial", out=tmp_path / "s"
    )
    assert (ran.runs["status"] == "ok").all() and len(ran.runs) == len(sample)
    # a sampled design of collabsim's own is the same decoding of its own sample
    own = collabsim.sweep(
        factors={name: None for name in names},
        design="lhs",
        n=6,
        steps=2,
        params={"n_people": 30},
        backend="serial",
        out=tmp_path / "own",
    )
    pd.testing.assert_frame_equal(
        salib_points(own.factors, own.sample),
        own.design.drop(columns="point").astype({"network_type": object}),  # stored as category
    )
    with pytest.raises(SweepError, match=r"shape \(\d+, 2\) is not allowed: expected one col"):
        salib_points(names, sample[:, :2])
    for bad in (-0.1, np.nan):  # not decoded as the last level, nor an IndexError
        outside = sample.copy()
        outside[3, 2] = bad
        with pytest.raises(SweepError, match=r"row 3, column 2 \(network_type\) = .* from 0 to 1"):
            salib_points(names, outside)
