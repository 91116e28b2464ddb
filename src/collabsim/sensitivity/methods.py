"""SALib's analysers, one small function per method, each returning tidy rows.

Each ``<method>(problem, sample, y, ...)`` takes the SALib problem, the sample matrix
(rows in point order) and one output's values per point (the same order), calls the
SALib analyser and returns one dict per factor with these columns:

- ``sobol``: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (and second-order rows ``S2``,
  ``S2_conf`` per pair, separately);
- ``morris``: ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``;
- ``delta``: ``delta``, ``delta_conf`` (Borgonovo's delta on the sample as drawn,
  SALib's ``delta_raw``);
- ``pawn``: ``median``, ``mean``, ``minimum``, ``maximum``, ``CV`` of the
  Kolmogorov-Smirnov statistics over conditioning slices;
- ``rbd_fast``: ``S1``, ``S1_conf``.

``_conf`` columns are SALib's bootstrap half-widths of the confidence interval at
``conf_level``. Seeds: every analyser gets its own generator from ``seed``. SALib's
``delta`` and ``pawn`` seed NumPy's global generator; they are called with the global
state saved and restored, so that analysing leaves no trace on other code.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

#: The index columns of each method, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "delta": ("delta", "delta_conf"),
    "pawn": ("median", "mean", "minimum", "maximum", "CV"),
    "rbd_fast": ("S1", "S1_conf"),
}

#: The index each method ranks factors by (and checks against the noise floor).
MAIN_INDEX: dict[str, str] = {
    "sobol": "ST",
    "morris": "mu_star",
    "delta": "delta",
    "pawn": "median",
    "rbd_fast": "S1",
}


def analyse(
    method: str,
    problem: dict[str, Any],
    sample: np.ndarray,
    y: np.ndarray,
    *,
    second_order: bool = False,
    morris_levels: int = 4,
    resamples: int = 1000,
    conf_level: float = 0.95,
    seed: int = 0,
) -> tuple[list[dict[str, float]], list[dict[str, Any]]]:
    """One output's indices by ``method``: rows per factor, and second-order rows (Sobol').

    An output that does not vary over the design has nothing to attribute: its indices
    are NaN (SALib would divide by zero).

    Returns:
        One dict of index values per factor, in the problem's order; and, for Sobol'
        with ``second_order``, one dict per pair of factors (``factor``, ``other``,
        ``S2``, ``S2_conf``).
    """
    problem = copy.deepcopy(problem)  # SALib's Morris adds "groups" to the dict it is given
    names = problem["names"]
    if not varies(y):
        return [dict.fromkeys(COLUMNS[method], np.nan) for _ in names], [
            {"factor": a, "other": b, "S2": np.nan, "S2_conf": np.nan}
            for i, a in enumerate(names)
            for b in names[i + 1 :]
        ] if second_order else []
    if method == "sobol":
        return sobol(
            problem,
            y,
            second_order=second_order,
            resamples=resamples,
            conf_level=conf_level,
            seed=seed,
        )
    if method == "morris":
        return morris(
            problem,
            sample,
            y,
            levels=morris_levels,
            resamples=resamples,
            conf_level=conf_level,
            seed=seed,
        ), []
    if method == "delta":
        return delta(problem, sample, y, resamples=resamples, conf_level=conf_level, seed=seed), []
    if method == "pawn":
        return pawn(problem, sample, y, seed=seed), []
    return rbd_fast(problem, sample, y, resamples=resamples, conf_level=conf_level, seed=seed), []


def varies(y: np.ndarray) -> bool:
    """Whether an output's values differ between design points (else it has no indices)."""
    return bool(np.ptp(y) > 0)


def sobol(
    problem: dict[str, Any],
    y: np.ndarray,
    *,
    second_order: bool,
    resamples: int,
    conf_level: float,
    seed: int,
) -> tuple[list[dict[str, float]], list[dict[str, Any]]]:
    """Sobol' first-order and total indices (SALib ``sobol.analyze``) of Saltelli's sample."""
    from SALib.analyze import sobol as salib_sobol

    # SALib tests ``if seed:``, so seed 0 would mean "unseeded": pass a Generator instead.
    result = salib_sobol.analyze(
        problem,
        y,
        calc_second_order=second_order,
        num_resamples=resamples,
        conf_level=conf_level,
        seed=np.random.default_rng(seed),
    )
    rows = [
        {column: float(result[column][j]) for column in COLUMNS["sobol"]}
        for j in range(problem["num_vars"])
    ]
    pairs = []
    if second_order:
        names = problem["names"]
        for j, first in enumerate(names):
            for k in range(j + 1, len(names)):
                pairs.append(
                    {
                        "factor": first,
                        "other": names[k],
                        "S2": float(result["S2"][j, k]),
                        "S2_conf": float(result["S2_conf"][j, k]),
                    }
                )
    return rows, pairs


def morris(
    problem: dict[str, Any],
    sample: np.ndarray,
    y: np.ndarray,
    *,
    levels: int,
    resamples: int,
    conf_level: float,
    seed: int,
) -> list[dict[str, float]]:
    """Morris screening: mean absolute elementary effect and its spread (``morris.analyze``)."""
    from SALib.analyze import morris as salib_morris

    result = salib_morris.analyze(
        problem,
        np.asarray(sample, dtype=float),
        y,
        num_resamples=resamples,
        conf_level=conf_level,
        num_levels=levels,
        seed=np.random.default_rng(seed),
    )
    return [
        {column: float(result[column][j]) for column in COLUMNS["morris"]}
        for j in range(problem["num_vars"])
    ]


def delta(
    problem: dict[str, Any],
    sample: np.ndarray,
    y: np.ndarray,
    *,
    resamples: int,
    conf_level: float,
    seed: int,
) -> list[dict[str, float]]:
    """Borgonovo's moment-independent delta on the sample as drawn (``delta.analyze``)."""
    from SALib.analyze import delta as salib_delta

    with _legacy_seed(seed) as legacy, warnings.catch_warnings():
        # SALib warns when its bin-balanced variant differs from the raw one; the raw
        # estimate is the one reported, on a uniform sample where the two agree.
        warnings.simplefilter("ignore")
        result = salib_delta.analyze(
            problem,
            np.asarray(sample, dtype=float),
            y,
            num_resamples=resamples,
            conf_level=conf_level,
            seed=legacy,
            method="delta",
        )
    return [
        {"delta": float(result["delta_raw"][j]), "delta_conf": float(result["delta_raw_conf"][j])}
        for j in range(problem["num_vars"])
    ]


def pawn(
    problem: dict[str, Any], sample: np.ndarray, y: np.ndarray, *, seed: int
) -> list[dict[str, float]]:
    """PAWN: Kolmogorov-Smirnov distance of conditional and unconditional outputs."""
    from SALib.analyze import pawn as salib_pawn

    with _legacy_seed(seed) as legacy:
        result = salib_pawn.analyze(problem, np.asarray(sample, dtype=float), y, seed=legacy)
    return [
        {column: float(result[column][j]) for column in COLUMNS["pawn"]}
        for j in range(problem["num_vars"])
    ]


#: Harmonics RBD-FAST reads (SALib's default ``M``). Its bias correction divides by
#: 1 - 2M/N and its bootstrap resamples half the sample, so below 4M + 2 points the
#: estimate means nothing (and when N or its bootstrap half is 2M, SALib divides by zero).
RBD_HARMONICS = 10


def rbd_fast(
    problem: dict[str, Any],
    sample: np.ndarray,
    y: np.ndarray,
    *,
    resamples: int,
    conf_level: float,
    seed: int,
) -> list[dict[str, float]]:
    """First-order indices by random balance designs FAST (``rbd_fast.analyze``)."""
    from SALib.analyze import rbd_fast as salib_rbd_fast

    result = salib_rbd_fast.analyze(
        problem,
        np.asarray(sample, dtype=float),
        y,
        M=RBD_HARMONICS,
        num_resamples=resamples,
        conf_level=conf_level,
        seed=np.random.default_rng(seed),
    )
    return [
        {column: float(result[column][j]) for column in COLUMNS["rbd_fast"]}
        for j in range(problem["num_vars"])
    ]


@contextlib.contextmanager
def _legacy_seed(seed: int) -> Iterator[int]:
    """A non-zero seed for analysers that seed NumPy's global generator, restored after."""
    state = np.random.get_state()
    # ``if seed:`` inside SALib skips seeding for 0: derive a non-zero 31-bit seed.
    legacy = int(np.random.SeedSequence(seed).generate_state(1)[0] % (2**31 - 1)) + 1
    try:
        yield legacy
    finally:
        np.random.set_state(state)
