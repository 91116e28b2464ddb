"""Participatory workshops: people in the room play people of the network.

A facilitator opens a room (``collabsim workshop``); participants join from their phones
with the room's code and each plays one person of the network, meeting by meeting, while
the model plays everyone else. ``room`` holds a session, ``record`` saves and replays it,
``debrief`` compares it with the model's own run, ``server`` serves the pages.
"""

from __future__ import annotations

import importlib
from typing import Any

#: How to install what the workshop's web server needs (the ``workshop`` extra).
INSTALL = 'pip install "collabsim[workshop]"'

# The room and its record load the compiled model: they are imported when first asked
# for, so that the command line can name the extra without loading the model.
_LAZY = {"Refusal": "seats", "Room": "room", "replay": "record"}


def __getattr__(name: str) -> Any:
    """``Room``, ``Refusal`` and ``replay``, imported from their modules when first used."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"collabsim.workshop.{_LAZY[name]}"), name)


__all__ = ["INSTALL", "Refusal", "Room", "replay"]
