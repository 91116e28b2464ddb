"""Sensitivity analysis refusing, or explaining, inputs it cannot analyse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim import sensitivity
from collabsim.sensitivity.aggregate import aggregate
from collabsim.sensitivity.convergence import DID_NOT_VARY
from collabsim.sensitivity.methods import RBD_HARMONICS
from collabsim.sweeps.sampling import SweepError

UNIT = {"x1": (0.0, 1.0), "x2": (0.0, 1.0), "x3": (0.0, 1.0)}


def infinite_above_half(x1, x2, x3):
    return np.inf if x1 > 0.5 else x1 + x2 + x3


def flat_and_linear(x1, x2, x3):
    return {"flat": 1.0, "y": x1 + 2 * x2}


# --- outputs SALib cannot use --------------------------------------------------------------


def test_an_infinite_output_is_refused_and_a_fill_does_not_stand_in_for_it():
    for fill in (None, {"y": 0.0}):
        with pytest.raises(
            sensitivity.SensitivityError,
            match=r"^output 'y' is infinite in \d+ of 40 runs, .*finite number.*fill stands "
            r"in only for undefined values\)$",
        ):
            sensitivity.analyze(infinite_above_half, UNIT, n=8, fill=fill)


def test_every_output_that_needs_a_fill_or_is_infinite_is_named_in_one_message():
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 2, 2],
            "replicate": [0, 1] * 3,
            "a": [np.nan] * 6,
            "b": [1.0, np.nan, 2.0, 3.0, 4.0, 5.0],
            "c": [1.0, np.inf, 2.0, 3.0, 4.0, 5.0],
            "d": [1.0, 2.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    with pytest.raises(sensitivity.SensitivityError) as caught:
        aggregate(runs, ["a", "b", "c", "d"], points=3, replicates=2)
    message = str(caught.value)
    assert "output 'c' is infinite in 1 of 6 runs" in message
    assert "outputs 'a' (6 of 6 runs) and 'b' (1 of 6 runs) are undefined" in message
    assert (
        "fill={'a': ..., 'b': ...} from Python; in a study file, a [fill] table of its own: "
        "[fill] a = ..., b = ...;" in message
    )
    assert "'d'" not in message
    filled = aggregate(runs, ["a", "b", "d"], points=3, replicates=2, fill={"a": 0, "b": 0})
    assert filled.values["b"].tolist() == [0.5, 2.5, 4.5]


@pytest.mark.parametrize(
    ("method", "n", "convergence"),
    [("sobol", 16, False), ("sobol", 16, True), ("rbd_fast", 64, True)],
)
def test_an_output_that_does_not_vary_has_a_verdict_saying_so(method, n, convergence):
    study = sensitivity.run_study(
        flat_and_linear, UNIT, method=method, n=n, convergence=convergence
    )
    flat = study.indices[study.indices["output"] == "flat"]
    assert flat.drop(columns=["factor", "output"]).select_dtypes("number").isna().all().all()
    assert study.verdicts["flat"] == {
        "settled": False,
        "widest": None,
        "largest_change": None,
        "reason": DID_NOT_VARY,
    }
    assert "y" not in study.verdicts or study.verdicts["y"]["reason"] != DID_NOT_VARY
    assert f"flat: {DID_NOT_VARY}." in study.report()


# --- factors of a plain function ---------------------------------------------------------------


def test_a_function_is_analysed_over_its_arguments_without_a_default_and_its_seed():
    def with_default(x1, x2, scale=2.0, *, seed):
        return scale * x1 + x2 + np.random.default_rng(seed).normal(0, 0.01)

    study = sensitivity.run_study(
        with_default, {"x1": (0, 1), "x2": (0, 1)}, method="morris", n=4, replicates=2
    )
    assert study.outputs == ["y"]


# --- the model as a function -------------------------------------------------------------


def test_calling_the_model_with_a_factor_that_is_also_fixed_gives_the_study_s_message(tmp_path):
    model = sensitivity.scenario_function("beston", params={"cede_willingness": 0.3}, steps=5)
    with pytest.raises(SweepError) as in_a_study:
        sensitivity.run_study(
            model,
            {"cede_willingness": None},
            method="morris",
            n=2,
            out=tmp_path / "study",
            backend="serial",
        )
    with pytest.raises(SweepError) as called:
        model(cede_willingness=0.5, seed=1)
    assert str(called.value) == str(in_a_study.value)
    assert "cede_willingness is both a factor and a fixed parameter" in str(called.value)
    assert set(model(incremental_share=0.2, seed=1)) == set(model.outputs)


# --- a finished sweep ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return collabsim.sweep(
        scenario="beston",
        factors={"cede_willingness": None, "incremental_share": None},
        design="morris",
        n=3,
        replicates=2,
        steps=10,
        backend="serial",
        out=tmp_path_factory.mktemp("sweep") / "morris",
    )


def test_a_sweep_is_analysed_from_the_result_collabsim_sweep_returns(sweep):
    outputs = ["sustainability_score", "final_trust_cross_org"]
    from_result = sensitivity.analyze_sweep(sweep, outputs=outputs, write=False)
    from_folder = sensitivity.analyze_sweep(sweep.path, outputs=outputs, write=False)
    pd.testing.assert_frame_equal(from_result.indices, from_folder.indices)
    assert from_result.options["source"]["sweep"] == str(sweep.path)


@pytest.mark.parametrize(
    ("path", "shown"), [(3, "3"), (None, "None"), (pd.DataFrame({"run": [0]}), "<DataFrame>")]
)
def test_a_sweep_given_as_anything_else_is_refused_in_one_line(path, shown):
    with pytest.raises(
        sensitivity.SensitivityError,
        match=rf"^path={shown} is not allowed: expected a sweep's results folder or the "
        r"SweepResult collabsim.sweep returns$",
    ):
        sensitivity.analyze_sweep(path, write=False)


def test_the_default_outputs_of_a_sweep_name_every_output_that_needs_a_fill_at_once(sweep):
    runs = sweep.runs
    undefined = {
        output: int(runs[output].isna().sum())
        for output in sweep.meta["outputs"]
        if runs[output].isna().any()
    }
    assert len(undefined) >= 2, undefined  # what the test is about: several at once
    with pytest.raises(sensitivity.SensitivityError) as caught:
        sensitivity.analyze_sweep(sweep, write=False)
    message = str(caught.value)
    for output, count in undefined.items():
        assert f"{output!r} ({count} of {len(runs)} runs)" in message, message
    study = sensitivity.analyze_sweep(sweep, fill=dict.fromkeys(undefined, 0.0), write=False)
    assert study.outputs == list(sweep.meta["outputs"])


# --- the results folder --------------------------------------------------------------------------


def test_a_study_without_figures_writes_no_figures_folder(tmp_path):
    sensitivity.run_study(
        flat_and_linear, UNIT, method="sobol", n=16, out=tmp_path / "s", figures=False
    )
    assert (tmp_path / "s" / "report.md").is_file()
    assert not (tmp_path / "s" / "figures").exists()


#: RBD-FAST's harmonics M, and its smallest sample: SALib divides by zero when the sample
#: or its bootstrap half is 2M (n = 2M, 4M, 4M + 1).
M = RBD_HARMONICS
SMALLEST = 4 * M + 2


@pytest.mark.parametrize("n", [2 * M, 4 * M, 4 * M + 1])
def test_rbd_fast_refuses_a_sample_too_small_for_its_bias_correction(n):
    with pytest.raises(
        sensitivity.SensitivityError, match=rf"n={n} .* expected a whole number >= {SMALLEST}"
    ):
        sensitivity.analyze(flat_and_linear, UNIT, method="rbd_fast", n=n)


def test_rbd_fast_runs_at_its_smallest_sample():
    indices = sensitivity.analyze(flat_and_linear, UNIT, method="rbd_fast", n=SMALLEST)
    assert indices["S1"].notna().any()  # the varying output has indices


def test_a_sweep_too_small_for_rbd_fast_is_refused_naming_its_folder(tmp_path):
    small = collabsim.sweep(
        factors={"cede_willingness": None, "incremental_share": None},
        design="lhs",
        n=20,
        steps=2,
        backend="serial",
        out=tmp_path / "lhs20",
        outputs=["sustainability_score"],
    )
    refusal = rf"lhs20: n=20 .* expected .* >= {SMALLEST}"
    with pytest.raises(sensitivity.SensitivityError, match=refusal):
        sensitivity.analyze_sweep(small, method="rbd_fast", write=False)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("progress", 5, r"progress=5 is not allowed: expected a function called as progress"),
        ("progress", lambda: None, r"expected a function called as progress\(done, total\)"),
        ("out", 3, r"out=3 is not allowed: expected the path of an output folder"),
    ],
)
def test_a_plain_function_study_checks_progress_and_out_before_any_call(option, value, message):
    calls = []

    def counted(x1, x2, x3):
        calls.append(x1)
        return x1 + x2

    with pytest.raises(sensitivity.SensitivityError, match=message):
        sensitivity.analyze(counted, UNIT, method="morris", n=4, **{option: value})
    assert calls == []


def test_the_command_s_summary_says_which_output_did_not_vary(tmp_path):
    from collabsim.commands.sensitivity import study_summary

    study = sensitivity.run_study(
        flat_and_linear, UNIT, method="morris", n=4, out=tmp_path / "study", figures=False
    )
    lines = study_summary(study).splitlines()
    assert f"  flat: {DID_NOT_VARY}" in lines
    assert any(line.startswith("  y: x2 (") for line in lines)  # x2 moves y twice as much


def test_the_summary_names_only_factors_that_move_the_output(tmp_path):
    from collabsim.commands.sensitivity import study_summary

    study = sensitivity.run_study(
        flat_and_linear, UNIT, method="morris", n=4, out=tmp_path / "study", figures=False
    )
    assert study.ranking("y")["factor"].tolist()[-1] == "x3"  # ranked, with mu* 0
    assert study.leading("y")["factor"].tolist() == ["x2", "x1"]
    (line,) = [line for line in study_summary(study).splitlines() if line.startswith("  y:")]
    assert "x3" not in line
