"""The model's sub-models run alone, to dock them against their published results.

Both run through the very mechanism functions the model uses:

* ``deffuant`` is the shared-narrative exchange (M4, ``narrative_exchange``) with trust
  fixed at 1 and nothing else switched on: Deffuant et al.'s (2000) bounded-confidence
  model, which ends in about ``floor(1 / (2 epsilon))`` major clusters;
* ``levinthal`` is change work on NK landscapes (M8: ``flip`` for small tests of change,
  ``redraw``/``redesigned`` for big-bang redesigns, ``fitness`` to judge them): Levinthal's
  (1997) adaptation on rugged landscapes, where local search climbs to local peaks and
  long jumps rarely beat it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from collabsim.jit import jit
from collabsim.mechanisms.draws import below, new_stream, uniform
from collabsim.mechanisms.landscape import fitness, flip, make_landscapes, redesigned, redraw
from collabsim.mechanisms.narrative import count_clusters, narrative_exchange
from collabsim.params import ParameterError


def _check(name: str, value, low, high=None, kind=int) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        ok = ok and float(value).is_integer()
    if not ok or value < low or (high is not None and value > high):
        allowed = f"{low} to {high}" if high is not None else f">= {low}"
        raise ParameterError(
            f"{name}={value!r} is not allowed: expected a "
            f"{'whole ' if kind is int else ''}number {allowed}"
        )


@jit
def _deffuant_rounds(stream, opinions, epsilon, mu, steps):
    n = opinions.shape[0]
    for _ in range(steps):
        for i in range(n):
            j = below(stream, n - 1)
            if j >= i:
                j += 1  # a partner other than i
            opinions[i], opinions[j] = narrative_exchange(
                opinions[i], opinions[j], 1.0, 1.0, epsilon, epsilon, mu
            )


def deffuant(n_agents: int, epsilon: float, mu: float, steps: int, seed: int) -> np.ndarray:
    """Deffuant et al.'s bounded-confidence model, run through M4.

    Opinions start uniform on [0, 1]. In each of ``steps`` rounds every agent meets one
    random partner and both move by ``mu`` towards each other if they differ by less
    than ``epsilon``.

    Args:
        n_agents: Number of agents (at least 2).
        epsilon: Confidence bound, 0-1.
        mu: Convergence rate, 0-0.5.
        steps: Rounds.
        seed: Seed.

    Returns:
        Final opinions, one per agent.
    """
    _check("n_agents", n_agents, 2)
    _check("epsilon", epsilon, 0.0, 1.0, float)
    _check("mu", mu, 0.0, 0.5, float)
    _check("steps", steps, 0)
    _check("seed", seed, 0)
    rng = np.random.default_rng(seed)
    opinions = rng.random(n_agents)
    _deffuant_rounds(new_stream(rng), opinions, float(epsilon), float(mu), int(steps))
    return opinions


def opinion_clusters(opinions: np.ndarray, *, gap: float = 0.02, min_share: float = 0.02) -> int:
    """Number of major opinion clusters.

    As in Deffuant et al., minor clusters of fewer than ``min_share`` of the agents are
    not counted.
    """
    opinions = np.asarray(opinions, dtype=float)
    return int(count_clusters(opinions, gap, max(1, int(np.ceil(min_share * opinions.size)))))


class Search(NamedTuple):
    """How Levinthal's organisations search: for how long, and how they change."""

    steps: int
    long_jump_share: float
    scope: float


class Walk(NamedTuple):
    """The landscape searched and what the search records as it goes."""

    neighbours: np.ndarray
    contributions: np.ndarray
    trajectory: np.ndarray  # (steps + 1, organisations): each one's fitness
    jumps: np.ndarray  # long jumps tried, long jumps kept


@jit
def _levinthal_walk(stream, configs, walk, search):
    n_practices = walk.neighbours.shape[0]
    for t in range(search.steps):
        for o in range(configs.shape[0]):
            current = fitness(configs[o], walk.neighbours, walk.contributions)
            if uniform(stream) < search.long_jump_share:
                mask, values = redraw(stream, n_practices, search.scope)
                trial = redesigned(configs[o], mask, values)
                walk.jumps[0] += 1
                if fitness(trial, walk.neighbours, walk.contributions) > current:
                    configs[o] = trial
                    walk.jumps[1] += 1
            else:
                trial = flip(configs[o], below(stream, n_practices))
                if fitness(trial, walk.neighbours, walk.contributions) > current:
                    configs[o] = trial
            walk.trajectory[t + 1, o] = fitness(configs[o], walk.neighbours, walk.contributions)


def levinthal(
    n_practices: int,
    k: int,
    n_organisations: int,
    steps: int,
    *,
    long_jump_share: float = 0.0,
    scope: float = 0.5,
    seed: int,
) -> dict:
    """Levinthal's (1997) organisations adapting on one NK landscape, run through M8.

    Every organisation starts at a random configuration. Each step it either tries a
    long jump (with chance ``long_jump_share``: a big-bang redesign redrawing a share
    ``scope`` of its practices) or a local move (a small test of change: one practice
    flipped), and keeps the change only if fitness rises.

    Args:
        n_practices: N, practices (2-40).
        k: K, dependencies per practice (0 to N-1, at most 10).
        n_organisations: Organisations searching the landscape.
        steps: Steps of search.
        long_jump_share: Chance that a step is a long jump.
        scope: Share of practices a long jump redraws.
        seed: Seed.

    Returns:
        ``fitness`` (steps + 1, organisations), ``configs`` (final bitmasks),
        ``neighbours`` and ``contributions`` (the landscape), ``long_jumps`` tried and
        ``long_jumps_kept``.
    """
    _check("n_practices", n_practices, 2, 40)
    _check("k", k, 0, min(10, n_practices - 1))
    _check("n_organisations", n_organisations, 1)
    _check("steps", steps, 0)
    _check("long_jump_share", long_jump_share, 0.0, 1.0, float)
    _check("scope", scope, 0.0, 1.0, float)
    _check("seed", seed, 0)
    rng = np.random.default_rng(seed)
    neighbours, contributions = make_landscapes(rng, 1, n_practices, k)
    configs = rng.integers(0, 2**n_practices, size=n_organisations, dtype=np.int64)
    trajectory = np.empty((steps + 1, n_organisations))
    trajectory[0] = [fitness(c, neighbours[0], contributions[0]) for c in configs]
    jumps = np.zeros(2, dtype=np.int64)
    walk = Walk(neighbours[0], contributions[0], trajectory, jumps)
    _levinthal_walk(
        new_stream(rng), configs, walk, Search(steps, float(long_jump_share), float(scope))
    )
    return {
        "fitness": trajectory,
        "configs": configs,
        "neighbours": neighbours[0],
        "contributions": contributions[0],
        "long_jumps": int(jumps[0]),
        "long_jumps_kept": int(jumps[1]),
    }
