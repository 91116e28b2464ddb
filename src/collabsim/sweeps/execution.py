"""Where and how runs are computed: one options object, checked once, passed down whole.

Every study that runs the model (a sweep, a validation, a calibration, a robustness or
sensitivity study, the results pipeline) takes the same five options: the backend, its
workers, a Dask scheduler, whether to restart, and a progress function. They are checked
here, once, when the ``Execution`` is made, and every layer below takes the object, not
five loose arguments::

    run_with = Execution(backend="pool", workers=2)
    run_with.workers_used          # 2: the processes the runs will use
    run_with.replace(progress=f)   # the same, reporting to f
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any

from collabsim.backends import BACKENDS, DEFAULT_BACKEND
from collabsim.checks import function_or_none, one_of, true_or_false
from collabsim.params import python_value
from collabsim.sweeps.sampling import SweepError


@dataclass(frozen=True)
class Execution:
    """How a study's runs are computed.

    Args:
        backend: ``"serial"``, ``"pool"`` (local processes) or ``"dask"``.
        workers: Worker processes of the pool or of a local Dask cluster (all cores if
            None).
        scheduler: Dask only: a scheduler address (``tcp://HOST:PORT``) or a
            ``distributed.Client``.
        restart: Delete the stored runs and compute all anew.
        progress: Called as ``progress(done, total)`` as the runs finish, or None (a
            study with a report of its own adapts it: calibration, the results pipeline).

    Attributes:
        workers_used: The worker processes the runs will use (None: an existing Dask
            cluster's).

    Raises:
        SweepError: An option not allowed, naming it, the value and what is allowed.
    """

    backend: str = DEFAULT_BACKEND
    workers: int | None = None
    scheduler: Any = None
    restart: bool = False
    progress: Callable[[int, int], None] | None = None
    workers_used: int | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        _refuse_in_a_starting_worker()
        restart, workers = python_value(self.restart), python_value(self.workers)
        object.__setattr__(self, "restart", restart)
        object.__setattr__(self, "workers", workers)
        true_or_false("restart", restart, error=SweepError)
        function_or_none("progress", self.progress, ("done", "total"), error=SweepError)
        one_of("backend", self.backend, BACKENDS, what="a backend", error=SweepError)
        if self.scheduler is not None and self.backend != "dask":
            raise SweepError(
                f"scheduler is only for the dask backend, not backend={self.backend!r}: "
                "give backend='dask' with it"
            )
        used = self.module.check(workers=workers, scheduler=self.scheduler)
        object.__setattr__(self, "workers_used", used)

    @property
    def module(self) -> ModuleType:
        """The backend's module (``collabsim.sweeps.serial``, ``.pool`` or ``.dask``)."""
        return import_module(f"collabsim.sweeps.{self.backend}")

    def reach(self) -> None:
        """Make sure the runs can be sent where they will run, before anything is removed.

        Only an existing Dask cluster can be out of reach (``SweepError`` if it is); a
        restart asks first, so that the earlier runs stay when the cluster is down.
        """
        if self.backend == "dask":
            self.module.reach(self.scheduler)

    def replace(self, **changes: Any) -> Execution:
        """The same execution with ``changes`` (checked again)."""
        return dataclasses.replace(self, **changes)


#: What to do when workers die as they start, most often for this reason.
SCRIPT_GUARD = (
    'from a script, put the study under `if __name__ == "__main__":` (workers import the script)'
)


def _refuse_in_a_starting_worker() -> None:
    """End a worker process that, while starting, was asked to run a study.

    Pool and Dask workers start by importing the script that made them (Python's spawn
    start method), so a script that runs a study outside ``if __name__ == "__main__":``
    would start the study again in every worker, which would find its folder taken by the
    first. The worker ends with one line instead (the flag is the one Python checks before
    it refuses to start processes there), and the study that started it says what to do.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise SystemExit(
            "collabsim: a worker process imported a script that runs a study outside "
            '`if __name__ == "__main__":`; the worker stops here'
        )


def execution(error: type[Exception] = SweepError, **options: Any) -> Execution:
    """``Execution(**options)``, a refusal raised as ``error`` (a study's own error type)."""
    try:
        return Execution(**options)
    except SweepError as failure:
        if type(failure) is error:
            raise
        raise error(str(failure)) from None
