"""The one table of model parameters, and their validation.

Every parameter is declared exactly once, below, with its type, default, allowed range,
unit, one-line meaning and evidence. Everything else derives from these declarations:
validation of ``Params``, the generated parameter table in ``docs/parameters.md``, the
CLI's ``--set name=value`` parsing, SALib bounds and dashboard sliders. The defaults are
the ``iocn`` scenario.

Evidence codes: *IOCN* is Mervyn, Amoo & Malby (2019), the city-wide place-based
network; *Beston* is Kennedy, McKenzie & Thomas (2019), the Scottish locality
collaborative. Anchors (published models a mechanism follows) are named in full.
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from collabsim.organisations import ACADEMIC_PARTNER_KIND, ORGANISATION_KINDS


class ParameterError(ValueError):
    """A parameter value, name or event that the model cannot accept."""


@dataclass(frozen=True)
class Parameter:
    """Declaration of one model parameter.

    Args:
        name: Public name (the field's own words).
        kind: ``"float"``, ``"int"``, ``"bool"``, ``"choice"``, ``"kinds"`` (a list of
            organisation kinds) or ``"events"`` (the scenario timeline).
        default: Default value (the ``iocn`` scenario).
        meaning: One line saying what it is, for docs, CLI help and sliders.
        unit: Unit of the value.
        low: Smallest allowed value (numbers only).
        high: Largest allowed value (numbers only).
        choices: Allowed values for ``"choice"`` and ``"kinds"``.
        group: Section it belongs to in docs and the dashboard.
        symbol: Symbol used in the model description, if any.
        evidence: Where the mechanism or value comes from.
        lever: Whether it is one of the policy levers workshop rooms and sweeps pull.
        plain: What the lever means to a lay audience (dashboard help text), for levers.
        live: Whether the model reads it afresh each week, so a change mid-run takes
            effect from the next week (``CollaborationModel.change_levers``); false for
            parameters that shape the network at the start and need a new run.
    """

    name: str
    kind: str
    default: Any
    meaning: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    group: str = ""
    symbol: str = ""
    evidence: str = ""
    lever: bool = False
    plain: str = ""
    live: bool = False

    @property
    def bounds(self) -> tuple[float, float] | None:
        """``(low, high)`` for numeric parameters, else ``None``."""
        if self.kind in ("float", "int"):
            return (self.low, self.high)
        return None

    def allowed(self, *, compact: bool = False) -> str:
        """Describe the allowed values in words, or in a few characters (``0–1``)."""
        low, high = _fmt(self.low), _fmt(self.high)
        if self.kind == "float":
            return f"{low}–{high}" if compact else f"a number from {low} to {high}"
        if self.kind == "int":
            return (
                f"whole number {low}–{high}" if compact else f"a whole number from {low} to {high}"
            )
        if self.kind == "bool":
            return "true/false" if compact else "true or false"
        if self.kind == "choice":
            return "/".join(self.choices) if compact else "one of " + ", ".join(self.choices)
        if self.kind == "kinds":
            return ("list of: " if compact else "a list of organisation kinds from ") + ", ".join(
                self.choices
            )
        if compact:
            return "list of events (see Event kinds)"
        return "a list of events, each with step and kind (see EVENT_KINDS)"

    def validate(self, value: Any) -> Any:
        """Return ``value`` in canonical form, or raise ``ParameterError``.

        NumPy scalars (as a pandas table gives them) count as the Python values they hold.
        """
        value = python_value(value)
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._error(value)
            value = float(value)
            if not (math.isfinite(value) and self.low <= value <= self.high):
                raise self._error(value)
            return value
        if self.kind == "int":
            if isinstance(value, bool):
                raise self._error(value)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int) or not self.low <= value <= self.high:
                raise self._error(value)
            return int(value)
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise self._error(value)
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise self._error(value)
            return value
        if self.kind == "kinds":
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise self._error(value)
            value = tuple(python_value(v) for v in value)
            if ACADEMIC_PARTNER_KIND in value:
                raise ParameterError(
                    f"{self.name}: leave out {ACADEMIC_PARTNER_KIND!r}; it joins when "
                    "academic_partner is true"
                )
            unknown = [v for v in value if v not in self.choices]
            if unknown or not value:
                raise self._error(value, suggest(unknown[0], self.choices) if unknown else "")
            return value
        return tuple(Event.from_value(v) for v in _as_list(value, self.name))

    def parse(self, text: str) -> Any:
        """Parse ``text`` from the command line and validate it."""
        text = text.strip()
        if self.kind in ("float", "int"):
            try:
                number = float(text) if self.kind == "float" else int(text)
            except ValueError:
                raise self._error(text) from None
            return self.validate(number)
        if self.kind == "bool":
            lowered = text.lower()
            if lowered in ("true", "yes", "on", "1"):
                return True
            if lowered in ("false", "no", "off", "0"):
                return False
            raise self._error(text)
        if self.kind == "choice":
            return self.validate(text)
        if self.kind == "kinds":
            return self.validate([part.strip() for part in text.split(",") if part.strip()])
        raise ParameterError(f"{self.name}: set events with --event STEP:KIND[:ORGANISATION]")

    def _error(self, value: Any, hint: str = "") -> ParameterError:
        message = f"{self.name}={value!r} is not allowed: expected {self.allowed()}"
        if self.unit:
            message += f" ({self.unit})"
        return ParameterError(message + (f"; {hint}" if hint else ""))


def python_value(value: Any) -> Any:
    """The Python value a NumPy scalar holds (``np.int64(3)`` gives ``3``); others as given.

    Values read from a pandas table or a NumPy array are NumPy scalars, which are not
    ``int`` or ``bool``; converting them once, where input is checked, lets them through
    the same checks and keeps the parameters plain Python (JSON friendly).
    """
    numpy = sys.modules.get("numpy")  # not imported: the value cannot be a NumPy scalar
    if numpy is not None and isinstance(value, numpy.generic):
        return value.item()
    return value


def _fmt(x: float | None) -> str:
    return f"{x:g}" if x is not None else "?"


def _as_list(value: Any, name: str) -> list:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ParameterError(f"{name} must be a list of events, got {value!r}")
    return list(value)


def suggest(name: str, options: Iterable[str]) -> str:
    """A hint for a misspelt ``name``: 'did you mean ...?' with the closest ``options``, or ''."""
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    return f"did you mean {' or '.join(close)}?" if close else ""


# --- the scenario timeline -------------------------------------------------------------

#: Kinds of scheduled event, with what each does.
EVENT_KINDS: dict[str, str] = {
    "self_interest_act": "a senior leader acts in self-interest (the Beston pay-rise story); "
    "optional organisation picks whose top acts",
    "resistant_member_leaves": "the most resistant person (power x territoriality x narrative "
    "distance) moves on and is replaced by a newcomer",
    "central_leader_leaves": "the central leader holding the centre leaves; an ordinary top "
    "takes the post and nobody holds the centre any more",
    "partner_withdraws": "the neutral academic partner and its convener withdraw",
    "budget_cut": "a budget cut raises tops' territoriality and everyone's workload; optional "
    "organisation limits it to one organisation",
    "programme_starts": "the leadership programmes (PLP and ALP) start",
}


@dataclass(frozen=True)
class Event:
    """A scheduled event on the scenario timeline.

    Args:
        step: Week at which it happens (applied at the start of that step), from 0 to
            the run's ``horizon`` (``Params`` refuses a later one).
        kind: One of ``EVENT_KINDS``.
        organisation: Organisation kind it concerns, where that matters.
    """

    step: int
    kind: str
    organisation: str | None = None

    def __post_init__(self) -> None:
        for name in ("step", "kind", "organisation"):  # e.g. from a pandas table
            object.__setattr__(self, name, python_value(getattr(self, name)))  # frozen
        if isinstance(self.step, bool) or not isinstance(self.step, int) or self.step < 0:
            raise ParameterError(
                f"events: step={self.step!r} is not allowed: expected a whole number >= 0 (week)"
            )
        if self.kind not in EVENT_KINDS:
            hint = suggest(str(self.kind), EVENT_KINDS)
            raise ParameterError(
                f"events: kind={self.kind!r} is not an event kind; allowed: "
                + ", ".join(EVENT_KINDS)
                + (f"; {hint}" if hint else "")
            )
        if self.organisation is not None and self.organisation not in ORGANISATION_KINDS:
            hint = suggest(str(self.organisation), ORGANISATION_KINDS)
            raise ParameterError(
                f"events: organisation={self.organisation!r} is not an organisation kind"
                + (f"; {hint}" if hint else "")
            )

    @classmethod
    def from_value(cls, value: Any) -> Event:
        """Build an event from an ``Event`` or a mapping such as a TOML table."""
        if isinstance(value, Event):
            return value
        if not isinstance(value, Mapping):
            raise ParameterError(f"events: each event must be a table or dict, got {value!r}")
        extra = set(value) - {"step", "kind", "organisation"}
        if extra:
            raise ParameterError(
                f"events: unknown field {sorted(extra)[0]!r}; allowed: step, kind, organisation"
            )
        if "step" not in value or "kind" not in value:
            raise ParameterError(f"events: each event needs step and kind, got {dict(value)!r}")
        return cls(value["step"], value["kind"], value.get("organisation"))

    @classmethod
    def parse(cls, text: str) -> Event:
        """Parse ``STEP:KIND[:ORGANISATION]`` from the command line."""
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise ParameterError(f"--event {text!r}: expected STEP:KIND[:ORGANISATION]")
        try:
            step = int(parts[0])
        except ValueError:
            raise ParameterError(f"--event {text!r}: STEP must be a whole number") from None
        return cls(step, parts[1], parts[2] if len(parts) == 3 else None)

    def to_dict(self) -> dict[str, Any]:
        """Return the event as a plain dict (TOML / JSON friendly)."""
        out: dict[str, Any] = {"step": self.step, "kind": self.kind}
        if self.organisation is not None:
            out["organisation"] = self.organisation
        return out


# --- the declarations ------------------------------------------------------------------

IOCN = "Mervyn, Amoo & Malby (2019)"
BESTON = "Kennedy, McKenzie & Thomas (2019)"

_DECLARATIONS: list[Parameter] = []


def _declare(name: str, kind: str, default: Any, meaning: str, **details: Any) -> None:
    _DECLARATIONS.append(Parameter(name, kind, default, meaning, **details))


# Structure of the network.
_G = "structure"
_declare(
    "n_people",
    "int",
    300,
    "People in the network across all organisations.",
    unit="people",
    low=5,
    high=5000,
    group=_G,
    evidence=f"IOCN: a city-wide network; 'circa 100 clinical and managerial leaders' "
    f"joined one priority conversation alone ({IOCN}).",
)
_declare(
    "organisations",
    "kinds",
    (
        "acute_trust",
        "mental_health_trust",
        "community_trust",
        "commissioner",
        "general_practice",
        "general_practice",
        "council_social_care",
        "public_health",
        "voluntary_sector",
        "pharmacy",
    ),
    "Organisation kinds taking part (the university joins when academic_partner is on).",
    unit="kinds",
    choices=tuple(k for k in ORGANISATION_KINDS if k != ACADEMIC_PARTNER_KIND),
    group=_G,
    evidence=f"IOCN: providers and commissioners of health and social care, pharmacy and "
    f"a university ({IOCN}).",
)
_declare(
    "top_share",
    "float",
    0.1,
    "Share of people who are senior leaders ('tops').",
    unit="share",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'tops, middles, bottoms' across a pathway ({IOCN}, after Oshry 2007).",
)
_declare(
    "middle_share",
    "float",
    0.25,
    "Share of people who are managers ('middles').",
    unit="share",
    low=0.0,
    high=0.8,
    group=_G,
    evidence=f"As top_share ({IOCN}).",
)
_declare(
    "pathway_team_size",
    "int",
    100,
    "People per programme of care: a network takes on as many care pathways as it has "
    "full teams of people for (n_people // pathway_team_size, at least one).",
    unit="people per pathway",
    low=5,
    high=5000,
    group=_G,
    evidence=f"IOCN: 'three programmes of care ... of a scale which meant that we could "
    f"test some of this methodology'; priorities chosen by 'circa 100 clinical and "
    f"managerial leaders' ({IOCN}). A bigger network takes on more work, not the same "
    f"work shared more thinly.",
)
_declare(
    "n_practices",
    "int",
    20,
    "Binary working practices that make up each pathway.",
    unit="practices",
    low=2,
    high=40,
    group=_G,
    symbol="N",
    evidence="NK landscapes of organisational practice (Levinthal 1997).",
)
_declare(
    "landscape_k",
    "int",
    4,
    "How many other practices each practice's value depends on (ruggedness).",
    unit="practices",
    low=0,
    high=10,
    group=_G,
    symbol="K",
    evidence="Levinthal (1997): higher K gives more local peaks.",
)
_declare(
    "network_type",
    "choice",
    "place",
    "Place-based (one city, informal contact between meetings) or issue-based (dispersed).",
    choices=("place", "issue"),
    group=_G,
    lever=True,
    live=True,
    plain="Place-based: everyone works in one city and bumps into each other between "
    "meetings. Issue-based: people are spread out and meet only at meetings.",
    evidence=f"Place-based IOCN versus issue-based, 'nationally dispersed' CLAHRCs ({IOCN}).",
)
_declare(
    "convened",
    "bool",
    True,
    "Whether the network meets at all (false: the hierarchy counterfactual).",
    group=_G,
    evidence="Counterfactual: organisations improving alone, in their silos.",
)
_declare(
    "horizon",
    "int",
    260,
    "Length of a run.",
    unit="weeks",
    low=1,
    high=2600,
    group=_G,
    evidence="Five years, the span over which the IOCN expected 'richer pickings'.",
)
_declare(
    "meeting_interval",
    "int",
    4,
    "Weeks between network meetings.",
    unit="weeks",
    low=1,
    high=52,
    group=_G,
    lever=True,
    live=True,
    plain="How often the whole network meets, in weeks: 4 is monthly, 13 quarterly.",
    evidence=f"Beston: 'meetings were held monthly' ({BESTON}).",
)
_declare(
    "table_size",
    "int",
    6,
    "People seated together at a meeting table.",
    unit="people",
    low=2,
    high=30,
    group=_G,
    evidence=f"Beston: 'in-depth focus on two or three key areas, in smaller groups' ({BESTON}).",
)

_declare(
    "team_size",
    "int",
    8,
    "People in a self-managed improvement team within a pathway team.",
    unit="people",
    low=2,
    high=50,
    group=_G,
    evidence=f"IOCN members 'were permitted self-managed teams to investigate areas for "
    f"innovation and improvement, and to prototype solutions' ({IOCN}); Beston: 'Four "
    f"small groups worked to distil the learning' ({BESTON}).",
)
# Levers.
_G = "levers"
_declare(
    "academic_partner",
    "bool",
    True,
    "A neutral academic partner convenes the network and offers a safe space.",
    group=_G,
    lever=True,
    plain="A university joins as a neutral host: it convenes the meetings, facilitates the "
    "tables and makes it safer to speak across organisations.",
    evidence=f"'IOCN provided more of a neutral setting'; 'a neutral academic partner to "
    f"support the collaboration' ({IOCN}).",
)
_declare(
    "partner_strength",
    "float",
    0.5,
    "How strongly the neutral partner lowers threat and deepens learning.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    lever=True,
    live=True,
    plain="How much the neutral partner's facilitation helps: less threat between "
    "professions, more listening, faster learning.",
    evidence=f"'an enabling shared space' from the University and NHS connection ({IOCN}).",
)
_declare(
    "partner_channel_off",
    "choice",
    "none",
    "One channel of the academic partner switched off, to see what it carries.",
    choices=("none", "seating", "threat_relief", "narrative", "learning"),
    group=_G,
    evidence="Robustness: the partner works through mixed seating, a safe space, a "
    "wider hearing of others' views and deeper learning (M6, M2, M4, M7); switching "
    "one off shows which of them carries its effect.",
)
_declare(
    "distributed_leadership",
    "float",
    0.3,
    "Chance that the frontline team may decide a small test of change itself.",
    unit="probability",
    low=0.0,
    high=1.0,
    group=_G,
    lever=True,
    live=True,
    plain="How often frontline teams may try a small change themselves, without asking a "
    "senior leader for permission.",
    evidence=f"'members were permitted self-managed teams ... to prototype solutions' but "
    f"'did need to refer to the tops for the embedding' ({IOCN}).",
)
_declare(
    "cede_willingness",
    "float",
    0.5,
    "Willingness of senior leaders to let others change what their organisation owns.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    lever=True,
    plain="How willing senior leaders are to let others change what their organisation owns "
    "(to cede territory).",
    evidence=f"'as long as the senior leader is willing to cede territory' ({IOCN}); Baker "
    f"& Denis (2011).",
)
_declare(
    "incremental_share",
    "float",
    0.7,
    "Share of proposed changes that are small tests of change rather than big-bang redesigns.",
    unit="share",
    low=0.0,
    high=1.0,
    group=_G,
    lever=True,
    live=True,
    plain="Share of ideas tried as small tests of change rather than big-bang redesigns. "
    "Small tests succeed often and keep hope alive; big bangs are slow and risky.",
    evidence=f"'slow and incremental forms of change were more realistic' ({IOCN}); 'small "
    f"tests of change' ({BESTON}).",
)
_declare(
    "central_leader_strength",
    "float",
    0.6,
    "Strength of the energetic strategic leader holding the centre (0 = none).",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    lever=True,
    plain="A strong, energetic system leader holding the centre: pulls people towards a "
    "shared purpose and shields them from outside pressure. 0 means there is no such "
    "leader.",
    evidence=f"'the great need for a strong and energetic and strategic leader that could "
    f"hold the centre' ({IOCN}).",
)
_declare(
    "programme_intensity",
    "float",
    0.5,
    "Intensity of the frontline (PLP) and senior (ALP) leadership programmes.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    lever=True,
    plain="How much leadership training people get: improvement skills for the frontline, "
    "letting go of territory for senior leaders.",
    evidence=f"'strong relationships ... should be linked to leadership training "
    f"programmes' ({IOCN}).",
)
_declare(
    "results_pressure",
    "float",
    0.1,
    "Improvement demanded from outside beyond what the network is achieving.",
    unit="share of quality per year",
    low=0.0,
    high=0.5,
    group=_G,
    lever=True,
    live=True,
    plain="How hard boards and regulators push for quick, visible results beyond what the "
    "network is achieving.",
    evidence=f"'demands for instant improvements and financial success' ({IOCN}); 'the "
    f"pressure just to get things done is huge' ({BESTON}).",
)
_declare(
    "power_imbalance",
    "float",
    0.3,
    "How far power is skewed towards health organisations over social care and community.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    lever=True,
    plain="How much more say health organisations have than social care, councils and the "
    "voluntary sector.",
    evidence=f"'a deep-rooted power imbalance between the two main parties, health and "
    f"social care' ({BESTON}).",
)
_declare(
    "turnover_rate",
    "float",
    0.12,
    "Share of people who change jobs each year.",
    unit="per year",
    low=0.0,
    high=0.6,
    group=_G,
    lever=True,
    live=True,
    plain="Share of people who change jobs each year; newcomers start with no personal "
    "relationships in the network.",
    evidence=f"'those most resistant to change have moved on' ({BESTON}).",
)

# Trust (M1-M3).
_G = "trust"
_declare(
    "trust_gain",
    "float",
    0.10,
    "Rate at which a positive signal builds trust.",
    unit="per signal",
    low=0.01,
    high=0.3,
    group=_G,
    symbol="λ⁺",
    evidence=f"'Trust takes time to develop' ({BESTON}); asymmetric trust, Pant & Yu (2025).",
)
_declare(
    "trust_loss",
    "float",
    0.35,
    "Rate at which a negative signal destroys trust.",
    unit="per signal",
    low=0.05,
    high=0.6,
    group=_G,
    symbol="λ⁻",
    evidence=f"A pay rise 'had a devastating effect on the morale and credibility' "
    f"({BESTON}); Slovic (1993) trust asymmetry.",
)
_declare(
    "dependency_amplification",
    "float",
    0.5,
    "Extra trust loss when the truster depends on the more powerful person.",
    unit="multiplier",
    low=0.0,
    high=1.0,
    group=_G,
    symbol="ξ",
    evidence=f"'Power and Politics were at play from tops to bottoms' ({IOCN}).",
)
_declare(
    "generalisation",
    "float",
    0.2,
    "Share of what one learns about a person that one also learns about their organisation.",
    unit="share",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'many people in the group were beginning to question the assumptions they "
    f"made about those who worked in other organizations' ({BESTON}).",
)
_declare(
    "trust_drift",
    "float",
    0.01,
    "Weekly fading of personal trust back to one's view of the other's organisation.",
    unit="per week",
    low=0.0,
    high=0.1,
    group=_G,
    evidence=f"Relationships need maintaining: 'time and patience were needed to nurture' "
    f"them ({IOCN}).",
)
_declare(
    "trust_within_org",
    "float",
    0.6,
    "Prior trust in a colleague in one's own organisation.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"Organisational silos: 'each part works to optimise its own performance' ({IOCN}).",
)
_declare(
    "trust_across_org",
    "float",
    0.35,
    "Prior trust in someone from another organisation.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'we are naturally threatened by the other' ({BESTON}).",
)
_declare(
    "health_social_gap",
    "float",
    0.1,
    "Extra prior distrust across the health / social care divide.",
    unit="0-1",
    low=0.0,
    high=0.3,
    group=_G,
    evidence=f"'The split in the senior leadership team is acknowledged but entrenched' "
    f"({BESTON}).",
)
_declare(
    "encounter_warmth",
    "float",
    2.49,
    "Baseline tendency of an encounter to go well (log-odds).",
    unit="log-odds",
    low=-3.0,
    high=3.0,
    group=_G,
    evidence=f"'they almost always found ways of helping one another' ({BESTON}).",
)
_declare(
    "encounter_trust_weight",
    "float",
    3.0,
    "How much existing trust makes an encounter go well.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    evidence="Trust is self-reinforcing (Pant & Yu 2025).",
)
_declare(
    "encounter_narrative_weight",
    "float",
    2.0,
    "How much a shared view of purpose makes an encounter go well.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    evidence=f"'confident that the other is committed to the same end' ({BESTON}).",
)
_declare(
    "identity_threat",
    "float",
    2.84,
    "How much meeting another profession or sector threatens identity.",
    unit="log-odds",
    low=0.0,
    high=4.0,
    group=_G,
    evidence=f"'the cross-sector approach threatening to their sense of identity and "
    f"professionalism' ({BESTON}).",
)
_declare(
    "upward_hesitancy",
    "float",
    0.583,
    "How much a power gap spoils an encounter for the less powerful person.",
    unit="log-odds per unit",
    low=0.0,
    high=4.0,
    group=_G,
    evidence=f"'subordinates were often hesitant to converse upwards' ({IOCN}).",
)
_declare(
    "second_hand_trust",
    "float",
    0.1,
    "Weight given to a trusted contact's view of a third person.",
    unit="per conversation",
    low=0.0,
    high=0.3,
    group=_G,
    symbol="ω",
    evidence="Reputation travels through people one trusts (Burt & Knez 1995).",
)
_declare(
    "gossip_contacts",
    "float",
    1.0,
    "Conversations about third people each week.",
    unit="per person per week",
    low=0.0,
    high=5.0,
    group=_G,
    evidence=f"'Word of mouth works as well doesn't it?' ({IOCN}).",
)
_declare(
    "informal_contact_rate",
    "float",
    0.25,
    "Informal encounters between meetings in a place-based network.",
    unit="per person per week",
    low=0.0,
    high=2.0,
    group=_G,
    evidence=f"'informal as well as formal kind of learning and sharing' ({IOCN}).",
)

# Shared narrative (M4).
_G = "narrative"
_declare(
    "narrative_mu",
    "float",
    0.3,
    "How far people move towards a view they engage with.",
    unit="share per encounter",
    low=0.05,
    high=0.5,
    group=_G,
    symbol="μ",
    evidence="Bounded confidence (Deffuant et al. 2000).",
)
_declare(
    "narrative_epsilon",
    "float",
    0.2,
    "How different a view people will still engage with.",
    unit="narrative units",
    low=0.02,
    high=0.5,
    group=_G,
    symbol="ε",
    evidence="Bounded confidence (Deffuant et al. 2000).",
)
_declare(
    "facilitation_widening",
    "float",
    0.2,
    "How far facilitation widens the views people engage with, at full partner strength.",
    unit="narrative units",
    low=0.0,
    high=0.5,
    group=_G,
    symbol="γ",
    evidence=f"'taking time to explore what matters to people' ({BESTON}).",
)
_declare(
    "pressure_crowding",
    "float",
    0.636,
    "Share of a meeting's work on a common view that the pressure to get things done "
    "takes when the shortfall against aspiration is at its most frustrating.",
    unit="share",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'The pressure just to 'get things done' is huge and mitigates against the "
    f"time it takes to establish a common vision' ({BESTON}).",
)
_declare(
    "central_pull",
    "float",
    0.1,
    "Pull of the central leader on attendees' narrative, at full strength.",
    unit="share per meeting",
    low=0.0,
    high=0.5,
    group=_G,
    symbol="κ",
    evidence=f"'providing direction and focus for the network as a whole' ({IOCN}).",
)
_declare(
    "leader_drive",
    "float",
    0.1,
    "Share of the way the central leader's drive moves each attendee's commitment towards the "
    "leader's own at a meeting the leader comes to, at full strength.",
    unit="share per meeting",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'Having someone like [University Lead] drive and enthusiasm is very important'; "
    f"'a strong and energetic and strategic leader that could hold the centre' ({IOCN}).",
)
_declare(
    "tops_stubbornness",
    "float",
    0.3,
    "How strongly tops stay anchored to their own organisation's view.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    symbol="θ",
    evidence=f"Friedkin & Johnsen (1990) stubborn agents; 'hesitancy amongst the tops' ({IOCN}).",
)

# Attendance and mixing (M5, M6).
_G = "attendance"
_declare(
    "attendance_base",
    "float",
    1.08,
    "Baseline tendency to attend a meeting (log-odds).",
    unit="log-odds",
    low=-4.0,
    high=4.0,
    group=_G,
    symbol="α₀",
    evidence=f"Beston: 'most people were present for at least four out of the six' ({BESTON}).",
)
_declare(
    "attendance_commitment",
    "float",
    2.0,
    "How much commitment drives attendance.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    symbol="α₁",
    evidence=f"'a willingness to do over-and-above their day jobs' ({IOCN}).",
)
_declare(
    "attendance_experience",
    "float",
    2.0,
    "How much a worthwhile last meeting (good encounters across organisations) draws someone back.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    symbol="α₂",
    evidence=f"'a place to share enthusiasm and frustrations' ({BESTON}).",
)
_declare(
    "attendance_workload",
    "float",
    1.5,
    "How much workload keeps people away.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    symbol="α₃",
    evidence=f"'Some practitioners had competing priorities' ({BESTON}).",
)
_declare(
    "attendance_backlog",
    "float",
    2.08,
    "How much the backlog from attending last time keeps people away this time.",
    unit="log-odds",
    low=0.0,
    high=4.0,
    group=_G,
    evidence=f"'hardly anyone had had the luxury of three hours'; 'the group was fluid as "
    f"most practitioners could only afford the time to attend some of the meetings' "
    f"({BESTON}).",
)
_declare(
    "attendance_territoriality",
    "float",
    1.91,
    "How much guarding territory keeps people away from meetings: the powerful have "
    "the most to share.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    symbol="α₄",
    evidence=f"'Those with the most power, were often the most reluctant to collaborate, "
    f"because it meant sharing it. Those with the least power, had little to lose' "
    f"({BESTON}).",
)
_declare(
    "workload",
    "float",
    0.5,
    "Typical day-job workload.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'fed up with the ever-increasing volume of work' ({BESTON}).",
)

# Learning programmes and leadership (M7, M10).
_G = "learning"
_declare(
    "skill_gain",
    "float",
    0.04,
    "Gain in improvement skill per programme session at full intensity.",
    unit="share of gap per session",
    low=0.0,
    high=0.2,
    group=_G,
    evidence=f"PLP: 'a robust health improvement methodology' ({IOCN}).",
)
_declare(
    "identity_gain",
    "float",
    0.04,
    "Gain in leader identity per programme session at full intensity.",
    unit="share of gap per session",
    low=0.0,
    high=0.2,
    group=_G,
    evidence=f"'they're surprised that they've been given this authority' ({IOCN}).",
)
_declare(
    "territoriality_unlearning",
    "float",
    0.03,
    "Fall in tops' territoriality per senior programme session at full intensity.",
    unit="share per session",
    low=0.0,
    high=0.2,
    group=_G,
    evidence=f"ALP: 'to train the senior leaders ... to understand quality improvement' ({IOCN}).",
)
_declare(
    "leadership_claim_gain",
    "float",
    0.1,
    "Rise in leader identity after leading a change that is adopted.",
    unit="share of gap",
    low=0.0,
    high=0.5,
    group=_G,
    evidence="Claims and grants of leader identity (DeRue & Ashford 2010).",
)
_declare(
    "culture_spread",
    "float",
    0.4,
    "How much organisations differ in how guarded their culture is (spread of a lognormal "
    "factor of mean 1 on the territoriality of everyone in them).",
    unit="log spread",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'the specifics of my organisation, the work settings in which I work, is that "
    f"it's not all that simple' ({IOCN}); 'the working style that might be dominant in "
    f"other organizations' ({BESTON}).",
)
_declare(
    "resistance_spread",
    "float",
    0.4,
    "How much people differ in their own resistance to change (spread of a lognormal "
    "factor of mean 1 on territoriality).",
    unit="log spread",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'We saw some practitioners willing to suspend disbelief and take the risk. "
    f"We saw other practitioners ... reluctant'; the resistant view 'was the view of a "
    f"minority of group members, but they had a strong voice' ({BESTON}); Kegan & Lahey "
    f"(2009).",
)
_declare(
    "initial_skill",
    "float",
    0.3,
    "Mean improvement skill at the start.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence="Assumption: little QI training at the start.",
)
_declare(
    "initial_leader_identity",
    "float",
    0.3,
    "Mean leader identity of non-tops at the start.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"Frontline surprised to be 'given this authority' ({IOCN}).",
)

# Change work (M8, M9, M11).
_G = "change"
_declare(
    "proposal_rate",
    "float",
    0.14,
    "Weekly chance that a fully committed, skilled and entitled person proposes a change.",
    unit="per week",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'a million possibilities ... the people in our organisations will' think "
    f"of ({IOCN}).",
)
_declare(
    "own_remit_bias",
    "float",
    0.1,
    "Chance a small test targets a practice the proposer's own organisation owns.",
    unit="probability",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'GPs began changing their prescribing practices' ({BESTON}).",
)
_declare(
    "big_bang_scope",
    "float",
    0.5,
    "Share of a pathway's practices a big-bang redesign redraws.",
    unit="share",
    low=0.2,
    high=1.0,
    group=_G,
    evidence="Long jumps on NK landscapes (Levinthal 1997).",
)
_declare(
    "change_duration_scale",
    "float",
    1.0,
    "Multiplier on how long changes take (small tests 4-8 weeks, big bangs 26-52).",
    unit="multiplier",
    low=0.25,
    high=4.0,
    group=_G,
    evidence=f"CLAHRCs: research translation, 'larger, slower' changes ({IOCN}).",
)
_declare(
    "grant_base",
    "float",
    0.00778,
    "Baseline tendency of a top to grant a request (log-odds).",
    unit="log-odds",
    low=-4.0,
    high=4.0,
    group=_G,
    evidence=f"'if they bring that to me ... it's then my job. I can sort that out' ({IOCN}).",
)
_declare(
    "grant_trust",
    "float",
    3.0,
    "How much a top's trust in the proposer helps a grant.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    evidence=f"'it's a trust thing' ({BESTON}).",
)
_declare(
    "grant_alignment",
    "float",
    1.5,
    "How much a shared narrative helps a grant.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    evidence=f"'a very clear purpose which is foreground and center' ({BESTON}).",
)
_declare(
    "grant_territoriality",
    "float",
    3.0,
    "How much a top's territoriality blocks changes to what their organisation owns.",
    unit="log-odds per unit",
    low=0.0,
    high=10.0,
    group=_G,
    evidence=f"'power, politics and turf wars were inherent in collaborative ventures' ({IOCN}).",
)
_declare(
    "grant_commitment",
    "float",
    2.0,
    "How much a top's own commitment helps a grant.",
    unit="log-odds per unit",
    low=0.0,
    high=8.0,
    group=_G,
    evidence=f"'issues arose regarding how committed the tops were' ({IOCN}).",
)
_declare(
    "cede_power_loss",
    "float",
    0.02,
    "Share of power a top gives up each time they cede territory.",
    unit="share per grant",
    low=0.0,
    high=0.2,
    group=_G,
    evidence=f"'Those with the most power ... [collaborating] meant sharing it' ({BESTON}).",
)
_declare(
    "cede_capacity_gain",
    "float",
    0.05,
    "How far each grant across organisations builds a senior leader's record of ceding "
    "territory; the network's shared capacity is the tops' mean record.",
    unit="share of gap per grant",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'cede power between organisations ... a key feature in high performing "
    f"collaboratives' ({IOCN}).",
)
_declare(
    "word_of_mouth",
    "float",
    3.0,
    "People an adopter tells of a change that worked; each takes it in with a chance equal "
    "to their trust in the adopter.",
    unit="people per adoption",
    low=0.0,
    high=20.0,
    group=_G,
    symbol="β",
    evidence=f"'a respiratory physician talking to a cardiac physician' ({IOCN}).",
)
_declare(
    "environment_change",
    "float",
    0.0093,
    "Weekly chance that demand or policy shifts what works best for a practice.",
    unit="per practice per week",
    low=0.0,
    high=0.2,
    group=_G,
    evidence=f"'the city's healthcare systems must continue to respond to urgent financial "
    f"and demand pressures' ({IOCN}); changing landscapes, Levinthal (1997).",
)
_declare(
    "unsupported_decay",
    "float",
    0.01,
    "Weekly chance that a network-made change unravels once the network has dissolved.",
    unit="per week",
    low=0.0,
    high=0.2,
    group=_G,
    evidence=f"'continue to support these programmes until they are sustainable' ({IOCN}).",
)

# Commitment, aspiration and self-interest (M12, M13).
_G = "commitment"
_declare(
    "initial_commitment",
    "float",
    0.55,
    "Mean commitment at the start.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'I feel really energized' at the start of Beston ({BESTON}).",
)
_declare(
    "aspiration_memory",
    "float",
    0.95,
    "Weekly persistence of the network's aspiration.",
    unit="per week",
    low=0.5,
    high=0.999,
    group=_G,
    symbol="a",
    evidence="Adaptive aspirations (Lant 1992).",
)
_declare(
    "small_win_boost",
    "float",
    0.169,
    "How far seeing a small win (one's own, an improvement team-mate's, or news of one) "
    "moves commitment towards full commitment.",
    unit="share of gap per win",
    low=0.0,
    high=0.5,
    group=_G,
    symbol="η_w",
    evidence=f"'they just needed to see small improvements ... which ignites their hope' "
    f"({BESTON}).",
)
_declare(
    "big_bang_win_weight",
    "float",
    3.51,
    "How many small wins a successful big bang is worth to those who see it.",
    unit="wins",
    low=1.0,
    high=10.0,
    group=_G,
    evidence="Assumption: a redesign that works is visible but rare.",
)
_declare(
    "progress_update",
    "float",
    0.205,
    "How far the update on actions at each meeting moves those who came towards what it "
    "reports: the share of the network's care pathways with an action carried out (a "
    "small test studied, a redesign completed) a month since the last meeting.",
    unit="share of gap per meeting",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'Each meeting began with a short recap ... and an update on actions in the "
    f"whole group'; 'These small practical experiments in doing things differently began "
    f"to add up to a conviction that maybe things could be better' ({BESTON}).",
)
_declare(
    "pressure_sensitivity",
    "float",
    0.0948,
    "Share of commitment lost at each meeting when the shortfall against aspiration is at "
    "its most frustrating (0.2 of quality a year or more).",
    unit="share per meeting",
    low=0.0,
    high=0.5,
    group=_G,
    symbol="η_f",
    evidence=f"'a shared sense of frustration with the pace of impact' ({IOCN}).",
)
_declare(
    "commitment_decay",
    "float",
    0.251,
    "Share of commitment lost at each network meeting the day job keeps one from.",
    unit="share per missed meeting",
    low=0.0,
    high=0.5,
    group=_G,
    symbol="δ",
    evidence=f"'This requires a willingness to do over-and-above their day jobs' ({IOCN}); "
    f"'Some practitioners had competing priorities' ({BESTON}).",
)
_declare(
    "meeting_energy",
    "float",
    0.0583,
    "How far a meeting moves commitment towards how worthwhile it was.",
    unit="share of gap per meeting",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'I feel really energized, the openness has been really encouraging' ({BESTON}).",
)
_declare(
    "block_cost",
    "float",
    0.295,
    "Share of a proposer's commitment lost when a top blocks their change.",
    unit="share per block",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'A lack of support permeated to unease and despondency amongst otherwise "
    f"innovative and keen local leaders' ({IOCN}).",
)
_declare(
    "big_bang_failure_cost",
    "float",
    0.1,
    "Share of commitment everyone on the pathway loses when a big-bang redesign fails.",
    unit="share per failure",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'people are going to want to run before they can walk' ({IOCN}).",
)
_declare(
    "central_leader_shield",
    "float",
    0.8,
    "Share of outside pressure a full-strength central leader absorbs.",
    unit="share",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'leaders at the top who were willing to take the risk to challenge the "
    f"targets imposed on them' ({BESTON}).",
)
_declare(
    "self_interest_hazard",
    "float",
    0.002,
    "Weekly chance that a territorial, uncommitted top acts in self-interest.",
    unit="per week",
    low=0.0,
    high=0.05,
    group=_G,
    evidence=f"'One leader sought a pay rise whilst arguing that he did not have the "
    f"finance' ({BESTON}).",
)
_declare(
    "reputation_damage",
    "float",
    0.3,
    "How far a self-interested act lowers the ceiling that trust in the actor can recover to.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'a devastating effect on the morale and credibility' ({BESTON}).",
)
_declare(
    "morale_hit",
    "float",
    0.3,
    "Share of commitment every member loses on learning of a self-interested act.",
    unit="share per act",
    low=0.0,
    high=0.9,
    group=_G,
    evidence=f"'a devastating effect on the morale and credibility of the collaborative "
    f"venture' ({BESTON}).",
)
_declare(
    "budget_cut_severity",
    "float",
    0.15,
    "Rise in tops' territoriality and everyone's workload from a budget cut.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'when their organizations were competing for scarce resources' ({BESTON}).",
)

# Exit, turnover and sustainability (M14, M15).
_G = "sustainability"
_declare(
    "exit_threshold",
    "float",
    0.156,
    "Commitment below which people start to drift away.",
    unit="0-1",
    low=0.0,
    high=0.5,
    group=_G,
    evidence=f"'others ... stopped attending' ({BESTON}).",
)
_declare(
    "exit_patience_weeks",
    "int",
    12,
    "Weeks spent below the exit threshold, judged at meetings, before a person, or an "
    "organisation, leaves.",
    unit="weeks",
    low=1,
    high=52,
    group=_G,
    evidence="Assumption: patience runs in calendar time, so a network meeting quarterly "
    "is judged on the same calendar as one meeting monthly.",
)
_declare(
    "turnover_frustration",
    "float",
    1.0,
    "How much frustration multiplies job turnover.",
    unit="multiplier",
    low=0.0,
    high=10.0,
    group=_G,
    evidence=f"'hopelessness and disaffection' ({BESTON}).",
)
_declare(
    "min_attendance",
    "float",
    0.179,
    "Mean attendance below which a network is failing.",
    unit="share",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'not being able to get the right people in the room' ({BESTON}).",
)
_declare(
    "tops_commitment_floor",
    "float",
    0.169,
    "Mean commitment of an organisation's senior leaders below which it withdraws from "
    "the network (after exit_patience_weeks).",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=_G,
    evidence=f"'distributed leadership was constrained by a lack of buy-in and commitment "
    f"from senior leaders' ({IOCN}).",
)
_declare(
    "collapse_weeks",
    "int",
    12,
    "Weeks of failing meetings in a row before the network dissolves.",
    unit="weeks",
    low=1,
    high=52,
    group=_G,
    evidence="Assumption: sponsors judge a network over months of the calendar, however "
    "often it meets.",
)
_declare(
    "attendance_weeks",
    "int",
    12,
    "Weeks of meetings over which mean attendance is judged (at least the last meeting).",
    unit="weeks",
    low=1,
    high=52,
    group=_G,
    evidence="Assumption, as collapse_weeks.",
)

_declare(
    "events",
    "events",
    (),
    "Scheduled events on the timeline (see EVENT_KINDS).",
    group="timeline",
    evidence="Workshop 'what if' questions drawn from both studies.",
)

#: Every parameter, by name, in declaration order.
PARAMETERS: dict[str, Parameter] = {p.name: p for p in _DECLARATIONS}

#: The policy levers (``docs/odd.md`` section 1.1), in declaration order.
LEVERS: tuple[str, ...] = tuple(name for name, p in PARAMETERS.items() if p.lever)


def _unknown(name: str) -> ParameterError:
    hint = suggest(name, PARAMETERS)
    return ParameterError(f"unknown parameter {name!r}" + (f"; {hint}" if hint else ""))


def declaration(name: str) -> Parameter:
    """Return the declaration of ``name``, or raise ``ParameterError`` with suggestions."""
    try:
        return PARAMETERS[name]
    except KeyError:
        raise _unknown(name) from None


class Params(Mapping):
    """A complete, validated set of parameter values.

    ``Params()`` gives the defaults (the ``iocn`` scenario); keyword arguments override
    them. Values are checked against their declarations and against each other; a bad
    value raises ``ParameterError`` naming the parameter, the value and what is allowed.
    Read values as attributes (``params.cede_willingness``) or as a mapping.

    Args:
        **values: Parameter values to override, by name.
    """

    def __init__(self, **values: Any) -> None:
        merged = {name: p.default for name, p in PARAMETERS.items()}
        for name, value in values.items():
            merged[name] = declaration(name).validate(value)
        _check_together(merged)
        object.__setattr__(self, "_values", merged)
        self.__dict__.update(merged)  # plain attribute reads: the model reads them often

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params is immutable: use params.replace(name=value)")

    def __getattr__(self, name: str) -> Any:  # only called for names that are not set
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(str(_unknown(name)))

    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise _unknown(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Params) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != PARAMETERS[k].default}
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"Params({inner})"

    def __reduce__(self):
        return (_rebuild, (self.to_dict(),))

    def replace(self, **changes: Any) -> Params:
        """Return a copy with ``changes`` applied (and validated)."""
        return Params(**{**self._values, **changes})

    def to_dict(self) -> dict[str, Any]:
        """Return plain values (lists for sequences, dicts for events), JSON friendly."""
        out: dict[str, Any] = {}
        for name, value in self._values.items():
            if PARAMETERS[name].kind == "events":
                out[name] = [e.to_dict() for e in value]
            elif PARAMETERS[name].kind == "kinds":
                out[name] = list(value)
            else:
                out[name] = value
        return out


def _rebuild(values: dict[str, Any]) -> Params:
    return Params(**values)


def _check_together(v: dict[str, Any]) -> None:
    """Rules that involve more than one parameter."""
    if v["top_share"] + v["middle_share"] > 1.0:
        raise ParameterError(
            f"top_share + middle_share = {v['top_share'] + v['middle_share']:g} is not allowed: "
            "the two shares must add up to at most 1"
        )
    if v["landscape_k"] >= v["n_practices"]:
        raise ParameterError(
            f"landscape_k={v['landscape_k']} is not allowed: it must be smaller than "
            f"n_practices={v['n_practices']}"
        )
    n_orgs = len(v["organisations"]) + (1 if v["academic_partner"] else 0)
    if v["n_people"] < n_orgs + 2:
        raise ParameterError(
            f"n_people={v['n_people']} is not allowed: {n_orgs} organisations need at least "
            f"{n_orgs + 2} people (one each, plus the convener and central leader)"
        )
    present = set(v["organisations"])
    if v["academic_partner"]:
        present.add(ACADEMIC_PARTNER_KIND)
    for event in v["events"]:
        # week w runs as step w (events at 0 shape the start), so the last week that
        # happens is the horizon; a later event would silently never happen
        if event.step > v["horizon"]:
            raise ParameterError(
                f"events: {event.kind} at step={event.step} is after the last week of the "
                f"run, horizon={v['horizon']}: expected a step from 0 to {v['horizon']} "
                "(or a longer horizon)"
            )
        if event.organisation is not None and event.organisation not in present:
            raise ParameterError(
                f"events: organisation={event.organisation!r} (step {event.step}, {event.kind}) "
                "is not in this network; present: " + ", ".join(sorted(present))
            )
