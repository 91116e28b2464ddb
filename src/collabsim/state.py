"""The model's state as a struct of arrays (set up by ``collabsim.initialisation``).

People are indexed 0..N-1 by post: a post keeps its organisation, role and pathway when
its holder moves on and a newcomer takes over. Posts are grouped by organisation, so the
people of organisation k are ``org_start[k]:org_start[k+1]``. The Mesa agents in
``agents.py`` are views onto these arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

import numpy as np

from collabsim.jit import struct_of
from collabsim.mechanisms import weekly
from collabsim.mechanisms.played import Played
from collabsim.mechanisms.roles import TOP
from collabsim.mechanisms.trust_store import TrustStore
from collabsim.mechanisms.turnover import PersonDraws
from collabsim.organisations import Organisation


class People(NamedTuple):
    """Per-person arrays (length N). Everything a mechanism may read or change."""

    active: np.ndarray  # bool: a member of the network now
    role: np.ndarray  # int: TOP, MIDDLE, BOTTOM
    org: np.ndarray  # int: organisation index
    sector: np.ndarray  # int: index into SECTORS
    pathway: np.ndarray  # int: pathway team, -1 for tops and the convener (they serve all)
    team: np.ndarray  # int: self-managed improvement team within the pathway team, or -1
    base_power: np.ndarray  # power a holder of the post starts with
    power: np.ndarray  # 0-1
    territoriality: np.ndarray  # 0-1, reluctance to cede territory (ODD 2.2)
    commitment: np.ndarray  # 0-1
    skill: np.ndarray  # 0-1, quality-improvement capability
    narrative: np.ndarray  # 0-1, position on the network's purpose
    anchor: np.ndarray  # 0-1, own organisation's view
    stubbornness: np.ndarray  # θ for tops, 0 for others
    leader_identity: np.ndarray  # 0-1
    workload: np.ndarray  # 0-1
    inspiration: np.ndarray  # 0-1, recent news of a colleague's success
    frustration: np.ndarray  # 0-1, quarter-long average of weekly strain
    meeting_value: np.ndarray  # how worthwhile the last meeting attended was, -1 to 1
    attended_last: np.ndarray  # bool
    attended: np.ndarray  # int: meetings attended since taking up the post
    joined_meeting: np.ndarray  # int: meetings held before taking up the post
    low_meetings: np.ndarray  # int: consecutive meetings with commitment below threshold
    adopted: np.ndarray  # int: changes led that were adopted, since taking up the post
    setback: np.ndarray  # bool: suffered a setback this week
    won: np.ndarray  # bool: saw a small win this week
    granted: np.ndarray  # int: requests granted as a decider since taking up the post
    blocked: np.ndarray  # int: requests blocked as a decider since taking up the post
    refused: np.ndarray  # int: own requests blocked since taking up the post
    ceded: np.ndarray  # 0-1: a top's record of ceding territory to other organisations
    news: np.ndarray  # int: latest notable counterpart, -1 if none
    last_act: np.ndarray  # int: week of last self-interested act
    steady: np.ndarray  # bool: convener and central leader, who never drift away


class Pathways(NamedTuple):
    """Per-pathway arrays: NK landscapes, configurations and who owns each practice."""

    config: np.ndarray  # (P,) int bitmask of practice values
    initial_config: np.ndarray  # (P,)
    network_made: np.ndarray  # (P,) bitmask: values set by the network across organisations
    redesign_lead: np.ndarray  # (P,) proposer of the redesign under way, -1 if none
    actions_since_meeting: np.ndarray  # (P,) tests studied and redesigns done since it last met
    fitness: np.ndarray  # (P,) current NK fitness
    initial_fitness: np.ndarray  # (P,)
    environment_shift: np.ndarray  # (P,) fitness moved so far by the environment's changes
    net_history: np.ndarray  # (QUARTER, P) fitness net of the environment's shifts
    aspiration: np.ndarray  # (P,) improvement a year expected of each pathway
    owner: np.ndarray  # (P, n_practices) organisation owning each practice
    neighbours: np.ndarray  # (P, n_practices, K)
    contributions: np.ndarray  # (P, n_practices, 2**(K+1))


class Changes(NamedTuple):
    """Changes in progress, indexed by their proposer (one change per person at most)."""

    stage: np.ndarray
    due: np.ndarray
    pathway: np.ndarray
    practice: np.ndarray
    mask: np.ndarray
    values: np.ndarray
    self_authorised: np.ndarray


class Teams(NamedTuple):
    """Self-managed improvement teams: members of team t are ``members[start[t]:start[t+1]]``."""

    members: np.ndarray
    start: np.ndarray


PeopleStruct, PeopleRef, _people_ref = struct_of(People, __name__)
PathwaysStruct, PathwaysRef, _pathways_ref = struct_of(Pathways, __name__)
ChangesStruct, ChangesRef, _changes_ref = struct_of(Changes, __name__)
TrustStoreStruct, TrustStoreRef, _trust_ref = struct_of(TrustStore, __name__)
TeamsStruct, TeamsRef, _teams_ref = struct_of(Teams, __name__)
PersonDrawsStruct, PersonDrawsRef, _draws_ref = struct_of(PersonDraws, __name__)
PlayedStruct, PlayedRef, _played_ref = struct_of(Played, __name__)


class World(NamedTuple):
    """The state a week's mechanisms share, as one compiled reference (``State.world``).

    A mechanism takes the world and the run's settings (``collabsim.settings``) and
    reads what it needs from them, rather than a long list of arrays of the same type.
    """

    stream: np.ndarray  # the run's random stream
    environment: np.ndarray  # the environment's own stream (shared with the silo twin)
    people: Any  # People, as its struct
    pathways: Any  # Pathways, as its struct
    changes: Any  # Changes, as its struct
    trust: Any  # the TrustStore, as its struct
    teams: Any  # Teams, as its struct
    org_start: np.ndarray  # people of organisation k are org_start[k]:org_start[k+1]
    counters: np.ndarray  # cumulative counters of change work (counters.PROPOSED, ...)
    team_members: np.ndarray  # non-tops grouped by pathway
    team_start: np.ndarray  # (P + 1,)
    withdrawn: np.ndarray  # (organisations,) bool: has left the network (M15)
    org_low_meetings: np.ndarray  # (organisations,) meetings in a row its tops were low
    played: Any  # Played, as its struct: the choices of people played by participants
    standing: np.ndarray  # how the network stands (``Network``; ``mechanisms.weekly``)
    attendance_history: np.ndarray  # the share of members at the latest meetings, a ring
    draws: Any  # PersonDraws, as its struct: what newcomers are drawn from
    everyone: np.ndarray  # bool, all true: who does the change work in silos
    top_posts: np.ndarray  # the senior leaders' posts (posts keep their roles)
    leavers: np.ndarray  # buffer: the posts whose holders move on this week
    org_view: np.ndarray  # (organisations,) each organisation's own view of the purpose
    central_leader: int  # post of the leader holding the centre (if strength > 0)
    partner: int  # the academic partner's organisation, -1 without it
    convener: int  # the academic partner's facilitator, -1 without the partner
    core_purpose: float  # the network's core purpose, where the central leader pulls views
    actions_taken_on: float  # actions a month a pathway's people take on at a meeting


WorldStruct, WorldRef, _world_ref = struct_of(World, __name__)


def _standing(index: int, kind: type, meaning: str) -> property:
    """A running figure of the network, kept in its ``standing`` array at ``index``."""

    def get(network: Network):
        return kind(network.standing[index])

    def set_(network: Network, value) -> None:
        network.standing[index] = value

    return property(get, set_, doc=meaning)


@dataclass
class Network:
    """How the network stands as the run goes on (``State.network``).

    What the week reads and records besides the arrays. The running figures the compiled
    phases of the week read and write (``mechanisms.weekly``) live in ``standing``; they
    are read and set here by name.
    """

    standing: np.ndarray = field(repr=False)  # the figures below (``weekly.new_standing``)
    # the share of members at the latest meetings, as a ring (``mechanisms.meeting.hold``):
    # ``attendance_weeks`` places, as many as meetings can span that many weeks
    attendance_history: np.ndarray = field(repr=False)

    alive = _standing(weekly.ALIVE, bool, "Still meeting.")
    central_leader_present = _standing(
        weekly.CENTRAL_LEADER_PRESENT, bool, "Someone holds the centre."
    )
    aspiration = _standing(
        weekly.ASPIRATION, float, "Improvement a year expected of its pathways, on average."
    )
    aspiration_gap = _standing(
        weekly.ASPIRATION_GAP, float, "Its pathways' shortfalls against aspiration, on average."
    )
    shortfall_strain = _standing(
        weekly.SHORTFALL_STRAIN, float, "How frustrating its pathways' shortfalls are, 0-1."
    )
    quality = _standing(weekly.QUALITY, float, "Pathway quality relative to the start.")
    meetings_held = _standing(weekly.MEETINGS_HELD, int, "Meetings held so far.")
    turnover = _standing(weekly.TURNOVER, int, "People who moved on and were replaced.")
    self_interest_acts = _standing(weekly.SELF_INTEREST_ACTS, int, "Self-interested acts.")
    budget_cuts = _standing(weekly.BUDGET_CUTS, int, "Budget cuts so far.")
    environment_shift = _standing(
        weekly.ENVIRONMENT_SHIFT, float, "Quality moved so far by the environment's changes."
    )
    last_actor = _standing(
        weekly.LAST_ACTOR, int, "The latest senior leader to act in self-interest, or -1."
    )
    trust_in_actor_before = _standing(
        weekly.TRUST_IN_ACTOR_BEFORE, float, "Members' trust in them just before they acted."
    )
    exits = _standing(weekly.EXITS, int, "Members who left the network.")
    partner_present = _standing(
        weekly.PARTNER_PRESENT, bool, "The academic partner has not withdrawn."
    )
    programme_running = _standing(
        weekly.PROGRAMME_RUNNING, bool, "The leadership programmes are under way."
    )
    last_meeting = _standing(
        weekly.LAST_MEETING, int, "Week of the latest meeting (0: the network's start)."
    )
    attendees = _standing(weekly.ATTENDEES, int, "People at the latest meeting.")
    attendance_rate = _standing(
        weekly.ATTENDANCE_RATE, float, "Share of members at the latest meeting."
    )
    meeting_held = _standing(weekly.MEETING_HELD, bool, "A meeting is held this week.")
    failing_meetings = _standing(
        weekly.FAILING_MEETINGS, int, "Meetings in a row at which the network was failing."
    )

    @property
    def collapse_step(self) -> int | None:
        """Week the network dissolved, or None."""
        week = int(self.standing[weekly.COLLAPSE_STEP])
        return None if week < 0 else week

    def __repr__(self) -> str:
        # the running figures by name, not the array that holds them
        named = [n for n, v in vars(Network).items() if isinstance(v, property)]
        named += [f.name for f in fields(self) if f.repr]
        return f"Network({', '.join(f'{n}={getattr(self, n)!r}' for n in named)})"


@dataclass
class State:
    """Everything that changes during a run, plus the fixed structure it lives in."""

    organisations: list[Organisation]
    org_start: np.ndarray
    people: People
    pathways: Pathways
    changes: Changes
    trust: TrustStore
    team_members: np.ndarray  # non-tops grouped by pathway
    team_start: np.ndarray  # (P + 1,)
    steady: np.ndarray  # bool: convener and central leader, who never drift away
    draws: PersonDraws
    stream: np.ndarray
    environment: np.ndarray  # random stream of the environment alone (shared with the silo twin)
    budget_cut_weeks: np.ndarray  # weeks in which the budget is cut (its history, shared too)
    teams: Teams
    convener: int  # the academic partner's facilitator; -1 without the partner
    central_leader: int  # post of the leader holding the centre (if strength > 0)
    core_purpose: float
    org_view: np.ndarray  # (organisations,) each organisation's own view of the purpose
    counters: np.ndarray
    withdrawn: np.ndarray  # (organisations,) bool: has left the network (M15)
    org_low_meetings: np.ndarray  # (organisations,) meetings in a row its tops were low
    played: Played  # choices of people played by participants; nobody's by default
    network: Network  # how the network stands
    partner_index: int  # the academic partner's organisation, -1 without it
    actions_taken_on: float  # actions a pathway takes on a month (progress_reported)

    # The same arrays as single compiled references: what the model passes to mechanisms.
    # Handing over a NamedTuple unboxes each of its arrays on every call (about 3.5 us
    # for ``people``), a reference is one pointer (about 0.7 us); there are ~3,000 such
    # calls in a five-year run.
    people_ref: Any = field(init=False, repr=False)
    pathways_ref: Any = field(init=False, repr=False)
    changes_ref: Any = field(init=False, repr=False)
    trust_ref: Any = field(init=False, repr=False)
    teams_ref: Any = field(init=False, repr=False)
    world: Any = field(init=False, repr=False)  # World, as its struct
    leavers: np.ndarray = field(init=False, repr=False)  # the world's buffer of who moves on

    def __post_init__(self) -> None:
        # everyone, and the leader holding the centre once more: who moves on in a week
        self.leavers = np.zeros(self.people.active.shape[0] + 1, dtype=np.int64)
        self.people_ref = _people_ref(*self.people)
        self.pathways_ref = _pathways_ref(*self.pathways)
        self.changes_ref = _changes_ref(*self.changes)
        self.trust_ref = _trust_ref(*self.trust)
        self.teams_ref = _teams_ref(*self.teams)
        self.world = _world_ref(
            self.stream,
            self.environment,
            self.people_ref,
            self.pathways_ref,
            self.changes_ref,
            self.trust_ref,
            self.teams_ref,
            self.org_start,
            self.counters,
            self.team_members,
            self.team_start,
            self.withdrawn,
            self.org_low_meetings,
            _played_ref(*self.played),
            self.network.standing,
            self.network.attendance_history,
            _draws_ref(*self.draws),
            np.ones(self.people.active.shape[0], dtype=np.bool_),
            np.flatnonzero(self.people.role == TOP),
            self.leavers,
            self.org_view,
            self.central_leader,
            self.partner_index,
            self.convener,
            self.core_purpose,
            self.actions_taken_on,
        )
