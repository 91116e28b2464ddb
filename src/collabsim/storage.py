"""Results on disk: one folder per run, with the data and where it came from.

A run folder holds::

    timeseries.parquet   one row per week (week 0 is the start): ``week``, then one column
                         per reporter
    summary.json         the per-run outputs (see ``collabsim.metrics.SUMMARY``)
    meta.json            provenance: package version, git commit, scenario, seed, steps,
                         every parameter value, when it was made, and the files written

Every file is written atomically (a temporary file in the same folder, then
``os.replace``), so a reader never sees half a file. ``meta.json`` is written last and is
what marks a folder as a collabsim run: ``write_run`` overwrites such a folder but refuses
to write into any other folder that already has files in it.

JSON is strict: numpy scalars become Python numbers and NaN or infinite values become
``null``. Which summary values were not finite is recorded in ``meta.json`` so that
``read_run`` gives back exactly what was written.

Every Parquet file collabsim writes says what made it in its schema metadata
(``parquet_metadata``): under the key ``collabsim``, as JSON, the version, git commit,
code fingerprint (``origin``) and what was run (here the scenario, seed, steps and
parameters). pandas' ``read_parquet`` gives the same dict back as
``DataFrame.attrs["collabsim"]``; ``read_provenance`` reads it from a file.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import platform
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import collabsim
from collabsim.params import ParameterError, Params
from collabsim.runner import RunResult

TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.json"
META = "meta.json"

#: The key of collabsim's provenance in a Parquet file's schema metadata (and in the
#: ``attrs`` of a DataFrame pandas reads from it).
PARQUET_KEY = "collabsim"

#: Seconds allowed for each ``git`` call that looks up the source commit.
GIT_TIMEOUT = 5.0


def now() -> str:
    """The time now in UTC, to the second, as ISO 8601 text (for ``meta.json`` files)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def recording_interruption(path: Path, meta: dict[str, Any]) -> Iterator[None]:
    """Mark ``meta`` interrupted in ``path`` if the block raises anything, Ctrl-C included.

    ``status`` becomes ``"interrupted"`` and ``finished`` the time, written before the
    exception goes on, so a stopped job's folder says so.
    """
    try:
        yield
    except BaseException:
        meta.update(status="interrupted", finished=now())
        write_atomically(path, json_writer(meta))
        raise


def write_atomically(path: str | Path, write: Callable[[IO[bytes]], Any]) -> Path:
    """Write a file so that readers see either the old file or the complete new one.

    ``write`` receives a binary file open on a temporary file in the same folder; when it
    returns, the data are flushed to disk and the temporary file replaces ``path``. If
    ``write`` raises, the temporary file is removed and ``path`` is left as it was.

    Args:
        path: The file to write.
        write: Called with the open temporary file; writes the content.

    Returns:
        ``path`` as a ``Path``.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    # os.open with mode 0o666 lets the umask decide permissions, as for an ordinary file
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return path


def check_out_dir(out_dir: str | Path) -> Path:
    """Check that a run may be written to ``out_dir``, before spending time on the run.

    A folder may be written to if it does not exist yet, is empty, or holds a previous
    collabsim run (it has a ``meta.json`` written by ``write_run``).

    Args:
        out_dir: The folder the run is to be written to.

    Returns:
        ``out_dir`` as a ``Path``.

    Raises:
        FileExistsError: ``out_dir`` is a file, or a folder with other files in it.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"output folder {str(out_dir)!r} is a file, not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and _previous_meta(out_dir) is None:
        if (other := kind_of_folder(out_dir)) is not None:
            raise FileExistsError(
                f"output folder {str(out_dir)!r} holds a {other}, not a run; choose an "
                "empty or new folder"
            )
        raise FileExistsError(
            f"output folder {str(out_dir)!r} already has files in it and is not a previous "
            f"collabsim run (no readable {META}); choose an empty or new folder"
        )
    return out_dir


def kind_of_folder(folder: Path) -> str | None:
    """What of collabsim's a folder holds, as a record at its top says (``collabsim sweep``).

    The studies mark their folders with a JSON record naming their ``kind``: a sweep, a
    calibration or a robustness study its ``meta.json``, a validation its
    ``validation.json``, a sensitivity analysis its ``sensitivity.json``. None if no
    record there names one (a run's ``meta.json`` names none).
    """
    for record in sorted(folder.glob("*.json")):
        try:
            kind = json.loads(record.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(kind, str) and kind.startswith("collabsim "):
            return kind
    return None


def write_run(result: RunResult, out_dir: str | Path, *, scenario: str | None = None) -> Path:
    """Write one run to a folder: time series, summary and provenance.

    The folder is created if needed. A folder holding a previous run is overwritten, and
    outputs of the previous run that this run does not write are removed.

    Args:
        result: What ``collabsim.run`` returned.
        out_dir: The folder to write (parents are created).
        scenario: Name of the scenario preset, or path of the scenario TOML file, that
            the parameters came from (recorded in ``meta.json``).

    Returns:
        The folder written, as a ``Path``.

    Raises:
        FileExistsError: ``out_dir`` is a file, or a folder with other files in it.
    """
    if not isinstance(result, RunResult):
        raise TypeError(f"result must be a collabsim.RunResult, got {type(result).__name__}")
    out_dir = check_out_dir(out_dir)
    previous = _previous_meta(out_dir) or {}
    out_dir.mkdir(parents=True, exist_ok=True)

    table = pa.Table.from_pandas(result.timeseries.reset_index(), preserve_index=False)
    what = {
        "scenario": None if scenario is None else str(scenario),
        "seed": result.seed,
        "steps": result.steps,
        "parameters": result.params.to_dict(),
    }
    write_parquet(out_dir / TIMESERIES, table, parquet_metadata({**origin(), **what}))
    summary, non_finite = json_safe(result.summary)
    write_atomically(out_dir / SUMMARY, json_writer(summary))

    outputs = [TIMESERIES, SUMMARY, META]
    meta = {
        **provenance(),
        **what,
        "created": now(),
        "python": platform.python_version(),
        "outputs": outputs,
        "summary_non_finite": non_finite,
    }
    write_atomically(out_dir / META, json_writer(meta))
    # Only then the previous run's other outputs go: if one cannot be removed, the folder
    # is still this run's, whole, with the stale file beside it.
    for stale in previous.get("outputs", []):
        if _is_plain_name(stale) and stale not in outputs:
            (out_dir / stale).unlink(missing_ok=True)
    return out_dir


def record_output(run_dir: str | Path, name: str) -> None:
    """Add a file written beside a run (a figure, say) to the run's list of outputs.

    Args:
        run_dir: A folder written by ``write_run``.
        name: File name inside ``run_dir``, without folders (``"dynamics.png"``).

    Raises:
        FileNotFoundError: ``run_dir`` has no ``meta.json`` or no file ``name``.
        ValueError: ``name`` is not a plain file name.
    """
    run_dir = Path(run_dir)
    if not _is_plain_name(name):
        raise ValueError(f"name={name!r} is not allowed: expected a file name without folders")
    if not (run_dir / name).is_file():
        raise FileNotFoundError(f"no file {name!r} in {str(run_dir)!r}")
    meta = read_meta(run_dir)
    if name not in meta["outputs"]:
        meta["outputs"].append(name)
        write_atomically(run_dir / META, json_writer(meta))


def read_meta(path: str | Path) -> dict[str, Any]:
    """The provenance of a run folder, as written to its ``meta.json``.

    Args:
        path: A folder written by ``write_run``.

    Returns:
        The contents of ``meta.json``.

    Raises:
        FileNotFoundError: ``path`` has no ``meta.json``.
        ValueError: ``meta.json`` is not valid JSON.
    """
    meta_path = Path(path) / META
    if not meta_path.is_file():
        raise FileNotFoundError(f"{str(path)!r} is not a collabsim run folder: no {META}")
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{str(meta_path)!r} is not valid JSON: {error}") from None


def read_run(path: str | Path) -> RunResult:
    """Read a run folder written by ``write_run`` back into a ``RunResult``.

    Args:
        path: The run folder.

    Returns:
        The run, equal to the one written: same time series, summary, parameters, seed
        and steps.

    Raises:
        FileNotFoundError: The folder or one of its files is missing.
        ParameterError: The recorded parameters are not valid for this version of
            collabsim.
        ValueError: The files do not fit together.
    """
    path = Path(path)
    meta = read_meta(path)
    try:
        params = Params(**meta["parameters"])
    except ParameterError as error:
        raise ParameterError(
            f"{str(path / META)!r}: parameters written by collabsim "
            f"{meta.get('collabsim_version')} do not fit collabsim {collabsim.__version__}: "
            f"{error}"
        ) from None
    timeseries = pq.read_table(path / TIMESERIES).to_pandas()
    # files written before the series was indexed by week name the column "step"
    week = "week" if "week" in timeseries.columns else "step"
    timeseries = timeseries.set_index(week).rename_axis("week")
    summary = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
    for key, text in meta.get("summary_non_finite", {}).items():
        summary[key] = float(text)
    steps = meta["steps"]
    if len(timeseries) != steps + 1:
        raise ValueError(
            f"{str(path / TIMESERIES)!r} has {len(timeseries)} rows but {META} says "
            f"steps={steps} (expected {steps + 1} rows, week 0 included)"
        )
    return RunResult(params, meta["seed"], steps, timeseries, summary)


# --- helpers ---------------------------------------------------------------------------


def _previous_meta(out_dir: Path) -> dict[str, Any] | None:
    """The meta of a previous collabsim run in ``out_dir``, or None if there is none."""
    try:
        meta = json.loads((out_dir / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or "collabsim_version" not in meta:
        return None
    if meta.get("kind") == "collabsim sweep":  # a sweep's folder is not a run to overwrite
        return None
    if not isinstance(meta.get("outputs"), list):
        meta["outputs"] = []
    return meta


def _is_plain_name(name: object) -> bool:
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and Path(name).name == name
        and "\\" not in name
    )


def json_safe(value: Any, key: str = "") -> tuple[Any, dict[str, str]]:
    """``value`` with only JSON types, and the top-level keys whose numbers were not finite.

    NaN and infinities become None; their text (``"nan"``, ``"inf"``, ``"-inf"``) is
    returned by key so that they can be restored.
    """
    non_finite: dict[str, str] = {}

    def plain(item: Any, top: str) -> Any:
        if isinstance(item, np.generic):
            item = item.item()
        if isinstance(item, bool) or item is None or isinstance(item, (int, str)):
            return item
        if isinstance(item, float):
            if math.isfinite(item):
                return item
            if top:
                non_finite[top] = str(item)
            return None
        if isinstance(item, Mapping):
            return {str(k): plain(v, "") for k, v in item.items()}
        if isinstance(item, (list, tuple, np.ndarray)):
            return [plain(v, "") for v in item]
        if isinstance(item, os.PathLike):
            return os.fspath(item)
        raise TypeError(f"{type(item).__name__} value {item!r} cannot be written as JSON")

    if isinstance(value, Mapping):
        return {str(k): plain(v, str(k)) for k, v in value.items()}, non_finite
    return plain(value, key), non_finite


def json_writer(data: Any) -> Callable[[IO[bytes]], None]:
    """A writer of ``data`` as indented JSON, for ``write_atomically``.

    ``data`` is made JSON-safe first (``json_safe``): numbers that are not finite are
    written as null.
    """
    text = json.dumps(json_safe(data)[0], indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return lambda handle: handle.write(text.encode("utf-8"))


def _git(folder: Path, *args: str) -> str | None:
    """Output of ``git -C folder args``, or None if git is missing, slow or fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def origin() -> dict[str, Any]:
    """What makes a result now: ``provenance()`` and the code fingerprint of the model."""
    from collabsim.fingerprint import code_fingerprint

    return {**provenance(), "code_fingerprint": code_fingerprint()}


def origin_text(made: Mapping[str, Any]) -> str:
    """What ``origin()`` says, as a report prints it: model code and commit (if any)."""
    commit = made.get("git_commit")
    return f"Model code `{made['code_fingerprint']}`" + (
        f", commit `{commit[:12]}`" if commit else ""
    )


def parquet_metadata(made: Mapping[str, Any]) -> dict[bytes, bytes]:
    """Schema metadata saying what made a Parquet file, for ``write_parquet``.

    Args:
        made: ``origin()`` and what was run (scenario, seed, design, ...), as values
            JSON can hold.

    Returns:
        ``made`` as JSON under ``PARQUET_KEY``, and the same under pandas'
        ``PANDAS_ATTRS``, so that ``pandas.read_parquet`` puts it in
        ``DataFrame.attrs["collabsim"]``.
    """
    info = json_safe(dict(made))[0]
    return {
        PARQUET_KEY.encode(): json.dumps(info, ensure_ascii=False).encode("utf-8"),
        b"PANDAS_ATTRS": json.dumps({PARQUET_KEY: info}, ensure_ascii=False).encode("utf-8"),
    }


def write_parquet(path: str | Path, table: pa.Table, metadata: Mapping[bytes, bytes]) -> Path:
    """Write ``table`` to ``path`` atomically, with ``metadata`` added to its schema's."""
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    return write_atomically(path, lambda handle: pq.write_table(table, handle))


def read_provenance(path: str | Path) -> dict[str, Any]:
    """What made a Parquet file collabsim wrote (see ``parquet_metadata``).

    Raises:
        ValueError: The file carries no collabsim provenance.
    """
    metadata = pq.read_schema(path).metadata or {}
    if PARQUET_KEY.encode() not in metadata:
        raise ValueError(f"{str(path)!r} carries no collabsim provenance in its metadata")
    return json.loads(metadata[PARQUET_KEY.encode()])


def provenance() -> dict[str, Any]:
    """What made a result: collabsim's version and the git commit of its source (if any).

    Returns:
        ``collabsim_version``, ``git_commit`` and ``git_dirty`` (uncommitted changes in
        the package's source), the last two None outside a git checkout of collabsim.
    """
    commit, dirty = _git_state(Path(collabsim.__file__).parent)
    return {"collabsim_version": collabsim.__version__, "git_commit": commit, "git_dirty": dirty}


def _git_state(package_dir: Path) -> tuple[str | None, bool | None]:
    """Commit and dirtiness of the git checkout holding the collabsim source.

    None, None unless the package's own files are tracked there (an installed copy
    inside some other repository's folder has no commit of its own). Dirty means the
    package's source folder has uncommitted or untracked changes.
    """
    if _git(package_dir, "ls-files", "--error-unmatch", "--", "__init__.py") is None:
        return None, None
    commit = _git(package_dir, "rev-parse", "HEAD")
    if commit is None:
        return None, None
    status = _git(package_dir, "status", "--porcelain", "--", ".")
    return commit.strip(), None if status is None else bool(status.strip())


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the platform allows."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
