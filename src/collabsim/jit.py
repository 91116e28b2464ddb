"""Compilation settings shared by every compiled mechanism.

The mechanisms are small Numba functions. Each one is compiled once per machine and
kept in an on-disk cache, so sweeps and the dashboard do not pay compilation in every
worker process.

Numba keys a cached function on its own source file only: a change to a helper in
another file would leave stale machine code behind. The cache directory is therefore
named after a hash of the source of every compiled module, so an edit to any of them
starts a fresh cache (and only the few most recent caches are kept). Set
``NUMBA_CACHE_DIR`` to choose the location yourself.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numba

_COMPILED = ("jit.py", "metrics.py", "docking.py", "mechanisms/*.py")  # modules using @jit
_CACHES_KEPT = 4


def _source_hash() -> str:
    digest = hashlib.sha1()
    package = Path(__file__).parent
    for path in sorted(p for pattern in _COMPILED for p in package.glob(pattern)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the most recently used caches (another source version's)."""
    caches = sorted((p for p in folder.glob("numba-*") if p.is_dir() and p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in caches[_CACHES_KEPT - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def _choose_cache_dir() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    target = base / "collabsim" / f"numba-{numba.__version__}-{_source_hash()}"
    try:
        target.mkdir(parents=True, exist_ok=True)
        target.touch()  # mark as recently used
        _prune(target.parent, target)
    except OSError:
        return  # unwritable home: Numba falls back to __pycache__ beside the source
    numba.config.CACHE_DIR = str(target)


_choose_cache_dir()


def jit(function):
    """Compile ``function`` in nopython mode with the shared, cached settings."""
    return numba.njit(cache=True, error_model="numpy")(function)

