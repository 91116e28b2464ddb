"""A sweep's results as read from its folder: ``SweepResult`` and ``load``.

The writing side, and the folder's layout, are ``collabsim.sweeps.store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from collabsim.checks import path_option
from collabsim.sweeps.design import Factor, SweepError, salib_problem
from collabsim.sweeps.folder import DESIGN, META, RUNS, SAMPLE, TIMESERIES, meta_or_damage
from collabsim.sweeps.layout import all_levels, as_frame, full_runs
from collabsim.sweeps.parts import (
    RUNS_PARTS,
    TIMESERIES_PARTS,
    check_file,
    part_files,
    read_parquet,
)
from collabsim.sweeps.runner import FAILED


@dataclass
class SweepResult:
    """A sweep's results, read from its folder (what ``collabsim.load`` returns).

    Attributes:
        path: The results folder.
        meta: The contents of ``meta.json``: provenance, design, seeds, sessions.
    """

    path: Path
    meta: dict[str, Any]

    @property
    def complete(self) -> bool:
        """Whether every run of the sweep is done and merged into ``runs.parquet``."""
        return self.meta.get("status") == "complete"

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run done so far, sorted by ``run``.

        Columns: ids (``run``, ``point``, ``replicate``, ``seed``), every parameter (those
        no design point varies put back from ``meta.json``; organisations and events as
        lists), the kept summary outputs, ``status``, ``error`` and ``duration``.
        """
        stored = _read_table(self, RUNS, RUNS_PARTS, ["run"])
        return full_runs(stored, self.meta.get("constants"), self.meta["outputs"])

    @cached_property
    def timeseries(self) -> pd.DataFrame | None:
        """The kept time series, or None if the sweep kept none.

        Columns: ``run``, ``point``, ``replicate``, ``step`` and the kept reporters.
        """
        if not self.meta.get("timeseries"):
            return None
        return _read_table(self, TIMESERIES, TIMESERIES_PARTS, ["run", "step"])

    @cached_property
    def design(self) -> pd.DataFrame:
        """One row per design point: ``point`` and each factor's value.

        A choice factor is categorical with every value it may hold, as in ``runs``.
        """
        return all_levels(self._read(DESIGN).to_pandas())

    @cached_property
    def sample(self) -> np.ndarray | None:
        """Sampled designs: the SALib sample matrix (rows in point order), else None."""
        if SAMPLE not in self.meta.get("checksums", {}) and not (self.path / SAMPLE).is_file():
            return None
        return self._read(SAMPLE).to_pandas().to_numpy()

    def _read(self, name: str) -> pa.Table:
        """A final file, checked against its checksum in ``meta.json`` (if it has one)."""
        path = self.path / name
        record = self.meta.get("checksums", {}).get(name)
        problem = check_file(path, record) if record is not None else None
        if problem is not None:
            raise SweepError(
                f"{path} {problem}: run the sweep again to "
                + ("rebuild it" if name in (DESIGN, SAMPLE) else "redo its runs")
            )
        return read_parquet(path)

    @property
    def factors(self) -> list[Factor]:
        """The design's factors, in column order."""
        return [
            Factor(
                name,
                spec["kind"],
                levels=tuple(spec.get("levels", ())),
                low=spec.get("low"),
                high=spec.get("high"),
            )
            for name, spec in self.meta["design"]["factors"].items()
        ]

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem of the design's factors (see ``salib_problem``)."""
        return salib_problem(self.factors)

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised, with their error messages."""
        return self.runs[self.runs["status"] == FAILED]

    def report(self) -> str:
        """How the sweep went, in a few plain-English lines."""
        meta = self.meta
        total = meta["runs"]
        design = meta["design"]
        lines = [
            f"{meta['name']}: {total} runs ({design['points']} {design['kind']} design "
            f"points x {meta['replicates']} replicates, {meta['steps']} weeks each)."
        ]
        sessions = meta.get("sessions", [])
        if sessions:
            last = sessions[-1]
            count = last.get("workers")
            workers = (
                f" ({count} worker{'s' if count != 1 else ''})"
                if count and last["backend"] != "serial"
                else ""
            )
            resumed = f"; {last['resumed_from']} were done before" if last["resumed_from"] else ""
            lines.append(
                f"  This session ran {last['runs']} with the {last['backend']} "
                f"backend{workers}{resumed}."
            )
        failures = meta.get("failures") or {"count": 0, "reasons": []}
        if failures["count"]:
            lines.append(
                f"  {failures['count']} runs failed (recorded with their errors in {RUNS}):"
            )
            for reason in failures["reasons"][:3]:
                lines.append(f"    {reason['runs']} x {reason['error']}")
            if len(failures["reasons"]) > 3:
                lines.append(f"    ... and {len(failures['reasons']) - 3} other errors")
        else:
            lines.append("  No run failed.")
        lines.append(f"  Results: {self.path}")
        return "\n".join(lines)


def load(path: str | Path) -> SweepResult:
    """Read a sweep's results folder (complete or not).

    Args:
        path: The folder a sweep wrote (``results/<name>``).

    Returns:
        The results: ``.runs`` (DataFrame), ``.timeseries``, ``.design``, ``.sample``,
        ``.problem`` and ``.meta``. An unfinished sweep gives the runs done so far.

    Raises:
        SweepError: ``path`` is not a path (a text or ``os.PathLike``).
        FileNotFoundError: ``path`` is not a sweep folder.
    """
    path = path_option(
        "path", path, expected="the path of a sweep's results folder", error=SweepError
    )
    meta, damage = meta_or_damage(path)
    if meta is None:
        if path.is_file():
            why = "it is a file"
        elif damage is None:  # a meta.json of another kind: a run's folder, most often
            why = (
                f"its {META} is not a sweep's (a `collabsim run` folder holds one run: read "
                "its timeseries.parquet with pandas and its summary.json with json)"
            )
        else:
            why = f"its {META} {damage}" if damage != "is missing" else f"no sweep {META}"
        raise FileNotFoundError(f"{str(path)!r} is not a collabsim sweep folder: {why}")
    return SweepResult(path, meta)


def _read_table(result: SweepResult, name: str, parts: str, sort: list[str]) -> pd.DataFrame:
    path = result.path
    if result.complete or not (path / parts).is_dir():
        if result.complete or (path / name).is_file():
            return as_frame(result._read(name))
    files = [str(p) for _, p in sorted(part_files(path / parts).items())]
    if not files:
        return pd.DataFrame()
    try:
        table = ds.dataset(files, format="parquet").to_table()
    except (pa.ArrowException, OSError) as error:
        raise SweepError(
            f"{path / parts}: a part file cannot be read ({error}); run the sweep "
            "again, which sets damaged parts aside and redoes their runs"
        ) from None
    return as_frame(table.sort_by([(key, "ascending") for key in sort]))
