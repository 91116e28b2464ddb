"""The silo twin: the same world as a run, living the same weeks with no network.

Every run of a convened network (``CollaborationModel(silo_twin=True)``, the default)
carries one, so that its pathway quality can be read against what the organisations
would have achieved alone under the same environment (``quality_vs_silo``).
"""

from __future__ import annotations

import numpy as np

from collabsim.initialisation import build_state
from collabsim.params import Params
from collabsim.state import State
from collabsim.week import WeeklyWorld


class SiloWorld(WeeklyWorld):
    """The silo twin of a run: the same world, seed and environment, with no network.

    Built with the run's parameters except ``convened = false``, from a copy of the run's
    starting state (``initialisation.silo_start``) and the same seed, so it starts
    identical (people, organisations, landscapes) and its environment changes exactly as
    the run's; it steps in lockstep and records nothing.
    """

    #: Nobody reads the twin's people or trust: keeping its Mesa agents and trust sums took
    #: a third of its time at 300 people and more than half at 2,000.
    observed = False
    people_are_agents = False

    def __init__(self, params: Params, world_seed: int, start: State | None = None) -> None:
        """The silo world of ``params`` and ``world_seed``, from ``start`` if given.

        Without ``start`` its starting state is drawn afresh from the seed (``build_state``),
        which gives the same state as the run's copy at 3 to 5 times the cost.
        """
        super().__init__(rng=world_seed)
        if start is None:
            start = build_state(params, np.random.default_rng(world_seed), observed=self.observed)
        self._set_up(params, start)

    def step(self) -> None:
        """Advance the silo world by one week."""
        self._week()

    def lockstep(self) -> None:
        """The week its run has just lived, here: the run's ``step`` calls this.

        Not through Mesa's event queue, on which nothing is scheduled for the twin: the
        queue's bookkeeping each week was a fifth of the twin's time at 30 to 300 people.
        """
        self.steps += 1
        self._week()
