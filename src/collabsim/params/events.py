"""The scenario timeline: the kinds of event, and an event scheduled in a given week."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from collabsim.checks import one_of
from collabsim.organisations import ORGANISATION_KINDS
from collabsim.params.checks import ParameterError, python_value, suggest

#: Weeks in a year: the timeline's weeks, for rates given a year.
WEEKS_PER_YEAR = 52

#: Kinds of scheduled event, with what each does.
EVENT_KINDS: dict[str, str] = {
    "self_interest_act": "a senior leader acts in self-interest (the Beston pay-rise story); "
    "optional organisation picks whose top acts",
    "resistant_member_leaves": "the most resistant person (power x territoriality x narrative "
    "distance) moves on and is replaced by a newcomer",
    "central_leader_leaves": "the central leader holding the centre leaves; an ordinary top "
    "takes the post and nobody holds the centre any more",
    "partner_withdraws": "the neutral academic partner and its convener withdraw",
    "budget_cut": "a budget cut raises tops' territoriality and everyone's workload; optional "
    "organisation limits it to one organisation",
    "programme_starts": "the leadership programmes (PLP and ALP) start",
}


@dataclass(frozen=True)
class Event:
    """A scheduled event on the scenario timeline.

    Args:
        step: Week at which it happens (applied at the start of that step), from 0 to
            the run's ``horizon`` (``Params`` refuses a later one).
        kind: One of ``EVENT_KINDS``.
        organisation: Organisation kind it concerns, where that matters.
    """

    step: int
    kind: str
    organisation: str | None = None

    def __post_init__(self) -> None:
        for name in ("step", "kind", "organisation"):  # e.g. from a pandas table
            object.__setattr__(self, name, python_value(getattr(self, name)))  # frozen
        if isinstance(self.step, bool) or not isinstance(self.step, int) or self.step < 0:
            raise ParameterError(
                f"events: step={self.step!r} is not allowed: expected a whole number >= 0 (week)"
            )
        if not isinstance(self.kind, str) or self.kind not in EVENT_KINDS:
            hint = suggest(self.kind, EVENT_KINDS)
            raise ParameterError(
                f"events: kind={self.kind!r} is not an event kind; allowed: "
                + ", ".join(EVENT_KINDS)
                + (f"; {hint}" if hint else "")
            )
        if self.organisation is not None:
            one_of(
                "events: organisation",
                self.organisation,
                tuple(ORGANISATION_KINDS),
                what="an organisation kind",
                error=ParameterError,
            )

    @classmethod
    def from_value(cls, value: Any) -> Event:
        """Build an event from an ``Event`` or a mapping such as a TOML table."""
        if isinstance(value, Event):
            return value
        if not isinstance(value, Mapping):
            raise ParameterError(f"events: each event must be a table or dict, got {value!r}")
        extra = set(value) - {"step", "kind", "organisation"}
        if extra:
            raise ParameterError(
                f"events: unknown field {sorted(extra)[0]!r}; allowed: step, kind, organisation"
            )
        if "step" not in value or "kind" not in value:
            raise ParameterError(f"events: each event needs step and kind, got {dict(value)!r}")
        return cls(value["step"], value["kind"], value.get("organisation"))

    @classmethod
    def parse(cls, text: str) -> Event:
        """Parse ``STEP:KIND[:ORGANISATION]`` from the command line."""
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise ParameterError(f"--event {text!r}: expected STEP:KIND[:ORGANISATION]")
        try:
            step = int(parts[0])
        except ValueError:
            raise ParameterError(f"--event {text!r}: STEP must be a whole number") from None
        return cls(step, parts[1], parts[2] if len(parts) == 3 else None)

    def to_dict(self) -> dict[str, Any]:
        """Return the event as a plain dict (TOML / JSON friendly)."""
        out: dict[str, Any] = {"step": self.step, "kind": self.kind}
        if self.organisation is not None:
            out["organisation"] = self.organisation
        return out


def drawn_budget_cuts(timeseries: Any, scheduled: Iterable[Event] = ()) -> list[Event]:
    """The budget cuts of a run's funding history, read from its time series, as events.

    The weeks in which the ``budget_cuts`` reporter rises by more than the ``budget_cut``
    events ``scheduled`` for that week (the timeline's, or what-ifs set off). A time series
    without that column (written before it was reported) has none.

    Args:
        timeseries: A run's time series, indexed by week (``RunResult.timeseries``).
        scheduled: The events scheduled or set off in the run.
    """
    if "budget_cuts" not in timeseries.columns:
        return []
    counts = timeseries["budget_cuts"].to_numpy(dtype=float)
    planned = [e.step for e in scheduled if e.kind == "budget_cut"]
    return [
        Event(int(week), "budget_cut")
        for week, rise in zip(timeseries.index[1:], counts[1:] - counts[:-1], strict=True)
        if rise > planned.count(week)
    ]
