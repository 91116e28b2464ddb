"""Figures of a sensitivity analysis, readable by someone who has not read the method.

- ``plot_sobol``: per factor, a bar for its effect alone (S1) and one with its
  interactions (ST), with confidence intervals, largest first, and the seed-noise floor.
- ``plot_morris``: mean absolute effect (mu*) against its spread (sigma), each factor
  labelled, with the noise floor shaded.
- ``plot_convergence``: the leading factors' indices as n grows, with their intervals.
- ``plot_bars``: the main index of the other methods.

Built on ``matplotlib.figure.Figure`` (Agg), as ``collabsim.plots`` is, and saved with
its ``save_png``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from collabsim.metrics import output_title
from collabsim.plots import OKABE_ITO, save_png
from collabsim.sensitivity.methods import MAIN_INDEX

if TYPE_CHECKING:
    from collabsim.sensitivity.results import Analysis

#: Factors drawn in a convergence figure (the leading ones at the full n).
CONVERGENCE_FACTORS = 6

FONT = 11
TITLE_WIDTH = 60  # characters per line of a title
NOISE_COLOUR = "0.88"
LINE_COLOURS = [
    OKABE_ITO[c]
    for c in ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "black")
]


def draw_all(analysis: Analysis, folder: Path, *, dpi: int = 100) -> list[Path]:
    """Draw every figure of ``analysis`` into ``folder``; return the files written."""
    written = []
    for output in analysis.outputs:
        rows = analysis.indices[analysis.indices["output"] == output]
        title = output_title(output)
        if analysis.method == "sobol":
            fig = plot_sobol(rows, title=title)
        elif analysis.method == "morris":
            fig = plot_morris(rows, title=title)
        else:
            fig = plot_bars(rows, MAIN_INDEX[analysis.method], title=title)
        written.append(save_png(fig, folder / f"{analysis.method}_{output}.png", dpi=dpi))
        if analysis.convergence is not None and analysis.convergence["n"].nunique() > 1:
            table = analysis.convergence[analysis.convergence["output"] == output]
            verdict = analysis.verdicts.get(output, {})
            fig = plot_convergence(
                table,
                analysis.method,
                title=title,
                settled=verdict.get("settled"),
                floor=float(rows["noise_floor"].iloc[0]),
            )
            written.append(save_png(fig, folder / f"convergence_{output}.png", dpi=dpi))
    return written


def plot_sobol(rows: pd.DataFrame, *, title: str = "") -> Figure:
    """Sobol' bars: S1 and ST per factor with confidence intervals, largest ST on top.

    Args:
        rows: One output's rows of the indices table (``factor``, ``S1``, ``S1_conf``,
            ``ST``, ``ST_conf``, optionally ``noise_floor``).
        title: Title above the bars.

    Returns:
        The figure.
    """
    rows = rows.sort_values("ST", ascending=True, na_position="first")
    y = np.arange(len(rows))
    fig = Figure(figsize=(8.0, 1.2 + 0.42 * len(rows)), layout="constrained")
    ax = fig.subplots()
    height = 0.38
    ax.barh(
        y + height / 2,
        rows["ST"],
        height,
        xerr=rows["ST_conf"],
        color=OKABE_ITO["blue"],
        error_kw={"ecolor": "0.3", "capsize": 2},
        label="with interactions (total, ST)",
    )
    ax.barh(
        y - height / 2,
        rows["S1"].clip(lower=0),
        height,
        xerr=rows["S1_conf"],
        color=OKABE_ITO["sky_blue"],
        error_kw={"ecolor": "0.3", "capsize": 2},
        label="on its own (first order, S1)",
    )
    _noise_band(ax, rows, "share of variance")
    ax.set_yticks(y, rows["factor"], fontsize=FONT)
    ax.set_xlabel("Share of the output's variance explained", fontsize=FONT)
    upper = np.nanmax([1e-9, *(rows["ST"] + rows["ST_conf"]).fillna(0)])
    ax.set_xlim(0, min(1.05, max(0.1, upper * 1.1)))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    _finish(ax, title)
    ax.legend(fontsize=FONT - 1, frameon=False, loc="lower right")
    return fig


def plot_morris(rows: pd.DataFrame, *, title: str = "") -> Figure:
    """Morris mu*-sigma plot: each factor's mean absolute effect against its spread.

    Args:
        rows: One output's rows of the indices table (``factor``, ``mu_star``,
            ``mu_star_conf``, ``sigma``, optionally ``noise_floor``).
        title: Title above the plot.

    Returns:
        The figure.
    """
    fig = Figure(figsize=(8.0, 6.0), layout="constrained")
    ax = fig.subplots()
    floor = rows["noise_floor"].iloc[0] if "noise_floor" in rows else np.nan
    if np.isfinite(floor):
        ax.axvspan(0, floor, color=NOISE_COLOUR, zorder=0, label="within seed noise")
    ax.errorbar(
        rows["mu_star"],
        rows["sigma"],
        xerr=rows["mu_star_conf"],
        fmt="o",
        color=OKABE_ITO["blue"],
        ecolor="0.5",
        capsize=2,
        markersize=6,
    )
    upper = np.nanmax([1e-9, *rows["mu_star"], *rows["sigma"]])
    placed: list[tuple[float, float]] = []
    for row in rows.sort_values("mu_star", ascending=False).itertuples():
        # Factors with nearly equal effects would print their names on top of each other:
        # move each name down one line per name already placed nearby.
        x, y = row.mu_star / upper, row.sigma / upper
        crowd = sum(abs(x - px) < 0.08 and abs(y - py) < 0.05 for px, py in placed)
        placed.append((x, y))
        ax.annotate(
            row.factor,
            (row.mu_star, row.sigma),
            xytext=(6, 3 - 12 * crowd),
            textcoords="offset points",
            fontsize=FONT - 1,
        )
    ax.plot(
        [0, upper],
        [0, upper],
        color="0.6",
        linestyle=":",
        linewidth=1,
        label="sigma = mu* (strong interactions above)",
    )
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("mu*: mean absolute effect of a factor's step", fontsize=FONT)
    ax.set_ylabel("sigma: how much that effect varies", fontsize=FONT)
    _finish(ax, title)
    ax.legend(fontsize=FONT - 1, frameon=False, loc="upper left")
    return fig


def plot_bars(rows: pd.DataFrame, column: str, *, title: str = "") -> Figure:
    """One index per factor as bars (with intervals if ``<column>_conf`` exists)."""
    rows = rows.sort_values(column, ascending=True, na_position="first")
    y = np.arange(len(rows))
    fig = Figure(figsize=(8.0, 1.2 + 0.35 * len(rows)), layout="constrained")
    ax = fig.subplots()
    conf = rows.get(f"{column}_conf")
    ax.barh(
        y,
        rows[column],
        0.6,
        xerr=conf,
        color=OKABE_ITO["blue"],
        error_kw={"ecolor": "0.3", "capsize": 2},
    )
    _noise_band(ax, rows, column)
    ax.set_yticks(y, rows["factor"], fontsize=FONT)
    ax.set_xlabel(column, fontsize=FONT)
    _finish(ax, title)
    return fig


def plot_convergence(
    table: pd.DataFrame,
    method: str,
    *,
    title: str = "",
    settled: bool | None = None,
    floor: float = np.nan,
) -> Figure:
    """The leading factors' indices at increasing n, with their confidence intervals.

    Args:
        table: One output's rows of the convergence table (``n``, ``factor`` and the
            method's index columns).
        method: ``"sobol"`` (panels S1 and ST) or ``"morris"`` (mu*).
        title: Title above the panels.
        settled: Whether the indices settled (said in the title), if known.
        floor: The seed-noise floor of the main index (ST, mu*), shaded if known.

    Returns:
        The figure.
    """
    columns = ("S1", "ST") if method == "sobol" else ("mu_star",)
    last = table[table["n"] == table["n"].max()]
    leading = last.sort_values(columns[-1], ascending=False)["factor"].head(CONVERGENCE_FACTORS)
    fig = Figure(figsize=(5.0 * len(columns) + 1.5, 4.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(columns), sharey=method == "sobol"))
    for ax, column in zip(axes, columns, strict=True):
        if column in ("ST", "mu_star") and np.isfinite(floor) and floor > 0:
            ax.axhspan(0, floor, color=NOISE_COLOUR, zorder=0, label="within seed noise")
        for colour, factor in zip(LINE_COLOURS, leading, strict=False):
            rows = table[table["factor"] == factor].sort_values("n")
            n = rows["n"].to_numpy(dtype=float)
            value = rows[column].to_numpy(dtype=float)
            half = rows[f"{column}_conf"].to_numpy(dtype=float)
            ax.fill_between(n, value - half, value + half, color=colour, alpha=0.15, linewidth=0)
            ax.plot(n, value, marker="o", color=colour, label=factor)
        ax.set_xscale("log", base=2)
        ax.minorticks_off()
        ax.set_xticks(sorted(table["n"].unique()), [str(v) for v in sorted(table["n"].unique())])
        ax.set_xlabel(
            "n (base samples)" if method == "sobol" else "n (trajectories)", fontsize=FONT
        )
        ax.set_ylabel(
            {
                "S1": "S1 (on its own)",
                "ST": "ST (with interactions)",
                "mu_star": "mu* (mean absolute effect)",
            }[column],
            fontsize=FONT,
        )
        _finish(ax, "")
    axes[-1].legend(fontsize=FONT - 1, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    state = {True: "settled", False: "not settled"}.get(settled, "")
    fig.suptitle(
        f"{title}: convergence" + (f" ({state})" if state else ""),
        fontsize=FONT + 2,
        fontweight="bold",
    )
    return fig


def _noise_band(ax, rows: pd.DataFrame, what: str) -> None:
    floor = rows["noise_floor"].iloc[0] if "noise_floor" in rows and len(rows) else np.nan
    if np.isfinite(floor) and floor > 0:
        ax.axvspan(0, floor, color=NOISE_COLOUR, zorder=0, label="within seed noise")


def _finish(ax, title: str) -> None:
    ax.tick_params(labelsize=FONT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis="x", color="0.92")
    ax.set_axisbelow(True)
    if title:
        # Long output meanings would run off the figure: wrap them.
        ax.set_title(
            textwrap.fill(title, TITLE_WIDTH), fontsize=FONT + 2, fontweight="bold", loc="left"
        )
