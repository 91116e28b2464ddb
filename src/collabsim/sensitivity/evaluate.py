"""The functions a sensitivity analysis studies, and evaluating a plain one over a design.

Any Python function of named factors can be analysed: ``func(**factor_values)`` returns
a number or a dict of named numbers. A function that also takes ``seed`` is stochastic:
replicate ``r`` calls it with the same seed at every design point (common random
numbers), as a sweep does. ``evaluate`` calls it at every point of a design, in this
process (so it need not be picklable), and returns a runs table shaped like a sweep's:
``run``, ``point``, ``replicate``, ``seed``, the outputs and ``status``.

The model itself is such a function: ``scenario_function("iocn", outputs=[...])``
returns a ``ScenarioFunction``; ``collabsim.sensitivity.analyze`` recognises it and runs
the design as a sweep (resumable, on any backend) instead of calling it in-process.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collabsim.checks import names
from collabsim.metrics import SUMMARY
from collabsim.params import Params
from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.sensitivity.problem import SensitivityError, takes_seed
from collabsim.sweeps.design import Design
from collabsim.sweeps.runner import OK
from collabsim.sweeps.sampling import replicate_seeds

#: Outputs a scenario function reports unless told otherwise: whether the network is
#: alive at the end, the share of weeks it was alive, and the quality gain.
DEFAULT_OUTPUTS: tuple[str, ...] = ("sustained", "sustainability_score", "quality_gain_vs_silo")

#: Name of the output of a function that returns a single number.
SINGLE_OUTPUT = "y"


@dataclass(frozen=True)
class ScenarioFunction:
    """The model as a function of named factors: run a scenario, return chosen outputs.

    Call it as ``func(cede_willingness=0.2, seed=3)``; it returns ``{output: number}``
    (true/false outputs as 1.0/0.0, undefined values as NaN). ``analyze`` runs it
    through ``collabsim.sweeps`` rather than calling it.

    Attributes:
        scenario: A scenario preset name or the path of a scenario TOML file.
        outputs: Summary outputs it returns (``collabsim.metrics.SUMMARY``).
        params: Parameters held fixed on top of the scenario.
        steps: Weeks per run; the scenario's ``horizon`` if None.
    """

    scenario: str = DEFAULT_SCENARIO
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    params: dict[str, Any] = field(default_factory=dict)
    steps: int | None = None

    @property
    def label(self) -> str:
        """The scenario's short name (a file's stem)."""
        return self.scenario.rsplit("/", 1)[-1].removesuffix(".toml")

    def __call__(self, *, seed: int = 0, **factors: Any) -> dict[str, float]:
        """Run the scenario once with ``factors`` set and return the outputs.

        Raises:
            SweepError: A factor that is also one of ``params`` (as a study refuses it).
            ParameterError: A factor or parameter that is not allowed.
        """
        from collabsim import scenario as load_scenario
        from collabsim.runner import run
        from collabsim.sweeps.plan import refuse_fixed_factors

        refuse_fixed_factors(sorted(factors), self.params)  # as a study refuses it
        params: Params = load_scenario(self.scenario, **self.params, **factors)
        summary = run(params, seed=seed, steps=self.steps).summary
        return {name: as_number(summary[name], name) for name in self.outputs}


def scenario_function(
    scenario: str = DEFAULT_SCENARIO,
    *,
    outputs: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    steps: int | None = None,
) -> ScenarioFunction:
    """The model as a function to analyse: a scenario and the outputs to study.

    Args:
        scenario: A scenario preset name (``"iocn"``) or a scenario TOML path.
        outputs: Summary outputs (``collabsim.metrics.SUMMARY``); default
            ``DEFAULT_OUTPUTS``.
        params: Parameters held fixed on top of the scenario, e.g. ``{"n_people": 100}``.
        steps: Weeks per run (default: the scenario's ``horizon``).

    Returns:
        The function; its scenario, parameters and steps are checked when it is analysed
        or called.

    Raises:
        SensitivityError: An output that is not a summary output, or a badly formed
            option.
    """
    if not isinstance(scenario, str):
        raise SensitivityError(
            f"scenario={scenario!r} is not allowed: expected a scenario "
            "name or the path of a scenario TOML file"
        )
    chosen = (
        DEFAULT_OUTPUTS
        if outputs is None
        else names("outputs", outputs, SUMMARY, what="summary outputs", error=SensitivityError)
    )
    if params is not None and not isinstance(params, Mapping):
        raise SensitivityError(
            f"params must be a mapping of parameter name to value, got {params!r}"
        )
    return ScenarioFunction(scenario, tuple(chosen), dict(params or {}), steps)


def as_number(value: Any, name: str) -> float:
    """An output value as a float: true/false as 1/0, None and NaN as NaN."""
    if value is None:
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise SensitivityError(f"output {name!r} is {value!r}, not a number (or true/false)")


def evaluate(
    func: Callable[..., Any],
    design: Design,
    *,
    replicates: int = 1,
    seed: int = 0,
    outputs: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Call ``func`` at every design point, ``replicates`` times, in this process.

    Run ``point * replicates + replicate`` calls ``func(**point_values)``, plus
    ``seed=replicate_seeds(seed, replicates)[replicate]`` if ``func`` takes a seed. The
    outputs of the first call are checked (before any other call): every name in
    ``outputs`` must be among them.

    Args:
        func: The function; returns a number (output ``"y"``) or a dict of numbers.
        design: The design points (``collabsim.sensitivity.problem.design``).
        replicates: Calls per point.
        seed: Master seed of the replicate seeds.
        outputs: The outputs to keep; all that the function returns if None.
        progress: Called as ``progress(done, total)`` after each call.

    Returns:
        One row per call: ``run``, ``point``, ``replicate``, ``seed``, each output (as
        float) and ``status`` (``"ok"``).

    Raises:
        SensitivityError: A requested output the function does not return, or an output
            that is not a number. An exception raised by ``func`` propagates, with a
            note naming the design point.
    """
    stochastic = takes_seed(func)
    seeds = replicate_seeds(seed, replicates)
    columns = {name: design.points[name].tolist() for name in design.points.columns}
    total = len(design) * replicates
    rows: list[dict[str, Any]] = []
    kept: tuple[str, ...] | None = None
    for run_id in range(total):
        point, replicate = divmod(run_id, replicates)
        values = {name: column[point] for name, column in columns.items()}
        arguments = dict(values, seed=seeds[replicate]) if stochastic else values
        try:
            result = func(**arguments)
        except Exception as error:
            error.add_note(
                f"raised by {getattr(func, '__name__', 'the function')} at design "
                f"point {point} ({values})"
            )
            raise
        named = result if isinstance(result, Mapping) else {SINGLE_OUTPUT: result}
        if kept is None:
            returned = [str(k) for k in named]
            kept = (
                tuple(returned)
                if outputs is None
                else names(
                    "outputs",
                    list(outputs),
                    returned,
                    what="outputs the function returns",
                    error=SensitivityError,
                )
            )
        row: dict[str, Any] = {
            "run": run_id,
            "point": point,
            "replicate": replicate,
            "seed": seeds[replicate],
        }
        for name in kept:
            if name not in named:
                raise SensitivityError(
                    f"output {name!r} is missing from what the function "
                    f"returned at design point {point}"
                )
            row[name] = as_number(named[name], name)
        row["status"] = OK
        rows.append(row)
        if progress is not None:
            progress(run_id + 1, total)
    return pd.DataFrame(rows)
