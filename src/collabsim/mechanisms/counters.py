"""Columns of the run's counters of change work (``State.counters``), cumulative over a run."""

PROPOSED, GRANTED, BLOCKED, ADOPTED, BIG_BANG_FAILURES, ADOPTED_BIG_BANGS, TESTED = range(7)
N_COUNTERS = 7
