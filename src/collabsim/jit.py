"""Compilation settings shared by every compiled mechanism.

The mechanisms are small Numba functions. Each one is compiled once per machine and
kept in an on-disk cache, so sweeps and the dashboard do not pay compilation in every
worker process.

Numba keys a cached function on its own source file only: a change to a helper in
another file would leave stale machine code behind. The cache directory is therefore
named after a hash of the whole package's source, so any edit starts a fresh cache.
Set ``NUMBA_CACHE_DIR`` to choose the location yourself.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba


def _source_hash() -> str:
    digest = hashlib.sha1()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _choose_cache_dir() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    target = base / "collabsim" / f"numba-{numba.__version__}-{_source_hash()}"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # unwritable home: Numba falls back to __pycache__ beside the source
    numba.config.CACHE_DIR = str(target)


_choose_cache_dir()


def jit(function):
    """Compile ``function`` in nopython mode with the shared, cached settings."""
    return numba.njit(cache=True, error_model="numpy")(function)

