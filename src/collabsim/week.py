"""A world of organisations living week by week: the story of a week, in order.

What a run (``collabsim.model.CollaborationModel``, the world with its network) and its
silo twin (``collabsim.silo.SiloWorld``, the same world with none) share. Each week, in
order (``docs/odd.md`` section 3):

1. events: the scenario timeline's, and the budget cuts of the run's funding history;
2. on meeting weeks, the meeting: attendance, seating, encounters at tables, the
   central leader's pull, the leadership programmes;
3. change work: changes come due, are decided, tested, embedded or fail; new ones are
   proposed; word of mouth spreads successes;
4. between meetings: informal contact, second-hand trust, trust drifting back;
5. aspiration, frustration and inspiration fading, shielded by the central leader;
   self-interested acts;
6. members drifting away, organisations withdrawing, and people moving on;
7. the network's sustainability.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np

from collabsim import events, settings
from collabsim.agents import Person
from collabsim.mechanisms import attendance, meeting, weekly, whole_week
from collabsim.params import Event, Params
from collabsim.played import PlayedPeople
from collabsim.settings import Settings
from collabsim.state import Network, State


class WeeklyWorld(mesa.Model):
    """The organisations of a run, their people and pathways, living week by week.

    With the network if one is convened (``params.convened``). A subclass builds its
    starting state and calls ``_set_up``; each of its steps lives ``_week``.
    """

    #: Whether anyone reads this world's trust: its trust store then keeps the sums the trust
    #: reporters read. Nobody reads the silo twin's.
    observed = True

    #: Whether its people are Mesa agents (``Person``, in ``people`` and ``agents``): not
    #: the silo twin's, nor those of a run nobody watches as it goes (``collabsim.unwatched``).
    people_are_agents = True

    def _set_up(self, params: Params, state: State) -> None:
        """Set up the run from its parameters and its starting state (``build_state``)."""
        self.params = params
        self.state = state
        self.network: Network = state.network  # read some thirty times a week: no property
        self._configure()
        self.people: list[Person] = (
            [Person(self, i) for i in range(params.n_people)] if self.people_are_agents else []
        )
        self.played = PlayedPeople(self)

        self._events: dict[int, list] = defaultdict(list)
        for event in params.events:
            self._events[event.step].append(event)
        # the run's funding history, applied after the timeline's; drawn for the longest
        # horizon a run may have, so a run lives only a few of its sixty-odd cuts, and each
        # becomes an Event only in its week (making them all took an eighth of building a run)
        self._budget_cuts = set(state.budget_cut_weeks.tolist())

        self.apply_scheduled_events(0)  # events at step 0 shape the starting state

    # --- the week ------------------------------------------------------------------------

    def _week(self) -> None:
        """The week's story, in order.

        Participants' choices (``played``) come between the phases, which are then called
        one at a time; with nobody played the week after its events is one compiled call
        that calls the same phases in the same order (``mechanisms.whole_week.live_week``):
        the calls from Python cost more than most weeks' work.
        """
        week = self.steps
        self.apply_scheduled_events(week)
        if not self.played.people:
            self.hand_over_leavers(whole_week.live_week(self.state.world, self.settings_ref, week))
            return
        whole_week.meeting_due(self.state.world, self.settings_ref, week)
        self.played.week_starts(self)
        if self.network.meeting_held:
            self.hold_meeting()
        self.do_change_work(week)
        self.talk_between_meetings()
        self.update_commitment(week)
        self.exits_and_turnover()
        self.check_sustainability(week)

    @property
    def alive(self) -> bool:
        """Whether the network is still meeting."""
        return self.network.alive

    @property
    def collapse_step(self) -> int | None:
        """Week the network dissolved, or None."""
        return self.network.collapse_step

    @property
    def network_on(self) -> bool:
        """Whether a convened network is alive and meeting.

        ``weekly.network_on`` as the compiled phases ask it, read here without crossing into
        compiled code (0.1 µs against 1.2, every week of both worlds);
        ``tests/test_phases_in_one_call.py`` holds the two equal.
        """
        return self.settings.week.convened and self.network.alive

    @property
    def central_strength(self) -> float:
        """Strength of the central leader now (0 once they have left)."""
        return weekly.central_strength(self.state.world, self.settings_ref)

    @property
    def facilitated(self) -> bool:
        """Whether the academic partner's convener is in the network."""
        return meeting.facilitated(self.state.world)

    @property
    def shared_capacity(self) -> float:
        """The network's shared decision capacity: its tops' mean record of ceding (M9)."""
        return weekly.shared_capacity(self.state.world)

    # 1. events
    def scheduled_weeks(self) -> list[int]:
        """The weeks with events, in order: the scenario's timeline and the budget's cuts."""
        return sorted(self._events.keys() | self._budget_cuts)

    def apply_scheduled_events(self, week: int) -> None:
        """Apply this week's events: the timeline's in the order listed, then any cut."""
        for event in self._events.get(week, ()):
            events.apply(self, event)
        if week in self._budget_cuts:
            events.apply(self, Event(week, "budget_cut"))

    # 2. the meeting
    def hold_meeting(self) -> None:
        """Hold a network meeting.

        Attendance (M5), with played people's choices to come or not; then the meeting
        (``mechanisms.meeting.hold``): seating (M6), encounters (M1, M2, M4), with less of
        the work on a common view when the network is pressed for results, the central
        leader's pull, meeting energy and the update on actions, the leader's drive (M12),
        and the leadership programmes (M7).
        """
        world, cfg = self.state.world, self.settings_ref
        attendees = self.played.attendance(self, attendance.choose_attendees(world, cfg))
        meeting.hold(world, cfg, attendees, self.steps)

    # 3. change work
    def do_change_work(self, week: int) -> None:
        """A week of change work, and of the world changing around it.

        Proposals, decisions, tests, embedding and adoption (M8-M11); the environment
        moves on; without the network, its cross-organisation changes unravel.
        """
        weekly.change_work_phase(self.state.world, self.settings_ref, week)

    # 4. between meetings
    def talk_between_meetings(self) -> None:
        """Trust between meetings.

        Informal contact among the members of a living place-based network, second-hand
        trust (M3), drift (M1).
        """
        weekly.informal_contact(self.state.world, self.settings_ref)
        self.played.talk(self)
        weekly.word_gets_around(self.state.world, self.settings_ref)

    # 5. aspiration and commitment
    def update_commitment(self, week: int) -> None:
        """Aspiration, frustration and self-interest.

        Aspiration follows performance plus shielded pressure; frustration follows the
        week's strain (M12); territorial, disheartened tops may act in self-interest (M13).
        """
        actor = weekly.commitment_phase(self.state.world, self.settings_ref, week)
        if actor >= 0 and not self.played.plays(actor):  # a played leader acts by choice
            self.act_in_self_interest(actor)
        if self.network_on:
            self.played.acts(self)

    def act_in_self_interest(self, actor: int) -> None:
        """Person ``actor`` (a top) acts in self-interest now (M13)."""
        weekly.act_in_self_interest(self.state.world, self.settings_ref, actor, self.steps)

    # 6. exit and turnover
    def exits_and_turnover(self) -> None:
        """Members drift away after meetings spent disheartened; people move on (M14).

        Organisations whose chiefs lost heart withdraw with their people (M15). The
        leader holding the centre moves on at the same base rate as anyone (frustration
        aside: the weekly update of frustration passes over steady people, so theirs stays
        0), or leaves the network with their organisation; either way nobody holds the
        centre after them.
        """
        if self.network.meeting_held:
            weekly.exits_phase(self.state.world, self.settings_ref)
        self.hand_over_leavers(weekly.turnover_phase(self.state.world, self.settings_ref))

    def hand_over_leavers(self, leaving: int) -> None:
        """The week's turnover done: hand over the posts of the ``leaving`` who moved on.

        Their posts are the first ``leaving`` of the world's ``leavers``, in the order
        they left (the leader holding the centre, if moving on, last).
        """
        if leaving:
            self._hand_over(self.state.leavers[:leaving])

    def replace(self, posts: int | np.ndarray) -> None:
        """The holders of ``posts`` (one post, or an array of them) move on, in order.

        A newcomer with prior trust only takes over each post.
        """
        posts = np.atleast_1d(np.asarray(posts, dtype=np.int64))
        weekly.replace_posts(self.state.world, posts)
        self._hand_over(posts)

    def _hand_over(self, posts: np.ndarray) -> None:
        """Each of ``posts`` gets a new Mesa agent for its newcomer (if people are agents)."""
        if self.people_are_agents:
            for post in posts.tolist():
                self.people[post].hand_over()
                self.people[post] = Person(self, post)

    # 7. sustainability
    def check_sustainability(self, week: int) -> None:
        """At each meeting, judge whether the network is failing (M15).

        It dissolves once its failing meetings in a row span ``collapse_weeks``
        (``mechanisms.whole_week.judge_network``).
        """
        whole_week.judge_network(self.state.world, self.settings_ref, week)

    # --- helpers ---------------------------------------------------------------------------

    def __reduce_ex__(self, protocol):
        """Refuse to be pickled or copied, saying what to do instead.

        The state lives in compiled structures that neither pickle nor copy; without this,
        ``copy.deepcopy`` fails deep in Numba's typing.
        """
        raise TypeError(
            f"a {type(self).__name__} cannot be pickled or copied: its state lives in compiled "
            "structures. To branch a run at week k, build two models with the same parameters "
            "and seed and step both to week k (the same seed gives the same weeks); to keep "
            "what a run produced, keep model.timeseries() or the result of collabsim.run"
        )

    def _configure(self) -> None:
        """Bundle the rates the compiled mechanisms take, once per set of parameters."""
        self.settings = Settings.of(self.params)
        self.settings_ref = settings.reference(self.settings)
