"""Serving the dashboard and driving Debian's Chromium for the browser tests.

The server is the real one (``python -m collabsim.dashboard``) on a free local port, in
its own process group; the browser is ``/usr/bin/chromium`` driven by Playwright, with
every address other than this machine's made unreachable (a proxy on a closed port and
host-resolver rules), so a page that needed the internet would not render.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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


def free_port() -> int:
    """A TCP port nobody is listening on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def dashboard_server(log: Path):
    """Serve the dashboard on a free port; yield its URL; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "collabsim.dashboard", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=log.parent,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the dashboard server exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not answer:\n{log.read_text()}")
            time.sleep(0.25)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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
