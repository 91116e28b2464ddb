"""Who is in a room: participants' seats, their codes, and the room's refusals.

A ``Seat`` is a participant and the person they play; codes are what they type to join
or rejoin; a ``Refusal`` is any request the room turns down, saying why.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

#: Letters of join and rejoin codes: no 0/O or 1/I/L to misread on a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Refusal(Exception):
    """A request the room refuses; nothing changed. ``kind`` says why, for the server.

    Kinds: ``"forbidden"`` (not yours to do), ``"stale"`` (a replayed request or a past
    meeting), ``"invalid"`` (bad input), ``"unknown"`` (no such participant or room).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def new_code(length: int = 6) -> str:
    """A random code of ``length`` unambiguous letters and digits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


@dataclass
class Seat:
    """A participant and the person they play.

    Attributes:
        participant: Their label in the record (``P1``, ``P2``, ...): no personal data.
        name: The display name they typed.
        person: The post they play.
        token: Secret of their device (kept in the page's address and storage).
        rejoin_code: A short personal code to get their person back on another device.
    """

    participant: str
    name: str
    person: int
    token: str
    rejoin_code: str
    connected: int = 0
    feedback: list[str] = field(default_factory=list)
