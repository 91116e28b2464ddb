"""The workshop dashboard page, within a 1280 x 720 projector screen.

Levers on the left; run controls, what-ifs, monitors, the network and the live plots on
the right. On a narrow screen (an upright phone) the right-hand side becomes one column
that scrolls down, and the levers open in a drawer over it from a Levers button.

Each browser session gets its own ``Workshop`` (``solara.use_memo`` in ``Page``), so
participants on their own devices each drive their own model. Three counters decide
what is redrawn: ``tick`` (the models moved: network, plots, monitors), ``config`` (a
lever, the scenario or the mode changed: the lever panel and what-if buttons) and
``playing``. Play runs in a thread that steps the models and bumps ``tick`` a few
times a second, stepping several weeks per frame when asked for speed, so drawing never
holds the models back; ``running`` is true while that thread is at work, so Step waits
for the frame a Pause interrupted. When the session ends the page is unmounted and its
``Workshop`` closed, which frees its models.
"""

from __future__ import annotations

import threading
import time

import solara

from collabsim.params.events import drawn_budget_cuts

from .contract import TITLE
from .controls import LeverPanel, RunControls, WhatIfButtons
from .export import file_stem, plots_png, timeseries_csv
from .live_plots import Trace, plots_svg
from .monitors import monitors_html, pane_label
from .network_view import TIE_CHOICES, network_svg
from .session import Pane, Workshop

#: Fastest redraw during Play, in frames per second; higher speeds step several weeks
#: per frame.
MAX_FRAMES_PER_SECOND = 12
#: Most weeks stepped in one frame of Play.
MAX_WEEKS_PER_FRAME = 10

CSS = """
html, body { overflow: hidden; }
.v-application--wrap { min-height: 0 !important; }
.cs-app { display: grid; grid-template-columns: 270px minmax(0, 1fr); height: 100vh;
          font-size: 15px; }
.cs-sidebar { overflow-y: auto; padding: 6px 10px; border-right: 1px solid #ddd;
              background: #fafafa; }
.cs-main { display: flex; flex-direction: column; min-width: 0; padding: 12px 10px 2px 10px;
           overflow: hidden; }
.cs-toolbar { flex-wrap: nowrap; }
.cs-toolbar .v-input { margin-top: 0; padding-top: 0; flex: 0 0 auto; }
.cs-scenario { max-width: 150px; } .cs-seed { max-width: 70px; } .cs-speed { max-width: 115px; }
.cs-lever { padding: 4px 0 6px 0; border-bottom: 1px solid #e6e6e6; }
.cs-lever-head { display: flex; justify-content: space-between; font-size: 15px; }
.cs-lever-name { font-weight: 600; cursor: help; }
.cs-lever-value { font-weight: 700; color: #0b5394; }
.cs-lever .v-input--selection-controls, .cs-lever .v-slider { margin-top: 0 !important; }
.cs-lever .v-messages { display: none; } .cs-lever .v-input__slot { margin-bottom: 0; }
.cs-when { font-size: 12px; } .cs-when-live { color: #1b7a3a; }
.cs-when-reset { color: #8a6100; } .cs-waiting { color: #b3261e; font-weight: 600; }
.cs-help { font-size: 12.5px; color: #444; line-height: 1.25; }
.cs-note { font-size: 12px; color: #555; }
.cs-monitors { display: flex; gap: 18px; margin: 2px 0; }
.cs-monitor { flex: 1; min-width: 0; }
.cs-status { font-size: 18px; font-weight: 700; line-height: 1.25; }
.cs-alive { color: #1b7a3a; } .cs-dead { color: #b3261e; }
.cs-pane-label { color: #333; }
.cs-details { font-size: 13.5px; color: #333; line-height: 1.3; }
.cs-whatifs { align-items: center; flex-wrap: wrap; margin: 2px 0; }
.cs-whatif-title { margin-right: 4px; }
.cs-whatif { text-transform: none !important; letter-spacing: 0 !important;
             font-size: 13.5px !important; }
.cs-row3 { display: flex; gap: 10px; align-items: flex-start; margin-bottom: 8px; }
.cs-views { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.08fr); gap: 8px;
            flex: 1; min-height: 0; }
.cs-networks { display: flex; flex-direction: column; min-height: 0; gap: 2px; }
.cs-network { flex: 1; min-height: 0; display: flex; justify-content: center; }
.cs-network svg, .cs-plots svg { width: 100%; height: 100%; overflow: visible; }
.cs-plots { min-height: 0; display: flex; }
.cs-view-options { display: flex; gap: 8px; align-items: center; flex: 0 0 auto;
                   margin-top: 18px; }
.cs-exports .v-btn { text-transform: none; letter-spacing: 0; height: 30px !important; }
.cs-view-options .v-input { margin-top: 0; padding-top: 0; }
.v-btn.cs-levers-toggle, .v-btn.cs-levers-close { display: none; }
/* an upright phone: one column that scrolls down (run controls, monitors, network, plots),
   the levers in a drawer over it, so nothing needs scrolling sideways */
@media (max-width: 700px) {
  html, body { overflow-x: hidden; overflow-y: auto; }
  .cs-app { display: block; height: auto; }
  .cs-sidebar { display: none; }
  .cs-levers-open .cs-sidebar { display: block; position: fixed; z-index: 20; top: 0; bottom: 0;
                                left: 0; width: min(340px, 88vw); box-shadow: 0 0 18px #0006; }
  .v-btn.cs-levers-toggle, .v-btn.cs-levers-close { display: inline-flex; }
  .v-btn.cs-levers-toggle { align-self: flex-start; margin-bottom: 16px; }
  .v-btn.cs-levers-close { float: right; }
  .cs-main { overflow: visible; padding: 8px 8px 16px 8px; }
  .cs-toolbar { flex-wrap: wrap; row-gap: 6px; }
  .cs-row3 { flex-direction: column; }
  .cs-monitors { flex-direction: column; gap: 6px; }
  .cs-views { display: block; }
  .cs-view-options { margin-top: 8px; }
  .cs-network svg, .cs-plots svg { height: auto; }
}
"""


@solara.component
def Monitors(workshop: Workshop, tick: solara.Reactive[int]):
    """Each run's state in words, redrawn each tick."""
    _ = tick.value
    with workshop.lock:
        monitors = monitors_html(workshop)
    solara.HTML(
        unsafe_innerHTML=monitors, classes=["cs-monitors"], style={"flex": "1", "min-width": "0"}
    )


@solara.component
def Views(
    workshop: Workshop,
    config: solara.Reactive[int],
    tick: solara.Reactive[int],
    ties: solara.Reactive[str],
    focus: solara.Reactive[str],
):
    """The network view(s) and the live plots, redrawn each tick."""
    _ = tick.value
    with workshop.lock:
        panes = workshop.active_panes
        labels = [o for o in panes[0].layout.labels]
        chosen = labels.index(focus.value) if focus.value in labels else None
        networks = [
            network_svg(
                p.model,
                p.layout,
                ties=ties.value,
                focus=chosen,
                title=p.name if workshop.compare else "",
            )
            for p in panes
        ]
        traces = [_trace(workshop, p) for p in panes]
        plots = plots_svg(traces, horizon=workshop.horizon)
    with solara.Div(classes=["cs-views"]):
        with solara.Div(classes=["cs-networks"]):
            ViewOptions(workshop, config, ties, focus)
            for index, svg in enumerate(networks):
                solara.HTML(unsafe_innerHTML=svg, classes=["cs-network", f"cs-network-{index}"])
        solara.HTML(unsafe_innerHTML=plots, classes=["cs-plots"])


@solara.component
def ViewOptions(
    workshop: Workshop,
    config: solara.Reactive[int],
    ties: solara.Reactive[str],
    focus: solara.Reactive[str],
):
    """Which ties to draw and which organisation to pick out."""
    _ = config.value
    everyone = "all organisations"
    labels = [everyone, *workshop.panes["A"].layout.labels]
    with solara.Row(classes=["cs-view-options"]):
        solara.Select(
            "Ties",
            values=list(TIE_CHOICES),
            value=ties,
            dense=True,
            classes=["cs-ties"],
            style={"max-width": "140px"},
        )
        solara.Select(
            "Pick out",
            values=labels,
            value=focus.value if focus.value in labels else everyone,
            on_value=focus.set,
            dense=True,
            classes=["cs-focus"],
            style={"max-width": "220px"},
        )


@solara.component
def Downloads(workshop: Workshop, config: solara.Reactive[int], tick: solara.Reactive[int]):
    """CSV of the time series and PNG of the plots, made when clicked.

    Redrawn each tick, since the file names carry the week.
    """
    _ = config.value, tick.value
    with solara.Column(gap="2px", classes=["cs-exports"]):
        solara.FileDownload(
            lambda: timeseries_csv(workshop),
            filename=f"{file_stem(workshop)}.csv",
            label="Data (CSV)",
            mime_type="text/csv",
        )
        for pane in workshop.active_panes:
            # by name, not the Pane: a kept callback must not keep a closed session's model
            solara.FileDownload(
                lambda name=pane.name: plots_png(workshop, workshop.panes[name]),
                filename=f"{file_stem(workshop, pane.name)}.png",
                label=f"Plots {pane.name} (PNG)" if workshop.compare else "Plots (PNG)",
                mime_type="image/png",
            )


@solara.component
def Player(
    workshop: Workshop,
    tick: solara.Reactive[int],
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    running: solara.Reactive[bool],
):
    """Steps the models while Play is on, at the chosen speed, in a background thread.

    ``running`` is set while the thread works: after Pause it ends the frame it was
    making, and only then does ``running`` go false.
    """

    def play(cancel: threading.Event) -> None:
        if not playing.value:
            return
        running.set(True)
        try:
            frames(cancel)
        finally:
            running.set(False)

    def frames(cancel: threading.Event) -> None:
        owed = 0.0
        last = time.perf_counter()
        while not cancel.is_set():
            frame_start = time.perf_counter()
            owed += (frame_start - last) * speed.value
            last = frame_start
            weeks = min(int(owed), MAX_WEEKS_PER_FRAME)
            if weeks:
                owed -= weeks
                workshop.step(weeks)
                tick.set(tick.value + 1)
                if workshop.finished:
                    playing.set(False)
                    return
            owed = min(owed, float(MAX_WEEKS_PER_FRAME))  # a slow frame is not made up later
            wait = max(1 / MAX_FRAMES_PER_SECOND, 1 / speed.value) - (
                time.perf_counter() - frame_start
            )
            cancel.wait(max(0.0, wait))

    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)


@solara.component
def DrawerButton(levers_open: solara.Reactive[bool], opens: bool):
    """The button that opens the drawer of levers, or closes it; shown on narrow screens."""
    solara.Button(
        "Levers" if opens else "Close levers",
        icon_name="mdi-tune" if opens else "mdi-close",
        on_click=lambda: levers_open.set(opens),
        outlined=opens,
        small=not opens,
        classes=["cs-levers-toggle" if opens else "cs-levers-close"],
    )


@solara.component
def Page():
    """The dashboard: one ``Workshop`` per browser session."""
    workshop = solara.use_memo(Workshop, [])
    tick = solara.use_reactive(0)
    config = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    running = solara.use_reactive(False)
    speed = solara.use_reactive(10)
    editing = solara.use_reactive("A")
    ties = solara.use_reactive("both")
    focus = solara.use_reactive("all organisations")
    levers_open = solara.use_reactive(False)  # the drawer of levers on a narrow screen
    solara.use_effect(lambda: workshop.close, [])  # closed when the session ends

    solara.Style(CSS)
    solara.Title(TITLE)
    with solara.Div(classes=["cs-app", "cs-levers-open" if levers_open.value else ""]):
        with solara.Div(classes=["cs-sidebar"]):
            DrawerButton(levers_open, opens=False)
            LeverPanel(workshop, config, editing)
        with solara.Div(classes=["cs-main"]):
            DrawerButton(levers_open, opens=True)
            RunControls(workshop, tick, config, playing, speed, running)
            WhatIfButtons(workshop, tick, config)
            with solara.Div(classes=["cs-row3"]):
                Monitors(workshop, tick)
                Downloads(workshop, config, tick)
            Views(workshop, config, tick, ties, focus)
    Player(workshop, tick, playing, speed, running)


@solara.component
def Layout(children=()):
    """The whole window for the page: no app bar, no margins."""
    with solara.Column(gap="0px", style={"padding": "0", "margin": "0"}) as main:
        for child in children:
            solara.display(child)
    return main


def _trace(workshop: Workshop, pane: Pane) -> Trace:
    """A pane's time series with its what-ifs and the budget cuts of its funding history."""
    frame = pane.model.timeseries()
    cuts = drawn_budget_cuts(frame, (*pane.initial.events, *pane.events))
    return Trace(pane_label(workshop, pane), frame, (*pane.events, *cuts))
