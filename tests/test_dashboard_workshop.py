"""A browser session's workshop and its lever widgets, in this process: no browser.

As Mesa tests its Solara components, the components are rendered with ``solara.render``
and driven through their widgets. The browser tests keep what needs a browser.
"""

from __future__ import annotations

import gc

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from collabsim.dashboard.app import Page
from collabsim.dashboard.controls import Lever
from collabsim.dashboard.session import LeverChange, Workshop, models_held
from collabsim.params import PARAMETERS, ParameterError, Params


@solara.component
def OneLever(workshop: Workshop, name: str):
    """A lever as the lever panel draws it, and a Reset button as the toolbar's."""
    version = solara.use_reactive(0)

    def changed() -> None:
        version.set(version.value + 1)

    def reset() -> None:
        workshop.reset()
        changed()

    Lever(workshop, "A", name, changed, version.value)
    solara.Button("Reset", on_click=reset)


def render_lever(name: str):
    """The lever ``name`` of a new workshop, rendered: (workshop, render context)."""
    workshop = Workshop()
    _, rc = solara.render(OneLever(workshop, name), handle_error=False)
    return workshop, rc


def html(rc, css_class: str) -> str:
    """The content of the one HTML widget of class ``css_class``."""
    (widget,) = [
        w for w in rc.find(solara.widgets.HTML).widgets if w.attributes.get("class") == css_class
    ]
    return widget.unsafe_innerHTML


def shown(rc) -> tuple[str, str]:
    """The lever's header (value, chosen and in force) and its "when it applies" line."""
    when = rc.find(solara.widgets.HTML, attributes={}).widget  # the one without a class
    return html(rc, "cs-lever-head"), when.unsafe_innerHTML


def test_a_live_lever_changes_the_running_model_from_the_next_week():
    workshop = Workshop()
    workshop.step(3)
    default = Params().results_pressure
    assert workshop.set_lever("A", "results_pressure", 0.5) is True
    pane = workshop.panes["A"]
    assert pane.model.params.results_pressure == 0.5
    assert pane.pending == {}
    assert pane.changes == [LeverChange(3, "results_pressure", 0.5)]
    assert pane.params_at(3).results_pressure == default  # week 3 was simulated before
    assert pane.params_at(4).results_pressure == 0.5


def test_a_lever_that_shapes_the_start_waits_for_reset():
    workshop = Workshop()
    workshop.step(2)
    default = Params().cede_willingness
    assert workshop.set_lever("A", "cede_willingness", 1.0) is False
    assert workshop.panes["A"].model.params.cede_willingness == default
    assert workshop.panes["A"].pending == {"cede_willingness": 1.0}
    workshop.reset()
    assert workshop.week == 0
    assert workshop.panes["A"].model.params.cede_willingness == 1.0
    assert workshop.panes["A"].pending == {}


def test_a_bad_lever_value_is_refused_naming_the_lever():
    workshop = Workshop()
    with pytest.raises(ParameterError, match=r"^cede_willingness=1.5 is not allowed"):
        workshop.set_lever("A", "cede_willingness", 1.5)
    with pytest.raises(ValueError, match="n_people is not a lever"):
        workshop.set_lever("A", "n_people", 100)
    assert workshop.levers("A")["cede_willingness"] == Params().cede_willingness


def test_the_slider_of_a_start_lever_marks_its_value_waiting_until_reset():
    workshop, rc = render_lever("cede_willingness")
    default = Params().cede_willingness
    header, when = shown(rc)
    assert f'data-chosen="{default}"' in header and f'data-in-force="{default}"' in header
    assert "applies at next reset" in when and "cs-waiting" not in when

    rc.find(v.Slider).widget.v_model = 1.0
    header, when = shown(rc)
    assert 'data-chosen="1.0"' in header and f'data-in-force="{default}"' in header
    assert "cs-waiting" in when
    assert f"waits for reset (running with {default:.2f})" in when
    assert workshop.panes["A"].model.params.cede_willingness == default

    rc.find(v.Btn, children=["Reset"]).widget.click()
    header, when = shown(rc)
    assert 'data-chosen="1.0"' in header and 'data-in-force="1.0"' in header
    assert "cs-waiting" not in when and "applies at next reset" in when
    rc.close()


def test_the_slider_of_a_live_lever_changes_the_model_at_once():
    workshop, rc = render_lever("results_pressure")
    workshop.step(1)
    high = PARAMETERS["results_pressure"].high
    rc.find(v.Slider).widget.v_model = high
    header, when = shown(rc)
    assert f'data-chosen="{high}"' in header and f'data-in-force="{high}"' in header
    assert "applies now" in when and "cs-waiting" not in when
    assert workshop.panes["A"].model.params.results_pressure == high
    assert workshop.panes["A"].changes == [LeverChange(1, "results_pressure", high)]
    rc.close()


def test_the_switch_of_a_start_lever_waits_for_reset():
    workshop, rc = render_lever("academic_partner")
    rc.find(v.Switch).widget.v_model = False
    header, when = shown(rc)
    assert 'data-chosen="false"' in header and 'data-in-force="true"' in header
    assert "cs-waiting" in when
    rc.close()


def test_a_closed_workshop_holds_no_model_and_steps_no_more():
    gc.collect()
    before = models_held()
    workshop = Workshop()
    workshop.set_compare(True)  # two panes, two models
    assert models_held() >= before + 2
    workshop.close()
    assert models_held() == before
    assert workshop.step(5) == 0
    assert workshop.finished  # so a Play thread that outlives its session stops


def test_the_page_frees_its_models_when_its_session_ends():
    gc.collect()
    before = models_held()
    _, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Btn, class_="cs-step").widget.click()
    assert 'data-week="1"' in html(rc, "cs-monitors")
    assert models_held() == before + 1
    rc.close()  # what Solara does when it ends a browser session
    assert models_held() == before
