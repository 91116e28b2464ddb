"""The record of a workshop session: every decision, when and by whom; saving; replay.

A saved session is a run folder (``collabsim.storage``: ``timeseries.parquet``,
``summary.json``, ``meta.json`` with the parameters and seed) with, beside it:

    decisions.csv / decisions.parquet   one row per decision, in the order made
    session.json                        scenario, seed, parameters, how posts were dealt

Rows: ``order``, ``meeting`` (the meeting the decision was for), ``week`` (the model's
week when made), ``time`` (UTC), ``seconds`` (since the room opened), ``participant``
(``P1``...; no names), ``person`` (post), ``role``, ``organisation``, ``field``,
``value``, ``target`` (the proposer a verdict answers, else -1) and ``source``
(``participant``, ``model`` for a choice left to the model, ``facilitator``). Fields:
the choices of ``collabsim.workshop.turns.FIELDS``, plus ``join``, ``played`` (a post
played at the meeting), ``event`` (a what-if) and ``advance`` (the meeting was held).

``replay`` plays a saved session again through the same steps as the room, so it gives
the room's run exactly.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from collabsim import storage
from collabsim.mechanisms.roles import ROLES
from collabsim.metrics import summarise
from collabsim.model import CollaborationModel
from collabsim.params import Params
from collabsim.played import Choice
from collabsim.runner import RunResult
from collabsim.workshop import turns
from collabsim.workshop.people import required_fields

if TYPE_CHECKING:
    from collabsim.workshop.room import Room
    from collabsim.workshop.seats import Seat

COLUMNS = (
    "order",
    "meeting",
    "week",
    "time",
    "seconds",
    "participant",
    "person",
    "role",
    "organisation",
    "field",
    "value",
    "target",
    "source",
)
DECISIONS_CSV, DECISIONS_PARQUET, SESSION = "decisions.csv", "decisions.parquet", "session.json"
#: Choice fields and how a recorded value sets them on a ``Choice``.
_SETTERS: dict[str, Callable[[dict, str, int], None]] = {
    "attend": lambda c, v, t: c.__setitem__("attend", v == "yes"),
    "talk": lambda c, v, t: c.__setitem__("talk_to", tuple(int(x) for x in v.split(",") if x)),
    "propose": lambda c, v, t: c.__setitem__("propose", v),
    "verdict": lambda c, v, t: c.setdefault("verdicts", {}).__setitem__(t, v == "grant"),
    "cede": lambda c, v, t: c.__setitem__("cede", v == "cede"),
    "self_interest": lambda c, v, t: c.__setitem__("self_interest", v == "act"),
}


class Record:
    """The decisions of one room, in the order they were made."""

    def __init__(self, room: Room) -> None:
        self._room = room
        self._opened = time.monotonic()
        self.rows: list[dict] = []

    def add(
        self,
        seat: Seat | None,
        field: str,
        value: str,
        source: str,
        *,
        target: int | None = None,
        person: int | None = None,
    ) -> None:
        """Add one row: ``seat`` made (or the model or facilitator made) a decision."""
        model = self._room.model
        post = seat.person if seat is not None else person
        org = role = ""
        if post is not None:
            org = model.state.organisations[model.state.people.org[post]].name
            role = ROLES[int(model.state.people.role[post])]
        self.rows.append(
            {
                "order": len(self.rows),
                "meeting": self._room.meeting,
                "week": model.steps,
                "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
                "seconds": round(time.monotonic() - self._opened, 3),
                "participant": seat.participant if seat is not None else "",
                "person": -1 if post is None else int(post),
                "role": role,
                "organisation": org,
                "field": field,
                "value": str(value),
                "target": -1 if target is None else int(target),
                "source": source,
            }
        )

    def close_meeting(self, played: list[int], choices: dict[int, Choice]) -> None:
        """Record who played the meeting about to be held, and each choice left to the model."""
        room = self._room
        by_person = {seat.person: seat for seat in room.seats.values()}
        for person in played:
            seat = by_person[person]
            self.add(seat, "played", "participant", "facilitator")
            choice = choices.get(person, Choice())
            for name in ("attend", "propose", "cede"):
                if getattr(choice, name) is None and name in required_fields(room, person):
                    self.add(seat, name, "model", "model")
            for request in room.requests(person):
                if request.proposer not in choice.verdicts:
                    self.add(seat, "verdict", "model", "model", target=request.proposer)
        self.add(None, "advance", "meeting", "facilitator")

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame with the columns ``COLUMNS``."""
        return pd.DataFrame(self.rows, columns=list(COLUMNS))

    def save(self, folder: str | Path) -> Path:
        """Write the session: the room's run, the decisions and the session's settings.

        Returns:
            The folder written.
        """
        room = self._room
        model = room.model
        result = RunResult(
            room.params, room.seed, model.steps, model.timeseries(), summarise(model)
        )
        folder = storage.write_run(result, folder, scenario=room.scenario)
        decisions = self.frame()
        storage.write_atomically(
            folder / DECISIONS_CSV, lambda h: h.write(decisions.to_csv(index=False).encode())
        )
        session = {
            "scenario": room.scenario,
            "seed": room.seed,
            "parameters": room.params.to_dict(),
            "deal": room.deal,
            "posts": room.order,
            "meetings": room.meeting - 1,
        }
        storage.write_parquet(  # says what made it, as every Parquet file collabsim writes
            folder / DECISIONS_PARQUET,
            pa.Table.from_pandas(decisions, preserve_index=False),
            storage.parquet_metadata({**storage.origin(), **session}),
        )
        storage.write_atomically(
            folder / SESSION, lambda h: h.write(json.dumps(session, indent=2).encode())
        )
        for name in (DECISIONS_CSV, DECISIONS_PARQUET, SESSION):
            storage.record_output(folder, name)
        return folder


Policy = Callable[[CollaborationModel, int, Choice], Choice]


def replay_rows(
    params: Params,
    seed: int,
    rows: pd.DataFrame,
    *,
    played: bool = True,
    policy: Policy | None = None,
) -> CollaborationModel:
    """Play a recorded session again and return the model at its end.

    Args:
        params: The session's parameters.
        seed: Its seed.
        rows: Its decisions (``Record.frame`` or the saved table).
        played: False plays every person by the model (the what-if events still happen).
        policy: Changes each played person's recorded choice before the meeting
            (``policy(model, person, choice)``), for the debrief's other runs.
    """
    model = CollaborationModel(params, rng=seed)
    rows = rows.sort_values("order")
    for _, group in rows.groupby("meeting", sort=True):
        choices: dict[int, dict] = {}
        people: list[int] = []
        for row in group.itertuples(index=False):
            if row.field == "event":
                model.apply_event(row.value)
            elif row.field == "played":
                people.append(int(row.person))
            elif row.field in _SETTERS and row.source == "participant":
                _SETTERS[row.field](
                    choices.setdefault(int(row.person), {}), row.value, int(row.target)
                )
        if not (group["field"] == "advance").any():
            break  # the meeting being decided when the session was saved
        if not played:
            people, choices = [], {}
        built = {person: Choice(**values) for person, values in choices.items()}
        if policy is not None:
            turns.set_played(model, people)
            built = {
                person: policy(model, person, built.get(person, Choice())) for person in people
            }
        turns.play_meeting(model, people, built)
    return model


def replay(folder: str | Path) -> CollaborationModel:
    """Play a saved session again from its record; its run is the room's exactly.

    Raises:
        FileNotFoundError: The folder has no saved session.
    """
    folder = Path(folder)
    if not (folder / SESSION).is_file():
        raise FileNotFoundError(f"{str(folder)!r} holds no saved workshop session (no {SESSION})")
    session = json.loads((folder / SESSION).read_text())
    rows = pd.read_parquet(folder / DECISIONS_PARQUET)
    return replay_rows(Params(**session["parameters"]), session["seed"], rows)
