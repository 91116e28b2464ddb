"""The workshop's web server: the facilitator's console and the participants' page.

A small Starlette app. Pages are static files of this package (no CDN: it works with no
internet); actions are JSON posts, refused with a one-line message and an HTTP status
that says why (403 not yours, 409 replayed or late, 400 bad input, 404 unknown); each
open page holds a websocket on which the server sends that page's view, as JSON, after
every change in its room. Views are built per page from the room, so a participant only
ever receives their own person's situation, and a page only ever hears of its own room.
"""

from __future__ import annotations

import asyncio
import gc
import io
import json
from importlib import resources
from pathlib import Path

import segno
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.workshop import views
from collabsim.workshop.room import Room
from collabsim.workshop.seats import Refusal, new_code

#: HTTP status for each kind of refusal.
STATUS = {"forbidden": 403, "stale": 409, "invalid": 400, "unknown": 404}
#: The files of the pages, and their content types.
PAGES = {
    "participant.html": "text/html",
    "console.html": "text/html",
    "workshop.js": "text/javascript",
    "network.js": "text/javascript",
    "workshop.css": "text/css",
}


class Workshop:
    """The rooms a server holds, by code, and where sessions are saved.

    Args:
        out: Folder under which each room's session is saved (one folder per room).
        join_base: The address participants' devices use (``http://HOST:PORT/``); None
            uses the address the console was opened at.
    """

    def __init__(self, out: str | Path = "results/workshop", join_base: str | None = None):
        self.rooms: dict[str, Room] = {}
        self.out = Path(out)
        self.join_base = join_base

    def open_room(self, **options) -> Room:
        """Open a new room (``Room`` options) and return it."""
        room = Room(**options)
        while room.code in self.rooms:  # codes are random: never reuse a live one
            room.code = new_code()
        self.rooms[room.code] = room
        room.on_end = lambda: room.record.save(self.out / room.code)  # saved whenever it ends
        return room

    def close_room(self, code: str) -> None:
        """Forget a room (its pages are told it has closed; a session under way is saved)."""
        room = self.rooms.pop(code, None)
        if room is not None:
            room.close()
            del room  # the last reference here: the collection below can reclaim it
            # a model is a web of references (Mesa's agents and their model): reclaim the
            # room's memory now rather than whenever the collector next gets to it
            gc.collect()

    def room(self, code) -> Room:
        """The room with ``code``.

        Raises:
            Refusal: No room has that code.
        """
        room = self.rooms.get(str(code).strip().upper()) if code is not None else None
        if room is None:
            raise Refusal(
                "unknown", f"room code {code!r} is not known: check the code on the projector"
            )
        return room


def refused(error: Refusal) -> JSONResponse:
    """The response to a refused request: its status and one-line message."""
    return JSONResponse({"error": str(error)}, status_code=STATUS[error.kind])


def not_saved(error: OSError) -> str:
    """What the console says when a session's record cannot be written: it is not lost."""
    where = f" in {error.filename}" if error.filename else ""
    return (
        f"the session could not be saved{where}: {error.strerror or error}; it is kept in "
        "the room: make the folder writable and save again"
    )


async def _body(request: Request) -> dict:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Refusal("invalid", "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise Refusal("invalid", "the request body is not a JSON object")
    return body


def create_app(workshop: Workshop) -> Starlette:
    """The Starlette app serving ``workshop``'s rooms."""

    def page(name: str):
        text = resources.files("collabsim.workshop").joinpath("pages", name).read_bytes()

        async def endpoint(request: Request) -> Response:
            return Response(text, media_type=PAGES[name], headers={"Cache-Control": "no-store"})

        return endpoint

    def action(handler):
        async def endpoint(request: Request) -> Response:
            try:
                return JSONResponse(await handler(await _body(request)))
            except Refusal as error:
                return refused(error)
            except OSError as error:  # saving a session (the only writing an action does)
                return JSONResponse({"error": not_saved(error)}, status_code=500)

        return endpoint

    async def join(body: dict) -> dict:
        room = workshop.room(body.get("room"))
        seat = (
            room.rejoin(body.get("room"), body["rejoin_code"])
            if "rejoin_code" in body
            else room.join(body.get("room"), body.get("name", ""))
        )
        return {
            "room": room.code,
            "token": seat.token,
            "rejoin_code": seat.rejoin_code,
            "participant": seat.participant,
        }

    async def decide(body: dict) -> dict:
        room = workshop.room(body.get("room"))
        target, person = body.get("target"), body.get("person")
        room.decide(
            body.get("token"),
            request_id=body.get("request_id"),
            meeting=body.get("meeting"),
            field=body.get("field"),
            value=body.get("value"),
            target=target,
            person=person,
        )
        return {"ok": True}

    async def facilitate(body: dict) -> dict:
        room = workshop.room(body.get("room"))
        action_name = body.get("action")
        if action_name in ("advance", "end"):  # plays the model, or saves it: off the loop
            await run_in_threadpool(
                room.facilitate,
                body.get("token"),
                request_id=body.get("request_id"),
                action=action_name,
                value=body.get("value"),
            )
        else:
            room.facilitate(
                body.get("token"),
                request_id=body.get("request_id"),
                action=action_name,
                value=body.get("value"),
            )
        return {"ok": True}

    async def debrief(body: dict) -> dict:
        room = workshop.room(body.get("room"))
        room.check_facilitator(body.get("token"))
        return await run_in_threadpool(views.debrief_view, room, bool(body.get("others")))

    async def save(body: dict) -> dict:
        room = workshop.room(body.get("room"))
        room.check_facilitator(body.get("token"))
        folder = await run_in_threadpool(room.record.save, workshop.out / room.code)
        return {"folder": str(folder)}

    async def next_room(body: dict) -> dict:
        room = workshop.room(body.get("room"))
        room.check_facilitator(body.get("token"))
        fresh = await run_in_threadpool(
            workshop.open_room,
            scenario=room.scenario,
            seed=room.seed,
            deal=room.deal,
            posts=room.order,
            decision_seconds=room.decision_seconds,
        )
        # closing saves a session still under way: off the loop
        await run_in_threadpool(workshop.close_room, room.code)
        return {"room": fresh.code, "token": fresh.facilitator_token}

    async def qr(request: Request) -> Response:
        try:
            room = workshop.room(request.query_params.get("room"))
        except Refusal as error:
            return refused(error)
        buffer = io.BytesIO()
        segno.make(join_url(workshop, room, str(request.base_url)), error="m").save(
            buffer, kind="svg", scale=8, border=2
        )
        return Response(buffer.getvalue(), media_type="image/svg+xml")

    async def socket(websocket: WebSocket) -> None:
        await follow(workshop, websocket)

    return Starlette(
        routes=[
            Route("/", page("participant.html")),
            Route("/console", page("console.html")),
            Route("/workshop.js", page("workshop.js")),
            Route("/network.js", page("network.js")),
            Route("/workshop.css", page("workshop.css")),
            Route("/qr.svg", qr),
            Route("/api/join", action(join), methods=["POST"]),
            Route("/api/decide", action(decide), methods=["POST"]),
            Route("/api/facilitate", action(facilitate), methods=["POST"]),
            Route("/api/debrief", action(debrief), methods=["POST"]),
            Route("/api/save", action(save), methods=["POST"]),
            Route("/api/rooms", action(next_room), methods=["POST"]),
            WebSocketRoute("/ws", socket),
        ]
    )


def join_url(workshop: Workshop, room: Room, base: str) -> str:
    """The address participants open to join ``room`` (the room's code filled in)."""
    return f"{(workshop.join_base or base).rstrip('/')}/?room={room.code}"


async def follow(workshop: Workshop, websocket: WebSocket) -> None:
    """Send a page its view of its room after every change, until it goes away.

    The page says who it is in the address: ``room`` and ``token`` (a participant's, or
    the facilitator's with ``as=facilitator``). Bursts of changes are coalesced: the page
    gets the latest view once the burst has been handled.
    """
    params = websocket.query_params
    await websocket.accept()
    try:
        room = workshop.room(params.get("room"))
        token = params.get("token")
        facilitator = params.get("as") == "facilitator"
        if facilitator:
            room.check_facilitator(token)
        else:
            room.seat(token)
    except Refusal as error:
        await websocket.send_json({"error": str(error)})
        await websocket.close(code=4403)
        return
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    unsubscribe = room.subscribe(lambda: loop.call_soon_threadsafe(changed.set))
    if not facilitator:
        room.set_connected(token, 1)
    base = f"http://{websocket.headers.get('host', 'localhost')}/"
    receiving = asyncio.ensure_future(websocket.receive_text())
    try:
        while True:
            changed.clear()
            try:
                with room.lock:
                    view = (
                        views.facilitator_view(room, join_url(workshop, room, base))
                        if facilitator
                        else views.participant_view(room, token)
                    )
            except Refusal as error:  # another device rejoined as this person
                await websocket.send_json({"error": str(error)})
                await websocket.close(code=4403)
                return
            await websocket.send_text(json.dumps(view))
            waiting = asyncio.ensure_future(changed.wait())
            done, _ = await asyncio.wait({waiting, receiving}, return_when=asyncio.FIRST_COMPLETED)
            if receiving in done:  # the page spoke (or went away): only pings are expected
                waiting.cancel()
                receiving.result()  # raises WebSocketDisconnect once it has gone
                receiving = asyncio.ensure_future(websocket.receive_text())
    except (WebSocketDisconnect, RuntimeError, OSError):  # the page went away
        pass
    finally:
        receiving.cancel()
        unsubscribe()
        if not facilitator:
            room.set_connected(token, -1)


#: The line printed on stdout once the server is listening.
ANNOUNCEMENT = "collabsim workshop: serving at {url}"
#: Seconds between websocket pings: a phone that went to sleep is dropped within two.
PING_SECONDS = 10


def lan_address() -> str | None:
    """This machine's address on the room's network, as devices there reach it, if known."""
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
        return probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()


def serve(
    sock,
    *,
    scenario: str = DEFAULT_SCENARIO,
    seed: int = 0,
    out: str | Path = "results/workshop",
    posts: list[int] | None = None,
    announce=print,
) -> None:
    """Open a room and serve the workshop on a listening socket until interrupted.

    Prints the address, the console's address (with the facilitator's token) and the
    room's code; when listening on every address, the address for devices in the room
    and a warning that anyone on that network with the code can join.

    Args:
        sock: A bound, listening TCP socket (``collabsim.dashboard.listen``).
        scenario: Scenario the room plays.
        seed: Seed of the run.
        out: Folder under which sessions are saved.
        posts: Posts to deal in this order; None deals a mix of roles.
        announce: Where the lines go.

    Raises:
        ValueError: ``posts`` names a post that cannot be dealt (one line).
    """
    import uvicorn

    from collabsim.dashboard import page_url

    host, port = sock.getsockname()[:2]
    url = page_url(sock)
    join_base = None
    if host in ("0.0.0.0", "::"):
        lan = lan_address() or "THIS-MACHINE"
        join_base = f"http://{lan}:{port}/"
    workshop = Workshop(out, join_base)
    room = workshop.open_room(
        scenario=scenario, seed=seed, posts=posts, deal="mix" if posts is None else "fixed"
    )
    local = url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:")
    lines = [
        f"room code: {room.code}",
        f"facilitator's console: {local}console?room={room.code}#f={room.facilitator_token}",
    ]
    if join_base:
        lines += [
            f"participants join at {join_base}?room={room.code} (code {room.code})",
            "warning: anyone on this network with the room code can join",
        ]
    lines.append(ANNOUNCEMENT.format(url=url))  # last: whoever waits for it has the rest

    class Announcing(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                for line in lines:
                    announce(line)

    config = uvicorn.Config(
        create_app(workshop),
        log_level="warning",
        ws_ping_interval=PING_SECONDS,
        ws_ping_timeout=PING_SECONDS,
    )
    with sock:
        Announcing(config).run(sockets=[sock])
