"""Where the model and the field studies disagree: the report says it plainly.

The report's own runs compare levers; whether the model agrees with the field studies is
measured by two other jobs, whose committed results this module reads, so that every
number it writes is theirs:

- ``results/validation/patterns.csv`` (``collabsim validate``): each claim of the field
  studies the model can express, and whether the model reproduces it;
- ``results/iocn_checks/checks.csv`` (``experiments/iocn_checks.py``): how often the
  default place-based (``iocn``) and issue-based (``clahrc``) networks last.

Either file may be missing (a checkout that has not run them): the report then says
which command makes it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from collabsim.analysis.wording import percent

VALIDATION = Path("results/validation/patterns.csv")
CHECKS = Path("results/iocn_checks/checks.csv")
#: The rows of ``CHECKS`` the report reads: each default network as it ships.
PLACE_BASED, ISSUE_BASED = "iocn defaults", "clahrc"
#: The share of runs lasting five years that makes a network as fragile as the IOCN:
#: outcomes that vary from run to run ("immense efforts must be made to ensure their
#: sustainability", Mervyn, Amoo & Malby 2019). The checks of the defaults test it too.
FRAGILE = (0.3, 0.7)


def disagreement_lines(validation: Path = VALIDATION, checks: Path = CHECKS) -> list[str]:
    """The report's section on where the model and the field studies disagree."""
    return [
        "### Where the model and the field studies disagree",
        "",
        *_fragility(checks),
        *_patterns(validation),
        "",
    ]


def _fragility(checks: Path) -> list[str]:
    """How often the default networks last, against the studies' fragile networks."""
    if not checks.is_file():
        return [
            "- How often the default networks last, against the field studies' fragile "
            f"ones: {checks} (`python experiments/iocn_checks.py`)."
        ]
    sustained = pd.read_csv(checks).set_index("arm")["sustained"]
    place, issue = sustained.get(PLACE_BASED), sustained.get(ISSUE_BASED)
    if place is None or issue is None:
        raise ValueError(
            f"{checks} has no row {PLACE_BASED!r} or {ISSUE_BASED!r}: rerun "
            "experiments/iocn_checks.py"
        )
    low, high = FRAGILE
    verdict = (
        "**Networks last more often here than the field studies suggest.**"
        if place > high
        else "**Networks fail more often here than the field studies suggest.**"
        if place < low
        else "**Networks are about as fragile here as the field studies suggest.**"
    )
    lines = [
        f'- {verdict} The studies describe fragile networks, for which "immense efforts '
        'must be made to ensure their sustainability" (Mervyn, Amoo & Malby 2019). With the '
        f"model's defaults a place-based network like the IOCN lasts five years in "
        f"{percent(place)} of runs (fragile: {percent(low)} to {percent(high)}), and an "
        f"issue-based one like the CLAHRC in {percent(issue)}, where the studies say "
        "issue-based networks were less sustainable but lasted too."
    ]
    if not low <= place <= high:
        lines[0] += (
            " No calibration of the model's uncertain rates found a setting that gave a fragile "
            "place-based network, an issue-based one that lasts and nine in ten of the field "
            "studies' patterns together (docs/odd.md §9). "
            "Read the shares of networks lasting in this report as comparisons between "
            "levers, not as the chance that a real network lasts."
        )
    return lines


def _patterns(validation: Path) -> list[str]:
    """The field studies' claims the model does not reproduce, and those it cannot express."""
    if not validation.is_file():
        return [
            "- Which claims of the field studies the model reproduces: docs/patterns.md and "
            f"{validation.parent / 'report.md'} (`make validate`)."
        ]
    patterns = pd.read_csv(validation)
    able = patterns.loc[patterns["expressible"].astype(bool)]
    failing = able.loc[~able["passed"].astype(bool)]
    report = f"[{validation.parent / 'report.md'}](../{validation.parent.name}/report.md)"
    lines = [
        f"- **The model reproduces {len(able) - len(failing)} of the {len(able)} claims of "
        f"the field studies it can express** ({report}, where each failing claim says why, "
        "and [docs/patterns.md](../../docs/patterns.md) gives each claim's source and test)."
        + (" It does not reproduce these:" if len(failing) else "")
    ]
    lines += [_claim(row) for row in failing.itertuples()]
    unable = patterns.loc[~patterns["expressible"].astype(bool)]
    if len(unable):
        lines.append(
            f"- **It cannot speak to {len(unable)} more**: nothing in it stands for them "
            "(why, for each, in the same report):"
        )
        lines += [_claim(row) for row in unable.itertuples()]
    return lines


def _claim(row) -> str:
    """One claim as a sub-item: the claim, then where the field studies make it."""
    return f"  - {row.claim.rstrip('.')} ({row.source})."
