"""What every study built on the validation runner checks first: its options and its folder.

``validate``, ``calibrate`` and ``robustness`` run many arms through
``collabsim.validation.runner``; before anything is written each refuses, in one line, a
backend option that is not allowed and an output folder that is not its own.
"""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path
from typing import Any

from collabsim.params import suggest
from collabsim.sweeps import BACKENDS
from collabsim.sweeps.design import SweepError


def check_run_options(
    *,
    backend: Any,
    workers: Any,
    scheduler: Any,
    progress: Any,
    restart: Any,
    error: type[SweepError],
) -> None:
    """Refuse a backend, workers, scheduler, progress or restart option not allowed.

    Args:
        backend: ``"serial"``, ``"pool"`` or ``"dask"``.
        workers: Workers of the pool or of a local Dask cluster.
        scheduler: A Dask scheduler address or client.
        progress: A callable, or None.
        restart: True or false.
        error: The study's own error type, raised with the message.

    Raises:
        SweepError: Of type ``error``, naming the option, the value and what is allowed.
    """
    if not isinstance(restart, bool):
        raise error(f"restart={restart!r} is not allowed: expected true or false")
    if progress is not None and not callable(progress):
        raise error(f"progress={progress!r} is not allowed: expected a function")
    if backend not in BACKENDS:
        hint = suggest(str(backend), BACKENDS)
        raise error(
            f"backend={backend!r} is not a backend; allowed: "
            + ", ".join(BACKENDS)
            + (f"; {hint}" if hint else "")
        )
    try:
        import_module(f"collabsim.sweeps.{backend}").check(workers=workers, scheduler=scheduler)
    except SweepError as failure:  # the backend's own check, said as the study's
        raise error(str(failure)) from None


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
