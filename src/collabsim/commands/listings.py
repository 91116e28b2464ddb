"""``collabsim scenarios`` and ``collabsim params``: what the model offers, listed."""

from __future__ import annotations

import argparse
import shutil
import textwrap

from collabsim import reference
from collabsim.commands import (
    UsageError,
    print_utf8,
)
from collabsim.params import PARAMETERS, suggest
from collabsim.scenarios import available, load


def scenarios(args: argparse.Namespace) -> int:
    """``collabsim scenarios``: the shipped scenarios, one line each."""
    names = available()
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {_headline(load(name).description)}")
    return 0


def _headline(description: str) -> str:
    """The first phrase of a scenario's description, for a one-line listing."""
    text = " ".join(description.split())
    sentence = text.split(". ")[0].rstrip(".")
    phrase = sentence.split(": ")[0]
    return textwrap.shorten(phrase, width=90, placeholder="...")


# --- collabsim params ------------------------------------------------------------------


def params(args: argparse.Namespace) -> int:
    """``collabsim params``: the parameters: a table, or with --markdown the reference page."""
    if args.markdown:
        print_utf8(reference.parameters_markdown())
        return 0
    groups = reference.groups()
    if args.group is not None and args.group not in groups:
        hint = suggest(args.group, groups)
        raise UsageError(
            f"--group {args.group!r} is not a parameter group; allowed: "
            + ", ".join(groups)
            + (f"; {hint}" if hint else "")
        )
    width = shutil.get_terminal_size((120, 24)).columns
    header = ("name", "default", "allowed", "unit", "meaning")
    blocks = []
    for group in groups:
        if args.group is not None and group != args.group:
            continue
        rows = [
            (
                p.name + (" *" if p.lever else ""),
                reference.format_value(p.default),
                p.allowed(compact=True),
                p.unit,
                p.meaning,
            )
            for p in PARAMETERS.values()
            if p.group == group
        ]
        blocks.append(f"{reference.group_title(group)}\n" + _text_table(header, rows, width))
    # UTF-8 whatever the locale: the meanings hold dashes and symbols
    print_utf8(
        "\n\n".join(blocks)
        + "\n\n* policy lever. Set a value with: collabsim run --set name=value\n"
    )
    return 0


def _text_table(header: tuple[str, ...], rows: list[tuple[str, ...]], width: int) -> str:
    """A plain-text table; long cells wrap within their column (the first never wraps).

    A cell wraps between words only, so a name (``mental_health_trust``) can be copied
    whole: a column is at least as wide as its longest word.
    """
    caps = (None, 16, 16, 16, None)  # None: as wide as its longest cell / what is left
    widths = []
    for index, cap in enumerate(caps[:-1]):
        cells = [str(r[index]) for r in (header, *rows)]
        longest = max(len(cell) for cell in cells)
        word = max(len(w) for cell in cells for w in cell.split() or [""])
        widths.append(longest if cap is None else min(max(cap, word), longest))
    widths.append(max(30, width - sum(widths) - 2 * (len(widths))))
    lines = []
    for row in (header, *rows):
        cells = [
            textwrap.wrap(str(cell), w, break_on_hyphens=False, break_long_words=False) or [""]
            for cell, w in zip(row, widths, strict=True)
        ]
        for line in range(max(len(c) for c in cells)):
            parts = [
                (c[line] if line < len(c) else "").ljust(w)
                for c, w in zip(cells, widths, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
