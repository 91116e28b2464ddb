"""Indices from runs: the step the model's sweeps and plain functions share.

Each run is placed by its design ``point`` and ``replicate`` (``aggregate``), the
replicates of each point are summarised, the values in point order meet the sample rows
in point order, and SALib analyses them (``methods``), at increasing sizes too
(``convergence``), each index flagged where seed noise alone could have produced it
(``noise_floor``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from collabsim.sensitivity import aggregate as agg
from collabsim.sensitivity import convergence as conv
from collabsim.sensitivity.methods import COLUMNS, MAIN_INDEX, analyse, varies
from collabsim.sensitivity.problem import SensitivityError, block_size
from collabsim.sensitivity.results import Analysis

if TYPE_CHECKING:
    from collabsim.sensitivity.options import AnalysisOptions
    from collabsim.sweeps.sampling import Sampling


def analyse_runs(
    runs: pd.DataFrame,
    sample: np.ndarray,
    problem: dict[str, Any],
    *,
    sampling: Sampling,
    analysis: AnalysisOptions,
    outputs: Sequence[str],
    fill: Mapping[str, float] | None = None,
    encoding: Mapping[str, Any] | None = None,
    source: Mapping[str, Any] | None = None,
) -> Analysis:
    """Indices from a runs table and its sample: the step both paths share.

    Runs are matched to sample rows by ``point`` (row ``i`` of ``sample`` is point
    ``i``), never by their order, so shuffling ``runs`` changes nothing.

    Args:
        runs: One row per run: ``point``, ``replicate``, the outputs, optionally
            ``status``; in any order.
        sample: The SALib sample, one row per design point, in point order.
        problem: The SALib problem of the sample.
        sampling: The options the sample was drawn with (size, replicates, seed, ...;
            ``collabsim.sensitivity.options.study_sampling``).
        analysis: How the runs become indices (method, statistic, bootstrap, ...).
        outputs: The outputs to analyse.
        fill: Stand-in values for undefined outputs.
        encoding: How each factor's sample column decodes into its values
            (``collabsim.sweeps.design.salib_encoding``), for ``problem.json``.
        source: What was analysed (scenario or function), for the report.

    Returns:
        The analysis (not written).
    """
    analysis.check(sampling.kind, sampling.replicates)
    method, n, replicates = analysis.method, sampling.n, sampling.replicates
    second_order = sampling.second_order and method == "sobol"
    morris_levels = sampling.morris_levels
    statistic, tolerance, convergence = analysis.statistic, analysis.tolerance, analysis.convergence
    sample = np.asarray(sample, dtype=float)
    points = len(sample)
    block = block_size(method, problem["num_vars"], second_order=second_order)
    if points != n * block:
        raise SensitivityError(
            f"the sample has {points} rows, but a {method} design of n={n} "
            f"over {problem['num_vars']} factors has {n * block}"
        )
    point_values = agg.aggregate(
        runs, outputs, points=points, replicates=replicates, statistic=statistic, fill=fill
    )
    values = point_values.values
    settings = {
        "second_order": second_order,
        "morris_levels": morris_levels,
        "resamples": analysis.resamples,
        "conf_level": analysis.conf_level,
        "seed": analysis.bootstrap_seed(sampling),
    }
    rows, pairs = [], []
    for output in outputs:
        factor_rows, pair_rows = analyse(
            method, problem, sample, values[output].to_numpy(dtype=float), **settings
        )
        for factor, indices in zip(problem["names"], factor_rows, strict=True):
            rows.append({"factor": factor, "output": output, **indices})
        pairs += [{**pair, "output": output} for pair in pair_rows]
    indices = pd.DataFrame(rows, columns=["factor", "output", *COLUMNS[method]])
    noise = point_values.noise
    floors = {
        row["output"]: noise_floor(method, row, morris_levels=morris_levels)
        for row in noise.to_dict(orient="records")
    }
    shares = dict(zip(noise["output"], noise["noise_share"], strict=True))
    indices["noise_share"] = indices["output"].map(shares).astype(float)
    indices["noise_floor"] = indices["output"].map(floors).astype(float)
    # Within noise: the index's confidence interval reaches down to the floor, so seed
    # noise alone could have produced it (a factor with no effect sits at the floor).
    main = indices[MAIN_INDEX[method]]
    conf = indices.get(f"{MAIN_INDEX[method]}_conf", pd.Series(0.0, index=indices.index))
    below = pd.array(main - conf.fillna(0.0) <= indices["noise_floor"], dtype="boolean")
    below[indices["noise_floor"].isna().to_numpy() | main.isna().to_numpy()] = pd.NA
    indices["below_noise"] = below

    # An output that did not vary gets its verdict whatever the method, so that its NaN
    # indices are explained in the analysis, not only left blank.
    table = None
    verdicts = {
        output: conv.unvarying()
        for output in outputs
        if not varies(values[output].to_numpy(dtype=float))
    }
    if convergence and method in conv.NESTED:
        table = conv.convergence(
            method,
            problem,
            sample,
            values,
            list(outputs),
            n=n,
            block=block,
            **{**settings, "second_order": False},
        )
        verdicts = {**conv.verdicts(method, table, tolerance=tolerance), **verdicts}
        indices["settled"] = (
            indices["output"].map({k: v["settled"] for k, v in verdicts.items()}).astype(bool)
        )
    second = (
        pd.DataFrame(pairs, columns=["factor", "other", "output", "S2", "S2_conf"])
        if second_order and method == "sobol"
        else None
    )
    options = {
        "n": n,
        "points": points,
        "runs": int(len(runs)),
        "replicates": replicates,
        "statistic": statistic,
        "outputs": list(outputs),
        "fill": dict(fill or {}),
        "tolerance": tolerance,
        "convergence": bool(table is not None),
        "factors": list(problem["names"]),
        "source": dict(source or {}),
        **settings,
    }
    return Analysis(
        method,
        problem,
        indices,
        noise,
        second,
        table,
        verdicts,
        options,
        sample,
        values,
        encoding=dict(encoding or {}),
    )


def noise_floor(method: str, noise: Mapping[str, Any], *, morris_levels: int) -> float:
    """The value of the method's main index that seed noise alone could produce.

    An index is flagged ``below_noise`` when its lower confidence limit (value minus
    ``_conf``) is at or below the floor: seed noise alone could then have produced it.

    - Sobol' (``ST``) and RBD-FAST (``S1``): the residual noise share. Independent noise
      of variance ``v`` in each analysed value adds ``v / Var`` to every total index
      (the Jansen estimator's squared differences carry it), so a factor with no
      influence shows ``ST`` near the residual share; common random numbers make the
      noise correlated across points, so this errs on the side of flagging.
    - Morris (``mu_star``): the mean absolute elementary effect of pure noise,
      ``2 sqrt(v) / (sqrt(pi) * delta)``, with ``delta = L / (2 (L - 1))`` the Morris
      step for ``L`` levels (in SALib's units of the factor's range).
    - Delta and PAWN: no simple floor (NaN).
    """
    if method in ("sobol", "rbd_fast"):
        return float(noise["residual_noise_share"])
    if method == "morris":
        variance = noise["statistic_noise_variance"]
        if variance is None or math.isnan(variance):
            return math.nan
        step = morris_levels / (2 * (morris_levels - 1))
        return 2 * math.sqrt(variance) / (math.sqrt(math.pi) * step)
    return math.nan


__all__ = ["analyse_runs", "noise_floor"]
