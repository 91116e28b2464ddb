"""Checks of the calibrated defaults: fragile, not a knife-edge, not a matter of size.

Three questions about the shipped ``iocn`` defaults, each answered over common seeds:

1. **Fragile**: the share of runs whose network is still alive after five years lies
   between 30% and 70% (the seed network was fragile, so outcomes should vary).
2. **Not a matter of size**: with the same levers, that share changes little between 150
   and 1,000 people (and is reported at 100 and 300 too).
3. **Not a knife-edge**: moving any one of the calibrated rates by 20% either way shifts
   it little. As in the calibration, the largest of the 46 shifts is biased upwards by its
   own noise, so the moves that shift it most here are measured again, with the defaults,
   on as many seeds of another master seed, and those shifts are judged.

The sizes compared, the share each rate is moved by, the moves measured again and the
bounds are the targets ``size_gap`` (stage ``steady``) and ``knife_edge`` (stage
``steepness``) of ``experiments/calibration_iocn.toml``, which holds every calibration
point to the same checks.

Plus the funding history (ODD §10 item 38): ``iocn`` with no budget cuts, and with fewer
and more of them a year than its defaults; and ``clahrc`` against ``iocn``: issue-based
networks sustain less often, but not never; and, to tell which of its differences makes it
so, ``iocn`` meeting quarterly (as ``clahrc`` does) and ``clahrc`` with each of its
differences from ``iocn`` undone alone (every parameter a sweep can vary; its list of
organisations aside).

All runs go through one sweep (an explicit design), so the study resumes after a stop
and runs on any backend::

    python experiments/iocn_checks.py [--seeds 200] [--workers 2] [--restart]

200 seeds an arm by default: the bounds are 25 and 30 points of a share, and on 40 seeds a
share has a standard error of about 8 points, so a check could land either side of its bound
from one set of seeds to another; on 200 the error is at most 3.5 points. About two
and a half minutes on two cores.

writes, in ``results/iocn_checks/``, ``checks.csv`` (one row per arm: share sustained,
mean share of weeks alive, self-interested acts and budget cuts a run, the shift from the
defaults and its standard error over the common seeds), ``steepest.csv`` (the moves
measured again: their shift on their own seeds and its standard error), ``checks.md`` and
``meta.json`` (what made them: the code fingerprint, the commit, the seeds).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import collabsim
from collabsim.analysis.agreement import CHECKS
from collabsim.calibration import Target, read_plan
from collabsim.calibration.scoring import steepest
from collabsim.calibration.targets import perturbed
from collabsim.storage import json_writer, now, origin, origin_text, write_atomically
from collabsim.sweeps.design import FACTOR_KINDS
from collabsim.sweeps.sampling import SweepError

CALIBRATION = Path(__file__).with_name("calibration_iocn.toml")
OUT = CHECKS.parent
KIND = "collabsim iocn checks"
#: Sizes reported besides the two the ``size_gap`` target compares.
SIZES = (100, 300)
#: Budget cuts a year compared with the defaults': none, fewer and more.
CUT_RATES = (0.0, 0.5, 2.0)


#: The calibration's stages whose targets are checked here.
STAGES = ("steady", "steepness")


def steady_targets() -> dict[str, Target]:
    """The targets of the calibration's ``steady`` and ``steepness`` stages, by name: what
    is checked here (``sustained``, ``size_gap`` and ``knife_edge``)."""
    plan = read_plan(CALIBRATION)
    return {t.name: t for stage in plan.stages if stage.name in STAGES for t in stage.targets}


def gap_sizes() -> tuple[int, int]:
    """The two numbers of people the ``size_gap`` target compares (150 and 1,000)."""
    gap = steady_targets()["size_gap"]
    return gap.arm.params["n_people"], gap.versus.params["n_people"]


def size_label(people: int) -> str:
    """The label of the arm of ``people`` people: ``n_people 150``."""
    return f"n_people {people}"


def arms() -> dict[str, dict]:
    """Every arm: its label and the parameters it changes from ``iocn``."""
    defaults = collabsim.scenario("iocn")
    out: dict[str, dict] = {"iocn defaults": {}}
    for n in sorted({*SIZES, *gap_sizes()}):
        out[size_label(n)] = {"n_people": n}
    out["meeting_interval 13"] = {"meeting_interval": 13}
    for rate in CUT_RATES:
        out[f"budget_cut_rate {rate:g}"] = {"budget_cut_rate": rate}
    rates = {factor.name: defaults[factor.name] for factor in read_plan(CALIBRATION).factors}
    for label, moved in perturbed(rates, steady_targets()["knife_edge"].perturb).items():
        out[label] = {name: value for name, value in moved.items() if value != rates[name]}
    return out


def clahrc_arms() -> dict[str, dict]:
    """``clahrc``'s arms: as shipped, then with one of its differences from ``iocn`` undone
    at a time; each arm sets every differing parameter, as an explicit design needs."""
    own, iocn = collabsim.scenario("clahrc"), collabsim.scenario("iocn")
    differing = [
        name
        for name, declared in collabsim.PARAMETERS.items()
        if declared.kind in FACTOR_KINDS and own[name] != iocn[name]
    ]
    shipped = {name: own[name] for name in differing}
    out = {"clahrc": shipped}
    for name in differing:
        out[f"clahrc {name} {iocn[name]}"] = {**shipped, name: iocn[name]}
    return out


def main() -> None:
    """Run the checks and write ``checks.csv``, ``checks.md`` and ``meta.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--restart",
        action="store_true",
        help="discard runs kept from other model code or another number of seeds",
    )
    args = parser.parse_args()
    try:
        _check(args)
    except SweepError as error:
        message = str(error).replace("--restart (restart=True)", "--restart")
        print(f"iocn_checks: {message}", file=sys.stderr)
        sys.exit(2)


def _check(args: argparse.Namespace) -> None:
    started, clock = now(), time.perf_counter()
    made = {"kind": KIND, **origin(), "seeds": args.seeds, "started": started}
    table = arms()
    defaults = {
        name: value
        for name, value in collabsim.scenario("iocn").to_dict().items()
        if collabsim.PARAMETERS[name].kind in FACTOR_KINDS
    }
    common = dict(
        replicates=args.seeds,
        outputs=["sustained", "sustainability_score", "self_interest_acts", "budget_cuts"],
        workers=args.workers,
        restart=args.restart,
    )
    iocn = collabsim.sweep(
        scenario="iocn",
        design=[{**defaults, **changes} for changes in table.values()],
        name="iocn_checks",
        out=OUT / "runs",
        **common,
    )
    # another list of organisations: a sweep of its own (with the same seeds)
    issue_based = clahrc_arms()
    clahrc = collabsim.sweep(
        scenario="clahrc",
        design=list(issue_based.values()),
        name="clahrc_checks",
        out=OUT / "clahrc_runs",
        **common,
    )
    runs = pd.concat([iocn.runs, clahrc.runs.assign(point=clahrc.runs["point"] + len(table))])
    summary = runs.groupby("point").agg(
        sustained=("sustained", "mean"),
        weeks_alive=("sustainability_score", "mean"),
        acts=("self_interest_acts", "mean"),
        cuts=("budget_cuts", "mean"),
    )
    summary.insert(0, "arm", [*table, *issue_based])
    base = float(summary.loc[0, "sustained"])
    summary["shift"] = summary["sustained"] - base
    summary["shift_error"] = [paired_error(runs, point, 0) for point in summary.index]
    few, many = (summary.index[summary["arm"] == size_label(n)][0] for n in gap_sizes())
    gap_error = paired_error(runs, few, many)
    steepest = _steepest(summary, table, defaults, common)
    summary.to_csv(OUT / "checks.csv", index=False)
    steepest.to_csv(OUT / "steepest.csv", index=False)
    report = _report(summary, base, gap_error, steepest, made)
    (OUT / "checks.md").write_text(report, encoding="utf-8")
    made.update(finished=now(), seconds=round(time.perf_counter() - clock, 1))
    write_atomically(OUT / "meta.json", json_writer(made))
    print((OUT / "checks.md").read_text(encoding="utf-8"))


def _steepest(
    summary: pd.DataFrame, table: dict[str, dict], defaults: dict, common: dict
) -> pd.DataFrame:
    """The moves that shifted the share most (as the calibration chooses them), with the
    defaults, run again on as many seeds of the knife-edge target's ``recheck`` master seed:
    one row per move, its shift there and its error."""
    again = steady_targets()["knife_edge"].recheck
    means = dict(zip(summary["arm"], summary["sustained"], strict=True))
    rates = {"arm": means["iocn defaults"]} | {a: m for a, m in means.items() if " x" in a}
    chosen = steepest(rates, again.moves)
    settings = [{}, *(table[label] for label in chosen)]
    rerun = collabsim.sweep(
        scenario="iocn",
        design=[{**defaults, **changes} for changes in settings],
        name="iocn_steepest",
        out=OUT / "steepest_runs",
        seed=again.seed,
        **common,
    )
    means = rerun.runs.groupby("point")["sustained"].mean()
    return pd.DataFrame(
        {
            "arm": chosen,
            "shift": [float(means[n] - means[0]) for n in range(1, len(settings))],
            "shift_error": [paired_error(rerun.runs, n, 0) for n in range(1, len(settings))],
        }
    )


def paired_error(runs: pd.DataFrame, point: int, other: int) -> float:
    """Standard error of the difference in share sustained between two arms.

    Over their common seeds (the same replicate in both arms has the same seed), from the
    spread of the seed-by-seed differences: common seeds make it smaller than two
    independent shares' errors would.
    """
    sustained = runs.pivot_table(index="replicate", columns="point", values="sustained")
    difference = (sustained[point] - sustained[other]).dropna()
    return float(difference.std(ddof=1) / np.sqrt(difference.size)) if difference.size > 1 else 0.0


def _report(
    summary: pd.DataFrame, base: float, gap_error: float, steepest: pd.DataFrame, made: dict
) -> str:
    by_arm = summary.set_index("arm")
    rates = summary[summary["arm"].str.contains(" x")]
    worst = rates.iloc[rates["shift"].abs().argmax()]
    again = steepest.iloc[steepest["shift"].abs().argmax()]
    undone = summary[summary["arm"].str.startswith("clahrc ")].sort_values(
        "sustained", ascending=False
    )
    targets = steady_targets()
    fragile, gap, knife = (targets[name] for name in ("sustained", "size_gap", "knife_edge"))
    few, many = gap_sizes()
    small, large = size_label(few), size_label(many)
    size_gap = by_arm.loc[small, "sustained"] - by_arm.loc[large, "sustained"]
    lines = [
        "# Checks of the calibrated iocn defaults",
        "",
        f"{made['seeds']} common seeds per arm; 'sustained' is the share of runs whose "
        "network is alive after five years; a shift's ± is its standard error over the "
        "common seeds. " + origin_text(made) + ".",
        "",
        f"- Fragile: {base:.0%} sustained (target {_within(fragile)}): "
        f"{'met' if fragile.low <= base <= fragile.high else 'NOT met'}.",
        f"- Size: {by_arm.loc[small, 'sustained']:.0%} at {few:,} people, "
        f"{by_arm.loc[large, 'sustained']:.0%} at {many:,}: a gap of "
        f"{size_gap:+.0%} ± {gap_error:.0%} (target {_within(gap)}): "
        f"{'met' if gap.low <= size_gap <= gap.high else 'NOT met'}.",
        f"- Knife-edge: the largest shift from moving one calibrated rate by "
        f"{knife.perturb:.0%} is {worst['shift']:+.0%} ± {worst['shift_error']:.0%} "
        f"({worst['arm']}); the {len(steepest)} largest measured again on "
        f"{made['seeds']} seeds of master seed {knife.recheck.seed}: "
        + ", ".join(
            f"{row.arm} {row.shift:+.0%} ± {row.shift_error:.0%}" for row in steepest.itertuples()
        )
        + f" (target {_within(knife)} in size, for the largest of these): "
        f"{'met' if knife.low <= abs(again['shift']) <= knife.high else 'NOT met'}.",
        f"- Funding history: `iocn` lives through {by_arm.loc['iocn defaults', 'cuts']:.1f} "
        "budget cuts a run and sustains in "
        + ", ".join(
            f"{by_arm.loc[f'budget_cut_rate {rate:g}', 'sustained']:.0%} with {rate:g} a year"
            for rate in CUT_RATES
        )
        + f" ({base:.0%} with the defaults').",
        "- Self-interested acts a run: "
        + ", ".join(
            f"{by_arm.loc[size_label(n), 'acts']:.2f} at {n:,} people"
            for n in sorted({*SIZES, *gap_sizes()})
        )
        + ".",
        f"- Issue-based: `clahrc` {by_arm.loc['clahrc', 'sustained']:.0%} sustained against "
        f"`iocn` {base:.0%}; meeting quarterly, `iocn` "
        f"{by_arm.loc['meeting_interval 13', 'sustained']:.0%}. With one of its differences "
        "from `iocn` undone at a time, `clahrc` sustains: "
        + "; ".join(
            f"{row.arm.removeprefix('clahrc ')} {row.sustained:.0%}" for row in undone.itertuples()
        )
        + ".",
        "",
        "| arm | sustained | share of weeks alive | acts a run | cuts a run | shift |",
        "|---|---|---|---|---|---|",
    ]
    for row in summary.itertuples():
        lines.append(
            f"| {row.arm} | {row.sustained:.0%} | {row.weeks_alive:.2f} | {row.acts:.2f} | "
            f"{row.cuts:.1f} | {row.shift:+.0%} ± {row.shift_error:.0%} |"
        )
    return "\n".join(lines) + "\n"


def _within(target: Target) -> str:
    """A target's bounds as shares: ``30% to 70%``."""
    return f"{target.low:.0%} to {target.high:.0%}"


if __name__ == "__main__":
    main()
