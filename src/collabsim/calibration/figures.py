"""The marginals figure: where in each rate's range the accepted points lie.

One panel per rate: the share of all points in each tenth of the rate's calibration
range (a grey outline: flat for a Latin hypercube) against the share of the accepted
points (blue bars, hatched, so that they read in greyscale and with colour-vision
deficiencies), with the recommended value as a dashed black line and the declared
default as a dotted one. The counts drawn are saved beside the figure as
``marginals.csv`` (``rate, bin_low, bin_high, all_points, accepted_points``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from collabsim.calibration.plan import CalibrationPlan
from collabsim.params import PARAMETERS
from collabsim.plots import OKABE_ITO, save_png
from collabsim.storage import write_atomically

#: Bins per rate's range.
BINS = 10

COLUMNS = 4
FONT = 9
PANEL = (3.0, 2.2)  # inches per panel
DPI = 110
ACCEPTED_COLOUR = OKABE_ITO["blue"]


def marginal_counts(plan: CalibrationPlan, table: pd.DataFrame) -> pd.DataFrame:
    """Points and accepted points in each tenth of each rate's range."""
    rows = []
    accepted = table["accepted"].to_numpy(bool)
    for factor in plan.factors:
        edges = np.linspace(factor.low, factor.high, BINS + 1)
        values = table[factor.name].to_numpy(float)
        every, _ = np.histogram(values, bins=edges)
        kept, _ = np.histogram(values[accepted], bins=edges)
        for i in range(BINS):
            rows.append(
                (factor.name, float(edges[i]), float(edges[i + 1]), int(every[i]), int(kept[i]))
            )
    return pd.DataFrame(
        rows, columns=["rate", "bin_low", "bin_high", "all_points", "accepted_points"]
    )


def plot_marginals(
    counts: pd.DataFrame, *, recommended: Mapping[str, Any] | None, title: str
) -> Figure:
    """The figure of ``marginal_counts`` (see the module docstring)."""
    rates = list(dict.fromkeys(counts["rate"]))
    rows = math.ceil(len(rates) / COLUMNS)
    columns = min(COLUMNS, len(rates))
    fig = Figure(figsize=(PANEL[0] * columns, PANEL[1] * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, rate in zip(axes, rates, strict=False):
        data = counts.loc[counts["rate"] == rate]
        left, right = data["bin_low"].to_numpy(), data["bin_high"].to_numpy()
        width = right - left
        every = data["all_points"].to_numpy(float)
        kept = data["accepted_points"].to_numpy(float)
        if kept.sum():
            ax.bar(
                left,
                kept / kept.sum(),
                width=width,
                align="edge",
                color=ACCEPTED_COLOUR,
                edgecolor="black",
                linewidth=0.5,
                hatch="///",
                label="accepted points",
            )
        ax.stairs(
            every / max(every.sum(), 1),
            np.append(left, right[-1]),
            color="0.35",
            linewidth=1.4,
            label="all points",
        )
        if recommended is not None:
            ax.axvline(
                recommended[rate], color="black", linestyle="--", linewidth=1.2, label="recommended"
            )
        default = PARAMETERS[rate].default
        if left[0] <= default <= right[-1]:
            ax.axvline(
                default, color="black", linestyle=":", linewidth=1.2, label="declared default"
            )
        ax.set_title(rate, fontsize=FONT)
        ax.tick_params(labelsize=FONT - 1)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(rates) :]:
        ax.set_visible(False)
    for ax in axes[::columns]:
        ax.set_ylabel("share of points", fontsize=FONT)
    handles, labels = [], []
    for ax in axes[: len(rates)]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.legend(
        handles, labels, loc="outside lower center", ncols=len(labels), fontsize=FONT, frameon=False
    )
    fig.suptitle(title, fontsize=FONT + 2)
    return fig


def draw_marginals(
    plan: CalibrationPlan,
    table: pd.DataFrame,
    *,
    recommended: Mapping[str, Any] | None,
    folder: Path,
) -> list[Path]:
    """Draw ``marginals.png`` and write ``marginals.csv`` in ``folder`` (created if missing).

    Args:
        plan: The plan calibrated.
        table: The points table (``points.csv``).
        recommended: The recommended rates, or None.
        folder: The figures folder.

    Returns:
        The PNG and CSV files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    counts = marginal_counts(plan, table)
    text = counts.to_csv(index=False, lineterminator="\n")
    csv_path = write_atomically(
        folder / "marginals.csv", lambda handle: handle.write(text.encode("utf-8"))
    )
    accepted = int(table["accepted"].sum())
    title = (
        f"{plan.name}: {accepted} of {plan.points} points accepted"
        if accepted
        else f"{plan.name}: no point accepted (all points shown)"
    )
    png_path = save_png(
        plot_marginals(counts, recommended=recommended, title=title),
        folder / "marginals.png",
        dpi=DPI,
    )
    return [png_path, csv_path]


__all__ = ["BINS", "draw_marginals", "marginal_counts", "plot_marginals"]
