"""collabsim: agent-based simulation of collaboration in health and social care networks.

Quick start::

    import collabsim
    params = collabsim.scenario("beston", cede_willingness=0.2)
    result = collabsim.run(params, seed=1)
    result.timeseries["trust_cross_org"].plot()             # indexed by week
    sweep = collabsim.sweep(factors={"cede_willingness": (0.1, 0.9)}, replicates=10)
    sweep.runs.groupby("cede_willingness")["sustained"].mean()
    collabsim.sensitivity.analyze(collabsim.sensitivity.scenario_function("iocn"),
                                  method="morris", n=10, replicates=2)
"""

from importlib.metadata import PackageNotFoundError, version

from collabsim.params import LEVERS, PARAMETERS, Event, ParameterError, Params
from collabsim.scenarios import scenario
from collabsim.warm import import_model

# The model pulls in Mesa and the compiled mechanisms; import them on first use, so that
# reading parameters and scenarios (e.g. `collabsim params`) starts fast.
_LAZY = {
    "CollaborationModel": "collabsim.model",
    "RunResult": "collabsim.runner",
    "run": "collabsim.runner",
    "sweep": "collabsim.sweeps",
    "iter_sweep": "collabsim.sweeps",
    "load": "collabsim.sweeps",
    "SweepResult": "collabsim.sweeps",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_model(_LAZY[name]), name)
    if name == "sensitivity":  # collabsim.sensitivity.analyze(...) without a separate import
        return import_model("collabsim.sensitivity")
    raise AttributeError(f"module 'collabsim' has no attribute {name!r}")


try:
    __version__ = version("collabsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "LEVERS",
    "PARAMETERS",
    "CollaborationModel",
    "Event",
    "ParameterError",
    "Params",
    "RunResult",
    "SweepResult",
    "__version__",
    "iter_sweep",
    "load",
    "run",
    "scenario",
    "sweep",
]
