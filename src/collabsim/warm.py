"""Getting a Dask worker ready to run, without holding up its event loop.

A Dask worker unpickles a task's function on its event loop, importing the function's
module there; importing collabsim's sweep machinery and the model takes seconds, during
which the worker could not answer the scheduler. This module imports nothing heavy, so a
reference to ``ready_dask_worker`` unpickles at once, and the imports and the loading of
the compiled mechanisms happen when the task runs, in the worker's task thread.
"""

from __future__ import annotations

import logging


def ready_dask_worker(quiet: bool) -> None:
    """Load the sweep's unit of work and the compiled mechanisms, in the task thread.

    Args:
        quiet: Silence Dask's own log lines below critical in this worker (a local
            cluster's): run errors come back to the sweep with their chunk, and what a
            worker would log besides is its side of the cluster shutting down (a
            heartbeat to a scheduler already gone, at the end or after Ctrl-C),
            tracebacks that say nothing to the user.
    """
    if quiet:
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
    from collabsim.sweeps.runner import warm_up  # the unit of work its tasks will call

    warm_up()
