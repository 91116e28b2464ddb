"""Getting a worker process ready to run, without holding up a Dask worker's event loop.

A Dask worker unpickles a task's function on its event loop, importing the function's
module there; importing collabsim's sweep machinery and the model takes seconds, during
which the worker could not answer the scheduler. This module imports nothing heavy, so a
reference to ``ready_dask_worker`` unpickles at once, and the imports and the loading of
the compiled mechanisms happen when the task runs, in the worker's task thread.
"""

from __future__ import annotations

import gc
import logging


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
