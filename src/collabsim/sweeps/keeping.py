"""Workers started once for a job of many sweeps, instead of once per sweep.

Starting a pool of worker processes or a local Dask cluster costs one to two seconds
(spawning, imports, loading the compiled mechanisms). A validation runs a dozen groups
of arms, a calibration as many per stage, the results pipeline a sweep per file: each
starting its own workers would spend more time starting them than running on a short
job. Inside ``kept_alive()``, the first sweep that needs workers starts them and every
later sweep with the same backend and number of workers uses them; they stop when the
block ends. Outside a block, each sweep starts and stops its own, as before::

    with collabsim.sweeps.kept_alive():
        for cede in (0.2, 0.5, 0.8):
            collabsim.sweep(scenario=collabsim.Params(cede_willingness=cede), ...)

Nothing is started for a block whose sweeps need no workers (everything already stored,
or the serial backend), and a sweep's results do not depend on whether its workers were
kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager
from typing import Any

#: The open ``kept_alive`` block's exit stack, which stops what was kept; None outside one.
_block: contextlib.ExitStack | None = None

#: The workers started inside the open block, by backend and number of workers.
_started: dict[Hashable, Any] = {}


@contextlib.contextmanager
def kept_alive() -> Iterator[None]:
    """Inside the block, sweeps share the workers the first of them starts.

    A block inside another is the outer one: its workers serve, and stop with it.
    """
    global _block
    if _block is not None:
        yield
        return
    with contextlib.ExitStack() as block:
        _block = block
        try:
            yield
        finally:
            _block = None
            _started.clear()


def keeping() -> bool:
    """Whether a ``kept_alive`` block is open, so that workers started now are kept."""
    return _block is not None


def kept(key: Hashable, start: Callable[[], AbstractContextManager[Any]]) -> AbstractContextManager:
    """The workers ``start()`` gives, for one sweep: kept ones if a block holds them.

    Args:
        key: What the workers are (the backend and the number of workers): a sweep
            reuses workers only with the same key.
        start: Starts the workers, as a context manager that stops them on exit.

    Returns:
        A context manager giving the workers. Inside a ``kept_alive`` block, leaving it
        stops nothing (the block does, at its end); outside, it stops them.
    """
    if _block is None:
        return start()
    if key not in _started:
        _started[key] = _block.enter_context(start())
    return contextlib.nullcontext(_started[key])
