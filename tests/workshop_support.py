"""Serving a workshop room for the tests and the benchmark: the real command on port 0.

``collabsim workshop --port 0`` prints the room's code and the facilitator's console
before the ``serving at`` line, so once that line is read (``ServerOutput.url``) the
others are in the log.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).parent))
from dashboard_support import start_server  # noqa: E402

CONSOLE = re.compile(r"facilitator's console: (\S+)")
CODE = re.compile(r"room code: (\S+)")


class Served(NamedTuple):
    """A served room: the server's address, the console's, the code and the token."""

    url: str
    console: str
    code: str
    token: str
    pid: int


@contextlib.contextmanager
def workshop_server(log: Path, *args: str):
    """Serve ``collabsim workshop --port 0 ARGS``; yield a ``Served``; stop it afterwards."""
    command = [
        sys.executable,
        "-m",
        "collabsim",
        "workshop",
        "--port",
        "0",
        "--out",
        str(log.parent / "sessions"),
        *args,
    ]
    process, output = start_server(command, log, cwd=log.parent, start_new_session=True)
    try:
        url = output.url()
        text = log.read_text()
        console = CONSOLE.search(text)[1]
        yield Served(url, console, CODE.search(text)[1], console.partition("#f=")[2], process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output.text()


def post(url: str, path: str, body: dict) -> tuple[int, dict]:
    """POST JSON to the server; the status and the JSON answer (refusals included)."""
    request = urllib.request.Request(
        url.rstrip("/") + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
