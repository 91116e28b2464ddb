"""What the model reports: per-step reporters and the per-run summary.

They are described in ``docs/odd.md``, section 4 (Observation).

Each reporter is declared once below with its unit, meaning and type, and computed with the
others in one compiled pass that writes it into its column by name (``observe_into``); the
model records one row of them per week (week 0 is the starting state). Counts of changes
are cumulative since the start of the run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from collabsim.jit import jit
from collabsim.mechanisms import counters, roles, trust_store, weekly
from collabsim.mechanisms.narrative import count_clusters

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel

#: Narrative positions closer than this belong to one cluster.
CLUSTER_GAP = 0.05

#: The smallest cluster of views counted, as a share of members (at least two people).
SMALLEST_CLUSTER = 0.02


@dataclass(frozen=True)
class Reporter:
    """A per-step output: its name, unit, meaning and type.

    Its value is computed with all the others in one compiled pass over the state
    (``observe``), which writes it into its column by name (``Column``).
    """

    name: str
    unit: str
    meaning: str
    dtype: type = float


REPORTERS: tuple[Reporter, ...] = (
    Reporter(
        "attendance_rate",
        "share",
        "Share of members at the latest meeting.",
    ),
    Reporter(
        "attendees",
        "people",
        "People at the latest meeting.",
        int,
    ),
    Reporter(
        "active_members",
        "people",
        "People still taking part in the network.",
        int,
    ),
    Reporter(
        "trust_mean",
        "0-1",
        "Mean trust between members.",
    ),
    Reporter(
        "trust_cross_org",
        "0-1",
        "Mean trust between members of different organisations.",
    ),
    Reporter(
        "trust_health_social",
        "0-1",
        "Mean trust across the health / social care divide.",
    ),
    Reporter(
        "trust_tops_bottoms",
        "0-1",
        "Mean trust between senior leaders and frontline staff.",
    ),
    Reporter(
        "trust_in_actor",
        "0-1",
        "Members' mean trust in the latest senior leader to act in self-interest (empty "
        "before any such act, or once they have moved on).",
    ),
    Reporter(
        "narrative_spread",
        "narrative units",
        "Spread (standard deviation) of views on the network's purpose; low is shared.",
    ),
    Reporter(
        "narrative_clusters",
        "clusters",
        "Distinct camps of view on the network's purpose.",
        int,
    ),
    Reporter(
        "commitment_mean",
        "0-1",
        "Mean commitment of members.",
    ),
    Reporter(
        "commitment_tops",
        "0-1",
        "Mean commitment of senior leaders in the network.",
    ),
    Reporter(
        "commitment_in_room",
        "0-1",
        "Mean commitment of the people who came to the latest meeting (empty before the first).",
    ),
    Reporter(
        "skill_mean",
        "0-1",
        "Mean quality-improvement skill of members.",
    ),
    Reporter(
        "frustration",
        "0-1",
        "Members' strain over the last quarter: setbacks and shortfall against hopes.",
    ),
    Reporter(
        "quality",
        "ratio",
        "Mean pathway quality relative to the start (1 = unchanged).",
    ),
    Reporter(
        "quality_vs_silo",
        "share of starting quality",
        "Pathway quality minus that of the same world without the network, under the same "
        "changes in the environment (0 = no better than silos).",
    ),
    Reporter(
        "changes_proposed",
        "changes",
        "Changes proposed so far.",
        int,
    ),
    Reporter(
        "changes_granted",
        "decisions",
        "Requests granted by senior leaders so far.",
        int,
    ),
    Reporter(
        "changes_blocked",
        "decisions",
        "Requests blocked by senior leaders so far.",
        int,
    ),
    Reporter(
        "changes_adopted",
        "changes",
        "Changes adopted into how pathways work so far.",
        int,
    ),
    Reporter(
        "big_bang_failures",
        "changes",
        "Big-bang redesigns that failed so far.",
        int,
    ),
    Reporter(
        "distributed_leadership_index",
        "share",
        "Share of pathway team members who have led an adopted change.",
    ),
    Reporter(
        "alive",
        "true/false",
        "Whether the network is still meeting.",
        bool,
    ),
    Reporter(
        "meeting",
        "true/false",
        "Whether a network meeting was held this week.",
        bool,
    ),
    Reporter(
        "aspiration_gap",
        "quality per year",
        "How far the improvement expected of each pathway exceeds what it achieved (at "
        "least 0), on average over pathways.",
    ),
    Reporter(
        "budget_cuts",
        "cuts",
        "Budget cuts so far: scheduled, and those of the run's funding history.",
        int,
    ),
)

REPORTER_NAMES: tuple[str, ...] = tuple(r.name for r in REPORTERS)

#: Each reporter by name.
REPORTER: dict[str, Reporter] = {r.name: r for r in REPORTERS}

#: Outputs (reporters and summary outputs) that compare the run with its silo twin: a
#: run asked for none of them can skip simulating the twin, a third to half of its cost.
SILO_TWIN_OUTPUTS: frozenset[str] = frozenset({"quality_vs_silo", "quality_gain_vs_silo"})


def needs_silo_twin(names: Iterable[str]) -> bool:
    """Whether a run asked for these outputs and reporters must simulate its silo twin."""
    return not SILO_TWIN_OUTPUTS.isdisjoint(names)


#: Each reporter's column in a row of ``observe``, by name: ``Column.trust_mean``. The
#: compiled pass writes every value into its column by name, so no two can be swapped.
Column = IntEnum("Column", REPORTER_NAMES, start=0, module=__name__)


@jit
def observe_into(world, silo_quality, convened, row):
    """Write every reporter's current value into ``row``, each in its ``Column``.

    One pass over the people for the counts, means and spreads; the trust store's group
    sums for the trust reporters; how the network stands for the rest. ``silo_quality`` is
    the silo twin's quality the same week, for ``quality_vs_silo`` (NaN: the run has no twin).
    """
    people, store, standing = world.people, world.trust, world.standing
    n = people.active.shape[0]
    members = tops = non_tops = leaders = in_room = 0
    commitment = commitment_tops = frustration = skill = room = 0.0
    views = np.empty(n)
    for i in range(n):
        if not people.active[i]:
            continue
        views[members] = people.narrative[i]
        members += 1
        commitment += people.commitment[i]
        frustration += people.frustration[i]
        skill += people.skill[i]
        if people.attended_last[i]:
            room += people.commitment[i]
            in_room += 1
        if people.role[i] == roles.TOP:
            if not people.steady[i]:
                tops += 1
                commitment_tops += people.commitment[i]
        elif people.pathway[i] >= 0:  # on a pathway team (the convener is not)
            non_tops += 1
            leaders += people.adopted[i] > 0
    views = views[:members]
    min_size = max(2, int(math.ceil(SMALLEST_CLUSTER * members)))
    actor = int(standing[weekly.LAST_ACTOR])
    # without a twin NaN, and 0 where the model is itself the silo world
    versus_silo = standing[weekly.QUALITY] - silo_quality if convened else 0.0

    row[Column.attendance_rate] = standing[weekly.ATTENDANCE_RATE]
    row[Column.attendees] = standing[weekly.ATTENDEES]
    row[Column.active_members] = members
    row[Column.trust_mean] = trust_store.group_mean(store, trust_store.ALL)
    row[Column.trust_cross_org] = trust_store.group_mean(store, trust_store.CROSS_ORG)
    row[Column.trust_health_social] = trust_store.group_mean(store, trust_store.HEALTH_SOCIAL)
    row[Column.trust_tops_bottoms] = trust_store.group_mean(store, trust_store.TOPS_BOTTOMS)
    row[Column.trust_in_actor] = trust_store.trust_in(store, actor) if actor >= 0 else np.nan
    row[Column.narrative_spread] = views.std() if members > 0 else np.nan
    row[Column.narrative_clusters] = count_clusters(views, CLUSTER_GAP, min_size)
    row[Column.commitment_mean] = commitment / members if members else np.nan
    row[Column.commitment_tops] = commitment_tops / tops if tops else np.nan
    row[Column.commitment_in_room] = room / in_room if in_room else np.nan
    row[Column.skill_mean] = skill / members if members else np.nan
    row[Column.frustration] = frustration / members if members else np.nan
    row[Column.quality] = standing[weekly.QUALITY]
    row[Column.quality_vs_silo] = versus_silo
    row[Column.changes_proposed] = world.counters[counters.PROPOSED]
    row[Column.changes_granted] = world.counters[counters.GRANTED]
    row[Column.changes_blocked] = world.counters[counters.BLOCKED]
    row[Column.changes_adopted] = world.counters[counters.ADOPTED]
    row[Column.big_bang_failures] = world.counters[counters.BIG_BANG_FAILURES]
    row[Column.distributed_leadership_index] = leaders / non_tops if non_tops else np.nan
    row[Column.alive] = standing[weekly.ALIVE]
    row[Column.meeting] = standing[weekly.MEETING_HELD]
    row[Column.aspiration_gap] = standing[weekly.ASPIRATION_GAP]
    row[Column.budget_cuts] = standing[weekly.BUDGET_CUTS]


def observe(model: CollaborationModel) -> np.ndarray:
    """The current values of all reporters, in the order of ``REPORTERS`` (``Column``)."""
    row = np.empty(len(REPORTERS))
    twin = model.silo_twin
    silo_quality = np.nan if twin is None else twin.network.quality
    observe_into(model.state.world, silo_quality, model.params.convened, row)
    return row


def timeseries_frame(rows: np.ndarray, weeks: Sequence[int] | None = None) -> pd.DataFrame:
    """Recorded rows as a DataFrame, indexed by ``week`` (0 is the start).

    Args:
        rows: One row of reporters per collection.
        weeks: The week each row was collected at; None for one row a week from week 0.
    """
    # one typed column each, made at once: retyping a made frame column by column cost
    # more than the rest of a short run's bookkeeping
    return pd.DataFrame(
        {reporter.name: rows[:, k].astype(reporter.dtype) for k, reporter in enumerate(REPORTERS)},
        index=pd.Index(
            np.arange(len(rows)) if weeks is None else weeks, dtype=np.int64, name="week"
        ),
    )


@dataclass(frozen=True)
class Output:
    """A per-run summary output: its meaning, its type, and whether it may be ``None``.

    Only ``collapse_step`` may be: the network never dissolved.
    """

    meaning: str
    dtype: type = float
    optional: bool = False


#: Per-run summary outputs, each declared once: name -> meaning and type.
SUMMARY: dict[str, Output] = {
    "sustained": Output("Whether the network was still alive at the end.", bool),
    "collapse_step": Output(
        "Week the network dissolved (None if it never did or was never convened).",
        int,
        optional=True,
    ),
    "sustainability_score": Output("Share of weeks the network was alive."),
    "final_trust_cross_org": Output("Trust across organisations at the end."),
    "final_narrative_spread": Output("Spread of views on purpose at the end."),
    "quality_gain": Output("Final pathway quality relative to the start, minus 1."),
    "quality_gain_mid": Output("Pathway quality at mid-horizon relative to the start, minus 1."),
    "quality_gain_vs_silo": Output(
        "Final pathway quality minus that of the same world without the "
        "network (its silo twin), as a share of the starting quality."
    ),
    "changes_adopted": Output("Changes adopted over the run.", int),
    "big_bang_failures": Output("Big-bang redesigns that failed over the run.", int),
    "block_rate": Output("Share of requests to senior leaders that were blocked."),
    "distributed_leadership_index": Output(
        "Share of pathway team members who had led an adopted change, at the end."
    ),
    "mean_attendance": Output("Mean attendance over the meetings held."),
    "attended_all_meetings": Output(
        "People (besides convener and central leader) who held their post "
        "throughout and attended every meeting.",
        int,
    ),
    "attended_two_thirds": Output(
        "Share of the people (besides convener and central leader) who held "
        "their post throughout who attended at least two-thirds of the meetings held."
    ),
    "meetings_held": Output("Network meetings held.", int),
    "exits": Output(
        "Members who left the network: drifting away, or with their organisation.", int
    ),
    "organisations_withdrawn": Output(
        "Organisations that withdrew from the network (the academic partner included).", int
    ),
    "turnover": Output("People who moved on and were replaced.", int),
    "self_interest_acts": Output("Self-interested acts by senior leaders.", int),
    "budget_cuts": Output(
        "Budget cuts over the run: scheduled, and those of its funding history.", int
    ),
    "trust_in_actor_before": Output(
        "Members' mean trust in the latest senior leader to act in "
        "self-interest, just before the act (empty if nobody did)."
    ),
    "power_participation": Output(
        "Rank correlation, across the people who held their post "
        "throughout, between formal power and the share of meetings they attended (negative: "
        "the powerful hold back)."
    ),
}


def output_title(output: str) -> str:
    """``output: its meaning`` for a summary output, as titles print it; else its name."""
    declared = SUMMARY.get(output)
    return f"{output}: {declared.meaning.rstrip('.')}" if declared else output


def present_throughout(model: CollaborationModel) -> np.ndarray:
    """Mask of the ordinary people who have held their post since the start.

    Leaves out the convener and (when there is one) the central leader, who come to
    every meeting by design.
    """
    s = model.state
    mask = s.people.joined_meeting == 0
    if s.convener >= 0:
        mask[s.convener] = False
    if model.params.central_leader_strength > 0:
        mask[s.central_leader] = False
    return mask


def summarise(model: CollaborationModel) -> dict[str, Any]:
    """The per-run summary of a finished model, from its recorded weeks and final state."""
    s = model.state
    # every week's reporters as one array, read by position: reading a frame's columns or
    # rows one by one cost more than a short run's weeks
    rows = model.datacollector.rows()
    steps = len(rows) - 1

    def column(reporter: str) -> np.ndarray:
        return rows[:, Column[reporter]]

    def last(reporter: str) -> float:
        return rows[-1, Column[reporter]]

    meetings = column("attendance_rate")[column("meeting") != 0]
    blocked = float(s.counters[counters.BLOCKED])
    decided = blocked + float(s.counters[counters.GRANTED])
    alive_weeks = int(column("alive")[1:].sum())
    throughout = present_throughout(model)
    held = model.network.meetings_held
    all_meetings = int(np.sum(throughout & (s.people.attended == held))) if held else 0
    two_thirds = (
        float(np.mean(s.people.attended[throughout] * 3 >= 2 * held))
        if held and throughout.any()
        else float("nan")
    )
    values = {
        "sustained": model.alive,
        "collapse_step": model.collapse_step,
        "sustainability_score": alive_weeks / steps if steps else float(model.alive),
        "final_trust_cross_org": last("trust_cross_org"),
        "final_narrative_spread": last("narrative_spread"),
        "quality_gain": last("quality") - 1.0,
        "quality_gain_mid": column("quality")[steps // 2] - 1.0,
        "quality_gain_vs_silo": last("quality_vs_silo"),
        "changes_adopted": last("changes_adopted"),
        "big_bang_failures": last("big_bang_failures"),
        "block_rate": blocked / decided if decided else float("nan"),
        "distributed_leadership_index": last("distributed_leadership_index"),
        "mean_attendance": float(meetings.mean()) if len(meetings) else float("nan"),
        "attended_all_meetings": all_meetings,
        "attended_two_thirds": two_thirds,
        "meetings_held": model.network.meetings_held,
        "exits": model.network.exits,
        "organisations_withdrawn": s.withdrawn.sum(),
        "turnover": model.network.turnover,
        "self_interest_acts": model.network.self_interest_acts,
        "budget_cuts": model.network.budget_cuts,
        "trust_in_actor_before": model.network.trust_in_actor_before,
        "power_participation": power_participation(model),
    }
    # Each value as the type its output declares (NumPy scalars become plain Python); only
    # an output declared optional may be None
    return {
        name: None if value is None and SUMMARY[name].optional else SUMMARY[name].dtype(value)
        for name, value in values.items()
    }


def power_participation(model: CollaborationModel) -> float:
    """Spearman correlation of formal power with the share of meetings attended.

    Over the ordinary people who held their post throughout (``present_throughout``);
    NaN when no meetings were held or either quantity does not vary. Computed as the
    Pearson correlation of the ranks (ties share their mean rank), as ``scipy.stats``
    does, without importing it: that import alone took longer than a model run, in
    every new process.
    """
    if not model.network.meetings_held:
        return float("nan")
    people = model.state.people
    who = present_throughout(model)
    power, share = people.base_power[who], people.attended[who] / model.network.meetings_held
    if who.sum() < 3 or np.ptp(power) == 0 or np.ptp(share) == 0:
        return float("nan")
    return float(np.corrcoef(average_ranks(power), average_ranks(share))[0, 1])


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their mean rank (``pandas.Series.rank()``'s default)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values))
    ranks[order] = np.repeat((starts + 1 + ends) / 2, ends - starts)
    return ranks
