"""The dashboard's own page, served with one route more: the memory Python holds.

``TRACE_PATH`` starts ``tracemalloc`` on its first request and answers, as JSON, the
bytes held by what was allocated since then and is still alive (Python's objects and
numpy's arrays): asked once the server has warmed up, then again after sessions have
come and gone, it says how much of their memory stayed, exactly, where the resident set
also counts what the C library keeps for reuse. Tracing from the start
(``PYTHONTRACEMALLOC``) would slow the whole server several times over.
"""

import gc
import tracemalloc

from dashboard_support import TRACE_PATH
from solara.server.starlette import app
from starlette.responses import JSONResponse
from starlette.routing import Route

from collabsim.dashboard.app import Layout, Page  # noqa: F401 (what Solara serves)


def traced(request) -> JSONResponse:
    """Start tracing if not yet; the bytes allocated since tracing began, still held.

    The cycle collector runs first: garbage it has yet to reach is not memory kept.
    """
    if not tracemalloc.is_tracing():
        tracemalloc.start()
    gc.collect()
    return JSONResponse({"python_bytes": tracemalloc.get_traced_memory()[0]})


app.router.routes.insert(0, Route(TRACE_PATH, endpoint=traced))  # before the catch-all
