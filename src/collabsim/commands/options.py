"""The options every command that runs a sweep takes, declared once for all of them.

``collabsim sweep``, ``sensitivity``, ``validate``, ``calibrate`` and ``robustness``, and
the results pipeline's own command, read them with ``collabsim.commands.sweep_backend``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from collabsim.backends import BACKENDS, DEFAULT_BACKEND, PLACES


def add_sweep_options(
    command: argparse.ArgumentParser,
    *,
    out_help: str = "results folder (default: results/<name> from the file)",
    restart_help: str = "discard a previous sweep in the results folder "
    "whose design or code differs, and start over",
    large: bool = False,
) -> None:
    """The options of commands that run a sweep: backend, workers, folder, restart.

    ``large`` adds ``--allow-large``, for commands whose file sets the size of what runs.
    """
    command.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="where the runs run: "
        + "; ".join(f"{name}: {where}" for name, where in PLACES.items())
        + f" (default: {DEFAULT_BACKEND})",
    )
    command.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes of the pool (default: all cores)",
    )
    command.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="send the runs to this existing Dask scheduler (implies --backend dask)",
    )
    command.add_argument(
        "--dask-local",
        type=int,
        default=None,
        metavar="N",
        help="start a local Dask cluster of N worker processes (implies --backend dask)",
    )
    command.add_argument("--out", type=folder_path, default=None, metavar="DIR", help=out_help)
    command.add_argument("--restart", action="store_true", help=restart_help)
    command.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    if large:
        # the limit is not imported here: collabsim.sweeps loads the compiled model, which
        # the listing commands never need; the refusal names it
        command.add_argument(
            "--allow-large",
            action="store_true",
            help="run more runs than collabsim runs unconfirmed "
            "(refused otherwise, saying how many and the limit)",
        )


def folder_path(text: str) -> Path:
    """An ``--out`` value as a path; an empty one is refused, not read as the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path: give the results folder")
    return Path(text)
