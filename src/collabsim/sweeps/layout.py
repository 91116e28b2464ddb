"""How a sweep's tables are laid out in Parquet, and how the whole runs table is read back.

``runs.parquet`` (and each of its part files) keeps what varies between runs: the ids
(``run``, ``point``, ``replicate``, ``seed``), the weeks each ran (``steps``), the design's
factors, the kept outputs,
``status``, ``error`` and ``duration``. Every other parameter has one value in the whole
sweep, so it is kept once, in ``meta.json`` under ``constants`` (plain JSON: the
organisation kinds a list, each event an object); ``SweepResult.runs`` puts those columns
back (``full_runs``), so collabsim's readers see one column per parameter. A parameter
that is a list (the organisation kinds, the events) is a column of Python lists, each
row's list equal to what the run was given (``Params.to_dict``: kinds as text, events as
dicts).

Choice parameters and ``status`` are categorical: Arrow dictionaries, read by pandas as
``category`` with every value the column may hold as its categories. A failed run has no
outputs: where a sweep has one, its yes/no and whole-number outputs are read as pandas'
nullable ``boolean`` and ``Int64`` (``as_frame``). Each Parquet file of a sweep says what
made it in its schema metadata (``collabsim.storage.parquet_metadata``).

A folder made before the constants were split out has no ``constants`` in its
``meta.json``: its runs table holds every column, and a resumed sweep goes on writing it
that way, organisations and events as the text ``collabsim run`` accepts; ``full_runs``
gives them back as lists all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from collabsim.metrics import SUMMARY
from collabsim.params import PARAMETERS, Event
from collabsim.storage import parquet_metadata, provenance
from collabsim.sweeps.plan import SweepPlan
from collabsim.sweeps.runner import FAILED, OK, runs_schema

#: The Arrow type of a categorical column.
CATEGORY = pa.dictionary(pa.int32(), pa.string())


#: Parameter kinds whose value is a list: a column of Python lists in the whole runs table.
LISTS: tuple[str, ...] = ("kinds", "events")


def categorical(name: str) -> bool:
    """Whether the column ``name`` holds categories: ``status`` and choice parameters."""
    return name == "status" or (name in PARAMETERS and PARAMETERS[name].kind == "choice")


def levels(name: str) -> tuple[str, ...]:
    """Every value the categorical column ``name`` may hold, in their declared order.

    A column read back has all of them as its categories, not only those its sweep
    happened to hold, so that two sweeps' tables concatenate as categories still.
    """
    return (OK, FAILED) if name == "status" else PARAMETERS[name].choices


#: pandas' nullable types for Arrow's yes/no and whole-number columns.
_NULLABLE = {pa.bool_(): pd.BooleanDtype(), pa.int64(): pd.Int64Dtype()}


def as_frame(table: pa.Table) -> pd.DataFrame:
    """A stored table as pandas, yes/no and whole-number outputs with gaps typed as such.

    A failed run has no outputs. pandas would read a yes/no column with gaps as objects
    (where ``astype(bool)`` counts a gap as False) and a whole-number one as floats; they
    are read as pandas' nullable ``boolean`` and ``Int64`` instead, which skip the gaps.
    Columns without gaps keep NumPy's ``bool`` and ``int64``, and an output that may be
    missing in a run that ran (``collapse_step``: the network never dissolved) stays
    float with NaN, as in every sweep.
    """
    frame = table.to_pandas()
    for field, column in zip(table.schema, table.columns, strict=True):
        optional = field.name in SUMMARY and SUMMARY[field.name].optional
        if field.type in _NULLABLE and column.null_count and not optional:
            frame[field.name] = column.to_pandas(types_mapper=_NULLABLE.get)
    return frame


def constants(plan: SweepPlan) -> dict[str, Any]:
    """The parameters no design point varies, with their one value (for ``meta.json``)."""
    varied = {factor.name for factor in plan.design.factors}
    return {name: value for name, value in plan.base.items() if name not in varied}


def stored_schema(outputs: Iterable[str], constant: Mapping[str, Any] | None) -> pa.Schema:
    """The schema of the runs table as stored: no constant columns, categories marked.

    Args:
        outputs: The summary outputs the sweep keeps.
        constant: The sweep's constants, or None for a folder of the earlier layout
            (every column, as ``collabsim.sweeps.runner.runs_schema`` has them).
    """
    schema = runs_schema(outputs)
    if constant is None:
        return schema
    return pa.schema(
        [
            field.with_type(CATEGORY) if categorical(field.name) else field
            for field in schema
            if field.name not in constant
        ]
    )


def made_by(plan: SweepPlan, design_fp: str, code_fp: str) -> Callable[..., dict[bytes, bytes]]:
    """What made a sweep's Parquet files: their schema metadata, by file name.

    A part file (``whole=False``) names the design by its fingerprint alone: an explicit
    design of thousands of points is megabytes of metadata, which every part of a slow
    sweep, one run each, would otherwise carry again (a calibration's first stage, run
    beside other work, wrote 73 GB of parts in its first 2,175 runs, 17 MB a part).
    ``meta.json`` and the final files keep the design itself.

    Args:
        plan: The sweep.
        design_fp: Its design fingerprint.
        code_fp: The code fingerprint of the model that runs it.

    Returns:
        A function of a file's name (``runs.parquet``, ...) and ``whole`` (default true)
        giving its schema metadata (``collabsim.storage.parquet_metadata``): version, git
        commit, fingerprints, sweep, scenario, master seed, design (whole files only),
        replicates, steps and the file's name.
    """
    made = {
        **provenance(),
        "code_fingerprint": code_fp,
        "sweep": plan.name,
        "scenario": plan.scenario,
        "seed": plan.seed,
        "design_fingerprint": design_fp,
        "design": plan.design.describe(),
        "replicates": plan.replicates,
        "steps": plan.steps,
    }
    part = {key: value for key, value in made.items() if key != "design"}

    def metadata(name: str, whole: bool = True) -> dict[bytes, bytes]:
        return parquet_metadata({**(made if whole else part), "table": name})

    return metadata


def design_table(points: pd.DataFrame) -> pa.Table:
    """The design points as stored: ``point``, then each factor, categories marked."""
    table = pa.Table.from_pandas(points, preserve_index=False)
    for index, field in enumerate(table.schema):
        if categorical(field.name):
            table = table.set_column(
                index,
                field.with_type(CATEGORY),
                table.column(index).cast(pa.string()).dictionary_encode(),
            )
    return table


def full_runs(
    stored: pd.DataFrame, constant: Mapping[str, Any] | None, outputs: Iterable[str]
) -> pd.DataFrame:
    """The runs table with every parameter: the stored columns and the constants put back.

    Args:
        stored: The runs as read from the folder.
        constant: The sweep's constants (``meta.json``), or None if the folder stores
            every column.
        outputs: The summary outputs the sweep keeps.

    Returns:
        One row per stored run, columns in the order of ``runs_schema``; a choice
        parameter, varied or constant, and ``status`` are categorical with every value
        they may hold as categories (``levels``); organisations and events are lists (a
        list of its own in each row).
    """
    if not len(stored.columns):
        return stored
    if constant is None:
        return all_levels(
            stored.assign(
                **{name: stored[name].map(_listed(name)) for name in _lists(stored.columns)}
            )
        )
    added = pd.DataFrame(
        {name: value for name, value in constant.items() if name not in _lists(constant)},
        index=stored.index,
    )
    for name in _lists(constant):
        added[name] = pd.Series(
            _copies(name, constant[name], len(stored)), index=stored.index, dtype=object
        )
    whole = all_levels(pd.concat([stored, added], axis=1))
    return whole[[name for name in runs_schema(outputs).names if name in whole.columns]]


def all_levels(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` (or a design) with each categorical column's categories every value it may hold."""
    for name in filter(categorical, runs.columns):
        present = [v for v in pd.unique(runs[name].astype(object)) if v not in levels(name)]
        runs[name] = runs[name].astype(pd.CategoricalDtype([*levels(name), *present]))
    return runs


def _lists(names: Iterable[str]) -> list[str]:
    """The parameters among ``names`` whose values are lists."""
    return [name for name in names if name in PARAMETERS and PARAMETERS[name].kind in LISTS]


def _copies(name: str, value: list[Any], rows: int) -> list[list[Any]]:
    """``rows`` copies of a list parameter's value, its events' dicts copied too.

    Each row's list is its own, so that editing one row's list edits only that row.
    """
    if PARAMETERS[name].kind == "events":
        return [[dict(event) for event in value] for _ in range(rows)]
    return [list(value) for _ in range(rows)]


def _listed(name: str) -> Callable[[Any], list[Any]]:
    """Reads the earlier layout's text of a list parameter back as the list the run had.

    ``acute_trust,pharmacy`` for organisations, ``10:budget_cut;104:self_interest_act`` for
    events (``collabsim.sweeps.runner.parameter_columns`` wrote them).
    """
    if PARAMETERS[name].kind == "kinds":
        return lambda text: list(PARAMETERS[name].parse(text))
    return lambda text: [Event.parse(event).to_dict() for event in text.split(";") if event]
