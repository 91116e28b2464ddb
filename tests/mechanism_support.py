"""What the mechanisms' tests share: a small model, round commitment rates, settings as compiled."""

from __future__ import annotations

import collabsim
from collabsim import settings
from collabsim.mechanisms.commitment import CommitmentRates


def hope(**rates) -> CommitmentRates:
    """Commitment rates for a mechanism's test: round values, ``rates`` changed by name."""
    values = dict(
        small_win_boost=0.1,
        big_bang_win_weight=3.0,
        meeting_energy=0.2,
        progress_update=0.0,
        block_cost=0.15,
        big_bang_failure_cost=0.1,
        morale_hit=0.3,
        pressure_sensitivity=0.1,
        commitment_decay=0.1,
        self_interest_hazard=0.0,
        reputation_damage=0.0,
    )
    return CommitmentRates(**{**values, **rates})


def compiled_settings(model, **bundles):
    """The model's settings as the mechanisms take them, with ``bundles`` replaced."""
    return settings.reference(model.settings._replace(**bundles))


def small_model(**overrides):
    """A 40-person network of two pathway teams, seed 5, ``overrides`` changed by name."""
    params = collabsim.Params(n_people=40, pathway_team_size=20, **overrides)
    return collabsim.CollaborationModel(params, rng=5)
