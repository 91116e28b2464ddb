"""The report's findings in plain words, for workshop practitioners.

In short: which levers help networks last, which shorten their life and which make no
clear difference, over the studies that vary them. Then study by study, a sentence per
lever on survival and one on quality against the silo twin (each level's value, and
each level's change against the reference with its 95% interval), the best and worst
cells of the heat maps, whether the Cox model's interactions say two levers work
together, the scenario-discovery boxes, and how sure we are.
"""

from __future__ import annotations

import math
import os
from typing import Any

import pandas as pd

from collabsim.analysis.levers import level_text, lever_words
from collabsim.analysis.studies import PipelineSpec
from collabsim.analysis.wording import (
    amount,
    horizon_words,
    interval,
    number,
    outcome_words,
    percent,
)
from collabsim.validation.stats import BOOTSTRAP, CLEAR_P

#: A lever's effect on survival in words, against its reference level.
VERDICTS = {
    "higher": "more networks last",
    "lower": "fewer networks last",
    "mixed": "more networks last at some levels and fewer at others",
    "unclear": "no clear difference",
}


def verdict(rows: pd.DataFrame) -> str:
    """How a lever does over its contrasts: ``higher``, ``lower``, ``mixed``, ``unclear``."""
    found = set(rows["clear"]) - {"unclear"}
    return "mixed" if len(found) > 1 else found.pop() if found else "unclear"


def lever_name(spec: PipelineSpec, study: str, lever: str) -> str:
    """A lever in words; an event lever by its study's title (its events differ by study)."""
    if lever == "events":
        return next(s.title for s in spec.studies if s.name == study)
    label = lever_words(lever)
    return label[:1].upper() + label[1:]


def direction(rows: pd.DataFrame) -> str:
    """The lever's reference level and the levels compared with it: ``0.1 → 0.5 / 0.9``.

    Words the levels share are said once: ``none → partner withdraws in week 13 / 26``.
    """
    levels = [level_text(level) for level in rows["level"]]
    shared = os.path.commonprefix(levels) if len(levels) > 1 else ""
    shared = shared[: shared.rfind(" ") + 1]  # whole words only
    if shared:
        levels = [levels[0]] + [level[len(shared) :] for level in levels[1:]]
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
        [
            f"{amount(outcome, first['at_reference'], signed=False)} at "
            f"{level_text(first['reference'])}"
        ]
        + [
            f"{amount(outcome, r.at_level, signed=False)} at {level_text(r.level)} "
            f"({amount(outcome, r.effect)}, 95% interval "
            f"{interval(outcome, r.ci_low, r.ci_high)}"
            f"{'' if r.clear != 'unclear' else ', not clear'})"
            for r in rows.itertuples()
        ]
    )
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
            (verdict(mine), direction(mine))
        )
    groups: dict[str, list[str]] = {"higher": [], "lower": [], "mixed": [], "unclear": []}
    for name, found in verdicts.items():
        clear = {v for v, _ in found} - {"unclear"}
        group = "mixed" if len(clear) > 1 else clear.pop() if clear else "unclear"
        studies = f"{len(found)} stud{'y' if len(found) == 1 else 'ies'}"
        if group in ("higher", "lower"):
            studies = f"clear in {sum(v == group for v, _ in found)} of {studies}"
        groups[group].append(f"{name[:1].lower() + name[1:]} ({found[0][1]}; {studies})")
    lines = [
        "### In short",
        "",
        "Networks still meeting at the end, lever by lever "
        "(its reference level → the levels compared with it), over the studies that "
        "vary it:",
        "",
    ]
    lines += [
        f"- **{VERDICTS[g][:1].upper() + VERDICTS[g][1:]}**: {'; '.join(names)}."
        for g, names in groups.items()
        if names
    ]
    return lines + [""]


def plain_findings(
    spec: PipelineSpec, tables: dict[str, pd.DataFrame], facts: dict[str, Any]
) -> list[str]:
    """The findings for practitioners, study by study, then combinations and certainty."""
    effects = tables["effects"]
    lines = ["## What we found, in plain words", ""] + in_short(spec, effects)
    for study in spec.studies:
        data = facts["studies"][study.name]
        lines += [f"### {study.title}", ""]
        mine = effects.loc[effects["study"] == study.name]
        for outcome in spec.outcomes:
            if outcome != "sustained":
                lines += [
                    f"What the networks deliver: {outcome_words(outcome)[0]} after "
                    f"{horizon_words(data.steps)}, whether or not they lasted.",
                    "",
                ]
            for _, rows in mine.loc[mine["outcome"] == outcome].groupby("lever", sort=False):
                lines.append(lever_sentence(spec, rows, outcome, data.steps))
            lines.append("")
        lines += _heat_map_sentences(spec, tables, study.name)
        lines += _interaction_sentences(spec, tables, study.name)
    lines += _discovery_sentences(spec, tables, facts)
    contrasts = len(effects) + len(tables["effects_within"])
    lines += [
        "### How sure we are",
        "",
        f"Each share is over every run at that level, and each effect compares the "
        f"same seeds at both levels, averaged over the other levers. The 95% intervals "
        f"are bootstrap intervals over seeds ({BOOTSTRAP:,} resamples). A difference is "
        f"called clear only where its interval excludes no change and a rank test of "
        f"the same seeds agrees (Wilcoxon signed-rank, p below {CLEAR_P:.2g}); "
        f"otherwise the report says it is not clear. The report makes {contrasts:,} "
        f"such comparisons, so about {CLEAR_P * contrasts:.0f} of them could look "
        f"clear by chance alone: trust a pattern that repeats across levels and "
        f"studies more than a single comparison. These are results of a model: read "
        f"them with its limitations (below).",
        "",
    ]
    return lines


def _heat_map_sentences(
    spec: PipelineSpec, tables: dict[str, pd.DataFrame], study: str
) -> list[str]:
    heat = tables["heat_maps"]
    if heat.empty:
        return []
    lines = []
    for (rows, columns, outcome), cells in heat.loc[heat["study"] == study].groupby(
        ["row_lever", "column_lever", "outcome"], sort=False
    ):
        ranked = cells.dropna(subset=["value"]).sort_values("value", kind="stable")
        if ranked.empty:
            continue
        best, worst = ranked.iloc[-1], ranked.iloc[0]

        def cell(row: pd.Series, rows: str = rows, columns: str = columns) -> str:
            """A heat-map cell's two levels in words."""
            return (
                f"{lever_words(rows)} {level_text(row['row_level'])} with "
                f"{lever_words(columns)} {level_text(row['column_level'])}"
            )

        lines.append(
            f"- Together ({outcome_words(outcome)[0]}): best where {cell(best)} "
            f"({amount(outcome, best['value'], signed=False)}), worst where "
            f"{cell(worst)} ({amount(outcome, worst['value'], signed=False)})."
        )
    return lines + [""] if lines else []


def _interaction_sentences(
    spec: PipelineSpec, tables: dict[str, pd.DataFrame], study: str
) -> list[str]:
    """Each interaction of the study's Cox model as a question and its answer."""
    cox = tables["cox"]
    terms = cox.loc[(cox["study"] == study) & cox["term"].str.contains("×")] if len(cox) else cox
    if terms.empty:
        return []
    fit = tables["cox_fit"].set_index("study").loc[study]
    unfit = isinstance(fit["warnings"], str) and bool(fit["warnings"])
    lines = []
    for row in terms.itertuples():
        first, second = (lever_words(part.strip()) for part in row.term.split("×"))
        if unfit:  # a hazard ratio of a fit that warned is not to be read
            lines.append(
                f"- Does {first} work differently depending on {second}? The runs "
                f"cannot say: the Cox model did not fit cleanly ({fit['warnings']})."
            )
            continue
        clear = row.lower > 1 or row.upper < 1
        answer = (
            "no clear sign that it does"
            if not clear
            else "yes: together they lower the risk of dissolving below what each alone suggests"
            if row.hazard_ratio < 1
            else "yes: together they raise the risk of dissolving above what each alone suggests"
        )
        lines.append(
            f"- Does {first} work differently depending on {second}? {answer} "
            f"(hazard ratio of the two together {number(row.hazard_ratio, 2)}, 95% "
            f"interval {number(row.lower, 2)} to {number(row.upper, 2)}; see the Cox "
            "models below)."
        )
    return lines + [""] if lines else []


def box_conditions(spec: PipelineSpec, rows: pd.DataFrame) -> str:
    """A box's limits in words, with the levers' labels."""
    parts = []
    for row in rows.itertuples():
        label = lever_words(row.lever)
        if isinstance(row.values, str) and row.values:
            parts.append(f"{label}: {row.values}")
        elif not math.isfinite(row.high):
            parts.append(f"{label} at least {row.low:.3g}")
        elif not math.isfinite(row.low):
            parts.append(f"{label} at most {row.high:.3g}")
        else:
            parts.append(f"{label} from {row.low:.3g} to {row.high:.3g}")
    return " and ".join(parts)


def _discovery_sentences(
    spec: PipelineSpec, tables: dict[str, pd.DataFrame], facts: dict[str, Any]
) -> list[str]:
    points, boxes = tables["discovery_points"], tables["discovery_boxes"]
    share = f"{spec.discovery.threshold:.0%}"
    lines = [
        f"### Which combinations of the {len(facts['discovery_levers'])} levers keep "
        "networks alive",
        "",
        f"Of {len(points)} combinations of the levers drawn at random, "
        f"{percent(points['case'].mean())} had at least {share} of their networks "
        f"lasting.",
    ]
    if boxes.empty:
        lines.append(f"No combination of levers stood out: {facts['discovery_message']}.")
    for box, rows in boxes.groupby("box"):
        first = rows.iloc[0]
        lines.append(
            f"{'Where' if box == 1 else 'Otherwise, where'} "
            f"{box_conditions(spec, rows)}, {percent(first['density'])} of "
            f"combinations had at least {share} lasting "
            f"({int(first['cases'])} of {int(first['rows'])}; they are "
            f"{percent(first['coverage'])} of all such combinations)."
        )
    return lines[:2] + [" ".join(lines[2:]), ""]
