"""Convergence: the indices at increasing sample sizes, and whether they have settled.

Saltelli's sample is made of blocks, one per base sample (``D + 2`` rows, or ``2D + 2``
with second order), drawn from a scrambled Sobol' sequence; SALib draws the first
``N'`` base samples of an ``N`` sample exactly as it would draw an ``N'`` sample with
the same seed (a tested property: ``tests/test_sensitivity.py``). So the first
``N' * (D + 2)`` rows *are* the design of size ``N'``, and the indices at ``N / 8``,
``N / 4``, ``N / 2`` and ``N`` cost no extra runs. Morris trajectories are drawn one
after another, so the first ``n'`` trajectories are likewise the design of size ``n'``.

Settled (the rule the report states), for each output:

- Sobol': at the full ``N``, every factor's ``S1`` and ``ST`` have a confidence
  half-width of at most ``tolerance``, and moved by at most ``tolerance`` from
  ``N / 2``. ``tolerance`` is in index units (shares of output variance).
- Morris: the same for ``mu_star``, with ``tolerance`` a share of the largest
  ``mu_star`` of that output (Morris effects are in the output's units).

Other methods have no convergence check (their samples are not nested). An output that
did not vary has no indices at any size; its verdict (``unvarying``) says so, whatever
the method.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from collabsim.sensitivity.methods import analyse

#: Methods whose samples nest, so that convergence costs no extra runs.
NESTED: tuple[str, ...] = ("sobol", "morris")

#: Smallest size analysed: base samples (Sobol') or trajectories (Morris).
SMALLEST: dict[str, int] = {"sobol": 16, "morris": 4}

#: Halvings of ``n`` analysed: ``n / 8``, ``n / 4``, ``n / 2`` and ``n``.
HALVINGS = 3


#: Why an output that is the same at every design point has no indices.
DID_NOT_VARY = "the output did not vary over the design, so no index can be computed"


def unvarying() -> dict[str, Any]:
    """The verdict of an output that did not vary: nothing settled, and why."""
    return {"settled": False, "widest": None, "largest_change": None, "reason": DID_NOT_VARY}


def sizes(method: str, n: int) -> list[int]:
    """The sample sizes analysed for convergence, smallest first, ending with ``n``."""
    steps = [n // 2**k for k in range(HALVINGS, 0, -1)]
    kept = [s for s in dict.fromkeys(steps) if s >= SMALLEST[method] and s < n]
    return [*kept, n]


def convergence(
    method: str,
    problem: dict[str, Any],
    sample: np.ndarray,
    values: pd.DataFrame,
    outputs: list[str],
    *,
    n: int,
    block: int,
    **options: Any,
) -> pd.DataFrame:
    """The indices of every output at each of ``sizes(method, n)``.

    Args:
        method: ``"sobol"`` or ``"morris"``.
        problem: The SALib problem.
        sample: The full sample, rows in point order.
        values: The analysed values per point (``aggregate``), in point order.
        outputs: The outputs.
        n: The full size (base samples or trajectories).
        block: Rows per base sample or trajectory.
        **options: Passed to ``collabsim.sensitivity.methods.analyse``.

    Returns:
        One row per (``n``, output, factor): ``n``, ``output``, ``factor`` and the
        method's index columns (no second order).
    """
    rows = []
    options = {**options, "second_order": options.get("second_order", False)}
    for size in sizes(method, n):
        cut = size * block
        for output in outputs:
            y = values[output].to_numpy(dtype=float)[:cut]
            factor_rows, _ = analyse(method, problem, sample[:cut], y, **options)
            for name, indices in zip(problem["names"], factor_rows, strict=True):
                rows.append({"n": size, "output": output, "factor": name, **indices})
    return pd.DataFrame(rows)


def verdicts(method: str, table: pd.DataFrame, *, tolerance: float) -> dict[str, dict[str, Any]]:
    """Whether each output's indices have settled, by the rule in the module docstring.

    Returns:
        ``{output: {"settled": bool, "widest": ..., "largest_change": ...,
        "reason": text}}``; ``widest`` and ``largest_change`` are in index units for
        Sobol' and shares of the largest ``mu_star`` for Morris.
    """
    columns = ("S1", "ST") if method == "sobol" else ("mu_star",)
    result: dict[str, dict[str, Any]] = {}
    for output, frame in table.groupby("output", sort=False):
        sizes_seen = sorted(frame["n"].unique())
        last = frame[frame["n"] == sizes_seen[-1]].set_index("factor")
        scale = 1.0
        if method == "morris":
            scale = float(last["mu_star"].max())
            if not np.isfinite(scale) or scale <= 0:
                scale = np.nan
        if last[list(columns)].isna().all().all():
            result[output] = unvarying()
            continue
        widest = max(float(last[f"{c}_conf"].max()) for c in columns) / scale
        if len(sizes_seen) < 2:
            result[output] = {
                "settled": False,
                "widest": widest,
                "largest_change": None,
                "reason": "the sample is too small to compare sizes",
            }
            continue
        before = frame[frame["n"] == sizes_seen[-2]].set_index("factor")
        change = max(float((last[c] - before[c]).abs().max()) for c in columns) / scale
        settled = bool(widest <= tolerance and change <= tolerance)
        if settled:
            reason = (
                f"every confidence half-width is at most {widest:.3f} and no index "
                f"moved more than {change:.3f} from n={sizes_seen[-2]}"
            )
        else:
            parts = []
            if widest > tolerance:
                parts.append(f"the widest confidence half-width is {widest:.3f}")
            if change > tolerance:
                parts.append(f"an index moved by {change:.3f} from n={sizes_seen[-2]}")
            reason = " and ".join(parts) + f" (tolerance {tolerance:g})"
        result[output] = {
            "settled": settled,
            "widest": widest,
            "largest_change": change,
            "reason": reason,
        }
    return result
