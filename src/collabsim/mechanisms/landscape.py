"""Care pathways as NK landscapes (Kauffman 1993; Levinthal 1997), and how they change.

Each pathway is a landscape over ``n_practices`` binary working practices, each owned by
one organisation; its quality is the NK fitness of its current configuration. A small test
of change flips one practice (local search), a big-bang redesign redraws many at once (a
long jump). The environment moves on under the network's feet (demand and policy shift
what works best), and changes made across organisations unravel once the network that
supported them has gone.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms.draws import below, chance, uniform


def make_landscapes(rng, n_pathways, n_practices, k):
    """Draw NK landscapes: who each practice depends on, and the contribution tables.

    Each practice's contribution depends on its own value and on ``k`` other practices
    chosen at random; contributions are uniform on [0, 1] (Kauffman 1993; Levinthal 1997).

    Args:
        rng: NumPy generator.
        n_pathways: Number of landscapes.
        n_practices: N, practices per pathway.
        k: K, dependencies per practice.

    Returns:
        ``neighbours`` (P, N, K) and ``contributions`` (P, N, 2**(K+1)).
    """
    neighbours = np.empty((n_pathways, n_practices, k), dtype=np.int64)
    for p in range(n_pathways):
        for n in range(n_practices):
            # k of the other practices: drawn among n_practices - 1, skipping n itself
            drawn = rng.choice(n_practices - 1, size=k, replace=False)
            neighbours[p, n] = drawn + (drawn >= n)
    contributions = rng.random((n_pathways, n_practices, 2 ** (k + 1)))
    return neighbours, contributions


@jit
def contribution(config, n, neighbours, contributions):
    """Contribution of practice ``n`` to quality: depends on it and its K neighbours."""
    index = (config >> n) & 1
    for m in range(neighbours.shape[1]):
        index |= ((config >> neighbours[n, m]) & 1) << (m + 1)
    return contributions[n, index]


@jit
def fitness(config, neighbours, contributions):
    """NK fitness of a configuration (bitmask) on one landscape: mean contribution."""
    total = 0.0
    for n in range(neighbours.shape[0]):
        total += contribution(config, n, neighbours, contributions)
    return total / neighbours.shape[0]


@jit
def own_fitness(config, org, owner, neighbours, contributions):
    """Quality as one organisation sees it in its silo.

    The mean contribution of the practices it owns, whatever its changes do to the
    practices others own.

    Evidence: without collaboration "each part works to optimise its own performance
    with little if any, consideration for other parts in the care delivery system"
    (Mervyn et al. 2019, quoting Shortell et al. 2014). Anchor: Kauffman's patches on
    NK landscapes (Kauffman 1995).
    """
    total = 0.0
    owned = 0
    for n in range(neighbours.shape[0]):
        if owner[n] == org:
            total += contribution(config, n, neighbours, contributions)
            owned += 1
    return total / owned if owned else 0.0


@jit
def flip(config, practice):
    """A small test of change: the configuration with one practice changed."""
    return config ^ (1 << practice)


@jit
def redraw(stream, n_practices, scope):
    """A big-bang redesign: which practices are redrawn (mask) and their new values."""
    count = max(2, int(round(scope * n_practices)))
    order = np.arange(n_practices)
    for a in range(n_practices - 1, 0, -1):
        b = below(stream, a + 1)
        order[a], order[b] = order[b], order[a]
    mask = 0
    values = 0
    for m in range(min(count, n_practices)):
        mask |= 1 << order[m]
        if uniform(stream) < 0.5:
            values |= 1 << order[m]
    return mask, values


@jit
def redesigned(config, mask, values):
    """The configuration after a redesign replaces the masked practices."""
    return (config & ~mask) | (values & mask)


class LandscapeRates(NamedTuple):
    """Settings of the changing world around the pathways, named as their parameters."""

    environment_change: float  # weekly chance, per practice, that what works best shifts
    n_practices: int  # practices per pathway
    unsupported_decay: float  # weekly chance a network-made practice unravels without it


@jit
def shift_environment(world, settings):
    """Demand and policy move on: what works best for some practices changes.

    Each week, on average ``rate`` practices of each pathway have their contribution
    tables redrawn, so yesterday's peak may not be today's and a network must keep
    improving just to hold its quality.

    Evidence: the city's systems "must continue to respond to urgent financial and
    demand pressures" (Mervyn et al. 2019). Anchor: Levinthal (1997), changing fitness
    landscapes.

    Draws from the environment's own stream (``world.environment``), which the run's
    silo twin shares, so both live through the same changes. How far each redraw moved a
    pathway's quality is added to its ``environment_shift``, so that the network is judged
    by its own work (``commitment.review_pace``).
    """
    stream, pathways = world.environment, world.pathways
    config, fitness_now = pathways.config, pathways.fitness
    neighbours, contributions = pathways.neighbours, pathways.contributions
    rate = settings.landscape.environment_change * settings.landscape.n_practices
    whole = int(rate)
    fraction = rate - whole
    for p in range(config.shape[0]):
        shifts = whole + (1 if chance(stream, fraction) else 0)
        for _ in range(shifts):
            n = below(stream, contributions.shape[1])
            for c in range(contributions.shape[2]):
                contributions[p, n, c] = uniform(stream)
        if shifts:
            shifted = fitness(config[p], neighbours[p], contributions[p])
            pathways.environment_shift[p] += shifted - fitness_now[p]  # not any work's doing
            fitness_now[p] = shifted


@jit
def unravel(world, settings):
    """Without the network, changes it made across organisations unravel.

    Each week each network-made practice reverts to how it was at the start with chance
    ``unsupported_decay``.

    Evidence: the IOCN "has to also continue to support these programmes until they are
    sustainable" (Mervyn et al. 2019).
    """
    stream, pathways = world.stream, world.pathways
    config, initial_config, network_made = (
        pathways.config,
        pathways.initial_config,
        pathways.network_made,
    )
    fitness_now, neighbours, contributions = (
        pathways.fitness,
        pathways.neighbours,
        pathways.contributions,
    )
    rate = settings.landscape.unsupported_decay
    for p in range(config.shape[0]):
        made = network_made[p]
        if made == 0:
            continue
        for n in range(contributions.shape[1]):
            bit = 1 << n
            if (made & bit) != 0 and chance(stream, rate):
                config[p] = (config[p] & ~bit) | (initial_config[p] & bit)
                network_made[p] &= ~bit
        fitness_now[p] = fitness(config[p], neighbours[p], contributions[p])
