"""The table of parameters: every declaration by name, the levers, lookup by name.

Also the longest run the horizon's declaration allows (``not_run_length``). The groups
are imported here in the table's order (which ``docs/parameters.md``, the levers and the
CLI's listings follow); each declares its parameters as it is imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from collabsim.checks import not_whole_number
from collabsim.params.checks import ParameterError, suggest
from collabsim.params.declaration import Parameter
from collabsim.params.registry import DECLARATIONS

#: The groups of parameters, in the table's order: importing each declares its parameters.
GROUPS = (
    "structure",
    "levers",
    "trust",
    "narrative",
    "attendance",
    "learning",
    "change",
    "commitment",
    "sustainability",
)
for _group in GROUPS:
    import_module(f"collabsim.params.groups.{_group}")

#: Every parameter, by name, in declaration order.
PARAMETERS: dict[str, Parameter] = {p.name: p for p in DECLARATIONS}

#: The policy levers (``docs/odd.md`` section 1.1), in declaration order.
LEVERS: tuple[str, ...] = tuple(name for name, p in PARAMETERS.items() if p.lever)


def unknown_parameter(name: str) -> ParameterError:
    """The error for a name that is not a parameter, with the closest names as a hint."""
    hint = suggest(name, PARAMETERS)
    return ParameterError(f"unknown parameter {name!r}" + (f"; {hint}" if hint else ""))


def declaration(name: str) -> Parameter:
    """Return the declaration of ``name``, or raise ``ParameterError`` with suggestions."""
    try:
        return PARAMETERS[name]
    except KeyError:
        raise unknown_parameter(name) from None


def not_run_length(value: Any) -> str | None:
    """Why ``value`` is not a run's length in weeks, or None if it is.

    A run lasts from 1 week to the longest horizon a scenario may have (the ``horizon``
    parameter's declared limit); the reason reads as ``not_whole_number``'s, saying so.
    """
    longest = PARAMETERS["horizon"].high
    reason = not_whole_number(value, 1, longest)
    if reason is None:
        return None
    return f"{reason} (weeks per run; {longest:,} is the longest horizon a scenario may have)"
