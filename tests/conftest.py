"""Shared fixtures and helpers for the collabsim tests."""

from __future__ import annotations

import signal

import pytest

import collabsim


@pytest.fixture(autouse=True)
def _sigint_left_as_found(request):
    """Fail, and repair, a test that leaves SIGINT's handler other than it found it.

    Compared with what the test found, not with Python's default: pytest started as a
    background job of a non-interactive shell starts, and its workers with it, with
    SIGINT ignored, and keeps that.
    """
    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    if after != before:
        signal.signal(signal.SIGINT, before)
        pytest.fail(f"{request.node.nodeid} left SIGINT's handler {after!r}, was {before!r}")


@pytest.fixture
def python_ctrl_c():
    """Ctrl-C at Python's own handler, as in a terminal, whatever this test process had.

    pytest started as a background job of a non-interactive shell (as a CI runner may
    start it) runs, with its workers, with SIGINT ignored; collabsim rightly leaves a
    handler it did not find as Python's own alone, so tests of Ctrl-C set the default.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="session")
def default_params() -> collabsim.Params:
    """The default parameters (the ``iocn`` scenario)."""
    return collabsim.Params()


@pytest.fixture
def local_dask_starts(monkeypatch) -> list[int]:
    """The number of workers of every local Dask cluster started during the test."""
    from collabsim.sweeps import dask

    started: list[int] = []
    start = dask.local_client

    def counted(workers: int):
        started.append(workers)
        return start(workers)

    monkeypatch.setattr(dask, "local_client", counted)
    return started
