"""Monitors: the state of each run in words, for a room reading a projector."""

from __future__ import annotations

import math
from html import escape

from collabsim.params import LEVERS
from collabsim.reference import format_value

from .session import Pane, Workshop


def status(pane: Pane) -> str:
    """Whether the network is alive, and the week: ``"Network alive, week 37 of 260"``."""
    model = pane.model
    week, horizon = int(model.steps), int(model.params.horizon)
    if not model.params.convened:
        return f"No network convened: organisations work alone, week {week} of {horizon}"
    if model.collapse_step is not None:
        return f"Network dissolved in week {model.collapse_step} (now week {week} of {horizon})"
    ending = ", run finished" if week >= horizon else ""
    return f"Network alive, week {week} of {horizon}{ending}"


def _number(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else "n/a"


def details(pane: Pane) -> list[str]:
    """The current values behind the plots, as short sentences."""
    frame = pane.model.timeseries()
    now, start = frame.iloc[-1], frame.iloc[0]
    people = int(pane.model.params.n_people)
    attendance = now["attendance_rate"]
    came = (
        f"{attendance * 100:.0f}% came to the last meeting"
        if math.isfinite(attendance)
        else "no meeting yet"
    )
    quality = (now["quality"] - 1) * 100
    return [
        f"{int(now['active_members'])} of {people} people taking part; {came}",
        f"Trust across organisations {_number(now['trust_cross_org'])} "
        f"(start {_number(start['trust_cross_org'])}); commitment "
        f"{_number(now['commitment_mean'])}; {int(now['narrative_clusters'])} camp(s) of view",
        f"Changes: {int(now['changes_proposed'])} proposed, {int(now['changes_blocked'])} "
        f"blocked, {int(now['changes_adopted'])} adopted; quality {quality:+.1f}%",
    ]


def pane_label(workshop: Workshop, pane: Pane) -> str:
    """A pane's name with the levers that set it apart from the other pane."""
    if not workshop.compare:
        return workshop.scenario
    other = workshop.panes["B" if pane.name == "A" else "A"]
    differ = [name for name in LEVERS if pane.model.params[name] != other.model.params[name]]
    if not differ:
        return f"{pane.name}: same levers"
    return f"{pane.name}: " + ", ".join(
        f"{name.replace('_', ' ')} {format_value(pane.model.params[name])}" for name in differ
    )


def monitors_html(workshop: Workshop) -> str:
    """The monitors of every pane on screen, as HTML."""
    blocks = []
    for pane in workshop.active_panes:
        alive = pane.model.alive and pane.model.params.convened
        css = "cs-alive" if alive else "cs-dead"
        label = (
            (
                f'<span class="cs-pane-label" title="{escape(pane_label(workshop, pane))}">'
                f"{pane.name}:</span> "
            )
            if workshop.compare
            else ""
        )
        lines = "".join(f"<div>{escape(line)}</div>" for line in details(pane))
        blocks.append(
            f'<div class="cs-monitor" data-pane="{pane.name}" '
            f'data-week="{int(pane.model.steps)}">'
            f'<div class="cs-status {css}">{label}{escape(status(pane))}</div>'
            f'<div class="cs-details">{lines}</div></div>'
        )
    return "".join(blocks)
