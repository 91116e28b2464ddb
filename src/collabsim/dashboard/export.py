"""Downloads: the time series as CSV and the plots as PNG, each with its provenance.

Both say which scenario, parameters, seed and week they came from, so a figure pasted
into a slide or a table opened after the workshop can be traced back and re-run:

- the CSV is a tidy table, one row per pane and week, with the reporters, the what-if
  events that first act that week (one set off after week k acts in week k + 1), and a
  column for every parameter holding the value in force that week (levers moved mid-run
  change from the week after they were moved);
- the PNG is the same six panels as ``collabsim.plots.plot_dynamics``, with the seed,
  week and every lever value written under the panels and the full parameter set in
  the PNG's text metadata.
"""

from __future__ import annotations

import io
import json
import textwrap

import pandas as pd

from collabsim import __version__
from collabsim.params import LEVERS, PARAMETERS
from collabsim.plots import plot_dynamics
from collabsim.reference import format_value

from .session import Pane, Workshop


def _plain(value) -> object:
    """A parameter value as one CSV cell."""
    if isinstance(value, tuple):
        return format_value(value) if value else ""
    return value


def pane_frame(workshop: Workshop, pane: Pane) -> pd.DataFrame:
    """One pane's time series with its provenance columns."""
    frame = pane.model.timeseries().reset_index()
    weeks = frame["week"].to_numpy()
    frame.insert(0, "seed", workshop.seed)
    frame.insert(0, "scenario", workshop.scenario)
    frame.insert(0, "pane", pane.name)
    what_if = {}
    for event in pane.events:
        what_if.setdefault(event.step, []).append(event.kind)
    frame["what_if"] = [" ".join(what_if.get(int(w), [])) for w in weeks]
    frame["exported_at_week"] = workshop.week
    columns = {name: [_plain(pane.initial[name])] * len(frame) for name in PARAMETERS}
    frame = pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)
    for change in pane.changes:  # in force from the week after it was made
        frame.loc[weeks > change.week, change.name] = _plain(change.value)
    return frame


def timeseries_csv(workshop: Workshop) -> str:
    """The time series of every pane on screen, as CSV text."""
    with workshop.lock:
        frames = [pane_frame(workshop, pane) for pane in workshop.active_panes]
    return pd.concat(frames, ignore_index=True).to_csv(index=False)


def provenance(workshop: Workshop, pane: Pane) -> dict:
    """Where a pane's figures come from: scenario, seed, week, parameters, what-ifs."""
    return {
        "collabsim": __version__,
        "scenario": workshop.scenario,
        "pane": pane.name,
        "seed": workshop.seed,
        "week": workshop.week,
        "parameters": pane.initial.to_dict(),
        "lever_changes": [{"week": c.week, "name": c.name, "value": c.value} for c in pane.changes],
        "what_if_events": [e.to_dict() for e in pane.events],
    }


def plots_png(workshop: Workshop, pane: Pane) -> bytes:
    """The pane's plots as a PNG with the parameters, seed and week written on it."""
    with workshop.lock:
        frame = pane.model.timeseries()
        record = provenance(workshop, pane)
        events = (*pane.initial.events, *pane.events)
        levers = pane.model.params
    side = f" (side-by-side pane {pane.name})" if workshop.compare else ""
    title = f"{workshop.scenario}{side}, seed {workshop.seed}, week {workshop.week}"
    fig = plot_dynamics(frame, title=title, events=events)
    values = ", ".join(f"{name}={format_value(levers[name])}" for name in LEVERS)
    moved = "; ".join(f"week {c.week}: {c.name}={format_value(c.value)}" for c in pane.changes)
    note = f"Levers now: {values}." + (f" Moved during the run: {moved}." if moved else "")
    fig.text(
        0.01, 0.002, "\n".join(textwrap.wrap(note, 170)), fontsize=9, va="bottom", color="0.25"
    )
    fig.get_layout_engine().set(rect=(0, 0.045, 1, 0.955))  # room for the note
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=100,
        metadata={
            "Title": title,
            "Software": f"collabsim {__version__}",
            "Description": json.dumps(record),
        },
    )
    return buffer.getvalue()


def file_stem(workshop: Workshop, pane: str | None = None) -> str:
    """Name for downloaded files: scenario, seed, week (and pane)."""
    stem = f"collabsim_{workshop.scenario}_seed{workshop.seed}_week{workshop.week}"
    return stem + (f"_{pane}" if pane else "")
