"""Where an organisation's posts lie, for the compiled mechanisms."""

from __future__ import annotations

import numpy as np

from collabsim.jit import jit


@jit
def senior_posts(tops, org_start, org):
    """Where organisation ``org``'s senior posts lie in ``tops``: ``tops[first:last]``.

    ``tops`` lists every senior post in post order, and organisation k's posts are
    ``org_start[k]:org_start[k + 1]``, so an organisation's tops are found by bisection,
    without a pass over its people. Returns ``(first, last)``.
    """
    return np.searchsorted(tops, org_start[org]), np.searchsorted(tops, org_start[org + 1])
