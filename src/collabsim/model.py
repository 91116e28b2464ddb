"""The collaboration model: a Mesa model whose ``step()`` tells the story of a week.

Each step is one week of the world (``collabsim.week``, which tells it in order: events,
the meeting, change work, between meetings, commitment, exit and turnover, the network's
sustainability); then the silo twin (the same world without the network,
``collabsim.silo``) lives the same week, and the week's reporters are recorded.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from collabsim import events, mesa_interface, metrics, space
from collabsim.checks import true_or_false
from collabsim.collector import WeeklyCollector
from collabsim.initialisation import build_state, silo_start
from collabsim.params import PARAMETERS, Event, ParameterError, Params, declaration, python_value
from collabsim.params.values import check_organisation_present, organisations_present
from collabsim.silo import SiloWorld
from collabsim.week import WeeklyWorld


class CollaborationModel(WeeklyWorld):
    """Collaboration in an inter-organisational health and social care network.

    Args:
        params: A ``Params``, a scenario name (``"beston"``), or None for the defaults.
        rng: Seed or generator; the same parameters and seed give identical runs.
        scenario: A Mesa ``Scenario`` (its values are parameters, its ``rng`` the seed)
            or a scenario name (see ``collabsim.mesa_interface``).
        agent_reporters: Mesa agent reporters to collect each week (see
            ``collabsim.collector``); none by default.
        silo_twin: Run the silo twin beside the model (the same world with no network,
            for ``quality_vs_silo``); without it those outputs are NaN and the model runs
            exactly as with it, in half to two thirds of the time.
        **overrides: Parameter values to change, by name (validated); ``seed`` is Mesa's
            older spelling of ``rng``.

    Attributes:
        params: The validated parameters of this run.
        state: The run's state (see ``collabsim.state``).
        network: How the network stands (``collabsim.state.Network``, in the state).
        alive: Whether the network is still meeting.
        collapse_step: Week the network dissolved, or None.
        datacollector: The week's reporters, as a ``mesa.DataCollector``.
        played: The posts played by participants and their choices (``collabsim.played``).
    """

    def __init__(
        self,
        params: Params | str | None = None,
        *,
        rng=None,
        scenario=None,
        agent_reporters=None,
        silo_twin: bool = True,
        **overrides,
    ) -> None:
        seed = overrides.pop("seed", None)  # kept out of the signature: batch_run prefers it
        params, mesa_keywords, name = mesa_interface.resolve_arguments(
            params, overrides, rng=rng, seed=seed, scenario=scenario
        )
        silo_twin = true_or_false("silo_twin", python_value(silo_twin), error=ParameterError)
        super().__init__(**mesa_keywords)
        self._scenario_name = name
        world_seed = int(self.rng.integers(2**63))
        state = build_state(params, np.random.default_rng(world_seed), observed=self.observed)
        twin_start = silo_start(state) if silo_twin and params.convened else None
        self._set_up(params, state)
        self.silo_twin: SiloWorld | None = None
        if twin_start is not None:
            self.silo_twin = SiloWorld(params.replace(convened=False), world_seed, twin_start)
        self.datacollector = WeeklyCollector(agent_reporters)
        self.datacollector.collect(self)

    # --- the week ------------------------------------------------------------------------

    def step(self) -> None:
        """Advance the model by one week."""
        if self.state is None:  # Mesa's run_for and run_until step without model.step
            self._released()
        self._week()
        if self.silo_twin is not None:
            self.silo_twin.lockstep()
        self.datacollector.collect(self)
        if self.steps >= self.params.horizon:
            self.running = False

    @property
    def quality_vs_silo(self) -> float:
        """Pathway quality minus its silo twin's, as a share of the starting quality.

        The twin is the same world with no network convened, under the same draws of the
        changing environment, so the difference is what the network adds; 0 when the
        model is itself the silo world (never convened), NaN when it runs without its twin.
        """
        return float(metrics.observe(self)[metrics.Column.quality_vs_silo])

    # --- levers and what-ifs during a run -----------------------------------------------------

    def change_levers(self, **values) -> Params:
        """Change parameters mid-run; the model uses the new values from the next week.

        Only parameters declared ``live`` (read afresh each week) may change; those that
        shape the network at the start (``cede_willingness``, ``academic_partner``, ...)
        need a new model. Setting a parameter to the value it already has is allowed.

        Args:
            **values: New parameter values, by name (validated by their declarations).

        Returns:
            The model's parameters after the change.
        """
        fixed = [
            name
            for name, value in values.items()
            if not declaration(name).live and declaration(name).validate(value) != self.params[name]
        ]
        if fixed:
            live = ", ".join(n for n, p in PARAMETERS.items() if p.live)
            raise ParameterError(
                f"{fixed[0]} shapes the network at the start, so it cannot change mid-run: "
                f"start a new model with it; parameters that can change mid-run: {live}"
            )
        self.params = self.params.replace(**values)
        self._configure()
        if self.silo_twin is not None:
            self.silo_twin.params = self.silo_twin.params.replace(**values)
            self.silo_twin._configure()
        return self.params

    def set_parameter(self, name: str, value) -> Params:
        """Change one parameter mid-run (see ``change_levers``)."""
        declaration(name)  # a name that is not one, a number say, is refused by name
        return self.change_levers(**{name: value})

    def apply_event(self, kind: str, *, organisation: str | None = None) -> Event:
        """Apply a what-if event now, before the next week, and return it.

        The event returned is dated to that next week (``steps`` + 1), as a scheduled event
        applied at the start of that week: listed in ``Params(events=...)`` before that
        week's other events (if it falls within the horizon), it gives the same run.

        Args:
            kind: One of ``collabsim.params.EVENT_KINDS``.
            organisation: Organisation kind it concerns, where that matters; one the
                network has (``ParameterError`` otherwise, as for a scheduled event).

        Raises:
            ParameterError: An unknown kind or organisation, or an event that could not be
                replayed (``events.check_replayable``).
        """
        event = Event(self.steps + 1, kind, organisation)
        check_organisation_present(event, organisations_present(self.params))
        events.check_replayable(self, event)
        events.apply(self, event)
        if self.silo_twin is not None:
            events.apply(self.silo_twin, event)
        return event

    def timeseries(self):
        """The reporters recorded so far: a DataFrame, a row per collection, indexed by ``week``.

        One row a week as the model collects; a ``datacollector.collect`` of one's own adds
        a row labelled with its week (agent records, which Mesa keeps by week, keep only
        the last collection of a week).
        """
        return self.datacollector.get_model_vars_dataframe()

    def release(self) -> None:
        """Let go of the run's state, and its twin's, now; the model cannot step again.

        A Mesa model holds itself in reference cycles (its agents, its wrapped ``step``, its
        event generators), so its arrays are freed only at Python's next full garbage
        collection, which in a sweep's worker came every other run or less. Meanwhile the
        next run took fresh memory, whose first use can cost more than the run itself
        (0.2 s per 100 MB on a virtual machine; the trust matrix alone is 100 MB at 5,000
        people). ``collabsim.run`` calls this once it has the run's results.
        """
        self.state = None
        if self.silo_twin is not None:
            self.silo_twin.state = None
        self.running = False
        self.step = self._released  # refuses before Mesa moves its clock on, every time

    def _released(self) -> None:
        """Refuse to step, or to read a person: the model has let go of its state."""
        raise RuntimeError(
            "this model has let go of its state (model.release()), so it can neither step "
            "again nor read its people: build a new one with the same parameters and seed "
            "to run its weeks again"
        )

    # --- Mesa's tools ------------------------------------------------------------------------

    #: The people as a ``mesa.discrete_space.Network``, built on first use (``collabsim.space``).
    grid = cached_property(space.people_network)

    def reset_rng(self, rng=None) -> None:
        """Reset Mesa's generator and draw the run's chance events from it from now on.

        The people and organisations already drawn stay, and so does the run's funding
        history (the weeks of its budget cuts, drawn at the start); the same reset at the same
        week gives the same rest of the run.

        Args:
            rng: A seed or generator; None restores the generator the model started with.
        """
        super().reset_rng(mesa_interface.checked_rng("rng", rng))
        mesa_interface.reseed(self)

    def __repr__(self) -> str:
        return mesa_interface.describe(self)
