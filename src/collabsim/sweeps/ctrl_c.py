"""Ctrl-C during a sweep: it stops the sweep wherever it lands, and is never lost.

Python turns Ctrl-C (SIGINT) into a ``KeyboardInterrupt`` raised wherever the main thread
happens to be. Two places would make that wrong for a sweep:

* between a chunk's part file taking its name and its runs being counted as saved, the
  sweep would then say fewer runs are saved than are on disk; so while a chunk is saved,
  Ctrl-C is held and raised as soon as the chunk is counted (``CtrlC.held``);
* inside a finaliser (a ``__del__`` or a weak-reference callback, which libraries run at
  unpredictable moments), where Python reports the exception as ignored and carries on,
  so the sweep would run to its end; so every Ctrl-C is also remembered, and the sweep
  stops at the next chunk if it was swallowed (``CtrlC.check``).

Only the main thread receives signals, and only Python's own handler is replaced: in any
other thread, or when the program has a SIGINT handler of its own, nothing changes.
"""

from __future__ import annotations

import contextlib
import signal
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
        self.pressed = True
        if not self._holding:
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
