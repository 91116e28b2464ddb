"""The roles people hold in their organisations."""

import numpy as np

from collabsim.jit import jit

#: The roles people hold, by their code: senior leaders ('tops'), middle managers and
#: the frontline.
ROLES: tuple[str, ...] = ("top", "middle", "bottom")
TOP, MIDDLE, BOTTOM = 0, 1, 2


@jit
def senior_posts(tops, org_start, org):
    """Where organisation ``org``'s senior posts lie in ``tops``: ``tops[first:last]``.

    ``tops`` lists every senior post in post order, and organisation k's posts are
    ``org_start[k]:org_start[k + 1]``, so an organisation's tops are found by bisection,
    without a pass over its people. Returns ``(first, last)``.
    """
    return np.searchsorted(tops, org_start[org]), np.searchsorted(tops, org_start[org + 1])
