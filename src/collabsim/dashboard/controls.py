"""Controls: the lever panel, the run controls and the what-if buttons.

Every lever widget is generated from its parameter declaration: the label from its name,
the range, step and unit from its bounds, the help text from its plain-language
description, and whether a change applies now or from the next reset from its ``live``
flag. Nothing here restates a default or a range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import Any

import solara

from collabsim.checks import not_whole_number
from collabsim.params import EVENT_KINDS, LEVERS, PARAMETERS, Parameter
from collabsim.reference import format_value
from collabsim.scenarios import available

from .session import Workshop

#: The what-if events the room can set off, with the buttons' short labels, in order
#: (what each does is ``collabsim.params.EVENT_KINDS``, shown when hovering).
WHAT_IFS: dict[str, str] = {
    "self_interest_act": "Leader acts in self-interest",
    "central_leader_leaves": "Central leader leaves",
    "partner_withdraws": "University withdraws",
    "budget_cut": "Budget cut",
    "resistant_member_leaves": "Resistant member moves on",
}
#: Play speeds offered, in weeks per second.
SPEEDS: tuple[int, ...] = (1, 2, 5, 10, 20, 50)


def lever_label(declaration: Parameter) -> str:
    """A lever's name in words: ``cede_willingness`` -> ``Cede willingness``."""
    return declaration.name.replace("_", " ").capitalize()


def slider_step(declaration: Parameter) -> float:
    """A round step that splits the lever's range into about 50 to 100 positions."""
    if declaration.kind == "int":
        return 1
    span = declaration.high - declaration.low
    return 10 ** math.floor(math.log10(span / 50))


def shown_value(declaration: Parameter, value: Any) -> str:
    """A lever's value as the room reads it, with its unit where it helps."""
    if declaration.kind == "bool":
        return "on" if value else "off"
    if declaration.kind == "float":
        text = f"{value:.2f}"
    else:
        text = format_value(value)
    if declaration.unit and declaration.unit not in ("0-1", "share", "probability"):
        text += f" {declaration.unit}"
    return text


@solara.component
def Lever(workshop: Workshop, pane: str, name: str, on_change: Callable[[], None], version: int):
    """One lever: its label and value, the widget, when it applies, and help text.

    ``version`` changes whenever levers or runs change, so the lever is redrawn.
    """
    declaration = PARAMETERS[name]
    chosen = workshop.levers(pane)[name]
    in_force = workshop.panes[pane].model.params[name]
    waiting = chosen != in_force

    def set_value(value: Any) -> None:
        workshop.set_lever(pane, name, value)
        on_change()

    when = "applies now" if declaration.live else "applies at next reset"
    if waiting:
        when = f"waits for reset (running with {shown_value(declaration, in_force)})"
    tooltip = f"{declaration.meaning} Allowed: {declaration.allowed()}."
    header = (
        f'<span class="cs-lever-name" title="{escape(tooltip)}">'
        f"{escape(lever_label(declaration))}</span>"
        f'<span class="cs-lever-value" data-lever="{name}" data-pane="{pane}" '
        f'data-in-force="{escape(format_value(in_force))}" '
        f'data-chosen="{escape(format_value(chosen))}">'
        f"{escape(shown_value(declaration, chosen))}</span>"
    )
    with solara.Column(gap="0px", classes=["cs-lever", f"cs-lever-{name}"]):
        solara.HTML(unsafe_innerHTML=header, classes=["cs-lever-head"])
        if declaration.kind == "float":
            solara.SliderFloat(
                "",
                value=chosen,
                min=declaration.low,
                max=declaration.high,
                step=slider_step(declaration),
                on_value=set_value,
                thumb_label=False,
            )
        elif declaration.kind == "int":
            solara.SliderInt(
                "",
                value=chosen,
                min=int(declaration.low),
                max=int(declaration.high),
                on_value=set_value,
                thumb_label=False,
            )
        elif declaration.kind == "bool":
            solara.Switch(label="on" if chosen else "off", value=chosen, on_value=set_value)
        else:
            solara.ToggleButtonsSingle(
                value=chosen, values=list(declaration.choices), on_value=set_value, dense=True
            )
        css = "cs-when-live" if declaration.live else "cs-when-reset"
        solara.HTML(
            unsafe_innerHTML=(
                f'<div class="cs-when {css}{" cs-waiting" if waiting else ""}">{escape(when)}</div>'
                f'<div class="cs-help">{escape(declaration.plain)}</div>'
            )
        )


@solara.component
def LeverPanel(workshop: Workshop, config: solara.Reactive[int], editing: solara.Reactive[str]):
    """The levers of the pane being edited, in declaration order."""
    version = config.value  # redrawn when a lever, the scenario or the mode changes

    def changed() -> None:
        config.set(config.value + 1)

    with solara.Column(gap="6px", classes=["cs-levers"]):
        solara.HTML(
            unsafe_innerHTML="<b>Levers</b> <span class='cs-note'>pull them and watch "
            "the network; 'applies now' levers change the running model</span>"
        )
        if workshop.compare:
            solara.ToggleButtonsSingle(
                value=editing, values=["A", "B"], dense=True, classes=["cs-editing"]
            )
        pane = editing.value if workshop.compare else "A"
        for name in LEVERS:
            Lever(workshop, pane, name, changed, version).key(f"{pane}-{name}")


@solara.component
def WhatIfButtons(workshop: Workshop, tick: solara.Reactive[int], config: solara.Reactive[int]):
    """One button per what-if event, applied to every pane before the next week."""
    _ = config.value

    def fire(kind: str) -> Callable[[], None]:
        def apply() -> None:
            workshop.what_if(kind)
            tick.set(tick.value + 1)
            config.set(config.value + 1)

        return apply

    spent = workshop.spent_what_ifs()
    with solara.Row(gap="4px", classes=["cs-whatifs"]):
        solara.HTML(tag="span", unsafe_innerHTML="<b>What if…</b>", classes=["cs-whatif-title"])
        for kind, label in WHAT_IFS.items():
            with solara.Tooltip(EVENT_KINDS[kind]):
                solara.Button(
                    label,
                    on_click=fire(kind),
                    outlined=True,
                    small=True,
                    disabled=kind in spent,
                    color="secondary",
                    classes=["cs-whatif", f"cs-whatif-{kind}"],
                )


@solara.component
def RunControls(
    workshop: Workshop,
    tick: solara.Reactive[int],
    config: solara.Reactive[int],
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    running: solara.Reactive[bool],
):
    """Scenario, seed, reset, step, play/pause and speed, side by side.

    Step is off while Play is on and until the player has finished its last frame.
    """
    seed = solara.use_reactive(str(workshop.seed))
    seed_problem = _seed_problem(seed.value)

    def reset(scenario_name: str | None = None) -> None:
        if _seed_problem(seed.value) is not None:  # the toolbar says why; nothing restarts
            return
        playing.set(False)
        workshop.reset(scenario_name=scenario_name, seed=int(seed.value))
        tick.set(tick.value + 1)
        config.set(config.value + 1)

    def step() -> None:
        workshop.step(1)
        tick.set(tick.value + 1)

    def compare(on: bool) -> None:
        playing.set(False)
        workshop.set_compare(on)
        tick.set(tick.value + 1)
        config.set(config.value + 1)

    with solara.Row(gap="8px", classes=["cs-toolbar"], style={"align-items": "center"}):
        solara.Select(
            "Scenario (restarts)",
            values=available(),
            value=workshop.scenario,
            on_value=reset,
            dense=True,
            classes=["cs-scenario"],
        )
        solara.InputText(
            "Seed",
            value=seed,
            continuous_update=True,
            error=seed_problem is not None,
            dense=True,
            classes=["cs-seed"],
        )
        solara.Button(
            "Reset",
            icon_name="mdi-restart",
            on_click=lambda: reset(None),
            classes=["cs-reset"],
            outlined=True,
            disabled=seed_problem is not None,
        )
        if seed_problem is not None:
            solara.Text(f"Seed {seed_problem}", classes=["cs-seed-problem"])
        solara.Button(
            "Step",
            icon_name="mdi-skip-next",
            on_click=step,
            classes=["cs-step"],
            color="primary",
            disabled=playing.value or running.value,
        )
        solara.Button(
            "Pause" if playing.value else "Play",
            icon_name="mdi-pause" if playing.value else "mdi-play",
            on_click=lambda: playing.set(not playing.value),
            classes=["cs-play"],
            color="primary",
        )
        solara.Select(
            "Weeks / second", values=list(SPEEDS), value=speed, dense=True, classes=["cs-speed"]
        )
        solara.Switch(
            label="Side by side", value=workshop.compare, on_value=compare, classes=["cs-compare"]
        )


def _seed_problem(text: str) -> str | None:
    """Why the Seed field's text is not a seed (``"-1 is not allowed: ..."``), or None."""
    try:
        value = int((text or "").strip())
    except ValueError:
        value = text  # named as typed
    return not_whole_number(value, 0)
