"""A browser that vanishes without closing its pages has its sessions' models freed.

A crashed browser, a phone gone to sleep or a laptop shut mid-workshop never tells the
server its pages have gone. The server keeps such a session for ``SESSION_TIMEOUT`` in
case the page reconnects, then frees its models for the memory to be reused; here that is
shortened to seconds and Chromium is killed outright, twice.

The resident set cannot say whether the freed memory went back to the system: that
depends on how the heap happens to be laid out (with the same code, 3 of 22 MiB went back
in one run, 7 in another). What Python allocated and still holds can be counted exactly,
and a second crowd of sessions shows whether the rest is reused.
"""

from __future__ import annotations

import json
import os
import signal
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest
from dashboard_support import (
    TRACE_PATH,
    VIEWPORT,
    Served,
    dashboard_server,
    killable_chromium,
    open_dashboard,
    resident_mb,
    server_status,
    wait_for_status,
    wait_for_week,
)
from playwright.sync_api import expect, sync_playwright

#: The session timeout of the server under test, in seconds.
TIMEOUT = 2
#: Seconds allowed past the timeout for the server to end the sessions and free them
#: (generous: a machine busy with other work can be slow).
MARGIN = 120


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    # the page as a module, imported before the server starts, as the dashboard's own is
    tests = str(Path(__file__).parent)
    env = {**os.environ, "SOLARA_KERNEL_CULL_TIMEOUT": f"{TIMEOUT}s", "PYTHONPATH": tests}
    with dashboard_server(log, env=env, app="dashboard_traced_app") as served:
        yield served, log


def python_bytes(url: str) -> int:
    """The bytes allocated in the server since it was first asked this, still held."""
    with urllib.request.urlopen(urljoin(url, TRACE_PATH), timeout=30) as reply:
        return json.load(reply)["python_bytes"]


def open_sessions(browser, url: str) -> list:
    """Three sessions, each in a browser context of its own: stepped, playing, side by side.

    Returns their contexts, once each page shows what it was asked to do.
    """
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(3)]
    stepped, playing, side_by_side = (open_dashboard(context, url) for context in contexts)
    stepped.locator(".cs-step").click()
    wait_for_week(stepped, 1)
    side_by_side.locator(".cs-compare label").click()
    wait_for_week(side_by_side, 0, "B")
    # at one week a second, still playing when the browser is killed however slowly a busy
    # machine draws the weeks: 260 s to the horizon (at ten, 26 s, it once got there first)
    playing.locator(".cs-speed").click()
    playing.get_by_role("option", name="1", exact=True).click()
    playing.locator(".cs-play").click()
    playing.wait_for_function(
        "() => Number(document.querySelector('.cs-monitor').dataset.week) >= 2"
    )
    expect(playing.locator(".cs-play")).to_contain_text("Pause")
    return contexts


def killed_with_sessions_open(playwright, served: Served, folder: Path) -> tuple[float, int]:
    """Open three sessions in a Chromium, then kill it outright: no page unloads, no goodbye.

    Returns the server's resident memory (MiB) and the Python bytes traced, both taken
    while the sessions were open.
    """
    folder.mkdir()
    with killable_chromium(playwright, folder) as (browser, chromium):
        open_sessions(browser, served.url)
        status = server_status(served.url)  # the first page has been open longer than the timeout
        assert status["sessions"] == 3
        assert status["models"] >= 4  # one each, two side by side
        held = resident_mb(served.pid), python_bytes(served.url)
        os.killpg(chromium.pid, signal.SIGKILL)
        chromium.wait()
    return held


def test_a_killed_browser_has_its_sessions_models_freed_after_the_timeout(server, tmp_path):
    served, log = server
    with sync_playwright() as playwright:
        # the first sessions load code and fill caches for good: the baseline is after them
        with killable_chromium(playwright, tmp_path) as (browser, _):
            for context in open_sessions(browser, served.url):
                context.close()
        wait_for_status(served.url, TIMEOUT + MARGIN, sessions=0, models=0)
        baseline = resident_mb(served.pid)
        python_bytes(served.url)  # tracing starts: what is allocated from now on is counted

        held, traced_held = killed_with_sessions_open(playwright, served, tmp_path / "a")
        wait_for_status(served.url, TIMEOUT + MARGIN, sessions=0, models=0)
        freed, traced_freed = resident_mb(served.pid), python_bytes(served.url)
        # two more crowds the same: a server that kept any of the first's would grow again
        for crowd in ("b", "c"):
            killed_with_sessions_open(playwright, served, tmp_path / crowd)
            wait_for_status(served.url, TIMEOUT + MARGIN, sessions=0, models=0)
        freed_later = resident_mb(served.pid)
    sizes = (
        f"server memory {baseline:.0f} MiB, {held:.0f} with three sessions open, "
        f"{freed:.0f} once they were freed, {freed_later:.0f} after two more crowds of three "
        f"came and went; allocated since the baseline and still held: "
        f"{traced_held / 2**20:.2f} MiB with the sessions open, "
        f"{traced_freed / 2**20:.2f} MiB once they were freed"
    )
    assert held - baseline > 5, sizes  # the sessions held memory: the comparison means something
    assert traced_held > 5 * 2**20, sizes
    # back to the baseline: of what the sessions allocated, under an eighth stays. Measured:
    # 1.6-1.8% alone, 5.2% with the whole suite running beside it (Solara's and asyncio's
    # bookkeeping); 23% when each closed session's model state was kept on purpose
    assert traced_freed < traced_held / 8, sizes
    # What the C library keeps for reuse (which the resident set counts, and which depends
    # on how the heap happens to be laid out) is reused: two more crowds grow the server by
    # less than the first held, where keeping their models would grow it by twice that.
    # Measured: 9 to 13 MiB for the two, of the 22 to 25 the first held. One crowd alone grew
    # it by 0 to 11 MiB as the allocator's arenas settled, too noisy to judge one by
    assert freed_later - freed < held - baseline, sizes
    text = log.read_text()
    assert "Traceback" not in text and "Error" not in text, text
