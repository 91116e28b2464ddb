"""One small figure per validated pattern: each arm's per-seed values of its metrics.

A panel per metric the test read; in it, one column of points per arm (one point per
seed) and the arm's mean as a black bar. Arms are drawn in the order the test reads
them, which puts the arms of each comparison side by side (``Greater``: higher, lower;
``Interaction``: a, b, c, d); where the test compares two neighbouring arms seed by
seed, a faint grey line joins each seed's two values. A true/false metric is drawn as
the share of runs where it holds. Arms are told apart by
marker shape as well as by colour (Okabe-Ito), so the figure reads in greyscale and
with colour-vision deficiencies. The values drawn are saved beside the figure as CSV
(``metric, arm, replicate, seed, value``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from collabsim.plots import OKABE_ITO, save_png
from collabsim.storage import write_atomically
from collabsim.validation.evaluate import Evaluation, Measured

#: Arm colours in order, and marker shapes (distinct in greyscale too).
COLOURS = [
    OKABE_ITO[c]
    for c in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "yellow",
        "black",
    )
]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

FONT = 10
PANEL_WIDTH = 3.4  # inches per panel of two arms
ARM_WIDTH = 0.85  # inches per further arm
DPI = 110


def figure_data(evaluation: Evaluation) -> pd.DataFrame:
    """The values a pattern's figure draws: ``metric, arm, replicate, seed, value``."""
    frames = [
        pd.DataFrame(
            {
                "metric": m.metric,
                "arm": m.arm,
                "replicate": m.replicates,
                "seed": m.seeds,
                "value": m.values,
            }
        )
        for m in evaluation.measured
    ]
    return pd.concat(frames, ignore_index=True)


def plot_pattern(evaluation: Evaluation, *, title: str) -> Figure:
    """The figure of one pattern (see the module docstring).

    Args:
        evaluation: The pattern's result and the values its test read.
        title: Title above the panels.

    Returns:
        The figure.
    """
    panels: dict[str, list[Measured]] = {}
    for measured in evaluation.measured:
        panels.setdefault(measured.metric, []).append(measured)
    pairs = set(evaluation.pairs)
    arms = list(dict.fromkeys(m.arm for m in evaluation.measured))
    style = {
        arm: (COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]) for i, arm in enumerate(arms)
    }
    most = max(len(group) for group in panels.values())
    width = (PANEL_WIDTH + ARM_WIDTH * max(0, most - 2)) * len(panels)
    fig = Figure(figsize=(max(width, 4.0), 3.9), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (metric, group) in zip(axes, panels.items(), strict=True):
        _panel(ax, metric, group, style, pairs)
    fig.suptitle(title, fontsize=FONT + 2)
    return fig


def _panel(ax, metric: str, group: list[Measured], style, pairs) -> None:
    x = np.arange(len(group))
    if all(m.binary for m in group):
        for i, measured in enumerate(group):
            values = measured.values[np.isfinite(measured.values)]
            colour, _ = style[measured.arm]
            share = values.mean() if values.size else np.nan
            ax.bar(i, share, width=0.55, color=colour, edgecolor="black", hatch="//")
            ax.text(
                i,
                share + 0.02,
                f"{int(values.sum())} of {values.size}",
                ha="center",
                va="bottom",
                fontsize=FONT,
            )
        ax.set_ylim(0, 1.1)
        ax.set_ylabel(f"share of runs: {metric}", fontsize=FONT)
    else:
        _strips(ax, group, style, pairs)
        ax.set_ylabel(metric, fontsize=FONT)
    ax.set_xticks(
        x, ["\n".join(textwrap.wrap(m.arm.replace("_", " "), 10)) for m in group], fontsize=FONT
    )
    ax.set_xlim(-0.6, len(group) - 0.4)
    ax.tick_params(axis="y", labelsize=FONT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.label.set_wrap(True)


def _strips(ax, group: list[Measured], style, pairs) -> None:
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, size=max(len(m.values) for m in group))
    for left in range(len(group) - 1):
        first, second = group[left], group[left + 1]
        if (first.arm, second.arm) in pairs and np.array_equal(first.seeds, second.seeds):
            n = first.values.size
            ax.plot(
                np.vstack([left + jitter[:n], left + 1 + jitter[:n]]),
                np.vstack([first.values, second.values]),
                color="0.75",
                linewidth=0.6,
                zorder=1,
            )
    for i, measured in enumerate(group):
        colour, marker = style[measured.arm]
        values = measured.values
        ax.scatter(
            i + jitter[: values.size],
            values,
            s=22,
            color=colour,
            marker=marker,
            edgecolors="black",
            linewidths=0.4,
            zorder=2,
            label=measured.arm,
        )
        finite = values[np.isfinite(values)]
        if finite.size:
            ax.hlines(finite.mean(), i - 0.3, i + 0.3, color="black", linewidth=2.2, zorder=3)


def draw_pattern(evaluation: Evaluation, folder: Path, *, title: str) -> list[Path]:
    """Draw a pattern's figure and save it with its data in ``folder``.

    Args:
        evaluation: The pattern's result and the values its test read.
        folder: The figures folder (created if missing).
        title: Title above the panels.

    Returns:
        The PNG and CSV files written (``<pattern>.png``, ``<pattern>.csv``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = evaluation.result.pattern
    data = figure_data(evaluation)
    text = data.to_csv(index=False, lineterminator="\n")
    csv_path = write_atomically(
        folder / f"{name}.csv", lambda handle: handle.write(text.encode("utf-8"))
    )
    png_path = save_png(plot_pattern(evaluation, title=title), folder / f"{name}.png", dpi=DPI)
    return [png_path, csv_path]
