"""Robustness study files: what is accepted, and every refusal naming its field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from robustness_support import TINY_STUDY

from collabsim.robustness import RobustnessError, make_plan, read_robustness_file
from collabsim.robustness.plan import read_accepted

EXAMPLE = Path(__file__).resolve().parents[1] / "experiments" / "robustness_levers.toml"


def write(folder: Path, text: str, name: str = "study.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_its_contexts_and_cells(tmp_path):
    plan = read_robustness_file(write(tmp_path, TINY_STUDY))
    assert (plan.name, plan.scenario, plan.seeds, plan.seed, plan.steps) == (
        "tiny",
        "beston",
        4,
        0,
        20,
    )
    assert [c.label for c in plan.contexts] == ["defaults", "n_people=40"]
    assert [(c.context.label, c.lever.name) for c in plan.cells] == [
        ("defaults", "cede_willingness"),
        ("n_people=40", "cede_willingness"),
    ]
    cell = plan.cells[1]
    assert cell.low.n_people == cell.high.n_people == 40
    assert (cell.low.cede_willingness, cell.high.cede_willingness) == (0.1, 0.9)
    assert cell.low.horizon == 52  # the rest is beston's
    assert plan.levers[0].expect == "higher"


def test_the_name_defaults_to_the_file_name(tmp_path):
    plan = read_robustness_file(
        write(tmp_path, TINY_STUDY.replace('name = "tiny"\n', ""), "my_levers.toml")
    )
    assert plan.name == "my_levers"


def test_a_context_that_repeats_another_is_counted_once(tmp_path):
    plan = read_robustness_file(
        write(tmp_path, TINY_STUDY.replace("sizes = [40]", "sizes = [25, 40]"))
    )
    assert [c.context.label for c in plan.cells] == ["defaults", "n_people=40"]
    assert plan.repeats == (("n_people=25", "cede_willingness", "defaults"),)  # beston's own


def test_partner_strength_keeps_the_partner_present(tmp_path):
    accepted = write(tmp_path, "point,academic_partner,trust_gain\n3,false,0.2\n", "accepted.csv")
    plan = make_plan(
        levers={
            "partner_strength": {"low": 0.2, "high": 0.8},
            "cede_willingness": {"low": 0.2, "high": 0.8},
        },
        scenario="beston",
        seeds=2,
        steps=5,
        accepted=str(accepted),
    )
    strength = [c for c in plan.cells if c.lever.name == "partner_strength"]
    assert [c.context.label for c in strength] == ["defaults", "accepted point 3"]
    assert all(c.low.academic_partner and c.high.academic_partner for c in strength)
    cede = next(
        c
        for c in plan.cells
        if c.context.label == "accepted point 3" and c.lever.name == "cede_willingness"
    )
    assert not cede.low.academic_partner  # other levers keep the context's setting


def test_accepted_sets_become_contexts_in_file_order_up_to_the_limit(tmp_path):
    path = write(
        tmp_path,
        "point,trust_gain,exit_patience_weeks\n7,0.12,4\n2,0.2,5\n9,0.05,2\n",
        "accepted.csv",
    )
    contexts = read_accepted(path, limit=2)
    assert [c.label for c in contexts] == ["accepted point 7", "accepted point 2"]
    assert contexts[0].overrides == {"trust_gain": 0.12, "exit_patience_weeks": 4}
    assert all(c.kind == "accepted" for c in contexts)
    no_point = write(tmp_path, "trust_gain\n0.12\n", "plain.csv")
    assert [c.label for c in read_accepted(no_point)] == ["plain 1"]
    closest = write(tmp_path, "point,trust_gain\n122,0.12\n", "closest.csv")
    assert [c.label for c in read_accepted(closest)] == ["closest point 122"]


def test_the_example_file_reads_the_near_calibrations_accepted_points(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        RobustnessError,
        match=r"robustness_levers\.toml: accepted: no such "
        r"file .*collabsim calibrate",
    ):
        read_robustness_file(EXAMPLE)
    folder = tmp_path / "results" / "calibration" / "iocn_near"
    folder.mkdir(parents=True)
    rows = "\n".join(f"{i},{0.05 + 0.01 * i:.2f}" for i in range(12))
    write(folder, f"point,trust_gain\n{rows}\n", "accepted.csv")
    plan = read_robustness_file(EXAMPLE)
    assert plan.name == "levers" and plan.seeds == 20 and len(plan.levers) == 9
    kinds = [c.kind for c in plan.contexts]
    assert kinds.count("accepted") == 5  # max_accepted
    assert kinds.count("size") == 3 and kinds.count("channel_off") == 4
    meeting = next(lv for lv in plan.levers if lv.name == "meeting_interval")
    assert (meeting.low, meeting.high, meeting.expect) == (13, 4, "higher")
    assert {r[0] for r in plan.repeats} >= {"n_people=300", "network_type=place"}


@pytest.mark.parametrize(
    "change, match",
    [
        (
            ("cede_willingness = {", "cede_willingnes = {"),
            r"levers\.cede_willingnes: .*did you mean cede_willingness",
        ),
        (("cede_willingness = {", "n_peple = {"), r"levers\.n_peple: .*did you mean n_people"),
        (
            ("cede_willingness = {low = 0.1, high = 0.9}", "n_people = {low = 20, high = 40}"),
            r"levers\.n_people: n_people is not a policy lever",
        ),
        (
            ("low = 0.1", "low = 1.5"),
            r"levers\.cede_willingness\.low: cede_willingness=1\.5 is "
            r"not allowed: expected a number from 0 to 1",
        ),
        (("high = 0.9", "high = 0.1"), r"levers\.cede_willingness: low and high are both 0\.1"),
        (
            ("high = 0.9}", 'high = 0.9, expect = "up"}'),
            r"levers\.cede_willingness\.expect: 'up' is not allowed: expected one of higher, lower",
        ),
        (
            ("high = 0.9}", "high = 0.9, hihg = 1}"),
            r"levers\.cede_willingness: unknown key "
            r"'hihg'",
        ),
        ((", high = 0.9", ""), r"levers\.cede_willingness: no high value"),
        (("{low = 0.1, high = 0.9}", "0.5"), r"levers\.cede_willingness: 0\.5 is not allowed"),
        (("sizes = [40]", "sizes = [2]"), r"contexts\.sizes: n_people=2 is not allowed"),
        (("sizes = [40]", "sizes = [40, 40]"), r"contexts\.sizes: 40 is given twice"),
        (("sizes = [40]", "sizes = 40"), r"contexts\.sizes: 40 is not allowed: expected a list"),
        (
            ("sizes = [40]", 'network_types = ["city"]'),
            r"contexts\.network_types: network_type='city' is not allowed: expected one of place, "
            r"issue",
        ),
        (
            ("sizes = [40]", 'partner_channels_off = ["seats"]'),
            r"contexts\.partner_channels_off: partner_channel_off='seats' is not allowed",
        ),
        (("sizes = [40]", "size = [40]"), r"\[contexts\]: unknown key 'size'.*did you mean sizes"),
        (("seeds = 4", "seeds = 1"), r"seeds: 1 is not allowed: expected a whole number from 2"),
        (
            ("seeds = 4", "seeds = 100001"),
            r"seeds: 100001 is not allowed: expected a whole number from 2 to 100,000",
        ),
        (("seeds = 4", "seed = -1"), r"seed: -1 is not allowed"),
        (("steps = 20", "steps = 0"), r"steps: 0 is not allowed"),
        (("seeds = 4", "seds = 4"), r"\[robustness\]: unknown key 'seds'.*did you mean seeds"),
        (('"beston"', '"bestn"'), r"scenario: 'bestn' is not a scenario.*did you mean beston"),
        (("[contexts]", "[context]"), r"unknown table \[context\].*did you mean contexts"),
        (
            ("steps = 20", 'steps = 20\naccepted = "nowhere.csv"'),
            r"accepted: no such file 'nowhere\.csv'",
        ),
        (
            ("steps = 20", 'steps = 20\naccepted = "nowhere.csv"\nmax_accepted = 0'),
            r"max_accepted: 0 is not allowed",
        ),
        (
            ("steps = 20", "steps = 20\nmax_accepted = 3"),
            r"max_accepted: limits the accepted sets: give accepted as well",
        ),
        (
            ("steps = 20", 'steps = 20\naccepted = "."'),
            r"accepted: '\.' is a folder: expected the path of a CSV file",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_field(tmp_path, change, match):
    old, new = change
    assert old in TINY_STUDY
    path = write(tmp_path, TINY_STUDY.replace(old, new, 1))
    with pytest.raises(RobustnessError, match=match) as caught:
        read_robustness_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message


def test_files_that_are_not_studies_are_refused(tmp_path):
    with pytest.raises(RobustnessError, match="no such robustness study file"):
        read_robustness_file(tmp_path / "missing.toml")
    with pytest.raises(RobustnessError, match="not valid TOML"):
        read_robustness_file(write(tmp_path, "[robustness\n"))
    with pytest.raises(RobustnessError, match=r"no \[levers\] table"):
        read_robustness_file(write(tmp_path, "[robustness]\nseeds = 4\n"))
    with pytest.raises(RobustnessError, match=r"no \[robustness\] table"):
        read_robustness_file(write(tmp_path, "[levers]\n"))


@pytest.mark.parametrize(
    "text, match",
    [
        (
            "point,trust_gian\n1,0.1\n",
            r"column 'trust_gian' is not a parameter; did you mean "
            r"trust_gain",
        ),
        ("point,trust_gain\n1,0.9\n", r"row 1: trust_gain=0\.9 is not allowed"),
        ("point,trust_gain\n1,lots\n", r"row 1: trust_gain='lots' is not allowed"),
        ("point,trust_gain\n", r"has no accepted parameter sets"),
        ("point,organisations\n1,pharmacy\n", r"column 'organisations' cannot be set"),
        ("point,trust_gain\n1,0.1,3\n", r"row 1: 3 values for 2 columns"),
        ("point;trust_gain\n1;0.1\n", r"separated by ';', not commas; expected a CSV file"),
        ("point\ttrust_gain\n1\t0.1\n", r"separated by '\\t', not commas"),
        (b"PAR1\x15\x9a\x00", r"it is not UTF-8 text; expected a CSV file \(commas\)"),
    ],
)
def test_a_bad_accepted_file_is_refused(tmp_path, text, match):
    if isinstance(text, bytes):  # not text at all (a Parquet file, say)
        csv_path = tmp_path / "accepted.csv"
        csv_path.write_bytes(text)
    else:
        csv_path = write(tmp_path, text, "accepted.csv")
    path = write(tmp_path, TINY_STUDY.replace("steps = 20", f'steps = 20\naccepted = "{csv_path}"'))
    with pytest.raises(RobustnessError, match=match) as caught:
        read_robustness_file(path)
    assert str(caught.value).startswith(f"{path}: accepted: ")


def test_a_scenario_file_is_found_beside_the_study(tmp_path):
    shipped = Path(__file__).resolve().parents[1] / "src" / "collabsim" / "scenarios"
    (tmp_path / "mine").mkdir()
    shutil.copy(shipped / "beston.toml", tmp_path / "mine" / "local.toml")
    path = write(tmp_path / "mine", TINY_STUDY.replace('"beston"', '"local.toml"'))
    plan = read_robustness_file(path)
    assert plan.cells[0].low.horizon == 52
