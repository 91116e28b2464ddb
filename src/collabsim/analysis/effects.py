"""What each lever does to how long networks last and to what they deliver.

From a study's runs (``collabsim.analysis.studies.StudyData``):

- ``survival_tables``: per lever and level, the Kaplan-Meier median weeks until the
  network dissolves (Brookmeyer-Crowley interval) and the share still alive at the
  horizon, and the log-rank p of the lever; the curves themselves for the figures. Every
  run of a study is followed to the same horizon, so the share alive there is a plain
  proportion and its interval the exact (Clopper-Pearson) one, which keeps its width
  where none or all of the networks last (Greenwood's has none there).
- ``lever_effects``: each level of each lever against the lever's reference level (its
  first), on each outcome. A study's sweeps share their seeds (``studies`` refuses them
  otherwise), so the effect is the mean over seeds of the per-seed difference, each side
  averaged over the other levers' levels (the design is fully crossed, so every level
  sees the same mix of the others); its 95% interval is a seeded percentile bootstrap
  over seeds, and p is the two-sided Wilcoxon signed-rank test of the per-seed
  differences. ``within`` repeats this inside each combination of some levers.
- ``cox_table``: a Cox model of the weeks until dissolution on the numeric and true/false
  levers, with interactions, stratified by seed.
- ``discovery_tables``: PRIM boxes of a sampled design (``collabsim.analysis.discovery``).

An effect is *clear* (``higher`` or ``lower``) when its 95% interval lies wholly on one
side of 0 and the two-sided signed-rank test agrees (``validation.stats.clear_side``, the
rule the robustness study uses too), else ``unclear``.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from collabsim.analysis import discovery, survival
from collabsim.analysis.levers import StudyData, level_text
from collabsim.validation.stats import (
    CONFIDENCE,
    bootstrap_mean_ci,
    clear_side,
    finite,
    signed_rank_p,
)

#: Columns of the lever effects table.
EFFECT_COLUMNS = (
    "study",
    "lever",
    "level",
    "reference",
    "within",
    "outcome",
    "at_reference",
    "at_level",
    "effect",
    "ci_low",
    "ci_high",
    "p_value",
    "seeds",
    "clear",
)

#: What the survival tables say of each arm (a level of a lever, or a cell of all levers).
ARM_COLUMNS = (
    "runs",
    "dissolved",
    "median_weeks",
    "median_low",
    "median_high",
    "surviving",
    "surviving_low",
    "surviving_high",
)

#: Columns of the survival table.
SURVIVAL_COLUMNS = ("study", "lever", "level", *ARM_COLUMNS, "logrank_p")


def _outcome(runs: pd.DataFrame, outcome: str) -> pd.Series:
    """An outcome as floats (true/false as 1/0, missing as NaN)."""
    if outcome not in runs.columns:
        raise ValueError(
            f"outcome {outcome!r} is not a column of the runs; keep it in the sweep's outputs"
        )
    return pd.to_numeric(
        runs[outcome].astype(object).where(runs[outcome].notna()), errors="coerce"
    ).astype(float)


# --- survival --------------------------------------------------------------------------


def survival_tables(data: StudyData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per lever and level: Kaplan-Meier summary (``SURVIVAL_COLUMNS``) and curves.

    Returns:
        The summary, one row per (lever, level) in the levers' order, and the curves:
        ``study, lever, level, week, survival, lower, upper``.
    """
    rows, curves = [], []
    base = data.runs[["sustained", "collapse_step", "status"]]
    for lever, levels in data.order.items():
        frame = base.assign(arm=data.levels[lever].map(levels.index))
        arms = survival.kaplan_meier(frame, by="arm", horizon=data.steps)
        try:
            p = survival.compare_arms(frame, by="arm", horizon=data.steps).p_value
        except ValueError:  # one arm only, or no network dissolved: nothing to test
            p = np.nan
        for code, level in enumerate(levels):
            arm = arms.get(code)
            if arm is None:  # every run at this level failed
                continue
            rows.append(
                {
                    "study": data.spec.name,
                    "lever": lever,
                    "level": level,
                    **_arm_row(arm),
                    "logrank_p": p,
                }
            )
            curves.append(arm.curve.assign(study=data.spec.name, lever=lever, level=level))
    curve_table = pd.concat(curves, ignore_index=True)[
        ["study", "lever", "level", "week", "survival", "lower", "upper"]
    ]
    return pd.DataFrame(rows, columns=list(SURVIVAL_COLUMNS)), curve_table


def survival_by_arm(data: StudyData) -> pd.DataFrame:
    """Kaplan-Meier summary of every arm: each combination of the levers' levels.

    Returns:
        One row per arm, in the levers' order: ``study``, each lever's level, then
        ``ARM_COLUMNS``.
    """
    levers = list(data.order)
    codes = [data.levels[lever].map(data.order[lever].index).to_numpy() for lever in levers]
    shape = [len(data.order[lever]) for lever in levers]
    frame = data.runs[["sustained", "collapse_step", "status"]].assign(
        arm=np.ravel_multi_index(codes, shape)
    )
    rows = []
    for code, arm in survival.kaplan_meier(frame, by="arm", horizon=data.steps).items():
        where = np.unravel_index(code, shape)
        rows.append(
            {
                "study": data.spec.name,
                **{
                    lever: data.order[lever][int(i)] for lever, i in zip(levers, where, strict=True)
                },
                **_arm_row(arm),
            }
        )
    return pd.DataFrame(rows)


def _arm_row(arm: survival.ArmSurvival) -> dict[str, Any]:
    """An arm's ``ARM_COLUMNS``; the share alive at the horizon with its exact interval."""
    lasting = binomtest(arm.runs - arm.events, arm.runs).proportion_ci(CONFIDENCE, "exact")
    return dict(
        zip(
            ARM_COLUMNS,
            (
                arm.runs,
                arm.events,
                arm.median,
                arm.median_lower,
                arm.median_upper,
                arm.surviving,
                lasting.low,
                lasting.high,
            ),
            strict=True,
        )
    )


# --- lever effects ---------------------------------------------------------------------


def lever_effects(
    data: StudyData,
    outcomes: tuple[str, ...] | list[str],
    *,
    within: tuple[str, ...] = (),
    seed: int = 0,
) -> pd.DataFrame:
    """Each level of each lever against its reference level, on each outcome.

    Args:
        data: The study.
        outcomes: Output columns, e.g. ``("sustained", "quality_gain_vs_silo")``.
        within: Levers to hold at each combination of their levels in turn (their own
            effects are not given then); empty for the effects averaged over all levers.
        seed: Seed of the bootstrap.

    Returns:
        One row per (within cell, lever, level other than the reference, outcome), in
        the levers' order: ``EFFECT_COLUMNS``; ``within`` names the cell
        (``"scenario=clahrc & n_people=100"``), empty when averaged over all.
    """
    for lever in within:
        if lever not in data.order:
            raise ValueError(
                f"within: {lever!r} is not a lever of study {data.spec.name!r}; "
                f"its levers: {', '.join(data.order)}"
            )
    cells = itertools.product(*(data.order[lever] for lever in within))
    rows = []
    values = {outcome: _outcome(data.runs, outcome) for outcome in outcomes}
    for cell in cells:
        inside = np.ones(len(data.runs), dtype=bool)
        for lever, level in zip(within, cell, strict=True):
            inside &= (data.levels[lever] == level).to_numpy()
        words = " & ".join(
            f"{lever}={level_text(level)}" for lever, level in zip(within, cell, strict=True)
        )
        for lever, levels in data.order.items():
            if lever in within or len(levels) < 2:
                continue
            for outcome in outcomes:
                rows += _contrasts(
                    data, lever, levels, outcome, values[outcome], inside, words, seed
                )
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _contrasts(
    data: StudyData,
    lever: str,
    levels: list[Any],
    outcome: str,
    values: pd.Series,
    inside: np.ndarray,
    words: str,
    seed: int,
) -> list[dict]:
    reference = levels[0]
    frame = pd.DataFrame(
        {
            "seed": data.runs["seed"].to_numpy()[inside],
            "level": pd.Categorical(data.levels[lever].to_numpy()[inside], categories=levels),
            "y": values.to_numpy()[inside],
        }
    )
    per_seed = frame.pivot_table(
        index="seed", columns="level", values="y", aggfunc="mean", observed=False, dropna=False
    )
    rows = []
    for level in levels[1:]:
        at_level, at_ref = finite(
            per_seed[level].to_numpy(float), per_seed[reference].to_numpy(float)
        )
        difference = at_level - at_ref
        low, high = bootstrap_mean_ci(difference, seed=seed)
        p = signed_rank_p(difference, "two-sided") if difference.size else np.nan
        rows.append(
            {
                "study": data.spec.name,
                "lever": lever,
                "level": level,
                "reference": reference,
                "within": words,
                "outcome": outcome,
                "at_reference": float(np.mean(at_ref)) if at_ref.size else np.nan,
                "at_level": float(np.mean(at_level)) if at_level.size else np.nan,
                "effect": float(difference.mean()) if difference.size else np.nan,
                "ci_low": low,
                "ci_high": high,
                "p_value": p,
                "seeds": int(difference.size),
                "clear": clear_side(low, high, p),
            }
        )
    return rows


def cell_means(data: StudyData, rows: str, columns: str, outcome: str) -> pd.DataFrame:
    """The mean of an outcome in each (row level, column level) cell, over all other levers.

    Returns:
        ``row_lever, row_level, column_lever, column_level, outcome, value, runs``: one row
        per cell, rows and columns in the levers' order (a share for a true/false outcome).
    """
    for name, lever in (("rows", rows), ("columns", columns)):
        if lever not in data.order:
            raise ValueError(
                f"{name}={lever!r} is not a lever of study {data.spec.name!r}; "
                f"its levers: {', '.join(data.order)}"
            )
    y = _outcome(data.runs, outcome)
    table = []
    for row_level in data.order[rows]:
        for column_level in data.order[columns]:
            inside = (data.levels[rows] == row_level) & (data.levels[columns] == column_level)
            cell = y[inside].dropna()
            table.append(
                {
                    "row_lever": rows,
                    "row_level": row_level,
                    "column_lever": columns,
                    "column_level": column_level,
                    "outcome": outcome,
                    "value": float(cell.mean()) if len(cell) else np.nan,
                    "runs": int(len(cell)),
                }
            )
    return pd.DataFrame(table)


# --- Cox -------------------------------------------------------------------------------


def cox_table(
    data: StudyData, interactions: tuple[tuple[str, str], ...] = ()
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A Cox model of the weeks until dissolution on the study's levers.

    Each numeric or true/false lever enters centred on its mean over the runs and scaled
    by its tested range, so its hazard ratio compares its lowest with its highest tested
    value at the average of the other levers; a nested setting (a partner's strength)
    enters the same way among the runs where its switch is on, and as 0 elsewhere. Levers
    with words for levels (events, scenarios) are left out. An interaction is the product
    of the two scaled levers. Strata: the seed (common random numbers).

    Returns:
        The table, one row per term: ``study, term, hazard_ratio, lower, upper, p, rho,
        ph_p, ph_holds`` (the last three the proportional-hazards check), and facts about
        the fit: ``runs``, ``dissolved``, ``concordance``, ``strata``, ``left_out`` (levers
        without a numeric scale), ``warnings``, and ``error`` when no model could be fitted.
    """
    columns = ["study", "term", "hazard_ratio", "lower", "upper", "p", "rho", "ph_p", "ph_holds"]
    frame = data.runs[["sustained", "collapse_step", "status", "seed"]].copy()
    covariates, left_out = [], []
    nested = {s: switch for switch, settings in data.spec.nested.items() for s in settings}
    for lever in data.order:
        column = data.runs[lever] if lever in data.runs.columns else None
        if column is None or not (
            pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
        ):
            left_out.append(lever)
            continue
        frame[lever] = _scaled(column.astype(float))
        covariates.append(lever)
        for setting, switch in nested.items():
            if switch != lever:
                continue
            on = data.runs[switch].astype(bool)
            if data.runs.loc[on, setting].nunique() > 1:
                values = data.runs[setting].astype(float)
                frame[setting] = np.where(on, _scaled(values.where(on)), 0.0)
                covariates.append(setting)
    info: dict[str, Any] = {
        "runs": len(frame),
        "dissolved": int((~frame["sustained"].astype(bool)).sum()),
        "concordance": np.nan,
        "strata": "seed",
        "left_out": left_out,
        "warnings": [],
        "error": None,
    }
    empty = pd.DataFrame(columns=columns)
    if not covariates:
        info["error"] = "no lever with a numeric scale"
        return empty, info
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = survival.cox_model(
                frame,
                covariates,
                interactions=list(interactions),
                horizon=data.steps,
                strata="seed",
            )
        except ValueError as error:
            info["error"] = str(error)
            return empty, info
    info["warnings"] = sorted({str(w.message) for w in caught})
    info["concordance"] = fit.concordance
    check = fit.proportional_hazards[["rho", "p", "assumption_holds"]].rename(
        columns={"p": "ph_p", "assumption_holds": "ph_holds"}
    )
    table = fit.hazard_ratios.join(check).reset_index()
    table.insert(0, "study", data.spec.name)
    return table[columns], info


def _scaled(values: pd.Series) -> pd.Series:
    """Centred on the mean and divided by the range (of the values present)."""
    spread = values.max() - values.min()
    return (values - values.mean()) / (spread if spread > 0 else 1.0)


# --- scenario discovery ----------------------------------------------------------------


def discovery_tables(
    runs: pd.DataFrame, levers: list[str], outcome: str, threshold: float
) -> dict[str, Any]:
    """PRIM boxes where at least ``threshold`` of a point's runs have ``outcome``.

    Returns:
        ``points`` (``cases_by_point``), ``boxes`` (one row per box and restricted lever:
        ``box, lever, low, high, values, density, coverage, mass, rows, cases``),
        ``trajectory`` (the peeling steps), ``found`` (the ``Discovery``, or None) and
        ``message`` (why there is no box, or empty).
    """
    ok = runs.loc[runs["status"] == "ok"]
    points = discovery.cases_by_point(ok, levers, outcome=outcome, threshold=threshold)
    box_columns = [
        "box",
        "lever",
        "low",
        "high",
        "values",
        "density",
        "coverage",
        "mass",
        "rows",
        "cases",
    ]
    out = {
        "points": points,
        "boxes": pd.DataFrame(columns=box_columns),
        "trajectory": pd.DataFrame(
            columns=["box", "step", "coverage", "density", "mass", "restricted", "chosen"]
        ),
        "found": None,
        "message": "",
    }
    try:
        found = discovery.discover(points, levers)
    except ValueError as error:
        out["message"] = str(error)
        return out
    rows = []
    for number, box in enumerate(found.boxes, start=1):
        for lever, limit in box.limits.items():
            low, high, values = (
                (np.nan, np.nan, " or ".join(sorted(map(level_text, limit))))
                if isinstance(limit, frozenset)
                else (limit[0], limit[1], "")
            )
            rows.append(
                {
                    "box": number,
                    "lever": lever,
                    "low": low,
                    "high": high,
                    "values": values,
                    "density": box.density,
                    "coverage": box.coverage,
                    "mass": box.mass,
                    "rows": box.rows,
                    "cases": box.cases,
                }
            )
    out.update(
        boxes=pd.DataFrame(rows, columns=box_columns),
        trajectory=found.trajectory,
        found=found,
        message="" if found.boxes else "no box beat the base rate",
    )
    return out
