"""Figures for workshop rooms: what happened in one run, readable on a projector.

``plot_dynamics`` draws the six things a room of NHS leaders asks about a network over
time: who turns up, trust, a shared sense of purpose, commitment, the quality of care
pathways and the changes made or blocked. Figures are built on
``matplotlib.figure.Figure`` (the Agg renderer), never the global ``pyplot`` state, so
they are safe in scripts, servers and tests.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from collabsim.params import Event
from collabsim.params.events import WEEKS_PER_YEAR, drawn_budget_cuts
from collabsim.storage import write_atomically

#: Okabe & Ito (2008) colours, distinguishable with the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Panel titles, left to right and top to bottom.
PANEL_TITLES: tuple[str, ...] = (
    "Who turns up",
    "Trust",
    "Shared sense of purpose",
    "Commitment",
    "Quality of care pathways",
    "Changes adopted and blocked",
)

#: Readable names of the scheduled event kinds, for labels.
EVENT_LABELS: dict[str, str] = {
    "self_interest_act": "senior leader acts in self-interest",
    "resistant_member_leaves": "most resistant member moves on",
    "central_leader_leaves": "central leader leaves",
    "partner_withdraws": "academic partner withdraws",
    "budget_cut": "budget cut",
    "programme_starts": "leadership programmes start",
}

#: Columns of the time series that the figure reads.
COLUMNS: tuple[str, ...] = (
    "attendance_rate",
    "trust_cross_org",
    "trust_health_social",
    "trust_tops_bottoms",
    "narrative_spread",
    "commitment_mean",
    "commitment_tops",
    "quality",
    "changes_adopted",
    "changes_blocked",
    "alive",
)

FIGSIZE = (12.0, 9.0)
DPI = 120
TITLE_SIZE = 15
LABEL_SIZE = 12
TICK_SIZE = 12
NOTE_SIZE = 11
EVENT_LABEL_WIDTH = 20  # characters per line of an event label
EVENT_LINE_SHARE = 0.04  # share of a panel's width that one line of a label takes
DISSOLVED_COLOUR = "0.85"
EVENT_COLOUR = OKABE_ITO["reddish_purple"]


def event_label(event: Event) -> str:
    """Readable name of a scheduled event, e.g. ``"budget cut (acute trust)"``.

    Args:
        event: The event.

    Returns:
        Its name in words, with the organisation it concerns if any.
    """
    label = EVENT_LABELS.get(event.kind, event.kind.replace("_", " "))
    if event.organisation:
        label += f" ({event.organisation.replace('_', ' ')})"
    return label


def plot_dynamics(
    timeseries: pd.DataFrame,
    *,
    title: str = "",
    events: Iterable[Event | Mapping] = (),
    path: str | Path | None = None,
) -> Figure:
    """Six panels showing how one run went, for a workshop audience.

    Panels (3 rows x 2 columns): who turns up (attendance at the latest meeting, %);
    trust between organisations, across the health / social care divide and between
    senior leaders and frontline staff; the spread of views on purpose (lower is more
    shared); commitment of everyone and of senior leaders; quality of the care
    pathways (1 = where it started); and changes adopted and blocked so far. Weeks in
    which the network no longer meets are shaded grey, and events (scheduled, and the
    budget cuts of the run's funding history, read from ``budget_cuts``) are drawn as
    labelled vertical lines.

    Args:
        timeseries: One row per week (the ``week`` index), with the reporter columns
            of ``collabsim.metrics.REPORTERS`` (``RunResult.timeseries``).
        title: Title above the panels, e.g. ``"iocn, seed 0"``.
        events: Scheduled events to mark: ``Event`` objects or mappings with ``step``,
            ``kind`` and optionally ``organisation`` (``params.events``). Events after
            the last step are left out.
        path: If given, the figure is also saved there as PNG (atomically), at 120 dpi.

    Returns:
        The figure (12 x 9 inches).

    Raises:
        ValueError: ``timeseries`` lacks a column the figure needs, or is empty.
        ParameterError: An event is not a valid ``Event``.
    """
    missing = [c for c in COLUMNS if c not in timeseries.columns]
    if missing:
        raise ValueError(
            f"timeseries: missing column(s) {', '.join(missing)}; expected the columns of "
            "collabsim.metrics.REPORTERS, indexed by week (RunResult.timeseries)"
        )
    if timeseries.empty:
        raise ValueError("timeseries: no rows to plot")
    frame = timeseries.sort_index()
    events = [Event.from_value(e) for e in events]
    events += drawn_budget_cuts(frame, events)

    weeks = frame.index.to_numpy(dtype=float)
    alive = frame["alive"].to_numpy(dtype=bool)
    first, last = float(weeks[0]), float(weeks[-1])
    never_convened = not alive.any()

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    axes = fig.subplots(3, 2, sharex=True)
    panels = axes.ravel()
    for ax, panel_title in zip(panels, PANEL_TITLES, strict=True):
        ax.set_title(panel_title, fontsize=TITLE_SIZE, fontweight="bold", loc="left")
        ax.tick_params(labelsize=TICK_SIZE)
        ax.grid(True, axis="y", color="0.9", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

    _attendance(panels[0], frame, weeks, alive, never_convened)
    _trust(panels[1], frame, weeks)
    _purpose(panels[2], frame, weeks)
    _commitment(panels[3], frame, weeks)
    _quality(panels[4], frame, weeks)
    _changes(panels[5], frame, weeks)

    for line in (line for ax in panels for line in ax.get_lines()):
        if len(line.get_xdata()) == 1:  # a run of no weeks: show the starting values
            line.set_marker("o")
    _shade_dissolved(panels, weeks, alive, never_convened)
    _mark_events(panels, events, first, last)
    _weeks_axis(axes, first, last)
    if title:
        fig.suptitle(title, fontsize=TITLE_SIZE + 2, fontweight="bold")

    if path is not None:
        save_png(fig, path)
    return fig


def save_png(fig: Figure, path: str | Path, *, dpi: int = DPI) -> Path:
    """Save a figure as PNG, atomically (readers never see a half-written image).

    Args:
        fig: The figure.
        path: Where to write the PNG.
        dpi: Resolution (dots per inch).

    Returns:
        ``path`` as a ``Path``.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return write_atomically(path, lambda handle: handle.write(buffer.getvalue()))


# --- the panels ------------------------------------------------------------------------


def _legend(ax) -> None:
    ax.legend(fontsize=NOTE_SIZE, frameon=False, loc="best")


def _attendance(ax, frame, weeks, alive, never_convened) -> None:
    # Recorded at meetings and carried forward: a step line. No meetings once dissolved.
    percent = frame["attendance_rate"].to_numpy(dtype=float) * 100.0
    percent = np.where(alive, percent, np.nan)
    ax.plot(weeks, percent, drawstyle="steps-post", color=OKABE_ITO["blue"], linewidth=2.2)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of members at\nthe latest meeting", fontsize=LABEL_SIZE)
    if np.isnan(percent).all() and not never_convened:
        ax.text(
            0.5,
            0.5,
            "no network meetings",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=LABEL_SIZE,
            color="0.3",
        )


def _trust(ax, frame, weeks) -> None:
    lines = (
        ("trust_cross_org", "between organisations", OKABE_ITO["blue"], "-"),
        ("trust_health_social", "across health and social care", OKABE_ITO["orange"], "--"),
        ("trust_tops_bottoms", "senior leaders and frontline", OKABE_ITO["bluish_green"], ":"),
    )
    for column, label, colour, style in lines:
        ax.plot(
            weeks,
            frame[column].to_numpy(dtype=float),
            color=colour,
            linestyle=style,
            linewidth=2.2,
            label=label,
        )
    ax.set_ylim(0, 1)
    ax.set_ylabel("trust\n(0 none, 1 full)", fontsize=LABEL_SIZE)
    _legend(ax)


def _purpose(ax, frame, weeks) -> None:
    spread = frame["narrative_spread"].to_numpy(dtype=float)
    ax.plot(weeks, spread, color=OKABE_ITO["vermillion"], linewidth=2.2)
    top = np.nanmax(spread) if np.isfinite(spread).any() else 0.0
    ax.set_ylim(0, max(0.05, 1.15 * top))
    ax.set_ylabel("spread of views\non purpose", fontsize=LABEL_SIZE)
    ax.text(
        0.99,
        0.95,
        "lower = more shared",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=NOTE_SIZE,
        style="italic",
        color="0.25",
    )


def _commitment(ax, frame, weeks) -> None:
    ax.plot(
        weeks,
        frame["commitment_mean"].to_numpy(dtype=float),
        color=OKABE_ITO["blue"],
        linewidth=2.2,
        label="all members",
    )
    ax.plot(
        weeks,
        frame["commitment_tops"].to_numpy(dtype=float),
        color=OKABE_ITO["orange"],
        linestyle="--",
        linewidth=2.2,
        label="senior leaders",
    )
    ax.set_ylim(0, 1)
    ax.set_ylabel("commitment\n(0 none, 1 full)", fontsize=LABEL_SIZE)
    _legend(ax)


def _quality(ax, frame, weeks) -> None:
    quality = frame["quality"].to_numpy(dtype=float)
    ax.axhline(1.0, color="0.4", linestyle="--", linewidth=1.2)
    ax.plot(weeks, quality, color=OKABE_ITO["bluish_green"], linewidth=2.2)
    ax.set_ylabel("quality\n(1 = where it started)", fontsize=LABEL_SIZE)
    if np.isfinite(quality).any():
        low, high = np.nanmin(quality), np.nanmax(quality)
        margin = max(0.02, 0.1 * (max(high, 1.0) - min(low, 1.0)))
        ax.set_ylim(min(low, 1.0) - margin, max(high, 1.0) + margin)


def _changes(ax, frame, weeks) -> None:
    ax.plot(
        weeks,
        frame["changes_adopted"].to_numpy(dtype=float),
        color=OKABE_ITO["bluish_green"],
        linewidth=2.2,
        label="adopted",
    )
    ax.plot(
        weeks,
        frame["changes_blocked"].to_numpy(dtype=float),
        color=OKABE_ITO["vermillion"],
        linestyle="--",
        linewidth=2.2,
        label="blocked by senior leaders",
    )
    most = np.nanmax(frame[["changes_adopted", "changes_blocked"]].to_numpy(dtype=float))
    ax.set_ylim(0, max(5.0, 1.05 * most) if np.isfinite(most) else 5.0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("changes so far\n(running total)", fontsize=LABEL_SIZE)
    _legend(ax)


# --- shared marks ----------------------------------------------------------------------


def _spans(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _shade_dissolved(panels, weeks, alive, never_convened) -> None:
    """Grey over the weeks when the network was not meeting; labelled once."""
    spans = _spans(~alive)
    if not spans:
        return
    first, last = weeks[0], max(weeks[-1], weeks[0] + 1)  # the x-axis limits
    for ax in panels:
        for a, b in spans:
            ax.axvspan(
                max(first, weeks[a] - 0.5),
                min(last, weeks[b] + 0.5),
                color=DISSOLVED_COLOUR,
                zorder=0,
                linewidth=0,
            )
    ax = panels[0]
    if never_convened:
        ax.text(
            0.5,
            0.1,
            "no network convened",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=LABEL_SIZE,
            color="0.3",
        )
        return
    label = "network dissolved"
    a, b = spans[0]
    start, end = max(first, weeks[a] - 0.5), min(last, weeks[b] + 0.5)
    if (end - start) >= 0.3 * (last - first):
        ax.text(
            (start + end) / 2,
            0.1,
            label,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="center",
            fontsize=LABEL_SIZE,
            color="0.3",
        )
    else:  # a narrow span at the end: label it from the left
        ax.text(
            start,
            0.1,
            label + " ",
            transform=ax.get_xaxis_transform(),
            ha="right",
            va="center",
            fontsize=LABEL_SIZE,
            color="0.3",
        )


def _mark_events(panels, events: list[Event], first: float, last: float) -> None:
    """Vertical lines at events in every panel; their names on the top two panels.

    Names read bottom to top just left of their line (right of it where there is no room
    on the left).
    Events too close together to label apart share one label, each name with its week.
    """
    by_week: dict[int, list[str]] = {}
    for event in events:
        if first <= event.step <= last:
            by_week.setdefault(event.step, []).append(event_label(event))
    if not by_week:
        return
    span = max(last - first, 1.0)

    def wrapped(names: list[str]) -> list[str]:
        return [
            line
            for name in dict.fromkeys(names)
            for line in textwrap.wrap(name, EVENT_LABEL_WIDTH, break_on_hyphens=False)
        ]

    clusters: list[tuple[int, list[tuple[int, list[str]]]]] = []
    for week, names in sorted(by_week.items()):
        room = week - (clusters[-1][0] if clusters else first)
        if clusters and room < len(wrapped(names)) * EVENT_LINE_SHARE * span:
            clusters[-1][1].append((week, names))
        else:
            clusters.append((week, [(week, names)]))

    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for ax in panels:
        for week in by_week:
            ax.axvline(week, color=EVENT_COLOUR, linestyle="-.", linewidth=1.8, zorder=3)
    for week, members in clusters:
        if len(members) == 1:
            lines = wrapped(members[0][1])
        else:
            lines = wrapped([f"week {w}: {name}" for w, names in members for name in names])
        fits_left = (week - first) >= len(lines) * EVENT_LINE_SHARE * span
        anchor = week if fits_left else members[-1][0]
        for ax in panels[:2]:
            ax.text(
                anchor,
                0.97,
                "\n".join(lines),
                transform=ax.get_xaxis_transform(),
                rotation=90,
                ha="right" if fits_left else "left",
                va="top",
                fontsize=NOTE_SIZE,
                color=EVENT_COLOUR,
                zorder=6,
                path_effects=halo,
            )


def _weeks_axis(axes, first: float, last: float) -> None:
    """Weeks along the bottom, with each year marked."""
    span = last - first
    if span >= 2 * WEEKS_PER_YEAR:
        step = WEEKS_PER_YEAR
    elif span >= 26:
        step = 13
    else:
        step = None

    def label(week: float, _position: int) -> str:
        week = int(round(week))
        if week > 0 and week % WEEKS_PER_YEAR == 0:
            years = week // WEEKS_PER_YEAR
            return f"{week}\n({years} year{'s' if years > 1 else ''})"
        return str(week)

    for ax in axes.ravel():
        ax.set_xlim(first, max(last, first + 1))
        if step is not None:
            ax.xaxis.set_major_locator(MultipleLocator(step))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(label))
        for year in range(WEEKS_PER_YEAR, int(last) + 1, WEEKS_PER_YEAR):
            if year > first:
                ax.axvline(year, color="0.75", linewidth=0.8, zorder=0.5)
    for ax in axes[-1]:
        ax.set_xlabel("weeks since the start", fontsize=LABEL_SIZE)
