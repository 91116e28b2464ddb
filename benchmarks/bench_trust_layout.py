"""The trust store's layout: the model's dense matrix against a sparse store of the same parts.

Most people never meet most others (at 5,000 people each knows some 100 to 200 by the end of
a run), so a store holding only the non-zero personal parts would take memory in proportion
to the network's size rather than its square. Whether it would also be faster depends on how
trust is read: at random, pair by pair. This measures that on the model's own access
pattern. At each size it runs ``iocn`` for a year, takes the network's trust store, draws a
week of second-hand trust's conversations as the model does (``trust.gossip``: person i
hears from k about j) and replays them, each reading ``personal[i, j]``, ``[i, k]`` and
``[k, j]`` and writing ``[i, j]`` as ``trust.second_hand`` does, with the model's read-ahead
(``jit.prefetch``, ``PREFETCH_AHEAD`` talks ahead), on:

- the dense float32 matrix of personal parts, as the model keeps it;
- the same parts in a sparse store: each person's row an open-addressing table of (column,
  part) pairs, interleaved so that a probe reads one cache line, with room for twice the
  most parts any row holds (a part written for a pair not yet known is inserted).

It prints each layout's time per conversation (the fastest of ``--repeats`` replays of
``--talks`` conversations, the two layouts in turn), their ratio, and each layout's memory.
The arithmetic on the parts is left out, as it is the same for both.

Usage::

    python benchmarks/bench_trust_layout.py [--sizes 300 1000 2000 5000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit

import collabsim
from collabsim.jit import PREFETCH_AHEAD, prefetch
from collabsim.mechanisms import draws, trust

#: Fibonacci hashing: a column's slot is the top bits of its product with 2^64 / golden ratio.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = -1


@njit
def _home(j, shift):
    """The slot column ``j`` hashes to in a table of ``2 ** (64 - shift)`` slots."""
    return np.int64((np.uint64(j) * _GOLDEN) >> shift)


@njit
def _slot(table, i, j, shift):
    """The slot of column ``j`` in row ``i``'s table: where it is, or the empty slot it goes in."""
    mask = table.shape[1] - 1
    s = _home(j, shift)
    while table[i, s, 0] != j and table[i, s, 0] != _EMPTY:
        s = (s + 1) & mask
    return s


@njit
def _sparse(personal, width):
    """The non-zero parts of ``personal`` as per-row tables of ``width`` (a power of two) slots.

    Each slot holds a column and, in the same eight bytes, its part's float32 bits.
    """
    n = personal.shape[0]
    table = np.full((n, width, 2), _EMPTY, dtype=np.int32)
    parts = table.view(np.float32)  # the same memory: [i, s, 1] holds the part's bits
    shift = np.uint64(64 - int(np.log2(width)))
    for i in range(n):
        for j in range(n):
            if personal[i, j] != 0.0:
                s = _slot(table, i, j, shift)
                table[i, s, 0] = j
                parts[i, s, 1] = personal[i, j]
    return table


@njit
def _replay_dense(personal, talks):
    """Second-hand trust's reads and writes on the dense matrix, read ahead as the model does."""
    for t in range(talks.shape[0]):
        if t + PREFETCH_AHEAD < talks.shape[0]:
            i, k, j = talks[t + PREFETCH_AHEAD]
            prefetch(personal, i, j)
            prefetch(personal, i, k)
            prefetch(personal, k, j)
        i, k, j = talks[t]
        t_ij = personal[i, j]
        personal[i, j] = t_ij + personal[i, k] + personal[k, j]


@njit
def _replay_sparse(table, talks):
    """The same reads and writes on the sparse store, each row's likely slot read ahead."""
    parts = table.view(np.float32)
    shift = np.uint64(64 - int(np.log2(table.shape[1])))
    for t in range(talks.shape[0]):
        if t + PREFETCH_AHEAD < talks.shape[0]:
            i, k, j = talks[t + PREFETCH_AHEAD]
            prefetch(table[i], _home(j, shift), 0)
            prefetch(table[i], _home(k, shift), 0)
            prefetch(table[k], _home(j, shift), 0)
        i, k, j = talks[t]
        s_ij = _slot(table, i, j, shift)
        s_ik = _slot(table, i, k, shift)
        s_kj = _slot(table, k, j, shift)
        t_ij = parts[i, s_ij, 1] if table[i, s_ij, 0] == j else 0.0
        t_ik = parts[i, s_ik, 1] if table[i, s_ik, 0] == k else 0.0
        t_kj = parts[k, s_kj, 1] if table[k, s_kj, 0] == j else 0.0
        table[i, s_ij, 0] = j
        parts[i, s_ij, 1] = t_ij + t_ik + t_kj


def _a_years_store_and_talks(n_people: int, talks: int):
    """The network's personal parts after a year of ``iocn`` and ``talks`` of its conversations."""
    model = collabsim.CollaborationModel(
        collabsim.scenario("iocn").replace(n_people=n_people), rng=1
    )
    for _ in range(52):
        model.step()
    state = model.state
    drawn = []
    week = model.steps
    while sum(len(talked) for talked in drawn) < talks:  # weeks of talks, as the model draws them
        week += 1
        draws.start_week(state.stream, week)  # each week its own talks, not one week again
        drawn.append(
            trust.gossip(
                state.trust,
                state.stream,
                state.people.news,
                model.params.gossip_contacts,
                True,
                False,
                state.org_start,
            )
        )
    return np.ascontiguousarray(state.trust.personal), np.concatenate(drawn)[:talks]


def _timed(replay, store, talks) -> float:
    """Seconds to replay ``talks`` on a fresh copy of ``store``."""
    copy = store.copy()
    start = time.perf_counter()
    replay(copy, talks)
    return time.perf_counter() - start


def main() -> None:
    """Time both layouts at each size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 2000, 5000])
    parser.add_argument("--talks", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(
        "people  parts a person (mean, most)  dense ns  sparse ns  sparse/dense  MB dense, sparse"
    )
    for n in args.sizes:
        personal, talks = _a_years_store_and_talks(n, args.talks)
        counts = (personal != 0).sum(axis=1)
        # room for twice the most parts a row may hold once the replay's writes are in
        most = int((counts + np.bincount(talks[:, 0], minlength=n)).max())
        width = 1 << max(4, (2 * most - 1).bit_length())
        table = _sparse(personal, width)
        dense = sparse = float("inf")
        for _ in range(args.repeats):  # in turn, so that both see the machine as it is
            dense = min(dense, _timed(_replay_dense, personal, talks))
            sparse = min(sparse, _timed(_replay_sparse, table, talks))
        dense_ns, sparse_ns = dense / len(talks) * 1e9, sparse / len(talks) * 1e9
        print(
            f"{n:6d}  {counts.mean():14.0f} {int(counts.max()):12d}  {dense_ns:8.1f}"
            f"  {sparse_ns:9.1f}  {sparse_ns / dense_ns:12.2f}"
            f"  {personal.nbytes / 1e6:8.1f}, {table.nbytes / 1e6:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
