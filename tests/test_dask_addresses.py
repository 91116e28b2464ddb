"""A scheduler address where something listens that is not a Dask scheduler is said in one
line, at once or after a bounded wait, never a traceback or a wait without end."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from collabsim.sweeps import SweepError, dask


@contextlib.contextmanager
def listener(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A listener on a free port that handles each connection with ``answer``."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):  # closed at the end
            while True:
                connection, _ = server.accept()
                held.append(connection)
                answer(connection)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()
        for connection in held:
            connection.close()


def http_server(connection: socket.socket) -> None:
    """What a web server (the Dask dashboard's port, say) answers to bytes it cannot read."""
    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def test_a_web_server_at_the_address_is_said_to_be_no_scheduler():
    with listener(http_server) as address:
        with pytest.raises(SweepError) as refused:
            dask.reach(address)
    assert str(refused.value) == (
        f"cannot reach the Dask scheduler at {address}: something listens there, but it did "
        "not answer as a Dask scheduler (a scheduler has a port of its own, 8786 unless set; "
        "8787 is its dashboard)"
    )


def test_a_listener_that_never_answers_is_given_up_on(monkeypatch):
    monkeypatch.setattr(dask, "HANDSHAKE_SECONDS", 1.0)
    with listener(lambda connection: None) as address:  # takes the connection, says nothing
        with pytest.raises(
            SweepError, match="something listens there, but no Dask scheduler answered in 1 s"
        ):
            dask.reach(address)
