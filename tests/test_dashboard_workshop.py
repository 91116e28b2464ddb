"""A browser session's workshop and its lever widgets, in this process: no browser.

As Mesa tests its Solara components, the components are rendered with ``solara.render``
and driven through their widgets. The browser tests keep what needs a browser.
"""

from __future__ import annotations

import gc
import re

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from collabsim.dashboard.app import Page
from collabsim.dashboard.controls import Lever
from collabsim.dashboard.session import LeverChange, Workshop, models_held
from collabsim.model import CollaborationModel
from collabsim.params import PARAMETERS, ParameterError, Params
from collabsim.scenarios import scenario


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


def frames_equal(one, other) -> bool:
    """Whether two runs' time series are the same, week by week."""
    return one.timeseries().equals(other.timeseries())


def test_side_by_side_keeps_a_run_and_starts_b_as_its_copy():
    workshop = Workshop()
    workshop.step(4)
    workshop.set_lever("A", "results_pressure", 0.5)
    workshop.what_if("budget_cut")
    workshop.step(3)
    first = workshop.panes["A"].model
    before = first.timeseries().copy()
    workshop.set_compare(True)
    a, b = workshop.panes["A"], workshop.panes["B"]
    assert a.model is first and first.timeseries().equals(before)  # A's run goes on
    assert b.model.steps == 7 and b.model.timeseries().equals(before)
    assert b.history == a.history and b.levers == a.levers
    workshop.step(20)  # a copy to the last draw: the two runs stay together
    assert frames_equal(a.model, b.model)


def test_a_pane_given_new_starting_levers_runs_again_and_the_other_keeps_its_run():
    workshop = Workshop()
    workshop.set_compare(True)
    workshop.step(3)
    high = PARAMETERS["results_pressure"].high
    workshop.set_lever("B", "results_pressure", high)  # B's own move, kept in its new run
    workshop.what_if("budget_cut")  # both panes, dated to week 4
    workshop.step(3)
    kept, old_b = workshop.panes["A"].model, workshop.panes["B"].model
    before = kept.timeseries().copy()
    assert workshop.set_lever("B", "cede_willingness", 0.1) is False  # waits for Reset
    workshop.reset(seed=workshop.seed)  # as the toolbar's Reset asks, with the seed shown
    a, b = workshop.panes["A"], workshop.panes["B"]
    assert a.model is kept and kept.timeseries().equals(before)
    assert b.model is not old_b and b.model.steps == 6 and b.pending == {}
    assert b.model.params.cede_willingness == 0.1 and b.model.params.results_pressure == high
    assert b.changes == [LeverChange(3, "results_pressure", high)]
    assert [(e.step, e.kind) for e in b.events] == [(4, "budget_cut")]
    # the run B would have had with that lever from the start, made here from scratch
    params = scenario(workshop.scenario, cede_willingness=0.1)
    params = params.replace(events=(*params.events, *b.events))
    fresh = CollaborationModel(params, rng=workshop.seed)
    for week in range(6):
        if week == 3:
            fresh.change_levers(results_pressure=high)
        fresh.step()
    assert frames_equal(b.model, fresh) and not frames_equal(b.model, old_b)
    workshop.step(2)
    assert a.model.steps == b.model.steps == 8  # still in lockstep


def test_a_once_only_what_if_goes_to_the_panes_it_can_still_change():
    workshop = Workshop()
    workshop.set_compare(True)
    workshop.set_lever("B", "academic_partner", False)  # waits for Reset
    workshop.reset(seed=workshop.seed)  # B now runs without the partner, A with it
    workshop.step(2)
    a, b = workshop.panes["A"], workshop.panes["B"]
    assert a.model.network.partner_present and not b.model.network.partner_present
    assert "partner_withdraws" not in workshop.spent_what_ifs()  # A still has a partner
    workshop.what_if("partner_withdraws")
    assert [e.kind for e in a.events] == ["partner_withdraws"]
    assert b.events == []  # nothing to withdraw there, and nothing marked as if it had
    workshop.step(1)
    assert not a.model.network.partner_present
    spent = workshop.spent_what_ifs()
    assert "partner_withdraws" in spent  # now no pane can take it
    assert "central_leader_leaves" not in spent  # both panes still have the leader
    workshop.what_if("budget_cut")  # may come again, in both
    assert [e.kind for e in b.events] == ["budget_cut"]


def test_reset_with_nothing_waiting_or_another_seed_starts_both_panes_again():
    workshop = Workshop()
    workshop.set_compare(True)
    workshop.step(3)
    workshop.reset(seed=workshop.seed)
    assert [p.model.steps for p in workshop.active_panes] == [0, 0]
    workshop.step(2)
    workshop.set_lever("B", "cede_willingness", 0.1)
    workshop.reset(seed=workshop.seed + 1)  # a new seed is a new run for both
    assert [p.model.steps for p in workshop.active_panes] == [0, 0]
    assert workshop.panes["B"].model.params.cede_willingness == 0.1


def pane_a(monitors: str) -> str:
    """Pane A's monitor: its week and values (without the label naming how B differs)."""
    return re.sub(r' title="[^"]*"', "", monitors.split('data-pane="B"')[0])


def test_the_side_by_side_switch_and_reset_leave_pane_a_running():
    _, rc = solara.render(Page(), handle_error=False)
    for _ in range(3):
        rc.find(v.Btn, class_="cs-step").widget.click()
    monitors = html(rc, "cs-monitors")
    assert 'data-pane="A" data-week="3"' in monitors
    rc.find(v.Switch, class_="cs-compare").widget.v_model = True
    shown = html(rc, "cs-monitors")
    assert 'data-pane="A" data-week="3"' in shown and 'data-pane="B" data-week="3"' in shown
    a_before = pane_a(shown)
    rc.find(v.BtnToggle, class_="cs-editing").widget.v_model = 1  # edit pane B's levers
    levers = rc.find(v.Html, class_="cs-sidebar")
    heads = [w.unsafe_innerHTML for w in levers.find(solara.widgets.HTML).widgets]
    assert any('data-lever="academic_partner" data-pane="B"' in head for head in heads)
    levers.find(v.Switch).widget.v_model = False  # the one switch among the levers
    rc.find(v.Btn, class_="cs-reset").widget.click()
    shown = html(rc, "cs-monitors")
    assert pane_a(shown) == a_before  # A's run, untouched
    assert 'data-pane="B" data-week="3"' in shown and "B: academic partner false" in shown
    rc.close()
