"""Serving the dashboard and driving Debian's Chromium for the browser tests.

The server is the real one (``python -m collabsim.dashboard --port 0``) on a local port
the system picks when it binds, in its own process group; the tests take its address
from the line it prints once it is listening, so no port is guessed and nothing polls.
The browser is ``/usr/bin/chromium`` driven by Playwright, with every address other than
this machine's made unreachable (a proxy on a closed port and host-resolver rules), so a
page that needed the internet would not render.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
    # everything but this machine is unreachable
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 720}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
#: The line the server prints once it is listening, with the page's address.
SERVING = re.compile(r"serving at (http://\S+)")
#: Seconds a server may take to start (it compiles the model's kernels first).
STARTUP_TIMEOUT = 120


class ServerOutput:
    """A server's stdout and stderr, copied line by line into a log by a thread.

    The thread blocks on ``readline`` and keeps the pipe drained for as long as the
    server runs, so the server never stalls on a full pipe; it hands over the address
    of the ``serving at`` line the server prints once it is listening.
    """

    def __init__(self, process: subprocess.Popen, log: Path):
        """Start copying ``process``'s output (a text pipe) into ``log``."""
        self.log = log
        self._urls: queue.Queue[str | None] = queue.Queue()
        out = open(log, "w")  # here, so the log exists whenever an error message reads it
        self._thread = threading.Thread(target=self._copy, args=(process.stdout, out),
                                        daemon=True)
        self._thread.start()

    def _copy(self, stream, out) -> None:
        """Copy ``stream`` into ``out`` until it ends, passing on announced addresses."""
        with stream, out:
            for line in stream:
                out.write(line)
                out.flush()  # the log is read for the error message while this runs
                match = SERVING.search(line)
                if match:
                    self._urls.put(match[1])
        self._urls.put(None)  # end of output: the server has exited

    def url(self, timeout: float = STARTUP_TIMEOUT) -> str:
        """The address the server announced, waiting up to ``timeout`` seconds for it.

        Raises:
            RuntimeError: The server exited or said nothing in time; with its output.
        """
        try:
            url = self._urls.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"the dashboard did not start in {timeout:.0f} s:\n"
                               f"{self.log.read_text()}") from None
        if url is None:
            raise RuntimeError(f"the dashboard server exited:\n{self.log.read_text()}")
        return url

    def text(self, timeout: float = 10) -> str:
        """Everything the server printed, once it has exited and its output has ended."""
        self._thread.join(timeout)
        return self.log.read_text()


def start_server(command: list[str], log: Path, **popen) -> tuple[subprocess.Popen, ServerOutput]:
    """Start a dashboard server command with its output going to ``log``.

    Args:
        command: The command line.
        log: Where its stdout goes, and its stderr unless ``popen`` sends that elsewhere.
        **popen: More arguments for ``subprocess.Popen`` (``cwd``, ``stderr``, ...).
    """
    options = {"stderr": subprocess.STDOUT, **popen}
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, **options)
    return process, ServerOutput(process, log)


@contextlib.contextmanager
def dashboard_server(log: Path):
    """Serve the dashboard on a port the system picks; yield its URL; stop it afterwards."""
    process, output = start_server([sys.executable, "-m", "collabsim.dashboard", "--port", "0"],
                                   log, cwd=log.parent, start_new_session=True)
    try:
        yield output.url()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output.text()


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (data: and blob: URLs never leave)."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.hostname in LOCAL_HOSTS or parsed.hostname == "::1"


def open_dashboard(context, url: str, requests: list[str] | None = None):
    """Open the page in a new tab and wait until the network view and plots are drawn."""
    page = context.new_page()
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.locator(".cs-network svg").first.wait_for(timeout=60_000)
    page.locator(".cs-plots svg").wait_for(timeout=60_000)
    return page


def week(page, pane: str = "A") -> int:
    """The week the monitors of ``pane`` show."""
    return int(page.locator(f'.cs-monitor[data-pane="{pane}"]').get_attribute("data-week"))


def wait_for_week(page, value: int, pane: str = "A", timeout: float = 15.0) -> None:
    """Wait until the monitors of ``pane`` show week ``value``."""
    page.locator(f'.cs-monitor[data-pane="{pane}"][data-week="{value}"]').wait_for(
        timeout=timeout * 1000)
