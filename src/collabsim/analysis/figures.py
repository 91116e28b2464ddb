"""The pipeline's figures, each saved as PNG with the data it draws beside it as CSV.

- ``survival_<study>``: Kaplan-Meier curves, one panel per lever, one line per level;
- ``heat_<study>_<rows>_<columns>_<outcome>``: an outcome's mean in each cell of two
  levers, averaged over the study's other levers;
- ``boxes``: the scenario-discovery boxes, each lever's limits within its sampled range,
  and the peeling trajectory (its data in ``boxes.csv`` and ``boxes_trajectory.csv``);
- ``effects_<outcome>`` and ``effects_within_<outcome>``: forest plots of the lever
  effects with their 95% intervals.

House style (``collabsim.plots``): Okabe-Ito colours, and never colour alone: lines
differ in dash and marker, studies in marker shape, clear effects are filled and unclear
ones hollow, heat-map cells carry their value as text on a scale (cividis) whose
lightness rises steadily, so every figure reads in greyscale. Figures are built on
``matplotlib.figure.Figure``, never the global pyplot state. The colours, sizes and
saving are in ``figure_style``, the boxes figure in ``discovery_figure``.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from collabsim.analysis.discovery_figure import boxes_data, boxes_figure
from collabsim.analysis.figure_style import (
    COLOURS,
    DASHES,
    DPI,
    FONT,
    MARKERS,
    save_figure,
    tidy,
)
from collabsim.analysis.levers import level_text, lever_words
from collabsim.analysis.wording import horizon_words, outcome_words, within_text
from collabsim.storage import write_atomically
from collabsim.validation.stats import CLEAR_P

# --- survival curves -------------------------------------------------------------------


def survival_figure(
    curves: pd.DataFrame, order: dict[str, list[Any]], labels: dict[str, str], title: str
) -> Figure:
    """Kaplan-Meier curves of one study: a panel per lever, a line per level.

    Args:
        curves: The study's rows of the curves table (``lever, level, week, survival``).
        order: Each lever's levels in order (the first is the reference).
        labels: Each lever's name in words.
        title: The figure's title.
    """
    levers = [lever for lever in order if (curves["lever"] == lever).any()]
    columns = min(2, len(levers))
    rows = math.ceil(len(levers) / columns)
    fig = Figure(figsize=(5.2 * columns, 3.9 * rows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    for ax, lever in zip(axes, levers, strict=False):
        mine = curves.loc[curves["lever"] == lever]
        last = float(mine["week"].max()) if len(mine) else 1.0
        for number, level in enumerate(order[lever]):
            curve = mine.loc[mine["level"].astype(str) == str(level)]
            ax.plot(
                curve["week"],
                curve["survival"] * 100,
                drawstyle="steps-post",
                color=COLOURS[number % len(COLOURS)],
                linestyle=DASHES[number % len(DASHES)],
                linewidth=1.8,
                marker=MARKERS[number % len(MARKERS)],
                markevery=max(1, len(curve) // 6),
                markersize=5,
                label=level_text(level),
            )
        ax.set_xlim(0, last)
        ax.set_ylim(0, 102)
        ax.set_title(labels.get(lever, lever), fontsize=FONT + 1, loc="left")
        ax.set_xlabel("weeks since the start", fontsize=FONT)
        ax.set_ylabel("% of networks still meeting", fontsize=FONT)
        ax.legend(fontsize=FONT - 2, frameon=False, loc="lower left")
        tidy(ax)
    for ax in axes[len(levers) :]:
        ax.set_visible(False)
    fig.suptitle(textwrap.fill(title, 80), fontsize=FONT + 3)
    return fig


# --- heat maps -------------------------------------------------------------------------


def heat_map_figure(
    cells: pd.DataFrame, *, row_label: str, column_label: str, title: str, share: bool
) -> Figure:
    """An outcome's mean in each cell of two levers, the value written in the cell.

    Args:
        cells: ``row_level, column_level, value`` (``effects.cell_means``), rows and
            columns in the order to draw them.
        row_label: The row lever in words.
        column_label: The column lever in words.
        title: The figure's title.
        share: Whether values are shares (on a 0-100% scale); others are changes,
            also written in percent, on a scale from the smallest to the largest.
    """
    rows = list(dict.fromkeys(cells["row_level"].tolist()))
    columns = list(dict.fromkeys(cells["column_level"].tolist()))
    grid = np.full((len(rows), len(columns)), np.nan)
    for cell in cells.itertuples():
        grid[rows.index(cell.row_level), columns.index(cell.column_level)] = cell.value
    values = grid * 100  # shares and quality alike in percent
    fig = Figure(figsize=(1.3 * len(columns) + 3.4, 0.75 * len(rows) + 2.0), layout="constrained")
    ax = fig.subplots()
    finite = values[np.isfinite(values)]
    low, high = (
        (0.0, 100.0)
        if share
        else (float(finite.min()), float(finite.max()))
        if finite.size
        else (0.0, 1.0)
    )
    if high <= low:
        high = low + 1e-9
    image = ax.imshow(values, cmap="cividis", vmin=low, vmax=high, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        text = "–" if not np.isfinite(value) else f"{value:.0f}%" if share else f"{value:+.1f}%"
        light = np.isfinite(value) and (value - low) / (high - low) > 0.6
        ax.text(
            j, i, text, ha="center", va="center", fontsize=FONT, color="black" if light else "white"
        )
    ax.set_xticks(range(len(columns)), [level_text(c) for c in columns], fontsize=FONT - 1)
    ax.set_yticks(range(len(rows)), [level_text(r) for r in rows], fontsize=FONT - 1)
    ax.set_xlabel(column_label, fontsize=FONT)
    ax.set_ylabel(row_label, fontsize=FONT)
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.ax.tick_params(labelsize=FONT - 1)
    bar.set_label("% of networks" if share else "% of the starting quality", fontsize=FONT)
    fig.suptitle(textwrap.fill(title, 60), fontsize=FONT + 2)
    return fig


# --- forest plots ----------------------------------------------------------------------


def forest_data(effects: pd.DataFrame, outcome: str, labels: dict[str, str]) -> pd.DataFrame:
    """The rows a forest plot of ``outcome`` draws, top to bottom, with their labels."""
    rows = effects.loc[effects["outcome"] == outcome].reset_index(drop=True).copy()
    rows["label"] = [
        f"{labels.get(r.lever, r.lever)}: {level_text(r.level)} vs "
        f"{level_text(r.reference)}"
        + (f" | {within_text(r.within)}" if within_text(r.within) else "")
        for r in rows.itertuples()
    ]
    rows["y"] = np.arange(len(rows))
    return rows[
        [
            "y",
            "study",
            "label",
            "lever",
            "level",
            "reference",
            "within",
            "effect",
            "ci_low",
            "ci_high",
            "p_value",
            "clear",
        ]
    ]


def forest_figure(
    data: pd.DataFrame, titles: dict[str, str], *, outcome: str, title: str
) -> Figure:
    """Effects with their 95% intervals, one row each, marker shape and colour by study.

    Args:
        data: ``forest_data``.
        titles: Each study's title, for the legend.
        outcome: The outcome (sets the unit: percentage points for shares).
        title: The figure's title.
    """
    words, share = outcome_words(outcome)
    scale = 100.0  # shares in percentage points, quality in points of starting quality
    fig = Figure(figsize=(9.0, 0.27 * len(data) + 1.9), layout="constrained")
    ax = fig.subplots()
    ax.axvline(0.0, color="0.35", linewidth=1.0, linestyle="--")
    studies = list(dict.fromkeys(data["study"].tolist()))
    handles = []
    for number, study in enumerate(studies):
        mine = data.loc[data["study"] == study]
        colour, marker = COLOURS[number % len(COLOURS)], MARKERS[number % len(MARKERS)]
        ax.hlines(
            mine["y"], mine["ci_low"] * scale, mine["ci_high"] * scale, color=colour, linewidth=1.5
        )
        clear = mine["clear"] != "unclear"
        ax.scatter(
            mine["effect"] * scale,
            mine["y"],
            marker=marker,
            s=36,
            zorder=3,
            facecolors=[colour if c else "white" for c in clear],
            edgecolors=colour,
            linewidths=1.4,
        )
        if number % 2:
            ax.axhspan(mine["y"].min() - 0.5, mine["y"].max() + 0.5, color="0.95", zorder=0)
        handles.append(
            Line2D(
                [], [], color=colour, marker=marker, linewidth=1.5, label=titles.get(study, study)
            )
        )
    handles.append(
        Line2D(
            [],
            [],
            color="0.3",
            marker="o",
            markerfacecolor="white",
            linewidth=0,
            label="hollow: not clear (interval crosses 0, or "
            f"signed-rank p of {CLEAR_P:.2g} or more)",
        )
    )
    handles.append(
        Line2D(
            [],
            [],
            color="0.3",
            marker="|",
            linewidth=1.5,
            label="mean over seeds, bar: 95% bootstrap interval",
        )
    )
    ax.set_yticks(data["y"], data["label"], fontsize=FONT - 2)
    ax.set_ylim(len(data) - 0.5, -0.5)
    unit = "percentage points" if share else "points of starting quality"
    ax.set_xlabel(textwrap.fill(f"change against the reference level, {unit}", 36), fontsize=FONT)
    tidy(ax)
    fig.legend(
        handles=handles, loc="outside lower center", ncols=2, fontsize=FONT - 2, frameon=False
    )
    fig.suptitle(textwrap.fill(title, 80), fontsize=FONT + 2)
    return fig


# --- all of them -----------------------------------------------------------------------


def draw_all(
    spec, tables: dict[str, pd.DataFrame], facts: dict[str, Any], folder: Path
) -> list[Path]:
    """Draw every figure of the pipeline into ``folder``; returns the files written."""
    labels = {
        lever: lever_words(lever) for data in facts["studies"].values() for lever in data.order
    } | {lever: lever_words(lever) for lever in facts["discovery_levers"]}
    titles = {study.name: study.title for study in spec.studies}
    written: list[Path] = []
    for study in spec.studies:
        data = facts["studies"][study.name]
        curves = tables["curves"].loc[tables["curves"]["study"] == study.name]
        fig = survival_figure(
            curves, data.order, labels, f"How long networks last: {study.title.lower()}"
        )
        written += save_figure(fig, curves, folder, f"survival_{study.name}")
        for rows, columns in study.heat_maps:
            for outcome in spec.outcomes:
                heat = tables["heat_maps"]
                cells = heat.loc[
                    (heat["study"] == study.name)
                    & (heat["row_lever"] == rows)
                    & (heat["column_lever"] == columns)
                    & (heat["outcome"] == outcome)
                ]
                words, share = outcome_words(outcome)
                fig = heat_map_figure(
                    cells,
                    row_label=labels[rows],
                    column_label=labels[columns],
                    share=share,
                    title=f"{words.capitalize()} after "
                    f"{horizon_words(data.steps)}, by "
                    f"{labels[rows]} and {labels[columns]}"
                    + ("" if share else " (share of starting quality)"),
                )
                written += save_figure(
                    fig, cells, folder, f"heat_{study.name}_{rows}_{columns}_{outcome}"
                )
    boxes = boxes_data(tables["discovery_boxes"], facts["discovery_ranges"])
    fig = boxes_figure(
        boxes,
        tables["discovery_trajectory"],
        facts["discovery_levers"],
        labels,
        message=facts["discovery_message"],
        title=f"Where at least {spec.discovery.threshold:.0%} of networks last: "
        "combinations of levers found by PRIM",
    )
    written += save_figure(fig, boxes, folder, "boxes")
    trajectory = tables["discovery_trajectory"]
    text = trajectory.to_csv(index=False, lineterminator="\n")
    written.append(
        write_atomically(folder / "boxes_trajectory.csv", lambda h: h.write(text.encode("utf-8")))
    )
    steps = {data.steps for data in facts["studies"].values()}
    after = f" after {horizon_words(steps.pop())}" if len(steps) == 1 else ""
    for name, stem in (("effects", "effects"), ("effects_within", "effects_within")):
        table = tables[name]
        for outcome in spec.outcomes:
            if table.empty:
                continue
            words, _ = outcome_words(outcome)
            data = forest_data(table, outcome, labels)
            kind = (
                "at each level of the levers held fixed"
                if name == "effects_within"
                else "averaged over the other levers"
            )
            fig = forest_figure(
                data,
                titles,
                outcome=outcome,
                title=f"What each lever changes: {words}{after}, {kind}",
            )
            written += save_figure(fig, data, folder, f"{stem}_{outcome}")
    return written


__all__ = [
    "COLOURS",
    "DASHES",
    "DPI",
    "FONT",
    "MARKERS",
    "boxes_data",
    "boxes_figure",
    "draw_all",
    "forest_data",
    "forest_figure",
    "heat_map_figure",
    "save_figure",
    "survival_figure",
]
