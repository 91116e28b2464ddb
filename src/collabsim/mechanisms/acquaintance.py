"""Who may know whom: a bit for every pair, so that a pass over a column skips strangers.

Trust of i in j is read from row i, column j of the trust store's matrix of personal
parts (``collabsim.mechanisms.trust_store``). A pass over everyone's trust in one person,
when they leave the network or a newcomer takes their post, reads that person's column: a
cache line per person, a whole row apart, so at 5,000 people a fifth of a run went on
such passes. Yet most people never meet most others (about 1% of personal parts are
non-zero at 5,000 people), so the store keeps ``known[j]``, a row of bits with bit i set
where ``personal[i, j]`` may be non-zero, and a pass reads only those lines.

A bit is set whenever a part becomes non-zero and cleared only when the post is renewed;
it may outlive its part (a part renormalised to zero, or the knower's own row reset),
which costs a read, never a wrong value.
"""

from __future__ import annotations

import numpy as np

from collabsim.jit import jit


def no_one_known(n):
    """The bits of ``n`` people who have not met: (n, words) int64, all clear."""
    return np.zeros((n, (n + 63) // 64), dtype=np.int64)


@jit
def mark_known(known, i, j):
    """Note that ``personal[i, j]`` may now be non-zero: i knows j."""
    known[j, i >> 6] |= 1 << (i & 63)


@jit
def _lowest_bit(word):
    """The place (0-63) of the lowest bit set in a non-zero ``word``, halving the search."""
    place = 0
    for width in (32, 16, 8, 4, 2, 1):
        if word & ((1 << width) - 1) == 0:
            word >>= width
            place += width
    return place


@jit
def who_may_know(known, i):
    """The people who may know post ``i`` (``personal[j, i]`` may be non-zero), in order."""
    out = np.empty(known.shape[1] * 64, dtype=np.int64)
    count = 0
    for w in range(known.shape[1]):
        word = known[i, w]
        while word != 0:
            out[count] = w * 64 + _lowest_bit(word)
            count += 1
            word &= word - 1  # the lowest bit set, cleared
    return out[:count]


@jit
def forget(personal, known, i):
    """Zero post ``i``'s column where anyone may know them, and clear who knows them."""
    for j in who_may_know(known, i):
        personal[j, i] = 0.0
    known[i, :] = 0
