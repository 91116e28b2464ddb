"""What the workshop's browser tests share besides their fixtures: a phone's size, how long
an expectation waits, screenshots (to /work/shots when that folder exists)."""

from pathlib import Path

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/work/shots")
TIMEOUT = 60_000


def shot(page, name, full_page=True):
    """Save a screenshot of ``page`` as ``name`` in /work/shots, when that folder exists."""
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / name), full_page=full_page)
