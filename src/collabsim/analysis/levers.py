"""A study's sweeps as levers: what varies, each run's level, and checks that they agree.

A study's *levers* are what varies across its runs: every sweep's design factors, the
fixed parameters that differ between its sweeps (an event's week, say) and the scenario
when its sweeps start from different ones. Their names and levels come from the sweep
files, in the order those give them; the first level of each is the reference the
others are compared with. Their words are ``LEVER_WORDS`` for the twelve levers (the
robustness report's too), a parameter's declared meaning for the others.

Where a study's sweep files must repeat themselves (the factorial's levels in the
partner-off and partner-on files, the leadership files that differ only in an event's
week), ``study_design`` checks, before any run, that the copies agree: the same seeds and
weeks, the same levels in the same order, and levers fully crossed, so that a slip in
one copy (a level changed, a factor dropped, a parameter set in one file only) is
refused rather than analysed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from collabsim.analysis.studies import PipelineError, StudySpec
from collabsim.params import PARAMETERS
from collabsim.plots import EVENT_LABELS
from collabsim.sweeps.plan import SweepPlan
from collabsim.sweeps.result import SweepResult
from collabsim.sweeps.runner import parameter_columns

#: Each lever in a few plain words, for headlines and reports (others read as their name).
LEVER_WORDS: dict[str, str] = {
    "network_type": "The kind of network",
    "meeting_interval": "Weeks between meetings",
    "academic_partner": "A neutral academic partner",
    "partner_strength": "A stronger academic partner",
    "distributed_leadership": "Letting frontline teams decide small tests",
    "cede_willingness": "Willingness to cede territory",
    "incremental_share": "Small tests of change rather than big bangs",
    "central_leader_strength": "A strong central leader",
    "programme_intensity": "Leadership programmes",
    "results_pressure": "Pressure for quick results",
    "power_imbalance": "Power skewed towards health",
    "turnover_rate": "Staff turnover",
}

#: The column naming the scenario a run started from, when a study's sweeps differ in it.
SCENARIO = "scenario"

#: Words for the levers no parameter declaration names in words.
OTHER_WORDS = {SCENARIO: "kind of network", "events": "what happens"}


def lever_words(lever: str) -> str:
    """A lever in words, lower case, as it reads mid-sentence (``willingness to cede ...``).

    The twelve levers read as ``LEVER_WORDS`` has them;
    another parameter as its declared meaning; the scenario and events as
    ``OTHER_WORDS``; anything else as its name with spaces.
    """
    if lever in LEVER_WORDS:
        words = LEVER_WORDS[lever]
    elif lever in OTHER_WORDS:
        words = OTHER_WORDS[lever]
    elif lever in PARAMETERS:
        words = PARAMETERS[lever].meaning.rstrip(".")
    else:
        words = _words(lever)
    return words[:1].lower() + words[1:]


@dataclass
class StudyData:
    """A study's runs, with each run's level of every lever.

    Attributes:
        spec: The study.
        runs: The finished runs of all its sweeps (status ``ok``), with ``sweep`` and
            ``scenario`` columns added.
        levels: One column per lever, aligned with ``runs``: each run's level (the
            parameter's value; for a nested lever and for events, words).
        order: Each lever's levels in the order the sweep files give them; the first is
            the reference.
        steps: Weeks every run simulated.
        failed: Runs that raised (left out of ``runs``), and the first error.
    """

    spec: StudySpec
    runs: pd.DataFrame
    levels: pd.DataFrame
    order: dict[str, list[Any]]
    steps: int
    failed: tuple[int, str | None] = (0, None)


@dataclass(frozen=True)
class SweepFacts:
    """What a study needs to know of one of its sweeps, planned or run.

    Attributes:
        name: The sweep's name.
        scenario: The scenario it starts from.
        fixed: Its fixed parameters (``[params]``), by name, as set.
        factors: Its design factors, by name: their levels, or None for a range.
        steps: Weeks per run.
        seeds: The replicate seeds.
        table: Every parameter as a runs table's column (plus ``sweep`` and ``scenario``):
            one row per design point of a plan, one per run of a result (with its
            ``status``, ``seed`` and outputs).
    """

    name: str
    scenario: str | None
    fixed: dict[str, Any]
    factors: dict[str, list[Any] | None]
    steps: int
    seeds: tuple[int, ...]
    table: pd.DataFrame

    @classmethod
    def of_plan(cls, plan: SweepPlan) -> SweepFacts:
        """The facts of a planned sweep."""
        table = pd.DataFrame(
            [plan.task(point * plan.replicates).params for point in range(len(plan.design))]
        )
        return cls(
            plan.name,
            plan.scenario,
            {name: plan.base[name] for name in plan.fixed},
            {f.name: list(f.levels) if f.levels else None for f in plan.design.factors},
            plan.steps,
            plan.seeds,
            table.assign(sweep=plan.name, **{SCENARIO: plan.scenario}),
        )

    @classmethod
    def of_result(cls, result: SweepResult) -> SweepFacts:
        """The facts of a sweep's results folder."""
        meta = result.meta
        first = result.runs.iloc[0] if len(result.runs) else {}
        return cls(
            meta["name"],
            meta.get("scenario"),
            {name: first.get(name) for name in meta["fixed"]},
            {name: f.get("levels") for name, f in meta["design"]["factors"].items()},
            meta["steps"],
            tuple(meta["replicate_seeds"]),
            result.runs.assign(sweep=meta["name"], **{SCENARIO: meta.get("scenario")}),
        )


def study_design(
    spec: StudySpec, sweeps: list[SweepFacts]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[Any]]]:
    """A study's sweeps joined, each row's level of every lever, and the levers' levels.

    The levers: what tells the sweeps apart first (the scenario, then fixed parameters
    whose values differ between them: an event's week, the partner switched off), then
    the design factors; a nested setting is part of its switch's lever, not one of its
    own. Called on the plans before any run, and on the results after.

    Returns:
        The sweeps' tables joined (``SweepFacts.table``), the levels (one column per
        lever, aligned with it) and each lever's levels in order (the first is the
        reference).

    Raises:
        PipelineError: The sweeps run different weeks or seeds; a factor with different
            levels in two sweeps; levers that are not fully crossed; or a lever named
            by ``nested``, ``within``, ``interactions`` or ``heat_maps`` that does not
            vary in the study.
    """
    where = f"study {spec.name!r}"
    for what, values in (
        ("weeks", {sweep.steps for sweep in sweeps}),
        ("seeds", {sweep.seeds for sweep in sweeps}),
    ):
        if len(values) > 1:
            runs = "; ".join(
                f"{sweep.name}: {len(sweep.seeds)} seeds, the first {sweep.seeds[0]}"
                if what == "seeds"
                else f"{sweep.name}: {sweep.steps} weeks"
                for sweep in sweeps
            )
            raise PipelineError(
                f"{where}: its sweeps differ in their {what} ({runs}); a "
                "study compares its levels seed by seed over one horizon, so "
                "give every sweep the same seed, replicates and steps"
            )
    declared: dict[str, Any] = {}
    for sweep in sweeps:
        for name, levels in sweep.factors.items():
            if name in declared and levels is not None and declared[name] != levels:
                raise PipelineError(
                    f"{where}: {name} has levels {declared[name]} in one sweep and {levels} "
                    "in another; declare the same levels, in the same order, in both"
                )
            declared.setdefault(name, levels)
    differing = [
        name
        for sweep in sweeps
        for name in sweep.fixed
        if len({str(other.fixed.get(name, PARAMETERS[name].default)) for other in sweeps}) > 1
    ]
    scenario = [SCENARIO] if len({sweep.scenario for sweep in sweeps}) > 1 else []
    levers = list(dict.fromkeys([*scenario, *differing, *declared]))
    for switch in spec.nested:
        if switch not in levers:
            raise PipelineError(
                f"{where}: nested lever {switch!r} does not vary in the study; "
                f"its levers: {', '.join(levers)}"
            )
    settings = {s for names in spec.nested.values() for s in names}
    levers = [lever for lever in levers if lever not in settings]
    for lever in [*spec.within, *(x for pair in spec.interactions + spec.heat_maps for x in pair)]:
        if lever not in levers:
            raise PipelineError(
                f"{where}: {lever!r} is not a lever of the study; its levers: {', '.join(levers)}"
            )
    table = pd.concat([sweep.table for sweep in sweeps], ignore_index=True)
    levels = pd.DataFrame(index=table.index)
    for lever in levers:
        if lever in spec.nested:
            levels[lever] = _nested_levels(table, lever, spec.nested[lever])
        else:
            levels[lever] = _levels(table, lever)
    order = {lever: list(dict.fromkeys(levels[lever].tolist())) for lever in levels}
    _check_crossed(where, levels, order)
    return table, levels, order


def study_data(spec: StudySpec, results: list[SweepResult]) -> StudyData:
    """Join a study's sweeps and name each run's levers (see ``StudyData``).

    Raises:
        PipelineError: As ``study_design``; or every run failed.
    """
    facts = [SweepFacts.of_result(result) for result in results]
    runs, levels, order = study_design(spec, facts)
    failed = (runs["status"] != "ok").to_numpy()
    first_error = runs.loc[failed, "error"].iloc[0] if failed.any() else None
    if failed.all():
        raise PipelineError(f"study {spec.name!r}: every run failed ({first_error})")
    runs = runs.loc[~failed].reset_index(drop=True)
    levels = levels.loc[~failed].reset_index(drop=True)
    return StudyData(spec, runs, levels, order, facts[0].steps, (int(failed.sum()), first_error))


def _words(name: str) -> str:
    return name.replace("_", " ")


def _nested_levels(runs: pd.DataFrame, switch: str, settings: tuple[str, ...]) -> pd.Series:
    """``off``, or ``on`` with each setting that varies where the switch is on."""
    on = runs[switch].astype(bool)
    varying = [s for s in settings if runs.loc[on, s].nunique() > 1]
    labels = pd.Series("off", index=runs.index, dtype=object)
    for index in runs.index[on]:
        parts = [f"{_words(s)} {level_text(runs.at[index, s])}" for s in varying]
        labels[index] = ", ".join(["on", *parts])
    return labels


def level_text(value: Any) -> str:
    """A lever's level as the report and figures print it."""
    if isinstance(value, (bool, np.bool_)):
        return "on" if value else "off"
    if isinstance(value, (float, np.floating)):
        return np.format_float_positional(float(value), precision=4, trim="-")
    return str(value)


def _levels(table: pd.DataFrame, lever: str) -> pd.Series:
    """Each row's level of ``lever``: its value; events in words, other lists as text.

    A level is compared and counted, so a list (the organisation kinds) becomes the text
    ``collabsim run`` accepts (``acute_trust,pharmacy``).
    """
    if lever == "events":
        return table[lever].map(_event_words)
    if lever in PARAMETERS and PARAMETERS[lever].kind == "kinds":
        return table[lever].map(lambda kinds: parameter_columns({lever: kinds})[lever])
    return table[lever]


def _event_words(events: Any) -> str:
    """A run's events (``[{"step": 13, "kind": "central_leader_leaves"}]``) in words."""
    if not isinstance(events, list) or not events:
        return "none"
    return "; ".join(
        f"{EVENT_LABELS.get(event['kind'], _words(event['kind']))} in week {event['step']}"
        + (f" ({_words(event['organisation'])})" if event.get("organisation") else "")
        for event in events
    )


def _check_crossed(where: str, levels: pd.DataFrame, order: dict[str, list[Any]]) -> None:
    """Refuse levers that are not fully crossed (every combination, equally often)."""
    counts = levels.astype(str).value_counts()
    expected = int(np.prod([len(values) for values in order.values()]))
    if len(counts) != expected or counts.nunique() != 1:
        raise PipelineError(
            f"{where}: its levers ({', '.join(order)}) are not fully crossed: "
            f"{len(counts)} combinations of {expected} are run, "
            f"{counts.min()} to {counts.max()} times each. Each level of a lever is compared "
            "averaged over the others, which needs every combination equally often"
        )
