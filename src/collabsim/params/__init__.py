"""The one table of model parameters, and their validation.

Every parameter is declared exactly once, in ``groups/`` (one module per group), with
its type, default, allowed range, unit, one-line meaning and evidence. Everything else
derives from these declarations: validation of ``Params``, the generated parameter table
in ``docs/parameters.md``, the CLI's ``--set name=value`` parsing, SALib bounds and
dashboard sliders. The defaults are the ``iocn`` scenario.

Evidence codes: *IOCN* is Mervyn, Amoo & Malby (2019), the city-wide place-based
network; *Beston* is Kennedy, McKenzie & Thomas (2019), the Scottish locality
collaborative. Anchors (published models a mechanism follows) are named in full.
"""

from collabsim.params.checks import ParameterError, python_value, suggest
from collabsim.params.declaration import Parameter
from collabsim.params.events import EVENT_KINDS, Event
from collabsim.params.table import LEVERS, PARAMETERS, declaration, not_run_length
from collabsim.params.values import Params

__all__ = [
    "EVENT_KINDS",
    "LEVERS",
    "PARAMETERS",
    "Event",
    "Parameter",
    "ParameterError",
    "Params",
    "declaration",
    "not_run_length",
    "python_value",
    "suggest",
]
