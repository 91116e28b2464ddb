"""How the report and figures write outcomes, horizons, numbers and tables.

Shares print as percentages (``45%``) and changes in them as points (``+12 points``);
quality against the silo twin, a share of the starting quality, the same way with one
decimal more. Missing values print as ``–`` and unbounded ones as ``∞`` (or words the
caller gives, such as ``not reached`` for a median beyond the horizon).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from collabsim.analysis.levers import lever_words

#: The outcomes' words on axes and in titles, and whether they are shares (percent).
OUTCOME_WORDS: dict[str, tuple[str, bool]] = {
    "sustained": ("networks still meeting", True),
    "quality_gain_vs_silo": ("quality of care against working in silos", False),
    "sustainability_score": ("share of weeks the network met", True),
}


def outcome_words(outcome: str) -> tuple[str, bool]:
    """An outcome's words and whether it is a share, for axes and titles."""
    return OUTCOME_WORDS.get(outcome, (outcome.replace("_", " "), False))


def horizon_words(steps: int) -> str:
    """Weeks in words: ``"five years"`` for 260, ``"30 weeks"`` for 30."""
    numbers = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    if steps % 52 == 0 and 1 <= steps // 52 <= len(numbers):
        years = steps // 52
        return f"{numbers[years - 1]} year{'s' * (years > 1)}"
    return f"{steps} weeks"


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


def digits_of(outcome: str) -> int:
    """Decimals of an outcome's percentages: 0 for shares of networks, else 1."""
    # shares of networks are whole percentages; quality moves in tenths of a percent
    return 0 if outcome_words(outcome)[1] else 1


def amount(outcome: str, value: float, signed: bool = True) -> str:
    """An outcome's level (``45%``) or change (``+12 points``), both in percent."""
    text = percent(value, digits_of(outcome), signed)
    return text + " points" if signed and text != "–" else text


def interval(outcome: str, low: float, high: float) -> str:
    """An interval of changes: ``+38 to +75 points``."""
    return (
        f"{percent(low, digits_of(outcome), True)} to "
        f"{percent(high, digits_of(outcome), True)} points"
    )


def within_text(within: Any) -> str:
    """The ``within`` cell of an effect (``n_people=100 & ...``) in words."""
    if not isinstance(within, str) or not within:
        return ""
    return "; ".join(
        f"{lever_words(lever)}: {level}"
        for lever, level in (part.split("=", 1) for part in within.split(" & "))
    )


def table(frame: pd.DataFrame) -> list[str]:
    """A Markdown table of a frame of text."""
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "|".join("---" for _ in frame.columns) + "|",
    ]
    lines += [
        "| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return lines + [""]
