"""How the collaboration model meets Mesa's conventions beyond data and space.

- The constructor keywords of Mesa 3.5's ``Model``: ``rng``, its older spelling
  ``seed`` (both checked as ``collabsim.run`` checks its seed), and ``scenario``, a
  ``mesa.experimental.scenarios.Scenario`` whose values are parameters of the run and
  whose ``rng`` seeds it (SolaraViz's Reset passes an empty one beside the model's own
  keywords). A collabsim scenario name is accepted there too.
- ``reset_rng``: the chance events from then on follow the new generator (its seed
  checked as ``rng`` is).
- A short description of the model for its ``repr``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.experimental.scenarios import Scenario

from collabsim.checks import not_whole_number, whole_number
from collabsim.mechanisms.draws import new_stream
from collabsim.params import PARAMETERS, ParameterError, Params, python_value

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel


#: What NumPy builds a generator from, besides whole numbers (Mesa's ``RNGLike``).
_GENERATORS = (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)


def checked_seed(name: str, value: Any) -> int | None:
    """``value`` if it is None or a whole number >= 0, else ``ParameterError`` naming ``name``.

    The check and words of ``collabsim.run``'s seed, for Mesa's ``seed`` keyword, which
    also seeds Python's ``random``. A NumPy whole number counts as the Python one (which
    Python's ``random`` needs); NumPy would refuse strings and floats without naming the
    keyword, and take ``True`` for 1.
    """
    value = python_value(value)
    return None if value is None else whole_number(name, value, 0, error=ParameterError)


def checked_rng(name: str, value: Any) -> Any:
    """``value`` if Mesa can seed a model with it (its ``rng``), else ``ParameterError``.

    Mesa takes what ``checked_seed`` accepts, a NumPy ``Generator``, ``BitGenerator`` or
    ``SeedSequence``, or a list of whole numbers >= 0; anything else is refused in
    ``checked_seed``'s words.
    """
    value = python_value(value)
    if isinstance(value, _GENERATORS):
        return value
    numbers = value.tolist() if isinstance(value, np.ndarray) else value
    if isinstance(numbers, (list, tuple)) and all(
        not_whole_number(python_value(n), 0) is None for n in numbers
    ):
        return value
    return checked_seed(name, value)


def resolve_arguments(
    params: Params | str | None, overrides: dict[str, Any], *, rng: Any, seed: Any, scenario: Any
) -> tuple[Params, dict[str, Any], str | None]:
    """The run's parameters and the keywords for ``mesa.Model.__init__``.

    Args:
        params: What the model was given: parameters, a scenario name, the path of a
            scenario TOML file (a string or ``pathlib.Path``, as ``collabsim.scenario``
            takes) or None.
        overrides: Parameter values given by name.
        rng: Mesa's ``rng`` keyword.
        seed: Mesa's older ``seed`` keyword.
        scenario: Mesa's ``scenario`` keyword, or a collabsim scenario name.

    Returns:
        The validated parameters, the keywords for Mesa, and the scenario's name if the
        parameters came from a named one.

    Raises:
        ParameterError: A value is not allowed, or a scenario is given twice.
    """
    rng, seed = checked_rng("rng", rng), checked_seed("seed", seed)
    if isinstance(params, os.PathLike):
        params = os.fspath(params)
    if isinstance(scenario, str):  # collabsim's own presets are scenarios too
        if params is not None:
            raise ParameterError(
                f"scenario={scenario!r} and params={params!r} both say which "
                "scenario to run: give one of them"
            )
        params, scenario = scenario, None
    elif scenario is not None and not isinstance(scenario, Scenario):
        raise ParameterError(
            f"scenario={scenario!r} is not allowed: expected a "
            "mesa.experimental.scenarios.Scenario or a collabsim scenario name"
        )
    if scenario is not None:
        if (rng_given := checked_rng("scenario.rng", scenario.rng)) is not scenario.rng:
            scenario.rng = rng_given  # a NumPy whole number, as Python's random needs it
        overrides = {**{k: v for k, v in scenario if k != "rng"}, **overrides}
        if scenario.rng is None and (rng is not None or seed is not None):
            # an empty Scenario beside an explicit seed (SolaraViz's Reset): the seed counts
            scenario.rng = rng if rng is not None else seed
            rng = seed = None
    name = params if isinstance(params, str) else None
    if name in PARAMETERS:
        raise ParameterError(
            f"params={name!r} is not allowed: it is a parameter's name, not a scenario. "
            "mesa.batch_run takes a Params (a mapping) in its parameters for a list of its "
            "names; give it in a list: parameters={'params': [params], ...}"
        )
    if name is not None:
        from collabsim.scenarios import scenario as load_scenario

        params = load_scenario(name)
    params = params if params is not None else Params()
    if not isinstance(params, Params):
        raise ParameterError(
            "params must be a collabsim.Params, a scenario name, the path of a scenario "
            f"TOML file or None, got {type(params).__name__}"
        )
    params = params.replace(**overrides) if overrides else params
    return params, {"rng": rng, "seed": seed, "scenario": scenario}, name


def reseed(model: CollaborationModel) -> None:
    """Draw the model's random streams afresh from ``model.rng`` (after ``reset_rng``).

    The silo twin gets the same streams, as it does at the start, so both worlds still
    see the same changes in the environment.
    """
    stream, environment = new_stream(model.rng), new_stream(model.rng)
    worlds = [model] if model.silo_twin is None else [model, model.silo_twin]
    for world in worlds:
        world.state.stream[:] = stream
        world.state.environment[:] = environment


def describe(model: CollaborationModel) -> str:
    """One line on a model: scenario, week, people and whether the network is alive."""
    from collabsim.scenarios import available, scenario

    def changed(name: str) -> list[str]:
        preset = scenario(name)
        return [key for key in preset.to_dict() if preset[key] != model.params[key]]

    # looked up only when asked: reading the presets takes a while; parameters given
    # without a scenario's name are described from the preset they differ least from
    name = model._scenario_name or min(available(), key=lambda n: len(changed(n)))
    names = changed(name)
    label = repr(name)
    if names:
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        label += f" with {', '.join(names[:3])}{more} changed"
    people = model.state.people
    if not model.params.convened:
        state = "never convened"
    elif model.alive:
        state = "alive"
    else:
        state = f"dissolved in week {model.collapse_step}"
    return (
        f"{type(model).__name__}(scenario={label}, week {model.steps}, "
        f"{people.active.size} people ({int(people.active.sum())} in the network), "
        f"{state})"
    )
