"""Sensitivity analysis through the public API, on functions with known answers."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest

from collabsim import sensitivity
from collabsim.params import ParameterError
from collabsim.sensitivity.aggregate import aggregate, jackknife_variance
from collabsim.sensitivity.convergence import sizes
from collabsim.sensitivity.evaluate import evaluate
from collabsim.sensitivity.options import AnalysisOptions, study_sampling
from collabsim.sensitivity.problem import function_factors
from collabsim.sweeps.design import make_design, salib_problem
from collabsim.sweeps.sampling import SweepError

BOX = (-np.pi, np.pi)
ISHIGAMI_FACTORS = {"x1": BOX, "x2": BOX, "x3": BOX}
# Ishigami & Homma (1990) with a = 7, b = 0.1: the analytic indices (Saltelli et al. 2008).
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(x1, x2, x3):
    return np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)


COEFFICIENTS = {"x1": 1.0, "x2": 2.0, "x3": 3.0, "x4": 0.0}
UNIT = {name: (0.0, 1.0) for name in COEFFICIENTS}


def linear(x1, x2, x3, x4):
    return sum(COEFFICIENTS[k] * v for k, v in zip(COEFFICIENTS, (x1, x2, x3, x4), strict=True))


NOISE_SD = 2.0  # noise variance 4, against Var f = 16/12 + 4/12 = 5/3 below


def noisy(x1, x2, x3, *, seed):
    """4 x1 + 2 x2 + normal noise of variance 4, independent at every call."""
    key = [seed, *(int(v * 2**40) for v in (x1, x2, x3))]
    return {"y": 4 * x1 + 2 * x2 + 0 * x3 + np.random.default_rng(key).normal(0, NOISE_SD)}


def by_factor(frame, output="y"):
    return frame[frame["output"] == output].set_index("factor")


# --- known answers -----------------------------------------------------------------------


def test_ishigami_sobol_indices_match_the_analytic_values():
    indices = by_factor(
        sensitivity.analyze(ishigami, ISHIGAMI_FACTORS, method="sobol", n=1024, seed=0)
    )
    assert list(indices.index) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(indices["S1"], ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(indices["ST"], ISHIGAMI_ST, atol=0.05)
    assert (indices[["S1_conf", "ST_conf"]] > 0).all().all()
    for column in (
        "factor",
        "output",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
        "noise_share",
        "noise_floor",
        "below_noise",
        "settled",
    ):
        assert column in indices.reset_index().columns


def test_linear_function_indices_are_proportional_to_squared_coefficients():
    indices = by_factor(sensitivity.analyze(linear, UNIT, method="sobol", n=1024, seed=1))
    squares = np.array(list(COEFFICIENTS.values())) ** 2
    expected = squares / squares.sum()  # additive: S1 = ST = a_i^2 / sum a^2
    np.testing.assert_allclose(indices["S1"], expected, atol=0.03)
    np.testing.assert_allclose(indices["ST"], expected, atol=0.03)


def test_second_order_indices_find_the_x1_x3_interaction_of_ishigami():
    study = sensitivity.run_study(
        ishigami, ISHIGAMI_FACTORS, method="sobol", n=512, second_order=True, convergence=False
    )
    pairs = study.second_order.set_index(["factor", "other"])["S2"]
    # Analytic: S13 = ST3 - S1_3 = 0.244, the others 0; Saltelli's S2 estimator is noisy.
    assert pairs.idxmax() == ("x1", "x3")
    assert pairs[("x1", "x3")] > 0.15
    assert abs(pairs[("x1", "x2")]) < 0.1 and abs(pairs[("x2", "x3")]) < 0.1


def test_the_report_splits_the_variance_only_when_the_first_order_sum_is_clearly_within_it():
    study = sensitivity.run_study(
        ishigami, ISHIGAMI_FACTORS, method="sobol", n=512, seed=0, convergence=False
    )
    indices = study.indices
    first = indices["S1"].sum()  # analytic 0.756: interactions add 0.244
    half = np.sqrt((indices["S1_conf"] ** 2).sum())
    assert 0 < first - half and first + half < 1
    said = " ".join(study.report().split())
    assert (
        f"first-order effects explain {first:.0%} of the variance (± {half:.0%}); the rest "
        "comes from interactions" in said
    )
    # Estimates that may sum past the whole, or below nothing, do not split the variance;
    # a negative estimate counts as it is, not as zero.
    for s1 in (indices["S1"] * 1.5, indices["S1"] - 0.3):
        changed = dataclasses.replace(study, indices=indices.assign(S1=s1))
        said = " ".join(changed.report().split())
        assert (
            f"first-order estimates sum to {s1.sum():.0%} of the variance (± {half:.0%}): "
            "at this n they are too uncertain" in said
        )
        assert "the rest comes from interactions" not in said


def test_morris_ranks_the_dominant_factor_of_the_g_function_first():
    a = {"x1": 0.0, "x2": 1.0, "x3": 9.0, "x4": 99.0}  # Sobol' G: small a, large effect

    def g_function(x1, x2, x3, x4):
        return np.prod(
            [(abs(4 * x - 2) + a[k]) / (1 + a[k]) for k, x in zip(a, (x1, x2, x3, x4), strict=True)]
        )

    indices = by_factor(
        sensitivity.analyze(g_function, {k: (0, 1) for k in a}, method="morris", n=30, seed=3)
    )
    assert indices["mu_star"].idxmax() == "x1"
    assert list(indices["mu_star"].sort_values(ascending=False).index) == ["x1", "x2", "x3", "x4"]
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(indices.columns)


@pytest.mark.parametrize("method", ["rbd_fast", "pawn", "delta"])
def test_other_salib_methods_rank_ishigami_x2_above_x3(method):
    # SALib's delta bootstrap is slow: a smaller sample and few resamples keep it quick.
    extra = {"resamples": 10, "n": 500} if method == "delta" else {"n": 1000}
    indices = by_factor(sensitivity.analyze(ishigami, ISHIGAMI_FACTORS, method=method, **extra))
    main = {"rbd_fast": "S1", "pawn": "median", "delta": "delta"}[method]
    assert indices.loc["x2", main] > indices.loc["x3", main]
    if method == "rbd_fast":
        np.testing.assert_allclose(indices["S1"], ISHIGAMI_S1, atol=0.05)


# --- matching rows -----------------------------------------------------------------------


def noisy_runs(n=64, replicates=3, method="sobol"):
    factors = function_factors({"x1": (0, 1), "x2": (0, 1), "x3": (0, 1)}, noisy)
    # a range written as a sweep writes it is the same range
    as_a_sweep = {"x1": {"low": 0, "high": 1}, "x2": (0, 1), "x3": [0, 1]}
    assert function_factors(as_a_sweep, noisy) == factors
    the_design = make_design(factors, study_sampling(method, n=n, seed=0))
    runs = evaluate(noisy, the_design, replicates=replicates, seed=0)
    return runs, the_design.sample, salib_problem(factors)


def test_shuffling_the_order_runs_finish_in_does_not_change_the_indices():
    runs, sample, problem = noisy_runs()
    options = {
        "sampling": study_sampling("sobol", n=64, replicates=3),
        "analysis": AnalysisOptions("sobol"),
        "outputs": ["y"],
    }
    before = sensitivity.analyse_runs(runs, sample, problem, **options)
    shuffled = runs.sample(frac=1.0, random_state=7).reset_index(drop=True)
    assert not shuffled["run"].is_monotonic_increasing
    after = sensitivity.analyse_runs(shuffled, sample, problem, **options)
    pd.testing.assert_frame_equal(before.indices, after.indices)
    pd.testing.assert_frame_equal(before.convergence, after.convergence)
    # Lining outputs up by row position instead would have changed them:
    misplaced = runs.assign(y=shuffled["y"].to_numpy())
    wrong = sensitivity.analyse_runs(misplaced, sample, problem, **options)
    assert not np.allclose(wrong.indices["ST"], before.indices["ST"], atol=0.05)


def test_a_missing_or_repeated_run_is_refused_rather_than_shifting_rows():
    runs, sample, problem = noisy_runs()
    options = {
        "sampling": study_sampling("sobol", n=64, replicates=3),
        "analysis": AnalysisOptions("sobol"),
        "outputs": ["y"],
    }
    with pytest.raises(SweepError, match="1 of 960 runs are missing"):
        sensitivity.analyse_runs(runs.drop(index=5), sample, problem, **options)
    repeated = pd.concat([runs, runs.iloc[[3]]])
    with pytest.raises(SweepError, match="point 1, replicate 0 appears twice"):
        sensitivity.analyse_runs(repeated, sample, problem, **options)


# --- replicates and seed noise ---------------------------------------------------------------


def test_noise_share_and_replicate_mean_on_a_function_with_known_noise():
    replicates = 4
    study = sensitivity.run_study(
        noisy,
        {"x1": (0, 1), "x2": (0, 1), "x3": (0, 1)},
        method="sobol",
        n=512,
        replicates=replicates,
        seed=2,
    )
    noise = study.noise.set_index("output").loc["y"]
    signal, variance = 16 / 12 + 4 / 12, NOISE_SD**2
    assert noise["seed_variance"] == pytest.approx(variance, rel=0.05)
    assert noise["noise_share"] == pytest.approx(variance / (signal + variance), abs=0.03)
    # The mean of r replicates carries 1/r of the noise variance.
    assert noise["statistic_noise_variance"] == pytest.approx(variance / replicates, rel=0.05)
    residual = (variance / replicates) / (signal + variance / replicates)
    assert noise["residual_noise_share"] == pytest.approx(residual, abs=0.04)
    indices = by_factor(study.indices)
    assert (indices["noise_share"] == noise["noise_share"]).all()
    assert indices.loc["x3", "below_noise"]  # no effect: within the noise floor
    assert not indices.loc["x1", "below_noise"]
    assert indices.loc["x1", "ST"] > indices.loc["x1", "noise_floor"]


def test_more_replicates_leave_less_noise_in_the_analysed_values():
    factors = {"x1": (0, 1), "x2": (0, 1), "x3": (0, 1)}
    shares = {}
    for replicates in (2, 8):
        study = sensitivity.run_study(
            noisy, factors, method="morris", n=60, replicates=replicates, convergence=False
        )
        shares[replicates] = study.noise.set_index("output").loc["y"]
    ratio = shares[8]["statistic_noise_variance"] / shares[2]["statistic_noise_variance"]
    assert ratio == pytest.approx(2 / 8, rel=0.25)
    assert shares[8]["residual_noise_share"] < shares[2]["residual_noise_share"]


def test_the_jackknife_variance_of_the_mean_is_the_variance_over_r():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(50, 5))
    matrix[3, 1] = np.nan  # a failed run: that point has 4 replicates
    expected = np.nanvar(matrix, axis=1, ddof=1) / np.sum(~np.isnan(matrix), axis=1)
    np.testing.assert_allclose(jackknife_variance(matrix, "mean"), expected, rtol=1e-12)


def test_statistics_failed_runs_and_undefined_outputs():
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 2, 2],
            "replicate": [0, 1] * 3,
            "y": [1.0, 3.0, np.nan, 5.0, 2.0, np.nan],
            "status": ["ok", "ok", "failed", "ok", "ok", "ok"],
        }
    )
    advice = r"fill=\{'y': \.\.\.\} from Python; in a study file, a \[fill\] table of its own"
    with pytest.raises(SweepError, match=rf"'y' is undefined .* in 1 of 6 runs.*{advice}"):
        aggregate(runs, ["y"], points=3, replicates=2)
    filled = aggregate(runs, ["y"], points=3, replicates=2, fill={"y": 0.0})
    assert filled.values["y"].tolist() == [2.0, 5.0, 1.0]  # point 1: its failed run left out
    noise = filled.noise.iloc[0]
    assert (noise["failed"], noise["filled"]) == (1, 1)
    upper = aggregate(runs, ["y"], points=3, replicates=2, statistic="max", fill={"y": 0.0})
    assert upper.values["y"].tolist() == [3.0, 5.0, 2.0]
    all_failed = runs.assign(status=["ok", "ok", "failed", "failed", "ok", "ok"])
    with pytest.raises(SweepError, match="1 design points .*point 1.* no successful run"):
        aggregate(all_failed, ["y"], points=3, replicates=2, fill={"y": 0.0})


# --- convergence -------------------------------------------------------------------------


def test_a_sobol_sample_of_n_begins_with_the_sample_of_n_over_2():
    factors = function_factors(ISHIGAMI_FACTORS, ishigami)
    full = make_design(factors, study_sampling("sobol", n=256, seed=5)).sample
    for smaller in (32, 64, 128):
        part = make_design(factors, study_sampling("sobol", n=smaller, seed=5)).sample
        np.testing.assert_array_equal(full[: len(part)], part)
    morris_full = make_design(factors, study_sampling("morris", n=16, seed=5)).sample
    morris_part = make_design(factors, study_sampling("morris", n=8, seed=5)).sample
    np.testing.assert_array_equal(morris_full[: len(morris_part)], morris_part)


def test_convergence_reports_each_size_and_says_when_indices_have_not_settled():
    assert sizes("sobol", 1024) == [128, 256, 512, 1024]
    assert sizes("sobol", 32) == [16, 32]
    assert sizes("morris", 40) == [5, 10, 20, 40]
    small = sensitivity.run_study(ishigami, ISHIGAMI_FACTORS, method="sobol", n=64, seed=0)
    assert sorted(small.convergence["n"].unique()) == [16, 32, 64]
    verdict = small.verdicts["y"]
    assert verdict["settled"] is False
    assert "confidence half-width" in verdict["reason"]
    assert "Not settled" in small.report()
    settled = sensitivity.run_study(linear, UNIT, method="sobol", n=4096, seed=0, resamples=200)
    assert settled.verdicts["y"]["settled"] is True, settled.verdicts
    assert settled.indices["settled"].all()
    assert "Converged" in settled.report()


# --- bad input, before any run ---------------------------------------------------------------


class Counting:
    """A function that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x1, x2, x3):
        self.calls += 1
        return {"y": x1 + x2 + x3}


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"factors": {"x1": (0, 1), "x5": (0, 1)}}, SweepError, "unknown factor 'x5'"),
        ({"factors": {"x1": (0, 1), "x_1": (0, 1)}}, SweepError, "did you mean x1"),
        (
            {"n": 1000},
            SweepError,
            "n=1000 is not allowed with method 'sobol': expected a power of 2",
        ),
        ({"method": "sobel"}, SweepError, "did you mean sobol"),
        ({"factors": {"x1": (1, 0)}}, SweepError, "low must be below high"),
        (
            {"factors": {"x1": (0, 0.5, 1), "x2": (0, 1), "x3": (0, 1)}},
            SweepError,
            r"factor x1: expected a range of two numbers, \(low, high\) or \{'low': \.\.\., "
            r"'high': \.\.\.\} \(a function's factors vary continuously\), got \(0, 0.5, 1\)",
        ),
        (
            {"factors": {"x1": (0, 1), "x3": (0, 1)}},
            SweepError,
            r"^missing factor 'x2': Counting needs it \(no default\) and factors has only "
            "x1, x3; give it a range",
        ),
        ({"statistic": "mode"}, SweepError, "statistic='mode' is not a statistic"),
        ({"replicates": 3}, SweepError, "needs a stochastic function"),
        ({"second_order": True, "method": "morris"}, SweepError, "second_order is for method"),
        ({"fill": {"z": 1}, "outputs": ["y"]}, SweepError, "fill: 'z' is not one of the outputs"),
        (
            {"resamples": 10**9},
            SweepError,
            "resamples=1000000000 is not allowed: expected a whole number from 10 to 10,000",
        ),
    ],
)
def test_bad_input_is_refused_before_any_call_and_nothing_is_written(
    tmp_path, options, error, message
):
    func = Counting()
    arguments = {
        "factors": {"x1": (0, 1), "x2": (0, 1), "x3": (0, 1)},
        "n": 64,
        "out": tmp_path / "study",
        **options,
    }
    with pytest.raises(error, match=message):
        sensitivity.run_study(func, **arguments)
    assert func.calls == 0
    assert not (tmp_path / "study").exists()


def test_an_unknown_output_of_a_function_is_refused_at_its_first_call(tmp_path):
    func = Counting()
    with pytest.raises(
        SweepError, match="'z' is not one of the outputs the function .*; allowed: y"
    ):
        sensitivity.run_study(
            func,
            {"x1": (0, 1), "x2": (0, 1), "x3": (0, 1)},
            n=64,
            outputs=["z"],
            out=tmp_path / "study",
        )
    assert func.calls == 1
    assert not (tmp_path / "study").exists()


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"factors": {"cede_wilingness": None}}, ParameterError, "did you mean cede_willingness"),
        (
            {"factors": {"cede_willingness": (0.2, 1.5)}},
            ParameterError,
            "high=1.5 is outside the allowed range",
        ),
        ({"n": 100}, SweepError, "expected a power of 2"),
        (
            {"outputs": ["quality"]},
            SweepError,
            "'quality' is not one of the outputs.*did you mean",
        ),
        ({"method": "fast"}, SweepError, "method='fast' is not a sensitivity method"),
    ],
)
def test_bad_model_studies_are_refused_before_any_run(tmp_path, options, error, message):
    model = sensitivity.scenario_function("iocn", outputs=["sustained", "quality_gain"])
    arguments = {
        "method": "sobol",
        "n": 8,
        "out": tmp_path / "study",
        "backend": "serial",
        **options,
    }
    with pytest.raises(error, match=message):
        sensitivity.run_study(model, **arguments)
    assert not (tmp_path / "study").exists()


def test_an_unknown_output_of_the_model_is_refused_when_the_function_is_built():
    with pytest.raises(
        SweepError, match="'sustainability' is not one of.*did you mean sustainability_score"
    ):
        sensitivity.scenario_function("iocn", outputs=["sustainability"])


# --- results folder ----------------------------------------------------------------------------


def test_the_results_folder_holds_tables_figures_report_and_the_salib_problem(tmp_path):
    study = sensitivity.run_study(
        noisy,
        {"x1": (0, 1), "x2": (0, 1), "x3": (0, 1)},
        method="sobol",
        n=64,
        replicates=2,
        out=tmp_path / "s",
    )
    folder = tmp_path / "s"
    for name in (
        "indices.parquet",
        "indices.csv",
        "noise.csv",
        "convergence.parquet",
        "problem.json",
        "sensitivity.json",
        "report.md",
        "sample.parquet",
        "runs.parquet",
        "figures/sobol_y.png",
        "figures/convergence_y.png",
    ):
        assert (folder / name).is_file(), name
    problem = json.loads((folder / "problem.json").read_text())
    assert {key: problem[key] for key in study.problem} == study.problem
    assert problem["outputs"] == ["y"]
    assert problem["names"] == ["x1", "x2", "x3"]
    loaded = sensitivity.load(folder)
    pd.testing.assert_frame_equal(loaded.indices, study.indices)
    np.testing.assert_array_equal(loaded.sample, study.sample)
    assert loaded.verdicts == json.loads(json.dumps(study.verdicts))
    csv = pd.read_csv(folder / "indices.csv")
    assert list(csv.columns[:6]) == ["factor", "output", "S1", "S1_conf", "ST", "ST_conf"]
    report = (folder / "report.md").read_text()
    assert re.search(r"The most influential factors? (is|are) \*\*x1\*\*", report), report
    assert "Seed noise:" in report
    assert "Model code" not in report  # a function's study: the model's code did not make it
    # Continue in SALib directly: its analyser on the saved problem, sample and values.
    from SALib.analyze import sobol

    values = pd.read_parquet(folder / "values.parquet")
    again = sobol.analyze(
        problem,
        values["y"].to_numpy(),
        calc_second_order=False,
        seed=np.random.default_rng(0),
        num_resamples=1000,
    )
    np.testing.assert_allclose(again["ST"], study.indices["ST"], rtol=1e-12)


def test_an_unknown_option_of_analyze_is_named_as_analyzes_with_a_near_miss(tmp_path):
    func = Counting()
    factors = {"x1": (0, 1), "x2": (0, 1), "x3": (0, 1)}
    with pytest.raises(SweepError, match=r"^analyze\(\) got an unknown option 'replicats' \(did"):
        sensitivity.analyze(func, factors, n=64, out=tmp_path / "study", replicats=2)
    assert func.calls == 0
    assert not (tmp_path / "study").exists()
