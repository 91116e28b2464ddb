"""Example experiments shipped with the package: study files and the scripts that run them.

- ``sweep_partner_cede.toml`` / ``.py``: a grid sweep (``collabsim sweep``);
- ``sensitivity_iocn.toml`` / ``.py``: the levers' Sobol' study (``collabsim sensitivity``).

``collabsim example`` lists them and ``collabsim example NAME`` writes a copy to edit
and run where the results are to go; the scripts also run as they are, e.g. ``python -m
collabsim.experiments.sweep_partner_cede``. The project's own studies (calibration,
robustness, the checks of the defaults and the results pipeline's sweeps) stay in the
source tree's ``experiments/``, where their committed results say they were run from.
"""

from __future__ import annotations

import ast
import errno
import os
import shutil
from pathlib import Path

from collabsim.params import suggest

#: The folder the examples are shipped in.
FOLDER = Path(__file__).parent

_SUFFIXES = (".toml", ".py")


class UnknownExample(ValueError):
    """A name that is not one of the shipped examples; the message lists the close ones."""


def names() -> list[str]:
    """The shipped examples' file names, sorted (``sweep_partner_cede.toml``, ...)."""
    return sorted(
        p.name for p in FOLDER.iterdir() if p.suffix in _SUFFIXES and not p.name.startswith("_")
    )


def path(name: str) -> Path:
    """The shipped example ``name``, e.g. ``path("sweep_partner_cede.toml")``.

    Raises:
        UnknownExample: ``name`` is not one of ``names()``.
    """
    available = names()
    if name not in available:
        hint = suggest(str(name), available)
        raise UnknownExample(
            f"unknown example {name!r}; available: {', '.join(available)}"
            + (f"; {hint}" if hint else "")
        )
    return FOLDER / name


def headline(name: str) -> str:
    """What the example ``name`` is about: its first comment line or docstring line."""
    text = path(name).read_text(encoding="utf-8")
    if name.endswith(".py"):
        return (ast.get_docstring(ast.parse(text)) or "").split("\n")[0]
    first = text.split("\n")[0]
    return first.lstrip("#").strip()


def write(name: str, out: str | Path | None = None) -> Path:
    """Write a copy of the example ``name``; an existing file is never overwritten.

    Args:
        name: One of ``names()``.
        out: The file to write, or an existing folder to write ``name`` into; None
            writes ``name`` in the working folder.

    Returns:
        The file written.

    Raises:
        UnknownExample: ``name`` is not one of ``names()``.
        FileExistsError: The file is already there.
        FileNotFoundError: ``out`` ends in a separator, as a folder does, and is none.
    """
    source = path(name)
    target = Path(name) if out is None else Path(out)
    if target.is_dir():
        target = target / name
    elif str(out).endswith(("/", os.sep)):  # Path drops the separator that says "folder"
        raise FileNotFoundError(errno.ENOENT, "there is no such folder", str(out))
    if target.exists():
        raise FileExistsError(f"{str(target)!r} already exists; remove it or choose another --out")
    with open(source, "rb") as original, open(target, "xb") as copy:
        shutil.copyfileobj(original, copy)
    return target


__all__ = ["FOLDER", "UnknownExample", "headline", "names", "path", "write"]
