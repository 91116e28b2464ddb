"""Pattern metrics the summary outputs and reporters do not give directly.

Each is a ``Custom`` metric: a named function of one arm's runs and time series (see
``collabsim.validation.metrics``), one value per run in the order of ``runs``, NaN where
a run has no value (a run whose network never dissolved has no loss after dissolving).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabsim.validation.metrics import Custom, Summary, by_replicate, in_week

#: Trust in a self-interested actor counts as fallen, or rebuilt, after a move of this size.
TRUST_STEP = 0.2


def _series(timeseries: pd.DataFrame, reporter: str) -> dict[int, np.ndarray]:
    """Each run's whole series of a reporter, by replicate."""
    ordered = timeseries.sort_values(["replicate", "step"])
    return {
        int(r): g[reporter].to_numpy(dtype=float)
        for r, g in ordered.groupby("replicate", sort=True)
    }


SUSTAINED = Summary("sustained")


def _network_weeks(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The rows of the weeks a run's network worked: while alive, and the week it dissolved.

    A network is judged at the end of its week (``docs/odd.md`` section 3), so the week it
    dissolves its change work was still done with the network on: that row counts too.
    """
    ordered = timeseries.sort_values(["replicate", "step"])
    alive = ordered["alive"].astype(bool)
    was_alive = alive.groupby(ordered["replicate"]).shift(1, fill_value=True).astype(bool)
    return ordered.loc[alive | was_alive]


def in_last_network_week(reporter: str, name: str, meaning: str) -> Custom:
    """A reporter's value in the last week a run's network worked (``_network_weeks``)."""

    def function(runs, timeseries):
        return by_replicate(_network_weeks(timeseries).groupby("replicate")[reporter].last(), runs)

    return Custom(name, function, reporters=(reporter, "alive"), meaning=meaning)


ADOPTED_WHILE_ALIVE = in_last_network_week(
    "changes_adopted",
    "changes adopted while alive",
    "changes adopted through the network while it worked: `changes_adopted` in the last "
    "week with `alive` true or in the week the network dissolved, whose change work it "
    "still did (silo work after the network dissolved is not the network's doing)",
)

LEADERSHIP_WHILE_ALIVE = in_last_network_week(
    "distributed_leadership_index",
    "distributed leadership index while alive",
    "`distributed_leadership_index` in the last week the network worked: the last week, or "
    "the week it dissolved (changes frontline members led in silos afterwards are not the "
    "network's distributed leadership)",
)


def _people_per_meeting(runs, timeseries):
    meetings = timeseries.loc[timeseries["meeting"].astype(bool)]
    return by_replicate(meetings.groupby("replicate")["attendees"].mean(), runs)


PEOPLE_PER_MEETING = Custom(
    "people per meeting",
    _people_per_meeting,
    reporters=("attendees", "meeting"),
    meaning="mean number of people at a network meeting (`attendees`), over the weeks a "
    "meeting was held",
)


def smaller_after(week: int) -> Custom:
    """People per meeting after ``week`` minus before it (NaN without meetings after)."""

    def function(runs, timeseries):
        meetings = timeseries.loc[timeseries["meeting"].astype(bool)]
        people = meetings["attendees"]
        after = people[meetings["step"] > week].groupby(meetings["replicate"]).mean()
        before = people[meetings["step"] <= week].groupby(meetings["replicate"]).mean()
        return by_replicate(after, runs) - by_replicate(before, runs)

    return Custom(
        f"people per meeting after week {week} minus before",
        function,
        reporters=("attendees", "meeting"),
        meaning=f"mean people per meeting (`attendees`) after week {week} minus the mean up to "
        f"week {week} (empty if no meeting was held after it)",
        weeks=(week,),
    )


def block_rate(start: int, end: int) -> Custom:
    """Share of decisions in weeks ``start`` to ``end``, both included, that were blocks.

    The counters are cumulative and row k holds them after week k, so the decisions of
    weeks ``start``..``end`` are the counts at ``end`` less those at ``start - 1``.
    """
    before = max(start - 1, 0)  # week 0 is the starting state: nothing decided yet

    def function(runs, timeseries):
        blocked = in_week(timeseries, "changes_blocked", end) - in_week(
            timeseries, "changes_blocked", before
        )
        granted = in_week(timeseries, "changes_granted", end) - in_week(
            timeseries, "changes_granted", before
        )
        decided = blocked + granted
        return by_replicate(blocked / decided.where(decided > 0), runs)

    return Custom(
        f"block rate weeks {start}-{end}",
        function,
        reporters=("changes_blocked", "changes_granted"),
        meaning=f"requests blocked over requests decided in weeks {start} to {end}, both "
        f"included (from the cumulative `changes_blocked` and `changes_granted`)",
        weeks=(before, end),
    )


def gain_while_sustained(start: int, end: int) -> Custom:
    """Rise in ``quality_vs_silo`` from ``start`` to ``end``, in runs alive at the run's end."""

    def function(runs, timeseries):
        rise = in_week(timeseries, "quality_vs_silo", end) - in_week(
            timeseries, "quality_vs_silo", start
        )
        alive = in_week(timeseries, "alive", timeseries["step"].max()).astype(bool)
        return by_replicate(rise.where(alive), runs)

    return Custom(
        f"quality vs silo, week {start} to {end}, sustained",
        function,
        reporters=("quality_vs_silo", "alive"),
        meaning=f"`quality_vs_silo` in week {end} minus in week {start}, in runs "
        f"whose network is still alive in the run's last week (empty otherwise)",
        weeks=(start, end),
    )


def _loss_after_collapse(runs, timeseries):
    out = np.full(len(runs), np.nan)
    series = _series(timeseries, "quality_vs_silo")
    steps = _series(timeseries, "step")
    for k, (replicate, collapse) in enumerate(
        zip(runs["replicate"], runs["collapse_step"], strict=True)
    ):
        if pd.notna(collapse) and collapse <= 200:
            at = np.searchsorted(steps[int(replicate)], int(collapse))
            out[k] = series[int(replicate)][at] - series[int(replicate)][-1]
    return out


LOSS_AFTER_COLLAPSE = Custom(
    "quality vs silo lost after dissolving",
    _loss_after_collapse,
    reporters=("quality_vs_silo",),
    outputs=("collapse_step",),
    meaning="`quality_vs_silo` in the week the network dissolved minus at the end, in runs "
    "whose network dissolved by week 200 (empty otherwise)",
)


def _tops_commitment_gap(runs, timeseries):
    last = timeseries["step"].max()
    return by_replicate(
        in_week(timeseries, "commitment_tops", last) - in_week(timeseries, "commitment_mean", last),
        runs,
    )


TOPS_COMMITMENT_GAP = Custom(
    "tops' commitment minus members'",
    _tops_commitment_gap,
    reporters=("commitment_tops", "commitment_mean"),
    meaning="`commitment_tops` minus `commitment_mean` in the last week",
)


def _top_tier_lag(runs, timeseries):
    last = timeseries["step"].max()

    def rise(reporter):
        return in_week(timeseries, reporter, last) - in_week(timeseries, reporter, 0)

    return by_replicate(rise("trust_tops_bottoms") - rise("trust_cross_org"), runs)


TOP_TIER_LAG = Custom(
    "rise in tops-bottoms trust minus rise in cross-organisation trust",
    _top_tier_lag,
    reporters=("trust_tops_bottoms", "trust_cross_org"),
    meaning="the change in `trust_tops_bottoms` from week 0 to the last week minus the change "
    "in `trust_cross_org`",
)


def _divide_kept(runs, timeseries):
    last = timeseries["step"].max()

    def gap(week):
        return in_week(timeseries, "trust_cross_org", week) - in_week(
            timeseries, "trust_health_social", week
        )

    return by_replicate(gap(last) / gap(0).where(gap(0) > 0), runs)


DIVIDE_KEPT = Custom(
    "health / social care gap kept",
    _divide_kept,
    reporters=("trust_cross_org", "trust_health_social"),
    meaning="the gap between `trust_cross_org` and `trust_health_social` in the last week, "
    "over the gap in week 0",
)


def _narrative_convergence(runs, timeseries):
    last = timeseries["step"].max()
    return by_replicate(
        in_week(timeseries, "narrative_spread", 0) - in_week(timeseries, "narrative_spread", last),
        runs,
    )


NARRATIVE_CONVERGENCE = Custom(
    "fall in narrative spread",
    _narrative_convergence,
    reporters=("narrative_spread",),
    meaning="`narrative_spread` in week 0 minus in the last week",
)


def _narrative_left(runs, timeseries):
    last = timeseries["step"].max()
    start = in_week(timeseries, "narrative_spread", 0)
    return by_replicate(
        in_week(timeseries, "narrative_spread", last) / start.where(start > 0), runs
    )


NARRATIVE_LEFT = Custom(
    "narrative spread left",
    _narrative_left,
    reporters=("narrative_spread",),
    meaning="`narrative_spread` in the last week over its value in week 0",
)


def _trust_weeks(runs, timeseries):
    """Weeks for trust in the actor to fall ``TRUST_STEP``, and to climb it back from its low.

    Both count from the week of the act (the first week ``trust_in_actor`` has a value);
    a move that never happens is censored at the end of the run.
    """
    series = _series(timeseries, "trust_in_actor")
    fall = np.full(len(runs), np.nan)
    rebuild = np.full(len(runs), np.nan)
    for k, (replicate, before) in enumerate(
        zip(runs["replicate"], runs["trust_in_actor_before"], strict=True)
    ):
        history = series[int(replicate)]
        acted = np.flatnonzero(~np.isnan(history))
        if pd.isna(before) or not acted.size:
            continue
        after = history[acted[0] :]
        after = after[: np.argmax(np.isnan(after))] if np.isnan(after).any() else after
        fallen = np.flatnonzero(after <= before - TRUST_STEP)
        fall[k] = fallen[0] + 1 if fallen.size else after.size
        low = int(np.argmin(after))
        climbed = np.flatnonzero(after[low:] >= after[low] + TRUST_STEP)
        rebuild[k] = climbed[0] if climbed.size else after.size - low
    return fall, rebuild


_TRUST_READS = dict(reporters=("trust_in_actor",), outputs=("trust_in_actor_before",))

TRUST_FALL_WEEKS = Custom(
    "weeks for trust in the actor to fall",
    lambda r, t: _trust_weeks(r, t)[0],
    **_TRUST_READS,
    meaning=f"weeks from the act until members' mean trust in the actor (`trust_in_actor`) is "
    f"{TRUST_STEP:g} below its level just before (`trust_in_actor_before`); 1 if at once",
)

TRUST_ASYMMETRY = Custom(
    "weeks to rebuild trust minus weeks to lose it",
    lambda r, t: _trust_weeks(r, t)[1] - _trust_weeks(r, t)[0],
    **_TRUST_READS,
    meaning=f"weeks for trust in the actor to climb {TRUST_STEP:g} above its low point "
    f"(censored at the end of the run, or when the actor moves on) minus weeks for it to "
    f"fall {TRUST_STEP:g}",
)


def _rebuilt_slowly(runs, timeseries):
    rebuild = _trust_weeks(runs, timeseries)[1]
    return np.where(np.isnan(rebuild), np.nan, rebuild >= 26)


TRUST_REBUILT_SLOWLY = Custom(
    "trust in the actor rebuilt slowly",
    _rebuilt_slowly,
    binary=True,
    **_TRUST_READS,
    meaning=f"whether climbing {TRUST_STEP:g} above the low point takes at least 26 weeks",
)
