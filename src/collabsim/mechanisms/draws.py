"""Random draws for the compiled mechanisms.

Every mechanism that needs chance takes an explicit ``stream``: a small ``uint64`` array
holding the state of a SplitMix64 generator, the run's key and the week. There is no
global random state, so two models in one process (the dashboard's side-by-side panes)
never disturb each other, and a model's draws depend only on its seed.

Each phase of the week, and within the busiest phases each person, draws from its own
stream made from the run's key and the week (``enter``; ``phase_key`` and ``enter_for``):
two runs on one seed then share their draws wherever they do the same thing, whatever the
other draws they took.

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


#: The draws of a week, each from its own stream (``enter``): its phases, and the parts of
#: them drawn person by person (``enter_for``).
ATTENDANCE = 1
MEETING = 2
CHANGE_WORK = 3
PROGRESS = 4  # a person's change moving on
PROPOSALS = 5  # whether a person proposes a change, and what
INFORMAL_CONTACT = 6
WORD_OF_MOUTH = 7
COMMITMENT = 8
EXITS = 9
TURNOVER = 10

#: What a stream holds: its generator's state, its run's key and the week being drawn for.
_STATE, _KEY, _WEEK = 0, 1, 2


def new_stream(rng: np.random.Generator) -> np.ndarray:
    """Return a fresh stream seeded from ``rng`` (a model's NumPy generator).

    Its first word is also its run's key, from which each week's streams are made.
    """
    word = rng.integers(0, 2**63, dtype=np.uint64)
    return np.array([word, word, 0], dtype=np.uint64)


@jit
def _mixed(z):
    """SplitMix64's output function: a bijection of 64-bit words that scatters every bit."""
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@jit
def start_week(stream, week):
    """The draws that follow are for ``week`` (each phase then enters its own, ``enter``)."""
    stream[_WEEK] = np.uint64(week)


@jit
def phase_key(stream, phase):
    """Return the key of ``phase``'s own stream for the week (``enter``, ``enter_for``).

    A loop over people takes it once: the compiled loop cannot lift it out by itself,
    because each person's ``enter_for`` writes the stream the key is read from.
    """
    return _mixed(stream[_KEY] ^ (stream[_WEEK] * _MIX2 + np.uint64(phase) * _GOLDEN))


@jit
def enter(stream, phase):
    """Draw from here on from ``phase``'s own stream for the week.

    Each phase of each week draws from a stream keyed by the run's key, the week and the
    phase, so that a difference in how many draws a phase took one week (a meeting of
    other people, a change decided otherwise) goes no further than that phase and week.
    Two runs on one seed that differ in a setting then take the same draws wherever they
    do the same thing, and so do a run and its silo twin: common random numbers,
    synchronised (Law 2015, *Simulation Modeling and Analysis*, §11.2), so that the
    difference between two runs on one seed is the setting's rather than chance's (ODD §7).

    Returns the phase's key (``phase_key``), for a loop over people that follows.
    """
    key = phase_key(stream, phase)
    stream[_STATE] = _mixed(key)
    return key


@jit
def enter_for(stream, key, person):
    """Draw from here on from ``person``'s own stream in the phase whose key is ``key``.

    ``enter``, one level down: what one person draws in a phase (a meeting attended or
    not, a change proposed or not) does not move what the next person draws. ``key`` is
    the phase's ``phase_key`` for the week, taken once before the loop over people.
    """
    stream[_STATE] = _mixed(key + np.uint64(person + 1) * _MIX1)


@jit
def next_word(stream):
    """Advance ``stream`` and return the next 64-bit word."""
    stream[_STATE] += _GOLDEN
    return _mixed(stream[_STATE])


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
