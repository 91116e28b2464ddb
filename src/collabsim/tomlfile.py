"""Reading the project's TOML files: scenarios, sweeps and studies, one way for all.

A file that is missing, unreadable or not TOML, or that holds a table its kind does not
have, is refused in one line naming the file and the problem, as the reader's own error
(``ParameterError`` for a scenario, ``SweepError`` for a sweep file, ...).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from collabsim.params.checks import suggest


def read_toml(path: Path, what: str, error: type[Exception]) -> dict[str, Any]:
    """Read a TOML file, or raise ``error`` with one line naming the file and the problem.

    Args:
        path: The file.
        what: What the file is, for the message (``"sweep file"``).
        error: The exception class to raise.
    """
    try:
        if path.is_dir():
            raise error(f"{path}: a folder, not a {what}")
        if not path.is_file():
            raise error(f"{path}: no such {what}")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as failure:  # a name too long, say, or no access
        reason = getattr(failure, "strerror", None) or failure
        raise error(f"{path}: cannot read {what}: {reason}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as failure:
        raise error(f"{path}: not valid TOML: {failure}") from None


def check_tables(
    data: dict[str, Any], tables: tuple[str, ...], fail, *, arrays: tuple[str, ...] = ()
) -> None:
    """Refuse a table of a study file not in ``tables``, suggesting the nearest name.

    Args:
        data: The file as read by ``read_toml``.
        tables: The tables allowed.
        fail: Makes the exception to raise from a message.
        arrays: Those of ``tables`` that are arrays of tables, named ``[[points]]``.
    """
    for table, value in data.items():
        if table not in tables:
            hint = suggest(table, tables)
            is_table = isinstance(value, dict) or (
                isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
            )
            unknown = f"table [{table}]" if is_table else f"key {table!r} outside any table"
            raise fail(
                f"unknown {unknown}; allowed: "
                + ", ".join(f"[[{t}]]" if t in arrays else f"[{t}]" for t in tables)
                + (f"; {hint}" if hint else "")
            )


def check_are_tables(data: dict[str, Any], tables: tuple[str, ...], fail) -> None:
    """Refuse a name of ``tables`` that the file gives a value instead (``params = 5``).

    Args:
        data: The file as read by ``read_toml``.
        tables: The tables that must be tables, not values, where the file has them.
        fail: Makes the exception to raise from a message.
    """
    for table in tables:
        if table in data and not isinstance(data[table], dict):
            raise fail(f"{table} must be a table ([{table}])")


def scenario_beside(scenario: Any, path: Path) -> Any:
    """The scenario a file names, with a relative scenario TOML path read from its folder.

    Args:
        scenario: What the file gives: a preset name, a scenario TOML path, or anything
            else (checked later, where the scenario is loaded).
        path: The file that names it.
    """
    if (
        isinstance(scenario, str)
        and scenario.endswith(".toml")
        and not Path(scenario).is_absolute()
    ):
        return str(path.parent / scenario)
    return scenario


def check_keys(table: dict[str, Any], allowed: Sequence[str], where: str, fail) -> None:
    """Refuse a key of a file's table not in ``allowed``, suggesting the nearest name.

    Args:
        table: One table of the file as read by ``read_toml``.
        allowed: The keys it may have.
        where: The table, as the message names it (``"[sweep]"``).
        fail: Makes the exception to raise from a message.
    """
    for key in table:
        if key not in allowed:
            hint = suggest(key, allowed)
            raise fail(
                f"{where}: unknown key {key!r}; allowed: {', '.join(allowed)}"
                + (f"; {hint}" if hint else "")
            )
