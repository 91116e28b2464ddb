"""Progress of long commands when stderr is not a terminal: plain lines, now and then.

On a terminal the commands show a tqdm bar (see ``test_sweep_files``); in a log or a
batch job, one implementation (``collabsim.commands.Progress``) prints the runs done, the
time elapsed and the time to go, every few percent or every 30 s, whichever is rarer.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from robustness_support import TINY_STUDY
from sweep_fault_support import cli, command, sweep_file

import collabsim
from collabsim import commands
from collabsim.cli import main
from collabsim.commands import run as run_command


def test_progress_off_a_terminal_is_a_line_every_few_percent_or_30_s_whichever_is_rarer(
    monkeypatch,
):
    times = iter([0.0, 5.0, 20.0, 31.0, 70.0, 200.0])
    monkeypatch.setattr(commands, "time", SimpleNamespace(monotonic=lambda: next(times)))
    stream = io.StringIO()
    progress = commands.Progress(enabled=True, terminal=False, stream=stream)
    for done in (0, 10, 60, 61, 70, 1000):  # of 1,000 runs, at the times above
        progress(done, 1000)
    assert stream.getvalue().splitlines() == [
        "collabsim: 0 of 1,000 runs (0%)",
        # not at 60 (6% but 20 s) nor at 70 (39 s but 0.9% since the last line)
        "collabsim: 61 of 1,000 runs (6%), 31 s elapsed, about 8 min to go",
        "collabsim: 1,000 of 1,000 runs (100%), 3 min elapsed",
    ]


def test_a_long_run_shows_its_weeks_once_it_has_taken_a_few_seconds(monkeypatch):
    times = iter([0.0, 1.0, 3.2, 4.0, 9.0, 9.5])
    monkeypatch.setattr(commands, "time", SimpleNamespace(monotonic=lambda: next(times)))
    stream = io.StringIO()
    weeks = commands.Progress(
        enabled=True, terminal=False, stream=stream, unit="weeks", delay=3.0, every=5.0
    )
    for done in (0, 100, 350, 400, 900, 1000):  # of 1,000 weeks, at the times above
        weeks(done, 1000)
    assert stream.getvalue().splitlines() == [
        # nothing in the first 3 s; then a line at once, and the next 5 s later
        "collabsim: 350 of 1,000 weeks (35%), 3 s elapsed, about 6 s to go",
        "collabsim: 900 of 1,000 weeks (90%), 9 s elapsed, about 1 s to go",
        "collabsim: 1,000 of 1,000 weeks (100%), 10 s elapsed",
    ]
    # a run done within the delay says nothing at all
    times = iter([0.0, 1.0, 2.0])
    stream = io.StringIO()
    quick = commands.Progress(enabled=True, terminal=False, stream=stream, delay=3.0)
    for done in (0, 500, 1000):
        quick(done, 1000)
    assert stream.getvalue() == ""


def test_collabsim_run_shows_its_weeks_past_the_delay(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_command, "RUN_PROGRESS_DELAY", 0.0)  # every run is long now
    out = str(tmp_path / "out")
    assert main(["run", "--scenario", "beston", "--steps", "30", "--out", out]) == 0
    said = capsys.readouterr().err.splitlines()
    assert said[0] == "collabsim: 0 of 30 weeks (0%)"
    assert said[-1].startswith("collabsim: 30 of 30 weeks (100%), ")
    # quiet, or short enough: nothing
    assert main(["run", "--scenario", "beston", "--steps", "30", "--out", out, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_a_run_reports_each_week_to_its_progress():
    seen = []
    collabsim.run(collabsim.scenario("beston"), seed=1, steps=5, progress=lambda *a: seen.append(a))
    assert seen == [(week, 5) for week in range(6)]


@pytest.mark.parametrize("kind", ["sensitivity", "robustness"])
def test_studies_in_a_log_print_progress_lines_too(tmp_path, capsys, kind):
    study = tmp_path / "study.toml"
    study.write_text(
        TINY_STUDY
        if kind == "robustness"
        else (
            '[sensitivity]\nmethod = "morris"\nn = 2\nsteps = 4\n[params]\nn_people = 30\n'
            "[factors]\ncede_willingness = {}\n"
        ),
        encoding="utf-8",
    )
    status, err = cli(capsys, kind, str(study), "--out", str(tmp_path / "out"))
    assert status == 0, err
    start, *err = err  # it starts by saying its size
    assert start.startswith(f"collabsim: {study}: ") and start.endswith(" on disk"), start
    assert err[0].startswith("collabsim: 0 of ") and err[0].endswith(" runs (0%)")
    assert " runs (100%), " in err[-1] and err[-1].endswith(" elapsed")


def test_a_sweep_in_a_log_prints_its_progress_and_the_end(tmp_path):
    path = sweep_file(tmp_path)
    done = command("sweep", str(path), "--backend", "serial", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[1] == "collabsim: 0 of 12 runs (0%)"
    assert lines[-1].startswith("collabsim: 12 of 12 runs (100%), ")
    assert lines[-1].endswith(" elapsed")
