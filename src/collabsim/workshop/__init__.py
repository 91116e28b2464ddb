"""Participatory workshops: people in the room play people of the network.

A facilitator opens a room (``collabsim workshop``); participants join from their phones
with the room's code and each plays one person of the network, meeting by meeting, while
the model plays everyone else. ``room`` holds a session, ``record`` saves and replays it,
``debrief`` compares it with the model's own run, ``server`` serves the pages.
"""

from collabsim.workshop.record import replay
from collabsim.workshop.room import Refusal, Room

#: How to install what the workshop's web server needs (the ``workshop`` extra).
INSTALL = 'pip install "collabsim[workshop]"'

__all__ = ["INSTALL", "Refusal", "Room", "replay"]
