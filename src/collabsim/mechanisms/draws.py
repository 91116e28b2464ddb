"""Random draws for the compiled mechanisms.

Every mechanism that needs chance takes an explicit ``stream``: a one-element
``uint64`` array holding the state of a SplitMix64 generator. There is no global random
state, so two models in one process (the dashboard's side-by-side panes) never disturb
each other, and a model's draws depend only on its seed.

SplitMix64 (Steele, Lea & Flood 2014) passes BigCrush, needs one word of state and is
cheap to pass into compiled code, unlike a ``numpy.random.Generator`` whose boxing costs
several microseconds per call.
"""

from __future__ import annotations

import math

import numpy as np

from collabsim.jit import jit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TWO_POW_MINUS_53 = 1.0 / 9007199254740992.0


def new_stream(rng: np.random.Generator) -> np.ndarray:
    """Return a fresh stream seeded from ``rng`` (a model's NumPy generator)."""
    return np.array([rng.integers(0, 2**63, dtype=np.uint64)], dtype=np.uint64)


@jit
def next_word(stream):
    """Advance ``stream`` and return the next 64-bit word."""
    stream[0] += _GOLDEN
    z = stream[0]
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@jit
def uniform(stream):
    """Return a float drawn uniformly from [0, 1)."""
    return float(next_word(stream) >> _S11) * _TWO_POW_MINUS_53


@jit
def chance(stream, probability):
    """Return True with the given probability."""
    return uniform(stream) < probability


@jit
def below(stream, n):
    """Return an integer drawn uniformly from 0, 1, ..., n - 1 (n >= 1)."""
    return int(uniform(stream) * n)


@jit
def normal(stream):
    """Return a standard normal draw (Box-Muller)."""
    u = 1.0 - uniform(stream)  # in (0, 1], so the log is finite
    v = uniform(stream)
    return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * v)
