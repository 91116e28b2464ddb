"""Scenario presets: TOML files shipped with the package, each citing its evidence.

A scenario file has a ``[scenario]`` table (``description`` and ``evidence``), a
``[params]`` table of values that differ from the defaults (the defaults are the
``iocn`` scenario, so ``iocn.toml`` sets none), and optional ``[[events]]`` tables for
the timeline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from collabsim.params import ParameterError, Params, suggest
from collabsim.tomlfile import check_tables, read_toml


@dataclass(frozen=True)
class Scenario:
    """A scenario preset as read from its TOML file."""

    name: str
    description: str
    evidence: str
    values: dict[str, Any]


#: Tables of a scenario file (``events`` is an array of tables, ``[[events]]``).
TABLES: tuple[str, ...] = ("scenario", "params", "events")


def available() -> list[str]:
    """Names of the shipped scenario presets."""
    files = resources.files(__name__).iterdir()
    return sorted(Path(f.name).stem for f in files if f.name.endswith(".toml"))


def read_scenario_file(path: str | Path) -> Scenario:
    """Read a scenario TOML file (shipped or your own) without validating its values."""
    path = Path(path)
    data = read_toml(path, "scenario file", ParameterError)
    check_tables(data, TABLES, lambda message: ParameterError(f"{path}: {message}"))
    meta = data.get("scenario", {})
    values = dict(data.get("params", {}))
    if "events" in data:
        values["events"] = data["events"]
    return Scenario(path.stem, meta.get("description", ""), meta.get("evidence", ""), values)


def load(name: str) -> Scenario:
    """The shipped scenario ``name`` (an unknown name lists the close ones)."""
    if name not in available():
        hint = suggest(name, available())
        raise ParameterError(
            f"unknown scenario {name!r}; available: {', '.join(available())}"
            + (f"; {hint}" if hint else "")
        )
    with resources.as_file(resources.files(__name__) / f"{name}.toml") as path:
        return read_scenario_file(path)


def scenario(name: str | os.PathLike, **overrides: Any) -> Params:
    """Validated parameters of scenario ``name`` with ``overrides`` applied.

    ``name`` is a shipped preset (``iocn``, ``clahrc``, ``beston``, ``hierarchy``) or
    the path of a scenario TOML file (a string or a ``pathlib.Path``).

    Raises:
        ParameterError: ``name`` is not a scenario name or path, names no shipped
            scenario, or a value (the file's or an override) is not allowed.
    """
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    if not isinstance(name, str):
        raise ParameterError(
            f"scenario={name!r} is not allowed: expected the name of a "
            f"scenario ({', '.join(available())}) or the path of a "
            "scenario TOML file"
        )
    preset = read_scenario_file(name) if name.endswith(".toml") else load(name)
    try:
        return Params(**{**preset.values, **overrides})
    except ParameterError as error:
        raise ParameterError(f"scenario {preset.name}: {error}") from None
