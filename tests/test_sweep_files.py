"""Experiment files and ``collabsim sweep``: everything checked before any run, in one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_support import SCRIPT, collabsim_cmd

import collabsim
from collabsim import experiments
from collabsim.cli import main
from collabsim.sweeps.files import read_sweep_file
from collabsim.sweeps.plan import plan_sweep

EXAMPLE = experiments.path("sweep_partner_cede.toml")

GOOD = """\
[sweep]
name = "small"
scenario = "iocn"
design = "grid"
levels = 2
replicates = 2
steps = 6
seed = 0
outputs = ["sustained", "quality_gain"]

[params]
n_people = 30

[factors]
academic_partner = [true, false]
cede_willingness = {low = 0.2, high = 0.8}
"""


def write(folder: Path, text: str, name: str = "sweep.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sweep_file_reads_into_the_api_options(tmp_path):
    options = read_sweep_file(write(tmp_path, GOOD))
    assert options == {
        "name": "small",
        "scenario": "iocn",
        "design": "grid",
        "levels": 2,
        "replicates": 2,
        "steps": 6,
        "seed": 0,
        "outputs": ["sustained", "quality_gain"],
        "params": {"n_people": 30},
        "factors": {
            "academic_partner": [True, False],
            "cede_willingness": {"low": 0.2, "high": 0.8},
        },
    }
    plan = plan_sweep(**options)
    assert plan.total == 8 and plan.out == Path("results/small")
    assert plan.design.points["cede_willingness"].tolist() == [0.2, 0.8, 0.2, 0.8]


def test_defaults_explicit_points_timeseries_and_a_scenario_beside_the_file(tmp_path):
    (tmp_path / "city.toml").write_text(
        "[scenario]\ndescription = 'x'\n[params]\nn_people = 40\nhorizon = 12\n", encoding="utf-8"
    )
    path = write(
        tmp_path,
        """\
[sweep]
scenario = "city.toml"
[sweep.timeseries]
reporters = "all"
every = 3
[[points]]
cede_willingness = 0.1
[[points]]
cede_willingness = 0.9
""",
        name="two_points.toml",
    )
    options = read_sweep_file(path)
    assert options["name"] == "two_points"  # the file's name
    assert options["scenario"] == str(tmp_path / "city.toml")
    assert (options["timeseries"], options["every"]) == (True, 3)
    plan = plan_sweep(**options)
    assert plan.design.kind == "explicit" and len(plan.design) == 2
    assert plan.steps == 12 and plan.base["n_people"] == 40  # the scenario's horizon
    assert plan.replicates == 1 and plan.seed == 0


def test_the_example_experiment_file_is_valid():
    plan = plan_sweep(**read_sweep_file(EXAMPLE))
    assert plan.name == "partner_cede"
    assert plan.total == 10 * 20
    assert set(plan.design.points.columns) == {"academic_partner", "cede_willingness"}


BAD_FILES = [
    # (what is wrong, the file, words the one-line message must contain)
    (
        "unknown parameter",
        GOOD.replace("academic_partner =", "academic_partnr ="),
        ["academic_partnr", "did you mean academic_partner"],
    ),
    (
        "bounds outside the allowed range",
        GOOD.replace("high = 0.8", "high = 1.8"),
        ["cede_willingness", "high=1.8", "outside the allowed range", "0 to 1"],
    ),
    (
        "bad design name",
        GOOD.replace('design = "grid"', 'design = "sobel"'),
        ["design='sobel'", "did you mean sobol"],
    ),
    (
        "negative replicates",
        GOOD.replace("replicates = 2", "replicates = -2"),
        ["replicates=-2", "whole number from 1 to 100,000"],
    ),
]


@pytest.mark.parametrize(
    ("problem", "text", "expected"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_malformed_sweep_files_exit_2_in_one_line_and_write_nothing(
    tmp_path, problem, text, expected
):
    path = write(tmp_path, text)
    done = collabsim_cmd("sweep", str(path), "--backend", "serial", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("collabsim: error: ")
    for words in expected:
        assert words in lines[0], (problem, lines[0])
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.toml"]  # nothing written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("[factors]", "[factor]"), "unknown table [factor]; allowed"),
        ("seeds = 3\n" + GOOD, "unknown key 'seeds' outside any table; allowed: [sweep]"),
        (GOOD.replace("levels = 2", "level = 2"), "[sweep]: unknown key 'level'"),
        (GOOD.replace("[sweep]", "[sweep"), "not valid TOML"),
        ("[factors]\ncede_willingness = [0.1]\n", "no [sweep] table"),
        (GOOD.replace('design = "grid"', 'design = "lhs"'), "design 'lhs' needs n"),
        (GOOD.replace("levels = 2", "n = 8"), "n=8 is not allowed with design 'grid'"),
        (
            GOOD.replace('design = "grid"', 'design = "lhs"\nn = 4'),
            "levels=2 is not allowed with design 'lhs'",
        ),
        (
            GOOD.replace("[params]", "[sweep.timeseries]\nreporters = []\n[params]"),
            "reporters = [] keeps no time series",
        ),
        (GOOD.replace("steps = 6", "steps = 0"), "steps=0 is not allowed"),
        (GOOD.replace("seed = 0", "seed = -4"), "seed=-4 is not allowed"),
        (
            GOOD.replace('"quality_gain"]', '"quality"]'),
            "outputs: 'quality' is not one of the summary",
        ),
        (GOOD.replace("n_people = 30", "n_people = 3"), "n_people=3 is not allowed"),
        (
            GOOD.replace("n_people = 30", "cede_willingness = 0.5"),
            "cede_willingness is both a factor and a fixed parameter",
        ),
        (GOOD.replace('scenario = "iocn"', 'scenario = "bestn"'), "unknown scenario 'bestn'"),
        (GOOD.replace('scenario = "iocn"', 'scenario = "nowhere.toml"'), "no such scenario file"),
        (GOOD + "[[points]]\ncede_willingness = 0.3\n", "either [factors]"),
        (GOOD.replace('design = "grid"', 'design = "explicit"'), "needs [[points]]"),
        (
            GOOD.replace("[params]", "[sweep.timeseries]\nreporters = ['trust']\n[params]"),
            "timeseries: 'trust' is not one of the reporters",
        ),
        (GOOD.replace("{low = 0.2, high = 0.8}", "[0.2, 0.2]"), "level 0.2 is given twice"),
    ],
)
def test_other_mistakes_are_one_line_too(tmp_path, capsys, text, expected):
    path = write(tmp_path, text)
    assert main(["sweep", str(path), "--backend", "serial", "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("collabsim: error: ")
    assert expected in line
    assert not (tmp_path / "out").exists()


def test_missing_file_and_backend_flag_conflicts(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    cases = [
        (["sweep", str(tmp_path / "none.toml")], "no such sweep file"),
        (["sweep", str(path), "--scheduler", "tcp://127.0.0.1:1", "--dask-local", "2"], "give one"),
        (
            ["sweep", str(path), "--backend", "pool", "--dask-local", "2"],
            "--dask-local is for the dask backend",
        ),
        (["sweep", str(path), "--dask-local", "2", "--workers", "2"], "--dask-local N"),
        (["sweep", str(path), "--workers", "0"], "--workers 0 is not allowed"),
        (["sweep", str(path), "--backend", "serial", "--workers", "2"], "serial runs in this"),
    ]
    for args, expected in cases:
        assert main([*args, "--out", str(tmp_path / "out")]) == 2, args
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert expected in line, (args, line)
    assert not (tmp_path / "out").exists()
    assert main(["sweep", str(path), "--backend", "threads"]) == 2  # argparse's own check


def test_cli_sweep_prints_a_summary_and_no_progress_bar_when_not_a_terminal(tmp_path):
    path = write(tmp_path, GOOD)
    done = collabsim_cmd("sweep", str(path), "--backend", "serial", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "|" not in done.stderr  # no progress bar, only plain lines: not a terminal
    progress = done.stderr.splitlines()[1:]
    assert progress[0] == "collabsim: 0 of 8 runs (0%)"
    assert progress[-1].startswith("collabsim: 8 of 8 runs (100%), ")
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "small: 8 runs (4 grid design points x 2 replicates, 6 weeks each)."
    assert "This session ran 8 with the serial backend." in done.stdout
    assert "No run failed." in done.stdout
    assert lines[-1] == "  Results: results/small"
    runs = collabsim.load(tmp_path / "results" / "small").runs
    assert len(runs) == 8 and (runs["status"] == "ok").all()

    again = collabsim_cmd("sweep", str(path), "--backend", "serial", "--quiet", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""


def run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the command with stdout and stderr on a pseudo-terminal 100 columns wide."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [SCRIPT, *args], cwd=cwd, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    output = b""
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed when the command ended
            break
        if not data:
            break
        output += data
    os.close(leader)
    return process.wait(timeout=600), output.decode("utf-8", errors="replace")


def test_cli_sweep_shows_a_progress_bar_with_rate_and_eta_on_a_terminal(tmp_path):
    path = write(tmp_path, GOOD)
    status, output = run_on_a_terminal(["sweep", str(path), "--backend", "serial"], tmp_path)
    assert status == 0, output
    frames = [frame.strip() for frame in output.replace("\r\n", "\n").split("\r")]
    bars = [frame for frame in frames if "run" in frame and "|" in frame and "/8" in frame]
    assert bars, output
    assert bars[-1].startswith("100%") and "8/8" in bars[-1]
    assert "run/s" in bars[-1] or "s/run" in bars[-1]  # the rate
    assert "<00:00" in bars[-1]  # elapsed<remaining: the ETA

    quiet_path = write(tmp_path, GOOD.replace('"small"', '"quiet"'), "quiet.toml")
    status, output = run_on_a_terminal(
        ["sweep", str(quiet_path), "--backend", "serial", "--quiet"], tmp_path
    )
    assert status == 0 and output == "", output
