"""Whether each pattern the defaults fail is missing from the model or only small.

The full validation (``collabsim validate --out results/validation``) judges each pattern
on its own seeds, mostly 40 an arm, at one-sided p < 0.01. A pattern can fail there with
the seeds' sign because its effect in the model is smaller than 40 seeds resolve, or
because the model does not produce it. This tells the two apart: it judges every pattern
the defaults fail again, by its own test at its own alpha, on ``--seeds`` seeds an arm
(400) drawn from master seed ``--seed`` (3: not the validation's 0, nor the near
calibration's 1 and 2, so the choice of the defaults did not see them). It judges the
patterns the defaults pass on the same seeds too, so that the whole table's count on many
seeds is known, and whether any pass holds only on the validation's seeds. And, to trace
why some fail, it judges them the same way with one rate changed in every arm
(``VARIANTS``)::

    python experiments/pattern_power.py [--seeds 400] [--seed 3] [--workers 2] [--restart]

It changes no verdict of the validation table: that stays as ``collabsim validate`` gives
it; each failed pattern's limitation quotes what it finds here
(``collabsim.validation.catalogue.declare.on_many_seeds``). Writes, in
``results/pattern_power/``, ``power.csv`` (one row per pattern as declared, ``validated``
saying whether the validation passes it, and one per variant of a failed one: its effect,
interval and p on the validation's seeds and on these),
``power.md`` and ``meta.json`` (what made them: the code fingerprint, the commit, the
seeds); the validation itself, its runs and report, in ``validation/`` there. About
three minutes on two cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import pandas as pd

from collabsim import validation
from collabsim.analysis.agreement import VALIDATION
from collabsim.fingerprint import code_fingerprint
from collabsim.storage import json_writer, now, origin, origin_text, write_atomically
from collabsim.sweeps.sampling import SweepError
from collabsim.validation.catalogue import PATTERNS
from collabsim.validation.catalogue.declare import (
    MANY_SEEDS,
    MANY_SEEDS_MASTER,
    MANY_SEEDS_PER_ARM,
    many_seeds_finding,
)
from collabsim.validation.spec import Arm, Pattern

DEFAULTS = VALIDATION.parent
OUT = Path(MANY_SEEDS)
KIND = "collabsim pattern power"

#: Failed patterns judged again with one rate changed in every arm, to trace why they
#: fail: the pattern, a name for the variant, the change, and what it stands for.
VARIANTS = (
    (
        "richer_pickings_over_time",
        "no_budget_cuts",
        {"budget_cut_rate": 0.0},
        "support maintained: no budget cuts",
    ),
    (
        "richer_pickings_over_time",
        "slower_environment",
        {"environment_change": 0.0093},
        "the slower environment of the defaults before ODD §10 items 38 and 39",
    ),
    (
        "small_tests_energise",
        "no_update_on_actions",
        {"progress_update": 0.0},
        "no update on actions at meetings",
    ),
)


def main() -> None:
    """Judge the failed patterns on many seeds; write ``power.csv``, ``.md``, ``meta.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds", type=int, default=MANY_SEEDS_PER_ARM, help=f"seeds an arm ({MANY_SEEDS_PER_ARM})"
    )
    parser.add_argument(
        "--seed", type=int, default=MANY_SEEDS_MASTER, help=f"master seed ({MANY_SEEDS_MASTER})"
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--restart", action="store_true", help="compute every run anew")
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error(f"--seeds {args.seeds} is not allowed: expected a whole number >= 2")
    started, clock = now(), time.perf_counter()
    made = {"kind": KIND, **origin(), "seeds": args.seeds, "seed": args.seed, "started": started}
    try:
        table = _judge_again(args)
    except SweepError as error:
        print(f"pattern_power: {error}", file=sys.stderr)
        sys.exit(2)
    table.to_csv(OUT / "power.csv", index=False)
    (OUT / "power.md").write_text(_report(table, made), encoding="utf-8")
    made.update(finished=now(), seconds=round(time.perf_counter() - clock, 1))
    write_atomically(OUT / "meta.json", json_writer(made))
    print((OUT / "power.md").read_text(encoding="utf-8"))


def variant(pattern: Pattern, name: str, changes: dict) -> Pattern:
    """``pattern`` with ``changes`` made in every arm, named ``<pattern>_<name>``."""
    arms = {
        label: Arm(arm.scenario, {**arm.params, **changes}, steps=arm.steps)
        for label, arm in pattern.arms.items()
    }
    return dataclasses.replace(pattern, name=f"{pattern.name}_{name}", arms=arms, limitation="")


def _judge_again(args: argparse.Namespace) -> pd.DataFrame:
    made_by = DEFAULTS / "validation.json"
    if not made_by.is_file():
        raise SweepError(f"no {made_by}: run collabsim validate --out {DEFAULTS} first")
    meta = json.loads(made_by.read_text(encoding="utf-8"))
    if meta["code_fingerprint"] != code_fingerprint() or meta["mode"] != "full":
        raise SweepError(
            f"{DEFAULTS} is not the full validation of this model code: rerun "
            f"collabsim validate --out {DEFAULTS} first"
        )
    table = pd.read_csv(VALIDATION).dropna(subset=["passed"]).set_index("pattern")
    passed = table["passed"].astype(bool)
    failed = passed.index[~passed]
    chosen = {name: (name, "") for name in table.index}
    chosen.update(
        {f"{name}_{label}": (name, why) for name, label, _, why in VARIANTS if name in failed}
    )
    patterns = {name: PATTERNS[name] for name in table.index}
    patterns.update(
        {
            f"{name}_{label}": variant(PATTERNS[name], label, changes)
            for name, label, changes, _ in VARIANTS
            if name in failed
        }
    )
    patterns = {
        name: dataclasses.replace(pattern, seeds=args.seeds) for name, pattern in patterns.items()
    }
    results = validation.validate(
        out=OUT / "validation",
        patterns=patterns,
        seed=args.seed,
        workers=args.workers,
        restart=args.restart,
    )
    rows = []
    for result in results:
        name, why = chosen[result.pattern]
        before = table.loc[name]
        rows.append(
            {
                "pattern": name,
                "variant": why,
                "validated": bool(passed[name]),
                "metric": result.metric,
                "effect_declared": before["effect"],
                "p_declared": before["p_value"],
                "seeds_declared": int(before["seeds"]),
                "effect": result.effect,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "p_value": result.p_value,
                "seeds": result.seeds,
                "present": bool(result.passed),
                "detail": result.detail,
            }
        )
    return pd.DataFrame(rows)


def _report(table: pd.DataFrame, made: dict) -> str:
    as_declared = table[table["variant"].fillna("") == ""]
    declared = as_declared[~as_declared["validated"]]
    held = as_declared[as_declared["validated"]]
    traced = table[table["variant"].fillna("") != ""]
    lines = [
        "# The patterns judged on many seeds",
        "",
        f"Each pattern the full validation (`{DEFAULTS}`) fails, judged again by its own test "
        f"at its own alpha on {made['seeds']} seeds an arm from master seed {made['seed']}; "
        "the patterns' limitations quote what it finds. The validation's verdicts stand as "
        "they are. " + origin_text(made) + ".",
        "",
        f"There on {made['seeds']} seeds an arm: {int(declared['present'].sum())} of "
        f"{len(declared)}. {_whole_table(as_declared, made['seeds'])}",
        "",
        *_rows(declared, traced=False),
        "",
        "## The patterns the defaults pass, on the same seeds",
        "",
        f"Held on {made['seeds']} seeds an arm: {int(held['present'].sum())} of {len(held)}.",
        "",
        *_rows(held, traced=False),
        "",
        "## Traced: the same tests with one rate changed in every arm",
        "",
        *_rows(traced, traced=True),
        "",
        "Each test's parts, as measured here:",
        "",
        *(
            f"- `{row.pattern}` ({row.variant or 'as declared'}): {row.detail}"
            for row in table.itertuples()
        ),
    ]
    return "\n".join(lines) + "\n"


def _whole_table(as_declared: pd.DataFrame, seeds: int) -> str:
    """The whole table's count on these seeds, and what moved against the validation's."""
    lost = as_declared[as_declared["validated"] & ~as_declared["present"]]
    gained = as_declared[~as_declared["validated"] & as_declared["present"]]
    return (
        f"The whole table on {seeds} seeds an arm passes {int(as_declared['present'].sum())} "
        f"of {len(as_declared)} (the validation {int(as_declared['validated'].sum())}): "
        f"{len(gained)} gained, {len(lost)} lost."
    )


def _rows(table: pd.DataFrame, traced: bool) -> list[str]:
    """A table of judgements: of the failed patterns, or (``traced``) of their variants."""
    if traced:
        lines = [
            "| pattern, variant | metric | effect [interval] | p | found |",
            "|---|---|---|---|---|",
        ]
    else:
        lines = [
            "| pattern | metric | validation: effect (p, seeds) | here: effect [interval] | p "
            "| found |",
            "|---|---|---|---|---|---|",
        ]
    for row in table.itertuples():
        here = f"{row.effect:.3g} [{row.ci_low:.3g}, {row.ci_high:.3g}] | {row.p_value:.2g}"
        found = many_seeds_finding(row.p_value, row.present)
        if traced:
            lines.append(f"| `{row.pattern}`, {row.variant} | {row.metric} | {here} | {found} |")
        else:
            lines.append(
                f"| `{row.pattern}` | {row.metric} | {row.effect_declared:.3g} "
                f"({row.p_declared:.2g}, {row.seeds_declared}) | {here} | {found} |"
            )
    return lines


if __name__ == "__main__":
    main()
