"""collabsim: agent-based simulation of collaboration in health and social care networks.

Quick start::

    import collabsim
    params = collabsim.scenario("beston", cede_willingness=0.2)
    result = collabsim.run(params, seed=1)
    result.timeseries.plot(x="step", y="trust_cross_org")
"""

from importlib.metadata import PackageNotFoundError, version

from collabsim.model import CollaborationModel
from collabsim.params import LEVERS, PARAMETERS, Event, ParameterError, Params
from collabsim.run import RunResult, run
from collabsim.scenarios import scenario

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
    "__version__",
    "run",
    "scenario",
]
