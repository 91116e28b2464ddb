"""``collabsim sensitivity FILE``: a small model study end to end, and bad files refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from collabsim import experiments, sensitivity
from collabsim.cli import main
from collabsim.fingerprint import code_fingerprint
from collabsim.sensitivity.files import read_study_file
from collabsim.sweeps import load as load_sweep

TINY = """\
[sensitivity]
name = "tiny"
scenario = "iocn"
method = "morris"
n = 4
replicates = 2
steps = 8
seed = 0
outputs = ["sustainability_score", "quality_gain"]

[params]
n_people = 30

[factors]
cede_willingness = {}
academic_partner = {}
meeting_interval = {low = 1, high = 4}
"""


def write(folder, text, name="study.toml"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_model_study_runs_resumes_and_writes_its_folder(tmp_path, capsys):
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--backend", "serial", "--out", str(out)]) == 0
    printed, said = capsys.readouterr()
    # it starts with the size of the runs it then does: 4 trajectories of 4 points, twice
    assert said.splitlines()[0].startswith(
        f"collabsim: {path}: 32 runs (16 morris design points x 2 replicates, 8 weeks each): about "
    )
    assert "morris indices of 2 outputs over 3 factors (32 runs)" in printed
    assert "quality_gain:" in printed

    runs = load_sweep(out).runs  # the runs are a sweep: resumable, on any backend
    assert len(runs) == 4 * 4 * 2 and set(runs["replicate"]) == {0, 1}
    study = sensitivity.load(out)
    assert study.method == "morris"
    assert set(study.indices["factor"]) == {
        "cede_willingness",
        "academic_partner",
        "meeting_interval",
    }
    problem = json.loads((out / "problem.json").read_text())
    salib = load_sweep(out).problem
    assert {key: problem[key] for key in salib} == salib
    assert problem["outputs"] == ["sustainability_score", "quality_gain"]
    assert problem["bounds"][2] == [1.0, 5.0]  # whole weeks 1-4, each equally likely
    for name in (
        "indices.csv",
        "report.md",
        "sensitivity.json",
        "meta.json",
        "figures/morris_quality_gain.png",
    ):
        assert (out / name).is_file(), name
    meta = json.loads((out / "sensitivity.json").read_text())
    assert meta["kind"] == "collabsim sensitivity" and meta["options"]["replicates"] == 2
    report = (out / "report.md").read_text()
    assert "## quality_gain" in report
    # what made it, in its provenance file and in the report's last line
    assert meta["code_fingerprint"] == code_fingerprint()
    assert report.splitlines()[-1].startswith(f"Model code `{code_fingerprint()}`")

    before = pd.read_parquet(out / "indices.parquet")
    assert (
        main(["sensitivity", str(path), "--backend", "serial", "--out", str(out), "--quiet"]) == 0
    )
    assert capsys.readouterr().out == ""
    assert len(load_sweep(out).meta["sessions"]) == 2  # resumed: nothing left to run
    pd.testing.assert_frame_equal(pd.read_parquet(out / "indices.parquet"), before)


def test_a_study_kept_without_its_runs_runs_again_in_its_folder(tmp_path, capsys):
    """As a clone of a repository that commits the analysis but not the runs holds it."""
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    command = ["sensitivity", str(path), "--backend", "serial", "--out", str(out), "--quiet"]
    assert main(command) == 0
    before = (out / "indices.csv").read_text()
    listed = json.loads((out / "sensitivity.json").read_text())["files"]
    kept = {name for name in listed if not name.endswith(".parquet")}
    for file in sorted(out.rglob("*"), reverse=True):
        name = file.relative_to(out).as_posix()
        if name not in kept and name != "figures":
            file.unlink() if file.is_file() else file.rmdir()
    assert not (out / "meta.json").exists() and (out / "report.md").is_file()

    (out / "notes.txt").write_text("mine")  # with a file of the user's own: refused, kept
    assert main(command) == 2
    assert "not a collabsim sweep" in capsys.readouterr().err
    assert (out / "indices.csv").read_text() == before and (out / "notes.txt").is_file()

    (out / "notes.txt").unlink()
    assert main(command) == 0, capsys.readouterr().err
    assert (out / "indices.csv").read_text() == before
    assert len(load_sweep(out).runs) == 32


def test_the_iocn_study_script_refuses_a_folder_of_the_users_in_one_line(tmp_path):
    folder = tmp_path / "results" / "sensitivity_iocn"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("mine")
    done = subprocess.run(
        [sys.executable, "-m", "collabsim.experiments.sensitivity_iocn", "--backend", "serial"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("collabsim: ") and len(done.stderr.splitlines()) == 1
    assert "not a collabsim sweep" in done.stderr
    assert [f.name for f in folder.iterdir()] == ["notes.txt"]


def test_the_iocn_study_file_is_valid():
    spec = read_study_file(experiments.path("sensitivity_iocn.toml"))
    assert spec["function"]["outputs"] == [
        "sustained",
        "sustainability_score",
        "quality_gain_vs_silo",
    ]
    assert spec["study"]["method"] == "sobol" and spec["study"]["n"] == 256
    from collabsim.params import LEVERS

    assert list(spec["study"]["factors"]) == list(LEVERS)


BAD = [
    (
        "unknown factor",
        TINY.replace("cede_willingness = {}", "cede_wilingness = {}"),
        "did you mean cede_willingness",
    ),
    (
        "n not a power of two",
        TINY.replace('method = "morris"', 'method = "sobol"').replace("n = 4", "n = 12"),
        "n=12 is not allowed with method 'sobol': expected a power of 2",
    ),
    (
        "unknown output",
        TINY.replace('"quality_gain"]', '"quality"]'),
        "'quality' is not one of the",
    ),
    ("bad method", TINY.replace('method = "morris"', 'method = "morriss"'), "did you mean morris"),
    (
        "bounds outside the allowed range",
        TINY.replace("high = 4", "high = 60"),
        "meeting_interval: high=60 is outside the allowed range",
    ),
    ("unknown key", TINY.replace("seed = 0", "sead = 0"), "unknown key 'sead'"),
    (
        "fill written as a key of [sensitivity]",
        TINY.replace("seed = 0", "seed = 0\nfill = {quality_gain = 0}"),
        "[sensitivity]: fill is a table of its own, not a key: write it after the "
        "[sensitivity] table's keys as [fill]",
    ),
    (
        "collapse_step needs its fill named",
        TINY + "[fill]\ncollapse_step = 8\n",
        "fill: 'collapse_step' is not one of the outputs",
    ),
]


@pytest.mark.parametrize(("problem", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_study_files_exit_2_in_one_line_before_anything_is_written(
    tmp_path, capsys, problem, text, expected
):
    path = write(tmp_path, text)
    out = tmp_path / "out"
    status = main(["sensitivity", str(path), "--backend", "serial", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2, captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("collabsim: error: "), captured.err
    assert expected in lines[0], (problem, lines[0])
    assert captured.out == ""
    assert not out.exists()
