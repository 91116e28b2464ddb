"""Getting a process ready to run: Mesa first, no garbage searches, a free Dask loop.

Mesa's import walks the call stack to name its loggers (``inspect.stack``), reading the
source of every frame and searching the loaded modules for each. So it costs more the
deeper in a chain of imports it happens and the more is loaded by then: 0.1-0.16 s for
``import mesa`` at the top of a program, 0.2-0.4 s when the model's own imports reach it
after pandas and Numba. So the places a process first loads the model from import Mesa
first: ``collabsim.run`` and the package's other lazy names, and the command line's
commands, through ``import_model``; the sweep package, which a worker imports deep in
unpickling its first task, at its top.

Loading the model makes about 300,000 objects (modules, functions, types, the compiled
mechanisms) that live as long as the process. Python's cyclic garbage collector, counting
allocations, searches all of them three times while they are made (once in Mesa's import,
once in the model's, once as the compiled mechanisms load) and finds nothing to free. A
sweep's worker therefore loads the model inside ``collection_paused`` and freezes what it
loaded before collection resumes (resuming first would search it all once more): a fresh
pool worker is ready in 1.03 s instead of 1.27 s (medians of nine starts, the two versions
in turn; 1.26 times a bare ``import mesa`` instead of 1.54). Pausing alone would gain
nothing in a user's process, where the searches come back once collection resumes, and
only a process that keeps what it loaded may freeze it, so ``import_model`` leaves the
collector alone.

A Dask worker unpickles a task's function on its event loop, importing the function's
module there; importing collabsim's sweep machinery and the model takes seconds, during
which the worker could not answer the scheduler. This module imports nothing heavy, so a
reference to ``ready_dask_worker`` unpickles at once, and the imports and the loading of
the compiled mechanisms happen when the task runs, in the worker's task thread.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator
from importlib import import_module
from types import ModuleType


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; as it was, after.

    For loading the model, whose objects all live on (see above). Memory freed by
    reference counting, nearly all of it, is freed inside the block as ever; only the
    search for unreachable cycles waits.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_model(module: str) -> ModuleType:
    """Import ``module``, a part of collabsim that loads the model, importing Mesa first.

    Mesa is then imported from the caller's level rather than from deep in the model's
    chain of imports, where its stack walk costs about 0.1-0.4 s more (see above).
    """
    import mesa  # noqa: F401  (first, for the cost of its import; see above)

    return import_module(module)


#: Exit status of a pool worker whose parent died.
ORPHANED = 70


def ready_pool_worker() -> None:
    """Start a worker of the local process pool: its initializer.

    It watches its parent, then loads and warms up the sweep's unit of work with garbage
    collection paused. The parent's sentinel (the end of a pipe only the parent holds, or
    its process handle on Windows) becomes ready when the parent ends, whatever ended it;
    a daemon thread waits on it and ends the worker at once. The initializer lives here,
    in a module that imports nothing heavy, so that the worker's imports happen inside
    ``collection_paused`` rather than while the initializer is unpickled; what the
    worker loaded is then frozen, so that it exits quickly when the sweep ends.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent,), name="collabsim-parent-watch", daemon=True
        ).start()
    with collection_paused():
        from collabsim.sweeps.runner import start_worker  # leaves Ctrl-C to the parent

        start_worker()
        freeze_what_is_loaded()  # inside: collecting first would search it all once more


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns once the parent has ended
    os._exit(ORPHANED)  # no cleanup: nothing is left to report to


def ready_dask_worker(local: bool) -> None:
    """Load the sweep's unit of work and the compiled mechanisms, in the task thread.

    Args:
        local: The worker is one of a local cluster the sweep started and will close.
            Its Dask log is silenced below critical: run errors come back to the sweep
            with their chunk, and what a worker would log besides is its side of the
            cluster shutting down (a heartbeat to a scheduler already gone, at the end
            or after Ctrl-C), tracebacks that say nothing to the user. And what it has
            loaded is frozen (``freeze_what_is_loaded``). A worker of someone else's
            cluster is left as it is.
    """
    if local:
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
    with collection_paused():
        from collabsim.sweeps.runner import warm_up  # the unit of work its tasks will call

        warm_up()
        if local:
            freeze_what_is_loaded()


def freeze_what_is_loaded() -> None:
    """Leave every object alive now out of the garbage collector's searches for good.

    For a process that ends soon (the ``collabsim`` command once it is done) or that keeps
    what it loaded until it ends (a sweep's worker). After a run, about 190,000 objects
    (the modules, the compiled mechanisms, the plotting library) are alive, and Python's
    exit searches them all for reference cycles, only to free memory the operating system
    takes back anyway: 0.4 s of each pool worker's exit, and 0.5 s of a ``collabsim run``.
    Objects made later are collected as usual.
    """
    gc.freeze()
