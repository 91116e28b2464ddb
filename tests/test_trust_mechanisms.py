"""M1 and M3: asymmetric trust, personal and generalised, its drift and second-hand trust."""

from __future__ import annotations

import numpy as np
import pytest
from mechanism_support import compiled_settings, small_model

import collabsim
from collabsim.mechanisms import trust, trust_members, trust_store
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


# --- drift, reputation, newcomers and second-hand trust (M1, M3) --------------------------


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
