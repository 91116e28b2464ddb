"""Participants' phones in Debian's Chromium: every tap lands, whatever arrives meanwhile.

A tap whose press and release straddle a new view, a second tap before the first is
answered, a refused tap, a second device, a person who rejoined elsewhere, a server that
never answers; and a countdown that never says time is up early. Each test on a room of its
own on the real server (``conftest.py`` here), phones at 390 x 844.
"""

import json
import re

import pytest
from browser_pages import PHONE, TIMEOUT
from playwright.sync_api import expect
from workshop_support import post

from collabsim.mechanisms.roles import TOP
from collabsim.played import MAX_CONVERSATIONS
from collabsim.workshop import Room
from collabsim.workshop.people import TALK_OPTIONS


def _phone(browser, url, room):
    """A participant's phone joined to ``room`` and shown the first meeting: context, page."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{url}?room={room['room']}")
    page.fill("#join-name", "Player 1")
    page.click("#join-form button")
    expect(page.locator('[data-choice="attend"] button').first).to_be_visible(timeout=TIMEOUT)
    return context, page


@pytest.fixture
def player(browser, served, room):
    """A participant's phone in the test's room (the first post dealt: frontline)."""
    context, page = _phone(browser, served[0].url, room)
    yield page
    context.close()


def _press_while(page, button, happen):
    """Press ``button``, let ``happen()`` change the page while the finger is down, release."""
    box = button.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    happen()
    page.mouse.up()


def test_the_countdown_rounds_up_so_a_phone_never_says_time_is_up_early(browser, served, room):
    # Every view the server sends this phone says 5.3 seconds are left, paused: the phone
    # must show 6 whole seconds (5.3 rounded up), never 5, which would have it say time
    # is up while the room still takes choices.
    def five_point_three(route):
        server = route.connect_to_server()

        def to_page(message):
            view = json.loads(message)
            if "seconds_left" in view:
                view.update(seconds_left=5.3, paused=True)
            route.send(json.dumps(view))

        server.on_message(to_page)

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        context.route_web_socket(re.compile(r"/ws\?"), five_point_three)
        page = context.new_page()
        page.goto(f"{served[0].url}?room={room['room']}")
        page.fill("#join-name", "Player 1")
        page.click("#join-form button")
        expect(page.locator("#timer")).to_have_text("0:06 (paused)", timeout=TIMEOUT)
    finally:
        context.close()


def test_a_tap_lands_though_a_view_arrives_between_press_and_release(served, room, player):
    served, _ = served
    come = player.locator('[data-choice="attend"] button', has_text="Come")

    def start_the_clock():  # every page gets a new view while the finger is down
        timer = {"request_id": "timer-mid-tap", "action": "timer", "value": 600}
        assert post(served.url, "/api/facilitate", {**room, **timer})[0] == 200
        expect(player.locator("#timer")).to_have_text(re.compile(r"^\d+:\d\d$"), timeout=TIMEOUT)

    _press_while(player, come, start_the_clock)
    expect(come).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)


@pytest.fixture
def leader(browser, served, room):
    """A senior leader's phone in the test's room (those dealt the posts before the first
    top's in a mixed room join first)."""
    url = served[0].url
    mixed = Room("iocn", seed=2)  # the server's room: iocn, seed 2
    p = mixed.model.state.people
    before = next(k for k, dealt in enumerate(mixed.order) if p.role[dealt] == TOP)
    for k in range(before):
        assert post(url, "/api/join", {"room": room["room"], "name": f"Before {k}"})[0] == 200
    context, page = _phone(browser, url, room)
    expect(page.locator('[data-choice="cede"]')).to_be_visible(timeout=TIMEOUT)
    yield page
    context.close()


def test_a_tap_lands_though_a_new_choice_appears_between_press_and_release(served, room, leader):
    served, _ = served
    come = leader.locator('[data-choice="attend"] button', has_text="Come")

    def open_self_interest():  # the senior leader's page gains a block while the finger is down
        act = {"request_id": "act-mid-tap", "action": "self_interest", "value": True}
        assert post(served.url, "/api/facilitate", {**room, **act})[0] == 200
        expect(leader.locator('[data-choice="self_interest"]')).to_be_visible(timeout=TIMEOUT)

    _press_while(leader, come, open_self_interest)
    expect(come).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)


def test_a_second_tap_before_the_first_is_answered_adds_to_it(player):
    talk = player.locator('[data-choice="talk"] button')
    expect(talk.nth(1)).to_be_visible()
    held = []  # the first choice waits on its way to the server while the second tap comes

    def hold_first(route):
        route.continue_() if held else held.append(route)

    player.route("**/api/decide", hold_first)
    with player.expect_request("**/api/decide"):
        talk.nth(0).click()
    talk.nth(1).click()
    held[0].continue_()
    for k in (0, 1):
        expect(talk.nth(k)).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    talk.nth(0).click()  # a third tap takes the first back
    expect(talk.nth(0)).to_have_attribute("aria-pressed", "false", timeout=TIMEOUT)
    expect(talk.nth(1)).to_have_attribute("aria-pressed", "true")


def test_taps_after_a_refused_one_start_from_what_the_server_took(player):
    assert TALK_OPTIONS == MAX_CONVERSATIONS + 1  # so that choosing every option is refused
    talk = player.locator('[data-choice="talk"] button')
    expect(talk).to_have_count(TALK_OPTIONS)
    held = []  # the taps queue up behind the first while it is held

    def hold_first(route):
        route.continue_() if held else held.append(route)

    player.route("**/api/decide", hold_first)
    with player.expect_request("**/api/decide"):
        talk.nth(0).click()
    for k in (1, 2, 3, 0):  # a fourth person is one too many; then the first is taken back
        talk.nth(k).click()
    held[0].continue_()  # the server refuses four people, then takes 1, 2 and 3
    for k, pressed in enumerate(("false", "true", "true", "true")):
        expect(talk.nth(k)).to_have_attribute("aria-pressed", pressed, timeout=TIMEOUT)
    talk.nth(3).click()  # the server took 1, 2 and 3: this takes 3 back
    expect(talk.nth(3)).to_have_attribute("aria-pressed", "false", timeout=TIMEOUT)
    expect(talk.nth(1)).to_have_attribute("aria-pressed", "true")


def test_a_second_device_sees_and_keeps_the_choices_made_on_the_first(browser, player):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    other = context.new_page()  # the same person, opened from the link the page shows
    other.goto(player.url)
    mine, theirs = (page.locator('[data-choice="talk"] button') for page in (player, other))
    expect(theirs.nth(1)).to_be_visible(timeout=TIMEOUT)
    theirs.nth(0).click()
    expect(mine.nth(0)).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    mine.nth(1).click()
    for talk in (mine, theirs):
        for k in (0, 1):
            expect(talk.nth(k)).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    context.close()


def test_a_phone_whose_person_rejoined_on_another_device_says_so(served, room, player):
    served, _ = served
    code = player.locator("#rejoin").inner_text()
    status, answer = post(served.url, "/api/join", {"room": room["room"], "rejoin_code": code})
    assert status == 200 and answer["participant"] == "P1"  # the new phone plays P1 now
    expect(player.get_by_role("alert")).to_have_text(
        "your person was taken over on another device with your rejoin code: to play here "
        "again, rejoin with that code",
        timeout=TIMEOUT,
    )
    expect(player.locator("#join")).to_be_visible()
    expect(player.locator("#play")).to_be_hidden()


def test_a_choice_the_server_never_answers_does_not_hold_up_the_next(player):
    held = []  # the first choice is lost on its way: the page gives up on it after a while

    def hold_first(route):
        route.continue_() if held else held.append(route)

    player.route("**/api/decide", hold_first)
    block = player.locator('[data-choice="attend"]')
    with player.expect_request("**/api/decide"):
        block.get_by_role("button", name="Come").click()
    block.get_by_role("button", name="Stay away").click()
    expect(block.get_by_role("button", name="Stay away")).to_have_attribute(
        "aria-pressed", "true", timeout=TIMEOUT
    )
