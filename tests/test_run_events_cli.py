"""What `collabsim run` says of events and the run's length: refusals and notes, in one line."""

from __future__ import annotations

import pytest

from collabsim.cli import main


def test_a_scenario_event_after_a_shorter_run_is_noted(tmp_path, capsys):
    note = (
        "collabsim: beston's event in week 24 (partner_withdraws) is after the last "
        "week of the run, --steps 12: it does not happen\n"
    )
    out = str(tmp_path / "out")
    assert main(["run", "--scenario", "beston", "--steps", "12", "--quiet", "--out", out]) == 0
    assert capsys.readouterr().err == note
    assert main(["run", "--scenario", "beston", "--steps", "24", "--quiet", "--out", out]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["--event", "3:partner_withdraws", "--set", "academic_partner=false"],
            "(partner_withdraws) changes nothing: there is no academic partner",
        ),
        (
            ["--event", "3:central_leader_leaves", "--set", "central_leader_strength=0"],
            "(central_leader_leaves) changes nothing: nobody holds the centre",
        ),
    ],
)
def test_an_event_with_nothing_to_act_on_is_noted(tmp_path, capsys, args, reason):
    out = str(tmp_path / "out")
    assert main(["run", "--steps", "5", "--quiet", "--out", out, *args]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"collabsim: the event in week 3 {reason}")
    assert main(["run", "--steps", "5", "--quiet", "--out", out, *args[:2]]) == 0
    assert capsys.readouterr().err == ""  # with a partner, and a leader, it acts


def test_an_event_after_a_short_run_is_refused_for_the_run_before_the_horizon(tmp_path, capsys):
    # raising the horizon, as the horizon's message would advise, would not let it happen
    out = str(tmp_path / "out")
    command = ["run", "--steps", "10", "--event", "300:budget_cut", "--out", out]
    assert main(command) == 2
    assert capsys.readouterr().err == (
        "collabsim: error: --event 300:budget_cut: step=300 is after the last week of the run, "
        "--steps 10: expected a step from 0 to 10 (or more --steps)\n"
    )


def test_a_bad_out_is_said_alone_before_any_note_of_the_run(tmp_path, capsys):
    a_file = tmp_path / "afile"
    a_file.write_text("", encoding="utf-8")
    command = ["run", "--scenario", "beston", "--steps", "3", "--quiet", "--out", str(a_file)]
    assert main(command) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("collabsim: error: output folder ") and "is a file" in line


def test_more_steps_than_the_horizon_are_refused_in_the_flags_words(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "--scenario", "beston", "--steps", "60", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "collabsim: error: --steps 60 is not allowed: expected a whole number from 1 to the "
        "horizon, 52 (or a longer horizon: --set horizon=60)\n"
    )
    assert not out.exists()
    longer = ["--set", "horizon=60", "--quiet"]
    assert main(["run", "--scenario", "beston", "--steps", "60", *longer, "--out", str(out)]) == 0
