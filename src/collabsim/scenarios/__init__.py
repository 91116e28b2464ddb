"""Scenario presets: TOML files shipped with the package, each citing its evidence.

A scenario file has a ``[scenario]`` table (``description`` and ``evidence``, text), a
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
from collabsim.tomlfile import check_are_tables, check_keys, check_tables, read_toml


@dataclass(frozen=True)
class Scenario:
    """A scenario preset as read from its TOML file."""

    name: str
    description: str
    evidence: str
    values: dict[str, Any]


#: The scenario that runs when none is named: the IOCN, whose values are the defaults.
DEFAULT_SCENARIO = "iocn"

#: Tables of a scenario file (``events`` is an array of tables, ``[[events]]``).
TABLES: tuple[str, ...] = ("scenario", "params", "events")

#: Keys of the ``[scenario]`` table, each a string (parameters such as ``horizon`` go in
#: ``[params]``; the scenario's name is the file's).
SCENARIO_KEYS: tuple[str, ...] = ("description", "evidence")


def available() -> list[str]:
    """Names of the shipped scenario presets."""
    files = resources.files(__name__).iterdir()
    return sorted(Path(f.name).stem for f in files if f.name.endswith(".toml"))


def read_scenario_file(path: str | Path) -> Scenario:
    """Read a scenario TOML file (shipped or your own) without validating its values.

    Raises:
        ParameterError: The file cannot be read, has a table it should not, or its
            ``[scenario]`` table has a key other than ``SCENARIO_KEYS`` or one not a string.
    """
    path = Path(path)
    data = read_toml(path, "scenario file", ParameterError)

    def fail(message: str) -> ParameterError:
        return ParameterError(f"{path}: {message}")

    check_tables(data, TABLES, fail)
    check_are_tables(data, ("scenario", "params"), fail)  # [[events]] is checked by Params
    meta = data.get("scenario", {})
    check_keys(meta, SCENARIO_KEYS, "[scenario]", fail)
    for key, text in meta.items():
        if not isinstance(text, str):
            raise fail(f"[scenario]: {key}={text!r} is not allowed: expected a string")
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


def _a_path(name: str) -> bool:
    """Whether ``name``, not a shipped preset's, is meant as a file.

    It is when it ends in ``.toml``, has a folder in it, or names anything that exists.
    """
    try:
        return name.endswith(".toml") or os.sep in name or Path(name).exists()
    except OSError:  # too long a name to look up: not a preset's either
        return True


def scenario(name: str | os.PathLike, **overrides: Any) -> Params:
    """Validated parameters of scenario ``name`` with ``overrides`` applied.

    ``name`` is a shipped preset (``iocn``, ``clahrc``, ``beston``, ``hierarchy``) or
    the path of a scenario TOML file (a string or a ``pathlib.Path``): a name that is not
    a preset's is read as a file when it ends in ``.toml``, has a folder in it or exists.

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
    preset = load(name) if name in available() or not _a_path(name) else read_scenario_file(name)
    try:
        return Params(**{**preset.values, **overrides})
    except ParameterError as error:
        raise ParameterError(f"scenario {preset.name}: {error}") from None
