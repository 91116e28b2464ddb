"""What every study built on the validation runner checks first: its results folder.

``validate``, ``calibrate`` and ``robustness`` run many arms through
``collabsim.validation.runner``; before anything is written each refuses, in one line, an
output folder that is not a path or not its own (and, through ``collabsim.checks`` and
``collabsim.sweeps.execution``, a path, progress function or backend option it cannot use).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collabsim.checks import path_option


def output_folder(out: Any, *, default: Path | None, error: type[Exception]) -> Path:
    """The folder ``out`` names, or ``default`` (if the study has one) when ``out`` is None.

    Raises:
        error: ``out`` is not a path (``path_option``).
    """
    if out is None and default is not None:
        return default
    either = "" if default is None else f", or None for {str(default)!r}"
    return path_option("out", out, expected=f"the path of an output folder{either}", error=error)


def check_results_folder(out: Path, *, meta: str, kind: str, what: str) -> None:
    """Refuse an output folder that is a file or holds files other than this study's.

    Args:
        out: The folder.
        meta: Name of the study's provenance file in it.
        kind: The ``kind`` that file records.
        what: The study in words, for the message (``"a collabsim calibration"``).

    Raises:
        FileExistsError: Saying which, and what to do.
    """
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"output folder {str(out)!r} is a file, not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return
    try:
        record = json.loads((out / meta).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if not isinstance(record, dict) or record.get("kind") != kind:
        raise FileExistsError(
            f"output folder {str(out)!r} already has files in it and is not "
            f"{what} (no {meta} of one); choose an empty or new folder"
        )
