"""The people of a workshop room in plain words: who they are, what they know, what happened.

Dealing posts to participants, the situation and choices each person faces, the feedback
after a meeting, and each played person's story over the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from collabsim.mechanisms import change
from collabsim.mechanisms.roles import BOTTOM, MIDDLE, TOP
from collabsim.mechanisms.trust_store import read_all
from collabsim.organisations import ACADEMIC_PARTNER_KIND, ORGANISATION_KINDS, SECTORS

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel
    from collabsim.played import Choice
    from collabsim.workshop.room import Room
    from collabsim.workshop.watch import ChangeWatch

#: What each role is called.
ROLE_WORDS = {TOP: "senior leader", MIDDLE: "manager", BOTTOM: "frontline worker"}
#: The order roles are dealt in, repeated: a mix like the network's own.
DEAL_PATTERN = (BOTTOM, MIDDLE, TOP, BOTTOM, MIDDLE, BOTTOM)
#: How posts are dealt: a mix of roles across organisations, or a fixed list of posts.
DEALS = ("mix", "fixed")
#: People offered to talk to between meetings.
TALK_OPTIONS = 4
#: What a request asks, in words.
REQUEST_WORDS = {
    "test": "a small test of change",
    "embed": "embedding a prototype that worked",
    "redesign": "a big redesign",
}


def organisation_label(model: CollaborationModel, person: int) -> str:
    """The name of ``person``'s organisation, as people say it."""
    org = model.state.organisations[model.state.people.org[person]]
    label = org.kind.label
    suffix = org.name.rpartition("_")[2]
    return f"{label} {suffix}" if suffix.isdigit() else label


def describe(model: CollaborationModel, person: int) -> str:
    """``"a manager at the Acute hospital trust"``: who ``person`` is, in words."""
    role = ROLE_WORDS[int(model.state.people.role[person])]
    return f"a {role} at {organisation_label(model, person)}"


def deal_order(model: CollaborationModel) -> list[int]:
    """Posts in the order a mixed room deals them: kinds of organisation in turn, roles in turn.

    Each post comes from the next kind of organisation (``_kinds_in_turn``: the sectors in
    turn, so that even a small room sits on both sides of the health / social care divide)
    and has the next role of ``DEAL_PATTERN``, or, if that kind has nobody of that role
    left to deal, the kind's next role in the pattern. Organisations of one kind take
    turns. Only ordinary members are dealt (not the convener or the leader holding the
    centre).
    """
    p = model.state.people
    dealt = p.active & ~p.steady
    orgs_of: dict[str, list[int]] = {}
    for org in model.state.organisations:
        orgs_of.setdefault(org.kind.kind, []).append(org.index)
    queues = {
        kind: {
            role: _round_robin(
                [
                    [int(i) for i in np.flatnonzero((p.org == k) & (p.role == role) & dealt)]
                    for k in orgs
                ]
            )
            for role in ROLE_WORDS
        }
        for kind, orgs in orgs_of.items()
    }
    sizes = {kind: sum(map(len, roles.values())) for kind, roles in queues.items()}
    kinds = _kinds_in_turn({kind: size for kind, size in sizes.items() if size})
    order: list[int] = []
    while len(order) < sum(sizes.values()):
        for kind in kinds:
            at = len(order) % len(DEAL_PATTERN)
            roles = [r for r in DEAL_PATTERN[at:] + DEAL_PATTERN[:at] if queues[kind][r]]
            if roles:
                order.append(queues[kind][roles[0]].pop(0))
    return order


def _kinds_in_turn(sizes: dict[str, int]) -> list[str]:
    """Kinds of organisation (with their numbers of posts to deal) in the order dealt.

    The sectors take turns (``SECTORS``' order) and within a sector the kinds with more
    posts come first; the academic partner owns no service on either side of the divide,
    so its kind comes after all the others.
    """
    by_sector = {sector: [] for sector in SECTORS}
    for kind in sorted(sizes, key=lambda k: -sizes[k]):  # stable: ties in the network's order
        by_sector[ORGANISATION_KINDS[kind].sector].append(kind)
    partner = by_sector.pop(ORGANISATION_KINDS[ACADEMIC_PARTNER_KIND].sector)
    return _round_robin(list(by_sector.values())) + partner


def _round_robin(groups: list[list]) -> list:
    """The first of each group, then the second of each, and so on."""
    out: list = []
    depth = max((len(g) for g in groups), default=0)
    for k in range(depth):
        out.extend(g[k] for g in groups if k < len(g))
    return out


def deal(model: CollaborationModel, how: str, posts: list[int] | None = None) -> list[int]:
    """The posts a room deals, in order: a mix of roles, or ``posts`` as listed.

    Args:
        model: The room's model.
        how: One of ``DEALS``: ``"mix"`` (``deal_order``) or ``"fixed"`` (``check_posts``).
        posts: The posts to deal, in order, for ``"fixed"``.

    Raises:
        ValueError: Another way of dealing, or posts that cannot be dealt (one line).
    """
    if how not in DEALS:
        raise ValueError(f"deal={how!r} is not allowed: expected one of {', '.join(DEALS)}")
    return deal_order(model) if how == "mix" else check_posts(model, posts)


def check_posts(model: CollaborationModel, posts: list[int] | None) -> list[int]:
    """A fixed list of posts to deal, checked.

    Raises:
        ValueError: No list, a post that is not an ordinary member of the network, or a
            post listed twice (two people cannot play one person).
    """
    allowed = set(deal_order(model))
    if not posts:
        raise ValueError("posts: a fixed deal needs a list of posts")
    for k, post in enumerate(posts):
        if isinstance(post, bool) or post not in allowed:  # True would pass as post 1
            steady = sorted(set(range(model.params.n_people)) - allowed)
            raise ValueError(
                f"posts: {post!r} is not allowed: expected a post from 0 to "
                f"{model.params.n_people - 1}"
                + (
                    f" other than {', '.join(map(str, steady))} (the convener and the central "
                    "leader, whom nobody plays)"
                    if steady
                    else ""
                )
            )
        if post in posts[:k]:
            raise ValueError(f"posts: {post!r} is listed twice: each post is dealt once")
    return list(posts)


def parse_posts(value: str) -> tuple[int, ...]:
    """Posts from comma-separated text (``"3,17"``; empty for nobody)."""
    text = str(value).strip()
    try:
        return tuple(int(v) for v in text.split(",")) if text else ()
    except ValueError:
        raise ValueError(
            f"talk={value!r} is not allowed: expected posts separated by commas"
        ) from None


def required_fields(room: Room, person: int) -> list[str]:
    """The choices the meeting asks of ``person``: what counts as having decided."""
    p, model = room.model.state.people, room.model
    if not p.active[person]:
        return []
    fields = ["attend"]
    if p.role[person] == TOP:
        fields += ["verdicts", "cede"]
    elif p.pathway[person] >= 0 and model.state.changes.stage[person] == change.IDLE:
        fields.append("propose")
    return fields


class Snapshot(NamedTuple):
    """What feedback compares: the state of everyone before a meeting."""

    commitment: np.ndarray
    granted: np.ndarray
    blocked: np.ndarray
    power: np.ndarray
    active: np.ndarray
    holders: list
    week: int


def snapshot(model: CollaborationModel) -> Snapshot:
    """Copy what the feedback after the next meeting compares against."""
    p = model.state.people
    return Snapshot(
        p.commitment.copy(),
        p.granted.copy(),
        p.blocked.copy(),
        p.power.copy(),
        p.active.copy(),
        list(model.people),
        model.steps,
    )


def trust_by_organisation(
    model: CollaborationModel, person: int, trust: np.ndarray
) -> list[tuple[str, float]]:
    """``person``'s mean trust in the active members of each other organisation."""
    p = model.state.people
    out = []
    for k in range(len(model.state.organisations)):
        members = np.flatnonzero((p.org == k) & p.active)
        if k != p.org[person] and members.size:
            out.append(
                (organisation_label(model, int(members[0])), float(trust[person, members].mean()))
            )
    return out


def _level(value: float) -> str:
    return (
        "very low"
        if value < 0.2
        else "low"
        if value < 0.4
        else "middling"
        if value < 0.6
        else "high"
        if value < 0.8
        else "very high"
    )


def situation(model: CollaborationModel, person: int, trust: np.ndarray) -> list[str]:
    """Two or three sentences: who the person is and what they know now."""
    p = model.state.people
    who = describe(model, person)
    if not p.active[person]:
        return [
            f"You are {who}.",
            "You have drifted away from the network: you no longer come to its meetings.",
        ]
    sentences = [
        f"You are {who}. Your commitment to the network is {_level(p.commitment[person])}"
        f" ({p.commitment[person]:.2f})."
    ]
    by_org = trust_by_organisation(model, person, trust)
    if by_org:
        most, least = max(by_org, key=lambda t: t[1]), min(by_org, key=lambda t: t[1])
        mean = float(np.mean([t for _, t in by_org]))
        sentences.append(
            f"You trust people from other organisations {_level(mean)} "
            f"({mean:.2f}): most those at {most[0]} ({most[1]:.2f}), least "
            f"those at {least[0]} ({least[1]:.2f})."
        )
    if model.network.meetings_held:
        came = "came to" if p.attended_last[person] else "were not at"
        worth = p.meeting_value[person]
        mood = "it was worthwhile" if worth > 0 else "it did not go well" if worth < 0 else ""
        sentences.append(
            f"Last time you {came} the meeting"
            + (f"; {mood}." if p.attended_last[person] and mood else ".")
        )
    return sentences


def talk_options(model: CollaborationModel, person: int, trust: np.ndarray) -> list[dict]:
    """A short list of people of other organisations to talk to, with the trust in each."""
    p = model.state.people
    others = np.flatnonzero(p.active & (p.org != p.org[person]) & ~p.steady)
    same_pathway = (p.pathway[others] == p.pathway[person]) & (p.pathway[person] >= 0)
    order = others[np.lexsort((others, -p.power[others], ~same_pathway))]
    picked: list[int] = []
    seen_orgs: set[int] = set()
    for j in order:  # one person per organisation first
        if p.org[j] not in seen_orgs and len(picked) < TALK_OPTIONS:
            picked.append(int(j))
            seen_orgs.add(int(p.org[j]))
    return [
        {"person": j, "label": describe(model, j), "trust": round(float(trust[person, j]), 2)}
        for j in picked
    ]


def request_label(model: CollaborationModel, request) -> str:
    """A request to a senior leader, in words."""
    return (
        f"{describe(model, request.proposer).capitalize()} asks for "
        f"{REQUEST_WORDS[request.kind]} on pathway {request.pathway + 1}"
    )


def feedback(
    model: CollaborationModel,
    before: Snapshot,
    changes: ChangeWatch,
    person: int,
    choices: dict[int, Choice],
) -> list[str]:
    """What happened to ``person`` at the meeting just played and the weeks after it.

    ``changes`` watched their change request week by week over the same weeks.
    """
    p = model.state.people
    lines = []
    moved_on = model.people[person] is not before.holders[person]
    if moved_on:
        lines.append("You moved on; a newcomer took over your post, and you play them now.")
    if before.active[person] and not p.active[person]:
        lines.append("You drifted away from the network after this meeting.")
    choice = choices.get(person)
    chooser = (
        "you chose"
        if choice is not None and choice.attend is not None
        else "the model chose for you"
    )
    if before.active[person] and not moved_on:  # a newcomer's record starts afresh
        came = "came to" if p.attended_last[person] else "stayed away from"
        lines.append(f"You {came} the meeting ({chooser}).")
    for talk in model.played.conversations:
        if talk.person == person:
            how = "went well" if talk.went_well else "went badly"
            lines.append(f"Your talk with {describe(model, talk.other)} {how} for you.")
    if choice is not None and not moved_on:  # at the meeting, before the weeks after it
        lines += changes.not_started(person, choice.propose)
    lines += changes.lines.get(person, [])
    # a newcomer's counts start at 0 when they take up the post
    granted = int(p.granted[person] - (0 if moved_on else before.granted[person]))
    blocked = int(p.blocked[person] - (0 if moved_on else before.blocked[person]))
    if granted or blocked:
        lines.append(f"You granted {granted} and blocked {blocked} change requests.")
    if p.power[person] < before.power[person] and choice is not None and choice.cede:
        lines.append(
            f"You ceded territory: your power went from {before.power[person]:.2f} "
            f"to {p.power[person]:.2f}."
        )
    if choice is not None and choice.self_interest:
        lines.append("You acted in self-interest; everyone in the network heard of it.")
    lines.append(
        f"Your commitment is {p.commitment[person]:.2f}."
        if moved_on
        else f"Your commitment went from {before.commitment[person]:.2f} to "
        f"{p.commitment[person]:.2f}."
    )
    if not model.network_on:
        lines.append("The network has dissolved: it no longer meets.")
    return lines


class Stories:
    """Each person's trust in others and commitment after every meeting of the session."""

    def __init__(self, model: CollaborationModel) -> None:
        self.rows: list[dict] = []
        self.add(model)

    def add(self, model: CollaborationModel) -> None:
        """Record everyone's trust in other organisations and commitment now."""
        p = model.state.people
        trust = read_all(model.state.trust_ref)
        other_org = (p.org[:, None] != p.org[None, :]) & p.active[None, :]
        counts = other_org.sum(axis=1)
        mean_trust = np.where(
            counts > 0, (trust * other_org).sum(axis=1) / np.maximum(1, counts), np.nan
        )
        self.rows.append(
            {
                "week": model.steps,
                "trust": mean_trust.round(3),
                "commitment": p.commitment.round(3).copy(),
                "active": p.active.copy(),
            }
        )

    def of(self, person: int) -> list[dict]:
        """``person``'s story: week, trust in other organisations, commitment, taking part."""
        return [
            {
                "week": r["week"],
                "trust": float(r["trust"][person]),
                "commitment": float(r["commitment"][person]),
                "active": bool(r["active"][person]),
            }
            for r in self.rows
        ]
