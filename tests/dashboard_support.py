"""Serving the dashboard and driving Debian's Chromium for the browser tests.

The server is the real one (``python -m collabsim.dashboard --port 0``) on a local port
the system picks when it binds, in its own process group; the tests take its address
from the line it prints once it is listening, so no port is guessed and no start is polled.
The browser is ``/usr/bin/chromium`` driven by Playwright, with every address other than
this machine's made unreachable (a proxy on a closed port and host-resolver rules), so a
page that needed the internet would not render. ``killable_chromium`` starts it as a
process of its own (its DevTools port 0, read back from what it prints), so a test can
kill it outright, as a crash or a flat battery would.

Every wait here retries until the page shows what is awaited (Playwright's ``expect``),
or asks the server's status until it reports it (``wait_for_status``): a value is never
read straight after the action that changes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin, urlparse

import psutil
import pytest
from playwright.sync_api import expect, sync_playwright

from collabsim.dashboard.contract import STATUS_PATH
from collabsim.dashboard.session import PANES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    # everything but this machine is unreachable
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
#: Switches Playwright adds when it launches Chromium itself; a Chromium started on its own
#: needs them too, or its pages in the background (all but one) are throttled and draw late.
UNTHROTTLED = [
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
]
VIEWPORT = {"width": 1280, "height": 720}
#: An upright phone.
PHONE = {"width": 390, "height": 844}
#: Where ``dashboard_traced_app`` answers the bytes allocated since tracing began.
TRACE_PATH = "/_test/traced"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
#: The line the server prints once it is listening, with the page's address.
SERVING = re.compile(r"serving at (http://\S+)")
#: The line Chromium prints once its DevTools endpoint is listening, with its address.
DEVTOOLS = re.compile(r"DevTools listening on (ws://\S+)")
#: Seconds a server may take to start (it compiles the model's kernels first); generous,
#: since a machine busy with other work can starve a niced server for minutes.
STARTUP_TIMEOUT = 600
#: Milliseconds ``expect`` retries, and a page waits for an action or a page load, before
#: failing: three minutes, since a machine busy with other work can starve a niced server
#: and browser for long. Only a failing test waits this long.
TIMEOUT_MS = 180_000
expect.set_options(timeout=TIMEOUT_MS)


class ServerOutput:
    """A server's stdout and stderr, copied line by line into a log by a thread.

    The thread blocks on ``readline`` and keeps the pipe drained for as long as the
    server runs, so the server never stalls on a full pipe; it hands over the address
    of the line the server prints once it is listening (``announces``).
    """

    def __init__(
        self,
        process: subprocess.Popen,
        log: Path,
        *,
        announces: re.Pattern = SERVING,
        name: str = "the dashboard",
    ):
        """Start copying ``process``'s output (a text pipe) into ``log``."""
        self.log = log
        self.name = name
        self.announces = announces
        self._urls: queue.Queue[str | None] = queue.Queue()
        out = open(log, "w")  # here, so the log exists whenever an error message reads it
        self._thread = threading.Thread(target=self._copy, args=(process.stdout, out), daemon=True)
        self._thread.start()

    def _copy(self, stream, out) -> None:
        """Copy ``stream`` into ``out`` until it ends, passing on announced addresses."""
        with stream, out:
            for line in stream:
                out.write(line)
                out.flush()  # the log is read for the error message while this runs
                match = self.announces.search(line)
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
            raise RuntimeError(
                f"{self.name} did not start in {timeout:.0f} s:\n{self.log.read_text()}"
            ) from None
        if url is None:
            raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()}")
        return url

    def text(self, timeout: float = 10) -> str:
        """Everything the server printed, once it has exited and its output has ended."""
        self._thread.join(timeout)
        return self.log.read_text()


def start_server(
    command: list[str], log: Path, *, env: dict[str, str] | None = None, **popen
) -> tuple[subprocess.Popen, ServerOutput]:
    """Start a dashboard server command with its output going to ``log``.

    Args:
        command: The command line.
        log: Where its stdout goes, and its stderr unless ``popen`` sends that elsewhere.
        env: The server's environment (default: this one), with unbuffered output.
        **popen: More arguments for ``subprocess.Popen`` (``cwd``, ``stderr``, ...).
    """
    options = {"stderr": subprocess.STDOUT, **popen}
    env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, **options)
    return process, ServerOutput(process, log)


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to the process group ``process`` leads; kill it if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Served(NamedTuple):
    """A dashboard server the tests started: its page's address and its process id."""

    url: str
    pid: int


@contextlib.contextmanager
def dashboard_server(log: Path, *, env: dict[str, str] | None = None, app: Path | None = None):
    """Serve the dashboard (or the page ``app``) on a port the system picks.

    Yields the ``Served`` server, stopped afterwards.
    """
    command = [sys.executable, "-m", "collabsim.dashboard", "--port", "0"]
    if app is not None:
        command += ["--app", str(app)]
    process, output = start_server(command, log, env=env, cwd=log.parent, start_new_session=True)
    try:
        yield Served(output.url(), process.pid)
    finally:
        stop_group(process)
        output.text()


@contextlib.contextmanager
def killable_chromium(playwright, folder: Path):
    """Chromium as a process of its own, driven over DevTools; yield (browser, process).

    Killing the process group is a browser that vanishes without closing its pages.
    """
    process = subprocess.Popen(
        [
            CHROMIUM,
            *CHROMIUM_ARGS,
            *UNTHROTTLED,
            "--remote-debugging-port=0",
            f"--user-data-dir={folder / 'profile'}",
            "about:blank",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = None
    try:  # the browser is killed even if its log cannot be read
        output = ServerOutput(process, folder / "chromium.log", announces=DEVTOOLS, name="chromium")
        browser = playwright.chromium.connect_over_cdp(output.url())
        yield browser, process
    finally:
        stop_group(process, signal.SIGKILL)
        if output is not None:
            output.text()


@contextlib.contextmanager
def chromium():
    """Debian's Chromium launched by Playwright; a missing one fails the test, never skips it."""
    if not Path(CHROMIUM).exists():  # these tests are the pages' proof
        pytest.fail(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def resident_mb(pid: int) -> float:
    """The memory a process holds (its resident set), in MiB."""
    return psutil.Process(pid).memory_info().rss / 2**20


def server_status(url: str) -> dict:
    """What the server reports at ``STATUS_PATH``: sessions, models held, session timeout."""
    with urllib.request.urlopen(urljoin(url, STATUS_PATH), timeout=30) as reply:
        return json.load(reply)


def wait_for_status(url: str, timeout: float, **expected) -> dict:
    """Ask the server until its status has the ``expected`` values; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        status = server_status(url)
        if all(status[key] == value for key, value in expected.items()):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(
                f"after {timeout:.0f} s the server still reports {status}, not {expected}"
            )
        time.sleep(0.2)  # between polls; the deadline, not this pause, decides


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (data: and blob: URLs never leave)."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.hostname in LOCAL_HOSTS or parsed.hostname == "::1"


def open_dashboard(context, url: str, requests: list[str] | None = None):
    """Open the page in a new tab and wait until it shows week 0 everywhere."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    wait_for_week(page, 0)
    return page


def wait_for_week(page, value: int, pane: str = "A") -> None:
    """Wait until the monitors, network view and plots of ``pane`` all show week ``value``.

    They are separate widgets whose updates reach the page one after another.
    """
    network = page.locator(".cs-network svg").nth(PANES.index(pane))
    for shown in (
        page.locator(f'.cs-monitor[data-pane="{pane}"]'),
        network,
        page.locator(".cs-plots svg"),
    ):
        expect(shown).to_have_attribute("data-week", str(value))
