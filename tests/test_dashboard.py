"""The workshop dashboard in a real browser: Debian's Chromium against a real server."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from dashboard_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    dashboard_server,
    is_local,
    open_dashboard,
    wait_for_week,
    week,
)
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from collabsim.params import PARAMETERS, Params


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with dashboard_server(tmp_path_factory.mktemp("dashboard") / "server.log") as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():  # fail, not skip: these tests are the dashboard's proof
        pytest.fail(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield context
    context.close()


def step(page, times: int = 1) -> None:
    for _ in range(times):
        before = week(page)
        page.locator(".cs-step").click()
        wait_for_week(page, before + 1)


def plots(page) -> str:
    return page.locator(".cs-plots svg").inner_html()


def details(page, pane: str = "A") -> str:
    return page.locator(f'.cs-monitor[data-pane="{pane}"] .cs-details').inner_text()


def wait_for_slider_and_lever_to_agree(page, name: str, above: float) -> float:
    """Wait until the slider and the session's chosen value agree, above ``above``."""
    page.wait_for_function(f"""() => {{
        const slider = document.querySelector('.cs-lever-{name} [role=slider]');
        const shown = document.querySelector('.cs-lever-value[data-lever="{name}"]');
        const value = Number(slider.getAttribute('aria-valuenow'));
        return value > {above} && Number(shown.dataset.chosen) === value;
    }}""")
    return float(lever_value(page, name, "chosen"))


def lever_value(page, name: str, which: str = "in-force") -> str:
    return page.locator(f'.cs-lever-value[data-lever="{name}"]').get_attribute(f"data-{which}")


def test_the_page_renders_offline_and_no_request_leaves_this_machine(context, url):
    requests: list[str] = []
    page = open_dashboard(context, url, requests)
    # the whole page: 300 people, six plots, the monitors, every lever
    assert page.locator(".cs-people > *").count() == Params().n_people
    assert page.locator(".cs-plots .cs-panel").count() == 6
    assert "Network alive, week 0 of 260" in page.locator(".cs-status").inner_text()
    levers = [n for n, p in PARAMETERS.items() if p.lever]
    assert page.locator(".cs-lever").count() == len(levers)
    assert page.locator(".cs-help").first.inner_text() == PARAMETERS[levers[0]].plain
    assert requests, "the browser made no requests at all"
    assert [r for r in requests if not is_local(r)] == []


def test_at_1280x720_the_plots_and_monitors_need_no_scrolling(context, url):
    page = open_dashboard(context, url)
    for selector in (".cs-plots svg", ".cs-status", ".cs-network svg", ".cs-step", ".cs-play"):
        box = page.locator(selector).first.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"] + 1, selector
        assert box["x"] + box["width"] <= VIEWPORT["width"] + 1, selector


def test_step_advances_the_week_and_changes_the_plots(context, url):
    page = open_dashboard(context, url)
    first = plots(page)
    step(page, 2)  # week 1 holds the first meeting
    assert week(page) == 2
    assert "week 2 of 260" in page.locator(".cs-status").inner_text()
    assert plots(page) != first
    assert "came to the last meeting" in details(page)


def test_a_live_lever_slider_changes_the_running_model(context, url):
    page = open_dashboard(context, url)
    step(page)
    default = Params().results_pressure
    assert float(lever_value(page, "results_pressure")) == default
    slider = page.locator(".cs-lever-results_pressure [role=slider]")
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    moved = wait_for_slider_and_lever_to_agree(page, "results_pressure", default)
    page.wait_for_function(
        f"""() => Number(document.querySelector('.cs-lever-value[data-lever="results_pressure"]')
            .dataset.inForce) === {moved}""")
    assert "applies now" in page.locator(".cs-lever-results_pressure .cs-when").inner_text()


def test_a_lever_that_shapes_the_start_waits_for_reset(context, url):
    page = open_dashboard(context, url)
    default = Params().cede_willingness
    slider = page.locator(".cs-lever-cede_willingness [role=slider]")
    slider.focus()
    for _ in range(20):
        slider.press("ArrowRight")
    chosen = wait_for_slider_and_lever_to_agree(page, "cede_willingness", default)
    page.locator(".cs-lever-cede_willingness .cs-waiting").wait_for()
    assert float(lever_value(page, "cede_willingness")) == default
    page.locator(".cs-reset").click()
    page.wait_for_function(
        f"""() => Number(document.querySelector('.cs-lever-value[data-lever="cede_willingness"]')
            .dataset.inForce) === {chosen}""")
    assert page.locator(".cs-lever-cede_willingness .cs-waiting").count() == 0


def test_two_browser_sessions_drive_independent_models(browser, url):
    first = browser.new_context(viewport=VIEWPORT)
    second = browser.new_context(viewport=VIEWPORT)
    try:
        one, two = open_dashboard(first, url), open_dashboard(second, url)
        step(one, 3)
        assert week(two) == 0
        step(two)  # waits until two shows week 1
        # one's next step lands on exactly week 4: two's step did not move one's model
        step(one)
        expect(two.locator('.cs-monitor[data-pane="A"]')).to_have_attribute("data-week", "1")
        assert week(one) == 4
    finally:
        first.close()
        second.close()


def test_a_what_if_changes_the_trajectory_relative_to_the_same_seed(browser, url):
    plain_context = browser.new_context(viewport=VIEWPORT)
    what_if_context = browser.new_context(viewport=VIEWPORT)
    try:
        plain, what_if = open_dashboard(plain_context, url), open_dashboard(what_if_context, url)
        step(plain, 6)
        step(what_if, 6)
        assert details(plain) == details(what_if)  # same seed, same weeks
        what_if.locator(".cs-whatif-partner_withdraws").click()
        what_if.locator(".cs-whatif-partner_withdraws").and_(
            what_if.locator("[disabled]")).wait_for()
        step(plain, 12)
        step(what_if, 12)
        assert details(plain) != details(what_if)
        assert plots(plain) != plots(what_if)
        # the university's people have left the what-if network only
        assert what_if.locator(".cs-people .cs-left").count() > \
            plain.locator(".cs-people .cs-left").count()
    finally:
        plain_context.close()
        what_if_context.close()


def test_side_by_side_panes_diverge_when_a_lever_differs(context, url):
    page = open_dashboard(context, url)
    page.locator(".cs-compare label").click()
    page.locator('.cs-monitor[data-pane="B"]').wait_for()
    page.locator(".cs-network-1 svg").wait_for()  # a second network view
    assert details(page, "A") == details(page, "B")
    page.locator(".cs-editing button", has_text="B").click()
    page.locator('.cs-lever-value[data-lever="academic_partner"][data-pane="B"]').wait_for()
    page.locator(".cs-lever-academic_partner label").click()
    page.locator(".cs-lever-academic_partner .cs-waiting").wait_for()
    page.locator(".cs-reset").click()
    page.locator(".cs-plots text", has_text="B: academic partner false").wait_for()
    for _ in range(15):
        page.locator(".cs-step").click()
    wait_for_week(page, 15, "A")
    wait_for_week(page, 15, "B")
    assert details(page, "A") != details(page, "B")
    assert page.locator(".cs-plots polyline[stroke-dasharray]").count() > 0  # B is drawn


def test_play_runs_the_model_until_paused(context, url):
    page = open_dashboard(context, url)
    page.locator(".cs-play").click()
    page.wait_for_function(
        "() => Number(document.querySelector('.cs-monitor').dataset.week) >= 10")
    page.locator(".cs-play").click()  # pause
    expect(page.locator(".cs-play")).to_contain_text("Play")
    expect(page.locator(".cs-step")).to_be_enabled()  # Step is disabled while playing
    # once paused, the week moves only when Step is pressed, one week at a time
    before = week(page)
    page.locator(".cs-step").click()  # past any week the player was making as Pause came
    page.wait_for_function(
        f"() => Number(document.querySelector('.cs-monitor').dataset.week) > {before}")
    paused = week(page)
    step(page, 2)
    expect(page.locator('.cs-monitor[data-pane="A"]')).to_have_attribute(
        "data-week", str(paused + 2))


def test_downloads_carry_parameters_seed_and_week(context, url):
    page = open_dashboard(context, url)
    step(page, 3)
    slider = page.locator(".cs-lever-results_pressure [role=slider]")
    slider.focus()
    slider.press("End")
    page.wait_for_function(
        """() => Number(document.querySelector('.cs-lever-value[data-lever="results_pressure"]')
            .dataset.inForce) === 0.5""")
    step(page, 2)
    with page.expect_download() as csv_download:
        page.locator(".cs-exports .v-btn", has_text="CSV").click()
    assert csv_download.value.suggested_filename == "collabsim_iocn_seed0_week5.csv"
    frame = pd.read_csv(csv_download.value.path())
    assert list(frame["week"]) == [0, 1, 2, 3, 4, 5]
    assert set(frame["seed"]) == {0} and set(frame["scenario"]) == {"iocn"}
    assert set(frame["exported_at_week"]) == {5}
    pressure = Params().results_pressure
    assert list(frame["results_pressure"]) == [pressure] * 4 + [0.5] * 2  # moved after week 3
    assert set(frame["cede_willingness"]) == {Params().cede_willingness}

    with page.expect_download() as png_download:
        page.locator(".cs-exports .v-btn", has_text="PNG").click()
    image = Image.open(io.BytesIO(Path(png_download.value.path()).read_bytes()))
    assert image.format == "PNG" and image.width >= 1000
    record = json.loads(image.info["Description"])
    assert (record["seed"], record["week"], record["scenario"]) == (0, 5, "iocn")
    assert record["lever_changes"] == [{"week": 3, "name": "results_pressure", "value": 0.5}]
    assert record["parameters"]["cede_willingness"] == Params().cede_willingness
