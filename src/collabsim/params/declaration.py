"""How a parameter is declared: its type, default, range, unit, meaning and evidence."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from collabsim.organisations import ACADEMIC_PARTNER_KIND
from collabsim.params.checks import ParameterError, python_value, suggest
from collabsim.params.events import Event


@dataclass(frozen=True)
class Parameter:
    """Declaration of one model parameter.

    Args:
        name: Public name (the field's own words).
        kind: ``"float"``, ``"int"``, ``"bool"``, ``"choice"``, ``"kinds"`` (a list of
            organisation kinds) or ``"events"`` (the scenario timeline).
        default: Default value (the ``iocn`` scenario).
        meaning: One line saying what it is, for docs, CLI help and sliders.
        unit: Unit of the value.
        low: Smallest allowed value (numbers only).
        high: Largest allowed value (numbers only).
        choices: Allowed values for ``"choice"`` and ``"kinds"``.
        group: Section it belongs to in docs and the dashboard.
        symbol: Symbol used in the model description, if any.
        evidence: Where the mechanism or value comes from.
        lever: Whether it is one of the policy levers workshop rooms and sweeps pull.
        plain: What the lever means to a lay audience (dashboard help text), for levers.
        live: Whether the model reads it afresh each week, so a change mid-run takes
            effect from the next week (``CollaborationModel.change_levers``); false for
            parameters that shape the network at the start and need a new run.
    """

    name: str
    kind: str
    default: Any
    meaning: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    group: str = ""
    symbol: str = ""
    evidence: str = ""
    lever: bool = False
    plain: str = ""
    live: bool = False

    @property
    def bounds(self) -> tuple[float, float] | None:
        """``(low, high)`` for numeric parameters, else ``None``."""
        if self.kind in ("float", "int"):
            return (self.low, self.high)
        return None

    def allowed(self, *, compact: bool = False) -> str:
        """Describe the allowed values in words, or in a few characters (``0–1``)."""
        low, high = _fmt(self.low), _fmt(self.high)
        if self.kind == "float":
            return f"{low}–{high}" if compact else f"a number from {low} to {high}"
        if self.kind == "int":
            return (
                f"whole number {low}–{high}" if compact else f"a whole number from {low} to {high}"
            )
        if self.kind == "bool":
            return "true/false" if compact else "true or false"
        if self.kind == "choice":
            return "/".join(self.choices) if compact else "one of " + ", ".join(self.choices)
        if self.kind == "kinds":
            return ("list of: " if compact else "a list of organisation kinds from ") + ", ".join(
                self.choices
            )
        if compact:
            return "list of events (see Event kinds)"
        return "a list of events, each with step and kind (see EVENT_KINDS)"

    def expected(self) -> str:
        """The allowed values in words, with the unit where it says more than they do."""
        if self.unit == "0-1":  # a scale, not a unit: worth saying only for a part of it
            return self.allowed() + ("" if (self.low, self.high) == (0, 1) else " (on a 0-1 scale)")
        return self.allowed() + (f" ({self.unit})" if self.unit else "")

    def validate(self, value: Any) -> Any:
        """Return ``value`` in canonical form, or raise ``ParameterError``.

        NumPy scalars (as a pandas table gives them) count as the Python values they hold.
        """
        value = python_value(value)
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._error(value)
            try:
                value = float(value)
            except OverflowError:  # a whole number too large for a float, e.g. 10**400
                raise self._error(value) from None
            if not (math.isfinite(value) and self.low <= value <= self.high):
                raise self._error(value)
            return value
        if self.kind == "int":
            if isinstance(value, bool):
                raise self._error(value)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int) or not self.low <= value <= self.high:
                raise self._error(value)
            return int(value)
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise self._error(value)
            return value
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:  # an array has no "in"
                raise self._error(value)
            return value
        if self.kind == "kinds":
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise self._error(value)
            value = tuple(python_value(v) for v in value)
            if ACADEMIC_PARTNER_KIND in value:
                raise ParameterError(
                    f"{self.name}: leave out {ACADEMIC_PARTNER_KIND!r}; it joins when "
                    "academic_partner is true"
                )
            unknown = [v for v in value if v not in self.choices]
            if unknown or not value:
                raise self._error(value, suggest(unknown[0], self.choices) if unknown else "")
            return value
        return tuple(Event.from_value(v) for v in _as_list(value, self.name))

    def parse(self, text: str) -> Any:
        """Parse ``text`` from the command line and validate it."""
        text = text.strip()
        if self.kind in ("float", "int"):
            try:
                number = float(text) if self.kind == "float" else int(text)
            except ValueError:
                raise self._error(text) from None
            return self.validate(number)
        if self.kind == "bool":
            lowered = text.lower()
            if lowered in ("true", "yes", "on", "1"):
                return True
            if lowered in ("false", "no", "off", "0"):
                return False
            raise self._error(text)
        if self.kind == "choice":
            return self.validate(text)
        if self.kind == "kinds":
            return self.validate([part.strip() for part in text.split(",") if part.strip()])
        raise ParameterError(f"{self.name}: set events with --event STEP:KIND[:ORGANISATION]")

    def _error(self, value: Any, hint: str = "") -> ParameterError:
        message = f"{self.name}={value!r} is not allowed: expected {self.expected()}"
        return ParameterError(message + (f"; {hint}" if hint else ""))


def _fmt(x: float | None) -> str:
    return f"{x:g}" if x is not None else "?"


def _as_list(value: Any, name: str) -> list:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ParameterError(f"{name} must be a list of events, got {value!r}")
    return list(value)
