"""The pipeline's report, ``<out>/README.md``: every number in it read from the tables.

First the question and the design, then the findings in plain words for workshop
practitioners (study by study: which levers help networks last, which shorten their
life, which make no clear difference, what networks deliver, and how sure we are), then
the detail for researchers: survival by level, the Cox models with their
proportional-hazards check, the effect tables, scenario discovery, limitations and
provenance. Shares print as percentages; an effect is *clear* when its 95% interval
lies wholly on one side of 0 (``collabsim.analysis.effects``).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.analysis.figures import horizon_words, outcome_words
from collabsim.analysis.studies import PipelineSpec, level_text
from collabsim.storage import write_atomically
from collabsim.validation.stats import BOOTSTRAP

#: Studies with at most this many arms have each arm's survival in the report.
ARMS_SHOWN = 12

#: The statistics columns of a ``survival_arms_<study>`` table (the rest are levers).
ARM_STATISTICS = ("runs", "dissolved", "median_weeks", "median_low", "median_high",
                  "surviving", "surviving_low", "surviving_high")

#: A lever's effect on survival in words, against its reference level.
VERDICTS = {"higher": "more networks last", "lower": "fewer networks last",
            "mixed": "more networks last at some levels and fewer at others",
            "unclear": "no clear difference"}


def number(value: Any, digits: int = 3, signed: bool = False, infinite: str = "∞") -> str:
    """A number for the report: ``–`` when missing, ``infinite`` when infinite."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return infinite
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def percent(value: Any, digits: int = 0, signed: bool = False) -> str:
    """A share as a percentage (``45%``); points when ``signed`` (``+12``)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return number(value * 100, digits, signed) + ("" if signed else "%")


def p_text(value: Any) -> str:
    """A p-value in two significant figures, ``–`` when missing."""
    return "–" if value is None or not math.isfinite(value) else f"{value:.2g}"


def _digits(outcome: str) -> int:
    # shares of networks are whole percentages; quality moves in tenths of a percent
    return 0 if outcome_words(outcome)[1] else 1


def _amount(outcome: str, value: float, signed: bool = True) -> str:
    """An outcome's level (``45%``) or change (``+12 points``), both in percent."""
    text = percent(value, _digits(outcome), signed)
    return text + " points" if signed and text != "–" else text


def _interval(outcome: str, low: float, high: float) -> str:
    return (f"{percent(low, _digits(outcome), True)} to "
            f"{percent(high, _digits(outcome), True)} points")


def within_text(spec: PipelineSpec, within: Any) -> str:
    """The ``within`` cell of an effect (``n_people=100 & ...``) with the levers' labels."""
    if not isinstance(within, str) or not within:
        return ""
    return "; ".join(f"{spec.label(lever)}: {level}" for lever, level in
                     (part.split("=", 1) for part in within.split(" & ")))


def table(frame: pd.DataFrame) -> list[str]:
    """A Markdown table of a frame of text."""
    lines = ["| " + " | ".join(frame.columns) + " |",
             "|" + "|".join("---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(
        index=False)]
    return lines + [""]


# --- the plain-language findings -------------------------------------------------------


def verdict(rows: pd.DataFrame) -> str:
    """How a lever does over its contrasts: ``higher``, ``lower``, ``mixed``, ``unclear``."""
    found = set(rows["clear"]) - {"unclear"}
    return "mixed" if len(found) > 1 else found.pop() if found else "unclear"


def lever_name(spec: PipelineSpec, study: str, lever: str) -> str:
    """A lever in words; an event lever by its study's title (its events differ by study)."""
    if lever == "events":
        return next(s.title for s in spec.studies if s.name == study)
    label = spec.label(lever)
    return label[:1].upper() + label[1:]


def direction(rows: pd.DataFrame) -> str:
    """The lever's reference level and the levels compared with it: ``0.1 → 0.5 / 0.9``.

    Words the levels share are said once: ``none → partner withdraws in week 13 / 26``.
    """
    levels = [level_text(level) for level in rows["level"]]
    shared = os.path.commonprefix(levels) if len(levels) > 1 else ""
    shared = shared[:shared.rfind(" ") + 1]  # whole words only
    if shared:
        levels = [levels[0]] + [level[len(shared):] for level in levels[1:]]
    return f"{level_text(rows['reference'].iloc[0])} → " + " / ".join(levels)


def lever_sentence(spec: PipelineSpec, rows: pd.DataFrame, outcome: str, steps: int) -> str:
    """A bullet on one lever's effect on one outcome (its rows of the effects table).

    E.g. "**Willingness to cede territory** (0.1 → 0.9): more networks last. Still
    meeting after five years: 11% at 0.1; 61% at 0.9 (+50 points, 95% interval +46 to
    +54 points)."
    """
    first = rows.iloc[0]
    name = lever_name(spec, first["study"], first["lever"])
    levels = "; ".join(
        [f"{_amount(outcome, first['at_reference'], signed=False)} at "
         f"{level_text(first['reference'])}"]
        + [f"{_amount(outcome, r.at_level, signed=False)} at {level_text(r.level)} "
           f"({_amount(outcome, r.effect)}, 95% interval "
           f"{_interval(outcome, r.ci_low, r.ci_high)}"
           f"{'' if r.clear != 'unclear' else ', not clear'})" for r in rows.itertuples()])
    if outcome == "sustained":
        head = f"**{name}** ({direction(rows)}): {VERDICTS[verdict(rows)]}."
        what = f"Still meeting after {horizon_words(steps)}"
    else:
        head = f"**{name}** ({direction(rows)})."
        what = f"{outcome_words(outcome)[0].capitalize()}, in % of the starting quality"
    return f"- {head} {what}: {levels}."


def in_short(spec: PipelineSpec, effects: pd.DataFrame) -> list[str]:
    """Which levers help networks last, which shorten their life, across the studies."""
    verdicts: dict[str, list[tuple[str, str]]] = {}
    rows = effects.loc[effects["outcome"] == "sustained"]
    for (study, lever), mine in rows.groupby(["study", "lever"], sort=False):
        verdicts.setdefault(lever_name(spec, study, lever), []).append(
            (verdict(mine), direction(mine)))
    groups: dict[str, list[str]] = {"higher": [], "lower": [], "mixed": [], "unclear": []}
    for name, found in verdicts.items():
        clear = {v for v, _ in found} - {"unclear"}
        group = "mixed" if len(clear) > 1 else clear.pop() if clear else "unclear"
        studies = f"{len(found)} stud{'y' if len(found) == 1 else 'ies'}"
        if group in ("higher", "lower"):
            studies = f"clear in {sum(v == group for v, _ in found)} of {studies}"
        groups[group].append(f"{name[:1].lower() + name[1:]} ({found[0][1]}; {studies})")
    lines = ["### In short", "", "Networks still meeting at the end, lever by lever "
             "(its reference level → the levels compared with it), over the studies that "
             "vary it:", ""]
    lines += [f"- **{VERDICTS[g][:1].upper() + VERDICTS[g][1:]}**: {'; '.join(names)}."
              for g, names in groups.items() if names]
    return lines + [""]


def plain_findings(spec: PipelineSpec, tables: dict[str, pd.DataFrame],
                   facts: dict[str, Any]) -> list[str]:
    """The findings for practitioners, study by study, then combinations and certainty."""
    effects = tables["effects"]
    lines = ["## What we found, in plain words", ""] + in_short(spec, effects)
    for study in spec.studies:
        data = facts["studies"][study.name]
        lines += [f"### {study.title}", ""]
        mine = effects.loc[effects["study"] == study.name]
        for outcome in spec.outcomes:
            if outcome != "sustained":
                lines += [f"What the networks deliver: {outcome_words(outcome)[0]} after "
                          f"{horizon_words(data.steps)}, whether or not they lasted.", ""]
            for _, rows in mine.loc[mine["outcome"] == outcome].groupby("lever", sort=False):
                lines.append(lever_sentence(spec, rows, outcome, data.steps))
            lines.append("")
        lines += _heat_map_sentences(spec, tables, study.name)
    lines += _discovery_sentences(spec, tables, facts)
    lines += ["### How sure we are", "",
              f"Each share is over every run at that level, and each effect compares the "
              f"same seeds at both levels, averaged over the other levers. The 95% intervals "
              f"are bootstrap intervals over seeds ({BOOTSTRAP:,} resamples); where an "
              f"interval includes no change, the report says the difference is not clear. "
              f"These are results of a model: read them with its limitations (below).", ""]
    return lines


def _heat_map_sentences(spec: PipelineSpec, tables: dict[str, pd.DataFrame],
                        study: str) -> list[str]:
    heat = tables["heat_maps"]
    if heat.empty:
        return []
    lines = []
    for (rows, columns, outcome), cells in heat.loc[heat["study"] == study].groupby(
            ["row_lever", "column_lever", "outcome"], sort=False):
        ranked = cells.dropna(subset=["value"]).sort_values("value", kind="stable")
        if ranked.empty:
            continue
        best, worst = ranked.iloc[-1], ranked.iloc[0]

        def cell(row: pd.Series, rows: str = rows, columns: str = columns) -> str:
            """A heat-map cell's two levels in words."""
            return (f"{spec.label(rows)} {level_text(row['row_level'])} with "
                    f"{spec.label(columns)} {level_text(row['column_level'])}")

        lines.append(f"- Together ({outcome_words(outcome)[0]}): best where {cell(best)} "
                     f"({_amount(outcome, best['value'], signed=False)}), worst where "
                     f"{cell(worst)} ({_amount(outcome, worst['value'], signed=False)}).")
    return lines + [""] if lines else []


def box_conditions(spec: PipelineSpec, rows: pd.DataFrame) -> str:
    """A box's limits in words, with the levers' labels."""
    parts = []
    for row in rows.itertuples():
        label = spec.label(row.lever)
        if isinstance(row.values, str) and row.values:
            parts.append(f"{label}: {row.values}")
        elif not math.isfinite(row.high):
            parts.append(f"{label} at least {row.low:.3g}")
        elif not math.isfinite(row.low):
            parts.append(f"{label} at most {row.high:.3g}")
        else:
            parts.append(f"{label} from {row.low:.3g} to {row.high:.3g}")
    return " and ".join(parts)


def _discovery_sentences(spec: PipelineSpec, tables: dict[str, pd.DataFrame],
                         facts: dict[str, Any]) -> list[str]:
    points, boxes = tables["discovery_points"], tables["discovery_boxes"]
    share = f"{spec.discovery.threshold:.0%}"
    lines = [f"### Which combinations of the {len(facts['discovery_levers'])} levers keep "
             "networks alive", "",
             f"Of {len(points)} combinations of the levers drawn at random, "
             f"{percent(points['case'].mean())} had at least {share} of their networks "
             f"lasting."]
    if boxes.empty:
        lines.append(f"No combination of levers stood out: {facts['discovery_message']}.")
    for number, rows in boxes.groupby("box"):
        first = rows.iloc[0]
        lines.append(f"{'Where' if number == 1 else 'Otherwise, where'} "
                     f"{box_conditions(spec, rows)}, {percent(first['density'])} of "
                     f"combinations had at least {share} lasting "
                     f"({int(first['cases'])} of {int(first['rows'])}; they are "
                     f"{percent(first['coverage'])} of all such combinations).")
    return lines[:2] + [" ".join(lines[2:]), ""]


# --- the detail for researchers --------------------------------------------------------


def design_lines(spec: PipelineSpec, tables: dict[str, pd.DataFrame],
                 facts: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    """The design: each study's levers and levels, seeds, weeks, runs; the cost."""
    sweeps = tables["sweeps"]
    rows = []
    for study in spec.studies:
        data = facts["studies"][study.name]
        levers = "; ".join(f"{spec.label(lever)}: " + " / ".join(map(level_text, levels))
                           for lever, levels in data.order.items())
        mine = sweeps.loc[sweeps["file"].isin([str(p) for p in study.sweeps])]
        rows.append({"study": study.title, "name": study.name,
                     "levers (first level: reference)": levers,
                     "seeds": int(mine["replicates"].iloc[0]), "weeks": data.steps,
                     "runs": int(mine["runs"].sum())})
    lines = ["## What we ran", ""] + table(pd.DataFrame(rows))
    ranges = "; ".join(f"{spec.label(lever)}: " + (
        f"{r['low']:g}–{r['high']:g}" if "low" in r else "/".join(map(level_text, r["levels"])))
        for lever, r in facts["discovery_ranges"].items())
    lines += [f"Scenario discovery: a Latin hypercube of {len(tables['discovery_points'])} "
              f"combinations of the levers ({ranges}), {facts['discovery_seeds']} seeds "
              f"each ({facts['discovery_runs']} runs).", ""]
    total, computed = int(sweeps["runs"].sum()), int(sweeps["computed"].sum())
    lines += [f"In all {total:,} runs in {len(sweeps)} sweeps ({computed:,} computed in the "
              f"last session, {int(sweeps['reused'].sum()):,} reused from earlier ones, "
              f"{int(sweeps['failed'].sum())} failed); the last session took "
              f"{meta.get('seconds', 0) / 60:.1f} minutes.", ""]
    if "cost" in tables:
        cost = tables["cost"].iloc[0]
        lines += [f"Projected cost, from {int(tables['cost']['measured'].sum())} runs timed "
                  f"(`--measure`): {cost['total_cpu_seconds'] / 60:.0f} processor-minutes, "
                  f"about {cost['total_wall_minutes']:.0f} minutes on "
                  f"{int(cost['total_workers'])} workers at "
                  f"{cost['total_pool_efficiency']:.0%} efficiency.", ""]
    return lines


def survival_lines(spec: PipelineSpec, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Kaplan-Meier medians and the share surviving, by lever level, with log-rank p."""
    frame = tables["survival"]

    def weeks(value: float) -> str:
        """Weeks, whole; a median beyond the horizon was not reached."""
        return number(value, 0, infinite="not reached")

    rows = pd.DataFrame({
        "study": frame["study"], "lever": frame["lever"].map(spec.label),
        "level": frame["level"].map(level_text), "runs": frame["runs"],
        "dissolved": frame["dissolved"],
        "median weeks (95% CI)": [f"{weeks(m)} ({weeks(lo)}–{weeks(hi)})" for m, lo, hi in
                                  zip(frame["median_weeks"], frame["median_low"],
                                      frame["median_high"], strict=True)],
        "surviving % (95% CI)": [f"{percent(s, 1)} ({percent(lo, 1)}–{percent(hi, 1)})"
                                 for s, lo, hi in zip(frame["surviving"],
                                                      frame["surviving_low"],
                                                      frame["surviving_high"], strict=True)],
        "log-rank p": frame["logrank_p"].map(p_text)})
    lines = ["### Survival by level (Kaplan-Meier)", "",
             "Weeks until a network dissolves, censored at the horizon; intervals: "
             "Brookmeyer-Crowley for the median, exponential Greenwood for the share; the "
             "log-rank test compares all levels of the lever.", ""] + table(rows)
    for study in spec.studies:
        arms = tables[f"survival_arms_{study.name}"]
        if len(arms) > ARMS_SHOWN:
            lines += [f"Every arm of {study.name} (each combination of its levels, "
                      f"{len(arms)} arms): `tables/survival_arms_{study.name}.csv`.", ""]
            continue
        levers = [c for c in arms.columns if c not in ARM_STATISTICS and c != "study"]
        lines += [f"Every arm of {study.name}:", ""] + table(pd.DataFrame({
            **{spec.label(lever): arms[lever].map(level_text) for lever in levers},
            "runs": arms["runs"], "dissolved": arms["dissolved"],
            "median weeks (95% CI)": [f"{weeks(m)} ({weeks(lo)}–{weeks(hi)})" for m, lo, hi
                                      in zip(arms["median_weeks"], arms["median_low"],
                                             arms["median_high"], strict=True)],
            "surviving % (95% CI)": [f"{percent(v, 1)} ({percent(lo, 1)}–{percent(hi, 1)})"
                                     for v, lo, hi in zip(arms["surviving"],
                                                          arms["surviving_low"],
                                                          arms["surviving_high"],
                                                          strict=True)]}))
    return lines


def effect_lines(spec: PipelineSpec, frame: pd.DataFrame, heading: str) -> list[str]:
    """The effects table, one block per outcome (shares in percentage points)."""
    if frame.empty:
        return []
    lines = [heading, ""]
    for outcome in spec.outcomes:
        rows = frame.loc[frame["outcome"] == outcome]
        share = outcome_words(outcome)[1]
        digits = _digits(outcome) + 1

        def show(value: float, digits: int = digits) -> str:
            """A share or change in percent."""
            return number(value * 100, digits)

        text = pd.DataFrame({
            "study": rows["study"], "lever": rows["lever"].map(spec.label),
            "level": rows["level"].map(level_text), "vs": rows["reference"].map(level_text),
            **({"within": rows["within"].map(lambda w: within_text(spec, w))}
               if rows["within"].astype(bool).any() else {}),
            "at reference": rows["at_reference"].map(show),
            "at level": rows["at_level"].map(show), "effect": rows["effect"].map(show),
            "95% interval": [f"{show(lo)} to {show(hi)}" for lo, hi in
                             zip(rows["ci_low"], rows["ci_high"], strict=True)],
            "p": rows["p_value"].map(p_text), "seeds": rows["seeds"]})
        unit = "percent, effects in percentage points" if share else \
            "percent of the starting quality, effects in points"
        lines += [f"**{outcome_words(outcome)[0].capitalize()}** (`{outcome}`; {unit}):", ""]
        lines += table(text)
    return lines


def cox_lines(spec: PipelineSpec, tables: dict[str, pd.DataFrame]) -> list[str]:
    """The Cox models: hazard ratios, the proportional-hazards check, the fit."""
    lines = ["### Cox models", "",
             "Weeks until a network dissolves, censored at the horizon, stratified by seed "
             "(each seed its own baseline hazard: common random numbers). Each lever is "
             "centred on its mean and scaled by its tested range, so a hazard ratio compares "
             "its lowest with its highest value at the average of the others (below 1: "
             "networks dissolve less); a partner's strength counts only where there is a "
             "partner. Proportional hazards: Grambsch-Therneau test on scaled Schoenfeld "
             "residuals against the rank of the week; where it fails the ratio is an average "
             "over a hazard ratio that changes with time.", ""]
    fits = tables["cox_fit"]
    for fit in fits.itertuples():
        lines.append(f"**{fit.study}**: {fit.runs} runs, {fit.dissolved} dissolved"
                     + (f"; not fitted: {fit.error}" if isinstance(fit.error, str) and fit.error
                        else f"; concordance {number(fit.concordance, 3)}")
                     + (f"; left out (no numeric scale): {fit.left_out}"
                        if isinstance(fit.left_out, str) and fit.left_out else "")
                     + (f"; warning: {fit.warnings}" if isinstance(fit.warnings, str)
                        and fit.warnings else "") + ".")
        lines.append("")
        rows = tables["cox"].loc[tables["cox"]["study"] == fit.study] \
            if not tables["cox"].empty else pd.DataFrame()
        if len(rows):
            lines += table(pd.DataFrame({
                "term": [" × ".join(spec.label(p.strip()) for p in t.split("×"))
                         for t in rows["term"]],
                "hazard ratio": rows["hazard_ratio"].map(lambda v: number(v, 3)),
                "95% CI": [f"{number(lo, 3)}–{number(hi, 3)}" for lo, hi in
                           zip(rows["lower"], rows["upper"], strict=True)],
                "p": rows["p"].map(p_text), "PH rho": rows["rho"].map(lambda v: number(v, 3)),
                "PH p": rows["ph_p"].map(p_text),
                "PH holds": rows["ph_holds"].map(lambda v: "yes" if v else "no")}))
    return lines


def discovery_lines(spec: PipelineSpec, tables: dict[str, pd.DataFrame],
                    facts: dict[str, Any]) -> list[str]:
    """The PRIM boxes and their trajectory, and what to make of them."""
    lines = ["### Scenario discovery (PRIM)", "",
             f"A design point is a case when at least {spec.discovery.threshold:.0%} of its "
             f"runs have `{spec.discovery.outcome}`; PRIM peels and pastes boxes of levers "
             "(collabsim.analysis.discovery), covering up to three.", ""]
    points = tables["discovery_points"]
    lines += [f"{int(points['case'].sum())} of {len(points)} design points are cases (base "
              f"rate {percent(points['case'].mean(), 1)})"
              + (f"; no boxes: {facts['discovery_message']}." if facts["discovery"] is None
                 else "; the boxes:"), ""]
    boxes = tables["discovery_boxes"]
    if len(boxes):
        lines += table(pd.DataFrame({
            "box": boxes["box"], "lever": boxes["lever"].map(spec.label),
            "low": boxes["low"].map(lambda v: number(v, 3, infinite="no limit")),
            "high": boxes["high"].map(lambda v: number(v, 3, infinite="no limit")),
            "values": boxes["values"],
            "density": boxes["density"].map(lambda v: percent(v, 1)),
            "coverage": boxes["coverage"].map(lambda v: percent(v, 1))}))
    return lines


def limitation_lines(meta: dict[str, Any], tables: dict[str, pd.DataFrame]) -> list[str]:
    """What the model and this design cannot say, with pointers to the evidence."""
    lines = ["### Limitations: what the model cannot say", ""]
    validation = Path("results/validation/patterns.csv")
    if validation.is_file():
        patterns = pd.read_csv(validation)
        able = patterns.loc[patterns["expressible"].astype(bool)]
        lines.append(f"- The model reproduces {int(able['passed'].astype(bool).sum())} of the "
                     f"{len(able)} field-study patterns it can express "
                     "([results/validation/report.md](../validation/report.md)); the others, "
                     "and the claims it cannot express, are listed there with the reason. "
                     "Each pattern's source and test: [docs/patterns.md](../../docs/patterns.md).")
    else:
        lines.append("- How far the model reproduces the field studies: "
                     "[docs/patterns.md](../../docs/patterns.md) and "
                     "results/validation/report.md (`make validate`).")
    failed = int(tables["sweeps"]["failed"].sum())
    lines += [
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
        if failed else "- No run failed.", ""]
    if meta.get("quick"):
        lines.insert(2, "- **This is a quick run** (few seeds, a short horizon, small "
                        "designs): a test of the pipeline, not findings.")
    return lines


def provenance_lines(meta: dict[str, Any], tables: dict[str, pd.DataFrame]) -> list[str]:
    """The commit, code fingerprint, pipeline and sweep files, and seeds."""
    sweeps = tables["sweeps"]
    dirty = " (with uncommitted changes)" if meta.get("git_dirty") else ""
    lines = ["### Provenance", "",
             f"Commit `{meta.get('git_commit')}`{dirty}, collabsim "
             f"{meta.get('collabsim_version')}, code fingerprint `{meta['code_fingerprint']}`; "
             f"pipeline file `{meta['pipeline_file']['path']}` (sha256 "
             f"`{meta['pipeline_file']['sha256'][:12]}`). Each sweep's folder holds its own "
             "meta.json (design, seeds, code fingerprint, sessions); `meta.json` here holds "
             "every file's text.", ""]
    lines += table(pd.DataFrame({
        "sweep": sweeps["name"], "file": sweeps["file"], "sha256": sweeps["sha256"].str[:12],
        "scenario": sweeps["scenario"], "points": sweeps["points"],
        "seeds": sweeps["replicates"], "weeks": sweeps["steps"], "runs": sweeps["runs"],
        "computed": sweeps["computed"], "reused": sweeps["reused"]}))
    for seeds, group in sweeps.groupby("seeds", sort=False):
        lines += [f"Replicate seeds of {', '.join(group['name'])} (master seed "
                  f"{group['seed'].iloc[0]}): {seeds.replace(' ', ', ')}.", ""]
    return lines


def write_report(path: Path, *, spec: PipelineSpec, tables: dict[str, pd.DataFrame],
                 facts: dict[str, Any], meta: dict[str, Any], out: Path) -> Path:
    """Write the report to ``path`` (atomically)."""
    lines = ["# What keeps a collaborative network alive, and what it delivers", ""]
    if meta.get("quick"):
        lines += ["> **Quick run**: few seeds, a short horizon and small designs, to test the "
                  "pipeline. Its numbers are not findings; `make results` makes the full "
                  "study.", ""]
    lines += ["## The question", "", spec.question, ""]
    lines += design_lines(spec, tables, facts, meta)
    lines += plain_findings(spec, tables, facts)
    lines += ["## For researchers", ""]
    lines += survival_lines(spec, tables)
    lines += cox_lines(spec, tables)
    lines += effect_lines(spec, tables["effects"], "### Lever effects, averaged over the "
                          "other levers")
    lines += effect_lines(spec, tables["effects_within"], "### Lever effects at each level "
                          "of the levers held fixed")
    lines += discovery_lines(spec, tables, facts)
    lines += ["### Figures", ""] + [f"![{name}](figures/{name})" for name in
                                    meta.get("figures", []) if name.endswith(".png")] + [""]
    lines += limitation_lines(meta, tables)
    lines += provenance_lines(meta, tables)
    text = "\n".join(lines).rstrip() + "\n"
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))
