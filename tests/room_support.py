"""A workshop room's choices made in tests: request ids, a hand-moved clock, a meeting's choices."""

from __future__ import annotations

import itertools

from collabsim.workshop.views import participant_view

_ids = (f"request-{n:04d}" for n in itertools.count())


def rid() -> str:
    return next(_ids)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def decide_all(room, seats):
    """Every seat makes its choices: come, and what its role asks."""
    for seat in seats:
        view = participant_view(room, seat.token)
        if view["asks"]["attend"]:
            room.decide(
                seat.token, request_id=rid(), meeting=room.meeting, field="attend", value="yes"
            )
        if view["asks"]["propose"]:
            room.decide(
                seat.token, request_id=rid(), meeting=room.meeting, field="propose", value="small"
            )
        if view["asks"]["leader"]:
            for request in view["requests"]:
                room.decide(
                    seat.token,
                    request_id=rid(),
                    meeting=room.meeting,
                    field="verdict",
                    value="block",
                    target=request["proposer"],
                )
            room.decide(
                seat.token, request_id=rid(), meeting=room.meeting, field="cede", value="keep"
            )
        if view["talk_options"]:
            other = view["talk_options"][0]["person"]
            room.decide(
                seat.token, request_id=rid(), meeting=room.meeting, field="talk", value=str(other)
            )
