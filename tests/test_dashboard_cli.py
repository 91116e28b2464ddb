"""``collabsim dashboard`` serves the page on the port asked for and stops on Ctrl-C."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from collabsim.cli import main

SCRIPT = shutil.which("collabsim", path=str(Path(sys.executable).parent))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_command_serves_the_dashboard_on_localhost_until_ctrl_c(tmp_path):
    port = free_port()
    server = subprocess.Popen([SCRIPT, "dashboard", "--port", str(port)], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, page = time.monotonic() + 90, None
        while page is None and time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    page = reply.status, reply.read().decode("utf-8", "replace")
            except OSError:
                time.sleep(0.5)
        assert page is not None and page[0] == 200
        assert "solara" in page[1].lower()
        with socket.socket() as outside:  # bound to localhost only
            address = socket.gethostbyname(socket.gethostname())
            if not address.startswith("127."):
                assert outside.connect_ex((address, port)) != 0
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert server.returncode == 0


def test_a_bad_port_is_refused_in_one_line(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == "collabsim: error: --port 70000 is not allowed: expected a port from 1 to 65535"


def test_a_port_in_use_is_refused_in_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"collabsim: error: cannot listen on 127.0.0.1:{port}: ")
    assert line.endswith("choose another --port")
