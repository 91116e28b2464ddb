"""Shared fixtures and helpers for the collabsim tests."""

from __future__ import annotations

import numpy as np
import pytest

import collabsim


@pytest.fixture(scope="session")
def default_params() -> collabsim.Params:
    return collabsim.Params()


def summaries(params: collabsim.Params, seeds, *, steps=None):
    """Summaries of runs of ``params`` over ``seeds`` (common random numbers across arms)."""
    return [collabsim.run(params, seed=s, steps=steps).summary for s in seeds]


def column(rows, name):
    return np.array([r[name] for r in rows], dtype=float)
