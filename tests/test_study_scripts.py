"""The project's own study scripts (``experiments/``): the arms they run, and that they refuse
what they cannot resume."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from study_support import EXPERIMENTS, load, run_script

import collabsim
import collabsim.sweeps.sampling
from collabsim.calibration import read_plan

SCRIPT = EXPERIMENTS / "iocn_checks.py"
BEST = SCRIPT.with_name("rates_alone_best.py")


def test_the_checks_refuse_a_folder_of_other_runs_in_one_line_and_restart_is_offered(tmp_path):
    # another sweep where the checks keep their runs, as an earlier model's would be
    collabsim.sweep(
        factors={"cede_willingness": [0.2, 0.8]},
        steps=2,
        out=tmp_path / "results" / "iocn_checks" / "runs",
        backend="serial",
    )
    done = run_script(SCRIPT, tmp_path, "--seeds", "2")
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("iocn_checks: results/iocn_checks/runs holds a sweep")
    assert "use --restart to discard it" in line


def test_the_checks_measure_their_steepest_moves_again_on_seeds_of_their_own(tmp_path):
    done = run_script(SCRIPT, tmp_path, "--seeds", "3", "--workers", "1")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "results" / "iocn_checks"
    checks, steepest = (pd.read_csv(out / f"{name}.csv") for name in ("checks", "steepest"))
    script = load(SCRIPT)
    knife, arms = script.steady_targets()["knife_edge"], script.arms()
    # the moves whose shift is largest in size, the first of equal shifts in rate order
    moves = checks[checks["arm"].str.contains(" x")]
    size = moves["shift"].abs().round(12)
    order = sorted(range(len(moves)), key=lambda i: (-size.iloc[i], i))[: knife.recheck.moves]
    assert steepest["arm"].tolist() == moves["arm"].iloc[order].tolist()
    # measured again with the defaults, on three seeds of the recheck's own master seed
    seeds = collabsim.sweeps.sampling.replicate_seeds(knife.recheck.seed, 3)
    defaults = collabsim.scenario("iocn")
    for row in steepest.itertuples():
        moved = collabsim.scenario("iocn", **arms[row.arm])
        shares = [
            sum(collabsim.run(params, seed=s).summary["sustained"] for s in seeds) / len(seeds)
            for params in (moved, defaults)
        ]
        assert row.shift == pytest.approx(shares[0] - shares[1], abs=1e-12)
    assert f"measured again on 3 seeds of master seed {knife.recheck.seed}" in (
        (out / "checks.md").read_text(encoding="utf-8")
    )


def test_the_issue_based_arms_undo_one_difference_from_iocn_each():
    arms = load(SCRIPT).clahrc_arms()
    shipped, iocn = collabsim.scenario("clahrc"), collabsim.scenario("iocn")
    assert collabsim.scenario("clahrc", **arms.pop("clahrc")) == shipped
    undone = []
    for label, point in arms.items():
        arm = collabsim.scenario("clahrc", **point)
        (name,) = [n for n in collabsim.PARAMETERS if arm[n] != shipped[n]]
        assert arm[name] == iocn[name] and label == f"clahrc {name} {iocn[name]}"
        undone.append(name)
    # every difference a sweep can vary, each once; the list of organisations is not one
    differing = [n for n in collabsim.PARAMETERS if shipped[n] != iocn[n]]
    assert sorted(undone) == sorted(set(differing) - {"organisations"})
    assert len(undone) == 10


def test_the_best_rates_read_the_study_the_limitations_name():
    best = load(BEST)
    left_out = read_plan(best.PLAN).without_stages(best.SKIPPED)
    assert left_out.default_out == best.CALIBRATION  # results/calibration/<name>_without_...


def test_the_best_rates_need_the_defaults_full_validation_of_this_code(tmp_path):
    done = run_script(BEST, tmp_path)
    assert done.returncode == 2 and not (tmp_path / "results" / "rates_alone_best").exists()
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("rates_alone_best: no results/validation/validation.json: run ")

    # a validation of other model code, and the calibration's points, are there
    root = EXPERIMENTS.parent / "results"
    for name in (
        "validation/validation.json",
        "calibration/iocn_near_without_fragile_steady_steepness/points.csv",
    ):
        (tmp_path / "results" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "results" / name).write_bytes((root / name).read_bytes())
    made_by = tmp_path / "results" / "validation" / "validation.json"
    made_by.write_text(
        made_by.read_text(encoding="utf-8").replace(
            '"code_fingerprint": "', '"code_fingerprint": "x'
        ),
        encoding="utf-8",
    )
    done = run_script(BEST, tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        "rates_alone_best: results/validation is not the full validation of this model code: "
        "rerun collabsim validate --out results/validation first"
    )


def test_the_best_rates_table_names_what_each_set_gains_and_loses():
    table = pd.DataFrame(
        [
            {
                "point": "defaults",
                "passed_30_seeds": None,
                "passed_full": 30,
                "gains": "",
                "loses": "",
            },
            {"point": "7", "passed_30_seeds": 31, "passed_full": 29, "gains": "a", "loses": "b c"},
        ]
    )
    made = {"min_passed": 29, "code_fingerprint": "0.1.0+0123456789abcdef", "git_commit": None}
    text = load(BEST)._report(table, made)
    assert "| the defaults |  | 30 |  |  |" in text
    assert "| point 7 | 31 | 29 | `a` | `b`, `c` |" in text
    assert "at least 29 of the 40" in text
    assert "do not. Model code `0.1.0+0123456789abcdef`.\n" in text  # no commit outside git


STUDIES = EXPERIMENTS / "studies.py"


def test_every_committed_study_is_listed_with_its_command_in_the_tables_order(tmp_path):
    table = load(STUDIES).studies()
    done = run_script(STUDIES, tmp_path, "--list")
    assert done.returncode == 0, done.stderr
    listed = done.stdout.splitlines()
    assert len(listed) == len(table) >= 8
    for number, ((folder, command), line) in enumerate(zip(table, listed, strict=True), 1):
        assert line == f"[{number}/{len(table)}] results/{folder}: {command}"
    assert ("validation/", "collabsim validate --out results/validation") in table


def test_studies_made_by_this_code_are_not_run_again(tmp_path):
    done = run_script(STUDIES, tmp_path, "--stale")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "nothing to run: every study asked for was made by this code"


def test_an_unknown_study_is_refused_naming_the_known_ones(tmp_path):
    done = run_script(STUDIES, tmp_path, "--only", "results/valdation", "--list")
    assert done.returncode == 2
    assert "--only valdation/: not a committed study" in done.stderr
    assert "'validation/'" in done.stderr and "Traceback" not in done.stderr


def test_a_study_asked_for_by_its_path_runs_alone(tmp_path):
    done = run_script(STUDIES, tmp_path, "--only", "results/iocn_checks", "--list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[1/1] results/iocn_checks/: python experiments/iocn_checks.py"
    ]


def test_the_commands_run_with_this_interpreter():
    module = load(STUDIES)
    assert module.argv_of("python experiments/iocn_checks.py")[0] == sys.executable
    collabsim_path = module.argv_of("collabsim validate --out results/validation")[0]
    assert collabsim_path == str(Path(sys.executable).parent / "collabsim")
    assert module.argv_of("make results")[0] == "make"
