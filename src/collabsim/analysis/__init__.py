"""Statistical analysis of a sweep's runs table (``collabsim.sweep(...).runs``).

``survival``: how long networks last, as survival data censored at the horizon:
Kaplan-Meier curves per arm, log-rank tests between arms, and Cox proportional-hazards
models with hazard ratios and a check of their assumption. Needs the ``analysis``
extra (``pip install 'collabsim[analysis]'``, which brings ``statsmodels``).
"""

from __future__ import annotations

from collabsim.analysis.survival import (
    ArmComparison,
    ArmSurvival,
    CoxResult,
    compare_arms,
    cox_model,
    durations,
    kaplan_meier,
)

__all__ = ["ArmComparison", "ArmSurvival", "CoxResult", "compare_arms", "cox_model",
           "durations", "kaplan_meier"]
