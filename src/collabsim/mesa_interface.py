"""How the collaboration model meets Mesa's conventions beyond data and space.

- The constructor keywords of Mesa 3.5's ``Model``: ``rng``, its older spelling
  ``seed``, and ``scenario``, a ``mesa.experimental.scenarios.Scenario`` whose values
  are parameters of the run and whose ``rng`` seeds it (SolaraViz's Reset passes an
  empty one beside the model's own keywords). A collabsim scenario name is accepted
  there too.
- ``reset_rng``: the chance events from then on follow the new generator.
- A short description of the model for its ``repr``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mesa.experimental.scenarios import Scenario

from collabsim.mechanisms.draws import new_stream
from collabsim.params import ParameterError, Params

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel


def resolve_arguments(
    params: Params | str | None, overrides: dict[str, Any], *, rng: Any, seed: Any, scenario: Any
) -> tuple[Params, dict[str, Any], str | None]:
    """The run's parameters and the keywords for ``mesa.Model.__init__``.

    Args:
        params: What the model was given: parameters, a scenario name or None.
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
        overrides = {**{k: v for k, v in scenario if k != "rng"}, **overrides}
        if scenario.rng is None and (rng is not None or seed is not None):
            # an empty Scenario beside an explicit seed (SolaraViz's Reset): the seed counts
            scenario.rng = rng if rng is not None else seed
            rng = seed = None
    name = params if isinstance(params, str) else None
    if name is not None:
        from collabsim.scenarios import scenario as load_scenario

        params = load_scenario(name)
    params = params if params is not None else Params()
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
