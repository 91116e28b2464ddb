"""``collabsim validate`` and ``collabsim patterns`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from collabsim.cli import main
from collabsim.validation import PATTERNS
from collabsim.validation.report import CSV_COLUMNS, read_csv

DOC = Path(__file__).resolve().parents[1] / "docs" / "patterns.md"


def _cost(pattern) -> int:
    return sum(
        pattern.arms[arm].weeks * pattern.arms[arm].to_params().n_people
        for arm in pattern.arms_run()
    )


#: The cheapest pattern of the catalogue to run (whatever the catalogue holds).
CHEAP = min((p for p in PATTERNS.values() if p.expressible), key=_cost).name


def test_validate_quick_runs_one_pattern_and_sums_up(tmp_path, capsys):
    out = tmp_path / "val"
    assert (
        main(["validate", "--quick", "--pattern", CHEAP, "--out", str(out), "--backend", "serial"])
        == 0
    )
    printed, said = capsys.readouterr()
    # it starts with its size, which is what it then ran
    computed = json.loads((out / "validation.json").read_text(encoding="utf-8"))["computed"]
    arms = len(PATTERNS[CHEAP].arms_run())
    assert said.splitlines()[0].startswith(
        f"collabsim: quick validation: {computed:,} runs ({arms} arm{'s' * (arms > 1)} x 30 seeds, "
    )
    assert computed == 30 * arms
    assert "Validation (quick, 30 seeds per arm): passed" in printed
    assert "of 1 expressible patterns" in printed
    assert f"Report: {out / 'report.md'}" in printed
    table = read_csv(out / "patterns.csv")
    assert tuple(table.columns) == CSV_COLUMNS
    assert table["pattern"].tolist() == [CHEAP] and table["seeds"].tolist() == [30]
    if not table["passed"].iloc[0]:  # whichever way the model goes, the summary says so
        assert f"Failing: {CHEAP}" in printed
    assert (out / "figures" / f"{CHEAP}.png").is_file()

    # the same command again reuses the runs
    assert (
        main(
            [
                "validate",
                "--quick",
                "--pattern",
                CHEAP,
                "--out",
                str(out),
                "--backend",
                "serial",
                "--quiet",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == ""
    assert '"computed": 0' in (out / "validation.json").read_text(encoding="utf-8")


def test_a_quick_run_writes_apart_from_the_full_validation(tmp_path, monkeypatch):
    # the full validation's folder is the table the README and the studies read: a quick
    # run, with no --out, must leave it as it was
    monkeypatch.chdir(tmp_path)
    full = tmp_path / "results" / "validation"
    full.mkdir(parents=True)
    (full / "report.md").write_text("the full validation", encoding="utf-8")
    command = ["validate", "--quick", "--pattern", CHEAP, "--backend", "serial", "--quiet"]
    assert main(command) == 0
    quick = tmp_path / "results" / "validation_quick"
    assert json.loads((quick / "validation.json").read_text(encoding="utf-8"))["mode"] == "quick"
    assert [path.name for path in full.iterdir()] == ["report.md"]
    assert (full / "report.md").read_text(encoding="utf-8") == "the full validation"


def test_another_master_seed_draws_other_seeds_and_writes_apart(tmp_path, monkeypatch, capsys):
    # how the table varies with the master seed is a question a reader of it asks; the
    # committed table (seed 0) must not be replaced by the answer
    monkeypatch.chdir(tmp_path)
    command = ["validate", "--quick", "--pattern", CHEAP, "--backend", "serial", "--quiet"]
    assert main(command) == 0
    assert main([*command, "--seed", "1"]) == 0
    tables = {}
    for name, seed in (("validation_quick", 0), ("validation_quick_seed1", 1)):
        folder = tmp_path / "results" / name
        assert json.loads((folder / "validation.json").read_text(encoding="utf-8"))["seed"] == seed
        tables[seed] = pd.read_csv(folder / "patterns.csv")
    assert tables[0]["effect"].iloc[0] != tables[1]["effect"].iloc[0]  # other replicate seeds

    assert main([*command, "--seed", "-1"]) == 2
    error = capsys.readouterr().err
    refusal = "--seed -1 is not allowed: expected a whole number >= 0"
    assert error.strip() == f"collabsim: error: {refusal}"
    assert not (tmp_path / "results" / "validation_quick_seed-1").exists()


def test_set_runs_the_patterns_at_other_values_and_a_clash_is_refused(tmp_path, capsys):
    out = tmp_path / "val"
    command = ["validate", "--quick", "--pattern", CHEAP, "--backend", "serial", "--quiet"]
    assert main([*command, "--set", "meeting_energy=0.3", "--out", str(out)]) == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "every arm at `meeting_energy`=0.3 instead of the defaults" in report
    assert json.loads((out / "validation.json").read_text(encoding="utf-8"))["params"] == {
        "meeting_energy": 0.3
    }

    never = tmp_path / "never"
    pattern = "power_imbalance_slows_progress"
    assert (
        main(
            ["validate", "--pattern", pattern, "--set", "power_imbalance=0.5", "--out", str(never)]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.strip() == (
        f"collabsim: error: pattern {pattern}, arm balanced: the arm sets power_imbalance, so "
        "it cannot run with another value of it"
    )
    assert not never.exists()


def test_an_unknown_pattern_is_refused_with_suggestions(tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["validate", "--quick", "--pattern", CHEAP[:-1], "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("collabsim: error: ")
    assert f"did you mean {CHEAP}" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    "arguments, match",
    [
        (["--backend", "serial", "--workers", "2"], "--workers is for the pool"),
        (["--scheduler", "tcp://127.0.0.1:1", "--dask-local", "2"], "give one"),
    ],
)
def test_bad_backend_options_are_refused(tmp_path, capsys, arguments, match):
    out = tmp_path / "never"
    assert main(["validate", "--quick", "--pattern", CHEAP, "--out", str(out), *arguments]) == 2
    assert match in capsys.readouterr().err
    assert not out.exists()


def test_a_bad_output_folder_is_refused_in_one_line(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "thesis.tex").write_text("mine", encoding="utf-8")
    assert main(["validate", "--quick", "--pattern", CHEAP, "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("collabsim: error: ") and "not a collabsim validation" in err
    assert [p.name for p in taken.iterdir()] == ["thesis.tex"]
    assert (
        main(["validate", "--quick", "--pattern", CHEAP, "--out", str(taken / "thesis.tex")]) == 2
    )
    assert "is a file" in capsys.readouterr().err


def test_patterns_lists_the_catalogue(capsys):
    assert main(["patterns"]) == 0
    printed = capsys.readouterr().out
    for name, pattern in PATTERNS.items():
        line = next(row for row in printed.splitlines() if row.startswith(name + " "))
        assert ("not expressible" in line) == (not pattern.expressible)


def test_patterns_markdown_matches_the_committed_reference(capsys):
    assert main(["patterns", "--markdown"]) == 0
    assert capsys.readouterr().out == DOC.read_text(encoding="utf-8")


def test_patterns_the_model_cannot_express_are_validated_with_no_runs(tmp_path, capsys):
    unable = next(p.name for p in PATTERNS.values() if not p.expressible)
    out = tmp_path / "val"
    assert main(["validate", "--quick", "--pattern", unable, "--out", str(out)]) == 0
    printed, said = capsys.readouterr()
    assert "passed 0 of 0 expressible patterns; 1 claim not expressible" in printed
    assert "Traceback" not in said and "quick validation:" not in said  # no size to say
    assert read_csv(out / "patterns.csv")["pattern"].tolist() == [unable]
