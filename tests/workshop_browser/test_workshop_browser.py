"""A workshop in Debian's Chromium: a facilitator and six participants play three meetings;
the console's own controls (a new room, dealing, the layout) and the debrief's charts.

The real server (``collabsim workshop --port 0``), each test on a room of its own (opened
as the console's New room does); phones at 390 x 844; nothing may load from anywhere but
this machine (``conftest.py`` here).
"""

import re

import pandas as pd
import pytest
from browser_pages import PHONE, TIMEOUT, shot
from dashboard_support import VIEWPORT, is_local
from playwright.sync_api import expect
from workshop_support import post

from collabsim.workshop import Room, replay, whatif
from collabsim.workshop.record import SESSION


@pytest.fixture
def console(browser, room):
    """The console of the test's room, at 1280 x 720."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(room["console"])
    expect(page.locator("#code")).to_have_text(room["room"], timeout=TIMEOUT)
    yield page
    context.close()


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
        try:
            expect(talk.first).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
        except AssertionError as error:  # add what the server told the page, if anything
            told = page.locator("#message").inner_text()
            raise AssertionError(f"{error}\nthe page's message line: {told!r}") from None
    expect(page.locator("#decided")).to_be_visible(timeout=TIMEOUT)


def test_a_room_plays_three_meetings_and_sees_its_debrief(served, browser, room):
    served, sessions = served
    code = room["room"]
    requests: list[str] = []
    facilitator = browser.new_context(viewport=VIEWPORT)
    console = facilitator.new_page()
    console.on("request", lambda r: requests.append(r.url))
    console.goto(room["console"])
    expect(console.locator("#code")).to_have_text(code, timeout=TIMEOUT)

    pages = []
    for k in range(6):
        context = browser.new_context(
            viewport=PHONE if k % 2 == 0 else VIEWPORT, is_mobile=k % 2 == 0, has_touch=k % 2 == 0
        )
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{served.url}?room={code}")
        page.fill("#join-name", f"Player {k + 1}")
        page.click("#join-form button")
        expect(page.locator("#who")).to_contain_text(f"Player {k + 1}:", timeout=TIMEOUT)
        pages.append(page)
    expect(console.locator("#counts")).to_have_attribute("data-joined", "6", timeout=TIMEOUT)
    shot(console, "workshop-console.png")

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
            shot(pages[0], "workshop-phone.png")
        if late:  # the timer runs out before the sixth decides
            console.fill("#timer-seconds", "1")
            console.click("#start-timer")
            expect(late.locator("#timer")).to_have_text("time is up", timeout=TIMEOUT)
            expect(late.locator('[data-choice="attend"]')).to_have_count(0)
            # the time set runs again for the next meeting: give that one ten minutes
            console.fill("#timer-seconds", "600")
            console.click("#start-timer")
            expect(console.locator("#timer")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
        if meeting == 2:  # one participant reloads and gets their person back
            who = pages[1].locator("#who").inner_text()
            pages[1].reload()
            expect(pages[1].locator("#who")).to_have_text(who, timeout=TIMEOUT)
        console.click("#advance")
        for page in pages:
            expect(page.locator("body")).to_have_attribute(
                "data-meeting", str(meeting + 1), timeout=TIMEOUT
            )
            # a newcomer who took over the post hears where their own commitment stands
            expect(page.locator("#feedback")).to_contain_text(
                re.compile(r"Your commitment (went from \d\.\d\d to|is) \d\.\d\d\.")
            )
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
        [code, other],
    )
    assert answer[0][0] == 403 and "you cannot act for person" in answer[0][1]
    assert answer[1][0] == 403 and "facilitator's token" in answer[1][1]
    expect(console.locator("body")).to_have_attribute("data-meeting", "4")

    console.check("#network-toggle")  # the network, revealed on the projector
    expect(console.locator("#network-view svg circle").first).to_be_attached(timeout=TIMEOUT)
    shot(console, "workshop-network.png")
    console.uncheck("#network-toggle")
    expect(console.locator("#network")).to_be_hidden(timeout=TIMEOUT)

    console.click("#end")
    plots = console.locator("#debrief-plots")
    expect(plots).to_have_attribute("data-runs", "room model", timeout=TIMEOUT)
    expect(plots.locator('polyline[data-run="room"]').first).to_be_attached()
    expect(plots.locator('polyline[data-run="model"]').first).to_be_attached()
    expect(console.locator("#stories .story")).to_have_count(6)
    shot(console, "workshop-debrief.png")
    # the session was saved before the page heard it ended, and replays the run exactly
    saved = sessions / code
    assert (saved / SESSION).is_file()
    pd.testing.assert_frame_equal(
        replay(saved).timeseries().reset_index(),
        pd.read_parquet(saved / "timeseries.parquet"),
        check_exact=True,
    )
    assert all(is_local(url) for url in requests), [u for u in requests if not is_local(u)]


def _join(served, room, count):
    for k in range(count):
        status, answer = post(served.url, "/api/join", {"room": room, "name": f"Player {k + 1}"})
        assert status == 200, answer


def test_the_console_fits_a_projector_and_names_every_control(served, room, console):
    served, _ = served
    _join(served, room["room"], 12)
    expect(console.get_by_role("heading", name="(12 joined, 0 decided)")).to_be_visible()
    console.get_by_role("spinbutton", name="Seconds to decide").fill("120")
    console.get_by_role("button", name="Start timer").click()
    expect(console.get_by_role("timer")).to_have_text(re.compile(r"^[12]:\d\d$"))
    for control in (
        console.get_by_role("timer"),
        console.get_by_role("button", name="Next meeting"),
        console.get_by_role("button", name="End and debrief"),
        console.get_by_role("button", name="Pause"),
        console.get_by_role("button", name="The leadership programmes start"),
        console.get_by_role("checkbox", name="Show the network"),
        console.get_by_role("button", name="New room"),
        console.get_by_role("img", name="QR code to join the room"),
        console.get_by_role("button", name="Deal roles this way"),
        console.get_by_text("Still deciding: Player 1, Player 2"),
        console.get_by_role("row", name=re.compile(r"^P12 Player 12 ")),
    ):
        expect(control).to_be_in_viewport(ratio=1)
    assert console.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    # every control has a name a screen reader can say
    unnamed = re.compile(r"- (button|textbox|spinbutton|checkbox|radio|combobox)( \[|:|$)")
    tree = console.locator("main").aria_snapshot()
    assert not [line for line in tree.splitlines() if unnamed.search(line.strip())], tree
    shot(console, "workshop-console-1280x720.png", full_page=False)


def test_the_timer_the_console_starts_runs_again_after_each_meeting(room, console):
    seconds = console.locator("#timer-seconds")
    expect(seconds).to_have_value(re.compile(r"^\d+$"))  # the room's own time to decide
    seconds.fill("")
    console.locator("#start-timer").click()
    expect(console.locator("#message")).to_have_text(
        "Seconds to decide is empty: type seconds from 1 to 3600"
    )
    seconds.fill("90")
    console.locator("#start-timer").click()
    expect(console.locator("#timer")).to_have_text(re.compile(r"^1:[23]\d$"))
    console.locator("#advance").click()
    expect(console.locator("#meeting")).to_contain_text("Meeting 2")
    expect(console.locator("#timer")).to_have_text(re.compile(r"^1:[23]\d$"))  # 90 s again
    expect(seconds).to_have_value("90")


def test_the_console_acknowledges_a_what_if_and_turns_off_one_that_cannot_happen_now(console):
    # iocn runs its leadership programmes from the start: they cannot start again
    starts = console.locator('#events button[data-event="programme_starts"]')
    expect(starts).to_be_disabled()
    expect(starts).to_have_attribute(
        "title",
        "event 'programme_starts' is not allowed now: the leadership programmes are "
        "running already",
    )
    leaves = whatif.label("central_leader_leaves")
    button = console.get_by_role("button", name=leaves)
    expect(button).to_be_enabled()
    button.click()
    expect(console.get_by_role("alert")).to_have_text(f"Set off: {leaves}.")
    expect(console.locator("#fired")).to_have_text(f"What ifs so far: {leaves} (week 0)")
    expect(button).to_be_disabled()  # once only
    expect(button).to_have_attribute(
        "title",
        "event 'central_leader_leaves' is not allowed now: it happens only once, and "
        "the central leader is not in the network now (set off in week 0)",
    )
    expect(console.get_by_role("button", name=whatif.label("budget_cut"))).to_be_enabled()


def test_the_console_deals_listed_posts_until_someone_joins(served, room, console):
    served, _ = served
    first, second = Room("iocn", seed=2).order[:2]  # the server's room: iocn, seed 2
    console.get_by_role("radio", name="These posts, in order:").check()
    posts = console.get_by_role("textbox", name="Posts")
    posts.fill("9999")
    console.get_by_role("button", name="Deal roles this way").click()
    expect(console.get_by_role("alert")).to_contain_text("posts: 9999 is not allowed")
    posts.fill(f"{second}, {first}")  # the other way round from a mix
    console.get_by_role("button", name="Deal roles this way").click()
    expect(console.locator("#deal-now")).to_have_text(f"Dealing posts {second}, {first}, in order.")
    expect(console.get_by_role("alert")).to_have_text("")
    _join(served, room["room"], 1)
    expect(console.get_by_role("row", name=re.compile(r"^P1 Player 1 "))).to_contain_text(
        f"(post {second})"
    )
    expect(console.get_by_role("button", name="Deal roles this way")).to_be_disabled()
    expect(console.locator("#deal-now")).to_contain_text("People have joined")
    deal = {"request_id": "deal-late-01", "action": "deal", "value": {"deal": "mix"}}
    status, answer = post(served.url, "/api/facilitate", {**room, **deal})
    assert status == 409 and "people have joined" in answer["error"]
    status, answer = post(served.url, "/api/facilitate", {**room, **deal, "token": "forged"})
    assert status == 403 and "facilitator's token" in answer["error"]


def test_a_new_room_opens_from_the_console_and_the_last_is_saved(served, room, console, latest):
    served, sessions = served
    old = room["room"]
    _join(served, old, 1)
    expect(console.get_by_role("heading", name=re.compile(r"\(1 joined"))).to_be_visible()
    asked = []

    def confirm(dialog):
        asked.append(dialog.message)
        dialog.accept()

    console.once("dialog", confirm)
    console.get_by_role("button", name="New room").click()
    expect(console).not_to_have_url(re.compile(f"room={old}"))
    code = console.url.partition("room=")[2].partition("#")[0]
    latest.update(room=code, token=console.url.partition("#f=")[2])
    expect(console.locator("#code")).to_have_text(code)
    expect(console.get_by_role("img", name="QR code to join the room")).to_have_attribute(
        "src", f"/qr.svg?room={code}"
    )
    expect(console.get_by_role("heading", name="(0 joined, 0 decided)")).to_be_visible()
    assert "record is saved" in asked[0]
    assert (sessions / old / SESSION).is_file()  # saved before the new room was answered
    assert post(served.url, "/api/join", {"room": old, "name": "Late"})[0] == 404


def test_the_debrief_charts_have_labelled_axes_and_mark_key_moments(served, room, console):
    served, _ = served
    _join(served, room["room"], 1)
    for meeting in (2, 3, 4):
        console.get_by_role("button", name="Next meeting").click()
        expect(console.locator("body")).to_have_attribute("data-meeting", str(meeting))
    console.get_by_role("button", name="End and debrief").click()
    trust = console.get_by_role("img", name="trust across organisations (0-1) by week")
    expect(trust.locator('[data-axis="y"]')).to_have_text(re.compile(r"^0\s*0.5\s*1\s*0-1$"))
    expect(trust.locator('[data-axis="x"]')).to_have_text(
        re.compile(r"^0\s*4\s*8\s*12\s*week \(a meeting every 4 weeks\)$")
    )
    people = console.get_by_role("img", name="people taking part (people) by week")
    expect(people.locator('[data-axis="y"]')).to_contain_text("people")
    blocked = console.get_by_role("img", name="requests blocked (decisions) by week")
    expect(blocked.locator('[data-moment="first_block"]')).to_have_count(1)
    expect(blocked).to_contain_text("first block")
    story = console.locator('#stories .story[data-participant="P1"] svg')
    expect(story.locator('[data-axis="y"]')).to_contain_text("0-1")
    expect(story.locator('[data-axis="x"]')).to_contain_text("week")
    shot(console, "workshop-debrief-1280x720.png", full_page=False)
