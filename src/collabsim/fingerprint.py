"""The code fingerprint: which model code made a set of results.

Every stored run, sweep, validation, calibration and study records it, and a resume
refuses runs made by other model code (``collabsim.sweeps.store``).
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import tomllib
from functools import lru_cache
from pathlib import Path

import collabsim
from collabsim.caches import cache_folders

# Modules of the package that do not change what a run computes: the code fingerprint
# leaves them out, so that editing, say, the CLI does not refuse a resume.
_NOT_MODEL = {
    "backends.py",
    "caches.py",
    "checks.py",
    "cli.py",
    "ctrl_c.py",
    "fingerprint.py",
    "plots.py",
    "reference.py",
    "storage.py",
    "docking.py",
    "warm.py",
    "__init__.py",
    "__main__.py",
}
# Sub-packages that do: the parameters, the compiled mechanisms and the scenario loader.
_MODEL_PACKAGES = {"mechanisms", "params", "scenarios"}


def code_fingerprint() -> str:
    """The collabsim version and a hash of every source file that decides a run's values.

    Covers the model (parameters, state, mechanisms, model, metrics, runner, scenario
    loader and the scenarios' files) and the sweep's own unit of work,
    ``collabsim/sweeps/runner.py``. It hashes what the code says, not how it is laid out:
    Python files as their syntax tree without docstrings, scenario files as their parsed
    values; so reformatting, comments and documentation leave stored results valid, while
    any change to what runs does not.

    Parsing the files takes a sixth of a second, and every run written, sweep,
    validation and pipeline asks, many times over. So a process reads them again only
    when one of them changes (its size, modification time or inode), and the fingerprint
    of each content is kept in the cache folder (``collabsim.caches``): a new process
    reads the files' bytes, finds their hash there and parses nothing.
    """
    package = Path(collabsim.__file__).parent
    sources = []
    for path in sorted([*package.rglob("*.py"), *package.glob("scenarios/*.toml")]):
        relative = path.relative_to(package)
        if len(relative.parts) == 1:
            if relative.name in _NOT_MODEL:
                continue
        elif relative.parts[0] not in _MODEL_PACKAGES and relative.as_posix() != "sweeps/runner.py":
            continue  # the sweeps, sensitivity analysis and dashboard do not change a run
        stamp = path.stat()
        sources.append((relative.as_posix(), stamp.st_mtime_ns, stamp.st_size, stamp.st_ino))
    return _hash_sources(package, tuple(sources))


@lru_cache(maxsize=8)
def _hash_sources(package: Path, sources: tuple[tuple[str, int, int, int], ...]) -> str:
    """The fingerprint of the ``sources`` of ``package``, each a path with its stamp."""
    contents = hashlib.sha256(f"{sys.version}\0{collabsim.__version__}".encode())
    for relative, *_ in sources:
        contents.update(f"\0{relative}\0".encode())
        contents.update((package / relative).read_bytes())
    key = contents.hexdigest()
    if (known := _kept(key)) is not None:
        return known
    digest = hashlib.sha256()
    for relative, *_ in sources:
        digest.update(relative.encode("utf-8"))
        digest.update(_what_it_says(package / relative).encode("utf-8"))
    fingerprint = f"{collabsim.__version__}+{digest.hexdigest()[:16]}"
    _keep(key, fingerprint)
    return fingerprint


#: The file, in a cache folder, that keeps the last fingerprint computed: the hash of the
#: sources' contents (with the versions of Python and collabsim, since the syntax tree's
#: text may differ between Pythons), then the fingerprint of that content.
KEPT_FILE = "code-fingerprint"


def _kept(key: str) -> str | None:
    """The fingerprint kept for sources whose contents hash to ``key``, or None."""
    for folder in cache_folders():
        with contextlib.suppress(OSError, ValueError):  # missing, unreadable, not a pair
            kept_key, fingerprint = (folder / KEPT_FILE).read_text("utf-8").split()
            if kept_key == key and re.fullmatch(
                rf"{re.escape(collabsim.__version__)}\+[0-9a-f]{{16}}", fingerprint
            ):
                return fingerprint
    return None


def _keep(key: str, fingerprint: str) -> None:
    """Keep ``fingerprint`` for sources whose contents hash to ``key``, where it can be.

    Written whole and then renamed into place, so that another process reading at the
    same moment finds the old pair or the new one, never half of one.
    """
    for folder in cache_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=folder, prefix=f".{KEPT_FILE}-")
        except OSError:
            continue
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(f"{key} {fingerprint}\n")
            os.replace(name, folder / KEPT_FILE)
            return
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _what_it_says(path: Path) -> str:
    """A source file's content, blind to layout: see ``code_fingerprint``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return json.dumps(tomllib.loads(text), sort_keys=True, default=str)
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)
