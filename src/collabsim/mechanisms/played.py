"""People played by participants: their choices in place of the model's draws.

In a participatory workshop some posts are played by people in the room. What each of
them chooses before a meeting is held in these arrays, which the compiled change work
reads where it would otherwise draw: whether and how big a change to propose, and a
played senior leader's verdict on a request that touches their organisation. Everything
that follows a choice is the model's own mechanisms. With nobody played every entry says
``MODEL`` and the model draws exactly as it always does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from collabsim.jit import jit

#: The model decides (the entry of everyone nobody plays).
MODEL = -1
# What a played person proposes at a meeting.
NO_CHANGE, SMALL_TEST, REDESIGN = 0, 1, 2
# A played senior leader's verdict on a request.
BLOCK, GRANT = 0, 1


class Played(NamedTuple):
    """Choices of played people, as the compiled change work reads them.

    Attributes:
        propose: (N,) int8: ``MODEL``, ``NO_CHANGE``, ``SMALL_TEST`` or ``REDESIGN``.
        verdict: (N, organisations) int8: the played decider of organisation k on person
            i's request, ``MODEL``, ``BLOCK`` or ``GRANT``.
        decider: (organisations,) int64: the played senior leader who decides for each
            organisation, -1 where nobody is played.
        holding: (1,) bool: requests to a played decider wait for the next meeting.
    """

    propose: np.ndarray
    verdict: np.ndarray
    decider: np.ndarray
    holding: np.ndarray


def nobody(n_people: int, n_organisations: int) -> Played:
    """Arrays for a model in which nobody is played."""
    return Played(
        np.full(n_people, MODEL, dtype=np.int8),
        np.full((n_people, n_organisations), MODEL, dtype=np.int8),
        np.full(n_organisations, -1, dtype=np.int64),
        np.zeros(1, dtype=np.bool_),
    )


@jit
def decider(top, org, played, working):
    """Who decides for ``org``: its played senior leader if they take part, else ``top``."""
    chosen = played.decider[org]
    if chosen >= 0 and working[chosen]:
        return chosen
    return top


@jit
def grant_chance(probability, proposer, org, played):
    """The chance a request is granted: the played decider's verdict, else ``probability``."""
    verdict = played.verdict[proposer, org]
    if verdict == GRANT:
        return 1.0
    if verdict == BLOCK:
        return 0.0
    return probability


@jit
def waits_for(org, proposer, played, working):
    """Whether a request to ``org`` waits on its played decider's desk until the meeting."""
    return (
        played.holding[0]
        and played.verdict[proposer, org] == MODEL
        and decider(-1, org, played, working) >= 0
    )
