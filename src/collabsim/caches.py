"""Where collabsim keeps what it can always recompute, to save recomputing it.

Two things are kept: the compiled mechanisms (``collabsim.jit``) and the code
fingerprint (``collabsim.fingerprint``). Both go to the user's cache folder or, where home
is read-only (a container, a system install), to a folder of the user's own in the
temporary directory. Neither is needed: with no writable folder, each process
recomputes what it needs. This module imports nothing heavy, so that asking where the
fingerprint is kept does not load Numba.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


def user_cache() -> Path | None:
    """The user's cache folder for collabsim (``$XDG_CACHE_HOME`` or ``~/.cache``)."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "collabsim"
    except RuntimeError:  # no home directory at all
        return None


def private_temp() -> Path | None:
    """This user's own folder in the temporary directory, or None if it is not safely so."""
    user = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"collabsim-{'' if user is None else user}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    # a folder someone else made (or a link) could hold machine code planted for us to load
    if user is not None and (
        not stat.S_ISDIR(info.st_mode) or info.st_uid != user or info.st_mode & 0o022
    ):
        return None
    return folder


def cache_folders() -> Iterator[Path]:
    """The folders to try, in order: the user's cache folder, then the private one."""
    for choose in (user_cache, private_temp):
        if (folder := choose()) is not None:
            yield folder
