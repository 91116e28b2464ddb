"""A workshop in Debian's Chromium: a facilitator and six participants play three meetings.

The real server (``collabsim workshop --port 0``); phones at 390 x 844; nothing may load
from anywhere but this machine. Screenshots go to /work/shots when that folder exists.
"""

from pathlib import Path

import pandas as pd
import pytest
from dashboard_support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, is_local
from workshop_support import workshop_server

from collabsim.workshop import replay
from collabsim.workshop.record import SESSION

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/work/shots")
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    log = tmp_path_factory.mktemp("workshop") / "server.log"
    with workshop_server(log, "--scenario", "iocn", "--seed", "2") as served:
        yield served, log.parent / "sessions"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _shot(page, name):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / name), full_page=True)


def _decide(page):
    """Click a choice in every block the page shows (come, a small test, grant, keep...)."""
    for label, block in (("Come", "attend"), ("A small test", "propose"), ("Keep it", "cede")):
        button = page.locator(f'[data-choice="{block}"] button', has_text=label)
        if button.count():
            button.click()
    for verdict in page.locator('[data-choice^="verdict-"]').all():
        verdict.locator("button", has_text="Grant").click()
    talk = page.locator('[data-choice="talk"] button')
    if talk.count():
        talk.first.click()
        expect(talk.first).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    expect(page.locator("#decided")).to_be_visible(timeout=TIMEOUT)


def test_a_room_plays_three_meetings_and_sees_its_debrief(served, browser):
    served, sessions = served
    requests: list[str] = []
    facilitator = browser.new_context(viewport=VIEWPORT)
    console = facilitator.new_page()
    console.on("request", lambda r: requests.append(r.url))
    console.goto(served.console)
    expect(console.locator("#code")).to_have_text(served.code, timeout=TIMEOUT)

    pages = []
    for k in range(6):
        context = browser.new_context(
            viewport=PHONE if k % 2 == 0 else VIEWPORT, is_mobile=k % 2 == 0, has_touch=k % 2 == 0
        )
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{served.url}?room={served.code}")
        page.fill("#join-name", f"Player {k + 1}")
        page.click("#join-form button")
        expect(page.locator("#who")).to_contain_text(f"Player {k + 1}:", timeout=TIMEOUT)
        pages.append(page)
    expect(console.locator("#counts")).to_have_attribute("data-joined", "6", timeout=TIMEOUT)
    _shot(console, "workshop-console.png")

    for meeting in (1, 2, 3):
        late = pages[5] if meeting == 2 else None
        for page in pages:
            if page is not late:
                _decide(page)
        decided = "5" if late else "6"
        expect(console.locator("#counts")).to_have_attribute(
            "data-decided", decided, timeout=TIMEOUT
        )
        if meeting == 1:
            _shot(pages[0], "workshop-phone.png")
        if late:  # the timer runs out before the sixth decides
            console.fill("#timer-seconds", "1")
            console.click("#start-timer")
            expect(late.locator("#timer")).to_have_text("time is up", timeout=TIMEOUT)
            expect(late.locator('[data-choice="attend"]')).to_have_count(0)
        if meeting == 2:  # one participant reloads and gets their person back
            who = pages[1].locator("#who").inner_text()
            pages[1].reload()
            expect(pages[1].locator("#who")).to_have_text(who, timeout=TIMEOUT)
        console.click("#advance")
        for page in pages:
            expect(page.locator("body")).to_have_attribute(
                "data-meeting", str(meeting + 1), timeout=TIMEOUT
            )
            expect(page.locator("#feedback")).to_contain_text("Your commitment went from")
        if late:
            expect(late.locator("#feedback")).to_contain_text("the model chose for you")

    # a participant cannot act for another person, nor use the facilitator's controls
    other = int(pages[1].locator("body").get_attribute("data-person"))
    answer = pages[0].evaluate(
        """async ([room, other]) => {
        const token = new URLSearchParams(location.hash.slice(1)).get("t");
        const post = (path, body) => fetch(path, {method: "POST",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
            .then(async (r) => [r.status, (await r.json()).error]);
        return [await post("/api/decide", {room, token, request_id: "forged-000001",
                                          meeting: 4, field: "attend", value: "yes",
                                          person: other}),
                await post("/api/facilitate", {room, token, request_id: "forged-000002",
                                              action: "advance"})];
    }""",
        [served.code, other],
    )
    assert answer[0][0] == 403 and "you cannot act for person" in answer[0][1]
    assert answer[1][0] == 403 and "facilitator's token" in answer[1][1]
    expect(console.locator("body")).to_have_attribute("data-meeting", "4")

    console.check("#network-toggle")  # the network, revealed on the projector
    expect(console.locator("#network-view svg circle").first).to_be_attached(timeout=TIMEOUT)
    _shot(console, "workshop-network.png")
    console.uncheck("#network-toggle")
    expect(console.locator("#network")).to_be_hidden(timeout=TIMEOUT)

    console.click("#end")
    plots = console.locator("#debrief-plots")
    expect(plots).to_have_attribute("data-runs", "room model", timeout=TIMEOUT)
    expect(plots.locator('polyline[data-run="room"]').first).to_be_attached()
    expect(plots.locator('polyline[data-run="model"]').first).to_be_attached()
    expect(console.locator("#stories .story")).to_have_count(6)
    _shot(console, "workshop-debrief.png")
    # the session was saved before the page heard it ended, and replays the run exactly
    saved = sessions / served.code
    assert (saved / SESSION).is_file()
    pd.testing.assert_frame_equal(
        replay(saved).timeseries().reset_index(),
        pd.read_parquet(saved / "timeseries.parquet"),
        check_exact=True,
    )
    assert all(is_local(url) for url in requests), [u for u in requests if not is_local(u)]
