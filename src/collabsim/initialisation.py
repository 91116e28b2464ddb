"""Initialisation (ODD section 5): the state of a run at its start, from its parameters.

Organisations and their posts, the people who hold them, the pathways' landscapes and
who owns each practice, the improvement teams, and trust at its priors; all drawn from
the run's one generator, in a fixed order.
"""

from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np

from collabsim.mechanisms import counters, landscape, weekly
from collabsim.mechanisms.commitment import QUARTER, actions_taken_on
from collabsim.mechanisms.draws import new_stream
from collabsim.mechanisms.played import nobody as nobody_played
from collabsim.mechanisms.roles import BOTTOM, MIDDLE, TOP
from collabsim.mechanisms.trust import prior_trust
from collabsim.mechanisms.trust_members import new_store
from collabsim.mechanisms.turnover import PersonDraws, draw_everyone
from collabsim.organisations import (
    ACADEMIC_PARTNER_KIND,
    ORGANISATION_KINDS,
    SECTORS,
    Organisation,
)
from collabsim.params import PARAMETERS, Params
from collabsim.params.events import WEEKS_PER_YEAR
from collabsim.state import Changes, Network, Pathways, People, State, Teams

_ROLE_POWER = np.array([1.0, 0.6, 0.3])  # top, middle, bottom: formal authority of the role

#: The academic partner's organisational view of purpose: the middle of the scale, as the
#: neutral partner holds no organisational line.
PARTNER_VIEW = 0.5


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


def _roles(params: Params, sizes: np.ndarray, orgs: list[Organisation]):
    """Tops and middles allocated to organisations by size and statutory weight.

    Every organisation but the academic partner has at least one senior post, its chief's
    (its first post), whoever else it has: the central leader's post in theirs, and the
    one who speaks for it in staying in the network (M15).
    """
    n = int(sizes.sum())
    weight = sizes * np.array([o.kind.statutory_weight for o in orgs])
    need_top = np.array([0 if o.is_academic_partner else 1 for o in orgs], dtype=np.int64)
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


def _guardedness(spread: float, normals: np.ndarray) -> np.ndarray:
    """Each organisation's culture of guardedness: lognormal, mean 1, log-sd ``spread`` (ODD 2.1).

    Taken with the C library's ``exp`` one value at a time: NumPy's own ``exp`` runs other
    vector instructions on processors with AVX-512 and can differ in the last bit, which a
    run can carry into a decision, so that one seed would give two runs on two machines.
    """
    return np.array([math.exp(spread * z - spread**2 / 2) for z in normals])


def build_state(params: Params, rng: np.random.Generator, *, observed: bool = True) -> State:
    """Set up people, organisations, pathways and trust for a run.

    Args:
        params: Validated parameters.
        rng: The model's NumPy generator; all randomness of the run flows from it.
        observed: Whether the run's trust is reported (its store keeps the group sums).
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
    tops, middles = _roles(params, sizes, orgs)

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
        org_view[partner] = PARTNER_VIEW
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
        adopted=np.zeros(n, dtype=np.int64),
        setback=np.zeros(n, dtype=np.bool_),
        won=np.zeros(n, dtype=np.bool_),
        granted=np.zeros(n, dtype=np.int64),
        blocked=np.zeros(n, dtype=np.int64),
        refused=np.zeros(n, dtype=np.int64),
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
        org_guardedness=_guardedness(params.culture_spread, rng.standard_normal(n_orgs)),
        org_workload_shift=np.zeros(n_orgs),
    )
    stream = new_stream(rng)
    environment = new_stream(rng)
    draw_everyone(stream, people, draws, params.initial_commitment)
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
    store = new_store(
        prior, org, people.sector, role, sector_of_org, people.active, counted=observed
    )
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
        budget_cut_weeks=budget_cut_weeks(params, rng),
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
            standing=weekly.new_standing(
                alive=params.convened,
                central_leader_present=params.central_leader_strength > 0,
                partner_present=params.academic_partner,
                programme_running=params.programme_intensity > 0
                and not any(e.kind == "programme_starts" for e in params.events),
                initial_quality=float(pathways.initial_fitness.sum()),
                initial_members=int(people.active.sum()),
            ),
            attendance_history=np.zeros(params.attendance_weeks),  # meetings_in's most
        ),
        partner_index=partner,
        actions_taken_on=actions_taken_on(n, pathway_count(params), params.pathway_team_size),
    )


#: The spawn key of the funding history's seed sequence, a child of the world seed's. Nothing
#: else in a run spawns from that seed, so no other draw can share the stream.
FUNDING_HISTORY_KEY = 1


def budget_cut_weeks(params: Params, rng: np.random.Generator) -> np.ndarray:
    """The weeks in which the system's budget is cut: the run's funding history (ODD 7.18).

    Each week has a chance ``budget_cut_rate`` / 52. The chances are drawn from a stream of
    their own, seeded by the world's seed alone, so every run of a seed has the same funding
    history whatever its size or design: the arms of a comparison share it, as the silo
    twin does, and a higher rate adds cuts without moving those a lower rate has. They are
    drawn for the longest horizon a run may have, so a run stepped past its own horizon
    lives on with the same history.

    Args:
        params: The run's parameters.
        rng: The generator of the world's seed (``build_state``'s); nothing is drawn from it.
    """
    seed = rng.bit_generator.seed_seq
    own = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, FUNDING_HISTORY_KEY))
    chances = np.random.default_rng(own).random(int(PARAMETERS["horizon"].high))
    return 1 + np.flatnonzero(chances < params.budget_cut_rate / WEEKS_PER_YEAR)


def silo_start(state: State) -> State:
    """The starting state of a run's silo twin: a copy of the run's, before any event.

    ``build_state`` with the same parameters (but ``convened`` false) and seed draws
    exactly this, at 3 to 5 times the cost of copying it; the twin's trust keeps no group
    sums (nobody reports them) and its network is never convened.

    Args:
        state: The run's state as ``build_state`` made it (no week lived, no event applied).
    """
    copies: dict[int, np.ndarray] = {}

    def fresh(value):
        # each array copied once, so arrays shared within the state stay shared
        if isinstance(value, np.ndarray):
            if id(value) not in copies:
                copies[id(value)] = value.copy()
            return copies[id(value)]
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return type(value)(*(fresh(v) for v in value))
        return value  # numbers, and the organisations, which are frozen

    # the trust store is made afresh rather than copied: its N x N matrix would be copied
    # only to be dropped (most of the time this start took, and the peak memory)
    fields = {
        f.name: fresh(getattr(state, f.name))
        for f in dataclasses.fields(State)
        if f.init and f.name != "trust"
    }
    t = state.trust
    fields["trust"] = new_store(
        *(fresh(a) for a in (t.prior, t.org, t.sector, t.role, t.org_sector, t.active)),
        counted=False,
    )
    fields["network"] = copy.deepcopy(state.network)
    fields["network"].alive = False
    return State(**fields)


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
        environment_shift=np.zeros(n_p),
        net_history=np.tile(fitness, (QUARTER, 1)),
        aspiration=np.zeros(n_p),
        owner=owner,
        neighbours=neighbours,
        contributions=contributions,
    )
