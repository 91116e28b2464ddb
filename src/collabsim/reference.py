"""Generated reference documentation: ``docs/parameters.md``.

Everything here is derived from the declarations in ``collabsim.params`` (parameters and
event kinds) and ``collabsim.metrics`` (reporters and summary outputs), so the document
cannot drift from the code. Regenerate it with::

    collabsim params --markdown > docs/parameters.md

A test checks that the file on disk matches.
"""

from __future__ import annotations

from typing import Any

from collabsim.params import EVENT_KINDS, PARAMETERS

#: The command that regenerates ``docs/parameters.md``.
REGENERATE = "collabsim params --markdown > docs/parameters.md"

#: Headings of the parameter groups (a group not listed is shown capitalised).
GROUP_TITLES: dict[str, str] = {
    "structure": "Structure of the network",
    "levers": "Policy levers",
    "trust": "Trust",
    "narrative": "Shared narrative",
    "attendance": "Attendance and mixing",
    "learning": "Learning programmes and leadership",
    "change": "Change work",
    "commitment": "Commitment, aspiration and self-interest",
    "sustainability": "Exit, turnover and sustainability",
    "timeline": "Timeline",
}


def groups() -> list[str]:
    """Parameter groups in the order they are first declared."""
    return list(dict.fromkeys(p.group for p in PARAMETERS.values()))


def group_title(group: str) -> str:
    """Heading of a parameter group, e.g. ``"Policy levers"`` for ``"levers"``."""
    return GROUP_TITLES.get(group, group.replace("_", " ").capitalize())


def format_value(value: Any) -> str:
    """A parameter value as written on the command line (``true``, ``0.25``, ``a, b``).

    Args:
        value: A parameter value (canonical form, as in ``Params``).

    Returns:
        The value in words; ``none`` for an empty list.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (tuple, list)):
        if not value:
            return "none"
        return ", ".join(_event_text(v) if hasattr(v, "kind") else str(v) for v in value)
    return str(value)


def parameters_markdown() -> str:
    """The full content of ``docs/parameters.md``.

    A table per parameter group (in declaration order) with name, symbol, default,
    allowed values, unit, meaning and evidence, policy levers marked; then the event
    kinds, the per-step reporters and the per-run summary outputs. The text depends only
    on the declarations, so it is the same on every call.

    Returns:
        Markdown text ending in a newline.
    """
    # the reporters come with the compiled mechanisms: only the full reference needs them
    from collabsim.metrics import REPORTERS, SUMMARY

    out = [
        "# Parameters and outputs",
        "",
        f"Generated from the declarations in `collabsim.params` and `collabsim.metrics` by "
        f"`{REGENERATE}`; do not edit by hand.",
        "",
        "Defaults are the `iocn` scenario. Set a value for one run with "
        "`collabsim run --set name=value`. Parameters marked **lever** are the policy levers "
        "that workshops and sweeps vary.",
        "",
    ]
    for group in groups():
        out += [f"## {group_title(group)}", ""]
        out += _table(
            ("name", "symbol", "default", "allowed", "unit", "meaning", "evidence"),
            [
                (
                    f"`{p.name}`" + (" **lever**" if p.lever else ""),
                    p.symbol,
                    f"`{format_value(p.default)}`",
                    p.allowed(compact=True),
                    p.unit,
                    p.meaning,
                    p.evidence,
                )
                for p in PARAMETERS.values()
                if p.group == group
            ],
        )
        out.append("")
    out += [
        "## Event kinds",
        "",
        "Scheduled events on the timeline: `[[events]]` tables in a scenario file, or "
        "`collabsim run --event STEP:KIND[:ORGANISATION]`. Each applies at the start of "
        "its week; events at step 0 shape the starting state, and no step may come after "
        "the `horizon`, the run's last week.",
        "",
    ]
    out += _table(("kind", "what happens"), [(f"`{k}`", v) for k, v in EVENT_KINDS.items()])
    out += [
        "",
        "## Per-step reporters",
        "",
        "One row per week in `timeseries.parquet`, its `week` column first (week 0 is the "
        "start). Counts of changes are running totals since the start.",
        "",
    ]
    out += _table(
        ("name", "unit", "meaning"), [(f"`{r.name}`", r.unit, r.meaning) for r in REPORTERS]
    )
    out += [
        "",
        "## Per-run summary",
        "",
        "One value per run in `summary.json`.",
        "",
    ]
    out += _table(("name", "meaning"), [(f"`{k}`", v.meaning) for k, v in SUMMARY.items()])
    return "\n".join(out) + "\n"


def _event_text(event: Any) -> str:
    text = f"{event.step}:{event.kind}"
    return text + (f":{event.organisation}" if event.organisation else "")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines
