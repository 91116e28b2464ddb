"""The results pipeline: end to end in quick mode, resumable, and its parts.

The quick pipeline runs through the real sweep engine (serial backend) into a temporary
folder twice: the first run computes every sweep, the second must compute nothing and
reuse every run. The report's numbers are parsed back and checked against the tables
they came from (the figure and effect functions on data with known answers:
``test_results_parts``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim.analysis import agreement, cost, findings, pipeline, wording
from collabsim.analysis.levers import LEVER_WORDS, study_data
from collabsim.analysis.pipeline import DEFAULT_FILE, main, run_pipeline
from collabsim.analysis.studies import PipelineError, StudySpec, read_pipeline, sweep_options

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / DEFAULT_FILE


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The quick pipeline run twice into one folder: (first, second, folder)."""
    out = tmp_path_factory.mktemp("results") / "report"
    first = run_pipeline(PIPELINE, out=out, quick=True, backend="serial", progress=_reported)
    second = run_pipeline(PIPELINE, out=out, quick=True, backend="serial")
    return first, second, out


#: What the first quick run reported: (sweep, done, total), as the runs finished.
REPORTED: list[tuple[str, int, int]] = []


def _reported(sweep: str, done: int, total: int) -> None:
    REPORTED.append((sweep, done, total))


def test_progress_is_reported_per_sweep_up_to_each_sweeps_total(quick):
    first, _, _ = quick
    last = {sweep: (done, total) for sweep, done, total in REPORTED}
    assert set(last) == {record["name"] for record in first.meta["sweeps"]}
    assert all(done == total > 0 for done, total in last.values())


def test_a_progress_function_taking_other_arguments_is_refused_before_any_run(tmp_path):
    with pytest.raises(PipelineError, match=r"expected a function called as progress\(sweep, "):
        run_pipeline(PIPELINE, out=tmp_path / "out", quick=True, progress=lambda done, total: 0)
    assert not (tmp_path / "out").exists()


def _markdown_table(text: str, heading: str) -> pd.DataFrame:
    """The first Markdown table after the line starting with ``heading``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return pd.DataFrame(rows[2:], columns=rows[0])


# --- end to end ------------------------------------------------------------------------


def test_quick_pipeline_writes_every_figure_table_and_the_report(quick):
    first, _, out = quick
    spec = read_pipeline(PIPELINE)
    expected = [f"survival_{study.name}" for study in spec.studies]
    expected += [
        f"heat_{study.name}_{rows}_{columns}_{outcome}"
        for study in spec.studies
        for rows, columns in study.heat_maps
        for outcome in spec.outcomes
    ]
    expected += ["boxes"] + [
        f"{kind}_{outcome}" for kind in ("effects", "effects_within") for outcome in spec.outcomes
    ]
    for stem in expected:
        for suffix in (".png", ".csv"):
            path = out / "figures" / f"{stem}{suffix}"
            assert path.is_file() and path.stat().st_size > 0, path
    for png in (out / "figures").glob("*.png"):
        assert png.with_suffix(".csv").is_file(), f"{png.name} has no data beside it"
    for table in (
        "survival",
        "effects",
        "effects_within",
        "cox",
        "cox_fit",
        "heat_maps",
        "discovery_points",
        "sweeps",
    ):
        assert (out / "tables" / f"{table}.csv").is_file(), table
    report = (out / "README.md").read_text(encoding="utf-8")
    assert "Quick run" in report and spec.question in report
    assert "### Where the model and the field studies disagree" in report
    for study in spec.studies:
        assert f"### {study.title}" in report
    assert first.meta["status"] == "complete"


def test_quick_pipeline_first_run_computes_every_run(quick):
    first, _, _ = quick
    for sweep in first.meta["sweeps"]:
        assert sweep["computed"] == sweep["runs"] and sweep["reused"] == 0, sweep["name"]
        assert sweep["failed"] == 0, sweep["name"]


def test_a_local_dask_cluster_starts_once_and_gives_the_serial_tables(
    quick, tmp_path, local_dask_starts
):
    result = run_pipeline(PIPELINE, out=tmp_path / "dask", quick=True, backend="dask", workers=2)
    assert len(result.meta["sweeps"]) > 1 and local_dask_starts == [2]
    _, _, serial = quick
    for name in ("survival", "effects", "curves", "cox"):
        table = f"{pipeline.TABLES}/{name}.csv"
        assert (tmp_path / "dask" / table).read_bytes() == (serial / table).read_bytes(), name


def test_rerun_computes_nothing_new(quick):
    _, second, out = quick
    for sweep in second.meta["sweeps"]:
        assert sweep["computed"] == 0 and sweep["reused"] == sweep["runs"], sweep["name"]
        meta = json.loads((Path(sweep["folder"]) / "meta.json").read_text())
        assert meta["status"] == "complete"
        assert meta["sessions"][-1]["runs"] == 0
        assert meta["sessions"][-1]["resumed_from"] == meta["runs"]
    assert len(second.meta["sweeps"]) == len(read_pipeline(PIPELINE).sweep_files())


def test_report_effect_tables_match_the_effects_csv(quick):
    _, _, out = quick
    report = (out / "README.md").read_text(encoding="utf-8")
    table = pd.read_csv(out / "tables" / "effects.csv")
    for outcome, digits in (("sustained", 1), ("quality_gain_vs_silo", 2)):
        shown = _markdown_table(
            report, f"**{wording.outcome_words(outcome)[0].capitalize()}** (`{outcome}`"
        )
        rows = table.loc[table["outcome"] == outcome].reset_index(drop=True)
        assert len(shown) == len(rows) > 0
        for column, source in (
            ("effect", "effect"),
            ("at reference", "at_reference"),
            ("at level", "at_level"),
        ):
            assert shown[column].tolist() == [f"{v * 100:.{digits}f}" for v in rows[source]]
        assert shown["seeds"].astype(int).tolist() == rows["seeds"].tolist()


def test_report_survival_table_and_sentences_match_their_tables(quick):
    _, _, out = quick
    report = (out / "README.md").read_text(encoding="utf-8")
    survival = pd.read_csv(out / "tables" / "survival.csv")
    shown = _markdown_table(report, "### Survival by level")
    assert len(shown) == len(survival)
    assert [cell.split(" ")[0] for cell in shown["surviving % (95% CI)"]] == [
        f"{v * 100:.1f}%" for v in survival["surviving"]
    ]
    assert [
        re.search(r"\((\S+)%–(\S+)%\)", cell).groups() for cell in shown["surviving % (95% CI)"]
    ] == [
        (f"{lo * 100:.1f}", f"{hi * 100:.1f}")
        for lo, hi in zip(survival["surviving_low"], survival["surviving_high"], strict=True)
    ]
    assert shown["dissolved"].astype(int).tolist() == survival["dissolved"].tolist()
    # the plain sentence on the first lever of the first study quotes its shares, under
    # the lever's words as the robustness report declares them
    effect = pd.read_csv(out / "tables" / "effects.csv")
    rows = effect.loc[(effect["study"] == "levers") & (effect["outcome"] == "sustained")]
    lever = rows["lever"].iloc[0]
    mine = rows.loc[rows["lever"] == lever]
    line = next(
        line
        for line in report.splitlines()
        if line.startswith(f"- **{LEVER_WORDS[lever]}**") and "Still meeting" in line
    )
    quoted = [float(x) for x in re.findall(r"(-?\d+)% at ", line)]
    assert quoted == [round(v * 100) for v in [mine["at_reference"].iloc[0], *mine["at_level"]]]


def test_report_and_folders_record_provenance(quick):
    first, _, out = quick
    report = (out / "README.md").read_text(encoding="utf-8")
    meta = json.loads((out / "meta.json").read_text())
    assert meta["code_fingerprint"] in report
    assert str(meta["git_commit"]) in report
    assert meta["pipeline_file"]["text"] == PIPELINE.read_text(encoding="utf-8")
    for sweep in meta["sweeps"]:
        folder = json.loads((Path(sweep["folder"]) / "meta.json").read_text())
        assert folder["replicate_seeds"] == [int(s) for s in sweep["seeds"].split()]
        assert folder["code_fingerprint"] == meta["code_fingerprint"]
        assert sweep["text"] == Path(sweep["file"]).read_text(encoding="utf-8")
        assert (Path(sweep["folder"]) / "sweep.toml").read_text(encoding="utf-8") == sweep["text"]


# --- errors ----------------------------------------------------------------------------


def test_bad_pipeline_files_are_refused_naming_the_field(tmp_path):
    text = PIPELINE.read_text(encoding="utf-8")
    for old, new, expected in [
        ("pool_efficiency =", "pool_efficency =", "unknown key 'pool_efficency'"),
        ("threshold = 0.8 ", "threshold = 1.8 ", "threshold=1.8 is not allowed"),
        ('"levers_partner_off.toml"', '"missing.toml"', "no such sweep file"),
        ("replicates = 3 ", "replicates = 0 ", "replicates=0 is not allowed"),
        ('outcomes = ["sustained"', 'outcomes = ["sustaned"', "did you mean sustained"),
        (
            'outcomes = ["sustained"',
            'outcomes = ["collapse_step"',
            "'collapse_step' is not allowed: it is censored",
        ),
        ("[quick]", '[labels]\nn_people = "people"\n\n[quick]', "unknown table [labels]"),
    ]:
        assert old in text, old
        bad = tmp_path / "pipeline.toml"
        bad.write_text(text.replace(old, new, 1), encoding="utf-8")
        for sweep in PIPELINE.parent.glob("*.toml"):
            if sweep.name != "pipeline.toml":
                (tmp_path / sweep.name).write_text(sweep.read_text())
        with pytest.raises(PipelineError, match=re.escape(expected)):
            read_pipeline(bad)


def test_quick_cut_keeps_the_first_and_last_levels(tmp_path):
    spec = read_pipeline(PIPELINE)
    options = sweep_options(
        PIPELINE.parent / "levers_partner_off.toml", runs_folder=tmp_path, quick=spec.quick
    )
    assert options["factors"]["distributed_leadership"] == [0.0, 0.9]
    assert options["replicates"] == spec.quick.replicates and options["steps"] == spec.quick.steps
    lhs = sweep_options(spec.discovery.sweep, runs_folder=tmp_path, quick=spec.quick)
    assert lhs["n"] == spec.quick.n


def test_sweeps_with_different_levels_of_a_lever_are_refused(tmp_path):
    results = []
    for name, levels in (("one", [0.1, 0.9]), ("two", [0.1, 0.5])):
        results.append(
            collabsim.sweep(
                scenario="iocn",
                params={"n_people": 30},
                factors={"cede_willingness": levels},
                replicates=1,
                steps=3,
                name=name,
                out=tmp_path / name,
                backend="serial",
                outputs=["sustained", "collapse_step"],
            )
        )
    spec = StudySpec(name="clash", title="Clash", sweeps=())
    with pytest.raises(PipelineError, match="cede_willingness has levels"):
        study_data(spec, results)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "pipeline.toml",
            'heat_maps = [["cede_willingness", "distributed_leadership"]]',
            'heat_maps = [["cede_willingness", "central_leader_strength"]]',
            "'central_leader_strength' is not a lever of the study; its levers: academic_partner",
        ),
        # the factorial's levels, declared in both halves, must agree
        (
            "levers_partner_on.toml",
            "cede_willingness = [0.1, 0.5, 0.9]",
            "cede_willingness = [0.1, 0.5, 0.8]",
            "cede_willingness has levels",
        ),
        # a factor dropped from one half leaves the levers not fully crossed
        (
            "levers_partner_on.toml",
            "cede_willingness = [0.1, 0.5, 0.9]",
            "",
            "are not fully crossed",
        ),
        # a leadership file that differs in more than its event
        (
            "central_leader_leaves_52.toml",
            "[params]\n",
            "[params]\nn_people = 100\n",
            "are not fully crossed",
        ),
        ("central_leader_leaves_52.toml", "seed = 0", "seed = 1", "differ in their seeds"),
    ],
)
def test_copies_that_disagree_are_refused_before_any_run(tmp_path, file, old, new, expected):
    for sweep in PIPELINE.parent.glob("*.toml"):
        text = sweep.read_text(encoding="utf-8")
        if sweep.name == file:
            assert old in text, old
            text = text.replace(old, new, 1)
        (tmp_path / sweep.name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(PipelineError, match=re.escape(expected)):
        run_pipeline(tmp_path / "pipeline.toml", out=out, quick=True, backend="serial")
    assert not (out / "runs").exists()


def test_cost_projection_adds_up_from_timed_runs(tmp_path):
    spec = read_pipeline(PIPELINE)
    planned = cost.plans(spec, runs_folder=tmp_path, quick=True)
    table, totals = cost.measure(spec, planned, count=1, workers=2)
    assert table["study"].tolist() == [s.name for s in spec.studies] + ["discovery"]
    # every sweep counted once, the one two studies share included
    assert table["runs"].sum() == totals["runs"] == sum(p.total for p in planned.values())
    assert (table["measured"] == 1).all() and (table["cpu_per_run"] > 0).all()
    assert table["cpu_total"].tolist() == pytest.approx(
        (table["runs"] * table["cpu_per_run"]).tolist()
    )
    assert totals["wall_minutes"] == pytest.approx(
        totals["cpu_seconds"] / (2 * spec.pool_efficiency) / 60
    )
    assert not any(tmp_path.iterdir()), "measuring must not write sweep folders"


def test_command_line_refuses_bad_options_in_one_line(capsys, tmp_path):
    assert main(["--file", "no-such-pipeline.toml", "--quiet"]) == 2
    assert main(["--quick", "--backend", "serial", "--workers", "2", "--quiet"]) == 2
    assert main(["--quick", "--measure", "0", "--out", str(tmp_path / "report")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [
        "collabsim: error: no-such-pipeline.toml: no such pipeline file",
        "collabsim: error: --workers is for the pool and dask backends; serial "
        "runs in this process",
        "collabsim: error: --measure 0 is not allowed: expected a whole number >= 1 "
        "(runs to time per study)",
    ]
    assert not (tmp_path / "report").exists()


def test_ctrl_c_says_how_far_the_pipeline_got_and_how_to_go_on(capsys, monkeypatch):
    def stopped(*args, progress, **kwargs):
        progress("partner_cede", 12, 40)  # a sweep under way when Ctrl-C comes
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_pipeline", stopped)
    assert main(["--quick", "--backend", "serial", "--quiet"]) == 130
    assert capsys.readouterr().err.strip().splitlines() == [
        "collabsim: interrupted: partner_cede: 12 of 40 runs done; the finished runs are "
        "kept; run the same command again to resume"
    ]


def test_an_interaction_of_a_cox_fit_that_warned_is_not_read_as_an_answer():
    tables = {
        "cox": pd.DataFrame(
            {
                "study": ["toy", "toy"],
                "term": ["a", "a × b"],
                "hazard_ratio": [0.5, 4.1e10],
                "lower": [0.3, 0.0],
                "upper": [0.9, np.inf],
            }
        ),
        "cox_fit": pd.DataFrame({"study": ["toy"], "warnings": ["the Cox model did not converge"]}),
    }
    lines = findings._interaction_sentences(read_pipeline(PIPELINE), tables, "toy")
    assert len(lines) == 2 and "did not converge" in lines[0]
    assert "41000000000" not in lines[0].replace(",", "") and "4.1e" not in lines[0]
    assert "hazard ratio" not in lines[0]


def test_the_report_says_where_the_model_and_the_field_studies_disagree(tmp_path):
    validation, checks = tmp_path / "patterns.csv", tmp_path / "checks.csv"
    pd.DataFrame(
        {
            "pattern": ["partner", "ceding", "power", "stories"],
            "claim": ["Partners help.", "Ceding gates leaders.", "Power slows.", "Stories urge."],
            "source": ["S1", "S2", "S3", "S4"],
            "passed": [True, False, True, None],
            "expressible": [True, True, True, False],
        }
    ).to_csv(validation, index=False)
    arms = pd.DataFrame(
        {"arm": ["iocn defaults", "n_people 100", "clahrc"], "sustained": [0.85, 0.65, 0.1]}
    )
    arms.to_csv(checks, index=False)
    lines = agreement.disagreement_lines(validation, checks)
    text = "\n".join(lines)
    assert "last more often here than the field studies suggest" in text
    assert "like the IOCN lasts five years in 85% of runs (fragile: 30% to 70%)" in text
    assert "like the CLAHRC in 10%" in text and "No calibration" in text
    assert "reproduces 2 of the 3 claims" in text
    assert "  - Ceding gates leaders (S2)." in lines
    assert "Partners help" not in text and "Power slows" not in text
    assert "cannot speak to 1 more" in text and "  - Stories urge (S4)." in lines

    # the verdict follows the share: fragile defaults are said to be so, without the caveat
    for share, verdict in [
        (0.5, "are about as fragile here as"),
        (0.2, "fail more often here than"),
    ]:
        arms.assign(sustained=[share, 0.65, 0.1]).to_csv(checks, index=False)
        text = "\n".join(agreement.disagreement_lines(validation, checks))
        assert f"Networks {verdict} the field studies suggest" in text
        assert ("No calibration" in text) == (share == 0.2)

    # without the files, the report names the commands that make them
    missing = "\n".join(agreement.disagreement_lines(tmp_path / "a.csv", tmp_path / "b.csv"))
    assert "make validate" in missing and "experiments/iocn_checks.py" in missing
    # a checks file without a default network is refused, naming the row
    arms.iloc[:2].to_csv(checks, index=False)
    with pytest.raises(ValueError, match="'clahrc': rerun experiments/iocn_checks.py"):
        agreement.disagreement_lines(validation, checks)
