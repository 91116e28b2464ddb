"""The pipeline file: which sweeps make up each study, and the studies' runs as levers.

A pipeline file (``experiments/results/pipeline.toml``) names sweep files (the
existing experiment format, ``collabsim.sweeps.files``) and groups them into studies::

    [pipeline]
    question = "How do ... affect whether a network lasts?"
    out = "results/report"
    outcomes = ["sustained", "quality_gain_vs_silo"]
    pool_efficiency = 0.7

    [quick]                   # --quick: every sweep cut down
    out = "results/report_quick"
    replicates = 3
    steps = 52
    n = 24

    [labels]                  # optional: words for levers whose names read badly
    n_people = "people in the network"

    [[studies]]
    name = "levers"
    title = "The four levers together"
    sweeps = ["levers_partner_off.toml", "levers_partner_on.toml"]
    nested = {academic_partner = ["partner_strength"]}   # one lever: off, or on at each
    cox = true                                            # strength
    interactions = [["cede_willingness", "distributed_leadership"]]
    heat_maps = [["cede_willingness", "distributed_leadership"]]
    within = []               # levers to break the other levers' effects down by

    [discovery]
    sweep = "discovery_lhs.toml"
    outcome = "sustained"
    threshold = 0.8

A study's *levers* are what varies across its runs: every sweep's design factors, the
fixed parameters that differ between its sweeps (an event's week, say) and the scenario
when its sweeps start from different ones. Nothing about levers is written here: their
names and levels come from the sweep files, in the order those give them, and the first
level of each is the reference the others are compared with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from collabsim.metrics import SUMMARY
from collabsim.params import PARAMETERS, _suggest
from collabsim.plots import EVENT_LABELS
from collabsim.sweeps.files import check_tables, read_sweep_file, read_toml
from collabsim.sweeps.plan import SweepPlan
from collabsim.sweeps.store import SweepResult

#: The column naming the scenario a run started from, when a study's sweeps differ in it.
SCENARIO = "scenario"

_PIPELINE_KEYS = {"question": str, "out": str, "outcomes": list, "pool_efficiency": float}
_QUICK_KEYS = {"out": str, "replicates": int, "steps": int, "n": int}
_STUDY_KEYS = ("name", "title", "sweeps", "nested", "cox", "interactions", "heat_maps",
               "within")
_DISCOVERY_KEYS = {"sweep": str, "outcome": str, "threshold": float}


class PipelineError(ValueError):
    """A pipeline file or study that cannot be run: the message names the field and fix."""


@dataclass(frozen=True)
class Quick:
    """How ``--quick`` cuts every sweep down (see the module docstring)."""

    out: Path
    replicates: int
    steps: int
    n: int


@dataclass(frozen=True)
class StudySpec:
    """One study: its sweep files and the analyses the pipeline makes of it."""

    name: str
    title: str
    sweeps: tuple[Path, ...]
    nested: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cox: bool = False
    interactions: tuple[tuple[str, str], ...] = ()
    heat_maps: tuple[tuple[str, str], ...] = ()
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscoverySpec:
    """The scenario-discovery sweep, the outcome and the share that makes a point a case."""

    sweep: Path
    outcome: str
    threshold: float


@dataclass(frozen=True)
class PipelineSpec:
    """A pipeline file, read and checked."""

    source: Path
    question: str
    out: Path
    outcomes: tuple[str, ...]
    pool_efficiency: float
    quick: Quick
    labels: dict[str, str]
    studies: tuple[StudySpec, ...]
    discovery: DiscoverySpec

    def sweep_files(self) -> list[Path]:
        """Every sweep file once, in the order the studies (then discovery) name them."""
        files = [path for study in self.studies for path in study.sweeps]
        return list(dict.fromkeys([*files, self.discovery.sweep]))

    def label(self, lever: str) -> str:
        """A lever's name in words: its ``[labels]`` entry, else the name with spaces."""
        return self.labels.get(lever, lever.replace("_", " "))


def read_pipeline(path: str | Path) -> PipelineSpec:
    """Read and check a pipeline file (sweep paths are relative to its folder).

    Raises:
        PipelineError: The file is missing or malformed: a table, key or value not
            allowed, a sweep file that does not exist, or two studies with one name.
    """
    path = Path(path)
    data = read_toml(path, "pipeline file", PipelineError)

    def fail(message: str) -> PipelineError:
        """An error naming the file."""
        return PipelineError(f"{path}: {message}")

    check_tables(data, ("pipeline", "quick", "labels", "studies", "discovery"), fail)
    for table in ("pipeline", "quick", "discovery"):
        if not isinstance(data.get(table), dict):
            raise fail(f"no [{table}] table; see collabsim.analysis.studies for the format")
    pipeline = _typed(data["pipeline"], _PIPELINE_KEYS, "[pipeline]", fail)
    quick = _typed(data["quick"], _QUICK_KEYS, "[quick]", fail)
    for key in ("replicates", "steps", "n"):
        if quick[key] < 1:
            raise fail(f"[quick] {key}={quick[key]!r} is not allowed: expected a whole "
                       "number >= 1")
    if not 0 < pipeline["pool_efficiency"] <= 1:
        raise fail(f"[pipeline] pool_efficiency={pipeline['pool_efficiency']!r} is not "
                   "allowed: expected a share above 0 and at most 1")
    labels = data.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise fail("[labels] must be a table of lever = \"words\"")
    for name in labels:
        if name not in PARAMETERS and name != SCENARIO:
            hint = _suggest(name, [*PARAMETERS, SCENARIO])
            raise fail(f"[labels]: {name!r} is not a parameter (nor {SCENARIO!r})"
                       + (f"; {hint}" if hint else ""))
    for where, outcome in [*(("[pipeline] outcomes", o) for o in pipeline["outcomes"]),
                           ("[discovery] outcome", data["discovery"].get("outcome"))]:
        if outcome is not None and outcome not in SUMMARY:
            hint = _suggest(str(outcome), SUMMARY)
            raise fail(f"{where}: {outcome!r} is not a summary output"
                       + (f"; {hint}" if hint else f"; allowed: {', '.join(SUMMARY)}"))
    studies = data.get("studies")
    if not isinstance(studies, list) or not studies:
        raise fail("no [[studies]] tables: name at least one study and its sweep files")
    specs = tuple(_study(entry, number, path.parent, fail)
                  for number, entry in enumerate(studies, start=1))
    names = [spec.name for spec in specs]
    twice = {name for name in names if names.count(name) > 1}
    if twice:
        raise fail(f"two studies are named {sorted(twice)[0]!r}: each needs its own name")
    discovery = _typed(data["discovery"], _DISCOVERY_KEYS, "[discovery]", fail)
    if not 0 < discovery["threshold"] <= 1:
        raise fail(f"[discovery] threshold={discovery['threshold']!r} is not allowed: "
                   "expected a share above 0 and at most 1")
    return PipelineSpec(
        source=path, question=" ".join(pipeline["question"].split()),
        out=Path(pipeline["out"]), outcomes=tuple(pipeline["outcomes"]),
        pool_efficiency=float(pipeline["pool_efficiency"]),
        quick=Quick(Path(quick["out"]), quick["replicates"], quick["steps"], quick["n"]),
        labels=dict(labels), studies=specs,
        discovery=DiscoverySpec(_sweep_path(discovery["sweep"], path.parent, "[discovery]",
                                            fail), discovery["outcome"],
                                float(discovery["threshold"])))


def _typed(table: dict[str, Any], keys: dict[str, type], where: str, fail) -> dict[str, Any]:
    for key in table:
        if key not in keys:
            hint = _suggest(key, keys)
            raise fail(f"{where}: unknown key {key!r}; allowed: {', '.join(keys)}"
                       + (f"; {hint}" if hint else ""))
    for key, kind in keys.items():
        if key not in table:
            raise fail(f"{where} needs {key}")
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = table[key] = float(value)
        if isinstance(value, bool) or not isinstance(value, kind):
            raise fail(f"{where} {key}={value!r} is not allowed: expected {kind.__name__}")
    return dict(table)


def _sweep_path(text: Any, folder: Path, where: str, fail) -> Path:
    if not isinstance(text, str) or not text.endswith(".toml"):
        raise fail(f"{where}: sweep {text!r} is not allowed: expected the name of a sweep "
                   "file (.toml) beside the pipeline file")
    path = Path(text) if Path(text).is_absolute() else folder / text
    if not path.is_file():
        raise fail(f"{where}: no such sweep file {str(path)!r}")
    return path


def _pairs(value: Any, key: str, where: str, fail) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
            for pair in value):
        raise fail(f"{where} {key}={value!r} is not allowed: expected a list of pairs of "
                   'lever names, e.g. [["cede_willingness", "distributed_leadership"]]')
    return tuple((a, b) for a, b in value)


def _study(entry: Any, number: int, folder: Path, fail) -> StudySpec:
    where = f"[[studies]] number {number}"
    if not isinstance(entry, dict):
        raise fail(f"{where} must be a table")
    for key in entry:
        if key not in _STUDY_KEYS:
            hint = _suggest(key, _STUDY_KEYS)
            raise fail(f"{where}: unknown key {key!r}; allowed: {', '.join(_STUDY_KEYS)}"
                       + (f"; {hint}" if hint else ""))
    name, title = entry.get("name"), entry.get("title")
    if not isinstance(name, str) or not name.isidentifier():
        raise fail(f"{where}: name={name!r} is not allowed: expected a short name of "
                   "letters, digits and underscores (it names files)")
    where = f"study {name!r}"
    if not isinstance(title, str) or not title.strip():
        raise fail(f"{where} needs a title, in plain words")
    sweeps = entry.get("sweeps")
    if not isinstance(sweeps, list) or not sweeps:
        raise fail(f"{where} needs sweeps, a list of sweep files")
    nested = entry.get("nested", {})
    if not isinstance(nested, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in nested.values()):
        raise fail(f"{where} nested={nested!r} is not allowed: expected a table of switch = "
                   '["setting", ...], e.g. {academic_partner = ["partner_strength"]}')
    for switch in nested:
        if switch not in PARAMETERS or PARAMETERS[switch].kind != "bool":
            raise fail(f"{where} nested: {switch!r} is not a true/false parameter; a nested "
                       "lever's settings apply only where its switch is on")
    within = entry.get("within", [])
    if not isinstance(within, list) or not all(isinstance(x, str) for x in within):
        raise fail(f"{where} within={within!r} is not allowed: expected a list of levers")
    cox = entry.get("cox", False)
    if not isinstance(cox, bool):
        raise fail(f"{where} cox={cox!r} is not allowed: expected true or false")
    return StudySpec(name=name, title=title.strip(),
                     sweeps=tuple(_sweep_path(s, folder, where, fail) for s in sweeps),
                     nested={k: tuple(v) for k, v in nested.items()}, cox=cox,
                     interactions=_pairs(entry.get("interactions", []), "interactions", where,
                                         fail),
                     heat_maps=_pairs(entry.get("heat_maps", []), "heat_maps", where, fail),
                     within=tuple(within))


# --- the sweeps' options -------------------------------------------------------------


def sweep_options(path: Path, *, runs_folder: Path, quick: Quick | None) -> dict[str, Any]:
    """A sweep file's options for ``collabsim.sweeps.iter_sweep``, cut down for ``--quick``.

    Its results go to ``runs_folder/<sweep name>``. With ``quick``: its replicates and
    steps; a sampled design's size ``n`` (a Sobol' design's rounded down to a power of
    2); a grid's list of levels cut to its first and last, a range to its two ends.
    """
    options = read_sweep_file(path)
    if quick is not None:
        options["replicates"] = quick.replicates
        options["steps"] = quick.steps
        design = options.get("design", "grid")
        if design in ("lhs", "morris"):
            options["n"] = quick.n
        elif design == "sobol":
            options["n"] = 1 << (quick.n.bit_length() - 1)
        elif design == "grid":
            options["levels"] = 2
            options["factors"] = {name: [spec[0], spec[-1]] if isinstance(spec, list)
                                  and len(spec) > 1 else spec
                                  for name, spec in options["factors"].items()}
    options["out"] = runs_folder / options["name"]
    return options


# --- a study's runs as levers --------------------------------------------------------


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
        paired: Whether every sweep ran the same seeds, so levels compare seed by seed.
        failed: Runs that raised (left out of ``runs``), and the first error.
    """

    spec: StudySpec
    runs: pd.DataFrame
    levels: pd.DataFrame
    order: dict[str, list[Any]]
    steps: int
    paired: bool
    failed: tuple[int, str | None] = (0, None)


@dataclass(frozen=True)
class SweepFacts:
    """What a study needs to know of one of its sweeps, planned or run.

    Attributes:
        scenario: The scenario it starts from.
        fixed: Its fixed parameters (``[params]``), by name, as set.
        factors: Its design factors, by name: their levels, or None for a range.
        steps: Weeks per run.
        seeds: The replicate seeds.
    """

    scenario: str | None
    fixed: dict[str, Any]
    factors: dict[str, list[Any] | None]
    steps: int
    seeds: tuple[int, ...]

    @classmethod
    def of_plan(cls, plan: SweepPlan) -> SweepFacts:
        """The facts of a planned sweep."""
        return cls(plan.scenario, {name: plan.base[name] for name in plan.fixed},
                   {f.name: list(f.levels) if f.levels else None for f in plan.design.factors},
                   plan.steps, plan.seeds)

    @classmethod
    def of_result(cls, result: SweepResult) -> SweepFacts:
        """The facts of a sweep's results folder."""
        meta = result.meta
        first = result.runs.iloc[0] if len(result.runs) else {}
        return cls(meta.get("scenario"), {name: first.get(name) for name in meta["fixed"]},
                   {name: f.get("levels") for name, f in meta["design"]["factors"].items()},
                   meta["steps"], tuple(meta["replicate_seeds"]))


def study_levers(spec: StudySpec, sweeps: list[SweepFacts]) -> list[str]:
    """A study's levers, in order, checked against the study's own options.

    What tells the sweeps apart comes first (the scenario, then fixed parameters whose
    values differ between them: an event's week, the partner switched off), then the
    design factors; a nested setting is part of its switch's lever, not one of its own.

    Raises:
        PipelineError: The sweeps run different numbers of weeks; a factor with different
            levels in two sweeps; or a lever named by ``nested``, ``within``,
            ``interactions`` or ``heat_maps`` that does not vary in the study.
    """
    where = f"study {spec.name!r}"
    steps = sorted({sweep.steps for sweep in sweeps})
    if len(steps) != 1:
        raise PipelineError(f"{where}: its sweeps run {steps} weeks; a study's runs must "
                            "share their horizon")
    declared: dict[str, Any] = {}
    for sweep in sweeps:
        for name, levels in sweep.factors.items():
            if name in declared and levels is not None and declared[name] != levels:
                raise PipelineError(
                    f"{where}: {name} has levels {declared[name]} in one sweep and {levels} "
                    "in another; declare the same levels, in the same order, in both")
            declared.setdefault(name, levels)
    differing = [name for sweep in sweeps for name in sweep.fixed
                 if len({str(other.fixed.get(name, PARAMETERS[name].default))
                         for other in sweeps}) > 1]
    scenario = [SCENARIO] if len({sweep.scenario for sweep in sweeps}) > 1 else []
    levers = list(dict.fromkeys([*scenario, *differing, *declared]))
    for switch in spec.nested:
        if switch not in levers:
            raise PipelineError(f"{where}: nested lever {switch!r} does not vary in the study; "
                                f"its levers: {', '.join(levers)}")
    settings = {s for names in spec.nested.values() for s in names}
    levers = [lever for lever in levers if lever not in settings]
    for lever in [*spec.within, *(x for pair in spec.interactions + spec.heat_maps
                                  for x in pair)]:
        if lever not in levers:
            raise PipelineError(f"{where}: {lever!r} is not a lever of the study; its levers: "
                                f"{', '.join(levers)}")
    return levers


def study_data(spec: StudySpec, results: list[SweepResult]) -> StudyData:
    """Join a study's sweeps and name each run's levers (see ``StudyData``).

    Raises:
        PipelineError: As ``study_levers``; or levers that are not fully crossed.
    """
    where = f"study {spec.name!r}"
    facts = [SweepFacts.of_result(result) for result in results]
    levers = study_levers(spec, facts)
    frames = []
    for result, fact in zip(results, facts, strict=True):
        runs = result.runs.copy()
        runs["sweep"], runs[SCENARIO] = result.meta["name"], fact.scenario
        frames.append(runs)
    runs = pd.concat(frames, ignore_index=True)
    levels = pd.DataFrame(index=runs.index)
    for lever in levers:
        if lever in spec.nested:
            levels[lever] = _nested_levels(runs, lever, spec.nested[lever])
        else:
            levels[lever] = runs[lever].map(_event_words) if lever == "events" else runs[lever]
    order = {lever: list(dict.fromkeys(levels[lever].tolist())) for lever in levels}
    _check_crossed(where, levels, order)
    failed = (runs["status"] != "ok").to_numpy()
    first_error = runs.loc[failed, "error"].iloc[0] if failed.any() else None
    if failed.all():
        raise PipelineError(f"{where}: every run failed ({first_error})")
    runs = runs.loc[~failed].reset_index(drop=True)
    levels = levels.loc[~failed].reset_index(drop=True)
    return StudyData(spec, runs, levels, order, facts[0].steps,
                     len({fact.seeds for fact in facts}) == 1,
                     (int(failed.sum()), first_error))


def _words(name: str) -> str:
    return name.replace("_", " ")


def _nested_levels(runs: pd.DataFrame, switch: str, settings: tuple[str, ...]) -> pd.Series:
    """``off``, or ``on`` with each setting that varies where the switch is on."""
    on = runs[switch].astype(bool)
    varying = [s for s in settings if runs.loc[on, s].nunique() > 1]
    labels = pd.Series("off", index=runs.index, dtype=object)
    for index in runs.index[on]:
        parts = [f"{_words(s)} {_value_text(runs.at[index, s])}" for s in varying]
        labels[index] = ", ".join(["on", *parts])
    return labels


def _value_text(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "on" if value else "off"
    if isinstance(value, (float, np.floating)):
        return np.format_float_positional(float(value), precision=4, trim="-")
    return str(value)


def _event_words(text: Any) -> str:
    """A runs table's events text (``13:central_leader_leaves``) in words."""
    if not isinstance(text, str) or not text:
        return "none"
    words = []
    for event in text.split(";"):
        step, kind, *organisation = event.split(":")
        words.append(f"{EVENT_LABELS.get(kind, _words(kind))} in week {step}"
                     + (f" ({_words(organisation[0])})" if organisation else ""))
    return "; ".join(words)


def level_text(value: Any) -> str:
    """A lever's level as the report and figures print it."""
    return _value_text(value)


def _check_crossed(where: str, levels: pd.DataFrame, order: dict[str, list[Any]]) -> None:
    """Refuse levers that are not fully crossed (every combination, equally often)."""
    counts = levels.astype(str).value_counts()
    expected = int(np.prod([len(values) for values in order.values()]))
    if len(counts) != expected or counts.nunique() != 1:
        raise PipelineError(
            f"{where}: its levers ({', '.join(order)}) are not fully crossed: "
            f"{len(counts)} combinations of {expected} are run, "
            f"{counts.min()} to {counts.max()} times each. Each level of a lever is compared "
            "averaged over the others, which needs every combination equally often")
