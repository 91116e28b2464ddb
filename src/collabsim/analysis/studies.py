"""The pipeline file: which sweeps make up each study, and how ``--quick`` cuts them.

A pipeline file (``experiments/results/pipeline.toml``) names sweep files (the
existing experiment format, ``collabsim.sweeps.files``) and groups them into studies::

    [pipeline]
    question = "How do ... affect whether a network lasts?"
    out = "results/report"
    outcomes = ["sustained", "quality_gain_vs_silo"]
    pool_efficiency = 0.9

    [quick]                   # --quick: every sweep cut down
    out = "results/report_quick"
    replicates = 3
    steps = 52
    n = 24

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

A study's levers, what varies across its runs, are read from its sweep files by
``collabsim.analysis.levers``: nothing about them is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from collabsim.metrics import SUMMARY
from collabsim.params import PARAMETERS, suggest
from collabsim.sweeps.files import read_sweep_file
from collabsim.tomlfile import check_keys, check_tables, read_toml

#: Summary outputs that are censored (missing where the network outlived the horizon): a
#: mean of them would describe only the networks that dissolved, so they are refused as
#: outcomes; the survival tables and Cox models analyse them with their censoring.
CENSORED = ("collapse_step",)

_PIPELINE_KEYS = {"question": str, "out": str, "outcomes": list, "pool_efficiency": float}


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
    studies: tuple[StudySpec, ...]
    discovery: DiscoverySpec

    def sweep_files(self) -> list[Path]:
        """Every sweep file once, in the order the studies (then discovery) name them."""
        files = [path for study in self.studies for path in study.sweeps]
        return list(dict.fromkeys([*files, self.discovery.sweep]))


def _toml_keys(spec: type) -> dict[str, type]:
    """A table's keys and their TOML types: the fields of ``spec`` (a path is text)."""
    hints = get_type_hints(spec)
    return {f.name: str if hints[f.name] is Path else hints[f.name] for f in fields(spec)}


#: Keys of the ``[quick]``, ``[[studies]]`` and ``[discovery]`` tables.
_QUICK_KEYS = _toml_keys(Quick)
_STUDY_KEYS = tuple(f.name for f in fields(StudySpec))
_DISCOVERY_KEYS = _toml_keys(DiscoverySpec)


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

    check_tables(data, ("pipeline", "quick", "studies", "discovery"), fail)
    for table in ("pipeline", "quick", "discovery"):
        if not isinstance(data.get(table), dict):
            raise fail(f"no [{table}] table; see collabsim.analysis.studies for the format")
    pipeline = _typed(data["pipeline"], _PIPELINE_KEYS, "[pipeline]", fail)
    quick = _typed(data["quick"], _QUICK_KEYS, "[quick]", fail)
    for key in ("replicates", "steps", "n"):
        if quick[key] < 1:
            raise fail(f"[quick] {key}={quick[key]!r} is not allowed: expected a whole number >= 1")
    if not 0 < pipeline["pool_efficiency"] <= 1:
        raise fail(
            f"[pipeline] pool_efficiency={pipeline['pool_efficiency']!r} is not "
            "allowed: expected a share above 0 and at most 1"
        )
    for where, outcome in [
        *(("[pipeline] outcomes", o) for o in pipeline["outcomes"]),
        ("[discovery] outcome", data["discovery"].get("outcome")),
    ]:
        if outcome is not None and outcome not in SUMMARY:
            hint = suggest(str(outcome), SUMMARY)
            raise fail(
                f"{where}: {outcome!r} is not a summary output"
                + (f"; {hint}" if hint else f"; allowed: {', '.join(SUMMARY)}")
            )
        if outcome in CENSORED:
            raise fail(
                f"{where}: {outcome!r} is not allowed: it is censored (missing where "
                "a network outlived the horizon), so its mean would speak only of "
                "the networks that dissolved; the survival tables and Cox models "
                "analyse it with its censoring"
            )
    studies = data.get("studies")
    if not isinstance(studies, list) or not studies:
        raise fail("no [[studies]] tables: name at least one study and its sweep files")
    specs = tuple(
        _study(entry, number, path.parent, fail) for number, entry in enumerate(studies, start=1)
    )
    names = [spec.name for spec in specs]
    twice = {name for name in names if names.count(name) > 1}
    if twice:
        raise fail(f"two studies are named {sorted(twice)[0]!r}: each needs its own name")
    discovery = _typed(data["discovery"], _DISCOVERY_KEYS, "[discovery]", fail)
    if not 0 < discovery["threshold"] <= 1:
        raise fail(
            f"[discovery] threshold={discovery['threshold']!r} is not allowed: "
            "expected a share above 0 and at most 1"
        )
    return PipelineSpec(
        source=path,
        question=" ".join(pipeline["question"].split()),
        out=Path(pipeline["out"]),
        outcomes=tuple(pipeline["outcomes"]),
        pool_efficiency=float(pipeline["pool_efficiency"]),
        quick=Quick(Path(quick["out"]), quick["replicates"], quick["steps"], quick["n"]),
        studies=specs,
        discovery=DiscoverySpec(
            _sweep_path(discovery["sweep"], path.parent, "[discovery]", fail),
            discovery["outcome"],
            float(discovery["threshold"]),
        ),
    )


def _typed(table: dict[str, Any], keys: dict[str, type], where: str, fail) -> dict[str, Any]:
    check_keys(table, tuple(keys), where, fail)
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
        raise fail(
            f"{where}: sweep {text!r} is not allowed: expected the name of a sweep "
            "file (.toml) beside the pipeline file"
        )
    path = Path(text) if Path(text).is_absolute() else folder / text
    if not path.is_file():
        raise fail(f"{where}: no such sweep file {str(path)!r}")
    return path


def _pairs(value: Any, key: str, where: str, fail) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        for pair in value
    ):
        raise fail(
            f"{where} {key}={value!r} is not allowed: expected a list of pairs of "
            'lever names, e.g. [["cede_willingness", "distributed_leadership"]]'
        )
    return tuple((a, b) for a, b in value)


def _study(entry: Any, number: int, folder: Path, fail) -> StudySpec:
    where = f"[[studies]] number {number}"
    if not isinstance(entry, dict):
        raise fail(f"{where} must be a table")
    check_keys(entry, _STUDY_KEYS, where, fail)
    name, title = entry.get("name"), entry.get("title")
    if not isinstance(name, str) or not name.isidentifier():
        raise fail(
            f"{where}: name={name!r} is not allowed: expected a short name of "
            "letters, digits and underscores (it names files)"
        )
    where = f"study {name!r}"
    if not isinstance(title, str) or not title.strip():
        raise fail(f"{where} needs a title, in plain words")
    sweeps = entry.get("sweeps")
    if not isinstance(sweeps, list) or not sweeps:
        raise fail(f"{where} needs sweeps, a list of sweep files")
    nested = entry.get("nested", {})
    if not isinstance(nested, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in nested.values()
    ):
        raise fail(
            f"{where} nested={nested!r} is not allowed: expected a table of switch = "
            '["setting", ...], e.g. {academic_partner = ["partner_strength"]}'
        )
    for switch in nested:
        if switch not in PARAMETERS or PARAMETERS[switch].kind != "bool":
            raise fail(
                f"{where} nested: {switch!r} is not a true/false parameter; a nested "
                "lever's settings apply only where its switch is on"
            )
    within = entry.get("within", [])
    if not isinstance(within, list) or not all(isinstance(x, str) for x in within):
        raise fail(f"{where} within={within!r} is not allowed: expected a list of levers")
    cox = entry.get("cox", False)
    if not isinstance(cox, bool):
        raise fail(f"{where} cox={cox!r} is not allowed: expected true or false")
    return StudySpec(
        name=name,
        title=title.strip(),
        sweeps=tuple(_sweep_path(s, folder, where, fail) for s in sweeps),
        nested={k: tuple(v) for k, v in nested.items()},
        cox=cox,
        interactions=_pairs(entry.get("interactions", []), "interactions", where, fail),
        heat_maps=_pairs(entry.get("heat_maps", []), "heat_maps", where, fail),
        within=tuple(within),
    )


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
            options["factors"] = {
                name: [spec[0], spec[-1]] if isinstance(spec, list) and len(spec) > 1 else spec
                for name, spec in options["factors"].items()
            }
    options["out"] = runs_folder / options["name"]
    return options
