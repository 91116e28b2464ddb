"""The network view's numbers are the model's: trust as people hold it, by organisation."""

from __future__ import annotations

import numpy as np

from collabsim.dashboard.network_view import organisation_trust, trust_matrix
from collabsim.model import CollaborationModel


def model_after(weeks: int) -> CollaborationModel:
    model = CollaborationModel("iocn", rng=4, n_people=80, turnover_rate=0.5)
    for _ in range(weeks):
        model.step()
    return model


def test_trust_matrix_is_what_each_person_holds():
    model = model_after(30)  # personal trust, damage and newcomers have all moved it
    trust = trust_matrix(model)
    people = list(model.agents)
    rng = np.random.default_rng(0)
    for a, b in rng.choice(len(people), size=(300, 2)):
        held = people[a].trust_in(people[b])
        assert np.isclose(trust[people[a].index, people[b].index], held, rtol=0, atol=1e-12)
    assert trust.std() > 0.01  # not a constant: the comparison means something


def test_organisation_trust_averages_active_members_only():
    model = model_after(10)
    trust = trust_matrix(model)
    by_org = organisation_trust(model, trust)
    s = model.state
    active = s.people.active
    for a in range(len(s.organisations)):
        for b in range(len(s.organisations)):
            rows = np.flatnonzero(active & (s.people.org == a))
            cols = np.flatnonzero(active & (s.people.org == b))
            pairs = [(i, j) for i in rows for j in cols if i != j]
            if not pairs:
                assert np.isnan(by_org[a, b])
            else:
                expected = np.mean([trust[i, j] for i, j in pairs])
                assert np.isclose(by_org[a, b], expected, rtol=0, atol=1e-12)
