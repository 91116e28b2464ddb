"""The workshop dashboard: a browser page that lets a room pull the model's levers.

``serve()`` starts it (``collabsim dashboard`` on the command line, or
``python -m collabsim.dashboard``). It needs the ``dashboard`` extra
(``pip install "collabsim[dashboard]"``): Solara and its locally served browser assets.
Modules: ``app`` (the page), ``controls`` (levers, run controls, what-ifs),
``network_view``, ``live_plots``, ``monitors``, ``session`` (one workshop's models per
browser session), ``export`` (CSV and PNG downloads), ``offline`` (no internet
needed), ``serving`` (the web server on the socket ``listen()`` binds) and ``contract``
(the defaults, names and messages the others share).

Port 0 asks the operating system for any free port when the socket is bound; once the
server is listening it prints ``collabsim dashboard: serving at http://HOST:PORT/`` on
stdout, so whoever started it (a facilitator, a test) learns the real address.
"""

from __future__ import annotations

import errno
import os
import socket

from collabsim.dashboard.contract import APP, DEFAULT_HOST, DEFAULT_PORT, SESSION_TIMEOUT


class CannotListen(ValueError):
    """The dashboard cannot listen where it was asked to; the message is one line."""


def listen(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening, for ``serve()``.

    Binding here, rather than letting the web server bind later, means a port that is
    taken or an address this machine does not have is reported at once, before Solara
    and the model's kernels load, and that port 0 becomes a real port at bind time.

    Args:
        host: An IPv4 or IPv6 address or a host name.
        port: A port from 0 to 65535; 0 lets the operating system choose a free one.

    Raises:
        CannotListen: The port is out of range, or binding failed (the port is in use,
            the address is not this machine's, the name does not resolve).
    """
    if not 0 <= port <= 65535:
        raise CannotListen(f"--port {port} is not allowed: expected a port from 0 to 65535")
    if not host.strip():  # the socket would take it for every address of the machine
        raise CannotListen(
            f"--host {host!r} is not allowed: expected an address or a host name "
            "(0.0.0.0 to let devices in the room connect)"
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn decides
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name != "nt":  # restart at once after Ctrl-C, despite connections in TIME_WAIT
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # listen now, not when uvicorn starts: a second server cannot then bind the same
        # port (SO_REUSEADDR lets two bound, non-listening sockets share it), and early
        # visitors wait in the backlog instead of being refused
        sock.listen(2048)
    except (UnicodeError, TypeError):  # a name the resolver cannot even encode
        sock.close()
        raise CannotListen(
            f"cannot listen on {host}:{port}: not a host name; choose another --host"
        ) from None
    except OSError as error:
        sock.close()
        wrong_host = (
            isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL
        )  # not this machine's address
        raise CannotListen(
            f"cannot listen on {host}:{port}: {error.strerror or error}; "
            f"choose another {'--host' if wrong_host else '--port'}"
        ) from None
    return sock


def page_url(sock: socket.socket) -> str:
    """The dashboard's address on a bound socket, with the real port (never 0)."""
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    open_browser: bool = False,
    sock: socket.socket | None = None,
    app: str = APP,
) -> None:
    """Serve the dashboard until interrupted, with every asset served locally.

    Prints ``ANNOUNCEMENT`` with the real address on stdout once it is listening.
    Ctrl-C ends it normally.

    Args:
        host: Address to listen on; the default is this machine only. Give
            ``0.0.0.0`` to let participants' devices on the room's network connect.
        port: Port to listen on; 0 for any free port.
        open_browser: Whether to open the page in the default browser.
        sock: A listening socket from ``listen()`` to serve on instead of binding
            ``host:port`` here; it is closed when the server stops.
        app: The Solara page to serve instead of the dashboard, as a module name or the
            path of a ``.py`` file (e.g. ``docs/solaraviz_app.py``), offline all the same.

    Raises:
        CannotListen: ``sock`` is None and ``host:port`` cannot be bound.
    """
    from collabsim.dashboard.offline import configure_offline

    if sock is None:
        sock = listen(host, port)
    with sock:
        try:
            configure_offline()  # before Solara is imported: it reads its settings then
            os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")  # keep the plots clear
            os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", SESSION_TIMEOUT)  # not a day
            from collabsim.dashboard import serving

            serving.run(sock, page_url(sock), open_browser=open_browser, app=app)
        except KeyboardInterrupt:  # Ctrl-C: the usual way a workshop's server is stopped
            return
