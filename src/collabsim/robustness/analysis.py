"""Each lever's effect, context by context, and how often it keeps its expected sign.

Per (context, lever, outcome) the runs of the lever's high and low arm are paired by
replicate (the same seed: common random numbers) and the per-seed differences high −
low give:

- ``effect``: their mean;
- ``ci_low``, ``ci_high``: the seeded percentile bootstrap 95% interval of that mean
  (``collabsim.validation.stats.bootstrap_mean_ci``, ``BOOTSTRAP`` = 2,000 resamples,
  resampling seeds);
- ``p_value``: the one-sided Wilcoxon signed-rank p that the differences lie on the
  expected side of 0 (``signed_rank_p``; zeros split; all zero gives 1). The direction
  is the lever's ``expect`` for every outcome, quality included;
- ``seeds``: the pairs used (a seed where either run has no value is left out);
- ``sign``: ``expected`` if the effect is clearly on the expected side of 0, ``reversed``
  if clearly on the other, else ``unclear``; clear as the results report judges it
  (``collabsim.validation.stats.clear_side``): the interval wholly on that side and the
  two-sided signed-rank test agreeing (p below ``CLEAR_P``), since over 20 seeds whose
  differences are mostly zero the bootstrap interval alone can leave 0 by chance.

Per (lever, outcome), ``summary_table`` counts the contexts of each sign, gives the
smallest and largest effect with their contexts, and lists the contexts where the
effect flips (``reversed``) and those where it only leans the other way (``unclear``
with the mean on the unexpected side).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from collabsim.validation.stats import bootstrap_mean_ci, clear_side, finite, signed_rank_p

#: The outcomes, in order, with their plain names and units.
OUTCOMES: dict[str, tuple[str, str]] = {
    "sustainability_score": ("survival", "of weeks alive"),
    "sustained": ("networks sustained to the end", "of runs"),
    "quality_gain_vs_silo": ("quality against silos", "of starting quality"),
}

#: Columns of ``robustness.csv``, in order.
COLUMNS: tuple[str, ...] = (
    "lever",
    "context_kind",
    "context",
    "outcome",
    "low",
    "high",
    "effect",
    "ci_low",
    "ci_high",
    "p_value",
    "seeds",
    "sign",
)

#: Columns of ``summary.csv``, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "lever",
    "outcome",
    "low",
    "high",
    "expect",
    "contexts",
    "expected",
    "unclear",
    "reversed",
    "effect_min",
    "context_min",
    "effect_max",
    "context_max",
    "flips",
    "leaning_against",
)

#: The three signs.
EXPECTED, UNCLEAR, REVERSED = "expected", "unclear", "reversed"


@dataclass(frozen=True)
class Paired:
    """The per-seed values of one outcome in one lever's two arms, in one context.

    Attributes:
        lever: The lever's name.
        context_kind: The context's kind.
        context: The context's label.
        outcome: The outcome.
        low: The lever's low setting.
        high: The lever's high setting.
        expect: ``"higher"`` or ``"lower"``.
        at_low: Values in the low arm, by replicate.
        at_high: Values in the high arm, by the same replicates.
    """

    lever: str
    context_kind: str
    context: str
    outcome: str
    low: Any
    high: Any
    expect: str
    at_low: np.ndarray
    at_high: np.ndarray


@dataclass(frozen=True)
class Effect:
    """A lever's paired effect on one outcome in one context (see the module docstring)."""

    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    seeds: int
    sign: str


def paired_effect(at_high: np.ndarray, at_low: np.ndarray, *, expect: str, seed: int = 0) -> Effect:
    """The paired effect high − low, its interval, p and sign.

    Args:
        at_high: Per-seed values at the high setting.
        at_low: Per-seed values at the low setting, by the same seeds.
        expect: ``"higher"`` (high − low expected above 0) or ``"lower"``.
        seed: Seed of the bootstrap.

    Returns:
        The effect (NaN with p 1 and sign ``unclear`` if no seed has both values).
    """
    high, low = finite(np.asarray(at_high, dtype=float), np.asarray(at_low, dtype=float))
    difference = high - low
    if difference.size == 0:
        return Effect(np.nan, np.nan, np.nan, 1.0, 0, UNCLEAR)
    ci_low, ci_high = bootstrap_mean_ci(difference, seed=seed)
    p = signed_rank_p(difference, "greater" if expect == "higher" else "less")
    side = clear_side(ci_low, ci_high, signed_rank_p(difference, "two-sided"))
    return Effect(
        float(difference.mean()),
        ci_low,
        ci_high,
        p,
        int(difference.size),
        sign_of(side, expect=expect),
    )


def sign_of(side: str, *, expect: str) -> str:
    """``expected``, ``reversed`` or ``unclear`` from an effect's clear side and the expected one.

    ``side`` is ``validation.stats.clear_side``'s verdict: the results report's rule.
    """
    if side == "unclear":
        return UNCLEAR
    return EXPECTED if side == expect else REVERSED


def effects_table(cells: Iterable[Paired], *, seed: int = 0) -> pd.DataFrame:
    """The ``robustness.csv`` table: one row per (context, lever, outcome), in order."""
    rows = []
    for cell in cells:
        found = paired_effect(cell.at_high, cell.at_low, expect=cell.expect, seed=seed)
        rows.append(
            {
                "lever": cell.lever,
                "context_kind": cell.context_kind,
                "context": cell.context,
                "outcome": cell.outcome,
                "low": cell.low,
                "high": cell.high,
                "effect": found.effect,
                "ci_low": found.ci_low,
                "ci_high": found.ci_high,
                "p_value": found.p_value,
                "seeds": found.seeds,
                "sign": found.sign,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def summary_table(table: pd.DataFrame, expect: Mapping[str, str]) -> pd.DataFrame:
    """The ``summary.csv`` table: per (lever, outcome), how the contexts went.

    Args:
        table: The ``robustness.csv`` table.
        expect: Each lever's expected direction.

    Returns:
        One row per (lever, outcome) in the order they first appear, columns
        ``SUMMARY_COLUMNS``; ``flips`` and ``leaning_against`` are ``; ``-separated
        ``context (effect)`` texts.
    """
    rows = []
    groups = table.groupby(["lever", "outcome"], sort=False)
    for (lever, outcome), group in groups:
        direction = expect[lever]
        counts = group["sign"].value_counts()
        known = group.loc[group["effect"].notna()]
        wrong_side = (known["effect"] < 0) if direction == "higher" else (known["effect"] > 0)
        leaning = known.loc[wrong_side & (known["sign"] == UNCLEAR)]
        smallest = known.loc[known["effect"].idxmin()] if len(known) else None
        largest = known.loc[known["effect"].idxmax()] if len(known) else None
        rows.append(
            {
                "lever": lever,
                "outcome": outcome,
                "low": group["low"].iloc[0],
                "high": group["high"].iloc[0],
                "expect": direction,
                "contexts": len(group),
                "expected": int(counts.get(EXPECTED, 0)),
                "unclear": int(counts.get(UNCLEAR, 0)),
                "reversed": int(counts.get(REVERSED, 0)),
                "effect_min": np.nan if smallest is None else float(smallest["effect"]),
                "context_min": "" if smallest is None else smallest["context"],
                "effect_max": np.nan if largest is None else float(largest["effect"]),
                "context_max": "" if largest is None else largest["context"],
                "flips": _listed(group.loc[group["sign"] == REVERSED]),
                "leaning_against": _listed(leaning),
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _listed(rows: pd.DataFrame) -> str:
    return "; ".join(f"{r.context} ({r.effect:+.3f})" for r in rows.itertuples())
