"""Who is counted in the trust sums: a new store, members leaving and joining, posts renewed.

The trust reporters read sums over the active pairs of each kind, kept in the trust store
(``collabsim.mechanisms.trust_store``). When someone joins or leaves, all their pairs with
the other members, both ways, enter or leave those sums. Trust is linear in its target
(``T = target x (1 - |p|) + max(p, 0)``), so most of that comes group by group of posts
(one organisation and role: 33 groups in the default city, however many people) from the
sums the store keeps of each group's members, reputations, views of each organisation and
everyone's personal parts with them. Only two things are read one by one: the positive
personal parts along the person's own row (one pass over a row that lies in one piece and
is mostly zero) and the personal parts of those who may know the person (one line each,
from the store's bits of who may know whom).

Evidence for who leaves and who takes their posts is with the mechanisms that call these:
``turnover`` (M14), ``sustainability``, ``events`` and ``Person.remove``.
"""

from __future__ import annotations

import numpy as np

from collabsim.jit import jit, prefetch
from collabsim.mechanisms.acquaintance import forget, no_one_known, who_may_know
from collabsim.mechanisms.trust_store import (
    PAIRS,
    POSITIVE,
    TARGET,
    WEIGHTED,
    TrustStore,
    count_in,
    kind_of,
    pair_kind,
    target,
    unpacked,
)

#: A pass over the people who may know a post asks for each one's line this many ahead.
COLUMN_AHEAD = 16


def new_store(prior, org, sector, role, org_sector, active, counted=True):
    """The trust store at the start of a run: everyone's trust is their organisations' prior.

    Args:
        prior: Prior trust between organisations (``prior_trust``).
        org: Everyone's organisation.
        sector: Everyone's sector.
        role: Everyone's role.
        org_sector: Each organisation's sector.
        active: Who is a member of the network (the people's own array, shared).
        counted: Keep the group sums the trust reporters read (false for a world whose
            trust nobody reports).
    """
    n, n_orgs = org.shape[0], prior.shape[0]
    store = TrustStore(
        personal=np.zeros((n, n), dtype=np.float32),
        scale=np.ones(1),
        general=np.ascontiguousarray(prior[org, :].T),
        prior=prior,
        org=org,
        sector=sector,
        role=role,
        org_sector=org_sector,
        active=active,
        damage=np.zeros(n),
        members=np.zeros((n_orgs, 3)),
        standing=np.zeros((n_orgs, 3)),
        views=np.zeros((n_orgs, n_orgs, 3)),
        ties=np.zeros((n_orgs, 3, n)),
        known=no_one_known(n),
        sums=np.zeros((4, 8)),
        counted=counted,
    )
    if counted:
        _count_newcomers(store)
    return store


@jit
def _count_newcomers(store):
    """The group sums of a new store, whose members have not met yet, member by member.

    Each member's pairs with those counted before them are targets only, added group by
    group: O(N x groups), where ``trust_store.recount`` reads all N² pairs (7 ms at 2,000
    people).
    """
    store = unpacked(store)
    joining = store.active.copy()
    store.active[:] = False
    for i in range(joining.shape[0]):
        if joining[i]:
            _pairs_by_group(store, i, 1.0)
            count_in(store, i, 1.0)
            store.active[i] = True


@jit
def set_membership(store, i, member):
    """Make person ``i`` an active member (or not), updating the group sums.

    Adds or removes all pairs (i, j) and (j, i) with active j: group by group from the sums
    by group (``_pairs_by_group``), the positive parts along ``i``'s row in one pass
    (``_warm_parts``), and the personal parts of those who may know ``i`` one by one
    (``_known_parts``). A returning member's ties are first counted again from their row
    (people who leave do not come back in a run, so only a caller's own use pays that pass).
    """
    store = unpacked(store)
    if store.active[i] == member:
        return
    if store.counted:
        sign = 1.0 if member else -1.0
        if member:
            _count_ties(store, i)
        else:
            count_in(store, i, -1.0)  # the groups without i: i's pairs are with the others
        _pairs_by_group(store, i, sign)
        _warm_parts(store, i, sign)
        _known_parts(store, i, sign)
        if member:
            count_in(store, i, 1.0)
        else:
            store.ties[:, :, i] = 0.0  # ties are kept for active members only
    store.active[i] = member


@jit
def renew(store, i, member):
    """A newcomer takes post ``i``: nobody knows them and they know nobody.

    Their own trust starts at their organisation's priors; others' trust in them is each
    one's view of their organisation. ``member`` says whether they join the network. A
    store that keeps sums takes the leaver's pairs out if they were a member
    (``set_membership``); the post's row is then cleared, and of its column only the lines of
    those who may know them; last, a newcomer who joins has their pairs added group by group
    (``_pairs_by_group``: targets only, since nobody knows them yet).
    """
    store = unpacked(store)
    set_membership(store, i, False)
    store.personal[i, :] = 0.0
    forget(store.personal, store.known, i)
    store.damage[i] = 0.0
    store.general[:, i] = store.prior[store.org[i], :]
    if member and store.counted:
        _pairs_by_group(store, i, 1.0)
        count_in(store, i, 1.0)
    store.active[i] = member


@jit
def _count_ties(store, i):
    """Count ``i``'s ties with every active member again from ``i``'s row (O(N))."""
    store.ties[:, :, i] = 0.0
    for j in range(store.org.shape[0]):
        part = float(store.personal[i, j])
        if j != i and store.active[j] and part != 0.0:
            store.ties[store.org[j], store.role[j], i] += (1.0 - store.damage[j]) * abs(part)


@jit
def _pairs_by_group(store, i, sign):
    """Add (+1) or remove (-1) ``i``'s pairs with the active members of each group of posts.

    The targets and number of the pairs (i, j) and (j, i), and the pairs (i, j) weighted by
    personal parts, from the sums by group, which must not count ``i`` (``count_in``):
    ``i``'s trust in the group sums to ``general[k, i] x standing`` in targets and
    ``general[k, i] x ties`` weighted by personal parts; the group's trust in ``i`` sums to
    ``(1 - damage_i) x views`` in targets. The positive personal parts of ``i``'s trust are
    ``_warm_parts``; the personal parts of the group's trust in ``i``, ``_known_parts``.
    """
    oi, si, ri = store.org[i], store.sector[i], store.role[i]
    kept = 1.0 - store.damage[i]
    sums = store.sums
    for k in range(store.members.shape[0]):
        for r in range(3):
            if store.members[k, r] < 0.5:
                continue
            kind = kind_of(oi, k, si, store.org_sector[k], ri, r)
            general = store.general[k, i]  # i's view of the group's organisation
            targets = general * store.standing[k, r] + kept * store.views[oi, k, r]
            sums[TARGET, kind] += sign * targets
            sums[WEIGHTED, kind] += sign * general * store.ties[k, r, i]
            sums[PAIRS, kind] += sign * 2.0 * store.members[k, r]


@jit
def _warm_parts(store, i, sign):
    """Add (+1) or remove (-1) the positive personal parts of ``i``'s trust in active members.

    A pass along ``i``'s row, which lies in one piece and is mostly zero: it reads the row
    as 64-bit words, two parts each, and looks at the parts of a non-zero word only (a part
    that is not +0 makes its word non-zero), so the parts are added in the same order.
    """
    row = store.personal[i]
    words = row[: row.shape[0] & ~1].view(np.uint64)
    for w in range(words.shape[0]):
        if words[w] != 0:
            _warm_part(store, i, 2 * w, sign)
            _warm_part(store, i, 2 * w + 1, sign)
    if row.shape[0] & 1:
        _warm_part(store, i, row.shape[0] - 1, sign)


@jit
def _warm_part(store, i, j, sign):
    """Add (+1) or remove (-1) ``personal[i, j]`` if it is positive and ``j`` an active other."""
    part = float(store.personal[i, j])
    if part > 0.0 and j != i and store.active[j]:
        store.sums[POSITIVE, pair_kind(store, i, j)] += sign * part


@jit
def _known_parts(store, i, sign):
    """Add (+1) or remove (-1) the personal parts of active members' trust in ``i``.

    Reads only the lines of those who may know ``i`` (``known``), each asked for
    ``COLUMN_AHEAD`` people ahead: they lie a whole row apart.
    """
    knowers = who_may_know(store.known, i)
    oi, ri = store.org[i], store.role[i]
    kept = 1.0 - store.damage[i]
    for t in range(knowers.shape[0]):
        if t + COLUMN_AHEAD < knowers.shape[0]:
            prefetch(store.personal, knowers[t + COLUMN_AHEAD], i)
        j = knowers[t]
        part = float(store.personal[j, i])
        if j == i or not store.active[j] or part == 0.0:
            continue
        kind = pair_kind(store, j, i)
        store.sums[WEIGHTED, kind] += sign * target(store, j, i) * abs(part)
        store.sums[POSITIVE, kind] += sign * max(part, 0.0)
        store.ties[oi, ri, j] += sign * kept * abs(part)
