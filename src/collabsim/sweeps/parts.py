"""A sweep's part files and their manifest: written atomically, checked before they are used.

While a sweep runs, each finished chunk of runs becomes one part,
``runs/part-000123.parquet`` (and ``timeseries/part-000123.parquet`` when a time series
is kept). Each part's row count and SHA-256 checksum are appended, one JSON line per
part, to the parts manifest ``runs/manifest.jsonl`` before the part files take their
names; a part is written in full to a temporary file first, so a killed sweep leaves
at most a temporary file and the manifest line of the chunk in flight.

When a sweep resumes, every part is checked against the manifest. A part that is
missing, unreadable, changed (a flipped bit, a truncated copy) or not in the manifest
is set aside, moved to ``damaged/`` (never deleted), with one line naming the file,
and its runs are run again; nothing else is redone. Sweeps written before parts had a
manifest are checked as far as they can be: a part that cannot be read is set aside.

The final files (``runs.parquet``, ``timeseries.parquet``, ``design.parquet`` and
``sample.parquet``) have their checksums and row counts in ``meta.json``
(``checksums``), checked by ``check_file``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from collabsim.storage import sync_folder, write_atomically
from collabsim.sweeps.sampling import SweepError

RUNS_PARTS = "runs"
TIMESERIES_PARTS = "timeseries"
MANIFEST = "manifest.jsonl"
DAMAGED = "damaged"

#: Where notices about damaged files go (the command prints them as one line each).
log = logging.getLogger("collabsim.sweeps")

_PART = re.compile(r"part-(\d{6,})\.parquet")
_BLOCK = 1 << 20


def checksum(path: Path) -> str:
    """The SHA-256 checksum of a file, as hexadecimal text."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: Path) -> dict[str, Any]:
    """A Parquet file's checksum and row count, as ``meta.json`` keeps them."""
    return {"sha256": checksum(path), "rows": pq.read_metadata(path).num_rows}


def check_file(path: Path, record: dict[str, Any] | None) -> str | None:
    """What is wrong with a Parquet file, or None if it is whole.

    Args:
        path: The file.
        record: Its checksum and row count (``file_record``) when it was written, or
            None for a sweep written before checksums were kept (then the file need only
            be readable Parquet).

    Returns:
        A phrase for a message (``"is missing"``, ``"is damaged (...)"``), or None.
    """
    if not path.is_file():
        return "is missing"
    if record is not None:
        if checksum(path) != record.get("sha256"):
            return "is damaged (its checksum differs from the one recorded when it was written)"
        return None
    try:
        pq.read_metadata(path)
    except (pa.ArrowException, OSError) as error:
        return f"is damaged (it cannot be read: {_reason(error)})"
    return None


def read_parquet(path: Path, **options: Any) -> pa.Table:
    """Read a Parquet file; a file that cannot be read is a one-line ``SweepError``."""
    try:
        return pq.read_table(path, **options)
    except FileNotFoundError:
        raise SweepError(f"{path} is missing: run the sweep again to redo it") from None
    except (pa.ArrowException, OSError) as error:
        raise SweepError(
            f"{path} is damaged (it cannot be read: {_reason(error)}): run the "
            "sweep again to redo it"
        ) from None


def set_aside(
    path: Path, sweep: Path, problem: str, consequence: str, *, partner: Path | None = None
) -> None:
    """Move a damaged file into ``sweep/damaged/`` and say so in one line.

    Args:
        path: The damaged file.
        sweep: The sweep's folder.
        problem: What is wrong, as ``check_file`` says it.
        consequence: What happens now (``"its 4 runs will be run again"``).
        partner: A file that goes with it (a part's time series), moved too if it exists.
    """
    folder = sweep / DAMAGED
    folder.mkdir(exist_ok=True)
    moved = [_move(path, sweep, folder)]
    if partner is not None and partner.is_file():
        moved.append(_move(partner, sweep, folder))
    log.warning(
        "%s %s; set aside as %s; %s", path, problem, " and ".join(map(str, moved)), consequence
    )


def _move(path: Path, sweep: Path, folder: Path) -> Path:
    stem = "-".join(path.relative_to(sweep).parts)
    target = folder / stem
    copy = 1
    while target.exists():  # an earlier file of the same name was set aside too
        copy += 1
        target = folder / f"{stem}.{copy}"
    os.replace(path, target)
    return target


class Parts:
    """The part files of one sweep folder, open for writing.

    Args:
        sweep: The sweep's folder.
        next_number: Number of the next part (one more than any part seen).
    """

    def __init__(self, sweep: Path, next_number: int) -> None:
        self.sweep = sweep
        self.next_number = next_number

    def write(self, runs: pa.Table, series: pa.Table | None) -> None:
        """Write one chunk: both files in full, its manifest line, then their names."""
        number = self.next_number
        self.next_number += 1
        name = f"part-{number:06d}.parquet"
        entry: dict[str, Any] = {"part": number}
        staged = []
        for kind, table in ((TIMESERIES_PARTS, series), (RUNS_PARTS, runs)):
            if table is None:
                continue
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink)
            data = sink.getvalue().to_pybytes()
            entry[kind] = {"rows": table.num_rows, "sha256": hashlib.sha256(data).hexdigest()}
            folder = self.sweep / kind
            folder.mkdir(exist_ok=True)
            staged.append((_stage(folder / name, data), folder / name))
        try:
            _append(self.sweep / RUNS_PARTS / MANIFEST, entry)
            # the time series first: a run counts as done once its runs part is there
            for temporary, final in staged:
                os.replace(temporary, final)
        except BaseException:
            for temporary, _ in staged:
                temporary.unlink(missing_ok=True)
            raise
        for _, final in staged:
            sync_folder(final.parent)


def scan(sweep: Path, *, manifest: bool) -> tuple[set[int], int]:
    """Check the parts of an unfinished sweep; the runs they hold and the next part number.

    Parts that are damaged are set aside (see the module's description); temporary files
    a kill left are removed, and the manifest is rewritten to list the parts kept.

    Args:
        sweep: The sweep's folder.
        manifest: Whether the sweep keeps a parts manifest (sweeps written before there
            was one do not).

    Returns:
        The ids of the runs done, and the number of the next part to write.
    """
    for folder in (sweep, sweep / RUNS_PARTS, sweep / TIMESERIES_PARTS):
        for stray in folder.glob(".*.tmp") if folder.is_dir() else ():
            stray.unlink(missing_ok=True)  # a write the kill interrupted
    runs, timeseries = part_files(sweep / RUNS_PARTS), part_files(sweep / TIMESERIES_PARTS)
    entries, last = _read_manifest(sweep / RUNS_PARTS / MANIFEST) if manifest else ({}, None)
    highest = max([*runs, *timeseries, *entries], default=-1)
    done: set[int] = set()
    kept = []
    for number, part in sorted(runs.items()):
        entry = entries.get(number)
        again = _again(entry)
        problem = _check_part(part, entry, RUNS_PARTS, manifest)
        series = sweep / TIMESERIES_PARTS / part.name
        # a chunk whose runs all failed has no time series part
        if problem is None and (
            _record(entry, TIMESERIES_PARTS) is not None or (not manifest and series.is_file())
        ):
            problem = _check_part(series, entry, TIMESERIES_PARTS, manifest)
            if problem is not None:
                problem = f"has a time series part that {problem}"
        if problem is None:
            try:
                ids = pq.read_table(part, columns=["run"]).column("run").to_pylist()
            except (pa.ArrowException, OSError) as error:  # a part written before checksums
                problem = f"is damaged (it cannot be read: {_reason(error)})"
        if problem is not None:
            set_aside(part, sweep, problem, again, partner=series)
            continue
        repeated = done.intersection(ids)
        if repeated:
            raise SweepError(
                f"{sweep}: run {min(repeated)} is in two part files; the folder "
                "was written by two sweeps at once: use --restart"
            )
        done.update(ids)
        if entry is not None:
            kept.append(entry)
    for number in sorted(set(timeseries) - set(runs)):
        if not manifest or number == last:
            timeseries[number].unlink()  # killed between the two names of its chunk
        else:
            set_aside(timeseries[number], sweep, "has no runs part", "its runs are run again")
    for number in sorted(set(entries) - set(runs)):
        if number != last:  # the last may be the chunk a kill stopped before its names
            log.warning(
                "%s is missing; %s",
                sweep / RUNS_PARTS / f"part-{number:06d}.parquet",
                _again(entries[number]),
            )
    # rewritten even when no line was whole: a line appended after a cut-off one would
    # join it and be lost
    if manifest and (sweep / RUNS_PARTS / MANIFEST).is_file():
        text = "".join(json.dumps(entry) + "\n" for entry in kept)
        write_atomically(
            sweep / RUNS_PARTS / MANIFEST, lambda handle: handle.write(text.encode("utf-8"))
        )
    return done, highest + 1


def compact(
    parts: Path, target: Path, schema: pa.Schema, *, sort: list[str], group_rows: int
) -> int:
    """Merge part files, each sorted, into one file sorted by ``sort`` (``run`` first).

    A streaming merge: the parts are read in order of their smallest run id, and rows
    below the next part's smallest run id can come from no later part, so they are
    written out (in row groups of about ``group_rows``) and let go. Memory holds about
    one row group plus the parts still overlapping, however many runs the sweep has.

    Returns:
        The number of rows written.
    """
    ranges = []
    for _, part in sorted(part_files(parts).items()):
        ids = read_parquet(part, columns=["run"], use_threads=False).column("run")
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
                table = read_parquet(part, schema=schema, use_threads=False)
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
    return written


# --- helpers -------------------------------------------------------------------------


def part_files(folder: Path) -> dict[int, Path]:
    """The part files in ``folder``, by number."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = _PART.fullmatch(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def _check_part(path: Path, entry: dict[str, Any] | None, kind: str, manifest: bool) -> str | None:
    if not manifest:
        return check_file(path, None)
    record = _record(entry, kind)
    if record is None:
        return "is not in the parts manifest" if path.is_file() else "is missing"
    return check_file(path, record)


def _record(entry: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    """An entry's record of one of its files, or None (a damaged entry has none)."""
    record = (entry or {}).get(kind)
    return record if isinstance(record, dict) else None


def _again(entry: dict[str, Any] | None) -> str:
    rows = (_record(entry, RUNS_PARTS) or {}).get("rows")
    if rows == 1:
        return "its run will be run again"
    return (
        f"its {rows} runs will be run again"
        if isinstance(rows, int)
        else "its runs will be run again"
    )


def _read_manifest(path: Path) -> tuple[dict[int, dict[str, Any]], int | None]:
    """The manifest's entries by part number (the last one for a number), and the last."""
    entries: dict[int, dict[str, Any]] = {}
    last = None
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return entries, last
    for line in lines:
        try:
            entry = json.loads(line)
            number = entry["part"]
        except (ValueError, TypeError, KeyError):
            continue  # a damaged line: its part is then not in the manifest
        if isinstance(number, int) and isinstance(entry, dict):
            entries[number] = entry
            last = number
    return entries, last


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` in full to a temporary file beside ``path``; return its name."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _append(path: Path, entry: dict[str, Any]) -> None:
    with open(path, "ab") as handle:
        handle.write(json.dumps(entry).encode("utf-8") + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
