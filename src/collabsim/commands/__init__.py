"""What the ``collabsim`` commands share: one-line errors, backends, progress, output.

``collabsim.cli`` builds the argument parser and runs the small commands itself; the
commands that run many simulations and report on them (``validate``, ``patterns``,
``calibrate``, ``robustness``) live in this package, one module each, and use these pieces:

- ``UsageError``: input a command cannot accept, printed as one line
  ``collabsim: error: ...`` with exit status 2;
- ``naming``: a refusal of a study file's contents names the file;
- ``check_writable`` and ``writing_to``: an output folder that cannot be written said in
  that one line, before anything runs;
- ``show_notices``: the library's notices (a damaged file set aside, say) as
  ``collabsim: ...`` lines;
- ``sweep_backend``: the backend, workers and scheduler the options ask for (the
  options themselves are ``collabsim.commands.options``);
- ``say_start``: the line a sweep or study starts with: its runs, time and disk;
  ``saved_in``: where the runs of one that was stopped are, if anywhere; ``resumable``:
  Ctrl-C and refused options handled alike by every command that runs a study;
- ``Progress``: progress of runs: a tqdm bar on a terminal, otherwise (a log, a batch
  job) a plain line now and then with the runs done, time elapsed and time to go;
  ``StageProgress``: the same for a job in stages;
- ``print_utf8``: a document printed as UTF-8 whatever the locale.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from collabsim.backends import DEFAULT_BACKEND
from collabsim.checks import not_whole_number
from collabsim.params import ParameterError
from collabsim.quantities import duration

if TYPE_CHECKING:
    from collabsim.sweeps.size import StudySize, SweepSize

#: The command's name, as errors print it.
PROG = "collabsim"

#: Off a terminal, a progress line is printed once both this many seconds and this share
#: of the runs have passed since the last one (whichever is less often), besides the
#: lines at the start and the end.
LOG_EVERY = 30.0
LOG_SHARE = 0.05


class UsageError(Exception):
    """Input the command cannot accept, reported in one line with exit status 2."""


@contextlib.contextmanager
def naming(path: Path, *, unless: Sequence[Path | str | None] = ()) -> Iterator[None]:
    """Make a refusal raised inside name the study file it is about: ``FILE: ...``.

    A message that already names the file, or names one of ``unless`` (the output
    folder, whose own refusals are not the file's), is left as it is.

    Raises:
        UsageError: In place of a ``ParameterError`` or ``SweepError`` from inside.
    """
    try:
        yield
    except ValueError as error:  # ParameterError and SweepError are ValueErrors
        from collabsim.sweeps.plan import SweepTooLarge
        from collabsim.sweeps.sampling import SweepError

        if isinstance(error, SweepTooLarge):
            raise UsageError(f"{path}: {error.message('--allow-large')}") from None
        if not isinstance(error, (ParameterError, SweepError)):
            raise
        message = str(error)
        named = [str(p) for p in (path, *unless) if p is not None]
        if any(name in message for name in named):
            raise UsageError(message) from None
        raise UsageError(f"{path}: {message}") from None


def check_writable(out: Path) -> None:
    """Refuse an output folder that cannot be written, before anything runs.

    The folder is tried by making (and removing) a file in it, or, if it is still to
    be made, in the nearest folder above it that exists: a read-only folder, a
    read-only file system or missing permissions all show.

    Raises:
        UsageError: The folder cannot be written (or is a file, or lies inside one), said
            in one line.
    """
    folder = Path(out)
    try:
        while not folder.exists() and folder.parent != folder:
            folder = folder.parent
        if not folder.is_dir():
            if folder == Path(out):
                raise UsageError(f"output folder {str(out)!r} is a file, not a folder")
            raise UsageError(
                f"output folder {str(out)!r} cannot be made: {str(folder)!r} is a file, "
                "not a folder"
            )
        handle, name = tempfile.mkstemp(dir=folder, prefix=".collabsim-", suffix=".tmp")
    except OSError as error:
        where = "" if folder == Path(out) else f" (it would be made in {folder})"
        raise UsageError(
            f"cannot write results to {str(out)!r}{where}: "
            f"{error.strerror or error}; nothing was run"
        ) from None
    os.close(handle)
    os.unlink(name)


class _Notices(logging.Handler):
    """Prints each notice as ``collabsim: ...`` on the stderr of the moment."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"{PROG}: {record.getMessage()}", file=sys.stderr, flush=True)


def show_notices() -> None:
    """Print the library's notices (``collabsim.sweeps``' damaged files, say) as lines."""
    logger = logging.getLogger(PROG)
    if not any(isinstance(handler, _Notices) for handler in logger.handlers):
        logger.addHandler(_Notices(logging.WARNING))


@contextlib.contextmanager
def writing_to(out: Path, *, what: str = "results") -> Iterator[None]:
    """Turn a failure to write ``what`` to ``out`` (not writable, say) into one line."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as error:
        target = str(error.filename) if error.filename else str(out)
        which = "" if target == str(out) else f" ({target})"
        folder = Path(target).parent
        reason = (
            f"there is no folder {str(folder)!r}"
            if isinstance(error, FileNotFoundError) and not folder.exists()
            else error.strerror or error
        )
        raise UsageError(f"cannot write {what} to {str(out)!r}{which}: {reason}") from None


def check_count(flag: str, value: int | None, what: str = "") -> None:
    """Refuse a count option below 1 (None is its default); ``what`` says what it counts."""
    if value is not None and value < 1:
        about = f" ({what})" if what else ""
        raise UsageError(f"{flag} {value} is not allowed: expected a whole number >= 1{about}")


def sweep_backend(args: argparse.Namespace) -> tuple[str, int | None, str | None]:
    """The backend, workers and scheduler the options ask for.

    Raises:
        UsageError: Options that contradict each other, or a count below 1.
    """
    for flag, value in (("--workers", args.workers), ("--dask-local", args.dask_local)):
        check_count(flag, value)
    if args.scheduler is not None and args.dask_local is not None:
        raise UsageError("--scheduler and --dask-local are two different Dask clusters: give one")
    if args.scheduler is not None or args.dask_local is not None:
        flag = "--scheduler" if args.scheduler is not None else "--dask-local"
        if args.backend not in (None, "dask"):
            raise UsageError(f"{flag} is for the dask backend, not --backend {args.backend}")
        if args.workers is not None:
            raise UsageError(
                f"--workers is for the process pool; with {flag} "
                + (
                    "the cluster has its own workers"
                    if flag == "--scheduler"
                    else "give the number of workers as --dask-local N"
                )
            )
        return "dask", args.dask_local, args.scheduler
    backend = args.backend or DEFAULT_BACKEND
    if backend == "serial" and args.workers not in (None, 1):
        raise UsageError("--workers is for the pool and dask backends; serial runs in this process")
    return backend, args.workers, None


def saved_in(out: Path | str | None, progress: Progress | StageProgress | None = None) -> str:
    """``the finished runs are saved in OUT; `` if that folder exists, else nothing.

    With the study's ``progress``, how far it got comes first: ``12 of 40 runs done; ``.
    """
    if out is None or not Path(out).is_dir():
        return ""
    reached = progress.reached_text() if progress is not None else ""
    return f"{reached}the finished runs are saved in {out}; "


class Interrupted(Exception):
    """A sweep or study stopped by Ctrl-C, once it has said how to resume: exit status 130."""


@contextlib.contextmanager
def resumable(progress: Progress | StageProgress, saved: Callable[[], str]) -> Iterator[None]:
    """Run a resumable sweep or study the way every command does.

    Ctrl-C closes the progress display and says in one line what was kept and that the
    same command resumes (``Interrupted``: exit status 130); an option the sweep layer
    refuses (``SweepError`` and its kinds) is a ``UsageError``; the progress display is
    closed however the block ends.

    Args:
        progress: The command's progress display.
        saved: Says what was kept when asked, after the interruption (``saved_in``).
    """
    from collabsim.sweeps.sampling import SweepError

    try:
        yield
    except KeyboardInterrupt:
        progress.close()
        print(
            f"{PROG}: interrupted: {saved()}run the same command again to resume",
            file=sys.stderr,
        )
        raise Interrupted from None
    except SweepError as error:
        raise UsageError(str(error)) from None
    finally:
        progress.close()


def parse_sets(texts: Sequence[str]) -> dict[str, Any]:
    """The values of ``--set NAME=VALUE`` options, each parsed by its declaration.

    Raises:
        UsageError: Not NAME=VALUE, or a name given twice.
        ParameterError: A name that is not a parameter, or a value it does not allow.
    """
    from collabsim.params import declaration

    values: dict[str, Any] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {text!r}: expected NAME=VALUE, e.g. cede_willingness=0.2")
        if name in values:
            raise UsageError(f"--set {name} is given twice: give each parameter once")
        values[name] = declaration(name).parse(value)
    return values


def check_seed(seed: int) -> None:
    """Refuse a ``--seed`` that is not a seed, in the flag's words (``--seed -1 ...``)."""
    if (reason := not_whole_number(seed, 0)) is not None:
        raise UsageError(f"--seed {reason}")


def say_start(
    file: Path | str,
    size: SweepSize | StudySize,
    *,
    quiet: bool,
    most: StudySize | None = None,
    backend: str,
    workers: int | None,
    scheduler: Any,
) -> None:
    """Say on stderr the line a sweep or study starts with: its size, time and disk.

    ``collabsim: FILE: 4,420 runs (221 arms x 20 seeds, 260 weeks each): about 25 min
    on 2 workers and 1.1 MB on disk``.

    Args:
        file: The file that describes it, or its name where none does (``validation``).
        size: Its size (``collabsim.sweeps.size``): the runs it will do.
        quiet: Say nothing (``--quiet``).
        most: The most runs it may do, if more (a calibration's later stages run only
            the points that pass the earlier ones), said after ``up to``.
        backend: The backend that runs it.
        workers: The workers asked for (None: the backend's default).
        scheduler: A Dask scheduler, or None.
    """
    if quiet:
        return
    from collabsim.sweeps import Execution

    running = Execution(backend=backend, workers=workers, scheduler=scheduler).workers_used
    line = f"{PROG}: {file}: {size.describe()}: {size.estimate(running)}"
    if most is not None and most.runs > size.runs:
        line += f"; up to {most.describe()}: {most.estimate(running)}"
    print(line, file=sys.stderr, flush=True)


class Progress:
    """Progress of runs (or of one run's weeks), called as ``progress(done, total)``.

    On a terminal, a tqdm bar with rate and time to go. Elsewhere (a log, a batch job) a
    plain line such as ``collabsim: 1,234 of 7,168 runs (17%), 2.0 min elapsed, about
    10 min to go``: at the start, at the end, and in between once both ``every`` seconds
    and ``share`` of the runs have passed since the last line. With a ``delay``, nothing
    until it has passed (then a line at once), and nothing at all for work done by then.

    Args:
        enabled: Whether to show anything.
        terminal: Whether the stream is a terminal (a bar) or not (lines); stderr's
            own answer if None.
        stage: The name of the stage these runs are, shown before the count.
        every: Seconds between plain lines, at least.
        share: Share of the runs between plain lines, at least.
        stream: Where to write (stderr of the moment if None).
        unit: What is counted (``runs``; ``weeks`` for one run's progress).
        delay: Seconds to show nothing for: work done by then is not worth a line.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        terminal: bool | None = None,
        stage: str | None = None,
        every: float = LOG_EVERY,
        share: float = LOG_SHARE,
        stream: IO[str] | None = None,
        unit: str = "runs",
        delay: float = 0.0,
    ) -> None:
        self.enabled = enabled
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.stage = stage
        self.every = every
        self.share = share
        self.stream = stream
        self.unit = unit
        self.delay = delay
        self._bar = None
        self._start: tuple[float, int] | None = None  # (time, runs done) at the start
        self._pace: tuple[float, int] | None = None  # at the first runs done here
        self._last: tuple[float, int] | None = None  # at the last line
        self.reached: tuple[int, int] | None = None  # the latest (done, total), shown or not

    def __call__(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` runs (or other units)."""
        self.reached = (done, total)
        if not self.enabled:
            return
        if self.terminal:
            self._show_bar(done, total)
            return
        now = time.monotonic()
        if self._start is None:
            self._start = (now, done)
        elif self._pace is None and done > self._start[1]:
            self._pace = (now, done)  # timed from here: before, the workers were starting
        if now - self._start[0] < self.delay:
            return
        if (
            self._last is None  # the first line
            or done >= total
            or (now - self._last[0] >= self.every and done - self._last[1] >= self.share * total)
        ):
            self._last = (now, done)
        else:
            return
        print(self.line(done, total, now), file=self.stream or sys.stderr, flush=True)

    def line(self, done: int, total: int, now: float) -> str:
        """The plain line for ``done`` of ``total`` runs (or ``unit``) at time ``now``."""
        stage = f"{self.stage}: " if self.stage else ""
        share = f" ({done / total:.0%})" if total else ""
        text = f"{PROG}: {stage}{done:,} of {total:,} {self.unit}{share}"
        started, first = self._start or (now, done)
        if done > first:
            text += f", {duration(now - started)} elapsed"
        paced, runs = self._pace or (now, done)
        if first < runs < done < total:
            text += f", about {duration((now - paced) / (done - runs) * (total - done))} to go"
        return text

    def reached_text(self) -> str:
        """``1,234 of 7,168 runs done; `` once any were counted, else nothing."""
        if self.reached is None:
            return ""
        done, total = self.reached
        return f"{done:,} of {total:,} {self.unit} done; "

    def _show_bar(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                initial=done,
                unit=self.unit.removesuffix("s"),
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.05,
                desc=self.stage,
                delay=self.delay,
            )
            return
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Close the bar (it stays on screen, complete or not)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class StageProgress:
    """Progress of a job in stages, called as ``progress(stage, done, total)``.

    Each stage is shown as ``Progress`` shows runs, named by the stage: a bar per stage
    on a terminal, plain lines elsewhere.

    Args:
        enabled: Whether to show anything.
        terminal: Whether the stream is a terminal (bars) or not (plain lines).
        every: Seconds between plain lines, at least.
        stream: Where to write (stderr).
    """

    def __init__(
        self,
        *,
        enabled: bool,
        terminal: bool,
        every: float = LOG_EVERY,
        stream: IO[str] | None = None,
    ) -> None:
        self.enabled = enabled
        self.terminal = terminal
        self.every = every
        self.stream = stream
        self.stage: str | None = None
        self._progress: Progress | None = None
        self.reached: tuple[str, int, int] | None = None  # the latest, shown or not

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show ``done`` of the ``total`` runs of ``stage``."""
        self.reached = (stage, done, total)
        if not self.enabled:
            return
        if stage != self.stage or self._progress is None:
            self.close()
            self.stage = stage
            self._progress = Progress(
                enabled=True,
                terminal=self.terminal,
                stage=stage,
                every=self.every,
                stream=self.stream,
            )
        self._progress(done, total)

    def reached_text(self) -> str:
        """``calibrate: 1,234 of 7,168 runs done; `` once any were counted, else nothing."""
        if self.reached is None:
            return ""
        stage, done, total = self.reached
        return f"{stage}: {done:,} of {total:,} runs done; "

    def close(self) -> None:
        """Close the current stage's bar, if any."""
        if self._progress is not None:
            self._progress.close()


def print_utf8(text: str) -> None:
    """Print a document as UTF-8 whatever the locale."""
    stream = sys.stdout
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    stream.write(text)
    stream.flush()


__all__ = [
    "LOG_EVERY",
    "LOG_SHARE",
    "PROG",
    "Progress",
    "StageProgress",
    "UsageError",
    "check_seed",
    "check_writable",
    "naming",
    "print_utf8",
    "resumable",
    "saved_in",
    "say_start",
    "show_notices",
    "sweep_backend",
    "writing_to",
]
