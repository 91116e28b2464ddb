"""Ctrl-C: it stops a sweep wherever it lands and is never lost; workers never hear it.

Python turns Ctrl-C (SIGINT) into a ``KeyboardInterrupt`` raised wherever the main thread
happens to be. Three places would make that wrong for a sweep:

* between a chunk's part file taking its name and its runs being counted as saved, the
  sweep would then say fewer runs are saved than are on disk; so while a chunk is saved,
  Ctrl-C is held and raised as soon as the chunk is counted (``CtrlC.held``);
* inside a finaliser (a ``__del__`` or a weak-reference callback, which libraries run at
  unpredictable moments), where Python reports the exception as ignored and carries on,
  so the sweep would run to its end; so every Ctrl-C is also remembered, and the sweep
  stops at the next chunk if it was swallowed (``CtrlC.check``);
* while worker processes shut down, where it would leave a pool half shut down: its
  idle workers wait for a task and Python's exit waits for them, for good (a second
  Ctrl-C, or ``timeout -s INT``, which signals twice); so it is held until they are down
  (``held``, which also keeps a finished run's files whole while ``collabsim run`` writes
  them).

Worker processes leave Ctrl-C to the sweep's process from the moment they start
(``kept_from_new_processes`` for the pool's, ``left_here`` for a local Dask cluster's): one
still importing the model would otherwise print a traceback of its own.

SIGTERM (``kill``, a batch system at its time limit, a container stopping) is passed on
as Ctrl-C while a command runs (``terminated_as_ctrl_c``), so that it too stops a sweep
cleanly rather than ending the process where it stands.

Only the main thread receives signals, and only Python's own handler is replaced: in any
other thread, or when the program has a SIGINT handler of its own, nothing changes.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator


class CtrlC:
    """Watches for Ctrl-C while a sweep runs (use as ``with CtrlC() as ctrl_c:``).

    Attributes:
        pressed: Whether Ctrl-C was pressed while it watched.
    """

    def __init__(self) -> None:
        self.pressed = False
        self._holding = False
        self._watching = False

    def __enter__(self) -> CtrlC:
        self._watching = (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        )
        if self._watching:
            signal.signal(signal.SIGINT, self._pressed)
        return self

    def __exit__(self, *exc_info) -> None:
        # unless the program has since installed a handler of its own
        if self._watching and signal.getsignal(signal.SIGINT) == self._pressed:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def _pressed(self, signum, frame) -> None:
        # only the first press stops the sweep: another, while it stops (saving what it
        # has, shutting its workers down), would break off the stopping itself
        first, self.pressed = not self.pressed, True
        if first and not self._holding:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold a Ctrl-C that arrives inside the block until the block has ended."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        self.check()

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed (and swallowed somewhere)."""
        if self.pressed:
            raise KeyboardInterrupt


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold Ctrl-C while the block does what must not be broken off, then pass it on.

    For worker processes shutting down, and for a finished run's files being written. A
    press is passed to the handler it was meant for once the block has ended, unless an
    exception is already on its way (the first Ctrl-C, stopping the sweep), which it
    would only hide. Only the main thread receives signals: elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed and sys.exc_info()[0] is None and callable(previous):
        previous(signal.SIGINT, pressed[-1])


@contextlib.contextmanager
def kept_from_new_processes() -> Iterator[None]:
    """Processes started inside the block never hear Ctrl-C; this one hears it after.

    Ctrl-C (SIGINT) is blocked in this thread inside the block. A process started from it
    is born with the signal blocked, so a worker still importing the model is not stopped
    with a traceback of its own (it then ignores the signal for good,
    ``sweeps.runner.start_worker``); a press meant for this process waits, and is
    delivered as the block ends. Python's own resource tracker is started the same way.
    Only for processes started from this thread (a process pool's, as tasks are
    submitted); where signals cannot be blocked (Windows) or outside the main thread, the
    block changes nothing.

    The press is also held (``held``): blocked here, the signal still reaches another
    thread of this process (a pool's manager thread), and Python would then raise in this
    one between a new process's start and the writing of what it starts from, leaving it
    to fail with a traceback of its own on a half-written start.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    with held():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:  # a press kept pending here is delivered now, to the handler that holds it
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def left_here() -> Iterator[None]:
    """Start processes inside the block with Ctrl-C (SIGINT) ignored.

    For a local Dask cluster, whose worker processes are started by its event loop's
    thread, where a signal blocked in this thread would not reach
    (``kept_from_new_processes``). An ignored signal stays ignored in a process started
    from this one, and Python then installs no handler of its own, so the workers never
    see the user's Ctrl-C; this process does again once the block ends (a Ctrl-C while
    the cluster starts, a second or two, is lost; a SIGTERM is passed on then,
    ``terminated_as_ctrl_c``). Only the main thread can change signal handling:
    elsewhere the block changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if _terminated:  # a SIGTERM came while Ctrl-C was ignored: passed on now
            _terminated.clear()
            signal.raise_signal(signal.SIGINT)


#: A SIGTERM that arrived while ``left_here`` ignored Ctrl-C, passed on as the block ends.
_terminated: list[int] = []


@contextlib.contextmanager
def terminated_as_ctrl_c() -> Iterator[None]:
    """Inside the block, SIGTERM stops the program as Ctrl-C does.

    SIGTERM's default ends the process where it stands: a sweep's folder then still says
    it is running, nothing says how to resume, and Python's resource tracker warns of the
    process pool's semaphores as leaked. Passed on as SIGINT, it goes wherever Ctrl-C
    would (held while a chunk is saved, stopping the sweep and saying how to resume), so
    the runs finished are kept and said to be, and a second SIGTERM (a batch system's
    reminder) does not break off the stopping; one that comes while a local Dask cluster
    starts is passed on once it has started (``left_here``). Where Ctrl-C was ignored as
    the block began (a background job of a script), SIGTERM ends the process as it would
    have. Only in the main thread, and only where SIGTERM has its default handling;
    elsewhere the block changes nothing.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        or signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # nobody would ever hear it
    ):
        yield
        return

    def as_ctrl_c(signum, frame) -> None:
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # left_here: a moment deaf
            _terminated.append(signum)
        else:  # blocked while workers start (kept_from_new_processes), it arrives after
            signal.raise_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, as_ctrl_c)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGTERM) == as_ctrl_c:  # unless replaced meanwhile
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _terminated.clear()
