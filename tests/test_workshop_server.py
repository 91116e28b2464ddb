"""``collabsim workshop``: the command, the pages and the refusals over real HTTP."""

import json
import subprocess
import sys
import urllib.request

import pytest
from workshop_support import post, workshop_server


def _collabsim(*args):
    return subprocess.run(
        [sys.executable, "-m", "collabsim", *args], capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "nowhere"], "--scenario 'nowhere' is not allowed: expected one of"),
        (
            ["--port", "0", "--scenario", "hierarchy"],
            "--scenario 'hierarchy' is not allowed: its network never meets (convened is false),"
            " so a room has no meetings to play; expected one of beston, clahrc, iocn",
        ),
        (["--port", "70000"], "--port 70000 is not allowed"),
        (["--seed", "-1"], "--seed -1 is not allowed"),
        (["--posts", "3,x"], "--posts '3,x' is not allowed"),
        (["--port", "0", "--posts", "3,99999"], "--posts: 99999 is not allowed"),
        (["--port", "0", "--out", __file__], "is a file, not a folder"),
        (["--port", "0", "--out", f"{__file__}/sessions"], f"{__file__!r} is a file"),
    ],
)
def test_bad_options_are_refused_in_one_line(args, message):
    done = _collabsim("workshop", *args)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    log = tmp_path_factory.mktemp("served") / "server.log"
    with workshop_server(log, "--host", "0.0.0.0") as served:
        served_log = log.read_text()
        yield served, served_log


def test_on_every_address_it_says_where_to_join_and_warns(served):
    served, log = served
    assert "participants join at http://" in log and f"(code {served.code})" in log
    assert "warning: anyone on this network with the room code can join" in log
    assert served.console.startswith("http://127.0.0.1:")  # the console stays on this laptop


def test_pages_and_the_qr_code_are_served_from_this_machine(served):
    served, _ = served
    base = served.url.replace("0.0.0.0", "127.0.0.1")
    for path, kind in (
        ("/", "text/html"),
        ("/console", "text/html"),
        ("/workshop.js", "text/javascript"),
        (f"/qr.svg?room={served.code}", "image/svg+xml"),
    ):
        with urllib.request.urlopen(base.rstrip("/") + path, timeout=30) as response:
            assert response.headers["Content-Type"].startswith(kind)
            body = response.read().decode()
    assert "<svg" in body
    for page in ("/", "/console", "/workshop.js"):
        with urllib.request.urlopen(base.rstrip("/") + page, timeout=30) as response:
            text = response.read().decode()
        assert "https://" not in text and "cdn" not in text.lower()


def test_refusals_have_a_status_and_a_one_line_reason(served):
    served, _ = served
    base = served.url.replace("0.0.0.0", "127.0.0.1")
    status, ann = post(base, "/api/join", {"room": served.code, "name": "Ann"})
    assert status == 200 and ann["participant"]
    status, bob = post(base, "/api/join", {"room": served.code, "name": "Bob"})
    cases = [
        (
            {
                "room": served.code,
                "token": ann["token"],
                "request_id": "abcdefgh01",
                "meeting": 1,
                "field": "attend",
                "value": "yes",
                "person": -5,
            },
            403,
            "you cannot act for person -5",
        ),
        (
            {
                "room": "ZZZZZZ",
                "token": ann["token"],
                "request_id": "abcdefgh02",
                "meeting": 1,
                "field": "attend",
                "value": "yes",
            },
            404,
            "room code 'ZZZZZZ' is not known",
        ),
        (
            {
                "room": served.code,
                "token": ann["token"],
                "request_id": "abcdefgh03",
                "meeting": 1,
                "field": "attend",
                "value": "perhaps",
            },
            400,
            "attend='perhaps'",
        ),
    ]
    for body, code, message in cases:
        status, answer = post(base, "/api/decide", body)
        assert status == code and message in answer["error"]
        assert "\n" not in answer["error"]
    good = {
        "room": served.code,
        "token": ann["token"],
        "request_id": "abcdefgh04",
        "meeting": 1,
        "field": "attend",
        "value": "yes",
    }
    assert post(base, "/api/decide", good)[0] == 200
    status, answer = post(base, "/api/decide", good)
    assert status == 409 and "already received" in answer["error"]
    status, answer = post(
        base,
        "/api/facilitate",
        {
            "room": served.code,
            "token": bob["token"],
            "request_id": "abcdefgh05",
            "action": "advance",
        },
    )
    assert status == 403 and "facilitator's token" in answer["error"]
    request = urllib.request.Request(
        base + "api/decide", data=b"not json", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 400 and "not JSON" in json.loads(error.value.read())["error"]


def test_the_console_sees_who_has_a_page_open(served):
    from websockets.sync.client import connect

    served, _ = served
    base = served.url.replace("0.0.0.0", "127.0.0.1")
    ws = base.replace("http://", "ws://")
    room, token = served.code, served.token
    _, cai = post(base, "/api/join", {"room": room, "name": "Cai"})
    with connect(f"{ws}ws?room={room}&token={token}&as=facilitator") as console:

        def seats_until(connected):
            while True:  # views arrive after every change; each recv waits for the next
                view = json.loads(console.recv(timeout=60))
                if [s["connected"] for s in view["seats"] if s["name"] == "Cai"] == [connected]:
                    return view

        seats_until(False)
        with connect(f"{ws}ws?room={room}&token={cai['token']}") as page:
            mine = json.loads(page.recv(timeout=60))
            assert mine["you"]["name"] == "Cai" and "seats" not in mine
            seats_until(True)
        seats_until(False)
    with connect(f"{ws}ws?room={room}&token=forged") as intruder:
        assert "unknown participant token" in json.loads(intruder.recv(timeout=60))["error"]


def test_a_page_open_on_a_device_whose_person_rejoined_elsewhere_is_told(served):
    from websockets.sync.client import connect

    served, _ = served
    base = served.url.replace("0.0.0.0", "127.0.0.1")
    _, eve = post(base, "/api/join", {"room": served.code, "name": "Eve"})
    ws = base.replace("http://", "ws://")
    with connect(f"{ws}ws?room={served.code}&token={eve['token']}") as first_phone:
        assert json.loads(first_phone.recv(timeout=60))["you"]["name"] == "Eve"
        status, second = post(
            base, "/api/join", {"room": served.code, "rejoin_code": eve["rejoin_code"]}
        )
        assert status == 200 and second["participant"] == eve["participant"]
        while "error" not in (told := json.loads(first_phone.recv(timeout=60))):
            pass  # views of other changes may come first
    assert told["error"].startswith("your person was taken over on another device")
    with connect(f"{ws}ws?room={served.code}&token={second['token']}") as second_phone:
        assert json.loads(second_phone.recv(timeout=60))["you"]["name"] == "Eve"


def test_a_page_that_vanishes_without_closing_is_culled(served):
    """A phone that goes to sleep answers no pings: the server drops it within two."""
    import base64
    import os
    import socket
    import time
    from urllib.parse import urlparse

    from websockets.sync.client import connect

    from collabsim.workshop.server import PING_SECONDS

    served, _ = served
    base = served.url.replace("0.0.0.0", "127.0.0.1")
    _, dee = post(base, "/api/join", {"room": served.code, "name": "Dee"})
    address = urlparse(base)
    silent = socket.create_connection((address.hostname, address.port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    silent.sendall(
        (
            f"GET /ws?room={served.code}&token={dee['token']} HTTP/1.1\r\n"
            f"Host: {address.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    assert b"101" in silent.recv(1024).split(b"\r\n")[0]  # upgraded; now it never answers
    ws = base.replace("http://", "ws://")
    started = time.monotonic()
    with connect(f"{ws}ws?room={served.code}&token={served.token}&as=facilitator") as console:
        for wanted in (True, False):  # counted as here, then dropped
            state = None
            while state is not wanted:
                view = json.loads(console.recv(timeout=4 * PING_SECONDS))
                state = next(s["connected"] for s in view["seats"] if s["name"] == "Dee")
    assert time.monotonic() - started < 3 * PING_SECONDS + 10
    silent.close()


def test_a_new_room_shares_nothing_with_the_last(served):
    served, _ = served
    base = served.url.replace("0.0.0.0", "127.0.0.1")
    _, ann = post(base, "/api/join", {"room": served.code, "name": "Ann"})
    status, fresh = post(base, "/api/rooms", {"room": served.code, "token": served.token})
    assert status == 200 and fresh["room"] != served.code
    status, answer = post(
        base,
        "/api/decide",
        {
            "room": fresh["room"],
            "token": ann["token"],
            "request_id": "abcdefgh06",
            "meeting": 1,
            "field": "attend",
            "value": "yes",
        },
    )
    assert status == 404 and "unknown participant token" in answer["error"]
    status, answer = post(
        base,
        "/api/facilitate",
        {
            "room": fresh["room"],
            "token": served.token,
            "request_id": "abcdefgh07",
            "action": "advance",
        },
    )
    assert status == 403
    status, answer = post(base, "/api/join", {"room": served.code, "name": "Late"})
    assert status == 404  # the old room is closed and forgotten


def test_a_closed_room_is_reclaimed_at_once(tmp_path):
    import weakref

    from collabsim.workshop.server import Workshop

    workshop = Workshop(tmp_path)
    room = workshop.open_room(scenario="beston", seed=1)
    seat = room.join(room.code, "Ann")
    room.decide(seat.token, request_id="reclaim-001", meeting=1, field="attend", value="yes")
    room.facilitate(room.facilitator_token, request_id="reclaim-002", action="advance")
    code, alive = room.code, weakref.ref(room)
    model = weakref.ref(room.model)
    del room, seat
    workshop.close_room(code)
    assert alive() is None and model() is None


def test_a_room_closed_under_way_is_saved_and_an_untouched_one_is_not(tmp_path):
    """Opening a new room mid-session closes the old one: its record must not be lost."""
    from collabsim.workshop.record import SESSION, replay
    from collabsim.workshop.server import Workshop

    workshop = Workshop(tmp_path)
    room, untouched = (workshop.open_room(scenario="beston", seed=1) for _ in range(2))
    seat = room.join(room.code, "Ann")
    room.decide(seat.token, request_id="closing-001", meeting=1, field="attend", value="yes")
    room.facilitate(room.facilitator_token, request_id="closing-002", action="advance")
    code, weeks = room.code, room.model.steps
    workshop.close_room(code)
    workshop.close_room(untouched.code)
    assert replay(tmp_path / code).steps == weeks
    assert not (tmp_path / untouched.code / SESSION).exists()


@pytest.mark.parametrize("ending", ["end", "advance"])
def test_a_session_is_saved_before_any_page_hears_it_ended(tmp_path, ending):
    """Pages show the debrief as soon as they hear the session is over: by then its record
    is on disk, whether the facilitator ended it or its last meeting was played."""
    from collabsim.workshop.record import SESSION
    from collabsim.workshop.server import Workshop

    workshop = Workshop(tmp_path)
    room = workshop.open_room(scenario="beston", seed=1)
    saved_when_heard = []
    room.subscribe(
        lambda: room.ended and saved_when_heard.append((tmp_path / room.code / SESSION).is_file())
    )
    meeting = 0
    while not room.ended:
        meeting += 1
        action = ending if ending == "advance" or meeting > 1 else "advance"
        room.facilitate(room.facilitator_token, request_id=f"ending-{meeting:03}", action=action)
    assert saved_when_heard == [True]


def test_a_session_that_cannot_be_saved_says_so_and_saves_once_it_can(tmp_path):
    """The folder of sessions, writable at the start, is in the way when the facilitator
    saves: the console hears why in one line, the room keeps the session, and once the
    folder is usable again the same save succeeds."""
    from collabsim.workshop.record import SESSION

    with workshop_server(tmp_path / "server.log") as served:
        sessions = tmp_path / "sessions"
        sessions.write_text("not a folder", encoding="utf-8")
        body = {"room": served.code, "token": served.token}
        status, answer = post(served.url, "/api/save", body)
        assert status == 500
        assert answer["error"].startswith("the session could not be saved in ")
        assert "save again" in answer["error"] and "\n" not in answer["error"]
        sessions.unlink()
        status, answer = post(served.url, "/api/save", body)
        assert status == 200 and (sessions / served.code / SESSION).is_file()
