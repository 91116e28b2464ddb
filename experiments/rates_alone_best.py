"""The best sets of rates near the defaults, without the fragile stages, on the full validation.

``collabsim calibrate experiments/calibration_iocn_near.toml --skip-stage fragile
--skip-stage steady --skip-stage steepness`` judges each set of the uncertain rates of the
near design with Beston's fluid attendance against every pattern on 30 seeds; the best of
many counts on the same seeds is biased upwards. This runs
the full validation (each pattern's own seeds, as ``collabsim validate`` runs it for the
defaults) at every set that passed at least ``--min-passed`` patterns there, its rates
rounded to three significant figures as the shipped defaults are, and sets it beside the
defaults' own full validation::

    python experiments/rates_alone_best.py [--min-passed 29] [--workers 2] [--restart]

writes, in ``results/rates_alone_best/``, ``best_points.csv`` (one row per set: patterns
passed on 30 seeds and on the full validation, and the patterns it passes and fails that
the defaults do not), ``best_points.md`` and ``meta.json`` (what made them: the code
fingerprint, the commit); each set's validation is in ``point_N/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from collabsim import validation
from collabsim.analysis.agreement import VALIDATION
from collabsim.calibration import read_plan
from collabsim.fingerprint import code_fingerprint
from collabsim.storage import json_writer, now, origin, origin_text, write_atomically
from collabsim.sweeps.sampling import SweepError
from collabsim.validation.catalogue.declare import RATES_ALONE

PLAN = Path(__file__).with_name("calibration_iocn_near.toml")
CALIBRATION = Path(RATES_ALONE)
#: The stages of the near design left out: those that judge survival, not the patterns.
SKIPPED = ("fragile", "steady", "steepness")
DEFAULTS = VALIDATION.parent
OUT = Path("results/rates_alone_best")
KIND = "collabsim rates alone best"


def main() -> None:
    """Validate the best sets of rates; write ``best_points.csv``, ``.md`` and ``meta.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-passed", type=int, default=29)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--restart", action="store_true", help="compute every set's runs anew")
    args = parser.parse_args()
    started, clock = now(), time.perf_counter()
    made = {"kind": KIND, **origin(), "min_passed": args.min_passed, "started": started}
    try:
        table = _validate_best(args)
    except SweepError as error:
        print(f"rates_alone_best: {error}", file=sys.stderr)
        sys.exit(2)
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "best_points.csv", index=False)
    (OUT / "best_points.md").write_text(_report(table, made), encoding="utf-8")
    made.update(finished=now(), seconds=round(time.perf_counter() - clock, 1))
    write_atomically(OUT / "meta.json", json_writer(made))
    print((OUT / "best_points.md").read_text(encoding="utf-8"))


def _validate_best(args: argparse.Namespace) -> pd.DataFrame:
    for needed in (DEFAULTS / "validation.json", CALIBRATION / "points.csv"):
        if not needed.is_file():
            raise SweepError(
                f"no {needed}: run collabsim validate --out {DEFAULTS} and collabsim calibrate "
                f"{PLAN.parent.name}/{PLAN.name} "
                + " ".join(f"--skip-stage {stage}" for stage in SKIPPED)
                + " first"
            )
    made_by = json.loads((DEFAULTS / "validation.json").read_text(encoding="utf-8"))
    if made_by["code_fingerprint"] != code_fingerprint() or made_by["mode"] != "full":
        raise SweepError(
            f"{DEFAULTS} is not the full validation of this model code: rerun "
            f"collabsim validate --out {DEFAULTS} first"
        )
    defaults = pd.read_csv(VALIDATION).dropna(subset=["passed"])
    by_default = defaults.set_index("pattern")["passed"].astype(bool)
    rates = [factor.name for factor in read_plan(PLAN).factors]
    points = pd.read_csv(CALIBRATION / "points.csv")
    best = points[points["patterns_passed"] >= args.min_passed].sort_values(
        ["patterns_passed", "point"], ascending=[False, True]
    )
    rows = [
        {
            "point": "defaults",
            "passed_30_seeds": None,
            "passed_full": int(by_default.sum()),
            "gains": "",
            "loses": "",
        }
    ]
    for point in best.itertuples():
        values = {name: float(f"{getattr(point, name):.3g}") for name in rates}
        print(f"point {point.point}: the full validation at its rates", file=sys.stderr)
        results = validation.validate(
            out=OUT / f"point_{point.point}",
            params=values,
            workers=args.workers,
            restart=args.restart,
        )
        passed = pd.Series({r.pattern: bool(r.passed) for r in results if r.expressible})
        rows.append(
            {
                "point": str(point.point),
                "passed_30_seeds": int(point.patterns_passed),
                "passed_full": int(passed.sum()),
                "gains": " ".join(passed.index[passed & ~by_default[passed.index]]),
                "loses": " ".join(passed.index[~passed & by_default[passed.index]]),
            }
        )
    return pd.DataFrame(rows)


def _report(table: pd.DataFrame, made: dict) -> str:
    lines = [
        "# The best sets of rates, on the full validation",
        "",
        f"Every set of the uncertain rates that passed at least {made['min_passed']} of the 40 "
        f"patterns on 30 seeds in `{CALIBRATION}` (rounded to three significant figures), "
        "judged on each pattern's own seeds as the shipped defaults are in "
        f"`{DEFAULTS}`; what each passes and fails that the defaults do not. "
        + origin_text(made)
        + ".",
        "",
        "| rates | passed on 30 seeds | passed on the full validation | gains | loses |",
        "|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {'the defaults' if row.point == 'defaults' else 'point ' + row.point} | "
            f"{'' if pd.isna(row.passed_30_seeds) else int(row.passed_30_seeds)} | "
            f"{row.passed_full} | {_names(row.gains)} | {_names(row.loses)} |"
        )
    return "\n".join(lines) + "\n"


def _names(spaced: str) -> str:
    return ", ".join(f"`{name}`" for name in spaced.split()) if spaced else ""


if __name__ == "__main__":
    main()
