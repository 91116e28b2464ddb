"""A sweep's results folder: written in chunks as runs finish, resumable, compacted at the end.

A sweep folder holds::

    meta.json            provenance: package version, git commit, code and design
                         fingerprints, the design, master seed, replicate seeds, steps,
                         outputs, backend, start and end times, and each session's count
    design.parquet       one row per design point: ``point`` and each factor's value
    sample.parquet       sampled designs only: the SALib sample matrix, one row per point
    runs.parquet         one row per run, sorted by ``run`` (see ``collabsim.sweeps.runner``)
    timeseries.parquet   if asked for: kept reporters per (run, step), sorted

Numbers that are not defined (NaN: a mean over no meetings, say) are stored as
nulls, as ``collabsim run`` does; pandas reads them back as NaN.

While the sweep runs, each finished chunk of runs is written to its own part file,
``runs/part-000123.parquet`` (and ``timeseries/part-000123.parquet``), atomically (a
temporary file, then a rename), so memory stays bounded whatever the sweep's size and
a killed sweep loses only the chunks in flight. The time-series part is written before
the runs part: a run counts as done once its row is in a runs part. At the end the
parts are merged, streaming so that memory stays bounded, into
``runs.parquet`` and ``timeseries.parquet``; ``meta.json`` then says ``"complete"``
and only then are the parts removed.

Rerunning the same sweep resumes it: the runs already in part files (or in a complete
``runs.parquet``) are skipped. A folder whose design fingerprint (the parameters of
every point, the seeds, steps and outputs) or code fingerprint (collabsim version and a
hash of the model's sources) differs is refused unless ``restart`` is asked for, which
removes the sweep's own files (and nothing else) and starts again. One process at a
time may write a folder (an advisory lock on ``.lock``).
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import platform
import re
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

import collabsim
from collabsim.storage import _json_writer, _strict, now, provenance, write_atomically
from collabsim.sweeps.design import Factor, SweepError, salib_problem
from collabsim.sweeps.plan import SweepPlan
from collabsim.sweeps.runner import FAILED, RunRecord, runs_schema, timeseries_schema

META = "meta.json"
RUNS = "runs.parquet"
TIMESERIES = "timeseries.parquet"
DESIGN = "design.parquet"
SAMPLE = "sample.parquet"
RUNS_PARTS = "runs"
TIMESERIES_PARTS = "timeseries"
LOCK = ".lock"

#: What marks a folder as a collabsim sweep (``meta.json``'s ``kind``).
KIND = "collabsim sweep"

#: Files and folders a sweep owns: all that ``restart`` removes.
OWN = (META, RUNS, TIMESERIES, DESIGN, SAMPLE, RUNS_PARTS, TIMESERIES_PARTS)

#: Rows per row group of the merged runs table and time series (what the merge at the
#: end holds in memory at once).
RUNS_GROUP_ROWS = 2_000
TIMESERIES_GROUP_ROWS = 50_000

#: Distinct failure messages kept in ``meta.json``.
FAILURE_REASONS_KEPT = 10

_PART = re.compile(r"part-(\d{6,})\.parquet")

# Modules of the package that do not change what a run computes: the code fingerprint
# leaves them out, so that editing, say, the CLI does not refuse a resume.
_NOT_MODEL = {"cli.py", "plots.py", "reference.py", "storage.py", "docking.py", "__init__.py",
              "__main__.py"}
# Sub-packages that do: the compiled mechanisms and the scenario loader.
_MODEL_PACKAGES = {"mechanisms", "scenarios"}


def code_fingerprint() -> str:
    """The collabsim version and a hash of every source file that decides a run's values.

    Covers the model (parameters, state, mechanisms, model, metrics, runner, scenario
    loader) and the sweep's own unit of work, ``collabsim/sweeps/runner.py``.
    """
    package = Path(collabsim.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if len(relative.parts) == 1:
            if relative.name in _NOT_MODEL:
                continue
        elif relative.parts[0] not in _MODEL_PACKAGES and relative.as_posix() != \
                "sweeps/runner.py":
            continue  # the sweeps, sensitivity analysis and dashboard do not change a run
        digest.update(relative.as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    return f"{collabsim.__version__}+{digest.hexdigest()[:16]}"



class SweepStore:
    """The results folder of one sweep, open for writing by this process.

    Use ``SweepStore.open``; call ``write`` for each finished chunk, then ``finish``
    (or ``stop`` if the sweep was interrupted) and ``close``.
    """

    def __init__(self, plan: SweepPlan, path: Path, meta: dict[str, Any], done: set[int],
                 lock: Any, next_part: int) -> None:
        self.plan = plan
        self.path = path
        self.meta = meta
        self.done = done
        self._lock = lock
        self._next_part = next_part
        self._session: dict[str, Any] = {}

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, plan: SweepPlan, *, restart: bool = False) -> SweepStore:
        """Open (or start) the results folder of ``plan``, ready to resume.

        Args:
            plan: The sweep.
            restart: Remove a previous sweep's files in the folder and start again,
                instead of refusing when its design or code differs.

        Returns:
            The open store; ``done`` holds the run ids already finished.

        Raises:
            FileExistsError: The folder is a file, or holds files that are not a sweep's.
            SweepError: The folder holds a different sweep (and ``restart`` is false),
                or another process is writing it.
        """
        path = plan.out
        previous = check_sweep_dir(path)
        design_fp, code_fp = plan.fingerprint(), code_fingerprint()
        if previous is not None and not restart:
            _check_same(path, previous, design_fp, code_fp)
        path.mkdir(parents=True, exist_ok=True)
        lock = _lock(path)
        try:
            previous = check_sweep_dir(path)  # again, now that no one else can write it
            if previous is not None and restart:
                remove_sweep_files(path)
                previous = None
            if previous is None:
                meta = _new_meta(plan, design_fp, code_fp)
                _write_design(plan, path)
                write_atomically(path / META, _json_writer(meta))
            else:
                _check_same(path, previous, design_fp, code_fp)
                meta = previous
            done, next_part = _scan(path, complete=meta.get("status") == "complete")
        except BaseException:
            _unlock(lock)
            raise
        return cls(plan, path, meta, done, lock, next_part)

    # -- writing ----------------------------------------------------------------------

    def begin(self, *, backend: str, workers: int | None) -> None:
        """Record the start of this session (what ran it) in ``meta.json``."""
        self._session = {"started": now(), "finished": None, "backend": backend,
                         "workers": workers, "runs": 0, "failed": 0,
                         "resumed_from": len(self.done)}
        self.meta.setdefault("sessions", []).append(self._session)
        self.meta["backend"] = backend
        self.meta["workers"] = workers
        if self.meta.get("status") != "complete":
            self.meta["status"] = "running"
        self._write_meta()

    def write(self, records: list[RunRecord]) -> None:
        """Write one finished chunk of runs as part files (time series first)."""
        if not records:
            return
        records = sorted(records, key=lambda r: r.row["run"])
        name = f"part-{self._next_part:06d}.parquet"
        self._next_part += 1
        if self.plan.reporters:
            series = [r.timeseries for r in records if r.timeseries is not None]
            if series:
                schema = timeseries_schema(self.plan.reporters)
                table = pa.table([pa.array(np.concatenate([s[f.name] for s in series]),
                                           type=f.type, from_pandas=True) for f in schema],
                                 schema=schema)
                (self.path / TIMESERIES_PARTS).mkdir(exist_ok=True)
                write_atomically(self.path / TIMESERIES_PARTS / name,
                                 lambda handle: pq.write_table(table, handle))
        schema = runs_schema(self.plan.outputs)
        rows = pa.table([pa.array([r.row[f.name] for r in records], type=f.type,
                                  from_pandas=True) for f in schema], schema=schema)
        (self.path / RUNS_PARTS).mkdir(exist_ok=True)
        write_atomically(self.path / RUNS_PARTS / name, lambda handle: pq.write_table(rows, handle))
        for record in records:
            self.done.add(record.row["run"])
        self._session["runs"] += len(records)
        self._session["failed"] += sum(r.row["status"] == FAILED for r in records)

    def finish(self) -> None:
        """Merge the parts into the final tables, mark the sweep complete, remove parts."""
        if self.meta.get("status") != "complete":
            missing = self.plan.total - len(self.done)
            if missing:
                raise SweepError(f"{self.path}: {missing} of {self.plan.total} runs are "
                                 "not done; run the sweep again to finish them")
            _compact(self.path / RUNS_PARTS, self.path / RUNS, runs_schema(self.plan.outputs),
                     sort=["run"], group_rows=RUNS_GROUP_ROWS, total=self.plan.total)
            if self.plan.reporters:
                _compact(self.path / TIMESERIES_PARTS, self.path / TIMESERIES,
                         timeseries_schema(self.plan.reporters), sort=["run", "step"],
                         group_rows=TIMESERIES_GROUP_ROWS, total=self.plan.total)
            self.meta["failures"] = failure_summary(self.path / RUNS)
            self.meta["status"] = "complete"
            self.meta["finished"] = now()
            files = [META, DESIGN, RUNS] + ([SAMPLE] if self.plan.design.sample is not None
                                            else [])
            self.meta["files"] = files + ([TIMESERIES] if self.plan.reporters else [])
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
        _unlock(self._lock)
        self._lock = None

    def _end_session(self) -> None:
        if self._session:
            self._session["finished"] = now()
        self._write_meta()

    def _write_meta(self) -> None:
        write_atomically(self.path / META, _json_writer(_strict(self.meta)[0]))


# --- reading -------------------------------------------------------------------------


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

        Columns: ids (``run``, ``point``, ``replicate``, ``seed``), every parameter, the
        kept summary outputs, ``status``, ``error`` and ``duration``.
        """
        return _read_table(self.path, RUNS, RUNS_PARTS, ["run"], self.complete)

    @cached_property
    def timeseries(self) -> pd.DataFrame | None:
        """The kept time series, or None if the sweep kept none.

        Columns: ``run``, ``point``, ``replicate``, ``step`` and the kept reporters.
        """
        if not self.meta.get("timeseries"):
            return None
        return _read_table(self.path, TIMESERIES, TIMESERIES_PARTS, ["run", "step"],
                           self.complete)

    @cached_property
    def design(self) -> pd.DataFrame:
        """One row per design point: ``point`` and each factor's value."""
        return pq.read_table(self.path / DESIGN).to_pandas()

    @cached_property
    def sample(self) -> np.ndarray | None:
        """Sampled designs: the SALib sample matrix (rows in point order), else None."""
        if not (self.path / SAMPLE).is_file():
            return None
        return pq.read_table(self.path / SAMPLE).to_pandas().to_numpy()

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem of the design's factors (see ``salib_problem``)."""
        factors = []
        for name, spec in self.meta["design"]["factors"].items():
            factors.append(Factor(name, spec["kind"], levels=tuple(spec.get("levels", ())),
                                  low=spec.get("low"), high=spec.get("high")))
        return salib_problem(factors)

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised, with their error messages."""
        return self.runs[self.runs["status"] == FAILED]

    def report(self) -> str:
        """How the sweep went, in a few plain-English lines."""
        meta = self.meta
        total = meta["runs"]
        design = meta["design"]
        lines = [f"{meta['name']}: {total} runs ({design['points']} {design['kind']} design "
                 f"points x {meta['replicates']} replicates, {meta['steps']} weeks each)."]
        sessions = meta.get("sessions", [])
        if sessions:
            last = sessions[-1]
            count = last.get("workers")
            workers = f" ({count} worker{'s' if count != 1 else ''})" \
                if count and last["backend"] != "serial" else ""
            resumed = f"; {last['resumed_from']} were done before" if last["resumed_from"] \
                else ""
            lines.append(f"  This session ran {last['runs']} with the {last['backend']} "
                         f"backend{workers}{resumed}.")
        failures = meta.get("failures") or {"count": 0, "reasons": []}
        if failures["count"]:
            lines.append(f"  {failures['count']} runs failed (recorded with their errors in "
                         f"{RUNS}):")
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
        FileNotFoundError: ``path`` is not a sweep folder.
    """
    path = Path(path)
    meta = _read_meta(path)
    if meta is None:
        raise FileNotFoundError(f"{str(path)!r} is not a collabsim sweep folder: no sweep "
                                f"{META}")
    return SweepResult(path, meta)


def failure_summary(runs_path: Path) -> dict[str, Any]:
    """How many runs failed, and the most common error messages with their counts."""
    table = pq.read_table(runs_path, columns=["status", "error"])
    status = table.column("status").to_pylist()
    errors = table.column("error").to_pylist()
    counts = collections.Counter(e for s, e in zip(status, errors, strict=True) if s == FAILED)
    reasons = [{"error": error, "runs": n} for error, n in counts.most_common()]
    return {"count": sum(counts.values()), "reasons": reasons[:FAILURE_REASONS_KEPT],
            "distinct": len(counts)}


def check_sweep_dir(path: Path) -> dict[str, Any] | None:
    """The meta of the sweep in ``path``, None if ``path`` is new or empty.

    Raises:
        FileExistsError: ``path`` is a file, or a folder with files that are not a sweep's.
    """
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"output folder {str(path)!r} is a file, not a folder")
    if not path.is_dir():
        return None
    meta = _read_meta(path)
    if meta is None and any(p.name != LOCK for p in path.iterdir()):
        raise FileExistsError(
            f"output folder {str(path)!r} already has files in it and is not a collabsim "
            f"sweep (no sweep {META}); choose an empty or new folder"
        )
    return meta


def remove_sweep_files(path: Path) -> None:
    """Remove a sweep's own files from ``path`` (others' files stay)."""
    for name in OWN:
        target = path / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    for stray in path.glob(".*.tmp"):
        stray.unlink(missing_ok=True)


# --- helpers -------------------------------------------------------------------------


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("kind") == KIND else None


def _check_same(path: Path, meta: dict[str, Any], design_fp: str, code_fp: str) -> None:
    if meta.get("design_fingerprint") != design_fp:
        raise SweepError(
            f"{path} holds a sweep with a different design (its scenario, factors, points, "
            "replicates, seed, steps or outputs differ): use --restart (restart=True) to "
            "discard it and start over, or choose another output folder")
    if meta.get("code_fingerprint") != code_fp:
        raise SweepError(
            f"{path} holds a sweep made by other model code ({meta.get('code_fingerprint')}, "
            f"now {code_fp}); its runs would not match new ones: use --restart "
            "(restart=True) to discard it and start over, or choose another output folder")


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
    }


def _write_design(plan: SweepPlan, path: Path) -> None:
    points = plan.design.points.copy()
    points.insert(0, "point", np.arange(len(points), dtype=np.int64))
    table = pa.Table.from_pandas(points, preserve_index=False)
    write_atomically(path / DESIGN, lambda handle: pq.write_table(table, handle))
    if plan.design.sample is not None:
        names = [f.name for f in plan.design.factors]
        sample = pa.table({name: plan.design.sample[:, j] for j, name in enumerate(names)})
        write_atomically(path / SAMPLE, lambda handle: pq.write_table(sample, handle))


def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = _PART.fullmatch(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def _scan(path: Path, *, complete: bool) -> tuple[set[int], int]:
    """Run ids already done, and the next free part number; tidies what a kill left."""
    for folder in (path, path / RUNS_PARTS, path / TIMESERIES_PARTS):
        for stray in folder.glob(".*.tmp") if folder.is_dir() else ():
            stray.unlink(missing_ok=True)  # a write the kill interrupted
    if complete:
        done = set(pq.read_table(path / RUNS, columns=["run"]).column("run").to_pylist())
        return done, 0
    runs, series = _parts(path / RUNS_PARTS), _parts(path / TIMESERIES_PARTS)
    for number in set(series) - set(runs):  # killed between the two writes of a chunk
        series[number].unlink()
    done: set[int] = set()
    for part in runs.values():
        ids = pq.read_table(part, columns=["run"]).column("run").to_pylist()
        repeated = done.intersection(ids)
        if repeated:
            raise SweepError(f"{path}: run {min(repeated)} is in two part files; the folder "
                             "was written by two sweeps at once: use --restart")
        done.update(ids)
    return done, max(runs, default=-1) + 1


def _compact(parts: Path, target: Path, schema: pa.Schema, *, sort: list[str],
             group_rows: int, total: int) -> None:
    """Merge part files, each sorted, into one file sorted by ``sort`` (``run`` first).

    A streaming merge: the parts are read in order of their smallest run id, and rows
    below the next part's smallest run id can come from no later part, so they are
    written out (in row groups of about ``group_rows``) and let go. Memory holds about
    one row group plus the parts still overlapping, however many runs the sweep has.
    """
    ranges = []
    for _, part in sorted(_parts(parts).items()):
        ids = pq.read_table(part, columns=["run"], use_threads=False).column("run")
        if len(ids):
            ranges.append((pc.min(ids).as_py(), part))
    ranges.sort(key=lambda item: item[0])
    order = [(key, "ascending") for key in sort]
    written = 0

    def write(handle) -> None:
        nonlocal written
        with pq.ParquetWriter(handle, schema) as writer:
            waiting = schema.empty_table()
            ready: list[pa.Table] = []
            ready_rows = 0
            for index, (_, part) in enumerate(ranges):
                table = pq.read_table(part, schema=schema, use_threads=False)
                waiting = pa.concat_tables([waiting, table])
                frontier = ranges[index + 1][0] if index + 1 < len(ranges) else None
                if frontier is None:
                    done, waiting = waiting, schema.empty_table()
                else:
                    below = pc.less(waiting.column("run"), frontier)
                    done, waiting = waiting.filter(below), waiting.filter(pc.invert(below))
                if done.num_rows:
                    ready.append(done)
                    ready_rows += done.num_rows
                if ready and (ready_rows >= group_rows or frontier is None):
                    group = pa.concat_tables(ready).sort_by(order)
                    writer.write_table(group)
                    written += group.num_rows
                    ready, ready_rows = [], 0

    write_atomically(target, write)
    if target.name == RUNS and written != total:
        raise SweepError(f"{target}: merged {written} runs, expected {total}")


def _read_table(path: Path, name: str, parts: str, sort: list[str],
                complete: bool) -> pd.DataFrame:
    if complete or not (path / parts).is_dir():
        if (path / name).is_file():
            return pq.read_table(path / name).to_pandas()
    files = [str(p) for _, p in sorted(_parts(path / parts).items())]
    if not files:
        return pd.DataFrame()
    table = ds.dataset(files, format="parquet").to_table()
    return table.sort_by([(key, "ascending") for key in sort]).to_pandas()


def _lock(path: Path) -> Any:
    """Hold an advisory lock on ``path/.lock`` (released when the process ends)."""
    handle = open(path / LOCK, "a+b")  # held until close()
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one writer is up to the user
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise SweepError(f"{path} is being written by another sweep right now; wait for it "
                         "to finish or stop it") from None
    return handle


def _unlock(handle: Any) -> None:
    if handle is not None:
        with contextlib.suppress(OSError):
            handle.close()
