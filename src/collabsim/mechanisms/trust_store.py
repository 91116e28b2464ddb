"""The trust store: trust between every pair of people, kept so that it is cheap to read.

Trust of person i in person j has two parts. **Generalised trust** ``general[k, i]`` is
i's view of organisation k as a whole; it starts at the prior for the two organisations
and is learned from encounters with k's people. The **personal** part is what i has
learned about j as a person, a signed share of the room above (or below) the target
that fades between contacts, so trust drifts back to i's view of j's organisation,
capped by j's reputation::

    target(i, j) = general[org_j, i] * (1 - reputation_damage[j])
    T[i, j] = target + p * (1 - target)   if p >= 0   (p = scale * personal[i, j])
              target + p * target         if p < 0

so trust stays in [0, 1] whatever happens to the target. The personal parts share one
``scale``, so the weekly drift of all N x N pairs costs one multiplication. Since
``T = target * (1 - |p|) + max(p, 0)`` is linear in the target, group sums of trust over
active pairs (all, across organisations, across the health / social care divide,
between tops and bottoms) are kept current by every write and every change of
generalised trust, so the per-step trust reporters cost O(1) however large the network.
The store also keeps a bit for every pair that may have a personal part (``known``,
``collabsim.mechanisms.acquaintance``), and sums by group of posts (organisation and
role): of members (``members``), their reputations (``standing``), their views of each
organisation (``views``) and each person's personal parts with them (``ties``), from which
``collabsim.mechanisms.trust_members`` moves the group sums when people join or leave.
A store whose trust nobody reports (the silo twin's: ``counted`` false) keeps no sums or
group sums; they decide nothing in a run, so its trust is the same without them.

Where trust changes (every write goes through ``write``, ``set_general``, ``drift`` or
``damage_reputation`` here, or ``set_membership`` or ``renew`` in ``trust_members``, which
keep the sums; the rules that decide the new values are in ``collabsim.mechanisms.trust``):

- encounters at a meeting's tables, informal contact between meetings and participants'
  own conversations in a workshop: ``encounters.converse`` (M1, M2), called by
  ``encounters.table_encounters``, ``encounters.informal_encounters`` and
  ``collabsim.played``;
- a top granting or blocking a request: ``trust.signal``, from ``decisions.granted`` and
  ``decisions.blocked`` (M9);
- a self-interested act: ``damage_reputation`` and a ``trust.signal`` from every member,
  ``commitment.self_interest_act`` (M13);
- second-hand trust and the weekly drift: ``trust.second_hand`` (M3) and ``drift`` (M1), from
  the model's week between meetings;
- people leaving the network: ``set_membership``, from ``turnover.drift_away``,
  ``sustainability.organisations_withdrawing``, ``events.partner_withdraws`` and
  ``Person.remove``; a newcomer taking over a post: ``renew``, from
  ``turnover.replace_person`` (M14);
- the store is made once per run, ``trust_members.new_store``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from collabsim.jit import jit, prefetch
from collabsim.mechanisms.acquaintance import mark_known
from collabsim.mechanisms.roles import BOTTOM, TOP
from collabsim.organisations import HEALTH, SOCIAL_CARE

#: Rows of ``TrustStore.sums``: sums over pairs of target, target x |personal|, the
#: positive personal parts, and the number of pairs (trust = row 0 - scale x (row 1 - row 2)).
TARGET, WEIGHTED, POSITIVE, PAIRS = 0, 1, 2, 3
#: Groups of pairs the reporters average over. ``TrustStore.sums`` has one column per
#: kind of pair (0-7); a group is the kinds with its bit set (ALL: every kind).
ALL, CROSS_ORG, HEALTH_SOCIAL, TOPS_BOTTOMS = 0, 1, 2, 4

# Personal parts are float32 (half the memory traffic); renormalising while the scale is
# still above 1e-2 keeps them below 100 in size, so their rounding stays below 1e-5.
_RENORMALISE_BELOW = 1e-2


class TrustStore(NamedTuple):
    """The trust matrix and what is needed to read it (see the module docstring).

    Where a field sits can change the compiled passes' speed ten-fold: a 2-D array added
    after ``sums`` made ``recount`` of 2,000 people take 89 ms instead of 7, one added before
    it cost nothing. Time ``recount`` before and after adding a field.
    """

    personal: np.ndarray  # (N, N) float32: personal part / scale
    scale: np.ndarray  # (1,) float64
    general: np.ndarray  # (organisations, N) float64: [k, i] is i's trust in organisation k
    prior: np.ndarray  # (organisations, organisations) float64: where general starts
    org: np.ndarray  # (N,) int64
    sector: np.ndarray  # (N,) int64
    role: np.ndarray  # (N,) int64
    org_sector: np.ndarray  # (organisations,) int64
    active: np.ndarray  # (N,) bool
    damage: np.ndarray  # (N,) float64: reputation damage of each person
    members: np.ndarray  # (organisations, 3): active members by organisation and role
    standing: np.ndarray  # (organisations, 3): sum of (1 - damage) over active members
    # by organisation and role
    views: np.ndarray  # (organisations, organisations, 3): [k, o, r] sums general[k, j]
    # over active j of organisation o and role r (their view of organisation k)
    ties: np.ndarray  # (organisations, 3, N): [k, r, i] sums over active j != i of
    # organisation k and role r (1 - damage_j) x |personal[i, j]|, kept for active i only
    # (zero otherwise); with standing, a change in general trust updates the group sums in O(1)
    known: np.ndarray  # (N, words) int64: bit i of row j is set where personal[i, j] may be
    # non-zero, so a pass over a post's column reads only the few people who know them
    sums: np.ndarray  # (4, 8): rows TARGET, WEIGHTED, POSITIVE, PAIRS; columns kinds of pair
    counted: bool  # whether the sums and the sums by group are kept (trust is reported)


@jit
def unpacked(store):
    """The store as its NamedTuple, whatever form it came in (the struct or the tuple).

    A compiled loop over a struct reads each array's address from the struct again at
    every use, which also keeps the compiler from lifting any work out of the loop; a
    tuple's arrays are plain local values. Loops over everyone take the store this way.
    """
    return TrustStore(
        store.personal,
        store.scale,
        store.general,
        store.prior,
        store.org,
        store.sector,
        store.role,
        store.org_sector,
        store.active,
        store.damage,
        store.members,
        store.standing,
        store.views,
        store.ties,
        store.known,
        store.sums,
        store.counted,
    )


@jit
def target(store, i, j):
    """Trust that i's trust in j drifts back to.

    i's view of j's organisation, capped by j's reputation.
    """
    return store.general[store.org[j], i] * (1.0 - store.damage[j])


@jit
def _combine(base, part):
    """Trust from a target and a scaled personal part in [-1, 1]."""
    return base * (1.0 - abs(part)) + max(part, 0.0)


@jit
def _part(value, base):
    """The personal part (unscaled, -1 to 1) that gives trust ``value`` from ``base``."""
    if value >= base:
        return (value - base) / (1.0 - base) if base < 1.0 else 0.0
    return (value - base) / base


@jit
def read(store, i, j):
    """Trust of person ``i`` in person ``j``."""
    return _combine(target(store, i, j), store.scale[0] * store.personal[i, j])


@jit
def read_all(store):
    """Trust of every person in every other, (N, N): ``read`` for each pair (for views)."""
    store = unpacked(store)
    n = store.org.shape[0]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = read(store, i, j)
    return out


@jit
def trust_in(store, j):
    """Mean trust of the other active members in person ``j`` (NaN if there are none)."""
    store = unpacked(store)
    total = 0.0
    count = 0
    for i in range(store.org.shape[0]):
        if i != j and store.active[i]:
            total += read(store, i, j)
            count += 1
    return total / count if count else np.nan


@jit
def kind_of(org_a, org_b, sector_a, sector_b, role_a, role_b):
    """Which of eight kinds a pair is.

    Bit 0: across organisations; bit 1: across the health / social care divide (sectors
    0 and 1); bit 2: between a top and a bottom (roles 0 and 2). Arithmetic, not
    branches: it runs on every trust update.
    """
    divide = sector_a + sector_b == HEALTH + SOCIAL_CARE and sector_a != sector_b
    ranks = role_a + role_b == TOP + BOTTOM and role_a != role_b
    return (org_a != org_b) + 2 * divide + 4 * ranks


@jit
def pair_kind(store, i, j):
    """Kind of the pair (i, j) (see ``kind_of``)."""
    return kind_of(
        store.org[i], store.org[j], store.sector[i], store.sector[j], store.role[i], store.role[j]
    )


@jit
def _pair_group(store, person, other, first, kind, sums):
    """The group of ``other``'s pairs with ``person`` in a pass over everyone.

    Posts are grouped by organisation and role, so a pass over everyone's pairs with one
    person meets a few dozen groups of posts in a row with the same organisation, sector
    and role, and every pair in a group is of the same kind. The pass keeps that kind's
    group sums in registers until the group ends: each sum still sees the same additions
    in the same order, so it stays exact to the bit, but an addition no longer waits for
    the one before it to reach memory.

    Args:
        store: The trust store.
        person: The person the pass is about.
        other: The post the pass has reached.
        first: The first post of the group so far (-1 before the first group).
        kind: The group's kind of pair.
        sums: The group's sums so far (TARGET, WEIGHTED, POSITIVE, PAIRS).

    Returns:
        ``(first, kind, sums)`` of ``other``'s group: the same group if ``other`` is in
        it; otherwise the earlier group's sums are written back and the new group's read.
    """
    # & rather than "and": a chain of "and" giving a value compiles to far slower code
    if first >= 0 and (
        (store.org[other] == store.org[first])
        & (store.role[other] == store.role[first])
        & (store.sector[other] == store.sector[first])
    ):
        return first, kind, sums
    _keep_group_sums(store, kind, sums)
    kind = pair_kind(store, person, other)
    kept = store.sums
    return (
        other,
        kind,
        (kept[TARGET, kind], kept[WEIGHTED, kind], kept[POSITIVE, kind], kept[PAIRS, kind]),
    )


@jit
def _keep_group_sums(store, kind, sums):
    """Write back the group sums of ``kind`` a pass has been adding to (none if ``kind`` < 0)."""
    if kind >= 0:
        kept = store.sums
        kept[TARGET, kind], kept[WEIGHTED, kind], kept[POSITIVE, kind], kept[PAIRS, kind] = sums


#: A pass over everyone's pairs with one person starts in no group (see ``_pair_group``).
_NO_GROUP = (-1, -1, (0.0, 0.0, 0.0, 0.0))


@jit
def _tally(store, i, j, sign, sums, part):
    """Add (sign=+1) or remove (-1) the active pair (i, j) in i's ties and in ``sums``.

    ``sums`` are the group sums of the pair's kind (``_pair_group``); returns them updated.
    ``part`` is ``personal[i, j]``, read by the caller.
    A pair with no personal part (most pairs: people who never met) would add +0 or -0
    to i's ties and to the WEIGHTED and POSITIVE sums, which leaves them as they are to
    the bit (they start at +0, and a sum is -0 only if both its terms are, so none is
    ever -0): those terms are skipped.
    """
    target_sum, weighted, positive, pairs = sums
    base = target(store, i, j)
    if part == 0.0:
        return target_sum + sign * base, weighted, positive, pairs + sign
    store.ties[store.org[j], store.role[j], i] += sign * (1.0 - store.damage[j]) * abs(part)
    return (
        target_sum + sign * base,
        weighted + sign * base * abs(part),
        positive + sign * max(part, 0.0),
        pairs + sign,
    )


@jit
def write(store, i, j, value):
    """Set the trust of ``i`` in ``j`` to ``value`` (0-1), keeping the group sums current."""
    base = target(store, i, j)
    old = np.float64(store.personal[i, j])
    store.personal[i, j] = _part(value, base) / store.scale[0]
    # the parts as stored, widened: Numba keeps float() of a float32 element in float32, and
    # the change in |part| below would be rounded to float32 (1e-7 of the sums a write)
    new = np.float64(store.personal[i, j])
    if old == 0.0 and new != 0.0:
        mark_known(store.known, i, j)
    if store.counted and i != j and store.active[i] and store.active[j]:
        kind, tie = pair_kind(store, i, j), abs(new) - abs(old)
        store.sums[WEIGHTED, kind] += base * tie
        store.sums[POSITIVE, kind] += max(new, 0.0) - max(old, 0.0)
        store.ties[store.org[j], store.role[j], i] += (1.0 - store.damage[j]) * tie


@jit
def prefetch_write(store, i, j):
    """Start loading what ``read`` and ``write`` of i's trust in j touch at random.

    The pair's personal part, and the word of bits that marks it known. A hint that changes
    no value (``collabsim.jit.prefetch``), for loops over pairs drawn at random, which ask a
    few pairs ahead: at 5,000 people the two miss every cache.
    """
    prefetch(store.personal, i, j)
    prefetch(store.known, j, i >> 6)


@jit
def set_general(store, i, k, value):
    """Set i's generalised trust in organisation ``k``; trust in all its people moves with it."""
    change = value - store.general[k, i]
    store.general[k, i] = value
    if not store.counted or not store.active[i]:
        return
    store.views[k, store.org[i], store.role[i]] += change
    for r in range(3):
        weight = store.standing[k, r]
        if store.org[i] == k and store.role[i] == r:
            weight -= 1.0 - store.damage[i]  # not one's own trust in oneself
        kind = kind_of(store.org[i], k, store.sector[i], store.org_sector[k], store.role[i], r)
        store.sums[TARGET, kind] += change * weight
        store.sums[WEIGHTED, kind] += change * store.ties[k, r, i]


@jit
def drift(store, rate):
    """Let every pair's personal trust fade a share ``rate`` towards the target.

    Evidence: relationships "took time to nurture" and lapse without contact
    (Mervyn et al. 2019).
    """
    store.scale[0] *= 1.0 - rate
    if store.scale[0] < _RENORMALISE_BELOW:
        personal, ties = store.personal, store.ties
        personal *= store.scale[0]
        if store.counted:
            ties *= store.scale[0]
            store.sums[WEIGHTED, :] *= store.scale[0]
            store.sums[POSITIVE, :] *= store.scale[0]
        store.scale[0] = 1.0


@jit
def recount(store):
    """Recompute the group sums and the sums by group from scratch, pair by pair.

    A check on the sums kept current (the tests use it); O(N²).
    """
    store = unpacked(store)
    store.sums[:, :] = 0.0
    store.members[:, :] = 0.0
    store.standing[:, :] = 0.0
    store.views[:, :, :] = 0.0
    store.ties[:, :, :] = 0.0
    if not store.counted:
        return
    n = store.org.shape[0]
    for i in range(n):
        if store.active[i]:
            count_in(store, i, 1.0)
            first, kind, sums = _NO_GROUP
            for j in range(n):
                if j != i and store.active[j]:
                    first, kind, sums = _pair_group(store, i, j, first, kind, sums)
                    sums = _tally(store, i, j, 1.0, sums, float(store.personal[i, j]))
            _keep_group_sums(store, kind, sums)


@jit
def count_in(store, i, sign):
    """Add (sign=+1) or remove (-1) member ``i`` in the sums by group of posts."""
    oi, ri = store.org[i], store.role[i]
    store.members[oi, ri] += sign
    store.standing[oi, ri] += sign * (1.0 - store.damage[i])
    for k in range(store.views.shape[0]):
        store.views[k, oi, ri] += sign * store.general[k, i]


@jit
def _tally_column(store, j, sign):
    """Add (sign=+1) or remove (-1) every active pair (i, j) with ``j``, group by group."""
    first, kind, sums = _NO_GROUP
    for i in range(store.org.shape[0]):
        if i != j and store.active[i]:
            first, kind, sums = _pair_group(store, j, i, first, kind, sums)
            sums = _tally(store, i, j, sign, sums, float(store.personal[i, j]))
    _keep_group_sums(store, kind, sums)


@jit
def damage_reputation(store, j, amount):
    """Raise ``j``'s reputation damage by ``amount``: credibility is lost at once.

    The ceiling trust in ``j`` can recover to falls from ``1 - old`` to ``1 - new``, and
    everyone's current trust in ``j`` falls in the same proportion, keeping its place
    under the ceiling. Evidence: a leader's self-interest "had a devastating effect on the
    morale and credibility of the collaborative venture" (Kennedy et al. 2019).
    """
    store = unpacked(store)
    n = store.org.shape[0]
    old = store.damage[j]
    new = min(1.0, old + amount)
    kept = (1.0 - new) / (1.0 - old) if old < 1.0 else 0.0
    current = np.empty(n)
    counted = store.counted and store.active[j]
    for i in range(n):
        current[i] = read(store, i, j) * kept
    if counted:
        _tally_column(store, j, -1.0)
        store.standing[store.org[j], store.role[j]] -= new - old
    store.damage[j] = new
    for i in range(n):
        if i != j:
            store.personal[i, j] = _part(current[i], target(store, i, j)) / store.scale[0]
            if store.personal[i, j] != 0.0:
                mark_known(store.known, i, j)
    if counted:
        _tally_column(store, j, 1.0)


@jit
def group_mean(store, group):
    """Mean trust over active pairs in ``group``, in [0, 1] (NaN when the group is empty).

    NaN too for a store that keeps no sums (``counted`` false): its trust is not reported.
    """
    if not store.counted:
        return np.nan
    total = np.zeros(4)
    for kind in range(8):
        if group == ALL or kind & group:
            total += store.sums[:, kind]
    if total[PAIRS] < 0.5:
        return np.nan
    mean = (total[TARGET] - store.scale[0] * (total[WEIGHTED] - total[POSITIVE])) / total[PAIRS]
    # every pair's trust is in [0, 1], but the sums are kept current by many small updates
    # whose rounding can carry the mean a hair outside (1 + 1.4e-11 has been seen)
    return min(1.0, max(0.0, mean))
