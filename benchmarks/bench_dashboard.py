"""How responsive the workshop dashboard is in a real browser, on the iocn scenario.

Serves the dashboard on a free local port, opens it in Debian's Chromium (headless,
1280 x 720, everything but this machine unreachable) and measures:

- Step latency: from the click on Step to the new week showing in the monitors and
  the plots redrawn, over many clicks (median and 90th percentile); target <= 300 ms;
- Play speed: weeks per second the page shows while playing at the fastest setting
  and at 10 weeks/s, measured from the week the monitors show; target >= 5 weeks/s.

Usage: python benchmarks/bench_dashboard.py [--clicks 30] [--seconds 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from dashboard_support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    dashboard_server,
    open_dashboard,
    week,
)

STEP_TARGET_MS = 300
PLAY_TARGET = 5.0

_WAIT_FOR_WEEK = """(target) => {
    const monitor = document.querySelector('.cs-monitor');
    return monitor && Number(monitor.dataset.week) >= target;
}"""


def step_latencies(page, clicks: int) -> list[float]:
    """Milliseconds from each Step click to the next week shown, measured in the page."""
    latencies = []
    for _ in range(clicks):
        target = week(page) + 1
        start = time.perf_counter()
        page.locator(".cs-step").click()
        page.wait_for_function(_WAIT_FOR_WEEK, arg=target, polling="raf")
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def play_rate(page, speed: int, seconds: float) -> float:
    """Weeks per second shown while playing at ``speed`` for about ``seconds``."""
    page.locator(".cs-speed").click()
    page.locator(".v-menu__content .v-list-item", has_text=f"{speed}").first.click()
    page.locator(".cs-reset").click()
    page.wait_for_function("() => Number(document.querySelector('.cs-monitor').dataset.week) === 0")
    page.locator(".cs-play").click()
    page.wait_for_function(_WAIT_FOR_WEEK, arg=1, polling="raf")
    first, start = week(page), time.perf_counter()
    time.sleep(seconds)
    last, end = week(page), time.perf_counter()
    page.locator(".cs-play").click()
    return (last - first) / (end - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        dashboard_server(Path(folder) / "server.log") as url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_dashboard(browser.new_context(viewport=VIEWPORT), url)
        step_latencies(page, 3)  # warm up
        latencies = step_latencies(page, args.clicks)
        median = statistics.median(latencies)
        p90 = statistics.quantiles(latencies, n=10)[-1]
        rate_10 = play_rate(page, 10, args.seconds)
        rate_max = play_rate(page, 50, args.seconds)
        browser.close()
    print(
        f"Step click -> week shown (iocn, 300 people, {args.clicks} clicks): "
        f"median {median:.0f} ms, 90th percentile {p90:.0f} ms "
        f"(target <= {STEP_TARGET_MS} ms)"
    )
    print(
        f"Play at 10 weeks/s: {rate_10:.1f} weeks/s shown; at the fastest setting (50): "
        f"{rate_max:.1f} weeks/s (target >= {PLAY_TARGET:g})"
    )
    ok = median <= STEP_TARGET_MS and rate_max >= PLAY_TARGET
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
