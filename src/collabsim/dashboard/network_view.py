"""The network view: who is in the network, who trusts whom, who has left.

People are drawn as marks grouped by organisation: each organisation is a cluster on a
ring, senior leaders ('tops') at its centre as large diamonds, managers as squares,
frontline staff as small circles, each sized by power and coloured by organisation.
People who have left the network are grey. Two kinds of tie, shaded by trust from red
(distrust) through grey to blue (trust):

- between organisations: the mean trust of one organisation's members in another's,
  one band per pair of organisations, so 300 people still read as ten groups;
- between people: the relationships people have built or broken across organisations
  (the pairs whose trust has moved furthest from what they first assumed), at most a
  couple of hundred, so the picture stays readable on a projector.

The layout is computed once per run (``layout_network``); each week only colours and
ties change, and the whole picture is one small SVG string, which a browser draws in a
few milliseconds. Above ``MAX_PEOPLE_DRAWN`` people only the organisations are drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from collabsim.mechanisms.roles import MIDDLE, TOP
from collabsim.mechanisms.trust_store import read_all

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel

#: Colours of organisations in the order they appear (Okabe & Ito first, then more
#: qualitative colours; the academic partner is always dark grey).
ORGANISATION_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#B8A400",
    "#7F3C8D",
    "#3B9AB2",
    "#A65628",
    "#1B9E77",
    "#E7298A",
    "#66A61E",
    "#E6AB02",
)
PARTNER_COLOUR = "#444444"
LEFT_COLOUR = "#C8C8C8"

#: Above this many people the view shows organisations only.
MAX_PEOPLE_DRAWN = 600
#: Personal ties drawn at most.
MAX_PERSONAL_TIES = 90

#: What the ``ties`` option of ``network_svg`` may be.
TIE_CHOICES: dict[str, str] = {
    "both": "organisations and people",
    "organisations": "between organisations",
    "people": "between people",
    "none": "no ties",
}

WIDTH, HEIGHT = 700, 630  # the SVG's own coordinate system (it scales to its box)
_RING = 0.31 * HEIGHT  # radius of the ring of organisation centres
_CENTRE = (WIDTH / 2, HEIGHT / 2 - 10)
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True)
class NetworkLayout:
    """Where everyone is drawn; fixed for a run (posts keep their place).

    Attributes:
        positions: (N, 2) x, y of each post.
        centres: (organisations, 2) centre of each organisation's cluster.
        radii: (organisations,) radius of each cluster.
        colours: Colour of each organisation.
        labels: Display name of each organisation.
        marks: (N,) size of each post's mark before power scales it.
    """

    positions: np.ndarray
    centres: np.ndarray
    radii: np.ndarray
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    marks: np.ndarray


def organisation_label(model: CollaborationModel, index: int) -> str:
    """Readable name of organisation ``index``, numbered when a kind repeats."""
    org = model.state.organisations[index]
    label = org.kind.label.split(" (")[0]  # "Commissioner (CCG)" -> "Commissioner"
    for tail in (" organisation", " services"):  # short enough to sit beside the cluster
        label = label.removesuffix(tail)
    suffix = org.name.rsplit("_", 1)[-1]
    return f"{label} {suffix}" if suffix.isdigit() else label


def layout_network(model: CollaborationModel) -> NetworkLayout:
    """Place organisations on a ring and their people in a disc, tops at the centre."""
    s = model.state
    people = s.people
    n_orgs = len(s.organisations)
    sizes = np.diff(s.org_start).astype(float)
    radii = 10 + 3.4 * np.sqrt(sizes) * min(1.0, math.sqrt(300 / max(1, people.role.size)))
    angles = -math.pi / 2 + 2 * math.pi * np.arange(n_orgs) / n_orgs
    ring = _RING if n_orgs > 1 else 0.0
    centres = np.column_stack(
        [_CENTRE[0] + ring * np.cos(angles), _CENTRE[1] + ring * np.sin(angles)]
    )
    positions = np.zeros((people.role.size, 2))
    for k in range(n_orgs):
        posts = np.arange(s.org_start[k], s.org_start[k + 1])
        # tops first, then middles, then the frontline: seniority at the centre
        posts = posts[np.lexsort((-people.base_power[posts], people.role[posts]))]
        m = posts.size
        r = radii[k] * np.sqrt((np.arange(m) + 0.5) / m)
        theta = np.arange(m) * _GOLDEN_ANGLE
        positions[posts, 0] = centres[k, 0] + r * np.cos(theta)
        positions[posts, 1] = centres[k, 1] + r * np.sin(theta)
    colours = tuple(
        PARTNER_COLOUR
        if o.is_academic_partner
        else ORGANISATION_COLOURS[i % len(ORGANISATION_COLOURS)]
        for i, o in enumerate(s.organisations)
    )
    marks = np.select([people.role == TOP, people.role == MIDDLE], [7.5, 5.0], 4.0)
    labels = tuple(organisation_label(model, k) for k in range(n_orgs))
    return NetworkLayout(positions, centres, radii, colours, labels, marks)


def trust_matrix(model: CollaborationModel) -> np.ndarray:
    """Trust of every post in every other post now, (N, N), as ``Person.trust_in`` reads it."""
    return read_all(model.state.trust_ref)


def organisation_trust(model: CollaborationModel, trust: np.ndarray) -> np.ndarray:
    """Mean trust of each organisation's active members in each other's, (orgs, orgs).

    NaN where an organisation has no active members.
    """
    s = model.state
    active = s.people.active.astype(np.float64)
    starts = s.org_start[:-1]  # posts are grouped by organisation
    weighted = trust * active[:, None] * active[None, :]
    np.fill_diagonal(weighted, 0.0)  # nobody's trust in themselves
    totals = np.add.reduceat(np.add.reduceat(weighted, starts, axis=0), starts, axis=1)
    counts = np.add.reduceat(active, starts)
    pairs = np.outer(counts, counts) - np.diag(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, totals / np.where(pairs > 0, pairs, 1), np.nan)


def trust_colour(value: float, reference: float) -> str:
    """Colour of a tie: red below ``reference`` trust, grey at it, blue above.

    The reference is the trust people first assume across organisations, so the colours
    say whether a relationship has grown or soured since the start.
    """
    if not math.isfinite(value):
        return LEFT_COLOUR
    low, mid, high = (213, 94, 0), (175, 175, 175), (0, 90, 181)
    if value < reference:
        a, b, t = low, mid, max(0.0, 1 - (reference - value) / 0.25)
    else:
        a, b, t = mid, high, min(1.0, (value - reference) / 0.3)
    r, g, bl = (round(a[i] + (b[i] - a[i]) * t) for i in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def personal_ties(
    model: CollaborationModel, trust: np.ndarray, *, limit: int = MAX_PERSONAL_TIES
) -> list[tuple[int, int, float]]:
    """The cross-organisation relationships that moved furthest, as (i, j, mutual trust).

    Only pairs of active people in different organisations; strength is how far their
    personal trust has moved, either way, from what they assumed of each other's
    organisation.
    """
    s = model.state
    store = s.trust
    active = s.people.active
    moved = np.abs(store.personal).astype(np.float64)
    moved = moved + moved.T
    cross = s.people.org[:, None] != s.people.org[None, :]
    eligible = np.triu(cross & active[:, None] & active[None, :], k=1) & (moved > 1e-3)
    candidates = np.flatnonzero(eligible)
    if candidates.size == 0:
        return []
    scores = moved.ravel()[candidates]
    if candidates.size > limit:
        keep = np.argpartition(-scores, limit)[:limit]
        candidates, scores = candidates[keep], scores[keep]
    order = np.argsort(scores)  # strongest drawn last, on top
    rows, cols = np.unravel_index(candidates[order], trust.shape)
    mutual = 0.5 * (trust[rows, cols] + trust[cols, rows])
    return [(int(i), int(j), float(t)) for i, j, t in zip(rows, cols, mutual, strict=True)]


def _two_lines(text: str, width: int = 15) -> list[str]:
    """Split a label at the space nearest its middle when it is long."""
    if len(text) <= width or " " not in text:
        return [text]
    middle = len(text) / 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


def _diamond(x: float, y: float, r: float) -> str:
    return f"M{x:.1f} {y - r:.1f}L{x + r:.1f} {y:.1f}L{x:.1f} {y + r:.1f}L{x - r:.1f} {y:.1f}Z"


def network_svg(
    model: CollaborationModel,
    layout: NetworkLayout,
    *,
    ties: str = "both",
    focus: int | None = None,
    title: str = "",
) -> str:
    """The network now, as an SVG document that scales to its box, marked with its week.

    Args:
        model: The model to draw.
        layout: Its layout (from ``layout_network``).
        ties: Which ties to draw: a key of ``TIE_CHOICES``.
        focus: Index of an organisation to pick out (others are faded), or None.
        title: Caption in the top-left corner (the pane's name in side-by-side mode).
    """
    s = model.state
    people = s.people
    n = people.role.size
    n_orgs = len(s.organisations)
    draw_people = n <= MAX_PEOPLE_DRAWN
    trust = trust_matrix(model) if draw_people else None
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'class="cs-network-svg" preserveAspectRatio="xMidYMid meet" '
        f'data-week="{int(model.steps)}" font-family="Roboto, Arial, sans-serif">'
    ]
    if title:
        parts.append(f'<text x="8" y="24" font-size="22" font-weight="bold">{escape(title)}</text>')

    def faded(k: int) -> bool:
        return focus is not None and k != focus

    reference = float(model.params.trust_across_org)
    if ties in ("both", "organisations") and trust is not None:
        org_trust = organisation_trust(model, trust)
        mutual = 0.5 * (org_trust + org_trust.T)
        parts.append('<g class="cs-org-ties" stroke-linecap="round">')
        for a in range(n_orgs):
            for b in range(a + 1, n_orgs):
                if not math.isfinite(mutual[a, b]) or (faded(a) and faded(b)):
                    continue
                (x1, y1), (x2, y2) = layout.centres[a], layout.centres[b]
                opacity = 0.15 if faded(a) or faded(b) else 0.45
                parts.append(
                    f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                    f'stroke="{trust_colour(mutual[a, b], reference)}" stroke-width="7" '
                    f'opacity="{opacity}" data-trust="{mutual[a, b]:.3f}"/>'
                )
        parts.append("</g>")
    if ties in ("both", "people") and trust is not None:
        parts.append('<g class="cs-person-ties" stroke-width="1.1">')
        for i, j, t in personal_ties(model, trust):
            if focus is not None and focus not in (people.org[i], people.org[j]):
                continue
            (x1, y1), (x2, y2) = layout.positions[i], layout.positions[j]
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{trust_colour(t, reference)}" opacity="0.7"/>'
            )
        parts.append("</g>")

    if draw_people:
        parts.append('<g class="cs-people" stroke="#ffffff" stroke-width="0.8">')
        for i in range(n):
            x, y = layout.positions[i]
            k = int(people.org[i])
            active = bool(people.active[i])
            colour = layout.colours[k] if active else LEFT_COLOUR
            r = layout.marks[i] * (0.75 + 0.5 * float(people.power[i]))
            opacity = "0.25" if faded(k) else "1"
            state = "in" if active else "left"
            role = int(people.role[i])
            if role == TOP:
                shape = f'<path d="{_diamond(x, y, r * 1.25)}"'
            elif role == MIDDLE:
                shape = (
                    f'<rect x="{x - r * 0.85:.1f}" y="{y - r * 0.85:.1f}" '
                    f'width="{r * 1.7:.1f}" height="{r * 1.7:.1f}"'
                )
            else:
                shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'
            parts.append(f'{shape} fill="{colour}" opacity="{opacity}" class="cs-{state}"/>')
        parts.append("</g>")
        special = []
        if s.convener >= 0 and people.active[s.convener] and model.network.partner_present:
            special.append((s.convener, "convener"))
        if model.network.central_leader_present:
            special.append((s.central_leader, "central leader"))
        for i, name in special:
            x, y = layout.positions[i]
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="none" '
                f'stroke="#000" stroke-width="2"><title>{name}</title></circle>'
            )
    else:  # organisations only: bubble area = members, filled share = still taking part
        for k in range(n_orgs):
            posts = slice(s.org_start[k], s.org_start[k + 1])
            share = float(people.active[posts].mean())
            x, y = layout.centres[k]
            r = layout.radii[k]
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{LEFT_COLOUR}"/>'
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r * math.sqrt(share):.1f}" '
                f'fill="{layout.colours[k]}"/>'
            )

    parts.append('<g class="cs-org-labels" font-size="16">')
    for k in range(n_orgs):
        x, y = layout.centres[k]
        angle = math.atan2(y - _CENTRE[1], x - _CENTRE[0]) if n_orgs > 1 else -math.pi / 2
        lx = x + (layout.radii[k] + 10) * math.cos(angle)
        ly = y + (layout.radii[k] + 10) * math.sin(angle) + 5
        anchor = (
            "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        )
        active = int(people.active[s.org_start[k] : s.org_start[k + 1]].sum())
        size = int(s.org_start[k + 1] - s.org_start[k])
        lines = _two_lines(f"{layout.labels[k]} {active}/{size}")
        weight = ' font-weight="bold"' if focus == k else ""
        top = ly - (8 if len(lines) > 1 and math.sin(angle) < 0.3 else 0)
        spans = "".join(
            f'<tspan x="{lx:.1f}" dy="{0 if i == 0 else 17}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<text x="{lx:.1f}" y="{top:.1f}" text-anchor="{anchor}" '
            f'fill="{layout.colours[k]}"{weight} paint-order="stroke" stroke="#fff" '
            f'stroke-width="3">{spans}</text>'
        )
    parts.append("</g>")
    parts.append(_legend(reference))
    parts.append("</svg>")
    return "".join(parts)


def _legend(reference: float) -> str:
    """Shapes and the trust scale, along the bottom edge."""
    y = HEIGHT - 30
    out = [
        f'<g class="cs-legend" font-size="15" fill="#333"><path d="{_diamond(12, y - 5, 7)}" '
        f'fill="#666"/><text x="24" y="{y}">senior leader</text>'
        f'<rect x="128" y="{y - 10}" width="10" height="10" fill="#666"/>'
        f'<text x="143" y="{y}">manager</text>'
        f'<circle cx="220" cy="{y - 5}" r="4.5" fill="#666"/>'
        f'<text x="229" y="{y}">frontline</text>'
        f'<circle cx="310" cy="{y - 5}" r="4.5" fill="{LEFT_COLOUR}"/>'
        f'<text x="319" y="{y}">left the network</text>'
        f'<circle cx="12" cy="{y + 17}" r="7" fill="none" stroke="#000" stroke-width="2"/>'
        f'<text x="24" y="{y + 22}">convener, central leader</text>'
        f'<text x="200" y="{y + 22}">trust vs start: lower</text>'
        f'<text x="{WIDTH - 8}" y="{y + 22}" text-anchor="end">higher</text>'
    ]
    for step in range(11):
        value = reference - 0.25 + step * 0.055
        out.append(
            f'<rect x="{352 + step * 21}" y="{y + 11}" width="21" '
            f'height="13" fill="{trust_colour(value, reference)}"/>'
        )
    out.append("</g>")
    return "".join(out)
