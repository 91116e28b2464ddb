"""``collabsim dashboard`` serves the page where it says it does and stops on Ctrl-C.

The servers here bind port 0: the system picks a free port when the socket is bound,
and the tests read the address from the line the server prints once it is listening.
A port is only ever reused to test a restart on it.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from urllib.parse import urlparse

import psutil
import pytest
from cli_support import SCRIPT
from dashboard_support import server_status, start_server

from collabsim.cli import main
from collabsim.dashboard import SESSION_TIMEOUT, CannotListen, listen, page_url
from collabsim.dashboard.__main__ import main as module_main
from collabsim.dashboard.contract import TITLE


def stop(server: subprocess.Popen) -> int:
    """Stop a server as a facilitator would, with Ctrl-C; its exit status."""
    server.send_signal(signal.SIGINT)
    try:
        return server.wait(timeout=120)  # generous: a busy machine can be slow to stop it
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        raise


def test_the_command_serves_on_localhost_until_ctrl_c_and_restarts_on_the_same_port(tmp_path):
    """The page answers at the announced address, on 127.0.0.1 only; Ctrl-C exits 0.

    Stopped while a browser's connection is open, the server closes it first, so its port
    waits in TIME-WAIT for a minute; started again at once on that port, it serves there.
    """
    first, output = start_server(
        [SCRIPT, "dashboard", "--port", "0"], tmp_path / "first.log", cwd=tmp_path
    )
    try:
        url = output.url()
        port = urlparse(url).port
        # the page, on a connection kept open as a browser's is (a connection never accepted
        # would be reset at the stop instead, leaving no TIME-WAIT)
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        client.request("GET", "/")
        reply = client.getresponse()
        assert reply.status == 200
        assert "solara" in reply.read().decode("utf-8", "replace").lower()
        # 127.0.0.2 is this machine too: it reaches a server listening on every address...
        with socket.create_server(("0.0.0.0", 0)) as everywhere, socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.2", everywhere.getsockname()[1])) == 0
        with socket.socket() as probe:  # ...but not the dashboard, bound to 127.0.0.1 only
            assert probe.connect_ex(("127.0.0.2", port)) != 0
        stop(first)
        client.close()
    finally:
        returncode = stop(first)
    assert returncode == 0, output.text()
    assert any(
        c.laddr.port == port and c.status == psutil.CONN_TIME_WAIT
        for c in psutil.net_connections("tcp4")
    ), "the port is not in TIME-WAIT"
    again, output = start_server(
        [SCRIPT, "dashboard", "--port", str(port)], tmp_path / "again.log", cwd=tmp_path
    )
    try:
        assert output.url() == url
        with urllib.request.urlopen(url, timeout=30) as reply:
            assert reply.status == 200
    finally:
        returncode = stop(again)
    assert returncode == 0, output.text()


def test_port_0_serves_on_the_port_the_system_picked_and_prints_it(tmp_path):
    """``--port 0`` prints one flushed stdout line with the real port, and serves there.

    Nothing else is printed, the first page load included: Solara's session cookie falls
    back to SameSite=Lax over plain http, and says so unless told not to.
    """
    environment = {k: v for k, v in os.environ.items() if k != "SOLARA_KERNEL_CULL_TIMEOUT"}
    with open(tmp_path / "stderr.log", "w") as errors:
        server, output = start_server(
            [sys.executable, "-m", "collabsim.dashboard", "--port", "0"],
            tmp_path / "stdout.log",
            env=environment,
            cwd=tmp_path,
            stderr=errors,
        )
    try:
        url = output.url()
        port = urlparse(url).port
        assert url == f"http://127.0.0.1:{port}/"
        assert 0 < port < 65536
        with urllib.request.urlopen(url, timeout=30) as reply:
            assert reply.status == 200
            (cookie,) = reply.headers.get_all("set-cookie")
            page = reply.read().decode("utf-8")
        # the tab names the dashboard from the first byte, not Solara while it loads
        assert re.search(r"<title>\s*(.*?)\s*</title>", page).group(1) == TITLE
        assert cookie.startswith("solara-session-id=") and "samesite=lax" in cookie.lower()
        # a lost session is kept minutes, not Solara's default day
        assert server_status(url) == {
            "sessions": 0,
            "models": 0,
            "session_timeout": SESSION_TIMEOUT,
        }
    finally:
        returncode = stop(server)
    assert returncode == 0, (tmp_path / "stderr.log").read_text()
    assert (tmp_path / "stderr.log").read_text() == ""
    stdout = output.text().splitlines()
    assert stdout == [f"collabsim dashboard: serving at http://127.0.0.1:{port}/"]


def test_listen_binds_a_real_port_for_port_0():
    """The socket is listening on a port the system chose, and its address says which."""
    with listen("127.0.0.1", 0) as sock:
        port = sock.getsockname()[1]
        assert port != 0
        assert page_url(sock) == f"http://127.0.0.1:{port}/"
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # accepted into the backlog: it is listening already


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_bad_port_is_refused_in_one_line(capsys, port):
    """A port outside 0-65535 is one error line and status 2."""
    assert main(["dashboard", "--port", port]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"collabsim: error: --port {port} is not allowed: expected a port from 0 to 65535"
    )


def test_the_module_refuses_a_bad_port_in_one_line(capsys):
    """``python -m collabsim.dashboard`` says the same in one line, with status 2."""
    with pytest.raises(SystemExit) as stopped:
        module_main(["--port", "70000"])
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "python -m collabsim.dashboard: error: --port 70000 is not allowed: "
        "expected a port from 0 to 65535"
    )


def test_a_port_in_use_is_refused_in_one_line(capsys):
    """Another program's listening port is one error line and status 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"collabsim: error: cannot listen on 127.0.0.1:{port}: ")
    assert line.endswith("choose another --port")


def test_an_address_not_of_this_machine_is_refused_in_one_line(capsys):
    """A host address this machine does not have is one error line and status 2."""
    host = "192.0.2.1"  # TEST-NET-1: documentation only, never a local interface
    assert main(["dashboard", "--host", host, "--port", "0"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"collabsim: error: cannot listen on {host}:0: ")
    assert line.endswith("choose another --host")


@pytest.mark.parametrize("host", ["", " "])
def test_an_empty_host_is_refused_rather_than_taken_for_every_address(host, capsys):
    assert main(["dashboard", "--host", host, "--port", "0"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"collabsim: error: --host {host!r} is not allowed: expected an address or a host "
        "name (0.0.0.0 to let devices in the room connect)"
    )


def test_a_host_name_the_resolver_cannot_encode_is_refused_in_one_line(capsys):
    host = "ä" * 70  # longer than a label may be, once encoded for the resolver
    assert main(["dashboard", "--host", host, "--port", "0"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert (
        line
        == f"collabsim: error: cannot listen on {host}:0: not a host name; choose another --host"
    )


def test_listen_reports_a_taken_port():
    """``listen`` raises ``CannotListen`` for a port another socket listens on."""
    with listen("127.0.0.1", 0) as first:
        port = first.getsockname()[1]
        with pytest.raises(CannotListen, match=f"127.0.0.1:{port}: .*choose another --port"):
            listen("127.0.0.1", port)
