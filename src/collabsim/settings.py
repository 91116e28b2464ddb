"""The settings bundles the compiled mechanisms take, each filled from the parameters by name.

Every mechanism group declares its bundle beside its mechanisms, as a ``NamedTuple``
whose fields are named as the parameters they carry (``TrustRates.trust_gain`` is the
parameter ``trust_gain``). ``bundle`` fills one from a run's ``Params`` by those names,
so no bundle is ever built by position: two rates of the same type cannot be swapped
unnoticed, and a field that names no parameter fails at once (``ParameterError``).
``Settings`` holds a run's bundles, made once per set of parameters (again when a lever
changes mid-run).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from collabsim.jit import struct_of
from collabsim.mechanisms.attendance import AttendanceWeights
from collabsim.mechanisms.change import ChangeRates
from collabsim.mechanisms.commitment import CommitmentRates
from collabsim.mechanisms.decisions import GrantWeights
from collabsim.mechanisms.encounters import InformalContact
from collabsim.mechanisms.landscape import LandscapeRates
from collabsim.mechanisms.learning import ProgrammeRates
from collabsim.mechanisms.meeting import MeetingRates
from collabsim.mechanisms.trust import EncounterWeights, TrustRates
from collabsim.mechanisms.turnover import ExitRates
from collabsim.mechanisms.weekly import WeekRates
from collabsim.mechanisms.whole_week import CollapseRule
from collabsim.params import Params
from collabsim.params.groups.levers import PARTNER_CHANNELS


def bundle(kind: type, params: Params, **derived: Any) -> Any:
    """A ``kind`` bundle with each field read from ``params`` by its name.

    Args:
        kind: The bundle (a ``NamedTuple`` whose fields are parameter names).
        params: The run's parameters.
        **derived: Values of the fields that are not parameters, by field name.

    Raises:
        ParameterError: A field that is neither a parameter nor given in ``derived``.
    """
    values = {name: derived[name] if name in derived else params[name] for name in kind._fields}
    return kind(**values)


def meetings_in(weeks: int, meeting_interval: int) -> int:
    """How many meetings in a row span ``weeks`` of the calendar (at least one).

    Patience and the judgement of a failing network run in calendar time: each meeting
    stands for the weeks until the next, so a network meeting quarterly is not given
    three times as long to fail as one meeting monthly.
    """
    return max(1, -(-weeks // meeting_interval))


class Settings(NamedTuple):
    """A run's settings bundles, one per mechanism group.

    The compiled mechanisms take it as one reference, ``reference(settings)``.
    """

    attendance: AttendanceWeights
    encounters: EncounterWeights
    trust: TrustRates
    grants: GrantWeights
    change: ChangeRates
    commitment: CommitmentRates
    programmes: ProgrammeRates
    informal: InformalContact
    exits: ExitRates
    landscape: LandscapeRates
    week: WeekRates
    meeting: MeetingRates
    collapse: CollapseRule

    @classmethod
    def of(cls, params: Params) -> Settings:
        """The bundles of a run with ``params``."""
        place = params.network_type == "place"  # word of mouth crosses pathway teams
        return cls(
            attendance=bundle(AttendanceWeights, params),
            encounters=bundle(EncounterWeights, params),
            trust=bundle(TrustRates, params),
            grants=bundle(GrantWeights, params),
            change=bundle(ChangeRates, params, word_of_mouth_across_pathways=place),
            commitment=bundle(CommitmentRates, params),
            programmes=bundle(ProgrammeRates, params),
            informal=bundle(InformalContact, params),
            exits=bundle(
                ExitRates,
                params,
                patience=meetings_in(params.exit_patience_weeks, params.meeting_interval),
            ),
            landscape=bundle(LandscapeRates, params),
            week=bundle(
                WeekRates,
                params,
                talks_informally=place and params.informal_contact_rate > 0,
            ),
            meeting=bundle(
                MeetingRates,
                params,
                **{
                    f"{channel}_channel": params.partner_channel_off != channel
                    for channel in PARTNER_CHANNELS
                },
            ),
            collapse=bundle(
                CollapseRule,
                params,
                attendance_meetings=meetings_in(params.attendance_weeks, params.meeting_interval),
                collapse_meetings=meetings_in(params.collapse_weeks, params.meeting_interval),
            ),
        )


SettingsStruct, SettingsRef, _new_reference = struct_of(Settings, __name__)


def reference(settings: Settings) -> SettingsRef:
    """``settings`` as one compiled reference, the form the mechanisms take."""
    return _new_reference(*settings)
