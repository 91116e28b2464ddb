"""Solara's web app served by uvicorn on a socket the dashboard has already bound.

Solara's own ``solara run`` binds its port inside uvicorn and, for port 0, picks a
"free" port with a probe socket first, which another program can take in between. Here
uvicorn serves on the socket ``collabsim.dashboard.listen()`` bound, so the port is
known from the moment it is bound, and the address is announced only once the server
accepts connections. What ``solara run APP --production --no-check-version
--log-level-uvicorn warning`` set up is set up here too: the app to serve, production
mode and Solara's logging configuration. Theme, SSG and search settings stay at their
defaults, as they did there. One route is added: ``STATUS_PATH``, the browser sessions
open and the models they hold, as JSON.

Import this module only after ``collabsim.dashboard.offline.configure_offline()``:
importing it imports Solara, which reads its settings at import time.
"""

from __future__ import annotations

import copy
import gc
import importlib
import os
import socket
import threading
import warnings
import webbrowser

import uvicorn
from solara.server import kernel_context, settings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from collabsim.dashboard.contract import ANNOUNCEMENT, APP, STATUS_PATH, TITLE

#: uvicorn's log level, as ``solara run --log-level-uvicorn warning`` set it.
UVICORN_LOG_LEVEL = "warning"


class AnnouncingServer(uvicorn.Server):
    """A uvicorn server that says where it is, once it accepts connections."""

    def __init__(self, config: uvicorn.Config, url: str, *, open_browser: bool) -> None:
        super().__init__(config)
        self.url = url
        self.open_browser = open_browser

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start serving, then print the address and open the browser if asked."""
        await super().startup(sockets=sockets)
        if not self.started:  # shutting down already (Ctrl-C during startup)
            return
        print(ANNOUNCEMENT.format(url=self.url), flush=True)
        if self.open_browser:  # a browser can take seconds to start: not on the event loop
            threading.Thread(
                target=webbrowser.open, args=(browser_url(self.url),), daemon=True
            ).start()


def status(request: Request) -> JSONResponse:
    """The browser sessions open, the models held and how long a lost session is kept."""
    from collabsim.dashboard.session import models_held

    return JSONResponse(
        {
            "sessions": len(kernel_context.contexts),
            "models": models_held(),
            "session_timeout": settings.kernel.cull_timeout,
        }
    )


def browser_url(url: str) -> str:
    """The address a browser on this machine opens: a wildcard address means loopback."""
    for wildcard, loopback in (("//0.0.0.0:", "//127.0.0.1:"), ("//[::]:", "//[::1]:")):
        url = url.replace(wildcard, loopback)
    return url


def run(sock: socket.socket, url: str, *, open_browser: bool = False, app: str = APP) -> None:
    """Serve the dashboard (or another Solara page) on ``sock`` until SIGINT or SIGTERM.

    uvicorn stops gracefully on either signal and then raises it again, so Ctrl-C ends
    here as ``KeyboardInterrupt``, as it would anywhere else; so does SIGTERM under the
    ``collabsim`` command, which passes it on as Ctrl-C (``ctrl_c.terminated_as_ctrl_c``).

    Args:
        sock: A bound, listening TCP socket.
        url: The page's address on ``sock``, announced once it is served.
        open_browser: Whether to open the page in the default browser then.
        app: The Solara page to serve: a module name or the path of a ``.py`` file.
    """
    host, port = sock.getsockname()[:2]
    # what solara run sets before uvicorn imports the app: solara.server.app reads
    # SOLARA_APP when it is imported; the other two are the CGI variables it sets too
    os.environ.update(SOLARA_APP=app, SERVER_NAME=str(host), SERVER_PORT=str(port))
    settings.main.mode = "production"  # as --production: no hot reload, no dev checks
    settings.theme.title = TITLE  # the tab's title while the page loads, not Solara's
    from solara.__main__ import LOGGING_CONFIG  # Solara's quiet log set-up
    from solara.server.starlette import app as server_app

    from collabsim.dashboard.session import Workshop

    # Solara asks for a SameSite=None session cookie, so that a page embedded in another
    # site keeps its session; that needs https, so over plain http to an address it falls
    # back to SameSite=Lax and warns on the first page load. Lax is right here (the page
    # is never embedded) and Solara has no setting for this cookie: the warning goes.
    warnings.filterwarnings(
        "ignore",
        message="Cookies with samesite=none require https",
        category=UserWarning,
        module="solara.server.starlette",
    )
    server_app.router.routes.insert(0, Route(STATUS_PATH, endpoint=status))  # before the catch-all
    Workshop().close()  # compile the model's kernels now, not on the first visitor's click
    if not app.endswith(".py"):  # the page's modules, loaded before the freeze (Solara
        importlib.import_module(app)  # loads a page file itself, later)
    # what is loaded by now stays loaded: the cycle collector, run as each session ends
    # (``Workshop.close``), need not walk it again, which makes that run much faster
    gc.freeze()
    config = uvicorn.Config(
        server_app,
        host=str(host),
        port=port,
        log_config=copy.deepcopy(LOGGING_CONFIG),
        log_level=UVICORN_LOG_LEVEL,
    )
    AnnouncingServer(config, url, open_browser=open_browser).run(sockets=[sock])
