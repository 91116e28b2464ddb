"""A sweep's results folder: written in chunks as runs finish, resumable, compacted at the end.

A sweep folder holds::

    meta.json            provenance: package version, git commit, code and design
                         fingerprints, the design, master seed, replicate seeds, steps,
                         outputs, the parameters every run shares (``constants``),
                         backend, start and end times, and each session's count
    design.parquet       one row per design point: ``point`` and each factor's value
    sample.parquet       sampled designs only: the SALib sample matrix, one row per point
    runs.parquet         one row per run, sorted by ``run``: what varies between runs
                         (see ``collabsim.sweeps.layout``; ``load(...).runs`` puts the
                         constants back)
    timeseries.parquet   if asked for: kept reporters per (run, step), sorted

Each Parquet file carries the sweep's provenance in its schema metadata (pandas gives it
as ``DataFrame.attrs["collabsim"]``): version, git commit, code and design fingerprints,
scenario, master seed, design, and which table it is. The part files below name the design
by its fingerprint only (``collabsim.sweeps.layout.made_by``).

Numbers that are not defined (NaN: a mean over no meetings, say) are stored as
nulls, as ``collabsim run`` does; pandas reads them back as NaN.

While the sweep runs, each finished chunk of runs is written to its own part file,
``runs/part-000123.parquet`` (and ``timeseries/part-000123.parquet``), atomically and
recorded with its checksum in the parts manifest (see ``collabsim.sweeps.parts``), so
memory stays bounded whatever the sweep's size and a killed sweep loses only the chunks
in flight. At the end the parts are merged, streaming so that memory stays bounded,
into ``runs.parquet`` and ``timeseries.parquet``; ``meta.json`` then says
``"complete"``, with the checksum and row count of every final file, and only then are
the parts removed.

Rerunning the same sweep resumes it: the runs already in part files (or in a complete
``runs.parquet``) are skipped. First every file is checked against its checksum: a
damaged part (or final table) is set aside in ``damaged/`` with a one-line notice and
only its runs are run again; a damaged ``design.parquet`` or ``sample.parquet`` is
rebuilt from the sweep. A folder whose design fingerprint (the parameters of every
point, the seeds, steps and outputs) or code fingerprint (collabsim version and a hash
of the model's sources) differs is refused unless ``restart`` is asked for, which
removes the sweep's own files (and nothing else), saying which, and starts again; so
is a folder whose ``meta.json`` is damaged. One process at a time may write a folder:
an advisory lock on ``.lock``, the first thing a sweep takes.
"""

from __future__ import annotations

import collections
import platform
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from collabsim.fingerprint import code_fingerprint
from collabsim.storage import (
    json_writer,
    now,
    provenance,
    write_atomically,
    write_parquet,
)
from collabsim.sweeps.folder import (
    DESIGN,
    KIND,
    LOCK,
    MANIFEST_KEY,
    META,
    OWN,
    RUNS,
    SAMPLE,
    TIMESERIES,
    check_sweep_dir,
    inspect,
    listing,
    release_lock,
    remove_sweep_files,
    take_lock,
)
from collabsim.sweeps.layout import (
    constants,
    design_table,
    made_by,
    stored_schema,
)
from collabsim.sweeps.parts import (
    MANIFEST,
    RUNS_PARTS,
    TIMESERIES_PARTS,
    Parts,
    check_file,
    compact,
    file_record,
    log,
    read_parquet,
    scan,
    set_aside,
)
from collabsim.sweeps.plan import SweepPlan
from collabsim.sweeps.result import SweepResult, load
from collabsim.sweeps.runner import FAILED, RunRecord, timeseries_schema
from collabsim.sweeps.sampling import SweepError

#: Rows per row group of the merged runs table and time series (what the merge at the
#: end holds in memory at once).
RUNS_GROUP_ROWS = 2_000
TIMESERIES_GROUP_ROWS = 50_000

#: Distinct failure messages kept in ``meta.json``.
FAILURE_REASONS_KEPT = 10


class SweepStore:
    """The results folder of one sweep, open for writing by this process.

    Use ``SweepStore.open``; call ``write`` for each finished chunk, then ``finish``
    (or ``stop`` if the sweep was interrupted) and ``close``.
    """

    def __init__(
        self,
        plan: SweepPlan,
        path: Path,
        meta: dict[str, Any],
        done: set[int],
        lock: Any,
        next_part: int,
        made: Callable[..., dict[bytes, bytes]],
    ) -> None:
        self.plan = plan
        self.path = path
        self.meta = meta
        self.done = done
        self._lock = lock
        self._parts = Parts(path, next_part)
        self._session: dict[str, Any] = {}
        # the parts and final tables say what made them (their checksums cover it); the
        # parts name the design by its fingerprint only (``layout.made_by``)
        self._runs_schema = stored_schema(plan.outputs, meta.get("constants")).with_metadata(
            made(RUNS)
        )
        self._runs_part_schema = self._runs_schema.with_metadata(made(RUNS, whole=False))
        self._timeseries_schema = self._timeseries_part_schema = None
        if plan.reporters:
            self._timeseries_schema = timeseries_schema(plan.reporters).with_metadata(
                made(TIMESERIES)
            )
            self._timeseries_part_schema = self._timeseries_schema.with_metadata(
                made(TIMESERIES, whole=False)
            )

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, plan: SweepPlan, *, restart: bool = False) -> SweepStore:
        """Open (or start) the results folder of ``plan``, ready to resume.

        The folder's lock is taken before anything in it is read, so a second sweep
        started at the same time is told the folder is in use. Damaged files are set
        aside or rebuilt (see the module's description).

        Args:
            plan: The sweep.
            restart: Remove a previous sweep's files in the folder and start again,
                instead of refusing when its design or code differs or its ``meta.json``
                is damaged.

        Returns:
            The open store; ``done`` holds the run ids already finished.

        Raises:
            FileExistsError: The folder is a file, or holds files that are not a sweep's.
            SweepError: The folder cannot be made; or it holds a different sweep or a
                damaged ``meta.json`` (and ``restart`` is false), or another process is
                writing it.
        """
        path = plan.out
        inspect(path)  # a file, or another program's folder: refused before the lock
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a read-only file system, no permission, a file above it
            raise SweepError(
                f"cannot write results to {str(path)!r}: {error.strerror or error}; nothing was run"
            ) from None
        lock = take_lock(path)
        try:
            previous, damage = inspect(path)
            design_fp, code_fp = plan.fingerprint(), code_fingerprint()
            made = made_by(plan, design_fp, code_fp)
            if damage is not None and not restart:
                raise SweepError(
                    f"{path / META} {damage}, so the runs in {path} cannot be "
                    "matched to this sweep: use --restart (restart=True) to "
                    f"remove the sweep's files ({listing(path)}) and start over"
                )
            if restart and (previous is not None or damage is not None):
                log.warning(
                    "%s: removing the earlier sweep's files to start over: %s", path, listing(path)
                )
                remove_sweep_files(path)
                previous = None
            if previous is None:
                meta = _new_meta(plan, design_fp, code_fp)
                meta["checksums"] = _write_design(plan, path, made)
                write_atomically(path / META, json_writer(meta))
            else:
                _check_same(path, previous, plan, design_fp, code_fp)
                meta = _repair(plan, path, previous, made)
            if meta.get("status") == "complete":
                done = set(read_parquet(path / RUNS, columns=["run"]).column("run").to_pylist())
                next_part = 0
            else:
                done, next_part = scan(path, manifest=MANIFEST_KEY in meta)
        except BaseException:
            release_lock(lock)
            raise
        return cls(plan, path, meta, done, lock, next_part, made)

    # -- writing ----------------------------------------------------------------------

    def begin(self, *, backend: str, workers: int | None) -> None:
        """Record the start of this session (what ran it) in ``meta.json``."""
        self._session = {
            "started": now(),
            "finished": None,
            "backend": backend,
            "workers": workers,
            "runs": 0,
            "failed": 0,
            "resumed_from": len(self.done),
        }
        self.meta.setdefault("sessions", []).append(self._session)
        self.meta["backend"] = backend
        self.meta["workers"] = workers
        if self.meta.get("status") != "complete":
            self.meta["status"] = "running"
        self._write_meta()

    def write(self, records: list[RunRecord]) -> None:
        """Write one finished chunk of runs as part files (see ``Parts.write``)."""
        if not records:
            return
        records = sorted(records, key=lambda r: r.row["run"])
        table = None
        series = [r.timeseries for r in records if r.timeseries is not None]
        if self.plan.reporters and series:
            schema = self._timeseries_part_schema
            table = pa.table(
                [
                    pa.array(
                        np.concatenate([s[f.name] for s in series]), type=f.type, from_pandas=True
                    )
                    for f in schema
                ],
                schema=schema,
            )
        schema = self._runs_part_schema
        rows = pa.table(
            [
                pa.array([r.row[f.name] for r in records], type=f.type, from_pandas=True)
                for f in schema
            ],
            schema=schema,
        )
        self._parts.write(rows, table)
        for record in records:
            self.done.add(record.row["run"])
        self._session["runs"] += len(records)
        self._session["failed"] += sum(r.row["status"] == FAILED for r in records)

    def finish(self) -> None:
        """Merge the parts into the final tables, mark the sweep complete, remove parts."""
        if self.meta.get("status") != "complete":
            missing = self.plan.total - len(self.done)
            if missing:
                raise SweepError(
                    f"{self.path}: {missing:,} of {self.plan.total:,} runs are "
                    "not done; run the sweep again to finish them"
                )
            written = compact(
                self.path / RUNS_PARTS,
                self.path / RUNS,
                self._runs_schema,
                sort=["run"],
                group_rows=RUNS_GROUP_ROWS,
            )
            if written != self.plan.total:
                raise SweepError(
                    f"{self.path / RUNS}: merged {written} runs, expected {self.plan.total}"
                )
            files = [META, DESIGN, RUNS] + ([SAMPLE] if self.plan.design.sample is not None else [])
            if self.plan.reporters:
                compact(
                    self.path / TIMESERIES_PARTS,
                    self.path / TIMESERIES,
                    self._timeseries_schema,
                    sort=["run", "step"],
                    group_rows=TIMESERIES_GROUP_ROWS,
                )
                files.append(TIMESERIES)
            checksums = self.meta.setdefault("checksums", {})
            for name in (RUNS, TIMESERIES) if self.plan.reporters else (RUNS,):
                checksums[name] = file_record(self.path / name)
            self.meta["failures"] = failure_summary(self.path / RUNS)
            self.meta["status"] = "complete"
            self.meta["finished"] = now()
            self.meta["files"] = files
        self._end_session()
        for folder in (RUNS_PARTS, TIMESERIES_PARTS):
            shutil.rmtree(self.path / folder, ignore_errors=True)

    def stop(self) -> None:
        """Record that this session stopped before the sweep was complete."""
        if self.meta.get("status") != "complete":
            self.meta["status"] = "interrupted"
        self._end_session()

    def close(self) -> None:
        """Release the folder for other processes."""
        release_lock(self._lock)
        self._lock = None

    def _end_session(self) -> None:
        if self._session:
            self._session["finished"] = now()
        self._write_meta()

    def _write_meta(self) -> None:
        write_atomically(self.path / META, json_writer(self.meta))


# --- reading -------------------------------------------------------------------------


def failure_summary(runs_path: Path) -> dict[str, Any]:
    """How many runs failed, and the most common error messages with their counts."""
    table = pq.read_table(runs_path, columns=["status", "error"])
    status = table.column("status").to_pylist()
    errors = table.column("error").to_pylist()
    counts = collections.Counter(e for s, e in zip(status, errors, strict=True) if s == FAILED)
    reasons = [{"error": error, "runs": n} for error, n in counts.most_common()]
    return {
        "count": sum(counts.values()),
        "reasons": reasons[:FAILURE_REASONS_KEPT],
        "distinct": len(counts),
    }


# --- helpers -------------------------------------------------------------------------


def _repair(
    plan: SweepPlan, path: Path, meta: dict[str, Any], made: Callable[..., dict[bytes, bytes]]
) -> dict[str, Any]:
    """Check a resumed sweep's files; rebuild the design, set aside damaged final tables.

    Returns:
        The meta, no longer ``complete`` if a final table had to be set aside.
    """
    checksums = (
        meta.setdefault("checksums", {}) if MANIFEST_KEY in meta else meta.get("checksums", {})
    )
    design = [DESIGN] + ([SAMPLE] if plan.design.sample is not None else [])
    broken = [(name, check_file(path / name, checksums.get(name))) for name in design]
    broken = [(name, problem) for name, problem in broken if problem is not None]
    for name, problem in broken:
        if (path / name).exists():
            set_aside(path / name, path, problem, "rebuilt from the sweep's design")
        else:
            log.warning("%s %s; rebuilt from the sweep's design", path / name, problem)
    if broken:
        rebuilt = _write_design(plan, path, made)
        if MANIFEST_KEY in meta:
            checksums.update(rebuilt)
    if meta.get("status") == "complete":
        tables = [RUNS] + ([TIMESERIES] if plan.reporters else [])
        for name in tables:
            record = checksums.get(name)
            problem = check_file(path / name, record)
            if (
                problem is None
                and record is None
                and name == RUNS
                and pq.read_metadata(path / name).num_rows != plan.total
            ):
                problem = f"is damaged (it does not hold the {plan.total} runs)"
            if problem is not None:
                if (path / name).exists():
                    set_aside(
                        path / name, path, problem, f"all {plan.total} runs will be run again"
                    )
                else:
                    log.warning(
                        "%s %s; all %s runs will be run again", path / name, problem, plan.total
                    )
                meta["status"] = "interrupted"
                meta.pop("files", None)
                for table in tables:
                    checksums.pop(table, None)
                break
    write_atomically(path / META, json_writer(meta))
    return meta


def _check_same(
    path: Path, meta: dict[str, Any], plan: SweepPlan, design_fp: str, code_fp: str
) -> None:
    if meta.get("design_fingerprint") != design_fp:
        differ = "; ".join(plan.differences(meta)) or (
            "its scenario, factors, points, replicates, seed, steps or outputs differ"
        )
        raise SweepError(
            f"{path} holds a sweep with a different design ({differ}): use --restart "
            "(restart=True) to discard it and start over, or choose another output folder"
        )
    if meta.get("code_fingerprint") != code_fp:
        raise SweepError(
            f"{path} holds a sweep made by other model code ({meta.get('code_fingerprint')}, "
            f"now {code_fp}); its runs would not match new ones: use --restart "
            "(restart=True) to discard it and start over, or choose another output folder"
        )


def _new_meta(plan: SweepPlan, design_fp: str, code_fp: str) -> dict[str, Any]:
    return {
        "kind": KIND,
        **provenance(),
        "code_fingerprint": code_fp,
        "design_fingerprint": design_fp,
        **plan.describe(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "started": now(),
        "finished": None,
        "status": "running",
        "backend": None,
        "workers": None,
        "sessions": [],
        "failures": None,
        "files": [META, DESIGN],
        "constants": constants(plan),
        MANIFEST_KEY: f"{RUNS_PARTS}/{MANIFEST}",
    }


def _write_design(
    plan: SweepPlan, path: Path, made: Callable[..., dict[bytes, bytes]]
) -> dict[str, dict[str, Any]]:
    """Write ``design.parquet`` (and ``sample.parquet``); return their checksums."""
    points = plan.design.points.copy()
    points.insert(0, "point", np.arange(len(points), dtype=np.int64))
    write_parquet(path / DESIGN, design_table(points), made(DESIGN))
    if plan.design.sample is not None:
        names = [f.name for f in plan.design.factors]
        sample = pa.table({name: plan.design.sample[:, j] for j, name in enumerate(names)})
        write_parquet(path / SAMPLE, sample, made(SAMPLE))
    names = [DESIGN] + ([SAMPLE] if plan.design.sample is not None else [])
    return {name: file_record(path / name) for name in names}


__all__ = [
    "DESIGN",
    "FAILURE_REASONS_KEPT",
    "KIND",
    "LOCK",
    "META",
    "OWN",
    "RUNS",
    "RUNS_GROUP_ROWS",
    "SAMPLE",
    "TIMESERIES",
    "TIMESERIES_GROUP_ROWS",
    "SweepResult",
    "SweepStore",
    "check_sweep_dir",
    "code_fingerprint",
    "failure_summary",
    "load",
    "remove_sweep_files",
]
