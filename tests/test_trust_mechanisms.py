"""M1 and the trust store: asymmetric trust, personal and generalised, kept in running sums."""

from __future__ import annotations

import numpy as np
import pytest
from mechanism_support import compiled_settings, small_model

import collabsim
from collabsim.mechanisms import acquaintance, trust, trust_members, trust_store
from collabsim.mechanisms.roles import BOTTOM, TOP
from collabsim.silo import SiloWorld

# --- M1 trust --------------------------------------------------------------------------------


def test_positive_signals_close_a_share_of_the_gap_to_the_ceiling():
    t = trust.trust_after_signal(0.4, 1.0, 0.9, 0.0, 0.1, 0.3, 0.5)
    assert t == pytest.approx(0.4 + 0.1 * 0.5)
    # above the ceiling: no gain
    assert trust.trust_after_signal(0.95, 1.0, 0.9, 0.0, 0.1, 0.3, 0.5) == 0.95
    t = 0.2
    for _ in range(500):
        t = trust.trust_after_signal(t, 1.0, 0.7, 0.0, 0.1, 0.3, 0.5)
    assert t == pytest.approx(0.7, abs=1e-9)  # converges to the ceiling, never above


def test_negative_signals_remove_a_share_of_trust_more_under_dependency():
    assert trust.trust_after_signal(0.5, -1.0, 1.0, 0.0, 0.1, 0.3, 0.5) == pytest.approx(0.35)
    assert trust.trust_after_signal(0.5, -1.0, 1.0, 1.0, 0.1, 0.3, 0.5) == pytest.approx(0.275)
    assert trust.trust_after_signal(0.5, -0.5, 1.0, 0.0, 0.1, 0.3, 0.5) == pytest.approx(0.425)
    assert trust.trust_after_signal(0.5, 0.0, 1.0, 0.0, 0.1, 0.3, 0.5) == 0.5
    assert trust.trust_after_signal(0.5, -1.0, 1.0, 1.0, 0.1, 0.9, 1.0) == 0.0  # floored


def test_trust_is_slow_to_build_and_quick_to_lose():
    """Signals needed to rise 0.2 versus to fall 0.2, with the default rates."""
    p = collabsim.Params()
    up, t = 0, 0.3
    while t < 0.5:
        t = trust.trust_after_signal(t, 1.0, 1.0, 0.0, p.trust_gain, p.trust_loss, 0.5)
        up += 1
    down, t = 0, 0.5
    while t > 0.3:
        t = trust.trust_after_signal(t, -1.0, 1.0, 0.0, p.trust_gain, p.trust_loss, 0.5)
        down += 1
    assert down <= 2 and up >= 2 * down


def _encounter_weights(encounter_warmth):
    return trust.EncounterWeights(
        encounter_warmth=encounter_warmth,
        encounter_trust_weight=3.0,
        encounter_narrative_weight=2.0,
        identity_threat=1.5,
        upward_hesitancy=1.5,
    )


def test_encounters_go_better_with_trust_and_shared_purpose_worse_with_threat_and_rank():
    weights = _encounter_weights(encounter_warmth=0.5)
    base = dict(trust=0.5, closeness=0.5, threat=0.5, upward_gap=0.2)

    def p(**change_):
        return trust.encounter_goes_well_probability(*{**base, **change_}.values(), weights)

    assert 0 < p() < 1
    assert p(trust=0.9) > p() > p(trust=0.1)
    assert p(closeness=1.0) > p() > p(closeness=0.0)
    assert p(threat=0.0) > p() > p(threat=1.0)
    assert p(upward_gap=0.0) > p() > p(upward_gap=0.8)
    neutral = _encounter_weights(encounter_warmth=0.0)
    assert trust.encounter_goes_well_probability(0.5, 0.5, 0.0, 0.0, neutral) == pytest.approx(0.5)


def test_turf_threat_grows_with_what_both_sides_guard():
    assert trust.turf_threat(1.0, 0.5, 0.5) == pytest.approx(1.0)
    assert trust.turf_threat(1.0, 0.1, 0.1) < trust.turf_threat(1.0, 0.1, 0.9)
    assert trust.turf_threat(1.0, 0.1, 0.9) == trust.turf_threat(1.0, 0.9, 0.1)
    assert trust.turf_threat(0.0, 0.9, 0.9) == 0.0  # colleagues in one organisation
    assert trust.turf_threat(0.5, 0.4, 0.4) == pytest.approx(0.4)


def test_identity_threat_is_none_at_home_more_across_sectors():
    assert trust.identity_threat(1, 1, 0, 0) == 0.0
    assert trust.identity_threat(1, 2, 0, 0) == 0.5
    assert trust.identity_threat(1, 2, 0, 1) == 1.0


def test_prior_trust_is_higher_at_home_lower_across_the_divide():
    sectors = np.array([0, 0, 1, 2])  # health, health, social care, community
    prior = trust.prior_trust(sectors, 0.6, 0.35, 0.1)
    assert np.allclose(np.diag(prior), 0.6)
    assert prior[0, 1] == pytest.approx(0.35)
    assert prior[0, 2] == pytest.approx(0.25) and prior[2, 0] == pytest.approx(0.25)
    assert prior[2, 3] == pytest.approx(0.35)


# --- the trust store ---------------------------------------------------------------------


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


def test_drift_returns_personal_trust_to_the_view_of_the_organisation():
    m = small_model()
    store = m.state.trust
    before = trust_store.target(store, 1, 30)
    trust_store.write(store, 1, 30, 0.95)
    assert trust_store.read(store, 1, 30) == pytest.approx(0.95, abs=1e-6)
    for _ in range(200):
        trust_store.drift(store, 0.05)
    assert trust_store.read(store, 1, 30) == pytest.approx(before, abs=1e-3)


def test_a_lesson_about_a_person_generalises_to_their_organisation():
    m = small_model()
    s = m.state
    store = s.trust
    i, j = 0, 39
    k = store.org[j]
    colleague = next(c for c in range(40) if store.org[c] == k and c != j)
    before_person, before_org = trust_store.read(store, i, j), trust_store.read(store, i, colleague)
    for _ in range(5):
        trust.signal(store, i, j, 1.0, s.people.power, m.settings.trust)
    gain_person = trust_store.read(store, i, j) - before_person
    gain_org = trust_store.read(store, i, colleague) - before_org
    assert gain_person > 0 and gain_org > 0
    assert gain_org < gain_person * 0.5  # the person counts more than their organisation


def test_reputation_damage_takes_trust_down_at_once_with_its_ceiling():
    m = small_model()
    store = m.state.trust
    trust_store.write(store, 2, 20, 0.8)
    trust_store.write(store, 3, 20, 0.2)
    trust_store.damage_reputation(store, 20, 0.5)  # the ceiling halves, and so does trust now
    assert trust_store.read(store, 2, 20) == pytest.approx(0.4, abs=1e-6)
    assert trust_store.read(store, 3, 20) == pytest.approx(0.1, abs=1e-6)
    trust_store.damage_reputation(store, 20, 0.25)  # from half the ceiling to a quarter
    assert trust_store.read(store, 2, 20) == pytest.approx(0.2, abs=1e-6)
    for _ in range(300):
        trust_store.drift(store, 0.05)
    ceiling = 0.25 * store.general[store.org[20], 2]
    assert trust_store.read(store, 2, 20) == pytest.approx(ceiling, abs=1e-3)


def test_a_newcomer_is_known_by_nobody():
    m = small_model()
    store, s = m.state.trust, m.state
    for _ in range(20):
        trust.signal(store, 5, 6, 1.0, s.people.power, m.settings.trust)
        trust.signal(store, 6, 5, 1.0, s.people.power, m.settings.trust)
    trust_members.renew(store, 6, True)
    assert trust_store.read(store, 5, 6) == pytest.approx(trust_store.target(store, 5, 6), abs=1e-9)
    assert np.allclose(store.general[:, 6], store.prior[store.org[6]])


def test_without_a_working_network_people_talk_with_colleagues():
    """Members of a working network talk with fellow members of any organisation; without
    one (the silo twin, a dissolved network), everyone in post talks with colleagues."""
    m = small_model()
    s = m.state
    store, org = trust_store.unpacked(s.trust), s.people.org
    s.people.active[:10] = False  # ten people have left the network
    for network_on in (True, False):
        talks = trust.gossip(store, s.stream, s.people.news, 4.0, network_on, False, s.org_start)
        i, k, j = talks.T
        assert len(talks) > 50
        assert (i != k).all() and (j != i).all() and (j != k).all()
        if network_on:
            assert s.people.active[talks].all()
            assert (org[i] != org[k]).mean() > 0.3  # often across organisations
        else:
            assert (org[i] == org[k]).all()
            assert not s.people.active[i].all()  # those who had left talk too
            assert (org[i] != org[j]).any()  # about anyone


def test_a_world_that_reads_only_colleagues_trust_talks_only_of_colleagues():
    """Drawn alike, a world talking of colleagues only holds the colleague talks of the rest."""
    m = small_model()
    s = m.state
    store, org = trust_store.unpacked(s.trust), s.people.org
    s.people.news[:] = -1
    talks = {}
    for colleagues_only in (False, True):
        draws = s.stream.copy()  # the same draws for both
        talks[colleagues_only] = trust.gossip(
            store, draws, s.people.news, 4.0, False, colleagues_only, s.org_start
        )
    every, colleagues = talks[False], talks[True]
    about_colleagues = org[every[:, 0]] == org[every[:, 2]]
    assert 0 < about_colleagues.sum() < len(every)  # some of each, so the test can fail
    assert np.array_equal(colleagues, every[about_colleagues])


class _SiloHearingEveryone(SiloWorld):
    """A silo world whose trust is counted, so that it holds every conversation."""

    observed = True


@pytest.mark.parametrize("seed", [3, 8])
def test_the_silo_twin_skips_only_talk_that_moves_trust_nothing_reads(seed):
    """The twin holds only its talk about colleagues (``trust.gossip``), on the grounds
    that nothing in a world that never convenes reads trust across organisations. Lived
    for three years beside a silo world holding every conversation, with people moving on
    and a leader's self-interested act that gives everyone news of someone from another
    organisation, it must do the same change work and keep the same trust among
    colleagues."""
    act = {"step": 30, "kind": "self_interest_act"}
    params = collabsim.Params(n_people=200, convened=False, turnover_rate=0.3, events=[act])
    twin, hearing = SiloWorld(params, seed), _SiloHearingEveryone(params, seed)
    for _ in range(156):
        twin.step()
        hearing.step()
    kept, heard = twin.state, hearing.state
    assert heard.counters.sum() > 0 and heard.network.turnover > 50  # work done, posts renewed
    assert np.array_equal(kept.counters, heard.counters)
    assert np.array_equal(kept.pathways.config, heard.pathways.config)
    for name in ("commitment", "adopted", "granted", "blocked", "refused", "territoriality"):
        assert np.array_equal(getattr(kept.people, name), getattr(heard.people, name)), name
    org = kept.people.org
    colleagues = org[:, None] == org[None, :]
    assert np.array_equal(kept.trust.personal[colleagues], heard.trust.personal[colleagues])
    assert np.array_equal(kept.trust.general, heard.trust.general)
    # the talk it skipped moved trust across organisations in the other world
    assert not np.array_equal(kept.trust.personal[~colleagues], heard.trust.personal[~colleagues])


def test_second_hand_trust_moves_towards_what_trusted_contacts_think():
    m = small_model()
    s = m.state
    gossip = m.settings.trust._replace(gossip_contacts=5.0, second_hand_trust=0.3)
    store = s.trust
    villain = 11
    for i in range(40):
        if i != villain:
            trust_store.write(store, i, villain, 0.05)
    listener = 3
    trust_store.write(store, listener, villain, 0.8)
    s.people.news[:] = villain  # everyone's latest news is about the villain
    for _ in range(10):
        trust.second_hand(s.world, compiled_settings(m, trust=gossip), True)
    assert trust_store.read(store, listener, villain) < 0.4
