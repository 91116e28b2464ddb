"""The code fingerprint: which model code made a set of results.

Every stored run, sweep, validation, calibration and study records it, and a resume
refuses runs made by other model code (``collabsim.sweeps.store``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import tomllib
from functools import lru_cache
from pathlib import Path

import collabsim

# Modules of the package that do not change what a run computes: the code fingerprint
# leaves them out, so that editing, say, the CLI does not refuse a resume.
_NOT_MODEL = {
    "backends.py",
    "checks.py",
    "cli.py",
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

    The files are read again only when one of them changes (its size, modification time
    or inode): reading and parsing them takes a quarter of a second, and every sweep,
    validation and pipeline asks, many times over.
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
    digest = hashlib.sha256()
    for relative, *_ in sources:
        digest.update(relative.encode("utf-8"))
        digest.update(_what_it_says(package / relative).encode("utf-8"))
    return f"{collabsim.__version__}+{digest.hexdigest()[:16]}"


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
