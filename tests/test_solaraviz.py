"""Mesa's own SolaraViz draws the model: docs/solaraviz_app.py in Debian's Chromium.

The page is served the way the dashboard is (``python -m collabsim.dashboard --app``,
port 0, every asset local) and driven through Playwright's retrying ``expect``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dashboard_support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, is_local, start_server
from playwright.sync_api import expect, sync_playwright

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "solaraviz_app.py"
TIMEOUT = 60_000  # ms: the first render builds and lays out the model
#: Seconds the server may take to announce itself on a machine busy with other work.
STARTUP = 600


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    import contextlib
    import os
    import signal
    import subprocess

    log = tmp_path_factory.mktemp("solaraviz") / "server.log"
    process, output = start_server(
        [sys.executable, "-m", "collabsim.dashboard", "--port", "0", "--app", str(EXAMPLE)],
        log, cwd=log.parent, start_new_session=True)
    try:
        yield output.url(timeout=STARTUP)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output.text()


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport=VIEWPORT)
        browser.close()


def test_solaraviz_draws_steps_and_resets_the_model_offline(page, url):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    figures = page.locator("img[src^='blob:']")  # Solara's matplotlib figures
    expect(figures).to_have_count(2, timeout=TIMEOUT)  # the network and the plot
    expect(page.get_by_text("Time: 0.0")).to_be_visible(timeout=TIMEOUT)

    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Time: 1.0")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Time: 2.0")).to_be_visible(timeout=TIMEOUT)

    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_text("Time: 0.0")).to_be_visible(timeout=TIMEOUT)
    expect(figures).to_have_count(2, timeout=TIMEOUT)
    expect(page.get_by_text("error", exact=False)).to_have_count(0)
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Time: 1.0")).to_be_visible(timeout=TIMEOUT)
    assert [r for r in requests if not is_local(r)] == []
