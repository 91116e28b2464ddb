"""Statistical analysis of a sweep's runs table (``collabsim.sweep(...).runs``).

``survival``: how long networks last, as survival data censored at the horizon:
Kaplan-Meier curves per arm, log-rank tests between arms, and Cox proportional-hazards
models with hazard ratios and a check of their assumption. Needs the ``analysis``
extra (``pip install 'collabsim[analysis]'``, which brings ``statsmodels``). The runs
table as survival data (``durations``) and the checks on its columns are in
``censoring``.

``discovery``: scenario discovery with PRIM: boxes of levers (ranges of numbers, sets of
categories) where networks that last are concentrated, with their coverage and density
and the peeling trajectory between them (written here on numpy and pandas alone; the
peeling and pasting search itself is in ``prim``).

``pipeline``: the field studies' question end to end (``make results``, ``python -m
collabsim.analysis.pipeline``): the sweeps a pipeline file names (``studies``), run or
reused through the sweep engine and read as levers (``levers``), then lever effects,
survival tables and Cox models (``effects``), figures (``figures``, with
``figure_style`` and ``discovery_figure``), the report (``report``, with ``findings``
in plain words and ``wording`` for numbers) and the cost projection (``cost``).
"""

from __future__ import annotations

from collabsim.analysis.discovery import Box, Discovery, cases_by_point, discover
from collabsim.analysis.survival import (
    ArmComparison,
    ArmSurvival,
    CoxResult,
    compare_arms,
    cox_model,
    durations,
    kaplan_meier,
)

__all__ = [
    "ArmComparison",
    "ArmSurvival",
    "Box",
    "CoxResult",
    "Discovery",
    "cases_by_point",
    "compare_arms",
    "cox_model",
    "discover",
    "durations",
    "kaplan_meier",
]
