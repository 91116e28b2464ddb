"""Unit behaviour of each mechanism: limits and known cases."""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest
from mechanism_support import compiled_settings, hope

import collabsim
from collabsim.initialisation import pathway_count
from collabsim.mechanisms import (
    attendance,
    change,
    commitment,
    decisions,
    draws,
    landscape,
    learning,
    narrative,
    sustainability,
    trust,
    trust_store,
    turnover,
)
from collabsim.mechanisms.roles import BOTTOM, MIDDLE, TOP

# --- random draws ------------------------------------------------------------------------


def test_streams_are_reproducible_independent_and_uniform():
    a = draws.new_stream(np.random.default_rng(1))
    b = draws.new_stream(np.random.default_rng(1))
    c = draws.new_stream(np.random.default_rng(2))
    xa = np.array([draws.uniform(a) for _ in range(20000)])
    xb = np.array([draws.uniform(b) for _ in range(20000)])
    xc = np.array([draws.uniform(c) for _ in range(20000)])
    assert np.array_equal(xa, xb)
    assert not np.array_equal(xa, xc)
    assert xa.min() >= 0 and xa.max() < 1
    assert abs(xa.mean() - 0.5) < 0.01  # sd of the mean is 0.002
    counts = np.bincount([draws.below(a, 7) for _ in range(70000)], minlength=7)
    assert counts.size == 7 and np.all(np.abs(counts - 10000) < 500)
    normals = np.array([draws.normal(a) for _ in range(20000)])
    assert abs(normals.mean()) < 0.03 and abs(normals.std() - 1) < 0.03


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


def _small_model(**overrides):
    params = collabsim.Params(n_people=40, pathway_team_size=20, **overrides)
    return collabsim.CollaborationModel(params, rng=5)


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
    m = _small_model()
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
    trust_store.set_membership(store, 3, False)
    trust_store.set_membership(store, 7, False)
    _assert_sums_exact(store)
    trust_store.set_membership(store, 3, True)
    trust_store.damage_reputation(store, 10, 0.4)
    _assert_sums_exact(store)
    trust_store.renew(store, 10, True)
    trust_store.renew(store, 7, True)
    _assert_sums_exact(store)
    trust_store.set_general(store, 4, 2, 0.9)
    _assert_sums_exact(store)


def _add_pair(store, sums, a, b, sign):
    """Add (or remove) the pair (a, b) to ``sums`` term by term, as a pass must (in Python)."""
    kind = int(trust_store._kind(store, a, b))
    base = trust_store.target(store, a, b)
    part = float(store.personal[a, b])
    sums[trust_store.TARGET, kind] += sign * base
    sums[trust_store.WEIGHTED, kind] += sign * base * abs(part)
    sums[trust_store.POSITIVE, kind] += sign * max(part, 0.0)
    sums[trust_store.PAIRS, kind] += sign
    return kind


def test_passes_over_everyone_keep_the_group_sums_exact_to_the_bit():
    """Each group sum sees one pair's terms after another, in order, whatever the pass.

    The passes keep a group's sums in registers; adding up a group first and then adding
    its total would differ in the last bits, and a run's trust reporters would no longer
    be the same to the bit.
    """
    m = _small_model()
    s = m.state
    store, rng = s.trust, np.random.default_rng(3)
    for _ in range(400):  # personal parts of both signs, and damaged reputations
        i, j = rng.integers(0, 40, 2)
        trust.signal(store, i, j, rng.choice([-1.0, 1.0]), s.people.power, m.settings.trust)
    trust_store.damage_reputation(store, 12, 0.3)

    expected = np.zeros_like(store.sums)
    for i in np.flatnonzero(store.active):
        for j in np.flatnonzero(store.active):
            if i != j:
                _add_pair(store, expected, i, j, 1.0)
    trust_store.recount(store)
    assert np.array_equal(store.sums, expected)

    leaver = 9
    for j in np.flatnonzero(store.active):
        if j != leaver:
            _add_pair(store, expected, leaver, j, -1.0)
            _add_pair(store, expected, j, leaver, -1.0)
    trust_store.set_membership(store, leaver, False)
    assert np.array_equal(store.sums, expected)

    post, org = 21, store.org[21]
    assert store.active[post]  # the leaver's pairs go, the newcomer's come
    for j in np.flatnonzero(store.active):
        if j != post:
            kind = _add_pair(store, expected, post, j, -1.0)
            _add_pair(store, expected, j, post, -1.0)
            newcomer = store.prior[org, store.org[j]] * (1.0 - store.damage[j])
            expected[trust_store.TARGET, kind] += newcomer + store.general[org, j]
            expected[trust_store.PAIRS, kind] += 2.0
    trust_store.renew(store, post, True)
    assert np.array_equal(store.sums, expected)


def test_drift_returns_personal_trust_to_the_view_of_the_organisation():
    m = _small_model()
    store = m.state.trust
    before = trust_store.target(store, 1, 30)
    trust_store.write(store, 1, 30, 0.95)
    assert trust_store.read(store, 1, 30) == pytest.approx(0.95, abs=1e-6)
    for _ in range(200):
        trust_store.drift(store, 0.05)
    assert trust_store.read(store, 1, 30) == pytest.approx(before, abs=1e-3)


def test_a_lesson_about_a_person_generalises_to_their_organisation():
    m = _small_model()
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
    m = _small_model()
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
    m = _small_model()
    store, s = m.state.trust, m.state
    for _ in range(20):
        trust.signal(store, 5, 6, 1.0, s.people.power, m.settings.trust)
        trust.signal(store, 6, 5, 1.0, s.people.power, m.settings.trust)
    trust_store.renew(store, 6, True)
    assert trust_store.read(store, 5, 6) == pytest.approx(trust_store.target(store, 5, 6), abs=1e-9)
    assert np.allclose(store.general[:, 6], store.prior[store.org[6]])


def test_second_hand_trust_moves_towards_what_trusted_contacts_think():
    m = _small_model()
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
        trust.second_hand(s.world, compiled_settings(m, trust=gossip))
    assert trust_store.read(store, listener, villain) < 0.4


# --- M4 narrative --------------------------------------------------------------------------


def test_narrative_exchange_is_bounded_confidence():
    assert narrative.narrative_exchange(0.2, 0.6, 1.0, 1.0, 0.3, 0.3, 0.5) == (0.2, 0.6)
    a, b = narrative.narrative_exchange(0.4, 0.6, 1.0, 1.0, 0.3, 0.3, 0.5)
    assert a == pytest.approx(0.5) and b == pytest.approx(0.5)
    a, b = narrative.narrative_exchange(0.4, 0.6, 0.5, 0.0, 0.3, 0.3, 0.5)
    assert a == pytest.approx(0.45) and b == pytest.approx(0.6)  # distrust: no move
    a, b = narrative.narrative_exchange(0.4, 0.6, 1.0, 1.0, 0.3, 0.1, 0.5)
    assert a == pytest.approx(0.5) and b == 0.6  # only the open-minded one moves
    assert narrative.anchored(0.8, 0.2, 0.25) == pytest.approx(0.65)
    views = np.array([0.0, 1.0, 0.5])
    narrative.central_pull(views, np.array([0, 1]), 0.5, 0.2)
    assert np.allclose(views, [0.1, 0.9, 0.5])


def test_clusters_are_counted_with_minor_ones_left_out():
    views = np.concatenate([np.full(40, 0.1), np.full(40, 0.5), np.full(2, 0.9)])
    assert narrative.count_clusters(views, 0.05, 1) == 3
    assert narrative.count_clusters(views, 0.05, 5) == 2
    assert narrative.count_clusters(np.linspace(0, 1, 500), 0.05, 1) == 1
    assert narrative.count_clusters(np.array([]), 0.05, 1) == 0


# --- M5, M6 attendance and seating ----------------------------------------------------------

WEIGHTS = attendance.AttendanceWeights(
    attendance_base=0.0,
    attendance_commitment=2.0,
    attendance_experience=2.0,
    attendance_workload=1.5,
    attendance_backlog=2.0,
    attendance_territoriality=1.5,
)


def test_attendance_rises_with_commitment_and_good_meetings_falls_with_load_and_power():
    args = dict(commitment=0.5, meeting_value=0.0, workload=0.5, backlog=0.0, territoriality=0.0)

    def p(**change_):
        return attendance.attendance_probability(*{**args, **change_}.values(), WEIGHTS)

    assert p() == pytest.approx(0.5)
    assert p(commitment=0.9) > p() > p(commitment=0.1)
    assert p(meeting_value=0.8) > p() > p(meeting_value=-0.8)
    assert p(workload=0.9) < p() < p(workload=0.1)
    assert p(backlog=1.0) == pytest.approx(1 / (1 + math.exp(2.0)))
    # the powerful, with territory to share, stay away; the powerless have little to lose
    assert p(territoriality=0.8) == pytest.approx(1 / (1 + math.exp(1.5 * 0.8)))


def test_choose_attendees_keeps_the_convener_and_skips_leavers():
    n = 200
    model = collabsim.CollaborationModel(n_people=n)
    state = model.state
    people = state.people
    people.active[:] = True
    people.active[:50] = False
    people.steady[:] = False
    people.steady[[60, 70]] = True
    people.commitment[:] = 0.5
    people.meeting_value[:] = 0.0
    people.workload[:] = 0.5
    people.territoriality[:] = 0.0
    people.attended_last[:] = False
    chosen = attendance.choose_attendees(state.world, compiled_settings(model, attendance=WEIGHTS))
    assert set(chosen).isdisjoint(range(50)) and {60, 70} <= set(chosen)
    assert np.array_equal(np.flatnonzero(people.attended_last), chosen)
    assert 50 < chosen.size < 150  # about half of the 150 members


def test_mixed_seating_mixes_organisations_clustered_does_not():
    stream = draws.new_stream(np.random.default_rng(3))
    org = np.repeat(np.arange(6), 10)  # six organisations of ten
    attendees = np.arange(60)
    mixed = attendance.seat(stream, attendees, org, 6, True)
    home = attendance.seat(stream, attendees, org, 6, False)
    assert sorted(mixed) == sorted(home) == list(range(60))

    def orgs_per_table(seated, mixed_):
        bounds = attendance.table_bounds(seated.size, 6, mixed_)
        return np.mean(
            [len(set(org[seated[a:b]])) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        )

    assert orgs_per_table(mixed, True) == 6
    assert orgs_per_table(home, False) < 2
    bounds = attendance.table_bounds(17, 6, True)
    assert list(np.diff(bounds)) == [6, 6, 5]


# --- M7, M10 learning and leadership -------------------------------------------------------


def test_programmes_build_frontline_skill_and_wear_down_tops_territory():
    staff = namedtuple("Staff", "role skill leader_identity territoriality")
    rates = learning.ProgrammeRates(
        programme_intensity=1.0, skill_gain=0.1, identity_gain=0.1, territoriality_unlearning=0.1
    )
    role = np.array([TOP, MIDDLE, BOTTOM])
    people = staff(role, np.full(3, 0.2), np.full(3, 0.2), np.full(3, 0.8))
    world, settings = namedtuple("World", "people"), namedtuple("Settings", "programmes")(rates)
    learning.programme_session(world(people), settings, np.arange(3), 1.0)
    assert people.skill[0] == 0.2 and people.skill[1] == pytest.approx(0.28)
    assert people.leader_identity[2] == pytest.approx(0.28)
    assert people.territoriality[0] == pytest.approx(0.72) and people.territoriality[1] == 0.8
    deeper = staff(role, np.full(3, 0.2), np.full(3, 0.2), np.full(3, 0.8))
    learning.programme_session(world(deeper), settings, np.arange(3), 1.5)
    assert deeper.skill[1] == pytest.approx(0.32)  # the academic partner deepens learning
    assert learning.claim_leadership(0.5, 0.2) == pytest.approx(0.6)


# --- M8 change work on NK landscapes -------------------------------------------------------


def test_nk_fitness_and_moves():
    rng = np.random.default_rng(0)
    neighbours, contributions = landscape.make_landscapes(rng, 1, 8, 3)
    nb, ct = neighbours[0], contributions[0]
    assert neighbours.shape == (1, 8, 3) and contributions.shape == (1, 8, 16)
    assert all(n not in nb[n] for n in range(8))  # nobody depends on themselves
    values = [landscape.fitness(c, nb, ct) for c in range(256)]
    assert 0 < min(values) and max(values) < 1
    assert landscape.flip(landscape.flip(37, 4), 4) == 37
    assert landscape.flip(0, 3) == 8
    stream = draws.new_stream(rng)
    mask, vals = landscape.redraw(stream, 8, 0.5)
    assert bin(mask).count("1") == 4 and vals & ~mask == 0
    assert landscape.redesigned(0b11110000, 0b00111100, 0b00010100) == 0b11010100
    owner = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    mine = [n for n in range(8) if owner[n] == 1]
    expected = np.mean([landscape.contribution(37, n, nb, ct) for n in mine])
    assert landscape.own_fitness(37, 1, owner, nb, ct) == pytest.approx(expected)
    assert landscape.own_fitness(37, 9, owner, nb, ct) == 0.0


def test_proposals_need_energy_skill_and_entitlement():
    p = change.proposal_probability
    assert p(0.0, 0.5, 0.5, 0.0, 0.5, 0.2) == 0.0
    # entitlement is the mean of leader identity and freedom to prototype
    assert p(0.5, 0.5, 0.5, 0.0, 0.0, 0.2) == pytest.approx(0.2 * 0.5 * 0.5 * 0.25)
    assert p(0.5, 0.5, 0.5, 0.0, 1.0, 0.2) == pytest.approx(0.2 * 0.5 * 0.5 * 0.75)
    assert p(0.5, 0.5, 0.5, 1.0, 0.0, 0.2) == pytest.approx(2 * p(0.5, 0.5, 0.5, 0.0, 0.0, 0.2))


def test_the_environment_moves_and_unsupported_changes_unravel():
    rng = np.random.default_rng(4)
    neighbours, contributions = landscape.make_landscapes(rng, 2, 10, 2)
    config = np.array([5, 9], dtype=np.int64)
    fit = np.array(
        [landscape.fitness(config[p], neighbours[p], contributions[p]) for p in range(2)]
    )
    stream = draws.new_stream(rng)
    initial = np.array([0, 0], dtype=np.int64)
    made = config.copy()
    pathways = namedtuple(
        "Pathways", "config initial_config network_made fitness neighbours contributions"
    )(config, initial, made, fit, neighbours, contributions)
    world = namedtuple("World", "stream environment pathways")(stream, stream, pathways)
    rates = landscape.LandscapeRates(environment_change=0.2, n_practices=10, unsupported_decay=1.0)
    settings = namedtuple("Settings", "landscape")(rates)
    before = contributions.copy()
    landscape.shift_environment(world, settings)
    changed = np.any(before != contributions, axis=2).sum(axis=1)
    assert list(changed) == [2, 2]
    assert fit[0] == pytest.approx(landscape.fitness(config[0], neighbours[0], contributions[0]))
    landscape.unravel(world, settings)
    assert list(config) == [0, 0] and list(made) == [0, 0]


# --- M9 decisions ----------------------------------------------------------------------------


def test_territoriality_weighs_only_when_control_is_ceded():
    w = decisions.GrantWeights(
        grant_base=0.5,
        grant_trust=3.0,
        grant_alignment=1.5,
        grant_territoriality=4.0,
        grant_commitment=2.0,
    )
    own = decisions.grant_probability(0.5, 0.5, 0.9, 0.5, False, w)
    ceded = decisions.grant_probability(0.5, 0.5, 0.9, 0.5, True, w)
    assert own == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert ceded < own / 4
    assert decisions.grant_probability(0.9, 0.5, 0.5, 0.5, True, w) > decisions.grant_probability(
        0.1, 0.5, 0.5, 0.5, True, w
    )
    assert decisions.grant_probability(0.5, 0.5, 0.5, 0.9, True, w) > decisions.grant_probability(
        0.5, 0.5, 0.5, 0.1, True, w
    )


def test_gatekeeper_is_an_active_top_else_the_most_senior_member():
    stream = draws.new_stream(np.random.default_rng(0))
    org_start = np.array([0, 4, 7])
    role = np.array([TOP, TOP, MIDDLE, BOTTOM, MIDDLE, BOTTOM, BOTTOM])
    power = np.array([1.0, 0.9, 0.6, 0.3, 0.5, 0.4, 0.2])
    active = np.ones(7, dtype=bool)
    picks = {decisions.gatekeeper(stream, 0, org_start, role, power, active) for _ in range(50)}
    assert picks == {0, 1}
    active[[0, 1]] = False
    assert decisions.gatekeeper(stream, 0, org_start, role, power, active) == 2
    assert decisions.gatekeeper(stream, 1, org_start, role, power, active) == 4
    active[4:7] = False
    assert decisions.gatekeeper(stream, 1, org_start, role, power, active) == -1


def test_ceding_territory_costs_power_and_builds_the_tops_record():
    m = _small_model()
    p = m.state.people
    top = int(np.flatnonzero(p.role == TOP)[0])
    p.power[top], p.ceded[top] = 0.8, 0.0
    decisions.cede_territory(top, p, 0.1, 0.2)
    assert p.power[top] == pytest.approx(0.72) and p.ceded[top] == pytest.approx(0.2)
    decisions.cede_territory(top, p, 0.1, 0.2)
    assert p.ceded[top] == pytest.approx(0.36)
    # the network's shared capacity is the tops' mean record, whatever their number
    tops = p.active & (p.role == TOP)
    assert m.shared_capacity == pytest.approx(p.ceded[tops].mean())


# --- M12, M13 commitment and self-interest -------------------------------------------------


def test_aspiration_follows_performance_plus_pressure_and_the_leader_shields():
    a = 0.0
    for _ in range(400):
        a = commitment.aspiration_after(a, 0.1, 0.05, 0.95)
    assert a == pytest.approx(0.15)
    assert commitment.shielded_pressure(0.2, 0.0, 0.8) == pytest.approx(0.2)
    assert commitment.shielded_pressure(0.2, 1.0, 0.8) == pytest.approx(0.04)


def _meeting(model, came, shortfall, progress, rates):
    """A meeting's experiences in ``model`` for those in ``came``, at commitment ``rates``."""
    model.state.people.attended_last[:] = came
    settings = compiled_settings(model, commitment=rates)
    commitment.meeting_experiences(model.state.world, settings, shortfall, progress)


def test_an_experience_moves_commitment_a_share_of_the_way_to_its_value():
    m = _small_model()
    p = m.state.people
    i = int(np.flatnonzero(~p.steady)[0])
    p.commitment[i] = 0.4
    commitment.see_win(p, i, 0.25)
    assert p.commitment[i] == pytest.approx(0.55) and p.won[i]
    commitment.suffer_setback(p, i, 0.2, True)
    assert p.commitment[i] == pytest.approx(0.44) and p.setback[i]
    for _ in range(200):  # however many wins, hope never passes full commitment
        commitment.see_win(p, i, 0.5)
    assert p.commitment[i] <= 1.0
    convener = m.state.convener
    commitment.suffer_setback(p, convener, 0.9, True)  # committed by design: not moved
    assert p.commitment[convener] == 1.0
    leader = m.state.central_leader  # steady in post, but hope is learned
    commitment.suffer_setback(p, leader, 0.5, True)
    assert p.commitment[leader] == pytest.approx(0.5)


def test_a_setback_outside_a_working_network_strains_but_leaves_hope_as_it_is():
    """In silos there is no venture to lose hope in (ODD 7.14): it counts as strain only."""
    m = _small_model()
    p = m.state.people
    i = int(np.flatnonzero(~p.steady)[0])
    p.commitment[i] = 0.4
    commitment.suffer_setback(p, i, 0.5, False)
    assert p.commitment[i] == 0.4 and p.setback[i]


def test_the_leaders_drive_moves_those_who_came_towards_the_leaders_own_hope():
    m = _small_model()
    p, leader, convener = m.state.people, m.state.central_leader, m.state.convener
    assert p.steady[leader] and p.steady[convener]
    came = np.zeros(p.active.size, dtype=bool)
    present, away = (int(i) for i in np.flatnonzero(~p.steady & p.active)[:2])
    came[[present, leader, convener]] = True
    p.commitment[[present, away]] = 0.8
    p.commitment[leader] = 0.2  # a leader worn down takes the room down with them
    commitment.leader_drive(p, came, leader, 0.25)
    assert p.commitment[present] == pytest.approx(0.65)
    assert p.commitment[away] == 0.8  # not there: not moved
    assert p.commitment[leader] == 0.2 and p.commitment[convener] == 1.0
    p.commitment[leader] = 1.0  # and a heartened one lifts it
    commitment.leader_drive(p, came, leader, 0.25)
    assert p.commitment[present] == pytest.approx(0.7375)


def test_weeks_without_experiences_leave_commitment_as_it_is():
    m = _small_model()
    p = m.state.people
    start = p.commitment.copy()
    for _ in range(20):
        commitment.week_passes(p, p.active, 0.3)
    assert np.array_equal(p.commitment, start)
    assert np.all(p.frustration[p.active & ~p.steady] > 0)  # the shortfall frustrates


def test_a_week_with_a_win_is_not_frustrating_and_setbacks_are():
    m = _small_model()
    p = m.state.people
    a, b, c = np.flatnonzero(p.active & ~p.steady)[:3]
    p.frustration[:] = 0.5
    commitment.see_win(p, a, 0.1)
    commitment.suffer_setback(p, b, 0.1, True)
    commitment.week_passes(p, p.active, 0.1)
    assert p.frustration[a] == pytest.approx(0.5 - 0.5 / 13)
    assert p.frustration[b] == pytest.approx(0.5 + 0.5 / 13)
    assert p.frustration[c] == pytest.approx(0.5)  # shortfall 0.1 = half a setback's strain
    assert not p.won.any() and not p.setback.any()


def test_a_meeting_moves_those_who_came_towards_its_worth_and_those_away_down():
    m = _small_model()
    p = m.state.people
    a, b, c = np.flatnonzero(p.active & ~p.steady)[:3]
    p.commitment[[a, b, c]] = 0.5
    p.meeting_value[a], p.meeting_value[b] = 1.0, -1.0
    came = np.zeros(p.active.size, dtype=bool)
    came[[a, b]] = True
    rates = hope(meeting_energy=0.2, commitment_decay=0.1, pressure_sensitivity=0.0)
    _meeting(m, came, 0.0, _every_pathway(m, 0.0), rates)
    assert p.commitment[a] == pytest.approx(0.6) and p.commitment[b] == pytest.approx(0.4)
    assert p.commitment[c] == pytest.approx(0.45)  # kept away by the day job
    assert p.commitment[m.state.convener] == 1.0  # committed by design
    assert p.commitment[m.state.central_leader] < 1.0  # away, and the leader's hope is learned


def _every_pathway(model, value):
    """An update on actions reporting ``value`` of every pathway of ``model``."""
    return np.full(pathway_count(model.params), value)


def test_the_update_on_actions_moves_those_who_came_towards_what_it_reports():
    m = _small_model()
    p = m.state.people
    a, b = np.flatnonzero(p.active & ~p.steady)[:2]
    p.commitment[[a, b]] = 0.5
    came = np.zeros(p.active.size, dtype=bool)
    came[a] = True
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )
    _meeting(m, came, 0.0, _every_pathway(m, 1.0), rates)
    assert p.commitment[a] == pytest.approx(0.6)
    assert p.commitment[b] == pytest.approx(0.5)  # not there, did not hear it
    _meeting(m, came, 0.0, _every_pathway(m, 0.0), rates)
    assert p.commitment[a] == pytest.approx(0.48)


def test_the_first_meeting_hears_no_update_and_the_later_ones_do(monkeypatch):
    m = collabsim.CollaborationModel(
        collabsim.Params(n_people=40, meeting_interval=4, horizon=12), rng=3
    )
    p = m.state.people
    heard = []
    experiences = commitment.meeting_experiences

    def spy(world, settings, shortfall, progress):
        heard.append((m.steps, None if progress is None else progress.copy()))
        experiences(world, settings, shortfall, progress)

    monkeypatch.setattr(commitment, "meeting_experiences", spy)
    for _ in range(12):
        m.step()
    monkeypatch.undo()
    assert len(heard) == 3 and heard[0][1] is None  # nothing had been taken on yet
    assert all(
        progress is not None and progress.size == pathway_count(m.params)
        for _, progress in heard[1:]
    )
    # with no update the room moves only towards the meeting's worth: a progress of None
    # is not a report of nothing done
    a = int(np.flatnonzero(p.active & ~p.steady)[0])
    came = np.zeros(p.active.size, dtype=bool)
    came[a] = True
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )
    p.commitment[a] = 0.5
    _meeting(m, came, 0.0, None, rates)
    assert p.commitment[a] == pytest.approx(0.5)
    _meeting(m, came, 0.0, _every_pathway(m, 0.0), rates)
    assert p.commitment[a] == pytest.approx(0.4)


def test_each_member_hears_their_own_pathways_record_and_tops_the_whole_networks():
    m = _small_model()
    p = m.state.people
    assert pathway_count(m.params) == 2
    first = int(np.flatnonzero((p.pathway == 0) & ~p.steady)[0])
    second = int(np.flatnonzero((p.pathway == 1) & ~p.steady)[0])
    top = int(np.flatnonzero((p.role == TOP) & ~p.steady)[0])
    assert p.pathway[top] == -1
    p.commitment[[first, second, top]] = 0.5
    came = p.active.copy()
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )
    _meeting(m, came, 0.0, np.array([1.0, 0.0]), rates)
    assert p.commitment[first] == pytest.approx(0.6)  # their pathway did what it took on
    assert p.commitment[second] == pytest.approx(0.4)  # theirs had nothing to report
    assert p.commitment[top] == pytest.approx(0.5)  # serves both: hears the mean, 0.5


def test_the_update_on_actions_reports_a_monthly_rate_per_pathway_whatever_the_calendar():
    # three full pathway teams: two changes, none, one; a month since the last meeting
    assert list(commitment.progress_reported(np.array([2, 0, 1]), 4, 1.0)) == [1, 0, 1]
    # the same record over a quarter is a third of a change a month on two of them
    assert commitment.progress_reported(np.array([2, 0, 1]), 12, 1.0) == pytest.approx(
        [2 / 3, 0, 1 / 3]
    )
    # a team half again as large took on half again as much: one action is two thirds
    assert commitment.progress_reported(np.array([1, 2]), 4, 1.5) == pytest.approx([2 / 3, 1])


def test_a_pathway_takes_on_a_months_actions_in_proportion_to_its_people():
    def taken_on(n_people, pathway_team_size=100):
        params = collabsim.Params(n_people=n_people, pathway_team_size=pathway_team_size)
        return commitment.actions_taken_on(n_people, pathway_count(params), pathway_team_size)

    assert taken_on(300) == taken_on(1000) == 1.0  # full teams
    assert taken_on(150) == 1.5  # one pathway: 150 people take on half again as much
    assert taken_on(25) == 0.25  # a small group on one issue takes on a quarter


@pytest.mark.parametrize(
    ("n_people", "pathways"), [(40, 1), (100, 1), (150, 1), (199, 1), (200, 2), (1000, 10)]
)
def test_a_network_takes_on_a_pathway_per_full_team_of_people(n_people, pathways):
    assert pathway_count(collabsim.Params(n_people=n_people)) == pathways


def test_a_shortfall_at_a_meeting_costs_everyone_up_to_the_pressure_sensitivity():
    m = _small_model()
    p = m.state.people
    members = p.active & ~p.steady
    came = p.active.copy()
    p.meeting_value[:] = 0.0
    rates = hope(meeting_energy=0.0, pressure_sensitivity=0.2)
    p.commitment[members] = 0.5
    _meeting(m, came, 0.1, _every_pathway(m, 0.0), rates)  # half as bad
    assert np.allclose(p.commitment[members], 0.5 * 0.9)
    p.commitment[members] = 0.5
    _meeting(m, came, 5.0, _every_pathway(m, 0.0), rates)  # saturates
    assert np.allclose(p.commitment[members], 0.5 * 0.8)


def test_a_self_interested_act_costs_the_actor_trust_and_everyone_morale():
    m = _small_model()
    s = m.state
    p = s.people
    actor = int(np.flatnonzero((p.role == TOP) & ~p.steady)[0])
    others = [i for i in range(40) if i != actor]
    before = np.array([trust_store.read(s.trust, i, actor) for i in others])
    c_before = p.commitment.copy()
    hit_hard = compiled_settings(m, commitment=hope(morale_hit=0.3, reputation_damage=0.3))
    commitment.self_interest_act(s.world, hit_hard, actor, True)
    after = np.array([trust_store.read(s.trust, i, actor) for i in others])
    assert np.all(after < before - 0.25 * before)
    assert s.trust.damage[actor] == pytest.approx(0.3)
    hit = p.active.copy()  # the central leader's hope too
    hit[[actor, s.convener]] = False
    assert np.allclose(p.commitment[hit], c_before[hit] * 0.7)
    assert p.commitment[s.convener] == c_before[s.convener] == 1.0  # committed by design


def test_a_discredited_venture_reports_progress_that_heartens_less_while_the_actor_stays():
    m = _small_model()
    s, p = m.state, m.state.people
    actor = int(np.flatnonzero((p.role == TOP) & ~p.steady)[0])
    member = int(np.flatnonzero(p.active & ~p.steady & (p.role != TOP))[0])
    came = np.zeros(p.active.size, dtype=bool)
    came[member] = True
    rates = hope(
        meeting_energy=0.0, progress_update=0.2, commitment_decay=0.0, pressure_sensitivity=0.0
    )

    def after_update(reported):
        p.commitment[member] = 0.5
        _meeting(m, came, 0.0, _every_pathway(m, reported), rates)
        return p.commitment[member]

    assert commitment.credibility(s.world) == 1.0  # no leader has acted in self-interest
    assert after_update(1.0) == pytest.approx(0.6)
    s.trust.damage[actor] = 0.3
    assert commitment.credibility(s.world) == pytest.approx(0.7)
    assert after_update(1.0) == pytest.approx(0.5 + 0.2 * (0.7 - 0.5))  # believed as 0.7
    assert after_update(0.0) == pytest.approx(0.4)  # an empty update disheartens as much
    p.active[actor] = False  # the actor leaves: the venture is credible again
    assert commitment.credibility(s.world) == 1.0
    assert after_update(1.0) == pytest.approx(0.6)


def test_only_territorial_disheartened_tops_act_spontaneously():
    m = _small_model()
    p, world = m.state.people, m.state.world
    certain = compiled_settings(m, commitment=hope(self_interest_hazard=1.0))
    p.territoriality[:] = 0.9
    p.commitment[:] = 0.9
    assert commitment.spontaneous_self_interest(world, certain, 100) == -1
    p.commitment[:] = 0.1
    actor = commitment.spontaneous_self_interest(world, certain, 100)
    assert actor >= 0 and p.role[actor] == TOP
    p.last_act[:] = 90  # acted ten weeks ago: not again within a year
    assert commitment.spontaneous_self_interest(world, certain, 100) == -1


# --- M14, M15 -----------------------------------------------------------------------------


def test_people_drift_away_only_after_enough_low_meetings():
    m = _small_model()
    p, s = m.state.people, m.state
    p.commitment[:] = 0.05
    low = compiled_settings(m, exits=m.settings.exits._replace(exit_threshold=0.15))
    assert turnover.drift_away(s.world, low, 3) == 0
    assert turnover.drift_away(s.world, low, 3) == 0
    left = turnover.drift_away(s.world, low, 3)
    assert left == int((~p.steady).sum()) and not p.active[~p.steady].any()
    assert p.active[p.steady].all()


def test_frustration_makes_moving_on_likelier_and_steady_posts_stay():
    m = _small_model()
    p, s = m.state.people, m.state
    leavers = np.zeros(40, dtype=np.int64)
    weekly = m.settings.exits._replace(turnover_rate=0.05 * 52, turnover_frustration=3.0)
    rates = compiled_settings(m, exits=weekly)
    p.frustration[:] = 0.0
    calm = sum(turnover.move_on(s.world, rates, leavers) for _ in range(200))
    p.frustration[:] = 1.0
    upset = sum(turnover.move_on(s.world, rates, leavers) for _ in range(200))
    assert upset > 3 * calm > 0
    assert not set(leavers[:5]) & set(np.flatnonzero(p.steady))


def test_newcomers_are_drawn_within_range_and_take_prevailing_commitment():
    m = _small_model()
    s = m.state
    p = s.people
    p.commitment[p.active & ~p.steady] = 0.2
    post = 12
    p.granted[post], p.blocked[post], p.ceded[post] = 3, 2, 0.5
    turnover.replace_person(s.world, post, s.draws, True, 4)
    assert p.granted[post] == 0 and p.blocked[post] == 0 and p.ceded[post] == 0.0
    assert p.joined_meeting[post] == 4 and p.active[post]
    assert abs(p.commitment[post] - 0.2) < 0.6
    for name in (
        "territoriality",
        "commitment",
        "skill",
        "narrative",
        "leader_identity",
        "workload",
    ):
        assert 0 <= getattr(p, name)[post] <= 1


def test_a_network_fails_without_people_room_or_tops():
    f = sustainability.network_failing
    assert not f(0.9, 0.6, True, 0.25)
    assert f(0.4, 0.6, True, 0.25)
    assert f(0.9, 0.2, True, 0.25)
    assert f(0.9, 0.6, False, 0.25)


def test_an_organisation_withdraws_after_its_tops_lose_heart_for_long_enough():
    m = _small_model()
    s, p = m.state, m.state.people
    k = int(np.flatnonzero([not o.is_academic_partner for o in s.organisations])[1])
    lo, hi = s.org_start[k], s.org_start[k + 1]
    p.commitment[:] = 0.8
    p.commitment[lo:hi] = 0.05
    floor = compiled_settings(m, exits=m.settings.exits._replace(tops_commitment_floor=0.2))

    def meeting():
        return sustainability.organisations_withdrawing(s.world, floor, m.state.partner_index, 3)

    assert meeting() == 0 and meeting() == 0 and not s.withdrawn[k]
    left = meeting()
    assert s.withdrawn[k] and left == hi - lo and not p.active[lo:hi].any()
    assert s.withdrawn.sum() == 1 and p.active[:lo].all()
    m.replace(int(lo))  # a newcomer in a withdrawn organisation does not join
    assert not p.active[lo]


def test_a_top_who_recovers_resets_the_count_and_the_central_leader_holds_their_organisation():
    m = _small_model()
    s, p = m.state, m.state.people
    leader_org = p.org[s.central_leader]
    floor = compiled_settings(m, exits=m.settings.exits._replace(tops_commitment_floor=0.2))
    p.commitment[p.org == leader_org] = 0.0
    p.commitment[s.central_leader] = 1.0  # committed by design
    for _ in range(5):
        sustainability.organisations_withdrawing(s.world, floor, m.state.partner_index, 3)
    tops = (p.org == leader_org) & (p.role == TOP)
    assert p.commitment[tops].mean() >= 0.2  # the leader lifts their tops' mean (setup)
    assert not s.withdrawn[leader_org]
    k = int(np.flatnonzero(s.org_low_meetings == 0)[0])
    s.org_low_meetings[k] = 2
    p.commitment[s.org_start[k] : s.org_start[k + 1]] = 0.9
    sustainability.organisations_withdrawing(s.world, floor, m.state.partner_index, 3)
    assert s.org_low_meetings[k] == 0 and not s.withdrawn[k]
