"""A sensitivity analysis's results: the ``Analysis`` object and its folder.

A results folder holds (beside a model study's sweep files, see
``collabsim.sweeps.store``)::

    indices.parquet, indices.csv    one row per (output, factor): the indices, the
                                    noise share and floor, and whether they settled
    second_order.parquet, .csv      Sobol' with second order: one row per factor pair
    noise.csv                       one row per output: failed and filled runs,
                                    variances and noise shares
    convergence.parquet, .csv       Sobol'/Morris: the indices at increasing n
    values.parquet                  the analysed value of each output at each point
    problem.json                    the SALib problem (``num_vars``, ``names``,
                                    ``bounds``, ``outputs``) and ``encoding``: how each
                                    factor's sample column decodes into its values;
                                    continue in SALib (``ProblemSpec``) with it,
                                    sample.parquet and values.parquet
    sensitivity.json                provenance: version, commit, code fingerprint, method, options,
                                    noise, convergence verdicts, files
    report.md                       the findings in words
    figures/                        sobol_<output>.png / morris_<output>.png /
                                    <method>_<output>.png, convergence_<output>.png

A plain function's folder also holds ``sample.parquet`` (the SALib sample, one row per
point) and ``runs.parquet`` (one row per call). Each Parquet file says what made it in
its schema metadata (``collabsim.storage.parquet_metadata``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

#: What marks a folder's ``sensitivity.json`` as a collabsim sensitivity analysis.
KIND = "collabsim sensitivity"
META = "sensitivity.json"
PROBLEM = "problem.json"
REPORT = "report.md"
FIGURES = "figures"
SAMPLE = "sample.parquet"
RUNS = "runs.parquet"


@dataclass
class Analysis:
    """Everything a sensitivity analysis found.

    Attributes:
        method: ``"sobol"``, ``"morris"``, ``"delta"``, ``"pawn"`` or ``"rbd_fast"``.
        problem: The SALib problem (``num_vars``, ``names``, ``bounds``).
        indices: The tidy table: ``factor``, ``output``, the method's index columns
            (``S1``, ``S1_conf``, ``ST``, ``ST_conf`` for Sobol'; ``mu_star``,
            ``mu_star_conf``, ``sigma``, ``mu`` for Morris), then ``noise_share``,
            ``noise_floor``, ``below_noise`` and (if checked) ``settled``.
        noise: One row per output (see ``collabsim.sensitivity.aggregate``).
        second_order: Sobol' with second order: ``factor``, ``other``, ``output``,
            ``S2``, ``S2_conf``; else None.
        convergence: The indices at increasing ``n`` (Sobol', Morris), or None.
        verdicts: Per output: whether its indices settled, and why (or why not); an
            output that did not vary has one whatever the method, saying so.
        options: How the analysis was made: ``n``, ``replicates``, ``statistic``,
            ``seed``, ``outputs``, ``source`` (the scenario or function) and more.
        sample: The SALib sample, rows in point order.
        values: The analysed value of each output at each point, in point order.
        path: The results folder, once written or loaded.
        encoding: How each factor's sample column decodes into its values (see
            ``collabsim.sweeps.design.salib_encoding``).
    """

    method: str
    problem: dict[str, Any]
    indices: pd.DataFrame
    noise: pd.DataFrame
    second_order: pd.DataFrame | None = None
    convergence: pd.DataFrame | None = None
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    sample: np.ndarray | None = None
    values: pd.DataFrame | None = None
    path: Path | None = None
    encoding: dict[str, Any] = field(default_factory=dict)

    @property
    def outputs(self) -> list[str]:
        """The outputs analysed, in order."""
        return list(dict.fromkeys(self.indices["output"]))

    @property
    def salib_problem(self) -> dict[str, Any]:
        """The complete SALib problem (``problem.json``): with the outputs and the encoding."""
        return {**self.problem, "outputs": self.outputs, "encoding": self.encoding}

    def ranking(self, output: str) -> pd.DataFrame:
        """The factors of ``output``, most influential first (by the method's main index)."""
        from collabsim.sensitivity.methods import MAIN_INDEX

        rows = self.indices[self.indices["output"] == output]
        return rows.sort_values(MAIN_INDEX[self.method], ascending=False, na_position="last")

    def leading(self, output: str) -> pd.DataFrame:
        """The factors of ``output`` that stand out, most influential first.

        Those whose main index is above 0 and not flagged ``below_noise`` (an index whose
        noise floor could not be measured, with one run a point, is not flagged).
        """
        from collabsim.sensitivity.methods import MAIN_INDEX

        ranking = self.ranking(output)
        above = ~ranking["below_noise"].fillna(False).astype(bool)
        return ranking[above & (ranking[MAIN_INDEX[self.method]] > 0)]

    def report(self) -> str:
        """The findings in words, as Markdown (what ``report.md`` holds)."""
        from collabsim.sensitivity.report import markdown

        return markdown(self)


def clear_analysis_without_runs(path: str | Path) -> bool:
    """Remove an analysis whose runs are not in ``path``, so the study can run there again.

    A repository that keeps a model study's analysis but not its runs (they are large,
    and the same file makes them again) hands a clone a folder the sweep would refuse as
    not its own. Only the files the analysis lists as its own go (they are written anew
    when the study ends), and only from a folder that holds nothing else: a folder with
    a sweep resumes as it is, and one with other files is refused by the sweep, its
    analysis untouched.

    Returns:
        Whether an analysis was removed.
    """
    path = Path(path)
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(meta, dict) or meta.get("kind") != KIND:
        return False
    own = set(meta.get("files", [])) | {META}
    present = {p.relative_to(path).as_posix() for p in path.rglob("*") if not p.is_dir()}
    if not present <= own:
        return False
    for name in present:
        (path / name).unlink()
    if (path / FIGURES).is_dir() and not any((path / FIGURES).iterdir()):
        (path / FIGURES).rmdir()
    return True


def load(path: str | Path) -> Analysis:
    """Read a sensitivity results folder written by ``Analysis.write``.

    Args:
        path: The folder.

    Returns:
        The analysis, with ``path`` set.

    Raises:
        FileNotFoundError: ``path`` holds no sensitivity analysis.
    """
    path = Path(path)
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    if not isinstance(meta, dict) or meta.get("kind") != KIND:
        raise FileNotFoundError(
            f"{str(path)!r} holds no collabsim sensitivity analysis (no {META})"
        )

    def table(stem: str) -> pd.DataFrame | None:
        file = path / f"{stem}.parquet"
        return pq.read_table(file).to_pandas() if file.is_file() else None

    sample = table("sample")
    try:
        encoding = json.loads((path / PROBLEM).read_text(encoding="utf-8"))["encoding"]
    except (OSError, ValueError, KeyError):  # written before problem.json had it
        encoding = {}
    return Analysis(
        meta["method"],
        meta["problem"],
        table("indices"),
        table("noise"),
        table("second_order"),
        table("convergence"),
        meta.get("convergence", {}),
        meta.get("options", {}),
        None if sample is None else sample.to_numpy(dtype=float),
        table("values"),
        path,
        encoding,
    )
