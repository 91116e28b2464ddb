"""The workshop dashboard in a real browser: Debian's Chromium against a real server.

What the page shows is checked with Playwright's ``expect``, which retries until the page
shows it: the monitors, the network view, the plots and each lever are separate widgets
whose updates arrive one after another. A value is read only once the page has shown
the update it depends on (``step`` waits until every view shows the week reached). What
needs no browser (how each lever applies, what a closed session holds) is tested in this
process, in ``test_dashboard_workshop.py``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from dashboard_support import (
    PHONE,
    VIEWPORT,
    chromium,
    dashboard_server,
    is_local,
    open_dashboard,
    wait_for_week,
)
from PIL import Image
from playwright.sync_api import expect

from collabsim.params import PARAMETERS, Params
from collabsim.reference import format_value


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with dashboard_server(tmp_path_factory.mktemp("dashboard") / "server.log") as server:
        yield server.url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield context
    context.close()


def step(page, clicks: int = 1, *, to: int, panes: tuple[str, ...] = ("A",)) -> None:
    """Click Step ``clicks`` times, then wait until every view of ``panes`` shows week ``to``.

    Each click waits for its week on the monitors, so a slow machine gets the timeout
    for each week, not for the whole run.
    """
    monitor = page.locator(f'.cs-monitor[data-pane="{panes[0]}"]')
    for shown in range(to - clicks + 1, to + 1):
        page.locator(".cs-step").click()
        expect(monitor).to_have_attribute("data-week", str(shown))
    for pane in panes:
        wait_for_week(page, to, pane)


def plots(page) -> str:
    return page.locator(".cs-plots svg").inner_html()


def details(page, pane: str = "A") -> str:
    return page.locator(f'.cs-monitor[data-pane="{pane}"] .cs-details').inner_text()


def lever(page, name: str, pane: str = "A"):
    """The lever's value as its header shows it (``data-chosen`` and ``data-in-force``)."""
    return page.locator(f'.cs-lever-value[data-lever="{name}"][data-pane="{pane}"]')


def test_the_page_renders_offline_and_no_request_leaves_this_machine(context, url):
    requests: list[str] = []
    page = open_dashboard(context, url, requests)
    # the whole page: 300 people, six plots, the monitors, every lever
    expect(page.locator(".cs-people > *")).to_have_count(Params().n_people)
    expect(page.locator(".cs-plots .cs-panel")).to_have_count(6)
    expect(page.locator(".cs-status")).to_contain_text("Network alive, week 0 of 260")
    levers = [n for n, p in PARAMETERS.items() if p.lever]
    expect(page.locator(".cs-lever")).to_have_count(len(levers))
    expect(page.locator(".cs-help").first).to_have_text(PARAMETERS[levers[0]].plain)
    assert requests, "the browser made no requests at all"
    assert [r for r in requests if not is_local(r)] == []


def test_at_1280x720_the_plots_and_monitors_need_no_scrolling(context, url):
    page = open_dashboard(context, url)
    for selector in (".cs-plots svg", ".cs-status", ".cs-network svg", ".cs-step", ".cs-play"):
        expect(page.locator(selector).first).to_be_in_viewport(ratio=1)


def test_on_an_upright_phone_step_play_reset_and_plots_fit_and_levers_open_in_a_drawer(
    browser, url
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = open_dashboard(context, url)
        for control in (".cs-reset", ".cs-step", ".cs-play"):
            expect(page.locator(control)).to_be_in_viewport(ratio=1)
        expect(page.locator(".cs-sidebar")).to_be_hidden()  # the levers wait in their drawer
        step(page, 2, to=2)  # Step is a target a finger reaches: nothing covers it
        page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth")
        # every organisation's name stands whole inside the network picture
        page.wait_for_function(
            """() => {
              const labels = [...document.querySelectorAll('.cs-org-labels text')];
              return labels.length > 0 && labels.every((label) => {
                const box = label.getBoundingClientRect();
                const frame = label.ownerSVGElement.getBoundingClientRect();
                return box.left >= frame.left && box.right <= frame.right;
              });
            }"""
        )
        plots = page.locator(".cs-plots svg")
        plots.scroll_into_view_if_needed()
        expect(plots).to_be_in_viewport(ratio=1)  # all six panels, as wide as the screen

        page.locator(".cs-levers-toggle").click()
        expect(page.locator(".cs-sidebar")).to_be_in_viewport(ratio=1)
        high = PARAMETERS["results_pressure"].high
        page.locator(".cs-lever-results_pressure [role=slider]").press("End")
        expect(lever(page, "results_pressure")).to_have_attribute(
            "data-in-force", format_value(high)
        )
        page.locator(".cs-levers-close").click()
        expect(page.locator(".cs-sidebar")).to_be_hidden()
        page.locator(".cs-play").click()  # Play and Pause are reachable too
        expect(page.locator(".cs-play")).to_contain_text("Pause")
        page.locator(".cs-play").click()
        expect(page.locator(".cs-play")).to_contain_text("Play")
    finally:
        context.close()


def test_on_a_laptop_the_levers_stay_beside_the_run_controls(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = open_dashboard(context, url)
        for shown in (".cs-reset", ".cs-step", ".cs-play", ".cs-sidebar", ".cs-plots svg"):
            expect(page.locator(shown)).to_be_in_viewport(ratio=1)
        expect(page.locator(".cs-levers-toggle")).to_be_hidden()  # no drawer needed
        box = page.locator(".cs-sidebar").bounding_box()
        assert box["x"] + box["width"] <= page.locator(".cs-step").bounding_box()["x"]
        step(page, to=1)
    finally:
        context.close()


def test_step_advances_the_week_and_changes_the_plots(context, url):
    page = open_dashboard(context, url)
    first = plots(page)
    step(page, 2, to=2)  # week 1 holds the first meeting
    expect(page.locator(".cs-status")).to_contain_text("week 2 of 260")
    assert plots(page) != first
    expect(page.locator(".cs-details")).to_contain_text("came to the last meeting")


@pytest.mark.parametrize("typed", ["-1", "abc"])
def test_a_seed_that_is_not_one_is_named_and_reset_waits_for_a_good_one(context, url, typed):
    page = open_dashboard(context, url)
    step(page, 2, to=2)
    seed = page.locator(".cs-seed input")
    seed.fill(typed)
    expect(page.locator(".cs-seed-problem")).to_have_text(
        f"Seed {typed if typed == '-1' else repr(typed)} is not allowed: "
        "expected a whole number >= 0"
    )
    expect(page.locator(".cs-reset")).to_be_disabled()
    expect(page.locator(".cs-status")).to_contain_text("week 2 of 260")  # the run goes on
    step(page, to=3)
    seed.fill("4")
    expect(page.locator(".cs-seed-problem")).to_have_count(0)
    page.locator(".cs-reset").click()
    expect(page.locator(".cs-status")).to_contain_text("week 0 of 260")
    step(page, to=1)


def test_two_browser_sessions_drive_independent_models(browser, url):
    first = browser.new_context(viewport=VIEWPORT)
    second = browser.new_context(viewport=VIEWPORT)
    try:
        one, two = open_dashboard(first, url), open_dashboard(second, url)
        step(one, 3, to=3)
        step(two, to=1)  # one's steps did not move two's model: its first step is week 1
        step(one, to=4)  # and two's step did not move one's model
    finally:
        first.close()
        second.close()


def test_a_what_if_changes_the_trajectory_relative_to_the_same_seed(browser, url):
    plain_context = browser.new_context(viewport=VIEWPORT)
    what_if_context = browser.new_context(viewport=VIEWPORT)
    try:
        plain, what_if = open_dashboard(plain_context, url), open_dashboard(what_if_context, url)
        step(plain, 3, to=3)
        step(what_if, 3, to=3)
        assert details(plain) == details(what_if)  # same seed, same weeks
        what_if.locator(".cs-whatif-partner_withdraws").click()
        expect(what_if.locator(".cs-whatif-partner_withdraws")).to_be_disabled()
        step(plain, 3, to=6)
        step(what_if, 3, to=6)
        assert details(plain) != details(what_if)
        assert plots(plain) != plots(what_if)
        # the university's people have left the what-if network only
        assert (
            what_if.locator(".cs-people .cs-left").count()
            > plain.locator(".cs-people .cs-left").count()
        )
    finally:
        plain_context.close()
        what_if_context.close()


def test_side_by_side_panes_diverge_when_a_lever_differs(context, url):
    page = open_dashboard(context, url)
    page.locator(".cs-compare label").click()
    wait_for_week(page, 0, "B")  # B's monitors and a second network view
    assert details(page, "A") == details(page, "B")
    page.locator(".cs-editing button", has_text="B").click()
    expect(lever(page, "academic_partner", "B")).to_be_attached()
    page.locator(".cs-lever-academic_partner label").click()
    expect(page.locator(".cs-lever-academic_partner .cs-waiting")).to_have_count(1)
    page.locator(".cs-reset").click()
    expect(page.locator(".cs-plots text", has_text="B: academic partner false")).to_be_visible()
    step(page, 3, to=3, panes=("A", "B"))
    assert details(page, "A") != details(page, "B")
    expect(page.locator(".cs-plots polyline[stroke-dasharray]").first).to_be_attached()


def test_play_runs_the_model_until_paused(context, url):
    page = open_dashboard(context, url)
    page.locator(".cs-play").click()
    expect(page.locator(".cs-step")).to_be_disabled()  # no Step while playing
    page.wait_for_function("() => Number(document.querySelector('.cs-monitor').dataset.week) >= 10")
    page.locator(".cs-play").click()  # pause
    expect(page.locator(".cs-play")).to_contain_text("Play")
    # Step comes back once the player has made the frame Pause interrupted, its last; the
    # monitors may still be on their way with it, so the week it stopped at is read from the
    # model itself, through the CSV download
    expect(page.locator(".cs-step")).to_be_enabled()
    with page.expect_download() as csv_download:
        page.locator(".cs-exports .v-btn", has_text="CSV").click()
    paused = int(pd.read_csv(csv_download.value.path())["exported_at_week"].iloc[0])
    assert paused >= 10
    wait_for_week(page, paused)
    # once paused, the week moves only when Step is pressed, one week at a time
    step(page, 2, to=paused + 2)


def test_downloads_carry_parameters_seed_and_week(context, url):
    page = open_dashboard(context, url)
    step(page, 3, to=3)
    high = PARAMETERS["results_pressure"].high
    page.locator(".cs-lever-results_pressure [role=slider]").press("End")  # a live lever
    expect(lever(page, "results_pressure")).to_have_attribute("data-in-force", format_value(high))
    expect(page.locator(".cs-lever-results_pressure .cs-when")).to_have_text("applies now")
    step(page, 2, to=5)
    with page.expect_download() as csv_download:
        page.locator(".cs-exports .v-btn", has_text="CSV").click()
    assert csv_download.value.suggested_filename == "collabsim_iocn_seed0_week5.csv"
    frame = pd.read_csv(csv_download.value.path())
    assert list(frame["week"]) == [0, 1, 2, 3, 4, 5]
    assert set(frame["seed"]) == {0} and set(frame["scenario"]) == {"iocn"}
    assert set(frame["exported_at_week"]) == {5}
    pressure = Params().results_pressure
    assert list(frame["results_pressure"]) == [pressure] * 4 + [high] * 2  # moved after week 3
    assert set(frame["cede_willingness"]) == {Params().cede_willingness}

    with page.expect_download() as png_download:
        page.locator(".cs-exports .v-btn", has_text="PNG").click()
    image = Image.open(io.BytesIO(Path(png_download.value.path()).read_bytes()))
    assert image.format == "PNG" and image.width >= 1000
    record = json.loads(image.info["Description"])
    assert (record["seed"], record["week"], record["scenario"]) == (0, 5, "iocn")
    assert record["lever_changes"] == [{"week": 3, "name": "results_pressure", "value": high}]
    assert record["parameters"]["cede_willingness"] == Params().cede_willingness
