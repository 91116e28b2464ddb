"""Forest plots of a robustness study: each lever's effect on one outcome, context by context.

One row per lever, top to bottom in the study's order; in each row, one point per
context, spread a little up and down in the study's context order (top first) so that
none hides another, with its 95% interval as a horizontal bar. Context kinds are told
apart by marker shape and fill as well as colour (Okabe-Ito, light and dark
alternating), so the figure reads in greyscale and with colour-vision deficiencies. A
vertical line marks zero; each row's label says which side the effect is expected on.
The values drawn are saved beside the figure as CSV (``lever, row, context_kind,
context, y, effect, ci_low, ci_high, sign``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from collabsim.plots import OKABE_ITO, save_png
from collabsim.robustness.analysis import OUTCOMES
from collabsim.robustness.plan import CONTEXT_KINDS, RobustnessPlan
from collabsim.robustness.report import KIND_WORDS, setting_text
from collabsim.storage import write_atomically

#: Each context kind's colour, marker and fill (distinct in greyscale too).
KIND_STYLE: dict[str, tuple[str, str, bool]] = {
    "defaults": (OKABE_ITO["black"], "D", True),
    "accepted": (OKABE_ITO["sky_blue"], "o", False),
    "size": (OKABE_ITO["blue"], "s", True),
    "network_type": (OKABE_ITO["orange"], "^", True),
    "channel_off": (OKABE_ITO["vermillion"], "v", False),
}

FONT = 10
ROW_HEIGHT = 0.62  # inches per lever, at least
POINT_HEIGHT = 0.08  # inches per context within a lever's row
SPREAD = 0.34  # half the height a row's points spread over
DPI = 110


def figure_data(plan: RobustnessPlan, table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The values the forest plot of ``outcome`` draws, with each point's height."""
    rows = []
    for number, lever in enumerate(plan.levers):
        mine = table.loc[(table["lever"] == lever.name) & (table["outcome"] == outcome)]
        heights = _heights(len(mine))
        for height, row in zip(heights, mine.itertuples(), strict=True):
            rows.append(
                {
                    "lever": lever.name,
                    "row": number,
                    "context_kind": row.context_kind,
                    "context": row.context,
                    "y": number + height,
                    "effect": row.effect,
                    "ci_low": row.ci_low,
                    "ci_high": row.ci_high,
                    "sign": row.sign,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "lever",
            "row",
            "context_kind",
            "context",
            "y",
            "effect",
            "ci_low",
            "ci_high",
            "sign",
        ],
    )


def _heights(count: int) -> np.ndarray:
    if count <= 1:
        return np.zeros(count)
    return np.linspace(-SPREAD, SPREAD, count)


def plot_forest(plan: RobustnessPlan, data: pd.DataFrame, outcome: str) -> Figure:
    """The forest plot of one outcome (see the module docstring).

    Args:
        plan: The study (its levers, in order).
        data: ``figure_data`` for the outcome.
        outcome: The outcome drawn.

    Returns:
        The figure.
    """
    words, unit = OUTCOMES[outcome]
    most = int(data.groupby("lever").size().max()) if len(data) else 1
    row = max(ROW_HEIGHT, POINT_HEIGHT * most)
    fig = Figure(figsize=(8.0, 1.6 + row * len(plan.levers)), layout="constrained")
    ax = fig.subplots()
    ax.axvline(0.0, color="0.35", linewidth=1.0, linestyle="--", zorder=1)
    for number in range(1, len(plan.levers), 2):
        ax.axhspan(number - 0.5, number + 0.5, color="0.94", zorder=0)
    kinds = [k for k in CONTEXT_KINDS if k in set(data["context_kind"])]
    for kind in kinds:
        colour, marker, filled = KIND_STYLE[kind]
        mine = data.loc[data["context_kind"] == kind]
        ax.hlines(mine["y"], mine["ci_low"], mine["ci_high"], color=colour, linewidth=1.4, zorder=2)
        ax.scatter(
            mine["effect"],
            mine["y"],
            marker=marker,
            s=34,
            zorder=3,
            facecolors=colour if filled else "white",
            edgecolors=colour,
            linewidths=1.4,
        )
    labels = [
        f"{lv.name}\n{setting_text(lv.low)} \u2192 {setting_text(lv.high)}, expect "
        f"{'+' if lv.expect == 'higher' else '\u2212'}"
        for lv in plan.levers
    ]
    ax.set_yticks(range(len(plan.levers)), labels, fontsize=FONT - 1)
    ax.set_ylim(len(plan.levers) - 0.5, -0.5)
    ax.set_xlabel(
        f"effect on {words}: high minus low setting ({unit})\n"
        "points: mean over seeds; bars: 95% bootstrap interval",
        fontsize=FONT,
    )
    ax.tick_params(axis="x", labelsize=FONT)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [
        Line2D(
            [],
            [],
            color=KIND_STYLE[k][0],
            marker=KIND_STYLE[k][1],
            markerfacecolor=KIND_STYLE[k][0] if KIND_STYLE[k][2] else "white",
            linewidth=1.4,
            label=KIND_WORDS[k],
        )
        for k in kinds
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(3, len(handles)),
        fontsize=FONT - 1,
        frameon=False,
    )
    fig.suptitle(
        f"Does each lever move {words} the expected way in every context?", fontsize=FONT + 2
    )
    return fig


def draw_forest(
    plan: RobustnessPlan, table: pd.DataFrame, outcome: str, folder: Path
) -> list[Path]:
    """Draw the forest plot of ``outcome`` and save it with its data in ``folder``.

    Returns:
        The PNG and CSV written (``robustness_<outcome>.png`` and ``.csv``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    data = figure_data(plan, table, outcome)
    text = data.to_csv(index=False, lineterminator="\n")
    csv_path = write_atomically(
        folder / f"robustness_{outcome}.csv", lambda handle: handle.write(text.encode("utf-8"))
    )
    png_path = save_png(
        plot_forest(plan, data, outcome), folder / f"robustness_{outcome}.png", dpi=DPI
    )
    return [png_path, csv_path]
