"""The two field studies' text, for checking that what the project quotes is in them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def plain(text: str) -> str:
    """Text with the PDF's line numbers, typographic quotes and line breaks taken out."""
    text = re.sub(r"(?m)^\s*\d+\s*$", " ", text)  # lines that are only a line number
    text = re.sub(r"(?m)^\s*\d{1,2}\s+", " ", text)  # a line number before the text
    for fancy, simple in (
        ("\u2019", "'"),
        ("\u2018", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u2013", "-"),
        ("\u2014", "-"),
        ("\u2026", "..."),
    ):
        text = text.replace(fancy, simple)
    text = " ".join(text.replace("*", "").split()).lower()
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)  # a word broken at a line's end


@cache
def studies() -> str:
    """Both studies' text, made plain (``plain``)."""
    text = plain(" ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))))
    assert len(text) > 100_000, f"the field studies were not found in {SEEDS}"
    return text


def quoted_words_missing(quote: str) -> list[str]:
    """The parts of ``quote`` not found word for word in the studies.

    A quote may leave words out (``...``) and add its own in square brackets, and quotation
    marks inside it need not match the study's (a study's 'get things done' quoted as get
    things done).
    """
    text = studies().replace("'", "").replace('"', "")
    parts = re.split(r"\.\.\.|\[[^\]]*\]", plain(quote).replace("'", "").replace('"', ""))
    return [part.strip() for part in parts if part.strip() and part.strip() not in text]
