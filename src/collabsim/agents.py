"""People in the network: Mesa agents that are views onto the model's state arrays.

A ``Person`` holds no state of its own beyond its post index: reading
``person.commitment`` reads ``model.state.people.commitment[index]``. The mechanisms
work on the arrays directly for speed, while Mesa's tools (``AgentSet.select``,
``agg``, agent reporters, SolaraViz) see ordinary agents with ordinary attributes.
When someone moves on, their agent is handed over and a new ``Person`` takes up the post;
``person.remove()`` takes a person out of the network for good (see ``Person.remove``).
A ``Person`` kept after their post changed hands refuses to read or change the post's
row, which is then the newcomer's (``PersonHasLeft``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from collabsim import space
from collabsim.mechanisms.roles import ROLES
from collabsim.mechanisms.trust_members import set_membership
from collabsim.mechanisms.trust_store import read, trust_in
from collabsim.organisations import Organisation
from collabsim.params import ParameterError, python_value

if TYPE_CHECKING:
    from collabsim.week import WeeklyWorld


class PersonHasLeft(LookupError):
    """A ``Person`` whose post has changed hands was read or changed.

    Their post's row in the state is then the newcomer's.
    """


def _state_property(name: str, doc: str) -> property:
    """A read-write attribute backed by ``model.state.people.<name>[index]``, 0-1."""

    def getter(self: Person) -> float:
        return float(getattr(self._people(), name)[self.index])

    def setter(self: Person, value) -> None:
        people = self._people()  # one who has left is refused first, whatever the value
        value = python_value(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 0 <= value <= 1  # also refuses NaN
        ):
            raise ParameterError(f"{name}={value!r} is not allowed: expected a number from 0 to 1")
        getattr(people, name)[self.index] = value

    return property(getter, setter, doc=doc)


def _count_property(name: str, doc: str) -> property:
    """A read-only count backed by ``model.state.people.<name>[index]``."""

    def getter(self: Person) -> int:
        return int(getattr(self._people(), name)[self.index])

    return property(getter, doc=doc)


class Person(mesa.Agent):
    """A clinician, manager or senior leader taking part in the network.

    Args:
        model: The model.
        index: The post this person holds (their row in the state arrays).
    """

    def __init__(self, model: WeeklyWorld, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.left_in_week: int | None = None  # the week their post changed hands, if it has
        self._registered = True  # among Mesa's agents (not removed, not moved on)
        self.cell = None  # the post's cell in ``model.grid``, once that is built
        network = vars(model).get("grid")
        if network is not None:  # a newcomer moves into the post's cell
            space.place(self, network)

    def remove(self) -> None:
        """Take this person out of the network for good, and out of Mesa's agents.

        They leave as members who drift away do (M14): inactive in the state, so the
        mechanisms stop moving them, counted in ``model.network.exits``; a convener or central
        leader no longer holds that role. They stay in post, outside the network; if the
        post later changes hands, the newcomer is a new agent. On someone removed already,
        or moved on, it does nothing.
        """
        if not self._registered:  # removed already, or moved on
            return
        model, post = self.model, self.index
        people = model.state.people
        if people.active[post]:
            set_membership(model.state.trust_ref, post, False)
            model.network.exits += 1
        if self.is_central_leader:
            model.network.central_leader_present = False
        people.steady[post] = False
        self._deregister()

    def hand_over(self) -> None:
        """Deregister this agent because its post changes hands (the state is untouched).

        From now on reading or changing this ``Person`` raises ``PersonHasLeft``: the
        post's row is the newcomer's.
        """
        self._deregister()
        self.left_in_week = self.model.steps

    def _deregister(self) -> None:
        """Leave Mesa's agents and the post's cell, once."""
        if not self._registered:
            return
        if self.cell is not None:
            self.cell.remove_agent(self)
            self.cell = None
        super().remove()
        self._registered = False

    def _people(self):
        """The state's people, whose row ``index`` is this person's while they are in post."""
        if self.left_in_week is not None:
            raise PersonHasLeft(
                f"person {self.unique_id} left post {self.index} in week {self.left_in_week}: "
                f"the post's row is now model.people[{self.index}]'s (record what you need "
                "while people are in post, e.g. with agent reporters)"
            )
        if self.model.state is None:
            self.model._released()
        return self.model.state.people

    power = _state_property("power", "Power, 0-1: role x organisation weight.")
    territoriality = _state_property(
        "territoriality", "Reluctance to let others change what one's organisation owns, 0-1."
    )
    commitment = _state_property("commitment", "Time and energy given beyond the day job, 0-1.")
    skill = _state_property("skill", "Quality-improvement capability, 0-1.")
    narrative = _state_property("narrative", "Position on the network's purpose, 0-1.")
    leader_identity = _state_property(
        "leader_identity", "How far one sees oneself as entitled to lead change, 0-1."
    )
    frustration = _state_property(
        "frustration", "Quarter-long average of weekly strain (setbacks, shortfall), 0-1."
    )
    workload = _state_property("workload", "Day-job workload, 0-1.")

    meetings_attended = _count_property(
        "attended", "Network meetings this person has attended since taking up the post."
    )
    changes_granted = _count_property(
        "granted",
        "Requests this person granted as the decider for their organisation (a redesign "
        "granted at the partnership board counts for each organisation's decider).",
    )
    changes_blocked = _count_property(
        "blocked", "Requests this person blocked as the decider for their organisation."
    )
    changes_led = _count_property(
        "adopted", "Changes this person proposed that were adopted, since taking up the post."
    )
    requests_refused = _count_property(
        "refused", "Requests of this person's that were turned down, since taking up the post."
    )

    @property
    def active(self) -> bool:
        """Whether the person still takes part in the network."""
        return bool(self._people().active[self.index])

    @property
    def cede_willingness(self) -> float:
        """Willingness to let others change what one's organisation owns, 0-1."""
        return 1.0 - self.territoriality

    @property
    def role(self) -> str:
        """``"top"``, ``"middle"`` or ``"bottom"``."""
        return ROLES[self._people().role[self.index]]

    @property
    def organisation(self) -> Organisation:
        """The organisation the person works for."""
        return self.model.state.organisations[self._people().org[self.index]]

    @property
    def pathway(self) -> int | None:
        """The pathway team the person works on (None for tops, who oversee all)."""
        p = int(self._people().pathway[self.index])
        return None if p < 0 else p

    @property
    def is_convener(self) -> bool:
        """Whether this is the academic partner's facilitator."""
        self._people()
        return self.index == self.model.state.convener

    @property
    def is_central_leader(self) -> bool:
        """Whether this is the leader holding the centre."""
        self._people()
        return (
            self.index == self.model.state.central_leader
            and self.model.network.central_leader_present
        )

    @property
    def trust(self) -> float:
        """How far the network's other members trust this person: their mean trust, 0-1."""
        self._people()
        return float(trust_in(self.model.state.trust_ref, self.index))

    def trust_in(self, other: Person) -> float:
        """This person's trust in ``other`` (a person of the same model), 0-1."""
        if not isinstance(other, Person) or other.model is not self.model:
            raise ParameterError(
                f"other={other!r} is not allowed: expected a Person of the same model"
            )
        self._people(), other._people()
        return float(read(self.model.state.trust_ref, self.index, other.index))

    def __repr__(self) -> str:
        if self.left_in_week is not None:
            return f"Person({self.unique_id}, left post {self.index} in week {self.left_in_week})"
        return (
            f"Person({self.unique_id}, {self.role}, {self.organisation.name}, "
            f"commitment={self.commitment:.2f})"
        )
