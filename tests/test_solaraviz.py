"""Mesa's own SolaraViz draws the model: docs/solaraviz_app.py in Debian's Chromium.

The page is served the way the dashboard is (``python -m collabsim.dashboard --app``,
port 0, every asset local) and driven through Playwright's retrying ``expect``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    VIEWPORT,
    dashboard_server,
    is_local,
)
from playwright.sync_api import expect, sync_playwright

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "solaraviz_app.py"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    log = tmp_path_factory.mktemp("solaraviz") / "server.log"
    with dashboard_server(log, app=EXAMPLE) as server:
        yield server.url


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(TIMEOUT_MS)  # the first render builds and lays out the model
        yield page
        browser.close()


def test_solaraviz_draws_steps_and_resets_the_model_offline(page, url):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    figures = page.locator("img[src^='blob:']")  # Solara's matplotlib figures
    expect(figures).to_have_count(2)  # the network and the plot
    expect(page.get_by_text("Time: 0.0")).to_be_visible()

    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Time: 1.0")).to_be_visible()
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Time: 2.0")).to_be_visible()

    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_text("Time: 0.0")).to_be_visible()
    expect(figures).to_have_count(2)
    expect(page.get_by_text("error", exact=False)).to_have_count(0)
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Time: 1.0")).to_be_visible()
    assert [r for r in requests if not is_local(r)] == []
