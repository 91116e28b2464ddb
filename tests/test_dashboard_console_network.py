"""The workshop console's picture of the network, on a 1280 x 720 projector in Chromium.

The real server (``collabsim workshop --port 0``) plays three meetings of a room; the
console then shows the network. Everything is read once the drawing is finished (its
``viewBox`` is set last), through Playwright's retrying ``expect`` and ``wait_for_function``.
"""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from dashboard_support import TIMEOUT_MS, VIEWPORT, chromium
from playwright.sync_api import expect
from workshop_support import post, workshop_server

from collabsim import scenario
from collabsim.model import CollaborationModel

SCENARIO, SEED, MEETINGS = "iocn", 2, 3
#: Pixels the page may be taller than the window: fractional heights rounded up.
MARGIN_PX = 2


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """A room three meetings in, with four participants: its console's address, and Chromium."""
    log = tmp_path_factory.mktemp("console") / "server.log"
    with (
        workshop_server(log, "--scenario", SCENARIO, "--seed", str(SEED)) as served,
        chromium() as browser,
    ):
        room = {"room": served.code, "token": served.token}
        for k in range(4):
            status, answer = post(served.url, "/api/join", {"room": served.code, "name": f"P{k}"})
            assert status == 200, answer
        for meeting in range(MEETINGS):
            advance = {"request_id": f"advance-{meeting:04d}", "action": "advance"}
            status, answer = post(served.url, "/api/facilitate", {**room, **advance})
            assert status == 200, answer
        yield served.console, browser


@pytest.fixture
def shown(console):
    """The console at 1280 x 720 with the network shown and drawn: (page, its SVG)."""
    console_url, browser = console
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(console_url)
    # the room's first view sets the box from the server's state (shown already, after an
    # earlier test): a click before it lands would be undone, so wait for the view (its four
    # participants) before ticking the box, which clicks only if it is not ticked
    expect(page.locator("#counts")).to_have_attribute("data-joined", "4")
    page.get_by_role("checkbox", name="Show the network").check()
    svg = page.locator("#network-view svg")
    expect(svg).to_have_attribute("viewBox", re.compile(r"\S"))  # drawn to the end
    yield page, svg
    context.close()


def rgb(colour: str) -> tuple[int, ...]:
    """``rgb(1,2,3)`` as numbers."""
    return tuple(int(v) for v in re.findall(r"\d+", colour))


def test_the_network_fits_the_projector_with_its_legend(shown):
    page, svg = shown
    expect(svg).to_be_in_viewport(ratio=1)
    page.wait_for_function(
        f"document.documentElement.scrollHeight <= window.innerHeight + {MARGIN_PX}"
    )
    legend = page.locator("#network-view .network-legend")
    expect(legend).to_be_in_viewport(ratio=1)
    for words in ("trust between organisations", "colour is commitment", "size is role"):
        expect(legend).to_contain_text(words)
    for role in ("senior leader", "manager", "frontline", "played here", "left"):
        expect(legend).to_contain_text(role)


def test_organisation_labels_do_not_overlap(shown):
    page, svg = shown
    organisations = len(CollaborationModel(SCENARIO, rng=SEED).state.organisations)
    labels = page.locator("#network-view .org-label")
    expect(labels).to_have_count(organisations)
    boxes = labels.evaluate_all(
        "labels => labels.map(l => { const b = l.getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom]; })"
    )
    frame = svg.bounding_box()
    for left, top, right, bottom in boxes:
        assert frame["x"] <= left and right <= frame["x"] + frame["width"]
        assert frame["y"] <= top and bottom <= frame["y"] + frame["height"]
    for (a, b), (p, q) in combinations(enumerate(boxes), 2):
        across = min(b[2], q[2]) - max(b[0], q[0])
        down = min(b[3], q[3]) - max(b[1], q[1])
        assert across <= 0 or down <= 0, f"labels {a} and {p} overlap: {b} and {q}"


def test_band_colours_diverge_from_the_trust_first_assumed_across_the_range_shown(shown):
    page, svg = shown
    start = float(svg.get_attribute("data-trust-start"))
    assert start == scenario(SCENARIO).trust_across_org
    bands = page.locator("#network-view .bands line").evaluate_all(
        "lines => lines.map(l => [Number(l.dataset.trust), l.getAttribute('stroke')])"
    )
    assert bands
    reach = float(svg.get_attribute("data-trust-reach"))
    furthest = max(abs(t - start) for t, _ in bands)
    assert reach == pytest.approx(max(furthest, 0.02))  # the scale spans the bands shown
    ramp = page.locator("#network-view .network-legend rect").evaluate_all(
        "rects => rects.map(r => r.getAttribute('fill'))"
    )
    low, high = rgb(ramp[0]), rgb(ramp[8])  # the legend's ends: the bands' ends
    blueness = []
    for trust, stroke in sorted(bands):
        red, _, blue = rgb(stroke)
        blueness.append(blue - red)
        if trust > start + 0.005:
            assert blue > red, (trust, stroke)
        elif trust < start - 0.005:
            assert red > blue, (trust, stroke)
        if abs(trust - start) == furthest:  # the furthest band takes its end's colour
            assert rgb(stroke) == (high if trust > start else low)
    assert blueness == sorted(blueness)  # more trust, never less blue
