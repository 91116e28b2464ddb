"""The installed ``collabsim`` command, end to end, in real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
from importlib import import_module
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_support import SCRIPT, collabsim_cmd

import collabsim
from collabsim import reference, storage
from collabsim.cli import main
from collabsim.metrics import REPORTER_NAMES
from collabsim.organisations import ORGANISATION_KINDS
from collabsim.params import PARAMETERS

PRESETS = ("beston", "clahrc", "hierarchy", "iocn")


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    done = collabsim_cmd(*args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def beston_folder(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    cwd = tmp_path_factory.mktemp("cli")
    done = ok("run", "--scenario", "beston", "--seed", "3", "--out", "out", cwd=cwd)
    return cwd / "out", done


def test_run_writes_a_complete_results_folder(beston_folder):
    folder, _ = beston_folder
    assert {p.name for p in folder.iterdir()} == {
        "timeseries.parquet",
        "summary.json",
        "meta.json",
        "dynamics.png",
    }
    table = pq.read_table(folder / "timeseries.parquet")
    horizon = collabsim.scenario("beston").horizon
    assert table.num_rows == horizon + 1
    assert table.column_names == ["week", *REPORTER_NAMES]
    assert table.column("week").to_pylist() == list(range(horizon + 1))
    assert (folder / "dynamics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 3
    assert meta["scenario"] == "beston"
    assert meta["steps"] == horizon
    assert meta["parameters"] == collabsim.scenario("beston").to_dict()
    assert set(meta["outputs"]) == {
        "timeseries.parquet",
        "summary.json",
        "meta.json",
        "dynamics.png",
    }
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) == set(collabsim.metrics.SUMMARY)


def test_run_gives_the_same_numbers_as_the_library(beston_folder):
    folder, _ = beston_folder
    expected = collabsim.run(collabsim.scenario("beston"), seed=3)
    back = storage.read_run(folder)
    assert back.timeseries.equals(expected.timeseries)
    assert back.params == expected.params


def test_run_reports_in_plain_english(beston_folder):
    folder, done = beston_folder
    out = done.stdout
    assert out.startswith("beston, seed 3: ")
    assert "still alive after 52 weeks" in out or "dissolved in week" in out
    assert "Trust between organisations" in out
    assert "Quality of care pathways" in out and "%" in out
    assert "Changes adopted" in out
    assert str(folder.name) in out.splitlines()[-1]
    assert done.stderr == ""


def test_set_and_event_are_recorded_in_meta(tmp_path):
    ok(
        "run",
        "--scenario",
        "beston",
        "--steps",
        "30",
        "--set",
        "cede_willingness=0.2",
        "--set",
        "academic_partner=false",
        "--event",
        "10:budget_cut",
        "--quiet",
        "--out",
        "out",
        cwd=tmp_path,
    )
    meta = storage.read_meta(tmp_path / "out")
    params = meta["parameters"]
    assert params["cede_willingness"] == 0.2
    assert params["academic_partner"] is False
    beston_events = [e.to_dict() for e in collabsim.scenario("beston").events]
    assert params["events"] == [*beston_events, {"step": 10, "kind": "budget_cut"}]
    assert meta["steps"] == 30
    assert pq.read_table(tmp_path / "out" / "timeseries.parquet").num_rows == 31


def test_same_arguments_give_identical_tables(tmp_path):
    args = ("run", "--scenario", "iocn", "--seed", "5", "--steps", "30", "--quiet")
    ok(*args, "--out", "a", cwd=tmp_path)
    ok(*args, "--out", "b", cwd=tmp_path)
    a = pq.read_table(tmp_path / "a" / "timeseries.parquet")
    b = pq.read_table(tmp_path / "b" / "timeseries.parquet")
    assert a.equals(b)
    assert (tmp_path / "a" / "summary.json").read_text() == (
        tmp_path / "b" / "summary.json"
    ).read_text()


def test_defaults_and_own_scenario_file(tmp_path):
    (tmp_path / "small_city.toml").write_text(
        '[scenario]\ndescription = "A small test city."\n\n'
        "[params]\nn_people = 40\nhorizon = 20\n\n"
        '[[events]]\nstep = 5\nkind = "central_leader_leaves"\n',
        encoding="utf-8",
    )
    done = ok("run", "--scenario", "small_city.toml", cwd=tmp_path)
    folder = tmp_path / "results" / "small_city"  # default: results/<scenario stem>
    meta = storage.read_meta(folder)
    assert (meta["seed"], meta["steps"]) == (0, 20)  # default seed 0, the scenario's horizon
    assert meta["scenario"] == "small_city.toml"
    assert meta["parameters"]["n_people"] == 40
    assert done.stdout.startswith("small_city, seed 0: ")


def test_quiet_rerun_overwrites_its_own_folder(tmp_path):
    ok("run", "--scenario", "clahrc", "--steps", "20", "--quiet", "--out", "out", cwd=tmp_path)
    done = ok(
        "run",
        "--scenario",
        "clahrc",
        "--steps",
        "25",
        "--seed",
        "1",
        "--quiet",
        "--out",
        "out",
        cwd=tmp_path,
    )
    assert done.stdout == "" and done.stderr == ""
    meta = storage.read_meta(tmp_path / "out")
    assert (meta["seed"], meta["steps"]) == (1, 25)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "cede_wilingness=0.2"], ["cede_wilingness", "did you mean cede_willingness"]),
        (["--set", "cede_willingness=2"], ["cede_willingness", "=2.0", "0 to 1"]),
        (["--set", "n_people=many"], ["n_people", "'many'", "whole number"]),
        (["--set", "academic_partner=maybe"], ["academic_partner", "'maybe'", "true or false"]),
        (["--set", "cede_willingness"], ["--set", "NAME=VALUE"]),
        (["--scenario", "bestn"], ["unknown scenario 'bestn'", "beston"]),
        (["--scenario", "missing.toml"], ["missing.toml", "no such scenario file"]),
        (["--event", "10:budgetcut"], ["budgetcut", "did you mean budget_cut"]),
        (["--event", "ten:budget_cut"], ["ten:budget_cut", "STEP must be a whole number"]),
        (["--event", "10"], ["'10'", "STEP:KIND[:ORGANISATION]"]),
        (["--event", "-3:budget_cut"], ["step=-3 is not allowed", ">= 0 (week)"]),
        (["--event", "10:budget_cut:hospital"], ["organisation='hospital'"]),
        (["--seed", "-1"], ["--seed -1 is not allowed: expected a whole number >= 0"]),
        (
            ["--set", "cede_willingness=0.2", "--set", "cede_willingness=0.9"],
            ["--set cede_willingness is given twice"],
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, args, expected):
    done = collabsim_cmd("run", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("collabsim: error: ")
    for text in expected:
        assert text in lines[0]
    assert done.stdout == ""
    assert not (tmp_path / "results").exists()  # nothing written


@pytest.mark.parametrize(
    ("command", "name", "expected"),
    [
        ("run", "a_folder", "a_folder: a folder, not a scenario file"),
        ("run", "a_folder.toml", "a_folder.toml: a folder, not a scenario file"),
        ("run", "x" * 300 + ".toml", "cannot read scenario file: File name too long"),
        ("sweep", "a_folder.toml", "a_folder.toml: a folder, not a sweep file"),
        ("sweep", "x" * 300 + ".toml", "cannot read sweep file: File name too long"),
    ],
)
def test_a_file_that_is_a_folder_or_cannot_be_looked_up_is_one_line(
    tmp_path, command, name, expected
):
    for folder in ("a_folder", "a_folder.toml"):
        (tmp_path / folder).mkdir()
    args = ["--scenario", name, "--steps", "2"] if command == "run" else [name]
    done = collabsim_cmd(command, *args, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("collabsim: error: ") and expected in line


def test_a_folder_named_as_a_preset_does_not_hide_the_preset(tmp_path):
    (tmp_path / "beston").mkdir()
    done = collabsim_cmd("run", "--scenario", "beston", "--steps", "2", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "results" / "beston").is_dir()


def test_unreadable_scenario_file_is_one_line(tmp_path):
    (tmp_path / "broken.toml").write_text("[params\nn_people = ", encoding="utf-8")
    done = collabsim_cmd("run", "--scenario", "broken.toml", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("collabsim: error: ") and "broken.toml" in line
    assert "not valid TOML" in line


def test_foreign_output_folder_is_refused_before_running(tmp_path):
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "chapter1.docx").write_text("precious", encoding="utf-8")
    done = collabsim_cmd("run", "--out", "thesis", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "thesis" in line and "not a previous collabsim run" in line
    assert [p.name for p in (tmp_path / "thesis").iterdir()] == ["chapter1.docx"]


def test_argparse_usage_errors_exit_2_without_traceback(tmp_path):
    for args in (
        ["run", "--seed", "x"],
        ["bogus"],
        [],
        ["params", "--markdown", "--group", "trust"],
    ):
        done = collabsim_cmd(*args, cwd=tmp_path)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr
        assert "usage: collabsim" in done.stderr


def test_version(tmp_path):
    done = ok("--version", cwd=tmp_path)
    assert done.stdout.strip() == f"collabsim {collabsim.__version__}"


def test_scenarios_lists_the_four_presets(tmp_path):
    lines = ok("scenarios", cwd=tmp_path).stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(PRESETS)
    assert all(len(line.split()) > 2 for line in lines)  # each has a description
    assert "Locality collaborative" in lines[0]


@pytest.mark.parametrize("args", [("scenarios",), ("run", "--seed", "-1")])
def test_the_command_exits_without_searching_what_it_loaded_for_garbage(tmp_path, args):
    """Done or refused, the command freezes what it loaded before Python's exit (whose
    search of it cost 0.5 s of a run). An exit hook registered before anything else runs
    last and counts the frozen objects: a plain Python process has a few hundred."""
    (tmp_path / "sitecustomize.py").write_text(
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen:', gc.get_freeze_count(), file=sys.stderr))\n",
        encoding="utf-8",
    )
    done = collabsim_cmd(*args, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert "Traceback" not in done.stderr
    frozen = [line for line in done.stderr.splitlines() if line.startswith("frozen:")]
    assert len(frozen) == 1, done.stderr
    assert int(frozen[0].split()[1]) > 5_000


def test_params_lists_every_parameter(tmp_path):
    out = ok("params", cwd=tmp_path).stdout
    names = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert set(collabsim.PARAMETERS) <= names
    assert "cede_willingness *" in out  # levers marked


def test_params_group_lists_only_that_group(tmp_path):
    out = ok("params", "--group", "levers", cwd=tmp_path).stdout
    assert "cede_willingness" in out and "trust_gain" not in out
    done = collabsim_cmd("params", "--group", "lever", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "'lever'" in line and "did you mean levers" in line


def test_params_markdown_is_exactly_the_reference(tmp_path):
    done = subprocess.run(
        [SCRIPT, "params", "--markdown"], cwd=tmp_path, capture_output=True, timeout=600, check=True
    )
    assert done.stdout.decode("utf-8") == reference.parameters_markdown()


@pytest.mark.parametrize("listing", [["params"], ["params", "--markdown"]])
def test_listings_print_whatever_the_terminals_encoding(listing, tmp_path):
    plain = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    done = subprocess.run(
        [SCRIPT, *listing], cwd=tmp_path, capture_output=True, timeout=600, env=plain
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "–" in done.stdout.decode("utf-8")  # the ranges' dashes came through


SOME_FAIL = """
[sweep]
name = "corner"
design = "grid"
replicates = 1
steps = 3
[params]
n_people = 30
landscape_k = 4
[factors]
n_practices = [{practices}]
"""


def test_a_sweep_whose_every_run_failed_ends_with_status_2(tmp_path, capsys):
    # landscape_k must be below n_practices: with 3 and 5 practices one point fails
    def sweep(name: str, practices: str) -> int:
        file = tmp_path / f"{name}.toml"
        file.write_text(SOME_FAIL.format(practices=practices), encoding="utf-8")
        out = str(tmp_path / name)
        return main(["sweep", str(file), "--backend", "serial", "--quiet", "--out", out])

    assert sweep("some", "3, 5") == 0
    assert capsys.readouterr().err == ""
    every = tmp_path / "every.toml"
    assert sweep("every", "2, 3") == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"collabsim: error: {every}: every one of the 2 runs failed")
    assert "the first: ParameterError: landscape_k=4 is not allowed" in line


def test_an_example_written_into_a_missing_folder_says_which(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = "nodir/x.toml"
    assert main(["example", "sweep_partner_cede.toml", "--out", target]) == 2
    assert capsys.readouterr().err == (
        f"collabsim: error: cannot write the example to {target!r}: there is no folder 'nodir'\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_example_written_into_a_folder_that_is_not_there_is_refused(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(["example", "sweep_partner_cede.toml", "--out", "newdir/"]) == 2
    assert capsys.readouterr().err == (
        "collabsim: error: cannot write the example to 'newdir/': there is no such folder\n"
    )
    assert list(tmp_path.iterdir()) == []  # not a file called newdir
    (tmp_path / "newdir").mkdir()
    assert main(["example", "sweep_partner_cede.toml", "--out", "newdir/"]) == 0
    assert (tmp_path / "newdir" / "sweep_partner_cede.toml").is_file()


def test_the_parameter_table_wraps_between_words_so_names_copy_whole(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # narrow: the default organisations wrap
    assert main(["params"]) == 0
    words = set(capsys.readouterr().out.replace(",", " ").split())
    assert set(ORGANISATION_KINDS) <= words
    assert set(PARAMETERS) <= words


def test_main_in_process_returns_status_codes(capsys):
    assert main(["--version"]) == 0
    assert main(["run", "--set", "cede_wilingness=0.2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("collabsim: error: unknown parameter 'cede_wilingness'")
    assert main(["run", "--seed", "x"]) == 2


ROOT = Path(__file__).resolve().parents[1]

#: Every command that runs a resumable study: the function it hands the study to, and
#: its arguments with a shipped study file.
STUDIES = {
    "validate": ("collabsim.validation", "validate", ["--quick"]),
    "sensitivity": (
        "collabsim.sensitivity",
        "run_study",
        [str(ROOT / "src/collabsim/experiments/sensitivity_iocn.toml")],
    ),
    "calibrate": (
        "collabsim.calibration",
        "calibrate",
        [str(ROOT / "experiments/calibration_iocn.toml")],
    ),
    "robustness": (
        "collabsim.robustness",
        "robustness",
        [str(ROOT / "experiments/robustness_levers.toml"), "--allow-large"],
    ),
}


@pytest.mark.parametrize("runs_kept", [False, True], ids=["nothing kept", "runs kept"])
@pytest.mark.parametrize("command", STUDIES)
def test_ctrl_c_in_a_study_exits_130_saying_where_its_runs_are_if_anywhere(
    command, runs_kept, tmp_path, capsys, monkeypatch
):
    module, function, arguments = STUDIES[command]
    out = tmp_path / "study"

    def interrupted(*args, **kwargs):
        if runs_kept:
            (out / "runs").mkdir(parents=True)
        raise KeyboardInterrupt

    monkeypatch.setattr(import_module(module), function, interrupted)
    argv = [command, *arguments, "--out", str(out), "--backend", "serial", "--quiet"]
    assert main(argv) == 130
    err = capsys.readouterr().err.strip().splitlines()
    kept = f"the finished runs are saved in {out}; " if runs_kept else ""
    assert err == [f"collabsim: interrupted: {kept}run the same command again to resume"]
    assert out.exists() == runs_kept


@pytest.mark.parametrize(
    ("args", "extra"),
    [(["run", "--bogus"], "--bogus"), (["patterns", "--markdwn"], "--markdwn")],
)
def test_an_argument_a_command_does_not_take_is_said_with_that_commands_usage(capsys, args, extra):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: collabsim {args[0]} ")
    assert err.strip().endswith(f"collabsim {args[0]}: error: unrecognized arguments: {extra}")


def test_a_file_of_the_results_that_cannot_be_written_is_named(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--steps", "3", "--out", str(out), "--quiet"]) == 0
    (out / "dynamics.png").unlink()
    (out / "dynamics.png").mkdir()
    assert main(["run", "--steps", "4", "--out", str(out), "--quiet"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"collabsim: error: cannot write results to {str(out)!r} ({out / 'dynamics.png'}): "
        "Is a directory"
    )


@pytest.mark.parametrize("command", [["run"], ["validate", "--quick"], ["sweep", "FILE"]])
def test_an_empty_out_is_refused_not_taken_for_the_current_folder(command, tmp_path, capsys):
    assert main([*command, "--out", ""]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("error: argument --out: an empty path: give the results folder")
    )
