"""A workshop room: participants play people of the network, meeting by meeting.

Pure Python, no web: the server (``collabsim.workshop.server``) only carries requests to
a ``Room`` and its views back. A room deals posts to participants as they join, takes
their choices for the next meeting (each checked against their own person and the
current meeting), and plays the meeting when the facilitator advances; choices not made
are the model's, as for everyone nobody plays. Everything is recorded
(``collabsim.workshop.record``) so that a session can be studied and replayed.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable

from collabsim.model import CollaborationModel
from collabsim.params import EVENT_KINDS, ParameterError
from collabsim.played import Choice, ChoiceError
from collabsim.scenarios import DEFAULT_SCENARIO, available
from collabsim.scenarios import scenario as load_scenario
from collabsim.workshop import people, turns, watch, whatif
from collabsim.workshop.record import Record
from collabsim.workshop.seats import Refusal, Seat, new_code

#: Most participants a room takes.
MAX_PARTICIPANTS = 40
#: Seconds participants have to decide before each meeting, unless the facilitator says.
DECISION_SECONDS = 180
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


#: Why a room cannot play a scenario whose network is not convened.
NEVER_MEETS = "its network never meets (convened is false), so a room has no meetings to play"


def scenarios() -> list[str]:
    """The shipped scenarios a room can play: those whose network meets."""
    return [name for name in available() if load_scenario(name).convened]


class Room:
    """One session: a model, its participants, their choices and the record.

    Args:
        scenario: Scenario name.
        seed: Seed of the run.
        deal: ``"mix"`` (kinds of organisation and roles in turn: ``people.deal_order``)
            or ``"fixed"`` (``people.DEALS``).
        posts: The posts to deal, in order, for ``deal="fixed"``.
        decision_seconds: Seconds to decide before each meeting after the first (the
            facilitator's timer sets it anew).
        clock: Monotonic clock (seconds), for timers.

    Raises:
        ValueError: The scenario's network never meets (one line).
    """

    def __init__(
        self,
        scenario: str = DEFAULT_SCENARIO,
        *,
        seed: int = 0,
        deal: str = "mix",
        posts: list[int] | None = None,
        decision_seconds: float = DECISION_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.params = load_scenario(scenario)
        if not self.params.convened:
            raise ValueError(f"scenario {scenario!r} is not allowed: {NEVER_MEETS}")
        self.scenario, self.seed = scenario, seed
        self.model = CollaborationModel(self.params, rng=seed)
        self.code = new_code()
        self.facilitator_token = secrets.token_urlsafe(24)
        self.lock = threading.RLock()
        self._clock = clock
        self.order = people.deal(self.model, deal, posts)
        self.deal = deal
        self.seats: dict[str, Seat] = {}  # by token
        self.meeting = 1  # the meeting being decided
        self.decision_seconds = decision_seconds
        self.deadline: float | None = None
        self.remaining: float | None = None  # while paused
        self.ended = False
        self.self_interest_enabled = False
        self.network_visible = False
        self.choices: dict[int, Choice] = {}
        self.record = Record(self)
        self.stories = people.Stories(self.model)
        self._seen_requests: set[str] = set()
        self._taken_over: set[str] = set()  # device tokens of people rejoined elsewhere
        self.version = 0
        self._listeners: set[Callable[[], None]] = set()
        #: Called once when the session ends, before any page hears of it (saving it).
        self.on_end: Callable[[], None] | None = None

    # --- participants ------------------------------------------------------------------------

    def join(self, code: str, name: str) -> Seat:
        """A participant joins with the room's code and a display name, and is dealt a person.

        Raises:
            Refusal: Wrong code, a bad name, or the room is full or over.
        """
        with self.lock:
            self._check_code(code)
            name = " ".join(str(name).split())
            if not 1 <= len(name) <= 30:
                raise Refusal(
                    "invalid", f"name={name!r} is not allowed: expected 1 to 30 characters"
                )
            if self.ended:
                raise Refusal("forbidden", "this session has ended: no more joining")
            taken = {seat.person for seat in self.seats.values()}
            free = [
                post
                for post in self.order
                if post not in taken and self.model.state.people.active[post]
            ]
            if len(self.seats) >= MAX_PARTICIPANTS:
                raise Refusal(
                    "forbidden", f"the room is full: it takes {MAX_PARTICIPANTS} participants"
                )
            if not free:
                raise Refusal("forbidden", self._all_dealt(taken))
            seat = Seat(
                f"P{len(self.seats) + 1}",
                name,
                free[0],
                secrets.token_urlsafe(18),
                self._unused_rejoin_code(),
            )
            self.seats[seat.token] = seat
            self.model.played.play(seat.person)  # the model plays it no more
            self.record.add(seat, "join", "participant", "participant")
        self._changed()
        return seat

    def _all_dealt(self, taken: set[int]) -> str:
        """Why nobody more can join: every post the deal holds is played or has left."""
        gone = "" if taken >= set(self.order) else " or no longer in the network"
        if self.deal == "fixed":
            return (
                f"all {len(self.order)} posts in this room's deal "
                f"({', '.join(map(str, self.order))}) are taken{gone}: ask the facilitator, "
                "who can deal more posts in a new room"
            )
        return (
            f"all {len(self.order)} posts a participant can play in this network are "
            f"taken{gone}: ask the facilitator"
        )

    def rejoin(self, code: str, rejoin_code: str) -> Seat:
        """A participant gets their person back with their personal rejoin code.

        The device that rejoins takes the person over: the seat gets a new device token,
        and a page still open with the old one is told, from its next view on, that the
        person was taken over on another device. So a phone that died can be replaced at
        once, and two devices never play one person.

        Raises:
            Refusal: Wrong room code or rejoin code.
        """
        with self.lock:
            self._check_code(code)
            wanted = str(rejoin_code).strip().upper()
            seat = next(
                (s for s in self.seats.values() if secrets.compare_digest(s.rejoin_code, wanted)),
                None,
            )
            if seat is None:
                raise Refusal("unknown", f"rejoin code {wanted!r} is not known in room {self.code}")
            del self.seats[seat.token]
            self._taken_over.add(seat.token)
            seat.token, seat.connected = secrets.token_urlsafe(18), 0  # old pages count no more
            self.seats[seat.token] = seat
        self._changed()  # the old device's page hears it now
        return seat

    def seat(self, token: str) -> Seat:
        """The seat of a participant's device token.

        Raises:
            Refusal: No participant has that token in this room, or another device took
                their person over with the rejoin code.
        """
        seat = self.seats.get(token) if isinstance(token, str) else None
        if seat is None and isinstance(token, str) and token in self._taken_over:
            raise Refusal(
                "forbidden",
                "your person was taken over on another device with your rejoin code: to "
                "play here again, rejoin with that code",
            )
        if seat is None:
            raise Refusal(
                "unknown",
                "unknown participant token for this room: join again "
                "with the room code, or use your rejoin code",
            )
        return seat

    def set_connected(self, token: str, change: int) -> None:
        """Count a participant's open pages up (1) or down (-1)."""
        with self.lock:
            seat = self.seats.get(token)
            if seat is None:
                return
            seat.connected = max(0, seat.connected + change)
        self._changed()

    def decide(
        self,
        token: str,
        *,
        request_id: str,
        meeting: int,
        field: str,
        value: str,
        target: int | None = None,
        person: int | None = None,
    ) -> None:
        """A participant makes one choice for their person at the next meeting.

        Args:
            token: The participant's device token.
            request_id: A fresh id for this request; an id seen before is refused.
            meeting: The meeting the choice is for (the one being decided).
            field: One of ``turns.FIELDS``.
            value: The choice (``turns.FIELDS[field]``; for ``talk``, posts comma-separated).
            target: The proposer whose request a ``verdict`` answers.
            person: The person the request claims to act for, if it says; must be theirs.

        Raises:
            Refusal: The request is not theirs, replayed, late or invalid; nothing changed.
        """
        with self.lock:
            seat = self.seat(token)
            if person is not None and person != seat.person:
                raise Refusal(
                    "forbidden",
                    f"you play person {seat.person}; you cannot act for person {person}",
                )
            self._check_request(request_id, meeting)
            self._check_open()
            try:
                choice = turns.with_decision(
                    self.choices.get(seat.person, Choice()), field, value, target
                )
            except ValueError as error:
                raise Refusal("invalid", str(error)) from None
            if field == "self_interest" and not self.self_interest_enabled:
                raise Refusal("forbidden", "the self-interested act is not open yet")
            try:
                self.model.played.choose(seat.person, choice)
            except ChoiceError as error:
                raise Refusal("invalid", str(error)) from None
            self.choices[seat.person] = choice
            self._seen_requests.add(request_id)
            self.record.add(seat, field, value, "participant", target=target)
        self._changed()

    def decided(self, seat: Seat) -> bool:
        """Whether a participant has made every choice the meeting asks of them."""
        choice = self.choices.get(seat.person, Choice())
        for name in people.required_fields(self, seat.person):
            if name == "verdicts":
                if not set(choice.verdicts) >= {r.proposer for r in self.requests(seat.person)}:
                    return False
            elif getattr(choice, name) is None:
                return False
        return True

    def requests(self, person: int) -> list:
        """The change requests waiting on ``person`` as a played senior leader."""
        with self.lock:
            return self.model.played.requests(person)

    # --- the facilitator --------------------------------------------------------------------

    def check_facilitator(self, token: str) -> None:
        """Raise ``Refusal`` unless ``token`` is the facilitator's."""
        if not isinstance(token, str) or not secrets.compare_digest(token, self.facilitator_token):
            raise Refusal("forbidden", "this needs the facilitator's token")

    def facilitate(self, token: str, *, request_id: str, action: str, value=None) -> None:
        """A facilitator's action, checked against the facilitator's token.

        Actions: ``advance``, ``timer`` (seconds), ``pause``, ``resume``, ``event`` (a
        kind of ``EVENT_KINDS``), ``network`` (show: bool), ``self_interest`` (enable:
        bool), ``deal`` (``{"deal": "mix"}`` or ``{"deal": "fixed", "posts": [...]}``,
        before anyone joins) or ``end``.

        Raises:
            Refusal: Not the facilitator, a replayed request, or a bad action or value.
        """
        with self.lock:
            self.check_facilitator(token)
            self._check_request(request_id, self.meeting)
            handler = {
                "advance": self._advance,
                "timer": self._start_timer,
                "pause": self._pause,
                "resume": self._resume,
                "event": self._event,
                "network": self._show_network,
                "self_interest": self._enable,
                "deal": self._deal,
                "end": self._end,
            }.get(action)
            if handler is None:
                raise Refusal("invalid", f"action={action!r} is not allowed")
            if self.ended and action != "network":
                raise Refusal("forbidden", "this session has ended")
            was_over = self.ended
            handler(value)
            self._seen_requests.add(request_id)
            if self.ended and not was_over and self.on_end is not None:
                self.on_end()  # so a page that shows the debrief finds the session saved
        self._changed()

    def _advance(self, _value) -> None:
        """Play the meeting: choices not made are the model's."""
        played = self._played()
        self.record.close_meeting(played, self.choices)
        before = people.snapshot(self.model)
        changes = watch.ChangeWatch(self.model, played)
        turns.play_meeting(self.model, played, self.choices, each_week=changes.week)
        for seat in self.seats.values():
            seat.feedback = people.feedback(self.model, before, changes, seat.person, self.choices)
        self.stories.add(self.model)
        self.choices = {}
        self.meeting += 1
        self.ended = turns.over(self.model)
        self.deadline = None if self.ended else self._clock() + self.decision_seconds
        self.remaining = None

    def _start_timer(self, seconds) -> None:
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not (1 <= seconds <= 3600)
        ):
            raise Refusal(
                "invalid", f"timer={seconds!r} is not allowed: expected seconds from 1 to 3600"
            )
        self.deadline, self.remaining = self._clock() + seconds, None
        self.decision_seconds = seconds  # and for each meeting after, until changed

    def _pause(self, _value) -> None:
        if self.deadline is not None:
            self.remaining, self.deadline = max(0.0, self.deadline - self._clock()), None

    def _resume(self, _value) -> None:
        if self.remaining is not None:
            self.deadline, self.remaining = self._clock() + self.remaining, None

    def _event(self, kind) -> None:
        if kind not in EVENT_KINDS:
            raise Refusal(
                "invalid",
                f"event={kind!r} is not allowed: expected one of {', '.join(EVENT_KINDS)}",
            )
        why_not = whatif.not_now(self.model, kind, whatif.set_off(self.record.rows))
        if why_not is not None:  # now it would change nothing, yet stand in the record
            raise Refusal("stale", why_not)
        try:
            self.model.apply_event(kind)
        except ParameterError as error:  # one that could not be replayed from the record
            raise Refusal("invalid", str(error)) from None
        self.record.add(None, "event", kind, "facilitator")

    def _show_network(self, show) -> None:
        self.network_visible = bool(show)

    def _enable(self, enable) -> None:
        self.self_interest_enabled = bool(enable)

    def _deal(self, value) -> None:
        if self.seats:  # a person once dealt is theirs: re-dealing would swap people
            raise Refusal(
                "stale",
                f"roles cannot be dealt another way now: {len(self.seats)} "
                "people have joined (open a new room to deal afresh)",
            )
        if not isinstance(value, dict) or not isinstance(value.get("posts", []), list):
            raise Refusal(
                "invalid",
                f"deal={value!r} is not allowed: expected "
                '{"deal": "mix"} or {"deal": "fixed", "posts": [post, ...]}',
            )
        try:
            self.order = people.deal(self.model, value.get("deal"), value.get("posts"))
        except ValueError as error:
            raise Refusal("invalid", str(error)) from None
        self.deal = value["deal"]

    def _end(self, _value) -> None:
        self.ended = True
        self.deadline = self.remaining = None

    def close(self) -> None:
        """End the session for good (its server forgets it); open pages are told.

        A session still under way ends as if the facilitator had ended it: saved
        (``on_end``), unless nothing happened in it.
        """
        with self.lock:
            under_way = not self.ended
            self._end(None)
            if under_way and self.record.rows and self.on_end is not None:
                self.on_end()
        self._changed()

    # --- time ---------------------------------------------------------------------------------

    def seconds_left(self) -> float | None:
        """Seconds left to decide, None if no timer runs (paused: the time left then)."""
        if self.remaining is not None:
            return self.remaining
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self._clock())

    def time_is_up(self) -> bool:
        """Whether the timer has run out for the meeting being decided."""
        left = self.seconds_left()
        return left is not None and left <= 0

    # --- listeners ----------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every change; returns the function that unsubscribes."""
        self._listeners.add(listener)
        return lambda: self._listeners.discard(listener)

    def _changed(self) -> None:
        with self.lock:
            self.version += 1
            listeners = list(self._listeners)
        for listener in listeners:  # outside the lock: a listener may read the room
            listener()

    # --- checks -------------------------------------------------------------------------------

    def _played(self) -> list[int]:
        return sorted(seat.person for seat in self.seats.values())

    def _check_code(self, code: str) -> None:
        if not isinstance(code, str) or code.strip().upper() != self.code:
            raise Refusal(
                "unknown", f"room code {code!r} is not this room's: check the code on the projector"
            )

    def _check_request(self, request_id: str, meeting: int) -> None:
        if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
            raise Refusal(
                "invalid",
                f"request_id={request_id!r} is not allowed: expected 8 to "
                "64 letters, digits, - or _",
            )
        if request_id in self._seen_requests:
            raise Refusal("stale", f"request {request_id} was already received: nothing changed")
        if meeting != self.meeting:
            raise Refusal(
                "stale",
                f"meeting={meeting!r} is not the meeting being decided (meeting {self.meeting})",
            )

    def _check_open(self) -> None:
        if self.ended:
            raise Refusal("forbidden", "this session has ended")
        if self.time_is_up():
            raise Refusal(
                "stale", f"time is up for meeting {self.meeting}: the model decides what is left"
            )

    def _unused_rejoin_code(self) -> str:
        used = {seat.rejoin_code for seat in self.seats.values()}
        while (code := new_code()) in used:
            pass
        return code
