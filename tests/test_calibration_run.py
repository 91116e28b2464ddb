"""A tiny real calibration end to end: 2 rates, 4 points, short Beston runs, 4 seeds.

The patterns are test-only and cheap (20 weeks of ``beston``). The first stage's
pattern is a bound no run can break, checked at the stage's alpha of 0.1: with 4 seeds
a one-sided signed-rank p is at least 1/16, so it would fail at the catalogue's 0.01
and passes here only because the stage's alpha is used. The second stage adds a
pattern on another arm (16 weeks), so that it runs something of its own.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from collabsim import calibration
from collabsim.calibration import CalibrationPlan, Stage, Target, calibrate, sizes, stages
from collabsim.calibration.scoring import ranking, recommend
from collabsim.validation.spec import Arm, Bound, Change, Pattern, Sign, ValidationError

BESTON = Arm("beston", steps=20)
SHORTER = Arm("beston", steps=16)
SEEDS = 4


def tiny(name, arm, test):
    return Pattern(
        name,
        claim=f"The claim of {name}.",
        quote="a quote",
        source="A study 2019",
        operationalisation="How the model shows it.",
        arms={"beston": arm},
        test=test,
        seeds=SEEDS,
    )


BOUNDED = tiny(
    "trust_stays_bounded",
    BESTON,
    Bound(Change("trust_cross_org", 0, 20), "beston", low=-1.0, high=1.0),
)
RISES = tiny(
    "commitment_rises",
    SHORTER,
    Sign(Change("commitment_mean", 0, 16), "beston", direction="positive"),
)
IMPOSSIBLE = tiny(
    "trust_beyond_reach", BESTON, Bound(Change("trust_cross_org", 0, 20), "beston", low=5.0)
)
FACTORS = {"meeting_energy": (0.05, 0.4), "commitment_decay": (0.001, 0.02)}
PLAN = CalibrationPlan(
    "tiny",
    factors=FACTORS,
    points=4,
    seed=0,
    stages=[
        Stage(
            "first",
            seeds=SEEDS,
            patterns=[BOUNDED],
            alpha=0.1,
            targets=[Target(BESTON, "final_trust_cross_org", 0.0, 1.0, name="trust")],
        ),
        Stage("second", seeds=SEEDS, patterns=[BOUNDED, RISES], alpha=0.1, min_passed=0.5),
    ],
)
RUNS = {"first": 4 * SEEDS, "second": 2 * 4 * SEEDS}  # second: 4 stored, 4 new per point


def meta(out: Path) -> dict:
    return json.loads((out / "meta.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibration") / "serial"
    return out, calibrate(PLAN, out=out, backend="serial")


def test_a_calibration_writes_its_tables_report_and_figure(serial):
    out, result = serial
    for name in (
        "points.csv",
        "patterns_by_point.csv",
        "accepted.csv",
        "calibration.md",
        "meta.json",
        "figures/marginals.png",
        "figures/marginals.csv",
    ):
        assert (out / name).is_file(), name
    # read as Python reads floats: exact on every pandas (2.2's own parser is not)
    points = pd.read_csv(out / "points.csv", converters=dict.fromkeys(FACTORS, float))
    assert list(points.columns) == [
        "point",
        "meeting_energy",
        "commitment_decay",
        "first_passed",
        "first_share",
        "first_trust",
        "first_ok",
        "second_passed",
        "second_share",
        "second_ok",
        "accepted",
    ]
    assert points["point"].tolist() == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(
        points[list(FACTORS)], PLAN.design[list(FACTORS)], check_exact=True
    )
    long = pd.read_csv(out / "patterns_by_point.csv")
    assert list(long.columns) == ["point", "stage", "pattern", "effect", "p_value", "passed"]
    assert pd.read_csv(out / "accepted.csv").columns.tolist() == ["point", *FACTORS]
    # every point reached the last stage: all are listed, most of its patterns passed first
    closest = pd.read_csv(out / "closest.csv")
    assert closest.columns.tolist() == ["point", *FACTORS]
    assert sorted(closest["point"]) == [0, 1, 2, 3]
    ranked = points.set_index("point").loc[closest["point"], "second_passed"].tolist()
    assert ranked == sorted(ranked, reverse=True)
    marginals = pd.read_csv(out / "figures" / "marginals.csv")
    assert marginals.groupby("rate")["all_points"].sum().tolist() == [4, 4]
    info = meta(out)
    assert info["kind"] == "collabsim calibration" and info["status"] == "complete"
    assert info["plan"]["stages"][0]["patterns"] == ["trust_stays_bounded"]
    assert len(info["replicate_seeds"]) == SEEDS and info["code_fingerprint"]
    assert {"collabsim_version", "git_commit"} <= set(info)


def test_the_stage_alpha_lets_the_unbreakable_bound_pass(serial):
    _, result = serial
    first = result.patterns[result.patterns["stage"] == "first"]
    assert first["passed"].all() and (first["p_value"] == 1 / 16).all()
    assert result.points["first_ok"].all()  # every point goes on to the second stage


def test_every_point_follows_the_acceptance_rule(serial):
    out, result = serial
    points, long = result.points, result.patterns
    for stage, required in (("first", 1), ("second", 1)):
        rows = long[long["stage"] == stage]
        counts = rows.groupby("point")["passed"].sum()
        judged = points[points[f"{stage}_ok"].notna()]
        assert judged[f"{stage}_passed"].tolist() == counts.reindex(judged["point"]).tolist()
        for _, row in judged.iterrows():
            ok = row[f"{stage}_passed"] >= required
            if stage == "first":
                ok = ok and 0.0 <= row["first_trust"] <= 1.0
            assert bool(row[f"{stage}_ok"]) == ok
    accepted = points["first_ok"].fillna(False) & points["second_ok"].fillna(False)
    assert points["accepted"].tolist() == accepted.astype(bool).tolist()
    assert sorted(result.accepted["point"]) == points.loc[points["accepted"], "point"].tolist()
    assert result.accepted["point"].tolist() == ranking(
        points, PLAN.factors, passed="second_passed"
    )
    assert (points["second_share"] == points["second_passed"] / 2).all()
    chosen = recommend(points, PLAN.factors, passed="second_passed")
    assert result.recommended_point == chosen
    assert result.recommended == PLAN.point(chosen)
    report = (out / "calibration.md").read_text(encoding="utf-8")
    assert f"Recommended: point {chosen}" in report
    assert "the point nearest the median of the accepted points" in report


def test_common_seeds_and_runs_counted(serial):
    out, _ = serial
    info = meta(out)
    assert info["runs"]["first"] == {
        "needed": RUNS["first"],
        "reused": 0,
        "computed": RUNS["first"],
        "groups": info["runs"]["first"]["groups"],
    }
    second = info["runs"]["second"]
    # the second stage finds the first stage's 20-week runs stored: it runs only its own arm
    assert second["needed"] == RUNS["second"] and second["computed"] == 4 * SEEDS
    import collabsim

    seeds = [
        sorted(set(collabsim.load(out / "runs" / g).runs["seed"]))
        for g in [*info["runs"]["first"]["groups"], *second["groups"]]
    ]
    assert seeds[0] == seeds[1] == sorted(info["replicate_seeds"])


def test_the_pool_gives_exactly_the_serial_tables(serial, tmp_path):
    out, _ = serial
    calibrate(PLAN, out=tmp_path / "pool", backend="pool", workers=2)
    for name in ("points.csv", "patterns_by_point.csv", "accepted.csv", "figures/marginals.csv"):
        assert (tmp_path / "pool" / name).read_bytes() == (out / name).read_bytes(), name


def test_every_stage_runs_on_one_local_dask_cluster(serial, tmp_path, local_dask_starts):
    out, _ = serial
    result = calibrate(PLAN, out=tmp_path / "dask", backend="dask", workers=2)
    assert all(result.meta["runs"][stage.name]["computed"] for stage in PLAN.stages)
    assert local_dask_starts == [2]
    assert (tmp_path / "dask" / "points.csv").read_bytes() == (out / "points.csv").read_bytes()


class StopAfter:
    """A progress callback that stops the calibration, as Ctrl-C would."""

    def __init__(self, stage: str, runs: int) -> None:
        self.stage, self.runs = stage, runs
        self.seen: list[tuple[str, int, int]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.seen.append((stage, done, total))
        if stage == self.stage and done >= self.runs:
            raise KeyboardInterrupt


@pytest.mark.parametrize("stage, before", [("first", 0), ("second", 4 * SEEDS)])
def test_an_interrupted_calibration_resumes_to_the_same_result(
    serial, tmp_path, monkeypatch, stage, before
):
    out, _ = serial
    monkeypatch.setattr("collabsim.sweeps.serial.CHUNK_SECONDS", 0.0)  # a chunk per run
    stopped = tmp_path / "stopped"
    stop = StopAfter(stage, before + 3)
    with pytest.raises(KeyboardInterrupt):
        calibrate(PLAN, out=stopped, backend="serial", progress=stop)
    assert stop.seen[-1] == (stage, before + 3, RUNS[stage])
    assert meta(stopped)["status"] == "interrupted"
    assert not (stopped / "points.csv").exists()

    seen = []
    calibrate(PLAN, out=stopped, backend="serial", progress=lambda *report: seen.append(report))
    runs = meta(stopped)["runs"]
    own = {"first": RUNS["first"], "second": 4 * SEEDS}  # what each stage runs itself
    if stage == "first":
        assert runs["first"]["computed"] == own["first"] - 3  # only what was missing
        assert runs["second"]["computed"] == own["second"]
    else:
        assert runs["first"]["computed"] == 0
        assert runs["second"]["computed"] == own["second"] - 3
    assert ("second", RUNS["second"], RUNS["second"]) in seen  # the runs, then the scoring
    assert seen[-1] == ("second scored", RUNS["second"], RUNS["second"])
    for name in ("points.csv", "patterns_by_point.csv", "accepted.csv"):
        assert (stopped / name).read_bytes() == (out / name).read_bytes(), name


def test_a_rerun_computes_nothing_and_restart_everything(serial, tmp_path):
    out, _ = serial
    copy = tmp_path / "again"
    shutil.copytree(out, copy)
    calibrate(PLAN, out=copy, backend="serial")
    assert sum(r["computed"] for r in meta(copy)["runs"].values()) == 0
    assert (copy / "points.csv").read_bytes() == (out / "points.csv").read_bytes()
    calibrate(PLAN, out=copy, backend="serial", restart=True)
    assert meta(copy)["runs"]["first"]["computed"] == RUNS["first"]
    assert (copy / "points.csv").read_bytes() == (out / "points.csv").read_bytes()


def test_scoring_a_point_at_a_time_gives_the_tables_of_one_batch(serial, tmp_path, monkeypatch):
    out, _ = serial  # its four points are scored in one batch, well under BATCH_ROWS
    copy = tmp_path / "one_at_a_time"
    shutil.copytree(out, copy)
    monkeypatch.setattr(stages, "BATCH_ROWS", 1)  # every point a batch of its own
    seen = []
    calibrate(PLAN, out=copy, backend="serial", progress=lambda *report: seen.append(report))
    assert sum(r["computed"] for r in meta(copy)["runs"].values()) == 0
    # the scoring is shown point by point, in runs: the first stage's one arm, 4 seeds each
    assert [done for stage, done, _ in seen if stage == "first scored"] == [4, 8, 12, 16]
    for name in ("points.csv", "patterns_by_point.csv", "accepted.csv"):
        assert (copy / name).read_bytes() == (out / name).read_bytes(), name


def test_a_stage_with_a_seed_of_its_own_judges_the_points_on_other_seeds(tmp_path):
    import collabsim
    from collabsim.sweeps.sampling import replicate_seeds

    again = Stage("again", seeds=SEEDS, patterns=[BOUNDED], alpha=0.1, seed=7)
    plan = dataclasses.replace(PLAN, name="again", stages=[PLAN.stages[0], again])
    size = sizes.calibration_size(plan).runs
    assert size == 2 * 4 * SEEDS  # the same arm on other seeds runs again, where one
    shared = dataclasses.replace(
        plan, stages=[PLAN.stages[0], dataclasses.replace(again, seed=None)]
    )
    assert sizes.calibration_size(shared).runs == 4 * SEEDS  # of the plan's seed would not
    calibrate(plan, out=tmp_path / "again", backend="serial")
    info = meta(tmp_path / "again")
    assert info["runs"]["again"]["computed"] == 4 * SEEDS
    (group,) = info["runs"]["again"]["groups"]
    ran = sorted(set(collabsim.load(tmp_path / "again" / "runs" / group).runs["seed"]))
    assert ran == sorted(replicate_seeds(7, SEEDS))
    assert not set(ran) & set(info["replicate_seeds"])
    assert [s["seed"] for s in info["plan"]["stages"]] == [0, 7]
    assert "(4 seeds per arm, the same at every point, of master seed 7 (its own); " in (
        tmp_path / "again" / "calibration.md"
    ).read_text(encoding="utf-8")


def test_when_no_point_is_accepted_nothing_is_recommended(tmp_path):
    copy = tmp_path / "none"
    plan = CalibrationPlan(
        "none",
        factors=FACTORS,
        points=4,
        seed=0,
        stages=[
            Stage("hopeless", seeds=SEEDS, patterns=[BOUNDED, IMPOSSIBLE], alpha=0.1),
            Stage("second", seeds=SEEDS, patterns=[BOUNDED], alpha=0.1),
        ],
    )
    result = calibrate(plan, out=copy, backend="serial")
    assert meta(copy)["runs"]["hopeless"]["computed"] == 4 * SEEDS  # one arm, shared
    assert "second" not in meta(copy)["runs"]  # no point reached it
    assert result.recommended is None and result.recommended_point is None
    assert result.accepted.empty and not result.points["accepted"].any()
    assert result.points["second_ok"].isna().all()
    assert (result.points["hopeless_passed"] == 1).all()
    assert math.isclose(result.points["hopeless_share"].iloc[0], 0.5)
    report = (copy / "calibration.md").read_text(encoding="utf-8")
    assert "## No point was accepted" in report and "recommends no rates" in report
    assert "**second**: no point reached this stage." in report
    assert "| 0 | 1 of 2 |" in report  # the best points of the first stage
    assert pd.read_csv(copy / "accepted.csv").empty
    # none reached the last stage: the points of the furthest one reached, most passed first
    closest = pd.read_csv(copy / "closest.csv")
    assert closest["point"].tolist() == [0, 1, 2, 3]  # all passed one of two: by point
    assert (copy / "figures" / "marginals.png").is_file()
    assert meta(copy)["recommended"] is None


@pytest.mark.parametrize(
    "options, match",
    [
        ({"backend": "threads"}, "backend='threads'"),
        ({"backend": "serial", "workers": 2}, "workers=2"),
        ({"restart": "yes"}, "restart='yes'"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(tmp_path, options, match):
    out = tmp_path / "never"
    with pytest.raises(ValidationError, match=match):
        calibrate(PLAN, out=out, **options)
    assert not out.exists()


def test_a_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a collabsim calibration"):
        calibrate(PLAN, out=tmp_path, backend="serial")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(FileExistsError, match="is a file"):
        calibration.calibrate(PLAN, out=tmp_path / "notes.txt", backend="serial")
