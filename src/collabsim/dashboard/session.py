"""The models one browser session drives: a workshop room's own runs.

Every browser session (each participant's device, each tab) gets its own ``Workshop``,
so nobody drives anyone else's model. A workshop has pane ``A`` and, in side-by-side
mode, pane ``B``: two models of the same scenario with the same seed that step in
lockstep and differ only in the levers the room sets differently. Each pane keeps its run
unless its own parameters change: side-by-side mode starts ``B`` as a copy of ``A``'s run
so far, and a pane given new starting levers is run again from week 0 to the week on
screen, with the same what-ifs and lever moves, while the other pane carries on.

Levers come from the parameter declarations. A lever declared ``live`` changes the
running model at once (from the next week); any other lever shapes the network at the
start, so its new value waits, marked as pending, until the next reset.

A workshop is closed when its browser session ends (Solara culls a session some minutes
after its page's connection goes): it lets go of its models at once and hands the memory
freed back to the system, and ``models_held`` counts the models still in memory.
"""

from __future__ import annotations

import ctypes
import gc
import sys
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from collabsim.model import CollaborationModel
from collabsim.params import LEVERS, PARAMETERS, Event, Params
from collabsim.scenarios import DEFAULT_SCENARIO, available, scenario
from collabsim.workshop.whatif import ONLY_WHILE, can_happen

from .network_view import NetworkLayout, layout_network

PANES: tuple[str, ...] = ("A", "B")

#: Every model a workshop has made, held weakly: a model drops out once it is freed.
_MODELS: weakref.WeakSet[CollaborationModel] = weakref.WeakSet()


def models_held() -> int:
    """How many of the models the workshops have made are still in memory."""
    return len(_MODELS)


def _return_free_memory() -> None:
    """Hand the C heap's free pages back to the system, where the C library can.

    glibc keeps freed memory for reuse by this process: without this, a server whose
    sessions have ended stays as large as it was with them open. Elsewhere (macOS,
    Windows, musl) there is no such call, and the memory stays for reuse.
    """
    if sys.platform != "linux":
        return
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def scenario_levers(name: str) -> dict[str, Any]:
    """The lever values of scenario ``name`` (its own values, else the defaults)."""
    params = scenario(name)
    return {lever: params[lever] for lever in LEVERS}


@dataclass
class LeverChange:
    """A lever moved while a run was going, and the week it took effect."""

    week: int
    name: str
    value: Any


@dataclass
class Pane:
    """One model on screen and the lever values chosen for it.

    Attributes:
        name: ``"A"`` or ``"B"``.
        levers: Lever values as the sliders show them (pending ones included).
        model: The running model.
        layout: Where its people are drawn.
        initial: The parameters the run started with.
        history: Levers moved mid-run and what-if events applied, in the order they
            were, so that the run can be made again.
    """

    name: str
    levers: dict[str, Any]
    model: CollaborationModel
    layout: NetworkLayout
    initial: Params
    history: list[LeverChange | Event] = field(default_factory=list)

    @property
    def changes(self) -> list[LeverChange]:
        """Levers moved mid-run, in order."""
        return [done for done in self.history if isinstance(done, LeverChange)]

    @property
    def events(self) -> list[Event]:
        """What-if events applied, in order."""
        return [done for done in self.history if isinstance(done, Event)]

    @property
    def pending(self) -> dict[str, Any]:
        """Levers whose chosen value waits for the next reset."""
        return {
            name: value for name, value in self.levers.items() if value != self.model.params[name]
        }

    def params_at(self, week: int) -> Params:
        """The parameters in force at ``week``.

        A lever moved after week ``w`` was simulated takes effect from week ``w + 1``.
        """
        values = {c.name: c.value for c in self.changes if c.week < week}
        return self.initial.replace(**values) if values else self.initial


class Workshop:
    """A browser session's models, their levers, and the controls that drive them.

    Args:
        scenario_name: Preset to start from (``iocn``, ``clahrc``, ``beston``,
            ``hierarchy``).
        seed: Seed of the runs; both panes share it.
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, *, seed: int = 0) -> None:
        self.lock = threading.RLock()  # Play runs in a thread while buttons are clicked
        self.scenario = scenario_name
        self.seed = seed
        self.compare = False
        self.panes: dict[str, Pane] = {}
        self._levers = {pane: scenario_levers(scenario_name) for pane in PANES}
        self.reset()

    # --- state ---------------------------------------------------------------------------

    @property
    def active_panes(self) -> list[Pane]:
        """The panes on screen: A, and B in side-by-side mode."""
        return [self.panes[p] for p in (PANES if self.compare else PANES[:1])]

    @property
    def week(self) -> int:
        """Weeks simulated so far (all panes are at the same week)."""
        return int(self.panes["A"].model.steps)

    @property
    def horizon(self) -> int:
        """Length of the run in weeks."""
        return int(self.panes["A"].model.params.horizon)

    @property
    def finished(self) -> bool:
        """Whether the run has reached its horizon (or the workshop is closed)."""
        return not self.panes or self.week >= self.horizon

    # --- controls ------------------------------------------------------------------------

    def reset(self, *, scenario_name: str | None = None, seed: int | None = None) -> None:
        """Start the panes again at week 0, with every pending lever applied.

        Choosing another scenario also sets the levers to that scenario's values. In
        side-by-side mode with the same scenario and seed, only the panes with pending
        levers change: each is run again with them from week 0 to the week on screen
        (``rerun``), and the other keeps its run; with nothing pending, both start again.
        """
        with self.lock:
            same_runs = scenario_name in (None, self.scenario) and seed in (None, self.seed)
            waiting = [p.name for p in self.active_panes if p.pending] if self.compare else []
            if same_runs and waiting:
                for name in waiting:
                    self.rerun(name)
                return
            if scenario_name is not None and scenario_name != self.scenario:
                if scenario_name not in available():
                    raise ValueError(
                        f"unknown scenario {scenario_name!r}; available: " + ", ".join(available())
                    )
                self.scenario = scenario_name
                self._levers = {pane: scenario_levers(scenario_name) for pane in PANES}
            if seed is not None:
                if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
                    raise ValueError(f"seed={seed!r} is not allowed: expected a whole number >= 0")
                self.seed = seed
            for name in PANES if self.compare else PANES[:1]:
                self.panes[name] = self._new_pane(name)

    def _new_pane(
        self, name: str, params: Params | None = None, history: tuple = (), week: int = 0
    ) -> Pane:
        """Pane ``name`` at ``week``: a run of ``params`` (its levers' by default).

        Each lever move and what-if of ``history`` is made again at the week it was.
        """
        if params is None:
            params = scenario(self.scenario, **self._levers[name])
        model = CollaborationModel(params, rng=self.seed)
        _MODELS.add(model)
        pane = Pane(name, self._levers[name], model, layout_network(model), params)
        for now in range(week + 1):
            for done in history:  # moves made after week ``now`` was simulated
                if isinstance(done, LeverChange) and done.week == now:
                    model.change_levers(**{done.name: done.value})
                    pane.history.append(done)
                elif isinstance(done, Event) and done.step == now + 1:
                    pane.history.append(
                        model.apply_event(done.kind, organisation=done.organisation)
                    )
            if now < week:
                model.step()
        return pane

    def rerun(self, name: str) -> None:
        """Run pane ``name`` again from week 0 to the week on screen, with its pending levers.

        They apply from the start; its lever moves and what-ifs are made at their weeks.
        """
        with self.lock:
            pane = self.panes[name]
            params = pane.initial.replace(**pane.pending)
            self.panes[name] = self._new_pane(name, params, tuple(pane.history), self.week)

    def close(self) -> None:
        """Let go of the models, for good: the browser session has ended.

        A model refers to itself through its people, so only Python's cycle collector
        frees it, and on a quiet server the collector may not run for a long time: it
        is run here, once, and the memory freed is handed back to the system.
        """
        with self.lock:
            self.panes.clear()
        gc.collect()
        _return_free_memory()

    def set_compare(self, on: bool) -> None:
        """Turn side-by-side mode on or off; pane A keeps its run either way.

        Pane B starts as a copy of pane A's run so far (its levers, lever moves and
        what-ifs, at its week), so the room changes one lever and watches the two runs part.
        """
        with self.lock:
            if on == self.compare:
                return
            self.compare = on
            if on:
                first = self.panes["A"]
                self._levers["B"] = dict(self._levers["A"])
                self.panes["B"] = self._new_pane(
                    "B", first.initial, tuple(first.history), self.week
                )

    def step(self, weeks: int = 1) -> int:
        """Advance every pane by up to ``weeks`` weeks (never past the horizon).

        Returns:
            The weeks actually advanced.
        """
        with self.lock:
            if not self.panes:  # closed: Play may still be ending its last frame
                return 0
            todo = max(0, min(weeks, self.horizon - self.week))
            for pane in self.active_panes:
                for _ in range(todo):
                    pane.model.step()
            return todo

    def set_lever(self, pane: str, name: str, value: Any) -> bool:
        """Set lever ``name`` of ``pane`` (validated by its declaration).

        Returns:
            True if the running model changed now, False if the value waits for the
            next reset (the lever shapes the network at the start).
        """
        declaration = PARAMETERS[name]
        if not declaration.lever:
            raise ValueError(f"{name} is not a lever")
        value = declaration.validate(value)
        with self.lock:
            chosen = self.panes[pane] if pane in self.panes else None
            self._levers[pane][name] = value
            if chosen is None or not declaration.live:
                return False
            if chosen.model.params[name] != value:
                chosen.model.change_levers(**{name: value})
                chosen.history.append(LeverChange(self.week, name, value))
            return True

    def levers(self, pane: str) -> dict[str, Any]:
        """The lever values the sliders of ``pane`` show."""
        return dict(self._levers[pane])

    def what_if(self, kind: str) -> None:
        """Apply a what-if event to every pane it can still happen in, before the next week.

        An event that can change a network only while it stands so
        (``collabsim.workshop.whatif.ONLY_WHILE``: the central leader leaving, the partner
        withdrawing) skips a pane that no longer has that person: there it would change
        nothing, yet stand on its plots as if it had happened.
        """
        with self.lock:
            for pane in self.active_panes:
                if can_happen(pane.model, kind):
                    pane.history.append(pane.model.apply_event(kind))

    def spent_what_ifs(self) -> set[str]:
        """The what-ifs no pane on screen can take now (their buttons off)."""
        return {
            kind
            for kind in ONLY_WHILE
            if not any(can_happen(pane.model, kind) for pane in self.active_panes)
        }
