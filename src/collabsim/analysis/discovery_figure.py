"""The scenario-discovery figure: each box's limits on every lever, and the peeling paths.

``boxes_data`` adds each lever's sampled range to the boxes table, ``boxes_figure``
draws the limits within those ranges beside the coverage-density trajectory; ``figures``
saves it as ``boxes`` with the rest of the pipeline's figures.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from collabsim.analysis.figure_style import COLOURS, DASHES, FONT, MARKERS, tidy


def boxes_data(boxes: pd.DataFrame, ranges: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The boxes with each restricted lever's sampled range (``range_low``, ``range_high``)."""
    data = boxes.copy()
    data["range_low"] = [ranges[lever].get("low", np.nan) for lever in data["lever"]]
    data["range_high"] = [ranges[lever].get("high", np.nan) for lever in data["lever"]]
    return data


def boxes_figure(
    data: pd.DataFrame,
    trajectory: pd.DataFrame,
    levers: list[str],
    labels: dict[str, str],
    *,
    title: str,
    message: str = "",
) -> Figure:
    """Each box's limits on every lever (as a share of its range), and the peeling paths.

    Args:
        data: ``boxes_data``.
        trajectory: The peeling trajectory (``box, step, coverage, density, chosen``).
        levers: Every lever searched, top to bottom.
        labels: Levers in words.
        title: The figure's title.
        message: Shown instead of boxes when there are none.
    """
    count = int(data["box"].max()) if len(data) else 0
    fig = Figure(
        figsize=(3.2 * max(count, 1) + 4.6, 0.36 * len(levers) + 2.2), layout="constrained"
    )
    axes = fig.subplots(1, max(count, 1) + 1, squeeze=False).ravel()
    for number, ax in enumerate(axes[:-1], start=1):
        mine = data.loc[data["box"] == number]
        for y, lever in enumerate(levers):
            ax.barh(y, 1.0, left=0.0, color="0.92", height=0.6)
            row = mine.loc[mine["lever"] == lever]
            if row.empty:
                continue
            row = row.iloc[0]
            if isinstance(row["values"], str) and row["values"]:
                ax.barh(
                    y,
                    1.0,
                    color=COLOURS[number],
                    height=0.6,
                    hatch="//",
                    edgecolor="black",
                    alpha=0.8,
                )
                ax.text(
                    0.5,
                    y,
                    row["values"],
                    ha="center",
                    va="center",
                    fontsize=FONT - 2,
                    backgroundcolor="white",
                )
                continue
            span = row["range_high"] - row["range_low"]
            low = 0.0 if not np.isfinite(row["low"]) else (row["low"] - row["range_low"]) / span
            high = 1.0 if not np.isfinite(row["high"]) else (row["high"] - row["range_low"]) / span
            ax.barh(
                y,
                high - low,
                left=low,
                color=COLOURS[number],
                height=0.6,
                hatch="//",
                edgecolor="black",
                alpha=0.8,
            )
            ends = [
                row["range_low"] if not np.isfinite(row["low"]) else row["low"],
                row["range_high"] if not np.isfinite(row["high"]) else row["high"],
            ]
            # the limits in figures, kept inside the panel however thin the bar
            ax.text(
                min(max((low + high) / 2, 0.2), 0.8),
                y,
                "–".join(f"{end:.3g}" for end in ends),
                ha="center",
                va="center",
                fontsize=FONT - 2,
                backgroundcolor="white",
            )
        ax.set_yticks(
            range(len(levers)),
            [labels.get(lever, lever) for lever in levers] if number == 1 else [""] * len(levers),
            fontsize=FONT - 1,
        )
        ax.set_ylim(len(levers) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 1], ["lowest", "highest"], fontsize=FONT - 1)
        if len(mine):
            first = mine.iloc[0]
            ax.set_title(
                f"box {number}: {first['density']:.0%} of its points\nhave "
                f"enough networks lasting;\nit holds {first['coverage']:.0%} of "
                "all such points",
                fontsize=FONT - 1,
            )
        else:
            ax.text(
                0.5,
                len(levers) / 2,
                message or "no box found",
                ha="center",
                va="center",
                wrap=True,
                fontsize=FONT - 1,
            )
            ax.set_title("no box", fontsize=FONT)
    ax = axes[-1]
    for number, path in trajectory.groupby("box") if len(trajectory) else []:
        ax.plot(
            path["coverage"] * 100,
            path["density"] * 100,
            color=COLOURS[number % 7],
            linestyle=DASHES[number % 7],
            marker=MARKERS[number % 7],
            markersize=3,
            label=f"search {number}",
        )
        chosen = path.loc[path["chosen"].astype(bool)]
        ax.scatter(
            chosen["coverage"] * 100,
            chosen["density"] * 100,
            s=90,
            marker="*",
            color="black",
            zorder=3,
        )
    ax.set_xlabel("coverage: % of all such\npoints in the box", fontsize=FONT)
    ax.set_ylabel("density: % of points in the box\nwith enough networks lasting", fontsize=FONT)
    ax.set_title("peeling: star = box taken", fontsize=FONT)
    if len(trajectory):
        ax.legend(fontsize=FONT - 2, frameon=False)
    tidy(ax)
    fig.suptitle(textwrap.fill(title, 80), fontsize=FONT + 2)
    return fig


__all__ = ["boxes_data", "boxes_figure"]
