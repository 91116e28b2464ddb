"""Getting a worker process ready to run: the model's code and compiled mechanisms loaded.

This module imports nothing heavy itself. A Dask worker unpickles a task's function on
its event loop, importing the function's module there; importing collabsim's sweep
machinery and the model takes seconds, during which the worker could not answer the
scheduler. A reference to ``ready_dask_worker`` unpickles at once, and the imports and
the loading happen when the task runs, in the worker's task thread.
"""

from __future__ import annotations

import logging


def warm_up() -> None:
    """Load the model and its compiled mechanisms in this process (once, at start)."""
    import collabsim

    collabsim.run(collabsim.Params(n_people=30), seed=0, steps=2)


def ready_dask_worker(quiet: bool) -> None:
    """Make a Dask worker ready to run (``warm_up``), as a task in its task thread.

    Args:
        quiet: Silence Dask's own log lines below critical in this worker (a local
            cluster's): run errors come back to the sweep with their chunk, and what a
            worker would log besides is its side of the cluster shutting down (a
            heartbeat to a scheduler already gone, at the end or after Ctrl-C),
            tracebacks that say nothing to the user.
    """
    if quiet:
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
    import collabsim.sweeps.runner  # noqa: F401  (the unit of work its tasks will call)

    warm_up()
