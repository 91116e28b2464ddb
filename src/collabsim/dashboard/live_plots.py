"""Live plots of the key outputs, drawn as one light SVG that grows week by week.

Six panels, the questions a room asks: who turns up, whether people trust across
organisations, whether a shared sense of purpose forms, whether commitment holds, what
happens to the quality of care pathways, and how many changes are proposed, blocked and
adopted. Weeks after the network dissolved are shaded grey; what-if events are marked
with a vertical line. In side-by-side mode the second scenario is drawn dashed on the
same axes, so the difference a lever makes is read straight off each panel.

Drawing polylines into an SVG string costs about a millisecond, which is what lets Play
run many weeks a second; the PNG export draws the same data with matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from collabsim.params import Event
from collabsim.plots import EVENT_LABELS, OKABE_ITO


@dataclass(frozen=True)
class Series:
    """One line on a panel: a reporter column, its label and colour."""

    column: str
    label: str
    colour: str


@dataclass(frozen=True)
class Panel:
    """One live plot: its title, lines and vertical range (None: fitted to the data)."""

    title: str
    series: tuple[Series, ...]
    low: float | None = 0.0
    high: float | None = 1.0
    percent: bool = False


BLUE, ORANGE, GREEN = OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"]
RED, PURPLE = OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"]

#: The live plots, left to right, top to bottom.
PANELS: tuple[Panel, ...] = (
    Panel(
        "Who turns up (last meeting)",
        (Series("attendance_rate", "attendance", BLUE),),
        percent=True,
    ),
    Panel(
        "Trust across organisations",
        (
            Series("trust_cross_org", "all organisations", BLUE),
            Series("trust_health_social", "health / social care", ORANGE),
        ),
    ),
    Panel(
        "Views on purpose (spread: lower = shared)",
        (Series("narrative_spread", "spread of views", PURPLE),),
        high=0.35,
    ),
    Panel(
        "Commitment",
        (
            Series("commitment_mean", "everyone", BLUE),
            Series("commitment_tops", "senior leaders", ORANGE),
        ),
    ),
    Panel(
        "Quality of care pathways (start = 1)",
        (Series("quality", "quality", GREEN),),
        low=None,
        high=None,
    ),
    Panel(
        "Changes so far",
        (
            Series("changes_proposed", "proposed", BLUE),
            Series("changes_blocked", "blocked", RED),
            Series("changes_adopted", "adopted", GREEN),
        ),
        high=None,
    ),
)

_W, _H = 330, 190  # one panel in SVG units
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 10, 44, 24
_COLUMNS = 2


@dataclass(frozen=True)
class Trace:
    """What one pane contributes to the plots: its time series and what-ifs."""

    label: str
    frame: pd.DataFrame
    events: tuple[Event, ...] = ()


def _range(panel: Panel, traces: Sequence[Trace]) -> tuple[float, float]:
    values = np.concatenate(
        [t.frame[s.column].to_numpy(dtype=float) for t in traces for s in panel.series]
    )
    values = values[np.isfinite(values)]
    low = panel.low if panel.low is not None else (float(values.min()) if values.size else 0.9)
    high = panel.high if panel.high is not None else (float(values.max()) if values.size else 1.1)
    if panel.low is None:  # quality: keep 1 in view and leave a margin
        low, high = min(low, 0.98), max(high, 1.02)
        pad = 0.08 * (high - low)
        low, high = low - pad, high + pad
    if panel.high is None and panel.low is not None:
        high = max(high * 1.08, 5.0)
    if panel.high is not None and values.size:
        high = max(high, float(values.max()))
    return low, high


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    raw = span / 3
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    if abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def panel_svg(
    panel: Panel, traces: Sequence[Trace], *, horizon: int, x0: float = 0, y0: float = 0
) -> str:
    """One panel, placed at ``(x0, y0)`` in the plots' SVG coordinates."""
    low, high = _range(panel, traces)
    left, top = x0 + _LEFT, y0 + _TOP
    width, height = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    weeks = max(horizon, 1)

    def x(week: float) -> float:
        return left + width * week / weeks

    def y(value: float) -> float:
        return top + height * (1 - (value - low) / (high - low if high > low else 1))

    out = [
        '<g class="cs-panel">',
        f'<text x="{x0 + 6}" y="{y0 + 17}" font-size="17" font-weight="bold">'
        f"{escape(panel.title)}</text>",
    ]
    for tick in _ticks(low, high):
        ty = y(tick)
        out.append(
            f'<line x1="{left}" x2="{left + width}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="#e4e4e4"/><text x="{left - 4}" y="{ty + 4:.1f}" font-size="13" '
            f'text-anchor="end" fill="#555">{_fmt(tick, panel.percent)}</text>'
        )
    years = range(0, weeks + 1, 52) if weeks > 60 else range(0, weeks + 1, 13)
    for week in years:
        label = f"y{week // 52}" if weeks > 60 else f"w{week}"
        out.append(
            f'<text x="{x(week):.1f}" y="{top + height + 16}" font-size="13" '
            f'text-anchor="middle" fill="#555">{label}</text>'
        )
    first = traces[0].frame
    dead = first.index[~first["alive"].to_numpy(dtype=bool)].to_numpy() if len(first) else []
    if len(dead) and bool(first["alive"].iloc[0]):  # shade the weeks after it dissolved
        out.append(
            f'<rect x="{x(dead[0]):.1f}" y="{top}" width="{x(dead[-1]) - x(dead[0]):.1f}" '
            f'height="{height}" fill="#dddddd" opacity="0.6"/>'
        )
    for event in traces[0].events:
        ex = x(event.step)
        out.append(
            f'<line x1="{ex:.1f}" x2="{ex:.1f}" y1="{top}" y2="{top + height}" '
            f'stroke="{PURPLE}" stroke-width="2" stroke-dasharray="4 3">'
            f"<title>{escape(EVENT_LABELS.get(event.kind, event.kind))}</title></line>"
        )
    legend_x = x0 + 6
    for series in panel.series:
        if len(panel.series) > 1:
            out.append(
                f'<rect x="{legend_x}" y="{y0 + 28}" width="12" height="4" '
                f'fill="{series.colour}"/><text x="{legend_x + 15}" y="{y0 + 34}" '
                f'font-size="13.5" fill="#333">{escape(series.label)}</text>'
            )
            legend_x += 24 + 7.2 * len(series.label)
        for pane, trace in enumerate(traces):
            values = trace.frame[series.column].to_numpy(dtype=float)
            points = [f"{x(w):.1f},{y(v):.1f}" for w, v in enumerate(values) if math.isfinite(v)]
            if not points:
                continue
            dash = ' stroke-dasharray="6 4"' if pane else ""
            out.append(
                f'<polyline fill="none" stroke="{series.colour}" stroke-width="2.4"'
                f'{dash} points="{" ".join(points)}"/>'
            )
    out.append(
        f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" '
        f'stroke="#999"/></g>'
    )
    return "".join(out)


def plots_svg(traces: Sequence[Trace], *, horizon: int) -> str:
    """All live plots as one SVG document that scales to its box, marked with its week.

    Args:
        traces: One per pane (the first solid, the second dashed).
        horizon: Weeks the x axes span.
    """
    rows = math.ceil(len(PANELS) / _COLUMNS)
    extra = 22 if len(traces) > 1 else 0
    week = max(int(t.frame.index[-1]) for t in traces)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W * _COLUMNS} '
        f'{_H * rows + extra}" class="cs-plots-svg" data-week="{week}" '
        'font-family="Roboto, Arial, sans-serif">'
    ]
    if len(traces) > 1:
        parts.append(
            f'<g font-size="14"><line x1="8" x2="40" y1="12" y2="12" stroke="#333" '
            f'stroke-width="2.4"/><text x="46" y="17">{escape(traces[0].label)}</text>'
            f'<line x1="330" x2="362" y1="12" y2="12" stroke="#333" stroke-width="2.4" '
            f'stroke-dasharray="6 4"/><text x="368" y="17">{escape(traces[1].label)}'
            f"</text></g>"
        )
    for index, panel in enumerate(PANELS):
        row, col = divmod(index, _COLUMNS)
        parts.append(panel_svg(panel, traces, horizon=horizon, x0=col * _W, y0=extra + row * _H))
    parts.append("</svg>")
    return "".join(parts)
