"""``collabsim robustness`` on the command line."""

from __future__ import annotations

import re

import pytest
from robustness_support import TINY_STUDY
from test_sweep_kill_and_memory import SCRIPT, first_lines_then_ctrl_c

from collabsim.cli import main

#: 16 distinct arms (two levers at two settings in four contexts) of 100,000 seeds each.
HUGE_STUDY = """
[robustness]
name = "huge"
scenario = "beston"
seeds = 100000
steps = 20

[levers]
cede_willingness = {low = 0.1, high = 0.9}
distributed_leadership = {low = 0.1, high = 0.9}

[contexts]
sizes = [40, 50, 60]
"""

#: How the huge study's size reads, in the study file's words.
HUGE_RUNS = "1,600,000 runs (16 arms x 100,000 seeds, 20 weeks each)"


def test_a_tiny_study_runs_and_ends_with_its_headline(tmp_path, capsys):
    study = tmp_path / "tiny.toml"
    study.write_text(TINY_STUDY, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["robustness", str(study), "--out", str(out), "--backend", "serial"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(
        "Lever robustness:\n  Willingness to cede territory (0.1 \u2192 0.9) raises survival in "
    )
    assert printed.rstrip().endswith(f"Report: {out / 'report.md'}")
    for name in ("robustness.csv", "summary.csv", "report.md", "meta.json"):
        assert (out / name).is_file()

    assert (
        main(["robustness", str(study), "--out", str(out), "--backend", "serial", "--quiet"]) == 0
    )
    assert capsys.readouterr().out == ""
    assert '"computed": 0' in (out / "meta.json").read_text(encoding="utf-8")


def test_the_default_folder_is_named_after_the_study(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY_STUDY, encoding="utf-8")
    assert main(["robustness", "tiny.toml", "--backend", "serial", "--quiet"]) == 0
    assert (tmp_path / "results" / "robustness" / "tiny" / "report.md").is_file()


@pytest.mark.parametrize(
    "old, new, match",
    [
        (
            "cede_willingness = {",
            "cede_willingnes = {",
            "levers.cede_willingnes: "
            "'cede_willingnes' is not a parameter; did you mean cede_willingness?",
        ),
        ("sizes = [40]", "sizes = [3]", "contexts.sizes: n_people=3 is not allowed"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_and_nothing_is_written(
    tmp_path, capsys, old, new, match
):
    study = tmp_path / "bad.toml"
    study.write_text(TINY_STUDY.replace(old, new), encoding="utf-8")
    out = tmp_path / "never"
    assert main(["robustness", str(study), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"collabsim: error: {study}: ") and match in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_backend_options_and_folders_are_refused(tmp_path, capsys):
    study = tmp_path / "tiny.toml"
    study.write_text(TINY_STUDY, encoding="utf-8")
    out = tmp_path / "never"
    assert (
        main(["robustness", str(study), "--out", str(out), "--backend", "serial", "--workers", "2"])
        == 2
    )
    assert "--workers is for the pool" in capsys.readouterr().err
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "thesis.tex").write_text("mine", encoding="utf-8")
    assert main(["robustness", str(study), "--out", str(taken)]) == 2
    assert "not a collabsim robustness study" in capsys.readouterr().err
    assert not out.exists() and [p.name for p in taken.iterdir()] == ["thesis.tex"]


def test_a_huge_study_is_refused_at_once_in_its_own_words_and_nothing_is_written(tmp_path, capsys):
    study = tmp_path / "huge.toml"
    study.write_text(HUGE_STUDY, encoding="utf-8")
    out = tmp_path / "never"
    assert main(["robustness", str(study), "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"collabsim: error: {study}: {HUGE_RUNS} (about "), line
    assert line.endswith(
        "is more than the 1,000,000 runs a robustness study may have unconfirmed: use fewer "
        "seeds, levers or contexts, or give --allow-large to run it"
    ), line
    assert "replicates" not in line
    assert not out.exists()


def test_a_huge_study_runs_once_confirmed_saying_its_size_first(tmp_path):
    (tmp_path / "huge.toml").write_text(HUGE_STUDY, encoding="utf-8")
    command = [SCRIPT, "robustness", "huge.toml", "--out", "out", "--allow-large"]
    (start, progress), status, err = first_lines_then_ctrl_c(
        [*command, "--backend", "serial"], tmp_path
    )
    assert start.startswith(f"collabsim: huge.toml: {HUGE_RUNS}: about "), start
    assert " on 1 worker and " in start and start.rstrip().endswith(" on disk"), start
    assert progress == "collabsim: 0 of 1,600,000 runs (0%)\n"  # under way: not refused
    assert status == 130, err
    assert re.fullmatch(  # how far it got, where that is kept, how to go on
        r"collabsim: interrupted: [\d,]+ of 1,600,000 runs done; the finished runs are "
        r"saved in out; run the same command again to resume",
        err.strip().splitlines()[-1],
    ), err
    assert (tmp_path / "out" / "meta.json").is_file()
