"""The pattern validation against a plain loop of the same runs: cost, efficiency, reuse.

``collabsim validate`` is a benchmark-like job (the test suite runs its quick form); this
measures, in one run on this machine:

1. **Wall time** of a full and of a quick validation from an empty folder, on the
   process pool with 2 workers, and the number of runs each needs; and of the quick one
   on a local Dask cluster of as many workers, started once for all its groups of arms.
2. **2-worker efficiency**: the time a plain serial loop of ``collabsim.run`` would take
   for the same runs / (2 x the validation's wall time). The plain loop is estimated
   from one run of every distinct arm (seed 0, timed serially after a warm-up), times
   the arm's seeds: runs of one arm cost about the same whatever the seed. Everything
   the validation adds (grouping arms into sweeps, starting the pool, storing the runs,
   the tests, figures and report) counts against it.
3. **Reuse**: the wall time of the same full validation run again on its folder (every
   run reused), as a share of the first.

Usage::

    python benchmarks/bench_validation.py [--workers 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

# The package alone: the validation is imported where used, as on the command line,
# since every worker process started by spawning imports this file again before it
# starts (as ``__mp_main__``), and importing the validation takes a second or more.
import collabsim


def distinct_arms() -> dict[tuple, tuple]:
    """Every distinct arm of the catalogue: (scenario, params, weeks) -> (arm, full seeds)."""
    from collabsim.validation import PATTERNS

    arms: dict[tuple, tuple] = {}
    for pattern in PATTERNS.values():
        if not pattern.expressible:
            continue
        for arm in pattern.arms.values():
            key = (
                arm.scenario,
                tuple(sorted((k, repr(v)) for k, v in arm.params.items())),
                arm.weeks,
            )
            seeds = max(pattern.seeds, arms[key][1]) if key in arms else pattern.seeds
            arms[key] = (arm, seeds)
    return arms


def plain_loop_estimate(arms: dict[tuple, tuple], *, quick: bool) -> tuple[float, int]:
    """Estimated seconds of a serial ``collabsim.run`` loop over the validation's runs."""
    from collabsim.validation.spec import QUICK_SEEDS

    first = next(iter(arms.values()))[0]
    collabsim.run(first.to_params(), seed=0, steps=first.weeks)  # compile and warm up
    total, runs = 0.0, 0
    for arm, seeds in arms.values():
        n = QUICK_SEEDS if quick else seeds
        start = time.perf_counter()
        collabsim.run(arm.to_params(), seed=0, steps=arm.weeks)
        total += (time.perf_counter() - start) * n
        runs += n
    return total, runs


#: The validations timed from an empty folder: name, quick, backend.
VALIDATIONS = (("full", False, "pool"), ("quick", True, "pool"), ("quick on Dask", True, "dask"))


def timed_validation(
    out: Path, *, quick: bool, workers: int, backend: str = "pool"
) -> tuple[float, dict]:
    """Wall seconds of one validation and its ``validation.json``."""
    from collabsim.validation import validate

    start = time.perf_counter()
    validate(out=out, quick=quick, workers=workers, backend=backend)
    wall = time.perf_counter() - start
    return wall, json.loads((out / "validation.json").read_text(encoding="utf-8"))


def main() -> None:
    """Measure and print the table; optionally write it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    arms = distinct_arms()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for mode, quick, backend in VALIDATIONS:
            plain, runs = plain_loop_estimate(arms, quick=quick)
            wall, meta = timed_validation(
                Path(folder) / mode, quick=quick, workers=args.workers, backend=backend
            )
            results[mode] = {
                "runs": meta["runs"],
                "runs_estimated": runs,
                "wall_s": wall,
                "plain_loop_s": plain,
                "efficiency": plain / (args.workers * wall),
                "passed": meta["passed"],
                "expressible": meta["expressible"],
            }
        rerun, meta = timed_validation(Path(folder) / "full", quick=False, workers=args.workers)
        results["full"].update(
            rerun_s=rerun,
            rerun_share=rerun / results["full"]["wall_s"],
            rerun_computed=meta["computed"],
        )

    print(
        f"collabsim validate, {len(arms)} distinct arms, {args.workers} workers "
        f"({platform.processor() or platform.machine()})"
    )
    print("| validation | runs | wall | plain loop (est.) | efficiency | patterns passed |")
    print("|---|---|---|---|---|---|")
    for mode, r in results.items():
        print(
            f"| {mode} | {r['runs']} | {r['wall_s']:.0f} s | {r['plain_loop_s']:.0f} s | "
            f"{r['efficiency']:.0%} | {r['passed']} of {r['expressible']} |"
        )
    full = results["full"]
    print(
        f"Full validation again on its folder: {full['rerun_s']:.1f} s "
        f"({full['rerun_share']:.1%} of the first; {full['rerun_computed']} runs computed)."
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
