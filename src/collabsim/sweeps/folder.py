"""The layout of a sweep's results folder, and what a folder holds before it is opened.

``inspect`` tells a new or empty folder, a sweep's folder (its ``meta.json``), a sweep
whose ``meta.json`` is missing or damaged, and a folder of other files (refused); the
lock on ``.lock`` lets one process at a time write a folder. See
``collabsim.sweeps.store`` for the folder's files.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

from collabsim.sweeps.parts import DAMAGED, RUNS_PARTS, TIMESERIES_PARTS
from collabsim.sweeps.sampling import SweepError

META = "meta.json"
RUNS = "runs.parquet"
TIMESERIES = "timeseries.parquet"
DESIGN = "design.parquet"
SAMPLE = "sample.parquet"
LOCK = ".lock"

#: What marks a folder as a collabsim sweep (``meta.json``'s ``kind``).
KIND = "collabsim sweep"

#: Files and folders a sweep owns: all that ``restart`` removes.
OWN = (META, RUNS, TIMESERIES, DESIGN, SAMPLE, RUNS_PARTS, TIMESERIES_PARTS, DAMAGED)

#: The key of ``meta.json`` saying the parts are listed, with checksums, in the parts
#: manifest (sweeps written before there was one lack it).
MANIFEST_KEY = "parts_manifest"


def check_sweep_dir(path: Path) -> dict[str, Any] | None:
    """The meta of the sweep in ``path``, None if ``path`` is new or empty.

    Raises:
        FileExistsError: ``path`` is a file, a folder with files that are not a sweep's,
            or a sweep whose ``meta.json`` is damaged.
    """
    meta, damage = inspect(path)
    if damage is not None:
        raise FileExistsError(
            f"{path / META} {damage}; use --restart (restart=True) to "
            "remove the sweep's files and start over"
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


def read_meta(path: Path) -> dict[str, Any] | None:
    """The meta of the sweep in ``path``, or None (no sweep, or a damaged ``meta.json``)."""
    meta, _ = meta_or_damage(path)
    return meta


def meta_or_damage(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """A sweep's meta; or None and what is wrong with ``meta.json`` (None if not a sweep's).

    A ``meta.json`` of another kind (a ``collabsim run`` folder's, say) is not damage.
    """
    try:
        text = (path / META).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "is missing"
    except (OSError, UnicodeDecodeError) as error:
        return None, f"is damaged (it cannot be read: {getattr(error, 'strerror', None) or error})"
    try:
        meta = json.loads(text)
    except ValueError:
        return None, "is damaged (not valid JSON: cut short or changed)"
    if not isinstance(meta, dict):
        return None, "is damaged (not a sweep's record)"
    if meta.get("kind") == KIND:
        return meta, None
    if "design_fingerprint" in meta:
        return None, f"is damaged (its kind is {meta.get('kind')!r}, not {KIND!r})"
    return None, None  # another program's, or a collabsim run's


def inspect(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The sweep in ``path``: its meta, or what is wrong with its ``meta.json``.

    Returns:
        ``(meta, None)`` for a sweep; ``(None, None)`` for a new or empty folder;
        ``(None, damage)`` for a folder holding a sweep's files whose ``meta.json`` is
        missing or damaged.

    Raises:
        FileExistsError: ``path`` is a file, or a folder of files that are not a sweep's.
    """
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"output folder {str(path)!r} is a file, not a folder")
    if not path.is_dir():
        return None, None
    meta, damage = meta_or_damage(path)
    if meta is not None:
        return meta, None
    names = {p.name for p in path.iterdir()} - {LOCK}
    own = {n for n in names if _can_be_own(path / n)}
    foreign_meta = damage is None and (path / META).exists()
    if foreign_meta or (names and not own):
        raise FileExistsError(
            f"output folder {str(path)!r} already has files in it and is not a collabsim "
            f"sweep (no sweep {META}); choose an empty or new folder"
        )
    return None, (damage if own else None)


def _can_be_own(entry: Path) -> bool:
    """Whether ``entry`` can be one of a sweep's own files or folders (``OWN``).

    A sweep's part folders hold part files, never folders: a study's ``runs/`` of whole
    sweeps (a validation's, say) is not a sweep's, and a restart must not take it.
    """
    if entry.name.startswith(".") and entry.name.endswith(".tmp"):
        return True
    if entry.name not in OWN:
        return False
    if entry.name == DAMAGED or not entry.is_dir():
        return True
    return not any(inner.is_dir() for inner in entry.iterdir())


def listing(path: Path) -> str:
    """The sweep's own files in ``path``, for a message."""
    names = [n + ("/" if (path / n).is_dir() else "") for n in OWN if (path / n).exists()]
    return ", ".join(names) or "none"


def take_lock(path: Path) -> Any:
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
        raise SweepError(
            f"{path} is being written by another sweep right now; wait for it to finish or stop it"
        ) from None
    return handle


def release_lock(handle: Any) -> None:
    """Release a lock taken by ``take_lock``."""
    if handle is not None:
        with contextlib.suppress(OSError):
            handle.close()
