"""Load on a workshop room: 40 participants on real websockets, three rooms in a row.

Serves ``collabsim workshop --port 0`` in its own process; 40 simulated participants join
over HTTP, each follows the room on a websocket (as a page does), makes its choice for the
meeting, and the facilitator advances. Measured per room:

* fan-out: from the facilitator's advance to each page receiving the next meeting's view
  (its 90th percentile and maximum; the target is <= 1 s at the 90th percentile), and
  from the last decision to the last page showing the next meeting;
* the server's resident memory once the room is closed (three rooms played one after
  another: it should stay flat).

Bounded in time: every wait has a timeout; the whole run takes well under a minute.

    python benchmarks/bench_workshop.py [--participants 40] [--meetings 3] [--rooms 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import websockets

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from workshop_support import post, workshop_server  # noqa: E402

TIMEOUT = 30.0
#: The target: every page shows the next meeting within this many seconds (90th percentile).
TARGET_P90 = 1.0
#: Growth of the server's memory over the rooms still counted as flat (MiB).
FLAT_MIB = 10.0


class Participant:
    """One simulated participant: a token, a websocket, and when each meeting's view came."""

    def __init__(self, url: str, room: str, token: str):
        self.url, self.room, self.token = url, room, token
        self.seen: dict[int, float] = {}
        self.meeting = 1
        self._socket = None
        self._task = None

    async def connect(self) -> None:
        ws_url = self.url.replace("http://", "ws://").rstrip("/")
        self._socket = await websockets.connect(f"{ws_url}/ws?room={self.room}&token={self.token}")
        self._task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        async for message in self._socket:
            view = json.loads(message)
            self.meeting = view.get("meeting", self.meeting)
            self.seen.setdefault(self.meeting, time.perf_counter())

    async def wait_for(self, meeting: int) -> float:
        deadline = time.perf_counter() + TIMEOUT
        while meeting not in self.seen:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no view of meeting {meeting} within {TIMEOUT} s")
            await asyncio.sleep(0.005)
        return self.seen[meeting]

    async def close(self) -> None:
        await self._socket.close()
        self._task.cancel()


async def play_room(url: str, room: str, token: str, participants: int, meetings: int):
    """Join, follow, decide and advance; the fan-out times of each meeting."""
    joined = [
        await asyncio.to_thread(post, url, "/api/join", {"room": room, "name": f"Sim {k}"})
        for k in range(participants)
    ]
    people = [Participant(url, room, answer["token"]) for _, answer in joined]
    await asyncio.gather(*(p.connect() for p in people))
    await asyncio.gather(*(p.wait_for(1) for p in people))
    fanouts, after_last = [], []
    for meeting in range(1, meetings + 1):
        answers = await asyncio.gather(
            *(
                asyncio.to_thread(
                    post,
                    url,
                    "/api/decide",
                    {
                        "room": room,
                        "token": p.token,
                        "meeting": meeting,
                        "request_id": f"bench-{meeting}-{k:04d}-{time.time_ns()}",
                        "field": "attend",
                        "value": "yes",
                    },
                )
                for k, p in enumerate(people)
            )
        )
        last_decision = time.perf_counter()
        assert all(status == 200 for status, _ in answers), answers[:3]
        advanced = time.perf_counter()
        status, answer = await asyncio.to_thread(
            post,
            url,
            "/api/facilitate",
            {
                "room": room,
                "token": token,
                "action": "advance",
                "request_id": f"bench-advance-{meeting}-{time.time_ns()}",
            },
        )
        assert status == 200, answer
        seen = await asyncio.gather(*(p.wait_for(meeting + 1) for p in people))
        fanouts += [t - advanced for t in seen]
        after_last.append(max(seen) - last_decision)
    await asyncio.gather(*(p.close() for p in people))
    return fanouts, after_last


async def main(participants: int, meetings: int, rooms: int) -> int:
    with (
        tempfile.TemporaryDirectory() as folder,
        workshop_server(Path(folder) / "server.log") as served,
    ):
        server = psutil.Process(served.pid)
        room, token = served.code, served.token
        memory, p90s = [], []
        started = time.perf_counter()
        for n in range(rooms):
            fanouts, after_last = await play_room(served.url, room, token, participants, meetings)
            status, fresh = await asyncio.to_thread(
                post, served.url, "/api/rooms", {"room": room, "token": token}
            )
            assert status == 200, fresh
            room, token = fresh["room"], fresh["token"]
            await asyncio.sleep(0.5)  # let the closed pages' handlers finish
            memory.append(server.memory_info().rss / 2**20)
            p90s.append(np.percentile(fanouts, 90))
            print(
                f"room {n + 1}: fan-out after advance p50 {np.percentile(fanouts, 50):.3f} s, "
                f"p90 {np.percentile(fanouts, 90):.3f} s, max {max(fanouts):.3f} s; "
                f"last decision to every page on the next meeting: "
                f"max {max(after_last):.3f} s; server memory {memory[-1]:.1f} MiB"
            )
        print(
            f"{rooms} rooms of {participants} participants x {meetings} meetings in "
            f"{time.perf_counter() - started:.1f} s; memory growth room 1 -> {rooms}: "
            f"{memory[-1] - memory[0]:+.1f} MiB"
        )
        fast, flat = max(p90s) <= TARGET_P90, memory[-1] - memory[0] <= FLAT_MIB
        print(
            f"fan-out p90 <= {TARGET_P90} s in every room: {'yes' if fast else 'NO'}; "
            f"memory flat (within {FLAT_MIB} MiB): {'yes' if flat else 'NO'}"
        )
        return 0 if fast and flat else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--meetings", type=int, default=3)
    parser.add_argument("--rooms", type=int, default=3)
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.participants, options.meetings, options.rooms)))
