"""The trust store's kept sums and who may know whom: every change keeps them a recount."""

from __future__ import annotations

import numpy as np
import pytest
from mechanism_support import small_model

import collabsim
from collabsim.mechanisms import acquaintance, trust, trust_members, trust_store
from collabsim.mechanisms.roles import BOTTOM, TOP


def _exact_group_means(store):
    n = store.org.size
    t = np.array([[trust_store.read(store, i, j) for j in range(n)] for i in range(n)])
    act = store.active
    pair = act[:, None] & act[None, :] & ~np.eye(n, dtype=bool)
    cross = store.org[:, None] != store.org[None, :]
    health, social = store.sector == 0, store.sector == 1
    divide = (health[:, None] & social[None, :]) | (social[:, None] & health[None, :])
    top, bottom = store.role == TOP, store.role == BOTTOM
    ranks = (top[:, None] & bottom[None, :]) | (bottom[:, None] & top[None, :])
    return [t[pair & g].mean() for g in (np.ones_like(pair), cross, divide, ranks)], t


def _assert_sums_exact(store):
    exact, values = _exact_group_means(store)
    kept = [
        trust_store.group_mean(store, g)
        for g in (
            trust_store.ALL,
            trust_store.CROSS_ORG,
            trust_store.HEALTH_SOCIAL,
            trust_store.TOPS_BOTTOMS,
        )
    ]
    assert np.allclose(kept, exact, atol=1e-6)
    assert np.all((values >= -1e-6) & (values <= 1 + 1e-6))


def test_kept_group_sums_match_recounting_through_every_kind_of_change():
    m = small_model()
    s = m.state
    store, power, rates = s.trust, s.people.power, m.settings.trust
    rng = np.random.default_rng(0)
    _assert_sums_exact(store)
    for _ in range(300):
        i, j = rng.integers(0, 40, 2)
        trust.signal(store, i, j, rng.choice([-1.0, 1.0]), power, rates)
    _assert_sums_exact(store)
    for _ in range(40):
        trust_store.drift(store, 0.3)  # drives the scale below the renormalisation threshold
    assert store.scale[0] > 1e-2
    _assert_sums_exact(store)
    trust_members.set_membership(store, 3, False)
    trust_members.set_membership(store, 7, False)
    _assert_sums_exact(store)
    trust_members.set_membership(store, 3, True)
    trust_store.damage_reputation(store, 10, 0.4)
    _assert_sums_exact(store)
    trust_members.renew(store, 10, True)
    trust_members.renew(store, 7, True)
    _assert_sums_exact(store)
    trust_store.set_general(store, 4, 2, 0.9)
    _assert_sums_exact(store)


def test_a_leavers_warm_parts_are_taken_out_wherever_they_lie_in_their_row():
    """A leaver's row is read two parts a 64-bit word: none may be missed, and none added.

    An odd number of people, so the row ends in a part of a word of its own; positive parts
    in the first and the second half of a word and in that last one, and a negative part,
    which is no warm part. The positive sums lose exactly those parts, in post order.
    """
    model = collabsim.CollaborationModel(collabsim.Params(n_people=41, pathway_team_size=20), rng=5)
    store = model.state.trust
    n, leaver = store.org.size, 5
    assert n % 2 == 1 and store.active.all()
    assert not np.any(store.personal)  # nobody has met: only the leaver's row will hold parts
    for j, above in ((0, 0.2), (3, 0.3), (6, 0.1), (n - 1, 0.25), (9, -0.2)):
        base = trust_store.read(store, leaver, j)
        trust_store.write(store, leaver, j, base + above * (1.0 - base if above > 0 else base))
    row = store.personal[leaver].astype(np.float64)
    assert (row > 0).sum() == 4 and (row < 0).sum() == 1
    expected = store.sums[trust_store.POSITIVE].copy()
    for j in range(n):
        if row[j] > 0.0:
            expected[trust_store.pair_kind(store, leaver, j)] += -1.0 * row[j]
    assert not np.array_equal(expected, store.sums[trust_store.POSITIVE])
    trust_members.set_membership(store, leaver, False)
    assert np.array_equal(store.sums[trust_store.POSITIVE], expected)


def _recounted(store):
    """A recount of a copy of ``store``: what every kept sum should be."""
    copy = trust_store.TrustStore(*(f.copy() if isinstance(f, np.ndarray) else f for f in store))
    trust_store.recount(copy)
    return copy


def test_a_new_store_counts_its_members_as_a_recount_would():
    """A new store counts only its members, group by group, as a recount pair by pair does."""
    s = small_model().state.trust
    active = np.random.default_rng(5).random(s.org.size) < 0.7
    assert 0 < active.sum() < active.size
    members = active.copy()  # the store shares ``active``, as a run's people do
    store = trust_members.new_store(s.prior, s.org, s.sector, s.role, s.org_sector, active)
    recounted = _recounted(store)
    assert np.array_equal(store.members, recounted.members)
    assert store.members.sum() == members.sum()
    for name in ("standing", "views", "ties"):
        assert np.allclose(getattr(store, name), getattr(recounted, name), atol=1e-12), name
    assert np.allclose(store.sums, recounted.sums, rtol=1e-12, atol=1e-12)
    assert np.array_equal(store.sums[trust_store.PAIRS], recounted.sums[trust_store.PAIRS])
    assert np.array_equal(store.active, members)  # counting leaves membership as it was
    _assert_sums_exact(store)


@pytest.mark.parametrize("seed", [0, 2, 3, 4])
def test_kept_sums_stay_a_recount_through_any_sequence_of_changes(seed):
    """Every change in any order, each followed by a check of every kept sum against a recount.

    Among them members leaving and coming back (damaged, or their organisation's view moved
    while they were away) and posts renewed whether or not their holder was a member.
    """
    m = small_model()
    store, power, rates = m.state.trust, m.state.people.power, m.settings.trust
    rng = np.random.default_rng(seed)
    changes = ["signal", "signal", "drift", "leave", "join", "renew", "damage", "general"]
    covered = set()
    for _ in range(300):
        change = str(rng.choice(changes))
        i, j = (int(x) for x in rng.integers(0, store.org.size, 2))
        if change == "signal":
            trust.signal(store, i, j, float(rng.choice([-1.0, 1.0])), power, rates)
        elif change == "drift":
            trust_store.drift(store, float(rng.choice([0.05, 0.6])))
        elif change == "leave":
            trust_members.set_membership(store, i, False)
        elif change == "join":
            if not store.active[i] and store.damage[i] > 0 and store.personal[i].any():
                covered.add("a damaged member who trusts others comes back")
            trust_members.set_membership(store, i, True)
        elif change == "renew":
            covered.add(f"a post renewed whose holder was a member: {bool(store.active[i])}")
            trust_members.renew(store, i, bool(rng.random() < 0.8))
        elif change == "damage":
            trust_store.damage_reputation(store, i, float(rng.choice([0.1, 0.5, 1.0])))
        else:
            if not store.active[i]:
                covered.add("the view of someone away moves")
            trust_store.set_general(
                store, i, int(rng.integers(store.general.shape[0])), rng.random()
            )
        _assert_sums_exact(store)
        recounted = _recounted(store)
        assert np.array_equal(store.members, recounted.members)
        for name in ("standing", "views"):
            assert np.allclose(getattr(store, name), getattr(recounted, name), atol=1e-12), name
        # a drift of 0.6 soon renormalises: each part is rounded to float32, ties are not
        assert np.allclose(store.ties, recounted.ties, rtol=1e-6, atol=1e-6)
        assert np.allclose(store.sums, recounted.sums, rtol=1e-9, atol=1e-6)
    assert len(covered) == 4, covered


def _add_pair(store, sums, a, b, sign):
    """Add (or remove) the pair (a, b) to ``sums`` term by term, as a pass must (in Python)."""
    kind = int(trust_store.pair_kind(store, a, b))
    base = trust_store.target(store, a, b)
    part = float(store.personal[a, b])
    sums[trust_store.TARGET, kind] += sign * base
    sums[trust_store.WEIGHTED, kind] += sign * base * abs(part)
    sums[trust_store.POSITIVE, kind] += sign * max(part, 0.0)
    sums[trust_store.PAIRS, kind] += sign
    return kind


def test_recounting_adds_each_pair_in_order_and_membership_changes_agree_with_it():
    """A recount adds one pair's terms after another: exact to the bit, whatever the pass.

    The recount keeps a group's sums in registers; adding up a group first and then adding
    its total would differ in the last bits. A member's leaving and a newcomer's joining
    move the sums group by group instead, which agrees with pair-by-pair sums to rounding.
    """
    m = small_model()
    s = m.state
    store, rng = s.trust, np.random.default_rng(3)
    for _ in range(400):  # personal parts of both signs, and damaged reputations
        i, j = rng.integers(0, 40, 2)
        trust.signal(store, i, j, rng.choice([-1.0, 1.0]), s.people.power, m.settings.trust)
    trust_store.damage_reputation(store, 12, 0.3)
    trust_store.damage_reputation(store, 9, 0.2)

    expected = np.zeros_like(store.sums)
    for i in np.flatnonzero(store.active):
        for j in np.flatnonzero(store.active):
            if i != j:
                _add_pair(store, expected, i, j, 1.0)
    trust_store.recount(store)
    assert np.array_equal(store.sums, expected)

    leaver = 9  # damaged, known to several, trusting some
    assert (store.personal[:, leaver] != 0).sum() > 3 and (store.personal[leaver] > 0).any()
    for j in np.flatnonzero(store.active):
        if j != leaver:
            _add_pair(store, expected, leaver, j, -1.0)
            _add_pair(store, expected, j, leaver, -1.0)
    trust_members.set_membership(store, leaver, False)
    assert np.allclose(store.sums, expected, rtol=1e-12, atol=1e-12)
    assert np.array_equal(store.sums[trust_store.PAIRS], expected[trust_store.PAIRS])

    post, org = 21, store.org[21]
    assert store.active[post]  # the leaver's pairs go, the newcomer's come
    for j in np.flatnonzero(store.active):
        if j != post:
            kind = _add_pair(store, expected, post, j, -1.0)
            _add_pair(store, expected, j, post, -1.0)
            newcomer = store.prior[org, store.org[j]] * (1.0 - store.damage[j])
            expected[trust_store.TARGET, kind] += newcomer + store.general[org, j]
            expected[trust_store.PAIRS, kind] += 2.0
    trust_members.renew(store, post, True)
    assert np.allclose(store.sums, expected, rtol=1e-12, atol=1e-12)
    assert np.array_equal(store.sums[trust_store.PAIRS], expected[trust_store.PAIRS])


@pytest.mark.parametrize("weeks", [28, 104])
def test_sums_by_group_stay_those_of_the_members_through_a_run(weeks):
    """The sums by group of posts that membership changes read stay what a recount gives.

    A run of 300 people, with encounters, gossip, self-interest, budget cuts, exits and
    turnover: at 28 weeks its network is alive and losing members, at two years it has
    dissolved.
    """
    hard_times = collabsim.scenario("iocn").replace(
        self_interest_hazard=0.05,
        budget_cut_rate=3,
        exit_threshold=0.4,  # members drift away within months
        events=({"step": 10, "kind": "self_interest_act"},),  # a leader acts early for certain
    )
    model = collabsim.CollaborationModel(hard_times, rng=0)  # a seed whose run does all that
    for _ in range(weeks):
        model.step()
    store = model.state.trust
    assert model.network.exits > 40 and store.damage.max() > 0
    assert model.network.alive == (weeks == 28)
    kept = {name: getattr(store, name).copy() for name in ("members", "standing", "views", "ties")}
    sums = store.sums.copy()
    trust_store.recount(store)
    assert np.array_equal(kept["members"], store.members)
    for name in ("standing", "views"):
        assert np.allclose(kept[name], getattr(store, name), rtol=1e-12, atol=1e-12), name
    # a write adds the change in |part| widened to float64, so ties keep to their float32
    # parts to rounding (in two years the parts' scale stays above 1e-2 and is not rounded in)
    assert store.scale[0] > 1e-2
    assert np.allclose(kept["ties"], store.ties, rtol=1e-12, atol=1e-12)
    assert np.allclose(sums, store.sums, rtol=1e-9, atol=1e-6)  # an emptied kind keeps rounding


def _known_bits(store):
    """``known`` unpacked: [j, i] is true where ``personal[i, j]`` may be non-zero."""
    n = store.org.size
    return np.unpackbits(store.known.view(np.uint8), axis=1, bitorder="little")[:, :n] != 0


def _iocn_after(weeks, seed):
    """An ``iocn`` model of 300 people run for ``weeks``: turnover, exits, gossip, meetings."""
    model = collabsim.CollaborationModel(collabsim.scenario("iocn"), rng=seed)
    for _ in range(weeks):
        model.step()
    return model


def test_who_may_know_whom_covers_every_personal_part_through_a_run():
    """Passes over a post's column read only the people ``known`` names: it must miss nobody.

    A run of 300 people (five 64-bit words a column) for two years, with turnover, exits,
    gossip and meetings, in the network's store and in its silo twin's.
    """
    model = _iocn_after(104, seed=4)
    for store in (model.state.trust, model.silo_twin.state.trust):
        parts = store.personal != 0.0
        assert parts.sum() > 1000  # people have met
        assert not np.any(parts.T & ~_known_bits(store))


def test_who_may_know_a_post_lists_exactly_those_marked_in_order():
    """Every place in a word, the sign bit (place 63) and the last, part-filled word included."""
    n = 200  # four words a row, the last holding 8 people
    known = acquaintance.no_one_known(n)
    rng = np.random.default_rng(7)
    marked = {post: set() for post in range(n)}
    for knower in range(n):  # each knower marks a few posts, so each place in a word is used
        for post in rng.choice(n, size=6, replace=False):
            acquaintance.mark_known(known, knower, int(post))
            marked[int(post)].add(knower)
    acquaintance.mark_known(known, 63, 0)
    marked[0].add(63)
    for post in range(n):
        assert acquaintance.who_may_know(known, post).tolist() == sorted(marked[post])


@pytest.mark.parametrize("store_of", ["network", "silo twin"])
def test_a_newcomer_leaves_no_part_in_their_post_row_or_column(store_of):
    model = _iocn_after(104, seed=5)
    store = (model.state if store_of == "network" else model.silo_twin.state).trust
    known_by = (store.personal != 0.0).sum(axis=0)
    post = int(np.argmax(known_by))  # the best-known post, known across several words
    knowers = np.flatnonzero(store.personal[:, post])
    assert knowers.size > 5 and knowers.max() // 64 > knowers.min() // 64
    trust_members.renew(store, post, store_of == "network")
    assert not store.personal[:, post].any() and not store.personal[post].any()
    assert not _known_bits(store)[post].any()
    if store.counted:
        _assert_sums_exact(store)


def test_a_damaged_reputation_marks_everyone_who_now_knows_the_person():
    """Damage rewrites a whole column: rounding leaves parts where there were none."""
    model = _iocn_after(60, seed=4)
    store = model.state.trust
    before = (store.personal[:, 90] != 0.0).sum()
    trust_store.damage_reputation(store, 90, 0.3)
    trust_store.damage_reputation(store, 90, 0.2)
    parts = store.personal != 0.0
    assert parts[:, 90].sum() > before
    assert not np.any(parts.T & ~_known_bits(store))
