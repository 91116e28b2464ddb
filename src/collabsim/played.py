"""People of the network played by participants, meeting by meeting.

A participatory workshop gives some posts to people in the room. Before each meeting a
played person makes the choices their post really faces in the model, and at that
meeting the choices take the place of the model's own draws for them; the model's
mechanisms apply every consequence::

    model = collabsim.CollaborationModel("iocn", rng=1)
    model.played.play(12)                                   # post 12 is played
    model.played.choose(12, Choice(attend=True, propose="small", talk_to=(3,)))
    model.step()                                            # week 1: the first meeting

A choice left as ``None`` is the model's to make, as for anyone nobody plays, so a played
person who leaves every choice to the model lives exactly the model's run. Choices are
made for the next meeting and hold until the one after it:

* **attend**: come to the meeting or not (the model's draw of M5 otherwise);
* **talk_to**: people of other organisations to talk to after the meeting: one
  conversation with each, as at a meeting table but with no safe space (M1, M2, M4);
* **propose**: frontline staff and managers: ``"none"``, ``"small"`` (a small test of
  change) or ``"big"`` (a redesign) at the meeting's week, and no other proposal until
  the next meeting (the weekly draw of M8 otherwise);
* **verdicts**: senior leaders: grant (True) or block (False) each request waiting on
  them (``requests``), by proposer. Requests to a played senior leader wait on their desk
  until the next meeting; one they leave undecided is decided by the model's chance
  that they grant it (M9);
* **cede**: senior leaders: cede a share of their territory to the network now, as a
  grant across organisations does (M9);
* **self_interest**: senior leaders: act in self-interest now (M13). A played senior
  leader never acts in self-interest by the model's draw.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from collabsim.mechanisms import change, commitment, decisions, encounters, played
from collabsim.mechanisms.roles import TOP

if TYPE_CHECKING:
    from collabsim.week import WeeklyWorld

#: What a played person may propose, by the word used in a ``Choice``.
PROPOSALS = {"none": played.NO_CHANGE, "small": played.SMALL_TEST, "big": played.REDESIGN}
#: Most people one may choose to talk to between two meetings.
MAX_CONVERSATIONS = 3
#: Stages of a change that wait on a senior leader's decision, and what each asks.
AWAITING = {
    change.AWAITING_TEST_GRANT: "test",
    change.AWAITING_EMBEDDING: "embed",
    change.AWAITING_REDESIGN_GRANTS: "redesign",
}


class ChoiceError(ValueError):
    """A choice a played person cannot make; the message says which and why."""


@dataclass(frozen=True)
class Choice:
    """What a played person chooses for the next meeting; ``None`` leaves it to the model.

    Attributes:
        attend: Come to the meeting (True) or not (False).
        talk_to: People of other organisations to talk to after the meeting.
        propose: ``"none"``, ``"small"`` or ``"big"`` (frontline staff and managers).
        verdicts: Proposer -> grant (True) or block (False) (senior leaders).
        cede: Cede a share of territory now (senior leaders).
        self_interest: Act in self-interest now (senior leaders).
    """

    attend: bool | None = None
    talk_to: tuple[int, ...] = ()
    propose: str | None = None
    verdicts: dict[int, bool] = field(default_factory=dict)
    cede: bool | None = None
    self_interest: bool = False


class Request(NamedTuple):
    """A change request waiting on a senior leader's decision.

    Attributes:
        proposer: Post of the person asking.
        kind: ``"test"`` (a small test), ``"embed"`` (embed a prototype that worked) or
            ``"redesign"`` (a big redesign, decided at the partnership board).
        pathway: The care pathway it changes.
        due: Week it is due to be decided.
    """

    proposer: int
    kind: str
    pathway: int
    due: int


class Conversation(NamedTuple):
    """A conversation a played person chose: with whom, and whether it went well for them."""

    person: int
    other: int
    went_well: bool


class PlayedPeople:
    """The posts of a model played by participants, and their choices for the next meeting.

    Every world (a model and its silo twin) has one, as ``model.played``; with nobody played it
    changes nothing.
    """

    def __init__(self, model: WeeklyWorld) -> None:
        self._model = weakref.ref(model)  # the model owns this; no cycle to keep it alive
        n = model.params.n_people
        self.arrays = model.state.played
        self.people: set[int] = set()
        self._chosen: dict[int, Choice] = {}
        self._now: dict[int, Choice] = {}  # the choices of the meeting being held
        self._verdict_stage = np.full(n, -1, dtype=np.int64)
        #: Conversations chosen for the latest meeting, as they went.
        self.conversations: list[Conversation] = []

    @property
    def model(self) -> WeeklyWorld:
        """The model these people belong to."""
        return self._model()

    # --- the public API -------------------------------------------------------------------

    def play(self, person: int) -> None:
        """From the next meeting, post ``person`` is played (its choices are made by hand)."""
        self._check_post(person)
        if self.model.state.people.steady[person]:
            raise ChoiceError(
                f"person={person} holds the centre or convenes the network, "
                f"which the model always plays"
            )
        self.people.add(person)
        self._update_deciders()

    def release(self, person: int) -> None:
        """Post ``person`` is played by the model again; its pending choices are dropped."""
        self.people.discard(person)
        self._chosen.pop(person, None)
        self.arrays.propose[person] = played.MODEL
        self._update_deciders()

    def plays(self, person: int) -> bool:
        """Whether post ``person`` is played."""
        return person in self.people

    def is_decider(self, person: int) -> bool:
        """Whether post ``person`` decides for its organisation as a played senior leader."""
        p = self.model.state.people
        return bool(self.arrays.decider[p.org[person]] == person)

    def requests(self, person: int) -> list[Request]:
        """The change requests waiting on played senior leader ``person``, oldest due first."""
        if not self.is_decider(person):
            return []
        s = self.model.state
        org = s.people.org[person]
        waiting = []
        for proposer in np.flatnonzero(np.isin(s.changes.stage, list(AWAITING))):
            stage = int(s.changes.stage[proposer])
            if (s.people.active[proposer] or not self.model.network_on) and org in self._owners(
                int(proposer)
            ):
                waiting.append(
                    Request(
                        int(proposer),
                        AWAITING[stage],
                        int(s.changes.pathway[proposer]),
                        int(s.changes.due[proposer]),
                    )
                )
        return sorted(waiting, key=lambda r: (r.due, r.proposer))

    def choose(self, person: int, choice: Choice) -> None:
        """Set what played post ``person`` chooses for the next meeting (replacing any before).

        Raises:
            ChoiceError: The person is not played, or the choice is not theirs to make.
        """
        self._check_choice(person, choice)
        self._chosen[person] = choice

    def chosen(self, person: int) -> Choice | None:
        """What ``person`` has chosen for the next meeting so far, or None."""
        return self._chosen.get(person)

    # --- hooks the model calls during its week ----------------------------------------------

    def week_starts(self, model: WeeklyWorld) -> None:
        """Put this week's choices where the change work reads them."""
        self._now = {}
        if not self.people:
            return  # nobody played: the arrays stay as the model's own
        a = self.arrays
        s = model.state
        stale = s.changes.stage != self._verdict_stage
        a.verdict[stale] = played.MODEL  # a verdict answers one request, not the next
        self._verdict_stage[stale] = -1
        if model.network.meeting_held:
            self._now, self._chosen = self._chosen, {}
            for person in self.people:
                choice = self._now.get(person)
                a.propose[person] = (
                    played.MODEL
                    if choice is None or choice.propose is None
                    else PROPOSALS[choice.propose]
                )
                org = s.people.org[person]
                for proposer, grant in choice.verdicts.items() if choice else ():
                    a.verdict[proposer, org] = played.GRANT if grant else played.BLOCK
                    self._verdict_stage[proposer] = s.changes.stage[proposer]
            a.holding[0] = False
        else:
            for person in self.people:
                if a.propose[person] != played.MODEL:
                    a.propose[person] = played.NO_CHANGE  # one proposal per meeting chosen
            a.holding[0] = model.network_on

    def attendance(self, model: WeeklyWorld, attendees: np.ndarray) -> np.ndarray:
        """The meeting's attendees once played people's choices to come or not are made."""
        came = model.state.people.attended_last
        changed = False
        for person, choice in self._now.items():
            if choice.attend is not None and model.state.people.active[person]:
                came[person] = choice.attend
                changed = True
        return np.flatnonzero(came) if changed else attendees

    def talk(self, model: WeeklyWorld) -> None:
        """The conversations played people chose, after the meeting they chose them for."""
        if not model.network.meeting_held:
            return  # what was said after the meeting stays on record until the next one
        self.conversations = []
        active = model.state.people.active
        pairs = [
            (person, other)
            for person, choice in sorted(self._now.items())
            for other in choice.talk_to
            if active[person] and active[other]
        ]
        if not pairs:
            return
        s, prm = model.state, model.params
        first = np.array([a for a, _ in pairs], dtype=np.int64)
        second = np.array([b for _, b in pairs], dtype=np.int64)
        went_well = np.empty((len(pairs), 2), dtype=np.bool_)
        encounters.converse(
            s.world,
            model.settings_ref,
            first,
            second,
            prm.narrative_epsilon,
            prm.narrative_mu,
            0.0,
            went_well,
        )
        self.conversations = [
            Conversation(a, b, bool(w)) for (a, b), w in zip(pairs, went_well[:, 0], strict=True)
        ]

    def acts(self, model: WeeklyWorld) -> None:
        """Played senior leaders cede territory or act in self-interest, as they chose."""
        s, rates = model.state, model.settings.change
        for person, choice in sorted(self._now.items()):
            if not s.people.active[person]:
                continue
            if choice.cede:  # as a grant across organisations cedes (decisions.granted)
                decisions.cede_territory(
                    person, s.people_ref, rates.cede_power_loss, rates.cede_capacity_gain
                )
                commitment.experience(
                    s.people_ref,
                    person,
                    0.0,
                    model.settings.commitment.small_win_boost * s.people.territoriality[person],
                )
            if choice.self_interest:
                model.act_in_self_interest(person)

    # --- checks -----------------------------------------------------------------------------

    def _owners(self, proposer: int) -> set[int]:
        """The organisations whose practices ``proposer``'s change touches."""
        s = self.model.state
        p, owner = int(s.changes.pathway[proposer]), s.pathways.owner
        if s.changes.stage[proposer] == change.AWAITING_REDESIGN_GRANTS:
            mask = int(s.changes.mask[proposer])
            return {int(owner[p, n]) for n in range(owner.shape[1]) if (mask >> n) & 1}
        return {int(owner[p, s.changes.practice[proposer]])}

    def _update_deciders(self) -> None:
        """Each organisation's played senior leader (the lowest post if several) decides."""
        p = self.model.state.people
        self.arrays.decider[:] = -1
        for person in sorted(self.people, reverse=True):
            if p.role[person] == TOP:
                self.arrays.decider[p.org[person]] = person
        self.arrays.verdict[:, self.arrays.decider < 0] = played.MODEL
        self.arrays.holding[0] &= bool(self.people)

    def _check_post(self, person: int) -> None:
        n = self.model.params.n_people
        if (
            isinstance(person, bool)
            or not isinstance(person, int | np.integer)
            or not (0 <= person < n)
        ):
            raise ChoiceError(
                f"person={person!r} is not allowed: expected a post from 0 to {n - 1}"
            )

    def _check_choice(self, person: int, choice: Choice) -> None:
        self._check_post(person)
        if person not in self.people:
            raise ChoiceError(f"person={person} is not played: play(person) first")
        p = self.model.state.people
        top = p.role[person] == TOP
        if choice.propose is not None:
            if choice.propose not in PROPOSALS:
                raise ChoiceError(
                    f"propose={choice.propose!r} is not allowed: expected one "
                    f"of {', '.join(PROPOSALS)}"
                )
            if top or p.pathway[person] < 0:
                raise ChoiceError(
                    f"propose is not for person={person}: only frontline staff "
                    f"and managers on a pathway team propose changes"
                )
        if not top and (choice.verdicts or choice.cede or choice.self_interest):
            raise ChoiceError(
                f"verdicts, cede and self_interest are not for person={person}: "
                f"only senior leaders make them"
            )
        waiting = {r.proposer for r in self.requests(person)}
        for proposer in choice.verdicts:
            if proposer not in waiting:
                raise ChoiceError(
                    f"verdicts: no request from person {proposer} waits on "
                    f"person={person}; waiting: {sorted(waiting) or 'none'}"
                )
        if len(choice.talk_to) > MAX_CONVERSATIONS:
            raise ChoiceError(
                f"talk_to={choice.talk_to!r} is not allowed: at most {MAX_CONVERSATIONS} people"
            )
        for other in choice.talk_to:
            self._check_post(other)
            if p.org[other] == p.org[person]:
                raise ChoiceError(
                    f"talk_to: person {other} is in person={person}'s own "
                    f"organisation; choose people of other organisations"
                )
