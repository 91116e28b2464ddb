"""Global sensitivity analysis that holds up for a stochastic model, with SALib doing the maths.

::

    from collabsim import sensitivity

    # any function of named factors, e.g. one with known answers
    sensitivity.analyze(ishigami, {"x1": (-pi, pi), "x2": (-pi, pi), "x3": (-pi, pi)},
                        method="sobol", n=1024, seed=0)

    # the model: a scenario and the outputs to study, over the levers by default
    model = sensitivity.scenario_function("iocn", outputs=["sustained", "quality_gain"])
    study = sensitivity.run_study(model, method="sobol", n=256, replicates=2,
                                  out="results/sensitivity_iocn", backend="pool")
    study.indices          # factor, output, S1, S1_conf, ST, ST_conf, noise_share, ...
    print(study.report())  # the most influential factors, in words

What collabsim adds around SALib's analysers: outputs are matched to sample rows by
design point, never by the order runs finished; replicates of each point are summarised
(the mean by default) and the share of variance that is seed noise is reported beside
the indices, with indices below the noise floor flagged; indices at ``n / 8`` ...
``n`` show whether they settled (without extra runs); and a results folder with tables,
figures, ``problem.json`` for SALib, and a report.

The model's study is a sweep (``collabsim.sweeps``), so it resumes where it stopped and
runs on the process pool or Dask. ``collabsim sensitivity FILE`` runs a study file (see
``collabsim.sensitivity.files``). Modules: ``problem`` (factors, designs, SALib problem),
``evaluate`` (plain functions, the model as a function), ``aggregate`` (replicates and
noise), ``methods`` (SALib's analysers), ``convergence``, ``analyze`` (the entry),
``results`` (the ``Analysis`` and its folder), ``report``, ``figures``, ``files``.
"""

from __future__ import annotations

from collabsim.sensitivity.aggregate import STATISTICS
from collabsim.sensitivity.analyze import analyze, analyze_sweep, run_study
from collabsim.sensitivity.evaluate import DEFAULT_OUTPUTS, ScenarioFunction, scenario_function
from collabsim.sensitivity.indices import analyse_runs
from collabsim.sensitivity.problem import METHODS, SensitivityError
from collabsim.sensitivity.results import Analysis, load
from collabsim.sweeps.design import salib_problem

__all__ = [
    "DEFAULT_OUTPUTS",
    "METHODS",
    "STATISTICS",
    "Analysis",
    "ScenarioFunction",
    "SensitivityError",
    "analyse_runs",
    "analyze",
    "analyze_sweep",
    "load",
    "run_study",
    "salib_problem",
    "scenario_function",
]
