"""A robustness study checked in full: its levers, its contexts and every arm to run.

``make_plan`` takes the study's settings (as the study file gives them, see
``collabsim.robustness.files``), checks every value against the parameter declarations
and builds each (context, lever) *cell*: the lever's low and high arm in that context.
A context is a set of parameter overrides on top of the scenario; an arm is the
scenario, then the context's overrides, then the lever's value (and what the lever
needs to mean anything: ``LEVER_NEEDS``). A cell whose two arms are exactly those of an
earlier context (a size that is the scenario's own, say, or a context that sets the
lever itself) is not repeated: it is recorded in ``RobustnessPlan.repeats``.

Every mistake raises ``RobustnessError`` in one line naming the file and the field,
before anything runs.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collabsim.checks import not_whole_number, path_option
from collabsim.params import (
    LEVERS,
    PARAMETERS,
    ParameterError,
    Params,
    declaration,
    python_value,
    suggest,
)
from collabsim.scenarios import DEFAULT_SCENARIO, available, scenario
from collabsim.sweeps.sampling import MAX_REPLICATES, SweepError
from collabsim.validation.runner import arm_key

#: Directions a lever's effect (high minus low) is expected to take.
EXPECTS: tuple[str, ...] = ("higher", "lower")

#: Kinds of context, in the order the study builds them.
CONTEXT_KINDS: tuple[str, ...] = ("defaults", "accepted", "size", "network_type", "channel_off")

#: What a lever needs set in its arms to mean anything.
LEVER_NEEDS: dict[str, dict[str, Any]] = {"partner_strength": {"academic_partner": True}}

#: What an accepted-sets file is, said when a file is not one.
CSV_EXPECTED = "expected a CSV file (commas) with one column per parameter, as calibrate writes"
#: The column of an accepted-sets file that names a set rather than a parameter.
POINT_COLUMN = "point"

#: Parameters an accepted-sets file cannot set (lists, not single values).
NOT_IN_ACCEPTED: tuple[str, ...] = tuple(
    name for name, p in PARAMETERS.items() if p.kind in ("kinds", "events")
)

#: Fewest seeds a study accepts (a paired test needs some pairs).
MIN_SEEDS = 2


class RobustnessError(SweepError):
    """A robustness study, file or option that is not allowed (one line)."""


@dataclass(frozen=True)
class Lever:
    """A lever of the study: the two settings compared and the effect expected.

    Attributes:
        name: The parameter (declared ``lever=True``).
        low: The setting compared against.
        high: The setting compared; the effect is high minus low.
        expect: ``"higher"`` or ``"lower"``: the expected sign of high minus low.
    """

    name: str
    low: Any
    high: Any
    expect: str = "higher"

    def setting(self, level: str) -> dict[str, Any]:
        """The parameter values an arm at ``level`` (``"low"`` or ``"high"``) sets."""
        return {**LEVER_NEEDS.get(self.name, {}), self.name: getattr(self, level)}


@dataclass(frozen=True)
class Context:
    """A context the levers are re-estimated in.

    Attributes:
        kind: One of ``CONTEXT_KINDS``.
        label: Short name, as in the tables (``n_people=100``, ``accepted point 3``).
        overrides: Parameter values set on top of the scenario.
    """

    kind: str
    label: str
    overrides: Mapping[str, Any]


@dataclass(frozen=True)
class Cell:
    """One lever in one context: its low and high arms."""

    context: Context
    lever: Lever
    low: Params
    high: Params


@dataclass(frozen=True)
class RobustnessPlan:
    """A robustness study, checked: what to run and how.

    Attributes:
        name: The study's name (its results go to ``results/robustness/<name>`` by
            default).
        scenario: The scenario the contexts start from (preset name or TOML path).
        seeds: Runs per arm; replicate ``r`` has the same seed in every arm.
        seed: Master seed of the replicate seeds and of the bootstrap.
        steps: Weeks per run.
        levers: The levers, in the study's order.
        contexts: The contexts, in order (``CONTEXT_KINDS``).
        cells: Each (context, lever) to estimate, contexts outer.
        repeats: ``(context, lever, earlier context)`` for each cell left out because
            its arms are those of the earlier context.
        source: The study file, if the plan came from one.
        accepted: The accepted-sets file used, if any.
    """

    name: str
    scenario: str
    seeds: int
    seed: int
    steps: int
    levers: tuple[Lever, ...]
    contexts: tuple[Context, ...]
    cells: tuple[Cell, ...]
    repeats: tuple[tuple[str, str, str], ...] = ()
    source: str | None = None
    accepted: str | None = None

    def describe(self) -> dict[str, Any]:
        """The plan as plain values (for ``meta.json``)."""
        return {
            "name": self.name,
            "scenario": self.scenario,
            "seeds": self.seeds,
            "seed": self.seed,
            "steps": self.steps,
            "source": self.source,
            "accepted": self.accepted,
            "levers": [
                {"name": lv.name, "low": lv.low, "high": lv.high, "expect": lv.expect}
                for lv in self.levers
            ],
            "contexts": [
                {"kind": c.kind, "label": c.label, "overrides": dict(c.overrides)}
                for c in self.contexts
            ],
            "cells": len(self.cells),
            "repeats": [list(r) for r in self.repeats],
        }


def make_plan(
    *,
    levers: Mapping[str, Any],
    name: str = "robustness",
    scenario: str = DEFAULT_SCENARIO,
    seeds: int = 20,
    seed: int = 0,
    steps: int | None = None,
    sizes: Sequence[int] = (),
    network_types: Sequence[str] = (),
    partner_channels_off: Sequence[str] = (),
    accepted: str | Path | None = None,
    max_accepted: int | None = None,
    where: str = "",
    source: str | None = None,
) -> RobustnessPlan:
    """Check a robustness study and build every cell it needs.

    Args:
        levers: Each lever by name: ``{"low": .., "high": .., "expect": "higher"}``
            (``expect`` optional) or a ``Lever``.
        name: The study's name.
        scenario: A shipped scenario or the path of a scenario TOML file.
        seeds: Runs per arm (``MIN_SEEDS`` to ``MAX_REPLICATES``).
        seed: Master seed (0 is a seed).
        steps: Weeks per run (the scenario's horizon if None).
        sizes: ``n_people`` of the size contexts.
        network_types: ``network_type`` of the network contexts.
        partner_channels_off: ``partner_channel_off`` of the channel contexts.
        accepted: A CSV of parameter sets accepted by calibration (one column per
            parameter, optionally ``point``); each set is a context.
        max_accepted: Use at most this many accepted sets, in file order.
        where: Prefix of every error message (the study file).
        source: The study file, recorded in the plan.

    Returns:
        The plan.

    Raises:
        RobustnessError: Any value not allowed, naming the field.
    """
    prefix = f"{where}: " if where else ""

    def fail(field: str, message: str) -> RobustnessError:
        return RobustnessError(f"{prefix}{field}: {message}")

    if not isinstance(name, str) or not name or "/" in name or "\\" in name:
        raise fail("name", f"{name!r} is not allowed: expected a plain folder name")
    if source is not None:  # read again when the study records it
        source = str(
            path_option(
                "source",
                source,
                expected="the path of the study file, or None",
                error=RobustnessError,
            )
        )
    seeds = _check_whole(seeds, "seeds", MIN_SEEDS, fail, largest=MAX_REPLICATES)
    seed = _check_whole(seed, "seed", 0, fail)
    base = _scenario(scenario, fail)
    steps = _check_whole(base.horizon if steps is None else steps, "steps", 1, fail)
    chosen = _levers(levers, fail)
    contexts = [Context("defaults", "defaults", {})]
    if accepted is not None:
        contexts += _accepted(accepted, max_accepted, fail)
    elif max_accepted is not None:  # a limit on nothing: the user meant to give sets
        raise fail("max_accepted", "limits the accepted sets: give accepted as well")
    contexts += _choices("sizes", "n_people", sizes, "size", fail)
    contexts += _choices("network_types", "network_type", network_types, "network_type", fail)
    contexts += _choices(
        "partner_channels_off", "partner_channel_off", partner_channels_off, "channel_off", fail
    )
    cells, repeats = _cells(base, contexts, chosen, steps, fail)
    return RobustnessPlan(
        name,
        str(scenario),
        seeds,
        seed,
        steps,
        tuple(chosen),
        tuple(contexts),
        tuple(cells),
        tuple(repeats),
        source,
        None if accepted is None else str(accepted),
    )


def _check_whole(value: Any, field: str, smallest: int, fail, *, largest: int | None = None) -> int:
    """``value`` if it is a whole number in range, else ``fail``; NumPy's as Python's.

    Every whole-number option of a study passes here, so a NumPy integer (from a table
    or an array) is taken as the Python one and the plan holds plain, JSON-ready values.
    """
    value = python_value(value)
    if (reason := not_whole_number(value, smallest, largest)) is not None:
        raise fail(field, reason)
    return value


def _scenario(name: Any, fail) -> Params:
    if not isinstance(name, str) or not name:
        raise fail("scenario", f"{name!r} is not allowed: expected a scenario name or TOML path")
    if name.endswith(".toml"):
        if not Path(name).is_file():
            raise fail("scenario", f"no such scenario file {name!r}")
    elif name not in available():
        hint = suggest(name, available())
        raise fail(
            "scenario",
            f"{name!r} is not a scenario; allowed: "
            + ", ".join(available())
            + (f"; {hint}" if hint else ""),
        )
    try:
        return scenario(name)
    except (ParameterError, OSError, UnicodeDecodeError) as error:
        raise fail("scenario", " ".join(str(error).split())) from None


def _levers(levers: Any, fail) -> list[Lever]:
    if not isinstance(levers, Mapping) or not levers:
        raise fail("levers", "give at least one lever, as name = {low = .., high = ..}")
    chosen = []
    for name, spec in levers.items():
        field = f"levers.{name}"
        if name not in PARAMETERS:
            hint = suggest(str(name), LEVERS) or suggest(str(name), PARAMETERS)
            raise fail(
                field,
                f"{name!r} is not a parameter"
                + (f"; {hint}" if hint else "; levers: " + ", ".join(LEVERS)),
            )
        if not PARAMETERS[name].lever:
            raise fail(
                field,
                f"{name} is not a policy lever (its declaration has "
                f"lever=False); levers: {', '.join(LEVERS)}",
            )
        if isinstance(spec, Lever):
            spec = {"low": spec.low, "high": spec.high, "expect": spec.expect}
        if not isinstance(spec, Mapping):
            raise fail(field, f"{spec!r} is not allowed: expected {{low = .., high = ..}}")
        unknown = [key for key in spec if key not in ("low", "high", "expect")]
        if unknown:
            hint = suggest(str(unknown[0]), ("low", "high", "expect"))
            raise fail(
                field,
                f"unknown key {unknown[0]!r}; allowed: low, high, expect"
                + (f"; {hint}" if hint else ""),
            )
        for key in ("low", "high"):
            if key not in spec:
                raise fail(field, f"no {key} value: give {{low = .., high = ..}}")
        values = {}
        for key in ("low", "high"):
            try:
                values[key] = declaration(name).validate(spec[key])
            except ParameterError as error:
                raise fail(f"{field}.{key}", str(error)) from None
        if values["low"] == values["high"]:
            raise fail(
                field, f"low and high are both {values['low']!r}: give two different settings"
            )
        expect = spec.get("expect", "higher")
        if expect not in EXPECTS:
            raise fail(
                f"{field}.expect",
                f"{expect!r} is not allowed: expected one of " + ", ".join(EXPECTS),
            )
        chosen.append(Lever(name, values["low"], values["high"], expect))
    return chosen


def _choices(field: str, parameter: str, values: Any, kind: str, fail) -> list[Context]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise fail(
            f"contexts.{field}", f"{values!r} is not allowed: expected a list of {parameter} values"
        )
    contexts, seen = [], set()
    for value in values:
        try:
            value = declaration(parameter).validate(value)
        except ParameterError as error:
            raise fail(f"contexts.{field}", str(error)) from None
        if value in seen:
            raise fail(f"contexts.{field}", f"{value!r} is given twice")
        seen.add(value)
        contexts.append(Context(kind, f"{parameter}={value}", {parameter: value}))
    return contexts


def read_accepted(
    path: str | Path, *, limit: int | None = None, field: str = "accepted"
) -> list[Context]:
    """The contexts of an accepted-sets CSV: one per row, in file order.

    Args:
        path: The CSV (as ``collabsim calibrate`` writes ``accepted.csv``): a header of
            parameter names (and optionally ``point``), one row per accepted set.
        limit: Use at most this many rows.
        field: The field named in errors.

    Returns:
        One context per set, labelled ``<file stem> point <point>`` (``accepted point 3``,
        ``closest point 122``), or ``<file stem> <row>`` without a ``point`` column.

    Raises:
        RobustnessError: A missing or unreadable file, an unknown column, a bad value or
            no rows.
    """
    return _accepted(path, limit, lambda f, m: RobustnessError(f"{f}: {m}"), field=field)


def _accepted(path: Any, limit: Any, fail, *, field: str = "accepted") -> list[Context]:
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise fail(field, f"{path!r} is not allowed: expected the path of a CSV file")
    if limit is not None:
        limit = _check_whole(limit, "max_accepted", 1, fail)
    path = Path(path)
    if path.is_dir():
        raise fail(field, f"{str(path)!r} is a folder: expected the path of a CSV file")
    if not path.is_file():
        raise fail(
            field,
            f"no such file {str(path)!r} (accepted.csv is written by "
            "collabsim calibrate: run that first, or leave accepted out)",
        )
    try:
        # utf-8-sig: a spreadsheet's UTF-8 CSV starts with a byte-order mark
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise fail(
            field, f"cannot read {str(path)!r}: it is not UTF-8 text; {CSV_EXPECTED}"
        ) from None
    except (OSError, csv.Error) as error:
        reason = getattr(error, "strerror", None) or error
        raise fail(field, f"cannot read {str(path)!r}: {reason}") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise fail(field, f"{str(path)!r} is empty: expected a header of parameter names")
    header = [cell.strip() for cell in rows[0]]
    if len(header) == 1 and (other := next((s for s in ";\t|" if s in header[0]), None)):
        raise fail(
            field,
            f"{str(path)!r} is separated by {other!r}, not commas; {CSV_EXPECTED}",
        )
    for column in header:
        if column == POINT_COLUMN:
            continue
        if column not in PARAMETERS:
            hint = suggest(column, PARAMETERS)
            raise fail(
                field,
                f"{str(path)!r}: column {column!r} is not a parameter"
                + (f"; {hint}" if hint else ""),
            )
        if column in NOT_IN_ACCEPTED:
            raise fail(
                field,
                f"{str(path)!r}: column {column!r} cannot be set from a CSV "
                "(it is a list); set it in the scenario",
            )
    if len(set(header)) != len(header):
        twice = next(c for c in header if header.count(c) > 1)
        raise fail(field, f"{str(path)!r}: column {twice!r} is given twice")
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body:
        raise fail(field, f"{str(path)!r} has no accepted parameter sets (only a header)")
    contexts = []
    for number, row in enumerate(body[:limit] if limit is not None else body, start=1):
        if len(row) != len(header):
            raise fail(
                field, f"{str(path)!r} row {number}: {len(row)} values for {len(header)} columns"
            )
        overrides = {}
        label = f"{path.stem} {number}"  # a file of closest points says so in its labels
        for column, text in zip(header, row, strict=True):
            if column == POINT_COLUMN:
                label = f"{path.stem} point {text.strip()}"
                continue
            try:
                overrides[column] = declaration(column).validate(
                    _csv_value(declaration(column).kind, text, column)
                )
            except ParameterError as error:
                raise fail(field, f"{str(path)!r} row {number}: {error}") from None
        contexts.append(Context("accepted", label, overrides))
    return contexts


def _csv_value(kind: str, text: str, column: str) -> Any:
    text = text.strip()
    if kind in ("float", "int"):
        try:
            value = float(text)
        except ValueError:
            raise ParameterError(f"{column}={text!r} is not allowed: expected a number") from None
        return (
            int(value) if kind == "int" and math.isfinite(value) and value.is_integer() else value
        )
    return declaration(column).parse(text) if kind == "bool" else text


def _cells(
    base: Params, contexts: Sequence[Context], levers: Sequence[Lever], steps: int, fail
) -> tuple[list[Cell], list[tuple[str, str, str]]]:
    cells, repeats = [], []
    first: dict[tuple[str, str, str], str] = {}  # (lever, low key, high key) -> context
    for context in contexts:
        for lever in levers:
            arms = {}
            for level in ("low", "high"):
                try:
                    arms[level] = base.replace(**{**context.overrides, **lever.setting(level)})
                except ParameterError as error:
                    raise fail(
                        f"contexts ({context.label})",
                        f"{lever.name}={getattr(lever, level)!r}: " + " ".join(str(error).split()),
                    ) from None
            identity = (
                lever.name,
                arm_key(arms["low"].to_dict(), steps),
                arm_key(arms["high"].to_dict(), steps),
            )
            if identity in first:
                repeats.append((context.label, lever.name, first[identity]))
                continue
            first[identity] = context.label
            cells.append(Cell(context, lever, arms["low"], arms["high"]))
    return cells, repeats
