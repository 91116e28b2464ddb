"""Sweeps refused before they start: too large, a folder in use or read-only, a bad file.

Each refusal is one line naming what was wrong, given before anything runs.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from sweep_fault_support import (
    SWEEP_FILE,
    cli,
    command,
    sweep_file,
)

import collabsim
from collabsim.cli import main
from collabsim.sweeps import SweepError

# --- 2. the size of a sweep, before anything is built -----------------------------------


EIGHT_FACTORS = "".join(
    f"{name} = {{}}\n"
    for name in (
        "cede_willingness",
        "partner_strength",
        "distributed_leadership",
        "incremental_share",
        "central_leader_strength",
        "programme_intensity",
        "results_pressure",
        "power_imbalance",
    )
)
ONE_FACTOR = "cede_willingness = {}\n"

HUGE = [
    # (what, [sweep] keys, [factors] table, words of the one-line refusal)
    (
        "grid of 167,961,600 runs",
        "levels = 6\nreplicates = 100\n",
        EIGHT_FACTORS,
        [
            "167,961,600 runs (1,679,616 grid design points x 100 replicates, 52 weeks each)",
            "more than the 1,000,000 runs a sweep may have unconfirmed",
            "use fewer levels, or a sampled design (lhs, sobol, morris), or fewer replicates",
            "give --allow-large",
        ],
    ),
    (
        "LHS of 2,000,000 runs",
        'design = "lhs"\nn = 20000\nreplicates = 100\n',
        ONE_FACTOR,
        [
            "2,000,000 runs (20,000 lhs design points x 100 replicates, 52 weeks each)",
            "use a smaller n, or fewer replicates, or give --allow-large",
        ],
    ),
    (
        "a billion levels",
        "levels = 1000000000\n",
        ONE_FACTOR,
        [
            "the design has 1,000,000,000 points, more than the 5,000,000 allowed: "
            "use fewer levels, or a sampled design (lhs, sobol, morris)"
        ],
    ),
    (
        "Sobol' n = 2^30",
        'design = "sobol"\nn = 1073741824\n',
        EIGHT_FACTORS,
        ["the design has 19,327,352,832 points, more than the 5,000,000 allowed: use a smaller n"],
    ),
    (
        "LHS n = 1e9",
        'design = "lhs"\nn = 1000000000\n',
        ONE_FACTOR,
        ["the design has 1,000,000,000 points, more than the 5,000,000 allowed: use a smaller n"],
    ),
    (
        "a hundred million replicates",
        "levels = 2\nreplicates = 100000000\n",
        ONE_FACTOR,
        ["replicates=100000000 is not allowed: expected a whole number from 1 to 100,000"],
    ),
    (
        "steps past the longest horizon",
        "levels = 2\nsteps = 100000\n",
        ONE_FACTOR,
        ["steps=100000 is not allowed: expected a whole number from 1 to 2,600"],
    ),
]


@pytest.mark.parametrize(("what", "keys", "factors", "expected"), HUGE, ids=[h[0] for h in HUGE])
def test_huge_sweeps_are_refused_at_once_in_one_line_naming_the_file(
    tmp_path, capsys, what, keys, factors, expected
):
    path = tmp_path / "huge.toml"
    keys = keys if "steps" in keys else f"steps = 52\n{keys}"
    path.write_text(f"[sweep]\n{keys}\n[factors]\n{factors}", encoding="utf-8")
    import tracemalloc

    tracemalloc.start()
    status, err = cli(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert status == 2
    (line,) = err
    assert line.startswith(f"collabsim: error: {path}: "), line
    for words in expected:
        assert words in line, (what, line)
    if "design = " in keys:  # already sampled: no advice to sample
        assert "sampled design" not in line, line
    assert peak < 100e6, f"{peak / 1e6:.0f} MB held before refusing"  # nothing was built
    assert not (tmp_path / "out").exists()


def test_a_large_sweep_runs_once_confirmed_and_sizes_match_the_designs_made():
    from collabsim.sweeps.design import make_design, make_factors
    from collabsim.sweeps.plan import SweepTooLarge, plan_sweep
    from collabsim.sweeps.sampling import Sampling
    from collabsim.sweeps.size import LARGE_RUNS

    options = {"factors": {"cede_willingness": {}}, "levels": 20, "replicates": 60_000, "steps": 10}
    assert 20 * 60_000 > LARGE_RUNS
    with pytest.raises(SweepTooLarge, match="1,200,000 runs .* allow_large=True") as refused:
        plan_sweep(**options, timeseries=True)
    confirmed = plan_sweep(**options, timeseries=True, allow_large=True)
    assert confirmed.total == 1_200_000
    # the refusal estimates the disk the sweep would take as the sweep itself does
    assert refused.value.size.estimate(None) == confirmed.size.estimate(None)
    factors = make_factors(
        {
            "cede_willingness": {},
            "meeting_interval": {"low": 1, "high": 4},
            "academic_partner": None,
            "network_type": None,
        }
    )
    for design, extra in [
        ("grid", {"levels": 3}),
        ("grid", {"levels": 9}),
        ("lhs", {"n": 7}),
        ("sobol", {"n": 8}),
        ("sobol", {"n": 8, "second_order": False}),
        ("morris", {"n": 3}),
    ]:
        sampling = Sampling(design, **extra)
        assert sampling.points(factors) == len(make_design(factors, sampling)), (design, extra)


def test_the_start_of_a_sweep_says_its_size_time_and_disk(tmp_path):
    path = sweep_file(tmp_path)
    done = command("sweep", str(path), "--backend", "serial", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(
        f"collabsim: {path}: 12 runs (6 lhs design points x 2 replicates, 6 weeks each): about "
    )
    assert " on 1 worker and " in first and first.endswith(" on disk")


def test_run_refuses_steps_past_the_longest_horizon(capsys):
    assert main(["run", "--steps", "5000", "--quiet"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "collabsim: error: --steps 5000 is not allowed: expected a whole number "
        "from 1 to 2,600 (weeks per run; 2,600 is the longest horizon a scenario may have)"
    )


# --- 6. an output folder that cannot be written is found first ------------------------


@pytest.fixture
def read_only(tmp_path):
    """A folder no one may write to: immutable for root, mode 555 for anyone else."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("this file system cannot make a folder read-only for root")
    else:
        folder.chmod(0o555)
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def test_run_into_a_read_only_folder_is_refused_before_the_run(tmp_path, read_only):
    """The run asked for (5,000 people for 50 years) takes about a minute of CPU."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = command(
        "run",
        "--set",
        "n_people=5000",
        "--set",
        "horizon=2600",
        "--steps",
        "2600",
        "--quiet",
        "--out",
        str(read_only / "run"),
        cwd=tmp_path,
        timeout=900,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(
        f"collabsim: error: cannot write results to '{read_only / 'run'}' "
        f"(it would be made in {read_only}): "
    )
    assert line.endswith("; nothing was run")
    assert spent < 30, f"refusing took {spent:.0f} s of CPU: the run was run"


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "FILE"],
        ["sensitivity", "STUDY"],
        ["validate", "--quick", "--pattern", "neutral_partner_sustains"],
    ],
    ids=["sweep", "sensitivity", "validate"],
)
def test_commands_refuse_a_read_only_folder_in_one_line(tmp_path, capsys, read_only, args):
    study = tmp_path / "study.toml"
    study.write_text(
        '[sensitivity]\nmethod = "morris"\nn = 2\nsteps = 4\n[params]\n'
        "n_people = 30\n[factors]\ncede_willingness = {}\n",
        encoding="utf-8",
    )
    names = {"FILE": str(sweep_file(tmp_path)), "STUDY": str(study)}
    for out in (read_only, read_only / "new"):
        status, err = cli(capsys, *[names.get(a, a) for a in args], "--out", str(out))
        assert status == 2
        (line,) = err
        assert line.startswith(f"collabsim: error: cannot write results to '{out}'")
        assert line.endswith("; nothing was run")


# --- 4. every refusal of a sweep or study file names the file ---------------------------


SENSITIVITY_FILE = """\
[sensitivity]
method = "morris"
n = 2
steps = 4
outputs = ["sustained"]
[params]
n_people = 30
[factors]
cede_willingness = {}
"""

REFUSED = [
    # (command, the good file, what replaces what)
    ("sweep", SWEEP_FILE, ("n = 6", "n = 0")),
    ("sweep", SWEEP_FILE, ('design = "lhs"', 'design = "grid"\nlevels = 1')),
    ("sweep", SWEEP_FILE, ("replicates = 2", "replicates = true")),
    ("sweep", SWEEP_FILE, ("seed = 2", "seed = -1")),
    ("sweep", SWEEP_FILE, ("steps = 6", "steps = 0")),
    ("sweep", SWEEP_FILE, ("n_people = 30", "n_people = 3")),
    ("sweep", SWEEP_FILE, ("every = 2", "every = 0")),
    ("sweep", SWEEP_FILE, ('"alive",', '"alive", "alive",')),
    ("sweep", SWEEP_FILE, ("{low = 0.1, high = 0.9}", "{low = 0.9, high = 0.1}")),
    ("sweep", SWEEP_FILE, ("cede_willingness = {low", "organisations = {low")),
    ("sweep", SWEEP_FILE, ('name = "tiny"', 'name = "a/b"')),
    ("sensitivity", SENSITIVITY_FILE, ('method = "morris"', "method = []")),
    ("sensitivity", SENSITIVITY_FILE, ('method = "morris"\nn = 2', 'method = "sobol"\nn = 3')),
    ("sensitivity", SENSITIVITY_FILE, ("n = 2", "n = 1")),
    ("sensitivity", SENSITIVITY_FILE, ("steps = 4", "steps = 0")),
    ("sensitivity", SENSITIVITY_FILE, ("n_people = 30", "n_people = 3")),
    ("sensitivity", SENSITIVITY_FILE, ("cede_willingness = {}", "cede_willingness = {low = 2}")),
    ("sensitivity", SENSITIVITY_FILE, ("cede_willingness = {}", "academic_partner = [1, 2]")),
]


@pytest.mark.parametrize(
    ("kind", "text", "change"), REFUSED, ids=[f"{k}: {c[1]}" for k, _, c in REFUSED]
)
def test_every_refusal_of_a_sweep_or_study_file_names_the_file(
    tmp_path, capsys, kind, text, change
):
    path = tmp_path / "study.toml"
    path.write_text(text.replace(*change), encoding="utf-8")
    status, err = cli(capsys, kind, str(path), "--out", str(tmp_path / "out"))
    assert status == 2, err
    (line,) = err
    assert line.startswith(f"collabsim: error: {path}: "), line
    assert not (tmp_path / "out").exists()


def test_a_sweep_from_python_into_a_folder_that_cannot_be_made_says_so_in_one_line(tmp_path):
    a_file = tmp_path / "afile"
    a_file.write_text("", encoding="utf-8")
    out = a_file / "sweep"
    refused = r"^cannot write results to .*sweep': .*; nothing was run$"
    with pytest.raises(SweepError, match=refused):
        collabsim.sweep(factors={"cede_willingness": [0.2, 0.8]}, replicates=1, steps=2, out=out)
    assert a_file.read_text(encoding="utf-8") == ""
