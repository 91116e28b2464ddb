"""What a validation writes, and the catalogue's reference page.

- ``patterns.csv``: one row per pattern (``CSV_COLUMNS``), expressible or not.
- ``report.md``: the pattern-oriented modelling table a paper would print (pattern,
  claim with quote and source, operationalisation, effect with its 95% interval, p,
  pass or fail), the pass count over expressible patterns at the top, then the claims
  the model cannot express with their reasons, then the failing patterns with their
  known limitations.
- ``patterns_markdown``: ``docs/patterns.md``, from the catalogue alone (no runs)::

      collabsim patterns --markdown > docs/patterns.md

  A test checks that the file on disk matches.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.storage import origin_text, write_atomically
from collabsim.validation.spec import (
    ALPHA,
    QUICK_SEEDS,
    AtMost,
    Custom,
    Pattern,
    PatternResult,
    Test,
    settings_text,
)

#: Columns of ``patterns.csv``, in order.
CSV_COLUMNS: tuple[str, ...] = (
    "pattern",
    "claim",
    "source",
    "metric",
    "effect",
    "ci_low",
    "ci_high",
    "p_value",
    "passed",
    "seeds",
    "expressible",
    "detail",
)

#: The command that regenerates ``docs/patterns.md``.
REGENERATE = "collabsim patterns --markdown > docs/patterns.md"


def write_csv(results: Sequence[PatternResult], path: Path) -> Path:
    """Write ``patterns.csv``: one row per result, columns ``CSV_COLUMNS``."""
    frame = pd.DataFrame(
        [{name: getattr(r, name) for name in CSV_COLUMNS} for r in results],
        columns=list(CSV_COLUMNS),
    )
    text = frame.to_csv(index=False, lineterminator="\n")
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


def read_csv(path: Path) -> pd.DataFrame:
    """Read a ``patterns.csv`` back (``passed`` empty for claims not expressible)."""
    return pd.read_csv(path, keep_default_na=True)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _number(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.3g}"


def _p(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.2g}"


def _evidence(pattern: Pattern) -> str:
    return f"{pattern.claim} \u201c{pattern.quote}\u201d ({pattern.source})"


def _verdict(result: PatternResult) -> str:
    if result.passed is None:
        return "not expressible"
    return "**pass**" if result.passed else "**fail**"


def _at(params: Mapping[str, Any] | None) -> str:
    """The values every arm ran with instead of the defaults, for the report's header."""
    if not params:
        return ""
    return f", every arm at {settings_text(params)} instead of the defaults"


def report_markdown(
    patterns: Mapping[str, Pattern], results: Sequence[PatternResult], *, info: Mapping[str, Any]
) -> str:
    """The text of ``report.md``.

    Args:
        patterns: The patterns validated, by name.
        results: Their results, in order.
        info: What the validation was: ``mode`` (``"quick"`` or ``"full"``),
            ``seed`` (master seed), ``code_fingerprint``, ``collabsim_version``,
            ``git_commit``, ``runs`` (needed), ``computed``, ``reused``; ``params``, the
            values every arm ran with instead of the defaults, if any.

    Returns:
        Markdown text ending in a newline.
    """
    expressible = [r for r in results if r.expressible]
    passed = [r for r in expressible if r.passed]
    failing = [r for r in expressible if not r.passed]
    missing = [r for r in results if not r.expressible]
    seeds = (
        f"{QUICK_SEEDS} seeds per arm"
        if info["mode"] == "quick"
        else "each pattern's declared seeds per arm"
    )
    out = [
        "# Pattern-oriented validation",
        "",
        f"**{len(passed)} of {len(expressible)} expressible patterns pass.** "
        f"{len(missing)} claim{'s' if len(missing) != 1 else ''} the model cannot yet express "
        f"{'are' if len(missing) != 1 else 'is'} listed below.",
        "",
        f"{info['mode'].capitalize()} validation: {seeds}, arms sharing seeds by replicate "
        f"(common random numbers, master seed {info['seed']}); every test one-sided at "
        f"p < {ALPHA:g} unless its pattern says otherwise; a pattern of more than one "
        "condition passes only when all hold, so a small p alone does not make it pass (its "
        "detail says which condition failed). "
        + origin_text(info)
        + _at(info.get("params"))
        + f"; {info['runs']} runs ({info['computed']} computed in this session, "
        f"{info['reused']} done in earlier sessions). The patterns and tests are described in "
        "`docs/patterns.md`; each figure in `figures/` shows the per-seed values.",
        "",
        "| Pattern | Claim and evidence | Operationalisation | Effect [95% CI] | p | Seeds "
        "| Result |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in expressible:
        pattern = patterns[result.pattern]
        effect = f"{_number(result.effect)} [{_number(result.ci_low)}, {_number(result.ci_high)}]"
        out.append(
            f"| `{result.pattern}` | {_cell(_evidence(pattern))} | "
            f"{_cell(pattern.operationalisation)} | {effect} | {_p(result.p_value)} | "
            f"{result.seeds} | {_verdict(result)} |"
        )
    out += [
        "",
        "Effect: the mean difference between arms (`Greater`), the mean difference of "
        "gains (`Interaction`), the mean (`Sign`, `Bound`), the share of runs (`Share`) or "
        "the reduction in the coefficient of variation (`Steadier`); for a pattern of "
        "several tests, that of the first, with p the largest of theirs.",
        "",
    ]
    out += ["## What each test found", ""]
    for result in expressible:
        out.append(f"- `{result.pattern}` ({_cell(result.metric)}): {_cell(result.detail)}")
    out += ["", "## Claims the model cannot express", ""]
    if not missing:
        out.append("None.")
    for result in missing:
        pattern = patterns[result.pattern]
        out.append(
            f"- **`{result.pattern}`**: {_cell(_evidence(pattern))} *Why not:* "
            f"{_cell(pattern.reason)}"
        )
    out += ["", "## Failing patterns", ""]
    if not failing:
        out.append("None.")
    for result in failing:
        pattern = patterns[result.pattern]
        if pattern.limitation.strip():
            why = _cell(pattern.limitation)
        elif info["mode"] == "full":  # the tests tie limitations to the quick validation
            why = (
                f"none stated: it passes in the quick validation ({QUICK_SEEDS} seeds per "
                "arm) that the test suite runs, so the two disagree on a borderline effect."
            )
        else:
            why = "not yet recorded (a pattern known to fail states why in its `limitation`)."
        out.append(f"- **`{result.pattern}`**: {_cell(result.detail)}. *Limitation:* {why}")
    # a limitation is stated for the quick validation the tests run; with more seeds a
    # borderline pattern may pass, and the table says so rather than hiding the statement
    stated = [r for r in passed if patterns[r.pattern].limitation.strip()]
    if stated:
        out += ["", "## Passing here, failing in the quick validation", ""]
        out += [
            f"- **`{r.pattern}`**: {_cell(r.detail)}. *Limitation stated:* "
            f"{_cell(patterns[r.pattern].limitation)}"
            for r in stated
        ]
    return "\n".join(out) + "\n"


def write_report(
    patterns: Mapping[str, Pattern],
    results: Sequence[PatternResult],
    path: Path,
    *,
    info: Mapping[str, Any],
) -> Path:
    """Write ``report.md`` (see ``report_markdown``)."""
    text = report_markdown(patterns, results, info=info)
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


def summary_text(results: Sequence[PatternResult], *, out: Path, quick: bool) -> str:
    """How a validation went, in a few lines: the pass count and the failing patterns."""
    expressible = [r for r in results if r.expressible]
    passed = sum(bool(r.passed) for r in expressible)
    missing = len(results) - len(expressible)
    mode = f"quick, {QUICK_SEEDS} seeds per arm" if quick else "full"
    lines = [
        f"Validation ({mode}): passed {passed} of {len(expressible)} expressible "
        f"patterns"
        + (f"; {missing} claim{'s' if missing != 1 else ''} not expressible." if missing else ".")
    ]
    for result in expressible:
        if not result.passed:
            lines.append(f"  Failing: {result.pattern} (p={_p(result.p_value)})")
    lines.append(f"  Report: {out / 'report.md'}")
    return "\n".join(lines)


def catalogue_text(patterns: Mapping[str, Pattern], *, width: int = 100) -> str:
    """The catalogue as a plain-text list: name, seeds (or not expressible), claim."""
    name_width = max(len(name) for name in patterns)
    lines = []
    for pattern in patterns.values():
        seeds = f"{pattern.seeds} seeds" if pattern.expressible else "not expressible"
        room = max(30, width - name_width - 19)
        claim = textwrap.shorten(_line(pattern.claim), width=room, placeholder="...")
        lines.append(f"{pattern.name:<{name_width}}  {seeds:<15}  {claim}")
    return "\n".join(lines)


# --- docs/patterns.md ----------------------------------------------------------------


def patterns_markdown(patterns: Mapping[str, Pattern]) -> str:
    """The full content of ``docs/patterns.md``, from the declarations alone.

    Args:
        patterns: The catalogue (``collabsim.validation.PATTERNS``).

    Returns:
        Markdown text ending in a newline; the same on every call.
    """
    expressible = [p for p in patterns.values() if p.expressible]
    out = io.StringIO()
    write = out.write
    write("# Validation patterns\n\n")
    write(
        "Generated from the declarations in `collabsim.validation.catalogue` by "
        f"`{REGENERATE}`; do not edit by hand.\n\n"
    )
    write(
        "The empirical patterns the model is validated against (pattern-oriented modelling, "
        "Grimm et al. 2005), each a claim from the field studies with how the model "
        "expresses it. `collabsim validate` runs them and writes `patterns.csv`, "
        f"`report.md` and figures (`--quick`: {QUICK_SEEDS} seeds per arm). Arms share seeds "
        "by replicate (common random numbers) and every test is one-sided at "
        f"p < {ALPHA:g} unless stated. {len(patterns)} patterns: {len(expressible)} "
        f"expressible, {len(patterns) - len(expressible)} not yet expressible.\n\n"
    )
    write("| Pattern | Claim | Source |\n|---|---|---|\n")
    for pattern in patterns.values():
        mark = "" if pattern.expressible else " (not expressible)"
        write(
            f"| [`{pattern.name}`](#{pattern.name}){mark} | {_cell(pattern.claim)} | "
            f"{_cell(pattern.source)} |\n"
        )
    for pattern in patterns.values():
        write(f"\n## {pattern.name}\n\n")
        write(f"**Claim.** {_line(pattern.claim)}\n\n")
        write(f"**Evidence.** \u201c{_line(pattern.quote)}\u201d ({_line(pattern.source)})\n\n")
        write(f"**Operationalisation.** {_line(pattern.operationalisation)}\n\n")
        if pattern.arms:
            write("| arm | setting |\n|---|---|\n")
            for name, arm in pattern.arms.items():
                write(f"| `{name}` | {_cell(arm.describe())} |\n")
            write("\n")
        if pattern.test is None:
            write(f"**Not expressible.** {_line(pattern.reason)}\n")
        else:
            write(f"**Test.** {_test_text(pattern.test.describe())}\n\n")
            for name, meaning in _definitions(pattern.test).items():
                write(f"*{name}*: {_line(meaning)}.\n\n")
            write(f"**Seeds.** {pattern.seeds} per arm ({QUICK_SEEDS} in a quick validation).\n")
        if pattern.limitation.strip():
            write(f"\n**Known limitation.** {_line(pattern.limitation)}\n")
    return out.getvalue()


def _line(text: str) -> str:
    return " ".join(text.split())


def _test_text(text: str) -> str:
    """A test's description: one paragraph, or a lead line and a numbered list."""
    text = text[:1].upper() + text[1:]
    lead, *items = text.split("\n")
    if not items:
        return _line(lead)
    return _line(lead) + "\n\n" + "\n".join(_line(item) for item in items)


def _definitions(test: Test) -> dict[str, str]:
    """The meanings of the custom metrics a test reads, by name."""
    found = {}
    for metric in test.metrics():
        while isinstance(metric, AtMost):
            metric = metric.metric
        if isinstance(metric, Custom) and metric.meaning.strip():
            found[metric.name] = metric.meaning[:1].upper() + metric.meaning[1:]
    return found
