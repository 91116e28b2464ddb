"""The shipped defaults come from the committed calibrations, as ``docs/odd.md`` 9.8 says.

The wide calibration ranks a point first among those reaching its furthest stage; the near
calibration searches within a share of each wide range around that point; the defaults are
the near calibration's recommended rates, to three significant figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import collabsim
from collabsim.calibration import read_plan

ROOT = Path(__file__).resolve().parents[1]
WIDE, NEAR = (ROOT / "experiments" / f"calibration_iocn{s}.toml" for s in ("", "_near"))
#: How far the near design reaches either side of the wide pick: a share of each wide range.
REACH = 0.08


def _committed(plan, name):
    return ROOT / "results" / "calibration" / read_plan(plan).name / name


def test_the_near_design_lies_around_the_wide_calibrations_first_point():
    wide, near = read_plan(WIDE), read_plan(NEAR)
    first = int(pd.read_csv(_committed(WIDE, "closest.csv"))["point"].iloc[0])
    centre = wide.point(first)
    assert [f.name for f in near.factors] == [f.name for f in wide.factors]
    for rate, around in zip(wide.factors, near.factors, strict=True):
        reach = REACH * (rate.high - rate.low)
        low, high = (
            max(rate.low, centre[rate.name] - reach),
            min(rate.high, centre[rate.name] + reach),
        )
        assert (around.low, around.high) == (float(f"{low:.6g}"), float(f"{high:.6g}")), rate.name


def test_the_defaults_are_the_near_calibrations_recommended_rates_to_three_figures():
    meta = json.loads(_committed(NEAR, "meta.json").read_text())
    assert meta["recommended"], "the near calibration accepted no point"
    defaults = collabsim.Params()
    for rate, value in meta["recommended"].items():
        assert defaults[rate] == float(f"{value:.3g}"), rate
