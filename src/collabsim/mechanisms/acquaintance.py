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

from collabsim.jit import jit, prefetch

#: A pass over a post's column asks for the line of each person who may know the post this
#: many people ahead.
COLUMN_AHEAD = 16


def no_one_known(n):
    """The bits of ``n`` people who have not met: (n, words) int64, all clear."""
    return np.zeros((n, (n + 63) // 64), dtype=np.int64)


@jit
def mark_known(known, i, j):
    """Note that ``personal[i, j]`` may now be non-zero: i knows j."""
    known[j, i >> 6] |= 1 << (i & 63)


@jit
def may_know(known, i, j):
    """Whether ``personal[i, j]`` may be non-zero (if not, it is zero)."""
    return ((known[j, i >> 6] >> (i & 63)) & 1) != 0


@jit
def column_part(personal, known, i, j):
    """``personal[j, i]`` in a pass over post ``i``'s column that has reached person ``j``.

    Reads the line only if ``j`` may know ``i``, and asks for the line of the person
    ``COLUMN_AHEAD`` ahead if they may. Arrays rather than the store: a call taking the
    store's tuple, in a loop over everyone, made a run of 2,000 people four times slower.
    """
    ahead = j + COLUMN_AHEAD
    if ahead < personal.shape[0] and may_know(known, ahead, i):
        prefetch(personal, ahead, i)
    return float(personal[j, i]) if may_know(known, j, i) else 0.0


@jit
def forget(personal, known, i):
    """Zero post ``i``'s column where anyone may know them, and clear who knows them."""
    for w in range(known.shape[1]):
        word = known[i, w]
        if word != 0:
            for b in range(64):
                if (word >> b) & 1:
                    personal[w * 64 + b, i] = 0.0
            known[i, w] = 0
