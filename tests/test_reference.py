"""The generated reference, docs/parameters.md: complete, deterministic and up to date."""

from __future__ import annotations

import re
from pathlib import Path

from collabsim import reference
from collabsim.metrics import REPORTERS, SUMMARY
from collabsim.params import EVENT_KINDS, LEVERS, PARAMETERS

DOC = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"


def test_docs_parameters_md_is_up_to_date():
    expected = reference.parameters_markdown()
    on_disk = DOC.read_text(encoding="utf-8") if DOC.exists() else None
    assert on_disk == expected, (
        f"{DOC} is missing or out of date with the declarations in collabsim.params and "
        f"collabsim.metrics; regenerate it with: {reference.REGENERATE} (or: make docs)"
    )


def test_markdown_is_deterministic_and_says_how_it_is_made():
    text = reference.parameters_markdown()
    assert text == reference.parameters_markdown()
    assert text.startswith("# ")
    assert "collabsim params --markdown > docs/parameters.md" in text.splitlines()[2]
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_groups_appear_in_declaration_order():
    text = reference.parameters_markdown()
    declared = list(dict.fromkeys(p.group for p in PARAMETERS.values()))
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings[: len(declared)] == [reference.group_title(g) for g in declared]
    assert headings[len(declared) :] == ["Event kinds", "Per-step reporters", "Per-run summary"]


def test_every_declaration_has_one_row_with_its_details():
    rows = _rows(reference.parameters_markdown())
    for name, p in PARAMETERS.items():
        (row,) = [r for r in rows if re.fullmatch(rf"`{name}`( \*\*lever\*\*)?", r[0])]
        assert len(row) == 7
        assert (" **lever**" in row[0]) == (name in LEVERS)
        assert row[1] == p.symbol
        assert row[3] == p.allowed(compact=True)
        assert row[4] == p.unit
        assert row[5] == " ".join(p.meaning.split())
        assert row[6] == " ".join(p.evidence.split())
    for kind in EVENT_KINDS:
        assert any(r[0] == f"`{kind}`" and len(r) == 2 for r in rows)
    for reporter in REPORTERS:
        assert [f"`{reporter.name}`", reporter.unit, reporter.meaning] in rows
    for name, output in SUMMARY.items():
        assert [f"`{name}`", " ".join(output.meaning.split())] in rows


def test_compact_allowed_values():
    assert PARAMETERS["cede_willingness"].allowed(compact=True) == "0–1"
    assert PARAMETERS["academic_partner"].allowed(compact=True) == "true/false"
    assert PARAMETERS["network_type"].allowed(compact=True) == "place/issue"
    assert PARAMETERS["meeting_interval"].allowed(compact=True) == "whole number 1–52"
    assert reference.format_value(PARAMETERS["events"].default) == "none"
    assert reference.format_value(True) == "true"


def _rows(text: str) -> list[list[str]]:
    """Body rows of every Markdown table, split on unescaped pipes."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([c.strip().replace("\\|", "|") for c in cells])
    return rows
