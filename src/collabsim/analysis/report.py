"""The pipeline's report, ``<out>/README.md``: every number in it read from the tables.

First the question and the design, then the findings in plain words for workshop
practitioners (``collabsim.analysis.findings``), then the detail for researchers, here:
survival by level and by arm, the Cox models with their proportional-hazards check, the
effect tables, scenario discovery, limitations and provenance; between the two, where the
model and the field studies disagree (``collabsim.analysis.agreement``). Numbers are
written by ``collabsim.analysis.wording``; an effect is *clear* when its 95% interval lies
wholly on one side of 0 and its rank test agrees (``collabsim.analysis.effects``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.analysis.agreement import disagreement_lines
from collabsim.analysis.effects import ARM_COLUMNS
from collabsim.analysis.findings import plain_findings
from collabsim.analysis.levers import level_text, lever_words
from collabsim.analysis.studies import PipelineSpec
from collabsim.analysis.wording import (
    digits_of,
    number,
    outcome_words,
    percent,
    table,
    within_text,
)
from collabsim.storage import write_atomically
from collabsim.validation.stats import p_text

#: Studies with at most this many arms have each arm's survival in the report.
ARMS_SHOWN = 12


def design_lines(
    spec: PipelineSpec, tables: dict[str, pd.DataFrame], facts: dict[str, Any], meta: dict[str, Any]
) -> list[str]:
    """The design: each study's levers and levels, seeds, weeks, runs; the cost."""
    sweeps = tables["sweeps"]
    rows = []
    for study in spec.studies:
        data = facts["studies"][study.name]
        levers = "; ".join(
            f"{lever_words(lever)}: " + " / ".join(map(level_text, levels))
            for lever, levels in data.order.items()
        )
        mine = sweeps.loc[sweeps["file"].isin([str(p) for p in study.sweeps])]
        rows.append(
            {
                "study": study.title,
                "name": study.name,
                "levers (first level: reference)": levers,
                "seeds": int(mine["replicates"].iloc[0]),
                "weeks": data.steps,
                "runs": int(mine["runs"].sum()),
            }
        )
    lines = ["## What we ran", ""] + table(pd.DataFrame(rows))
    ranges = "; ".join(
        f"{lever_words(lever)}: "
        + (f"{r['low']:g}–{r['high']:g}" if "low" in r else "/".join(map(level_text, r["levels"])))
        for lever, r in facts["discovery_ranges"].items()
    )
    lines += [
        f"Scenario discovery: a Latin hypercube of {len(tables['discovery_points'])} "
        f"combinations of the levers ({ranges}), {facts['discovery_seeds']} seeds "
        f"each ({facts['discovery_runs']} runs).",
        "",
    ]
    total, computed = int(sweeps["runs"].sum()), int(sweeps["computed"].sum())
    lines += [
        f"In all {total:,} runs in {len(sweeps)} sweeps ({computed:,} computed in the "
        f"last session, {int(sweeps['reused'].sum()):,} reused from earlier ones, "
        f"{int(sweeps['failed'].sum())} failed); the last session took "
        f"{meta.get('seconds', 0) / 60:.1f} minutes.",
        "",
    ]
    if "cost" in tables:
        cost = tables["cost"].iloc[0]
        lines += [
            f"Projected cost, from {int(tables['cost']['measured'].sum())} runs timed "
            f"(`--measure`): {cost['total_cpu_seconds'] / 60:.0f} processor-minutes, "
            f"about {cost['total_wall_minutes']:.0f} minutes on "
            f"{int(cost['total_workers'])} workers at "
            f"{cost['total_pool_efficiency']:.0%} efficiency.",
            "",
        ]
    return lines


def _arm_text(frame: pd.DataFrame) -> dict[str, Any]:
    """The ``ARM_COLUMNS`` of a survival table as the report's columns."""

    def weeks(value: float) -> str:
        """Weeks, whole; a median beyond the horizon was not reached."""
        return number(value, 0, infinite="not reached")

    return {
        "runs": frame["runs"],
        "dissolved": frame["dissolved"],
        "median weeks (95% CI)": [
            f"{weeks(m)} ({weeks(lo)}–{weeks(hi)})"
            for m, lo, hi in zip(
                frame["median_weeks"], frame["median_low"], frame["median_high"], strict=True
            )
        ],
        "surviving % (95% CI)": [
            f"{percent(v, 1)} ({percent(lo, 1)}–{percent(hi, 1)})"
            for v, lo, hi in zip(
                frame["surviving"], frame["surviving_low"], frame["surviving_high"], strict=True
            )
        ],
    }


def survival_lines(spec: PipelineSpec, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Kaplan-Meier medians and the share surviving, by lever level, with log-rank p."""
    frame = tables["survival"]
    rows = pd.DataFrame(
        {
            "study": frame["study"],
            "lever": frame["lever"].map(lever_words),
            "level": frame["level"].map(level_text),
            **_arm_text(frame),
            "log-rank p": frame["logrank_p"].map(p_text),
        }
    )
    lines = [
        "### Survival by level (Kaplan-Meier)",
        "",
        "Weeks until a network dissolves, censored at the horizon. Intervals: "
        "Brookmeyer-Crowley for the median; for the share surviving, exact binomial "
        "(Clopper-Pearson), as every run is followed to the horizon. The log-rank test "
        "compares all levels of the lever as independent samples: it ignores that "
        "they share seeds, which makes it conservative.",
        "",
    ] + table(rows)
    for study in spec.studies:
        arms = tables[f"survival_arms_{study.name}"]
        if len(arms) > ARMS_SHOWN:
            lines += [
                f"Every arm of {study.name} (each combination of its levels, "
                f"{len(arms)} arms): `tables/survival_arms_{study.name}.csv`.",
                "",
            ]
            continue
        levers = [c for c in arms.columns if c not in ARM_COLUMNS and c != "study"]
        lines += [f"Every arm of {study.name}:", ""] + table(
            pd.DataFrame(
                {
                    **{lever_words(lever): arms[lever].map(level_text) for lever in levers},
                    **_arm_text(arms),
                }
            )
        )
    return lines


def effect_lines(spec: PipelineSpec, frame: pd.DataFrame, heading: str) -> list[str]:
    """The effects table, one block per outcome (shares in percentage points)."""
    if frame.empty:
        return []
    lines = [heading, ""]
    for outcome in spec.outcomes:
        rows = frame.loc[frame["outcome"] == outcome]
        share = outcome_words(outcome)[1]
        digits = digits_of(outcome) + 1

        def show(value: float, digits: int = digits) -> str:
            """A share or change in percent."""
            return number(value * 100, digits)

        text = pd.DataFrame(
            {
                "study": rows["study"],
                "lever": rows["lever"].map(lever_words),
                "level": rows["level"].map(level_text),
                "vs": rows["reference"].map(level_text),
                **(
                    {"within": rows["within"].map(within_text)}
                    if rows["within"].astype(bool).any()
                    else {}
                ),
                "at reference": rows["at_reference"].map(show),
                "at level": rows["at_level"].map(show),
                "effect": rows["effect"].map(show),
                "95% interval": [
                    f"{show(lo)} to {show(hi)}"
                    for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)
                ],
                "p": rows["p_value"].map(p_text),
                "seeds": rows["seeds"],
            }
        )
        unit = (
            "percent, effects in percentage points"
            if share
            else "percent of the starting quality, effects in points"
        )
        lines += [f"**{outcome_words(outcome)[0].capitalize()}** (`{outcome}`; {unit}):", ""]
        lines += table(text)
    return lines


def cox_lines(spec: PipelineSpec, tables: dict[str, pd.DataFrame]) -> list[str]:
    """The Cox models: hazard ratios, the proportional-hazards check, the fit."""
    lines = [
        "### Cox models",
        "",
        "Weeks until a network dissolves, censored at the horizon, stratified by seed "
        "(each seed its own baseline hazard: common random numbers). Each lever is "
        "centred on its mean and scaled by its tested range, so a hazard ratio compares "
        "its lowest with its highest value at the average of the others (below 1: "
        "networks dissolve less); a partner's strength counts only where there is a "
        "partner. Proportional hazards: Grambsch-Therneau test on scaled Schoenfeld "
        "residuals against the rank of the week; where it fails the ratio is an average "
        "over a hazard ratio that changes with time.",
        "",
    ]
    fits = tables["cox_fit"]
    for fit in fits.itertuples():
        lines.append(
            f"**{fit.study}**: {fit.runs} runs, {fit.dissolved} dissolved"
            + (
                f"; not fitted: {fit.error}"
                if isinstance(fit.error, str) and fit.error
                else f"; concordance {number(fit.concordance, 3)}"
            )
            + (
                f"; left out (no numeric scale): {fit.left_out}"
                if isinstance(fit.left_out, str) and fit.left_out
                else ""
            )
            + (
                f"; warning: {fit.warnings}"
                if isinstance(fit.warnings, str) and fit.warnings
                else ""
            )
            + "."
        )
        lines.append("")
        rows = (
            tables["cox"].loc[tables["cox"]["study"] == fit.study]
            if not tables["cox"].empty
            else pd.DataFrame()
        )
        if len(rows):
            lines += table(
                pd.DataFrame(
                    {
                        "term": [
                            " × ".join(lever_words(p.strip()) for p in t.split("×"))
                            for t in rows["term"]
                        ],
                        "hazard ratio": rows["hazard_ratio"].map(lambda v: number(v, 3)),
                        "95% CI": [
                            f"{number(lo, 3)}–{number(hi, 3)}"
                            for lo, hi in zip(rows["lower"], rows["upper"], strict=True)
                        ],
                        "p": rows["p"].map(p_text),
                        "PH rho": rows["rho"].map(lambda v: number(v, 3)),
                        "PH p": rows["ph_p"].map(p_text),
                        "PH holds": rows["ph_holds"].map(lambda v: "yes" if v else "no"),
                    }
                )
            )
    return lines


def discovery_lines(
    spec: PipelineSpec, tables: dict[str, pd.DataFrame], facts: dict[str, Any]
) -> list[str]:
    """The PRIM boxes and their trajectory, and what to make of them."""
    lines = [
        "### Scenario discovery (PRIM)",
        "",
        f"A design point is a case when at least {spec.discovery.threshold:.0%} of its "
        f"runs have `{spec.discovery.outcome}`; PRIM peels and pastes boxes of levers "
        "(collabsim.analysis.discovery), covering up to three: each box after the first "
        "is sought among the design points outside the boxes before it, so its density is "
        "the share of those points in it that are cases, and its coverage the share of all "
        "cases it adds.",
        "",
    ]
    points = tables["discovery_points"]
    lines += [
        f"{int(points['case'].sum())} of {len(points)} design points are cases (base "
        f"rate {percent(points['case'].mean(), 1)})"
        + (
            f"; no boxes: {facts['discovery_message']}."
            if facts["discovery"] is None
            else "; the boxes:"
        ),
        "",
    ]
    boxes = tables["discovery_boxes"]
    if len(boxes):
        lines += table(
            pd.DataFrame(
                {
                    "box": boxes["box"],
                    "lever": boxes["lever"].map(lever_words),
                    "low": boxes["low"].map(lambda v: number(v, 3, infinite="no limit")),
                    "high": boxes["high"].map(lambda v: number(v, 3, infinite="no limit")),
                    "values": boxes["values"],
                    "density": boxes["density"].map(lambda v: percent(v, 1)),
                    "coverage": boxes["coverage"].map(lambda v: percent(v, 1)),
                }
            )
        )
    return lines


def limitation_lines(meta: dict[str, Any], tables: dict[str, pd.DataFrame]) -> list[str]:
    """What the model and this design cannot say, with pointers to the evidence."""
    lines = ["### Limitations: what the model cannot say", ""]
    failed = int(tables["sweeps"]["failed"].sum())
    lines += [
        "- Where the model and the field studies disagree, and what it cannot speak to: "
        "above, in plain words.",
        "- These are the model's answers for its calibrated rates (docs/odd.md §9), not "
        "measurements of real networks: magnitudes are not forecasts, and a lever the model "
        "does not contain (money, national policy, personalities) cannot show up here.",
        "- Quality against the silo twin is read at the end of the horizon, so for networks "
        "that dissolved it includes what unravelled after; what a network delivers while it "
        "lasts is bounded by it, not measured apart.",
        "- Hazard ratios whose proportional-hazards check fails are averages over time.",
        "- The discovery boxes are found on the same runs they are scored on; check a box on "
        "fresh seeds before relying on it.",
        f"- {failed} runs failed and are left out of every table."
        if failed
        else "- No run failed.",
        "",
    ]
    if meta.get("quick"):
        lines.insert(
            2,
            "- **This is a quick run** (few seeds, a short horizon, small "
            "designs): a test of the pipeline, not findings.",
        )
    return lines


def provenance_lines(meta: dict[str, Any], tables: dict[str, pd.DataFrame]) -> list[str]:
    """The commit, code fingerprint, pipeline and sweep files, and seeds."""
    sweeps = tables["sweeps"]
    dirty = " (with uncommitted changes)" if meta.get("git_dirty") else ""
    lines = [
        "### Provenance",
        "",
        f"Commit `{meta.get('git_commit')}`{dirty}, collabsim "
        f"{meta.get('collabsim_version')}, code fingerprint `{meta['code_fingerprint']}`; "
        f"pipeline file `{meta['pipeline_file']['path']}` (sha256 "
        f"`{meta['pipeline_file']['sha256'][:12]}`). Each sweep's folder holds its own "
        "meta.json (design, seeds, code fingerprint, sessions); `meta.json` here holds "
        "every file's text.",
        "",
    ]
    lines += table(
        pd.DataFrame(
            {
                "sweep": sweeps["name"],
                "file": sweeps["file"],
                "sha256": sweeps["sha256"].str[:12],
                "scenario": sweeps["scenario"],
                "points": sweeps["points"],
                "seeds": sweeps["replicates"],
                "weeks": sweeps["steps"],
                "runs": sweeps["runs"],
                "computed": sweeps["computed"],
                "reused": sweeps["reused"],
            }
        )
    )
    for seeds, group in sweeps.groupby("seeds", sort=False):
        lines += [
            f"Replicate seeds of {', '.join(group['name'])} (master seed "
            f"{group['seed'].iloc[0]}): {seeds.replace(' ', ', ')}.",
            "",
        ]
    return lines


def write_report(
    path: Path,
    *,
    spec: PipelineSpec,
    tables: dict[str, pd.DataFrame],
    facts: dict[str, Any],
    meta: dict[str, Any],
    out: Path,
) -> Path:
    """Write the report to ``path`` (atomically)."""
    lines = ["# What keeps a collaborative network alive, and what it delivers", ""]
    if meta.get("quick"):
        lines += [
            "> **Quick run**: few seeds, a short horizon and small designs, to test the "
            "pipeline. Its numbers are not findings; `make results` makes the full "
            "study.",
            "",
        ]
    lines += ["## The question", "", spec.question, ""]
    lines += design_lines(spec, tables, facts, meta)
    lines += plain_findings(spec, tables, facts)
    lines += disagreement_lines()
    lines += ["## For researchers", ""]
    lines += survival_lines(spec, tables)
    lines += cox_lines(spec, tables)
    lines += effect_lines(
        spec, tables["effects"], "### Lever effects, averaged over the other levers"
    )
    lines += effect_lines(
        spec, tables["effects_within"], "### Lever effects at each level of the levers held fixed"
    )
    lines += discovery_lines(spec, tables, facts)
    lines += (
        ["### Figures", ""]
        + [
            f"![{name}](figures/{name})"
            for name in meta.get("figures", [])
            if name.endswith(".png")
        ]
        + [""]
    )
    lines += limitation_lines(meta, tables)
    lines += provenance_lines(meta, tables)
    text = "\n".join(lines).rstrip() + "\n"
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))
