"""Fixtures of the workshop's browser tests: the real server, Debian's Chromium and a room
of its own for each test.

The real server (``collabsim workshop --port 0``) and one browser per test module; each test
opens a new room as the console's New room does.
"""

from pathlib import Path

import pytest
from dashboard_support import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
from workshop_support import post, workshop_server


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    log = tmp_path_factory.mktemp("workshop") / "server.log"
    with workshop_server(log, "--scenario", "iocn", "--seed", "2") as served:
        yield served, log.parent / "sessions"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():  # fail, not skip: these tests are the workshop's proof
        pytest.fail(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def latest(served):
    """The room the server opened last (its code and facilitator's token)."""
    served, _ = served
    return {"room": served.code, "token": served.token}


@pytest.fixture
def room(served, latest):
    """A new room on the server, dealing a mix of roles, for one test: code, token, console."""
    served, _ = served
    status, fresh = post(served.url, "/api/rooms", latest)
    assert status == 200, fresh
    latest.update(room=fresh["room"], token=fresh["token"])
    mix = {"request_id": f"mix-{fresh['room']}", "action": "deal", "value": {"deal": "mix"}}
    status, answer = post(served.url, "/api/facilitate", {**latest, **mix})  # not as the last
    assert status == 200, answer
    return {**latest, "console": f"{served.url}console?room={latest['room']}#f={latest['token']}"}
