"""The model's state as a struct of arrays, and how it is set up at the start of a run.

People are indexed 0..N-1 by post: a post keeps its organisation, role and pathway when
its holder moves on and a newcomer takes over. Posts are grouped by organisation, so the
people of organisation k are ``org_start[k]:org_start[k+1]``. The Mesa agents in
``agents.py`` are views onto these arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from collabsim.jit import struct_of
from collabsim.mechanisms import counters, landscape
from collabsim.mechanisms.commitment import QUARTER, actions_taken_on
from collabsim.mechanisms.draws import new_stream
from collabsim.mechanisms.played import Played
from collabsim.mechanisms.played import nobody as nobody_played
from collabsim.mechanisms.roles import BOTTOM, MIDDLE, TOP
from collabsim.mechanisms.trust import prior_trust
from collabsim.mechanisms.trust_store import TrustStore, new_store
from collabsim.mechanisms.turnover import PersonDraws, draw_person
from collabsim.organisations import (
    ACADEMIC_PARTNER_KIND,
    ORGANISATION_KINDS,
    SECTORS,
    Organisation,
)
from collabsim.params import Params

_ROLE_POWER = np.array([1.0, 0.6, 0.3])  # top, middle, bottom: formal authority of the role


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
    territoriality: np.ndarray  # 0-1, 1 - willingness to cede territory
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
    led_adoption: np.ndarray  # bool: has led a change that was adopted
    setback: np.ndarray  # bool: suffered a setback this week
    won: np.ndarray  # bool: saw a small win this week
    granted: np.ndarray  # int: requests granted as a decider since taking up the post
    blocked: np.ndarray  # int: requests blocked as a decider since taking up the post
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
    played: Played  # the choices of people played by participants (mechanisms.played)


WorldStruct, WorldRef, _world_ref = struct_of(World, __name__)


@dataclass
class Network:
    """How the network stands as the run goes on (``State.network``).

    What the week reads and records besides the arrays.
    """

    alive: bool  # still meeting
    partner_present: bool  # the academic partner has not withdrawn
    central_leader_present: bool  # someone holds the centre
    programme_running: bool  # the leadership programmes are under way
    collapse_step: int | None = None  # week the network dissolved
    meetings_held: int = 0
    last_meeting: int = 0  # week of the latest meeting (0: the network's start)
    meeting_held: bool = False  # this week
    attendance_rate: float = math.nan  # share of members at the latest meeting
    attendance_history: list[float] = field(default_factory=list)
    failing_meetings: int = 0  # meetings in a row at which the network was failing
    exits: int = 0  # members who left the network
    turnover: int = 0  # people who moved on and were replaced
    self_interest_acts: int = 0
    last_actor: int = -1  # the latest senior leader to act in self-interest
    trust_in_actor_before: float = math.nan  # members' trust in them just before they acted
    aspiration: float = 0.0  # improvement a year expected of the network
    aspiration_gap: float = 0.0  # aspiration minus performance, floored at 0
    quality: float = 1.0  # pathway quality relative to the start
    quality_history: np.ndarray = field(default_factory=lambda: np.ones(QUARTER))


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
    initial_members: int  # members at the start
    initial_quality: float  # the pathways' total fitness at the start
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

    def __post_init__(self) -> None:
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
            self.played,
        )


def largest_remainder(total: int, weights: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Split ``total`` into whole numbers proportional to ``weights``, at least ``minimum``."""
    counts = minimum.astype(np.int64).copy()
    spare = total - counts.sum()
    if spare <= 0:
        return counts
    quota = spare * weights / weights.sum()
    counts += np.floor(quota).astype(np.int64)
    left = total - counts.sum()
    order = np.argsort(-(quota - np.floor(quota)), kind="stable")
    counts[order[:left]] += 1
    return counts


def _organisations(params: Params) -> list[Organisation]:
    kinds = list(params.organisations)
    if params.academic_partner:
        kinds.append(ACADEMIC_PARTNER_KIND)
    seen: dict[str, int] = {}
    out = []
    for index, kind in enumerate(kinds):
        seen[kind] = seen.get(kind, 0) + 1
        name = kind if kinds.count(kind) == 1 else f"{kind}_{seen[kind]}"
        out.append(Organisation(index, ORGANISATION_KINDS[kind], name))
    return out


def _central_leader_org(orgs: list[Organisation]) -> int:
    """Organisation of the central leader.

    The commissioner (the system leader), else the organisation with the greatest
    statutory weight.
    """
    for org in orgs:
        if org.kind.kind == "commissioner":
            return org.index
    candidates = [o for o in orgs if not o.is_academic_partner]
    return max(candidates, key=lambda o: o.kind.statutory_weight).index


def _roles(params: Params, sizes: np.ndarray, orgs: list[Organisation], leader_org: int):
    """Tops and middles allocated to organisations by size and statutory weight."""
    n = int(sizes.sum())
    weight = sizes * np.array([o.kind.statutory_weight for o in orgs])
    need_top = np.zeros(len(orgs), dtype=np.int64)
    need_top[leader_org] = 1  # the central leader's post
    tops = largest_remainder(
        max(int(round(params.top_share * n)), need_top.sum()), weight, need_top
    )
    tops = np.minimum(tops, sizes)
    middles = largest_remainder(
        int(round(params.middle_share * n)),
        sizes.astype(float),
        np.zeros(len(orgs), dtype=np.int64),
    )
    return tops, np.minimum(middles, sizes - tops)


def build_state(params: Params, rng: np.random.Generator) -> State:
    """Set up people, organisations, pathways and trust for a run.

    Args:
        params: Validated parameters.
        rng: The model's NumPy generator; all randomness of the run flows from it.
    """
    orgs = _organisations(params)
    n_orgs = len(orgs)
    n = params.n_people
    partner = next((o.index for o in orgs if o.is_academic_partner), -1)
    leader_org = _central_leader_org(orgs)

    sizes = largest_remainder(
        n, np.array([o.kind.size for o in orgs]), np.ones(n_orgs, dtype=np.int64)
    )
    org_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    tops, middles = _roles(params, sizes, orgs, leader_org)

    org = np.repeat(np.arange(n_orgs), sizes).astype(np.int64)
    role = np.full(n, BOTTOM, dtype=np.int64)
    for k in range(n_orgs):
        lo = org_start[k]
        role[lo : lo + tops[k]] = TOP
        role[lo + tops[k] : lo + tops[k] + middles[k]] = MIDDLE
    convener = -1
    if partner >= 0:
        convener = int(org_start[partner + 1] - 1)  # the partner's facilitator
        role[convener] = MIDDLE
    central_leader = int(org_start[leader_org])  # strength 0 makes this an ordinary top

    sector_of_org = np.array([SECTORS.index(o.sector) for o in orgs], dtype=np.int64)
    base_power = _ROLE_POWER[role] * _organisation_power(params, orgs, sector_of_org)[org]

    org_view = rng.random(n_orgs)
    if partner >= 0:
        org_view[partner] = 0.5  # the neutral partner holds no organisational line
    core_purpose = float(org_view.mean())

    pathway = np.full(n, -1, dtype=np.int64)
    on_teams = np.flatnonzero(role != TOP)
    if convener >= 0:  # the convener serves every pathway team, like the tops
        on_teams = on_teams[on_teams != convener]
    n_pathways = pathway_count(params)
    pathway[on_teams] = np.arange(on_teams.size) % n_pathways
    team_members, team_start = _grouped(pathway, n_pathways)
    team = _improvement_teams(pathway, team_members, team_start, params.team_size)

    people = People(
        active=np.ones(n, dtype=np.bool_),
        role=role,
        org=org,
        sector=sector_of_org[org],
        pathway=pathway,
        team=team,
        base_power=base_power,
        power=base_power.copy(),
        territoriality=np.zeros(n),
        commitment=np.zeros(n),
        skill=np.zeros(n),
        narrative=np.zeros(n),
        anchor=org_view[org],
        stubbornness=np.where(role == TOP, params.tops_stubbornness, 0.0),
        leader_identity=np.zeros(n),
        workload=np.zeros(n),
        inspiration=np.zeros(n),
        frustration=np.zeros(n),
        meeting_value=np.zeros(n),
        attended_last=np.zeros(n, dtype=np.bool_),
        attended=np.zeros(n, dtype=np.int64),
        joined_meeting=np.zeros(n, dtype=np.int64),
        low_meetings=np.zeros(n, dtype=np.int64),
        led_adoption=np.zeros(n, dtype=np.bool_),
        setback=np.zeros(n, dtype=np.bool_),
        won=np.zeros(n, dtype=np.bool_),
        granted=np.zeros(n, dtype=np.int64),
        blocked=np.zeros(n, dtype=np.int64),
        ceded=np.zeros(n),
        news=np.full(n, -1, dtype=np.int64),
        last_act=np.zeros(n, dtype=np.int64),
        steady=np.zeros(n, dtype=np.bool_),
    )
    draws = PersonDraws(
        cede_willingness=params.cede_willingness,
        resistance_spread=params.resistance_spread,
        initial_commitment=params.initial_commitment,
        initial_skill=params.initial_skill,
        initial_leader_identity=params.initial_leader_identity,
        workload=params.workload,
        org_territoriality_shift=np.zeros(n_orgs),
        org_guardedness=np.exp(
            params.culture_spread * rng.standard_normal(n_orgs) - params.culture_spread**2 / 2
        ),
        org_workload_shift=np.zeros(n_orgs),
    )
    stream = new_stream(rng)
    environment = new_stream(rng)
    for i in range(n):
        draw_person(stream, i, people, draws, params.initial_commitment)
    steady = people.steady
    if convener >= 0:
        steady[convener] = True
    if params.central_leader_strength > 0:
        steady[central_leader] = True
        people.narrative[central_leader] = core_purpose
        people.anchor[central_leader] = core_purpose
    people.commitment[steady] = 1.0

    prior = prior_trust(
        sector_of_org, params.trust_within_org, params.trust_across_org, params.health_social_gap
    )
    store = new_store(prior, org, people.sector, role, sector_of_org, people.active)
    pathways = _pathways(params, rng, orgs)

    return State(
        organisations=orgs,
        org_start=org_start,
        people=people,
        pathways=pathways,
        changes=Changes(
            stage=np.zeros(n, dtype=np.int64),
            due=np.zeros(n, dtype=np.int64),
            pathway=np.zeros(n, dtype=np.int64),
            practice=np.zeros(n, dtype=np.int64),
            mask=np.zeros(n, dtype=np.int64),
            values=np.zeros(n, dtype=np.int64),
            self_authorised=np.zeros(n, dtype=np.bool_),
        ),
        trust=store,
        team_members=team_members,
        team_start=team_start,
        steady=steady,
        draws=draws,
        stream=stream,
        environment=environment,
        teams=Teams(*_grouped(team, int(team.max()) + 1)),
        convener=convener,
        central_leader=central_leader,
        core_purpose=core_purpose,
        org_view=org_view,
        counters=np.zeros(counters.N_COUNTERS),
        withdrawn=np.zeros(n_orgs, dtype=np.bool_),
        org_low_meetings=np.zeros(n_orgs, dtype=np.int64),
        played=nobody_played(n, n_orgs),
        network=Network(
            alive=params.convened,
            partner_present=params.academic_partner,
            central_leader_present=params.central_leader_strength > 0,
            programme_running=params.programme_intensity > 0
            and not any(e.kind == "programme_starts" for e in params.events),
        ),
        partner_index=partner,
        initial_members=int(people.active.sum()),
        initial_quality=float(pathways.initial_fitness.sum()),
        actions_taken_on=actions_taken_on(n, pathway_count(params), params.pathway_team_size),
    )


def _organisation_power(
    params: Params, orgs: list[Organisation], sector_of_org: np.ndarray
) -> np.ndarray:
    """Formal power of each organisation's posts, 0-1, before the role's share.

    Statutory weight relative to the greatest in the network, raised for health
    organisations and lowered for the others by ``power_imbalance`` (capped at 1), so
    an imbalance makes health more powerful in absolute terms, not only social care
    weaker. Evidence: "a deep-rooted power imbalance between the two main parties,
    health and social care" (Kennedy et al. 2019).
    """
    weight = np.array([o.kind.statutory_weight for o in orgs])
    is_health = sector_of_org == SECTORS.index("health")
    skew = np.where(is_health, 1 + params.power_imbalance, 1 - params.power_imbalance)
    return np.minimum(1.0, skew * weight / weight.max())


def _grouped(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """People grouped by ``group`` (-1: in none): the members and each group's start."""
    members = np.argsort(np.where(group < 0, n_groups, group), kind="stable")
    members = members[: int((group >= 0).sum())].astype(np.int64)
    start = np.searchsorted(group[members], np.arange(n_groups + 1)).astype(np.int64)
    return members, start


def _improvement_teams(
    pathway: np.ndarray, members: np.ndarray, start: np.ndarray, size: int
) -> np.ndarray:
    """Split each pathway team into self-managed improvement teams of about ``size``.

    A pathway team's members (grouped by organisation, as posts are) are dealt round
    its improvement teams like cards, so each team mixes organisations. Evidence: IOCN
    members "were permitted self-managed teams to investigate areas for innovation and
    improvement, and to prototype solutions" (Mervyn et al. 2019); in Beston "Four
    small groups worked to distil the learning" (Kennedy et al. 2019).
    """
    team = np.full(pathway.size, -1, dtype=np.int64)
    first = 0
    for p in range(start.size - 1):
        people = members[start[p] : start[p + 1]]
        count = max(1, int(round(people.size / size)))
        team[people] = first + np.arange(people.size) % count
        first += count
    return team


def pathway_count(params: Params) -> int:
    """How many care pathways the network takes on: one per full team of people.

    A network takes on a programme of care only with a full pathway team
    (``pathway_team_size`` people) to test it: "programmes of care ... of a scale which
    meant that we could test some of this methodology" (Mervyn et al. 2019). So a bigger
    network takes on more pathways rather than sharing the same practices among more
    people, and never splits its people into teams smaller than a full one; at least one.
    """
    return max(1, params.n_people // params.pathway_team_size)


def _pathways(params: Params, rng: np.random.Generator, orgs: list[Organisation]) -> Pathways:
    """NK landscapes for each pathway, a random starting configuration, and owners.

    Practices are owned round-robin by the service organisations (the academic partner
    owns none), in a random order per pathway; when a pathway has fewer practices than
    there are organisations, some own nothing on it.
    """
    n_p, n_x, k = pathway_count(params), params.n_practices, params.landscape_k
    neighbours, contributions = landscape.make_landscapes(rng, n_p, n_x, k)
    service = np.array([o.index for o in orgs if not o.is_academic_partner], dtype=np.int64)
    owner = np.empty((n_p, n_x), dtype=np.int64)
    for p in range(n_p):
        order = rng.permutation(service)
        owner[p] = order[np.arange(n_x) % order.size]
    config = rng.integers(0, 2**n_x, size=n_p, dtype=np.int64)
    fitness = np.array(
        [landscape.fitness(config[p], neighbours[p], contributions[p]) for p in range(n_p)]
    )
    return Pathways(
        config=config,
        initial_config=config.copy(),
        network_made=np.zeros(n_p, dtype=np.int64),
        redesign_lead=np.full(n_p, -1, dtype=np.int64),
        actions_since_meeting=np.zeros(n_p, dtype=np.int64),
        fitness=fitness,
        initial_fitness=fitness.copy(),
        owner=owner,
        neighbours=neighbours,
        contributions=contributions,
    )
