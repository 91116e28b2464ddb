"""``collabsim calibrate`` on the command line: a tiny file end to end, and refusals."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from test_sweep_kill_and_memory import SCRIPT, first_lines_then_ctrl_c

from collabsim import calibration, commands
from collabsim.cli import main
from collabsim.commands import StageProgress

EXAMPLE = Path(__file__).resolve().parents[1] / "experiments" / "calibration_iocn.toml"

# the catalogue's cheapest pattern (24 weeks of beston) and a target, 3 seeds, 3 points
TINY = """\
[calibration]
name = "tiny"
points = 3
seed = 1

[factors]
meeting_energy = {low = 0.05, high = 0.4}
commitment_decay = {low = 0.001, high = 0.02}

[[stage]]
name = "energy"
seeds = 3
patterns = ["small_tests_energise"]
alpha = 0.2
min_passed = 0.0
[[stage.target]]
name = "trust"
arm = {scenario = "beston", steps = 24}
output = "final_trust_cross_org"
low = 0.0
high = 1.0
"""


def test_calibrate_runs_a_tiny_file_and_sums_up(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    out = tmp_path / "cal"
    assert main(["calibrate", str(path), "--out", str(out), "--backend", "serial"]) == 0
    printed = capsys.readouterr().out
    assert "Calibration tiny: 3 points over 2 rates." in printed
    assert "  energy: 3 of 3 points passed." in printed  # min_passed 0, trust within 0-1
    assert "  Accepted: 3 of 3 (100.0%)." in printed
    assert "  Recommended (point " in printed and "meeting_energy=" in printed
    assert f"Report: {out / 'calibration.md'}" in printed
    assert "have no value for target" not in (out / "calibration.md").read_text(encoding="utf-8")
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 3 and points["accepted"].all()
    info = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert info["file"]["path"] == str(path) and len(info["file"]["sha256"]) == 64
    assert info["runs"]["energy"]["computed"] == 3 * 3  # the pattern and target share an arm

    # the same command again reuses every run and, quiet, prints nothing
    assert main(["calibrate", str(path), "--out", str(out), "--backend", "serial", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    info = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert info["runs"]["energy"]["computed"] == 0


def test_a_target_whose_output_is_undefined_is_said_in_the_report(tmp_path, capsys):
    # no Beston network dissolves in 24 weeks here, so it has no collapse week: every point
    # fails the target, and the report says why rather than showing blanks
    path = tmp_path / "undefined.toml"
    path.write_text(TINY.replace('"final_trust_cross_org"', '"collapse_step"'), encoding="utf-8")
    out = tmp_path / "cal"
    assert main(["calibrate", str(path), "--out", str(out), "--backend", "serial"]) == 0
    assert "  energy: 0 of 3 points passed." in capsys.readouterr().out
    assert (
        "3 of the 3 points stage energy judged have no value for target `trust`: "
        "`collapse_step` was undefined in every run of an arm there, and they fail the target "
        "for it." in (out / "calibration.md").read_text(encoding="utf-8")
    )


def test_progress_off_a_terminal_is_a_plain_line(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    assert (
        main(["calibrate", str(path), "--out", str(tmp_path / "cal"), "--backend", "serial"]) == 0
    )
    err = capsys.readouterr().err  # pytest's stderr is not a terminal
    assert "collabsim: energy: 0 of 9 runs (0%)" in err
    assert "collabsim: energy: 9 of 9 runs (100%)" in err
    assert "collabsim: energy scored: 9 of 9 runs (100%)" in err  # then its points' scores


@pytest.mark.parametrize(
    "change, match",
    [
        (
            ("meeting_energy = {low", "cede_willingness = {low"),
            "cede_willingness is a policy lever",
        ),
        (
            ('["small_tests_energise"]', '["small_tests_energize"]'),
            "did you mean small_tests_energise",
        ),
        (("seeds = 3", "seeds = 0"), "stage energy: seeds=0 is not allowed"),
        (
            ("[[stage]]\nname", "[stage]\nname"),
            "[stage] is written with single brackets: write each stage as [[stage]]",
        ),
    ],
)
def test_a_bad_file_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, change, match):
    path = tmp_path / "bad.toml"
    path.write_text(TINY.replace(*change), encoding="utf-8")
    out = tmp_path / "never"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"collabsim: error: {path}: ") and match in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_stage_left_out_is_not_run_and_its_results_go_to_their_own_folder(
    tmp_path, capsys, monkeypatch
):
    second = TINY.replace('name = "energy"', 'name = "second"').split("[[stage]]", 1)[1]
    (tmp_path / "two.toml").write_text(TINY + "\n[[stage]]" + second, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    command = ["calibrate", "two.toml", "--backend", "serial", "--quiet"]
    assert main([*command, "--skip-stage", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "collabsim: error: two.toml: no stage 'nope' to leave out: the stages of "
        "calibration tiny are energy, second"
    )
    assert not (tmp_path / "results").exists()

    assert main([*command, "--skip-stage", "energy"]) == 0
    out = tmp_path / "results" / "calibration" / "tiny_without_energy"
    info = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in info["plan"]["stages"]] == ["second"]
    assert list(info["runs"]) == ["second"]
    assert "second_passed" in pd.read_csv(out / "points.csv")
    assert "energy_passed" not in pd.read_csv(out / "points.csv")


def test_backend_options_and_output_folders_are_checked(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    assert main(["calibrate", str(path), "--backend", "serial", "--workers", "2"]) == 2
    assert "--workers is for the pool" in capsys.readouterr().err
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "thesis.tex").write_text("mine", encoding="utf-8")
    assert main(["calibrate", str(path), "--out", str(taken)]) == 2
    assert "not a collabsim calibration" in capsys.readouterr().err
    assert [p.name for p in taken.iterdir()] == ["thesis.tex"]
    assert main(["calibrate", str(tmp_path / "absent.toml")]) == 2
    assert "no such calibration file" in capsys.readouterr().err


def test_a_huge_calibration_is_refused_at_once_in_one_line_and_nothing_is_written(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text(TINY.replace("points = 3", "points = 400000"), encoding="utf-8")
    done = subprocess.run(
        [SCRIPT, "calibrate", str(path), "--out", "never"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(
        f"collabsim: error: {path}: 1,200,000 runs (400,000 points x 1 arm x 3 seeds in stage "
        "energy) (about "
    ), line
    assert line.endswith(
        "is more than the 1,000,000 runs a calibration stage may have unconfirmed: use fewer "
        "points or seeds, or give --allow-large to run it"
    ), line
    assert not (tmp_path / "never").exists()


#: TINY with a second stage: the same arm at one more seed, which every point reaches.
TWO_STAGES = f"""{TINY}
[[stage]]
name = "again"
seeds = 4
patterns = ["small_tests_energise"]
alpha = 0.2
min_passed = 0.0
"""


def test_a_calibration_starts_by_saying_its_size_and_runs_what_it_said(tmp_path, capsys):
    path = tmp_path / "two.toml"
    path.write_text(TWO_STAGES, encoding="utf-8")
    out = tmp_path / "cal"
    assert main(["calibrate", str(path), "--out", str(out), "--backend", "serial"]) == 0
    start = capsys.readouterr().err.splitlines()[0]
    first, most = start.split("; up to ")
    assert first.startswith(
        f"collabsim: {path}: 9 runs (3 points x 1 arm x 3 seeds in stage energy): about "
    ), start
    assert most.startswith(
        "21 runs (3 points through 2 stages, if every point passes every stage): about "
    ), start
    for part in (first, most):
        assert " on 1 worker and " in part and part.endswith(" on disk"), start
    runs = json.loads((out / "meta.json").read_text(encoding="utf-8"))["runs"]
    assert [runs[stage]["needed"] for stage in ("energy", "again")] == [9, 12]


def test_a_huge_calibration_runs_once_confirmed(tmp_path):
    path = tmp_path / "huge.toml"
    huge = TINY.replace("points = 3", "points = 11").replace("seeds = 3", "seeds = 100000")
    path.write_text(huge, encoding="utf-8")
    (start, progress), status, err = first_lines_then_ctrl_c(
        [SCRIPT, "calibrate", "huge.toml", "--out", "out", "--allow-large", "--backend", "serial"],
        tmp_path,
    )
    assert start.startswith(
        "collabsim: huge.toml: 1,100,000 runs (11 points x 1 arm x 100,000 seeds in stage "
        "energy): about "
    ), start
    assert progress == "collabsim: energy: 0 of 1,100,000 runs (0%)\n"  # under way
    assert status == 130, err
    assert re.fullmatch(  # how far it got, where that is kept, how to go on
        r"collabsim: interrupted: energy: [\d,]+ of 1,100,000 runs done; the finished runs "
        r"are saved in out; run the same command again to resume",
        err.strip().splitlines()[-1],
    ), err
    assert (tmp_path / "out" / "meta.json").is_file()


def test_the_example_file_is_accepted_by_the_command_line_reader():
    plan = calibration.read_plan(EXAMPLE)
    assert plan.default_out == Path("results") / "calibration" / "iocn_rates"


def test_stage_progress_off_a_terminal_prints_plain_lines_now_and_then(monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 40.0, 41.0, 42.0])
    monkeypatch.setattr(commands, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    stream = io.StringIO()
    progress = StageProgress(enabled=True, terminal=False, stream=stream)
    for stage, done, total in [
        ("first", 0, 10),
        ("first", 3, 10),
        ("first", 5, 10),
        ("first", 7, 10),
        ("first", 10, 10),
        ("second", 2, 4),
    ]:
        progress(stage, done, total)
    assert stream.getvalue().splitlines() == [
        "collabsim: first: 0 of 10 runs (0%)",
        "collabsim: first: 7 of 10 runs (70%), 40 s elapsed, about 29 s to go",
        "collabsim: first: 10 of 10 runs (100%), 41 s elapsed",
        "collabsim: second: 2 of 4 runs (50%)",
    ]
    quiet = io.StringIO()
    StageProgress(enabled=False, terminal=False, stream=quiet)("first", 1, 2)
    assert quiet.getvalue() == ""
