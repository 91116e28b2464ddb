"""What a robustness study writes in words: the headlines, ``report.md`` and the CSV files.

- ``robustness.csv`` and ``summary.csv``: the tables of
  ``collabsim.robustness.analysis`` (``COLUMNS``, ``SUMMARY_COLUMNS``).
- ``report.md``: a headline sentence per lever in plain words, the table of how each
  lever fares on each outcome across the contexts, then where effects flip and by how
  much, the contexts, and how to read it all.
- ``summary_text``: the headlines and where the files are, for the command line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.analysis.levers import LEVER_WORDS
from collabsim.robustness.analysis import OUTCOMES, REVERSED, UNCLEAR
from collabsim.robustness.plan import Lever, RobustnessPlan
from collabsim.storage import origin_text, write_atomically
from collabsim.validation.stats import BOOTSTRAP, CLEAR_P, p_text

#: The outcomes a headline speaks of, in order.
HEADLINE_OUTCOMES: tuple[str, ...] = ("sustainability_score", "quality_gain_vs_silo")

#: Kinds of context in words, for the report.
KIND_WORDS: dict[str, str] = {
    "defaults": "the scenario's defaults",
    "accepted": "a calibrated parameter set (the `accepted` file)",
    "size": "network size",
    "network_type": "kind of network",
    "channel_off": "one of the partner's channels switched off",
}


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV (UTF-8, Unix line ends), atomically."""
    text = table.to_csv(index=False, lineterminator="\n")
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


def setting_text(value: Any) -> str:
    """A lever setting in words: ``on``/``off`` for true/false, numbers as given."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _signed(value: float) -> str:
    """An effect in plain figures: ``+0.213``, ``-0.045``, ``0``, ``about 0``."""
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    return "about 0" if abs(value) < 0.0005 else f"{value:+.3f}"


def lever_phrase(lever: Lever) -> str:
    """The lever and its two settings: ``Willingness to cede territory (0.2 → 0.8)``."""
    words = LEVER_WORDS.get(lever.name, lever.name.replace("_", " ").capitalize())
    return f"{words} ({setting_text(lever.low)} \u2192 {setting_text(lever.high)})"


def headline(lever: Lever, summary: pd.DataFrame) -> str:
    """One sentence on a lever: in how many contexts it moves survival and quality its way.

    Args:
        lever: The lever.
        summary: The ``summary.csv`` table.

    Returns:
        E.g. "Willingness to cede territory (0.2 → 0.8) raises survival in 17 of 17
        contexts (effect +0.21 to +0.48 of weeks alive) and quality against silos in 9
        of 17 (+0.004 to +0.05 of starting quality)." and, where it flips, a second
        sentence naming the contexts.
    """
    verb = "raises" if lever.expect == "higher" else "lowers"
    rows = summary.loc[summary["lever"] == lever.name].set_index("outcome")
    parts, flips = [], []
    for number, outcome in enumerate(o for o in HEADLINE_OUTCOMES if o in rows.index):
        row = rows.loc[outcome]
        words, unit = OUTCOMES[outcome]
        contexts = f"{row['contexts']} contexts" if number == 0 else f"{row['contexts']}"
        effect = "effect " if number == 0 else ""
        if row["effect_min"] == 0 and row["effect_max"] == 0:
            span = "no difference in any context"
        else:
            span = f"{effect}{_signed(row['effect_min'])} to {_signed(row['effect_max'])} {unit}"
        parts.append(f"{words} in {row['expected']} of {contexts} ({span})")
        if row["reversed"]:
            flips.append(f"for {words} in {row['reversed']} ({row['flips']})")
    sentence = f"{lever_phrase(lever)} {verb} " + " and ".join(parts) + "."
    if flips:
        sentence += " It goes the other way " + " and ".join(flips) + "."
    return sentence


def headlines(plan: RobustnessPlan, summary: pd.DataFrame) -> list[str]:
    """A headline per lever, in the study's order."""
    return [headline(lever, summary) for lever in plan.levers]


def report_markdown(
    plan: RobustnessPlan, table: pd.DataFrame, summary: pd.DataFrame, *, info: Mapping[str, Any]
) -> str:
    """The text of ``report.md``.

    Args:
        plan: The study.
        table: The ``robustness.csv`` table.
        summary: The ``summary.csv`` table.
        info: What the study was: ``code_fingerprint``, ``git_commit``, ``runs``,
            ``computed``, ``reused``, ``failed``.

    Returns:
        Markdown text ending in a newline.
    """
    lines = [f"# Lever robustness: {plan.name}", ""]
    lines += [f"- {text}" for text in headlines(plan, summary)]
    lines += [
        "",
        f"Scenario `{plan.scenario}`, {plan.steps} weeks per run, {plan.seeds} seeds "
        f"per arm, the same seeds in every arm (common random numbers, master seed "
        f"{plan.seed}); {len(plan.levers)} levers in {_contexts_text(plan)}. "
        + origin_text(info)
        + f"; {info['runs']} runs ({info['computed']} computed in this session, "
        f"{info['reused']} done in earlier sessions).",
    ]
    if info.get("failed"):
        lines += [
            "",
            f"**{info['failed']} runs failed** (first: {info['first_error']}); "
            "their seeds are left out of the pairs they belong to.",
        ]
    lines += [
        "",
        "## How each lever fares",
        "",
        "Contexts where the effect is clearly on the expected side of 0 (as expected), "
        "clearly on the other side (reversed), or neither (unclear); clearly means its 95% "
        "interval lies wholly on that side and a two-sided Wilcoxon signed-rank test of "
        f"the per-seed differences agrees (p below {CLEAR_P:.2g}), as in the results "
        "report. Then the smallest and largest effect, high minus low.",
        "",
        "| lever | low → high | expected | outcome | contexts | as expected | unclear "
        "| reversed | smallest effect | largest effect |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in summary.itertuples():
        lines.append(
            f"| {row.lever} | {setting_text(row.low)} → {setting_text(row.high)} | "
            f"{row.expect} | {OUTCOMES[row.outcome][0]} | {row.contexts} | {row.expected} | "
            f"{row.unclear} | {row.reversed} | {_signed(row.effect_min)} ({row.context_min}) "
            f"| {_signed(row.effect_max)} ({row.context_max}) |"
        )
    lines += ["", "## Where effects flip", ""] + _flips(table, summary)
    lines += ["", "## Contexts", "", "| kind | context | overrides |", "|---|---|---|"]
    for context in plan.contexts:
        overrides = ", ".join(f"{k} = {setting_text(v)}" for k, v in context.overrides.items())
        lines.append(f"| {KIND_WORDS[context.kind]} | {context.label} | {overrides or '(none)'} |")
    lines += _repeats(plan)
    lines += [
        "",
        "## How to read this",
        "",
        "Each lever is run at its low and its high setting in every context; run r of "
        "one arm and run r of the other share a seed. The effect is the mean over "
        "seeds of the difference high minus low; its 95% interval is a percentile "
        f"bootstrap over seeds ({BOOTSTRAP:,} resamples, seeded with the master seed); "
        "p is a one-sided Wilcoxon signed-rank test that the differences lie on the "
        "expected side of 0 (the lever's expected direction, for quality too). Survival "
        "is the share of weeks the network was alive (`sustainability_score`); networks "
        "sustained is the share of runs alive at the end (`sustained`); quality against "
        "silos is final pathway quality minus that of the same world without the network "
        "(`quality_gain_vs_silo`). Every row is in `robustness.csv`, the counts in "
        "`summary.csv`, and the forest plots in `figures/`.",
    ]
    return "\n".join(lines) + "\n"


def _contexts_text(plan: RobustnessPlan) -> str:
    used = len({cell.context.label for cell in plan.cells})
    text = f"{used} contexts"
    if used < len(plan.contexts):
        text += (
            f" ({len(plan.contexts) - used} more given repeat an earlier context's arms "
            "and are counted once)"
        )
    return text


def _flips(table: pd.DataFrame, summary: pd.DataFrame) -> list[str]:
    lines = []
    for row in summary.itertuples():
        mine = table.loc[(table["lever"] == row.lever) & (table["outcome"] == row.outcome)]
        wrong = (mine["effect"] < 0) if row.expect == "higher" else (mine["effect"] > 0)
        flipped = mine.loc[mine["sign"] == REVERSED]
        leaning = mine.loc[(mine["sign"] == UNCLEAR) & wrong]
        if flipped.empty and leaning.empty:
            continue
        words = OUTCOMES[row.outcome][0]
        details = [f"reverses in {_context_effects(flipped)}"] if not flipped.empty else []
        if not leaning.empty:
            details.append(
                f"leans the other way, without confidence, in {_context_effects(leaning)}"
            )
        lines.append(
            f"- **{row.lever}** on {words} (expected {row.expect}): " + "; ".join(details) + "."
        )
    return lines or ["No lever's effect goes against its expected direction in any context."]


def _context_effects(rows: pd.DataFrame) -> str:
    return ", ".join(
        f"{r.context} ({_signed(r.effect)}, 95% CI {_signed(r.ci_low)} to "
        f"{_signed(r.ci_high)}, p = {p_text(r.p_value)})"
        for r in rows.itertuples()
    )


def _repeats(plan: RobustnessPlan) -> list[str]:
    if not plan.repeats:
        return []
    by_context: dict[tuple[str, str], list[str]] = {}
    for context, lever, earlier in plan.repeats:
        by_context.setdefault((context, earlier), []).append(lever)
    lines = ["", "Not counted twice (their arms are exactly those of an earlier context):"]
    for (context, earlier), levers in by_context.items():
        which = "every lever" if len(levers) == len(plan.levers) else ", ".join(levers)
        lines.append(f"- {context}: as {earlier}, for {which}.")
    return lines


def write_report(
    plan: RobustnessPlan,
    table: pd.DataFrame,
    summary: pd.DataFrame,
    path: Path,
    *,
    info: Mapping[str, Any],
) -> Path:
    """Write ``report.md`` (see ``report_markdown``)."""
    text = report_markdown(plan, table, summary, info=info)
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


def summary_text(lines: Sequence[str], *, out: Path) -> str:
    """How a study went, for the command line: its headlines and where the report is."""
    return "\n".join(
        ["Lever robustness:", *[f"  {line}" for line in lines], f"  Report: {out / 'report.md'}"]
    )
