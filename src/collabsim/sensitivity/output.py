"""Writing a sensitivity analysis's results folder: tables, problem, figures, report.

Kept apart from ``collabsim.sensitivity.results`` (the ``Analysis`` itself), which the
figures and the report read, so that nothing they import imports them back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from collabsim.sensitivity.figures import draw_all
from collabsim.sensitivity.results import FIGURES, KIND, META, PROBLEM, REPORT, Analysis
from collabsim.storage import (
    json_writer,
    now,
    origin,
    origin_text,
    parquet_metadata,
    write_atomically,
    write_parquet,
)


def write_analysis(
    analysis: Analysis,
    folder: str | Path,
    *,
    figures: bool = True,
    dpi: int = 100,
    runs: pd.DataFrame | None = None,
) -> Path:
    """Write an analysis's results folder (see ``collabsim.sensitivity.results``).

    Args:
        analysis: The analysis.
        folder: The folder (created if needed); files of an earlier analysis there
            are replaced.
        figures: Also draw the figures (without them no ``figures/`` folder is made).
        dpi: Resolution of the figures.
        runs: The runs table, written as ``runs.parquet`` with ``sample.parquet``
            (for a plain function; a sweep has its own).

    Returns:
        The folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if figures:
        (folder / FIGURES).mkdir(exist_ok=True)
    analysis.path = folder
    files = []
    where = origin()  # asks git: once per analysis written
    made = {**where, "method": analysis.method, "source": analysis.options.get("source")}

    def table(frame: pd.DataFrame | None, stem: str, *, csv: bool = True) -> None:
        if frame is None:
            return
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        write_parquet(
            folder / f"{stem}.parquet",
            arrow,
            parquet_metadata({**made, "table": f"{stem}.parquet"}),
        )
        files.append(f"{stem}.parquet")
        if csv:
            text = frame.to_csv(index=False, float_format="%.6g")
            write_atomically(
                folder / f"{stem}.csv", lambda handle: handle.write(text.encode("utf-8"))
            )
            files.append(f"{stem}.csv")

    table(analysis.indices, "indices")
    table(analysis.second_order, "second_order")
    table(analysis.noise, "noise")
    table(analysis.convergence, "convergence")
    table(analysis.values, "values", csv=False)
    if runs is not None:
        names = analysis.problem["names"]
        table(pd.DataFrame(analysis.sample, columns=names), "sample", csv=False)
        table(runs, "runs", csv=False)
    write_atomically(folder / PROBLEM, json_writer(analysis.salib_problem))
    files.append(PROBLEM)
    if figures:
        files += [f"{FIGURES}/{p.name}" for p in draw_all(analysis, folder / FIGURES, dpi=dpi)]
    text = analysis.report()
    if analysis.options.get("source", {}).get("scenario"):  # a study of the model
        text += f"\n{origin_text(made)}.\n"
    write_atomically(folder / REPORT, lambda handle: handle.write(text.encode("utf-8")))
    files.append(REPORT)
    write_atomically(folder / META, json_writer(_meta(analysis, files, where)))
    return folder


def _meta(analysis: Analysis, files: list[str], where: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": KIND,
        **where,
        "created": now(),
        "method": analysis.method,
        "options": analysis.options,
        "problem": analysis.problem,
        "noise": analysis.noise.to_dict(orient="records"),
        "convergence": analysis.verdicts,
        "files": [META, *files],
    }
