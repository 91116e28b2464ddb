"""Shared narrative (M4): bounded confidence, trust-weighted, with facilitation and anchors.

Each person holds a position in [0, 1] on what the network is for. A shared narrative
is a low spread of positions.
"""

from __future__ import annotations

import numpy as np

from collabsim.jit import jit


@jit
def narrative_exchange(x_i, x_j, trust_ij, trust_ji, epsilon_i, epsilon_j, mu):
    """M4: two people talk about purpose; each moves towards the other if close enough.

    If ``|x_i - x_j| < epsilon_i`` then ``x_i += mu * trust_ij * (x_j - x_i)``, and
    symmetrically for j (both from the positions before the exchange). With trust at 1
    this is Deffuant et al.'s bounded-confidence model, which ends in about
    ``floor(1 / (2 epsilon))`` clusters.

    Evidence: the shared narrative was "initiated at both the beginning and also allowed
    to evolve through the journey"; "a continuum existed between those that felt a shared
    narrative did not yet exist" and those who saw it as developed (Mervyn et al. 2019).
    Anchor: Deffuant, Neau, Amblard & Weisbuch (2000).

    Args:
        x_i: Position of i.
        x_j: Position of j.
        trust_ij: Trust of i in j (0-1): how far i lets j move them.
        trust_ji: Trust of j in i.
        epsilon_i: i's confidence bound (widened by facilitation).
        epsilon_j: j's confidence bound.
        mu: Convergence rate.

    Returns:
        The new positions of i and j.
    """
    gap = x_j - x_i
    new_i = x_i + mu * trust_ij * gap if abs(gap) < epsilon_i else x_i
    new_j = x_j - mu * trust_ji * gap if abs(gap) < epsilon_j else x_j
    return new_i, new_j


@jit
def anchored(x, anchor, stubbornness):
    """Pull a position back towards its anchor (Friedkin-Johnsen stubbornness).

    Tops stay tied to their own organisation's view: "hesitancy amongst the tops"
    (Mervyn et al. 2019). Anchor: Friedkin & Johnsen (1990).

    Args:
        x: Position after social influence.
        anchor: The organisation's view.
        stubbornness: θ, weight on the anchor (0-1).
    """
    return (1.0 - stubbornness) * x + stubbornness * anchor


@jit
def central_pull(narrative, attendees, core_purpose, strength):
    """The central leader pulls meeting attendees towards the network's core purpose.

    Evidence: leaders of collaborative networks provide "direction and focus for the
    network as a whole"; "a strong and energetic and strategic leader that could hold
    the centre" (Mervyn et al. 2019).

    Args:
        narrative: Positions of everyone (changed in place).
        attendees: Indices of the people at the meeting.
        core_purpose: The central leader's position.
        strength: Share of the distance moved (central_leader_strength x κ).
    """
    for i in attendees:
        narrative[i] += strength * (core_purpose - narrative[i])


_CLUSTER_BINS = 1000  # positions are binned to 0.001 to count clusters in O(N)


@jit
def count_clusters(positions, gap, min_size):
    """Number of opinion clusters among positions in [0, 1].

    A cluster is a run of positions with no empty stretch wider than ``gap`` (measured
    to 0.001) inside it.

    Runs with fewer than ``min_size`` members are not counted (Deffuant et al. count
    major clusters only).
    """
    counts = np.zeros(_CLUSTER_BINS, dtype=np.int64)
    for x in positions:
        counts[min(_CLUSTER_BINS - 1, max(0, int(x * _CLUSTER_BINS)))] += 1
    widest_empty = int(gap * _CLUSTER_BINS)
    clusters = 0
    size = 0
    empty = 0
    for b in range(_CLUSTER_BINS):
        if counts[b] == 0:
            empty += 1
            continue
        if size > 0 and empty > widest_empty:
            if size >= min_size:
                clusters += 1
            size = 0
        size += counts[b]
        empty = 0
    if size >= min_size:
        clusters += 1
    return clusters
