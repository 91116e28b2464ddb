"""Where a study's runs run: the backends, declared once for the library and the commands.

Each is a module of ``collabsim.sweeps`` with ``check`` and ``execute``. This module
imports nothing, so the command line can offer the choices without loading the model.
"""

#: Each backend, with where its runs run, as the commands' help says it.
PLACES: dict[str, str] = {
    "serial": "this process",
    "pool": "a local process pool",
    "dask": "a Dask cluster",
}

#: The backends' names.
BACKENDS: tuple[str, ...] = tuple(PLACES)

#: The backend used when none is named.
DEFAULT_BACKEND = "pool"
