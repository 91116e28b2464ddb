"""What the ``collabsim`` commands share: one-line errors, backends, progress, output.

``collabsim.cli`` builds the argument parser and runs the small commands itself; the
commands that run many simulations and report on them (``validate``, ``patterns``,
``calibrate``, ``robustness``) live in this package, one module each, and use these pieces:

- ``UsageError``: input a command cannot accept, printed as one line
  ``collabsim: error: ...`` with exit status 2;
- ``writing_to``: a failure to use the output folder said in that one line;
- ``sweep_backend``: the backend, workers and scheduler the options ask for;
- ``ProgressBar``: a tqdm bar of runs on a terminal;
- ``StageProgress``: progress of a run in stages: a bar per stage on a terminal,
  otherwise (a log, a batch job) a plain line every ``LOG_EVERY`` seconds;
- ``print_utf8``: a document printed as UTF-8 whatever the locale.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

#: The command's name, as errors print it.
PROG = "collabsim"

#: Seconds between the plain progress lines printed when not on a terminal.
LOG_EVERY = 30.0


class UsageError(Exception):
    """Input the command cannot accept, reported in one line with exit status 2."""


@contextlib.contextmanager
def writing_to(out: Path) -> Iterator[None]:
    """Turn a failure to use the output folder (not writable, say) into one line."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as error:
        raise UsageError(f"cannot write results to {str(out)!r}: {error.strerror or error}") \
            from None


def sweep_backend(args: argparse.Namespace) -> tuple[str, int | None, str | None]:
    """The backend, workers and scheduler the options ask for.

    Raises:
        UsageError: Options that contradict each other, or a count below 1.
    """
    for flag, value in (("--workers", args.workers), ("--dask-local", args.dask_local)):
        if value is not None and value < 1:
            raise UsageError(f"{flag} {value} is not allowed: expected a whole number >= 1")
    if args.scheduler is not None and args.dask_local is not None:
        raise UsageError("--scheduler and --dask-local are two different Dask clusters: "
                         "give one")
    if args.scheduler is not None or args.dask_local is not None:
        flag = "--scheduler" if args.scheduler is not None else "--dask-local"
        if args.backend not in (None, "dask"):
            raise UsageError(f"{flag} is for the dask backend, not --backend {args.backend}")
        if args.workers is not None:
            raise UsageError(f"--workers is for the process pool; with {flag} "
                             + ("the cluster has its own workers" if flag == "--scheduler"
                                else "give the number of workers as --dask-local N"))
        return "dask", args.dask_local, args.scheduler
    backend = args.backend or "pool"
    if backend == "serial" and args.workers not in (None, 1):
        raise UsageError("--workers is for the pool and dask backends; serial runs in this "
                         "process")
    return backend, args.workers, None


class ProgressBar:
    """A tqdm progress bar with rate and ETA on stderr, made on the first report.

    Args:
        enabled: Whether to show anything.
        description: Text before the bar (a stage's name, say).
    """

    def __init__(self, *, enabled: bool, description: str | None = None) -> None:
        self.enabled = enabled
        self.description = description
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` runs."""
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=done, unit="run", file=sys.stderr,
                             dynamic_ncols=True, smoothing=0.05, desc=self.description)
            return
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Close the bar (it stays on screen, complete or not)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class StageProgress:
    """Progress of a run in stages, called as ``progress(stage, done, total)``.

    On a terminal, one progress bar per stage; elsewhere a plain line (``stage: done of
    total runs``) when a stage starts, every ``every`` seconds and when it ends.

    Args:
        enabled: Whether to show anything.
        terminal: Whether the stream is a terminal (bars) or not (plain lines).
        every: Seconds between plain lines.
        stream: Where to write (stderr).
    """

    def __init__(self, *, enabled: bool, terminal: bool, every: float = LOG_EVERY,
                 stream: IO[str] | None = None) -> None:
        self.enabled = enabled
        self.terminal = terminal
        self.every = every
        self.stream = stream
        self.stage: str | None = None
        self._bar: ProgressBar | None = None
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show ``done`` of the ``total`` runs of ``stage``."""
        if not self.enabled:
            return
        started = stage != self.stage
        if started:
            self.close()
            self.stage = stage
        if self.terminal:
            if self._bar is None:
                self._bar = ProgressBar(enabled=True, description=stage)
            self._bar(done, total)
            return
        now = time.monotonic()
        if started or done >= total or now - self._last >= self.every:
            self._last = now
            share = f" ({done / total:.0%})" if total else ""
            print(f"{PROG}: {stage}: {done} of {total} runs{share}",
                  file=self.stream or sys.stderr, flush=True)

    def close(self) -> None:
        """Close the current stage's bar, if any."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def print_utf8(text: str) -> None:
    """Print a document as UTF-8 whatever the locale."""
    stream = sys.stdout
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    stream.write(text)
    stream.flush()


__all__ = ["LOG_EVERY", "PROG", "ProgressBar", "StageProgress", "UsageError", "print_utf8",
           "sweep_backend", "writing_to"]
