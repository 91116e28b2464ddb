"""A calibration's output files: the tables, the report, the figure and ``meta.json``.

- ``points.csv``: one row per point: ``point``, each factor, and per stage
  ``<stage>_passed`` (patterns passed), ``<stage>_share`` (of the stage's patterns),
  each target's value (``<stage>_<target>``; for a ``perturb`` target also
  ``<stage>_<target>_by``, the move of a rate that shifted it most) and ``<stage>_ok``;
  then ``accepted``. A stage's cells are empty for points that did not reach it.
- ``patterns_by_point.csv``: ``point, stage, pattern, effect, p_value, passed``.
- ``accepted.csv``: ``point`` and each factor's value, for the accepted points, best first
  (the recommended point first).
- ``closest.csv``: the same for the points that reached the furthest stage any point
  reached, best first (``CalibrationResult.closest``).
- ``calibration.md`` (``collabsim.calibration.report``) and ``figures/marginals.png``
  with its data, ``figures/marginals.csv`` (``collabsim.calibration.figures``).
- ``meta.json``: provenance, the plan, seeds, run counts, what was found; written last.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from collabsim.calibration.plan import CalibrationPlan
from collabsim.storage import json_writer, now, write_atomically

if TYPE_CHECKING:
    from collabsim.calibration.stages import StageResult

#: The file that marks a calibration's output folder and records what made it.
META = "meta.json"

#: What ``meta.json`` says it is.
KIND = "collabsim calibration"

#: The calibration's own files, beside ``runs/`` and ``figures/``.
POINTS, PATTERNS_BY_POINT, ACCEPTED, CLOSEST, REPORT = (
    "points.csv",
    "patterns_by_point.csv",
    "accepted.csv",
    "closest.csv",
    "calibration.md",
)


@dataclass
class CalibrationResult:
    """What a calibration found.

    Attributes:
        path: The output folder.
        plan: The plan calibrated.
        points: One row per point (``points.csv``).
        patterns: Every pattern at every point it was checked (``patterns_by_point.csv``).
        recommended: The recommended rates, or None if no point was accepted.
        recommended_point: The recommended point's number, or None.
        meta: The contents of ``meta.json``.
    """

    path: Path
    plan: CalibrationPlan
    points: pd.DataFrame
    patterns: pd.DataFrame
    recommended: dict[str, Any] | None
    recommended_point: int | None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> pd.DataFrame:
        """The accepted points, best first: ``point`` and each factor's value (``accepted.csv``).

        Ranked as the recommendation ranks them (``scoring.ranking``), so the recommended
        point comes first and a study that reads the first few reads the best.
        """
        from collabsim.calibration.scoring import ranking  # pulls in the validation catalogue

        columns = ["point", *(f.name for f in self.plan.factors)]
        order = ranking(self.points, self.plan.factors, passed=self.plan.ranking_column)
        return self.points.set_index("point", drop=False).loc[order, columns].reset_index(drop=True)

    @property
    def closest(self) -> pd.DataFrame:
        """The points that reached the furthest stage any point reached, best first.

        ``point`` and each factor's value (``closest.csv``), in the format of
        ``accepted.csv``, so that a robustness study can re-estimate effects across the
        points nearest acceptance when none, or too few, were accepted: those that
        passed that stage first (the accepted points, when it is the last), then most of its
        patterns passed, then by point.
        """
        columns = ["point", *(f.name for f in self.plan.factors)]
        stages = [s.name for s in self.plan.stages if self.points[f"{s.name}_ok"].notna().any()]
        if not stages:
            return self.points.iloc[:0][columns]
        ok, passed = f"{stages[-1]}_ok", f"{stages[-1]}_passed"
        reached = self.points.loc[self.points[ok].notna()]
        order = reached.sort_values(
            [ok, passed, "point"], ascending=[False, False, True], kind="mergesort"
        )
        return order[columns].reset_index(drop=True)


def points_table(plan: CalibrationPlan, results: Mapping[str, StageResult]) -> pd.DataFrame:
    """The ``points.csv`` table (see the module docstring)."""
    table = pd.DataFrame({"point": range(plan.points)})
    for factor in plan.factors:
        table[factor.name] = plan.design[factor.name].to_numpy()
    accepted = pd.Series(True, index=table.index)
    for stage in plan.stages:
        scores = {s.point: s for s in results[stage.name].scores} if stage.name in results else {}
        judged = table["point"].map(lambda n, scores=scores: n in scores)
        table[f"{stage.name}_passed"] = pd.array(
            [scores[n].passed if n in scores else None for n in table["point"]], dtype="Int64"
        )
        table[f"{stage.name}_share"] = [
            scores[n].share if n in scores else math.nan for n in table["point"]
        ]
        for target in stage.targets:
            table[f"{stage.name}_{target.name}"] = [
                scores[n].targets[target.name] if n in scores else math.nan for n in table["point"]
            ]
            if target.by_column:
                table[f"{stage.name}_{target.by_column}"] = [
                    scores[n].moved_by[target.name] if n in scores else "" for n in table["point"]
                ]
            if target.screen_column:
                table[f"{stage.name}_{target.screen_column}"] = [
                    scores[n].screened[target.name] if n in scores else math.nan
                    for n in table["point"]
                ]
        table[f"{stage.name}_ok"] = pd.array(
            [scores[n].ok if n in scores else None for n in table["point"]], dtype="boolean"
        )
        accepted &= judged & table[f"{stage.name}_ok"].fillna(False).astype(bool)
    table["accepted"] = accepted.astype(bool)
    return table


def write_outputs(
    plan: CalibrationPlan, results: Mapping[str, StageResult], *, out: Path, meta: dict[str, Any]
):
    """Write every output file of a calibration and return its result.

    Args:
        plan: The plan calibrated.
        results: Each stage's result, by stage name (stages no point reached are absent).
        out: The output folder.
        meta: ``meta.json`` so far; completed here and written last.

    Returns:
        The ``CalibrationResult``.
    """
    from collabsim.calibration.figures import draw_marginals
    from collabsim.calibration.report import calibration_markdown
    from collabsim.calibration.scoring import recommend  # pulls in the validation catalogue

    table = points_table(plan, results)
    frames = [r.patterns for r in results.values() if not r.patterns.empty]
    patterns = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["point", "stage", "pattern", "effect", "p_value", "passed"])
    )
    chosen = recommend(table, plan.factors, passed=plan.ranking_column)
    recommended = None if chosen is None else plan.point(chosen)
    result = CalibrationResult(out, plan, table, patterns, recommended, chosen, meta)

    _write_csv(out / POINTS, table)
    _write_csv(out / PATTERNS_BY_POINT, patterns)
    _write_csv(out / ACCEPTED, result.accepted)
    _write_csv(out / CLOSEST, result.closest)
    draw_marginals(plan, table, recommended=recommended, folder=out / "figures")
    text = calibration_markdown(result)
    write_atomically(out / REPORT, lambda handle: handle.write(text.encode("utf-8")))
    meta.update(
        status="complete",
        finished=now(),
        passing={
            s.name: (len(results[s.name].passing) if s.name in results else 0) for s in plan.stages
        },
        accepted=int(table["accepted"].sum()),
        recommended_point=chosen,
        recommended=recommended,
        files=[POINTS, PATTERNS_BY_POINT, ACCEPTED, CLOSEST, REPORT, "figures", "runs"],
    )
    write_atomically(out / META, json_writer(meta))
    return result


def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    text = frame.to_csv(index=False, lineterminator="\n")
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


__all__ = ["points_table", "write_outputs"]
