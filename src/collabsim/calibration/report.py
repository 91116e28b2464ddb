"""A calibration in words: ``calibration.md`` and the command line's closing summary.

``calibration.md`` says what was sampled, the acceptance rule, how many points passed
each stage, how often each pattern passed, the accepted points' ranges and medians, and
the recommended rates with the rule that chose them; when no point was accepted it says
so plainly, lists the best points of each stage and recommends nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from collabsim.calibration.plan import Stage
from collabsim.params import PARAMETERS
from collabsim.reference import format_value
from collabsim.validation.catalogue import PATTERNS

if TYPE_CHECKING:
    from collabsim.calibration.outputs import CalibrationResult

#: Points listed per stage when no point is accepted.
BEST_SHOWN = 3

RULE = (
    "the accepted point that passes the most patterns in the last stage that checks "
    "patterns; a tie goes "
    "to the point nearest the median of the accepted points, each rate scaled to "
    "[0, 1] over its calibration range (Euclidean distance), and then to the lowest "
    "point number"
)


def _number(value: float) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.3g}"


def _names(patterns) -> str:
    return ", ".join(f"`{p.name}`" for p in patterns)


def stage_rule(stage: Stage) -> str:
    """What a point must do to pass a stage, in one sentence."""
    parts = []
    count = len(stage.patterns)
    if count:
        everything = tuple(p for p in PATTERNS.values() if p.expressible)
        which = (
            "every expressible pattern of the catalogue"
            if stage.patterns == everything
            else _names(stage.patterns)
        )
        if stage.required == count:
            parts.append(
                f"it passes all {count} of its patterns ({which})"
                if count > 1
                else f"it passes its pattern ({which})"
            )
        else:
            parts.append(f"it passes at least {stage.required} of its {count} patterns ({which})")
    parts.extend(target.describe() for target in stage.targets)
    seeds = f"{stage.seeds} seeds per arm, the same at every point"
    if stage.seed is not None:
        seeds += f", of master seed {stage.seed} (its own)"
    if stage.patterns:  # targets have no test to set a level for
        seeds += f"; every test at alpha = {stage.alpha:g}"
    return f"**{stage.name}** ({seeds}): " + "; and ".join(parts) + "."


def calibration_markdown(result: CalibrationResult) -> str:
    """The full text of ``calibration.md``."""
    plan, table, meta = result.plan, result.points, result.meta
    accepted = int(table["accepted"].sum())
    lines = [
        f"# Calibration `{plan.name}`",
        "",
        "Calibration by pattern filtering (approximate Bayesian computation by "
        f"rejection): a Latin hypercube of {plan.points} points over "
        f"{len(plan.factors)} uncertain rates that are not policy levers (master seed "
        f"{plan.seed}); each point is run against the patterns of the field studies, "
        "with the same seeds at every point (common random numbers), and accepted only "
        "if it passes every stage in turn.",
        "",
        "## Design",
        "",
        "| rate | range sampled | declared default | unit | meaning |",
        "|---|---|---|---|---|",
    ]
    for factor in plan.factors:
        param = PARAMETERS[factor.name]
        lines.append(
            f"| `{factor.name}` | {factor.low:g} to {factor.high:g} | "
            f"{format_value(param.default)} | {param.unit} | {param.meaning} |"
        )
    lines += [
        "",
        "## Acceptance rule",
        "",
        "A point is accepted if it passes every stage, in this order; a point that "
        "fails a stage is not run in the later ones.",
        "",
    ]
    lines += [f"{i}. {stage_rule(stage)}" for i, stage in enumerate(plan.stages, 1)]
    lines += [
        "",
        "## Points passing each stage",
        "",
        "| stage | points run | passed | share |",
        "|---|---|---|---|",
    ]
    for stage in plan.stages:
        judged = int(table[f"{stage.name}_ok"].notna().sum())
        passed = int(table[f"{stage.name}_ok"].fillna(False).astype(bool).sum())
        share = f"{passed / judged:.1%}" if judged else "not reached"
        lines.append(f"| {stage.name} | {judged} | {passed} | {share} |")
    lines += undefined_targets(result)
    lines += [
        "",
        f"**Accepted: {accepted} of {plan.points} points ({accepted / plan.points:.1%}).**",
        "",
    ]
    lines += _pattern_rates(result)
    if accepted:
        lines += _accepted_section(result)
    else:
        lines += _none_accepted(result)
    lines += [
        "## Figure",
        "",
        "`figures/marginals.png`: for each rate, the share of all points and of the "
        "accepted points in each tenth of its range (data: `figures/marginals.csv`).",
        "",
        "## Runs",
        "",
        "| stage | runs needed | computed now | found stored |",
        "|---|---|---|---|",
    ]
    for name, runs in meta.get("runs", {}).items():
        lines.append(f"| {name} | {runs['needed']} | {runs['computed']} | {runs['reused']} |")
    commit = meta.get("git_commit") or "not a git checkout"
    lines += [
        "",
        f"collabsim {meta.get('collabsim_version')}, commit {commit}, model code "
        f"{meta.get('code_fingerprint')}; calibration file "
        f"{(meta.get('file') or {}).get('path', 'none (a plan from Python)')}.",
        "",
    ]
    return "\n".join(lines)


def undefined_targets(result: CalibrationResult) -> list[str]:
    """A line for each target with no value at points its stage judged, saying how many.

    A target's value is undefined where its output is undefined in every run of an arm
    (``collapse_step`` where no network dissolved, say): such a point fails the target,
    which the table above cannot tell apart from a value out of bounds.
    """
    table, lines = result.points, []
    for stage in result.plan.stages:
        judged = table[f"{stage.name}_ok"].notna()
        for target in stage.targets:
            undefined = int(table.loc[judged, f"{stage.name}_{target.name}"].isna().sum())
            if undefined:
                lines += [
                    "",
                    f"{undefined} of the {int(judged.sum())} points stage {stage.name} judged "
                    f"have no value for target `{target.name}`: `{target.output}` was undefined "
                    "in every run of an arm there, and they fail the target for it.",
                ]
    return lines


def _pattern_rates(result: CalibrationResult) -> list[str]:
    """How many of the points run in each stage passed each pattern."""
    frame = result.patterns
    if frame.empty:
        return []
    lines = [
        "## How often each pattern passed",
        "",
        "| stage | pattern | points passing |",
        "|---|---|---|",
    ]
    for (stage, pattern), rows in frame.groupby(["stage", "pattern"], sort=False):
        passed = int(rows["passed"].astype(bool).sum())
        lines.append(f"| {stage} | `{pattern}` | {passed} of {len(rows)} |")
    return [*lines, ""]


def _accepted_section(result: CalibrationResult) -> list[str]:
    plan, table = result.plan, result.points
    chosen = table.loc[table["accepted"]]
    last = plan.ranking_stage
    point = result.recommended_point
    row = table.loc[table["point"] == point].iloc[0]
    lines = [
        "## Accepted points and recommended rates",
        "",
        f"Recommended: point {point}, {RULE}. It passes {row[f'{last.name}_passed']} of "
        f"{len(last.patterns)} patterns in the last stage that checks patterns ({last.name}).",
        "",
        "| rate | range sampled | accepted: lowest | median | highest | recommended | "
        "declared default |",
        "|---|---|---|---|---|---|---|",
    ]
    for factor in plan.factors:
        values = chosen[factor.name]
        lines.append(
            f"| `{factor.name}` | {factor.low:g} to {factor.high:g} | "
            f"{_number(values.min())} | {_number(values.median())} | "
            f"{_number(values.max())} | {_number(result.recommended[factor.name])} | "
            f"{format_value(PARAMETERS[factor.name].default)} |"
        )
    lines += [
        "",
        "The accepted points are in `accepted.csv`; a rate whose accepted values "
        "spread over most of its range is not constrained by these patterns.",
        "",
    ]
    return lines


def _none_accepted(result: CalibrationResult) -> list[str]:
    plan, table = result.plan, result.points
    lines = [
        "## No point was accepted",
        "",
        "No point passed every stage, so the acceptance rule recommends no rates. The "
        "points that reached the furthest stage any point reached, best first, are in "
        "`closest.csv` (the format of `accepted.csv`, for a robustness study across "
        "them). The best points of each stage (most patterns passed, then targets met), "
        "with their rates in `points.csv`:",
        "",
    ]
    for stage in plan.stages:
        judged = table.loc[table[f"{stage.name}_ok"].notna()]
        if judged.empty:
            lines += [f"- **{stage.name}**: no point reached this stage.", ""]
            continue
        best = judged.sort_values(
            [f"{stage.name}_ok", f"{stage.name}_passed", "point"],
            ascending=[False, False, True],
            kind="mergesort",
        )
        counted = ["patterns passed"] if stage.patterns else []
        header = ["point", *counted, *(f"`{t.name}`" for t in stage.targets), "passed the stage"]
        lines += [
            f"**{stage.name}**",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        for _, row in best.head(BEST_SHOWN).iterrows():
            count = f"{row[f'{stage.name}_passed']} of {len(stage.patterns)}"
            cells = [
                str(row["point"]),
                *([count] if stage.patterns else []),
                *(_target_cell(row, stage.name, t) for t in stage.targets),
                "yes" if row[f"{stage.name}_ok"] else "no",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _target_cell(row, stage: str, target) -> str:
    """A target's value in a table; for a ``perturb`` target, with the move that made it."""
    value = _number(row[f"{stage}_{target.name}"])
    by = row.get(f"{stage}_{target.by_column}") if target.by_column else None
    return f"{value} ({by})" if value and isinstance(by, str) and by else value


def summary_text(result: CalibrationResult) -> str:
    """How a calibration went, in a few lines (the command line's closing summary)."""
    plan, table = result.plan, result.points
    lines = [f"Calibration {plan.name}: {plan.points} points over {len(plan.factors)} rates."]
    for stage in plan.stages:
        judged = int(table[f"{stage.name}_ok"].notna().sum())
        passed = int(table[f"{stage.name}_ok"].fillna(False).astype(bool).sum())
        lines.append(f"  {stage.name}: {passed} of {judged} points passed.")
    accepted = int(table["accepted"].sum())
    lines.append(f"  Accepted: {accepted} of {plan.points} ({accepted / plan.points:.1%}).")
    if result.recommended is None:
        lines.append("  Recommended: nothing (no point was accepted).")
    else:
        values = ", ".join(f"{k}={v:.4g}" for k, v in result.recommended.items())
        lines.append(f"  Recommended (point {result.recommended_point}): {values}")
    lines.append(f"  Report: {result.path / 'calibration.md'}")
    return "\n".join(lines)


__all__ = ["RULE", "calibration_markdown", "stage_rule", "summary_text"]
