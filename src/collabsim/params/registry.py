"""Where the parameters are declared: every declaration, in order, and the studies' names."""

from __future__ import annotations

from typing import Any

from collabsim.params.declaration import Parameter

IOCN = "Mervyn, Amoo & Malby (2019)"
BESTON = "Kennedy, McKenzie & Thomas (2019)"

#: Every declaration, in the order made (``collabsim.params.table`` imports the groups).
DECLARATIONS: list[Parameter] = []


def declare(name: str, kind: str, default: Any, meaning: str, **details: Any) -> None:
    """Declare one parameter (see ``Parameter``)."""
    DECLARATIONS.append(Parameter(name, kind, default, meaning, **details))
