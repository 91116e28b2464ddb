"""Sweep machinery against a plain loop: overhead, 2-worker efficiency, a Sobol' projection.

Three figures, measured in one run, as ratios that survive a noisy machine:

1. **Overhead** of a serial sweep (design, seeds, the unit of work, chunked Parquet
   parts, the merge, ``meta.json``) over a plain loop of ``collabsim.run`` doing the
   same runs and keeping their summaries, each timed twice in the order A B B A.
   Target: at most 5% at 1,000 runs or more. The same runs can take a fifth longer or
   shorter minutes apart on a noisy machine, so it also gives the serial sweeps' time
   outside their runs (their wall time less the durations each run records), measured
   within each sweep and so blind to the machine's drift.
2. **2-worker efficiency** of the process pool and of a Dask ``LocalCluster``: plain
   loop time / (2 x wall time), start-up of the workers included. Target: 85% or more.
   A machine whose speed drifts by a tenth within minutes makes one reading of it say
   little, so it is measured in rounds (``--rounds``, 3 by default), each a plain loop,
   the ceiling below and both backends in an order rotated from round to round; each
   ratio is taken within its round, and the median over rounds is printed.
3. **Projected wall time** of a Sobol' design of 10 factors (the nine numeric levers and
   ``academic_partner``) at N = 1,024 with second-order indices, 22,528 runs, on this
   machine with the pool: a systematic subsample of the design's points is run as an
   explicit design, and its time per run after the pool's start-up is scaled up to
   the whole design (plus one start-up). Target: 10 minutes. The mean duration of those
   runs says how much of the projection is the model itself.

Two runs at once on two cores may each run slower than one alone (cores that share a
physical core or its caches, a busy host): the benchmark also times two plain loops in
two processes at once, each over half the runs, the ceiling no backend can beat here,
and gives each backend's time as a share of it.

Start-up (spawning workers, importing, loading the compiled mechanisms, or starting a
Dask cluster) is a fixed cost per sweep, measured as a sweep of two one-week runs; the
efficiencies are given with it (end to end) and without it (the rate of a long sweep).

All runs are the ``iocn`` scenario for its full 260-week horizon (about 20 ms each).

Usage::

    python benchmarks/bench_sweep.py [--runs 1000] [--rounds 3] [--sobol-sample 1024]
                                     [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The package alone: the model and the sweeps are imported where used, as in a user's
# script or the command line, since every worker process started by spawning imports
# this file again before it starts (as ``__mp_main__``).
import collabsim

SOBOL_FACTORS = (
    "partner_strength",
    "distributed_leadership",
    "cede_willingness",
    "incremental_share",
    "central_leader_strength",
    "programme_intensity",
    "results_pressure",
    "power_imbalance",
    "turnover_rate",
    "academic_partner",
)


def _grid(runs: int) -> dict:
    """A grid of 10 cede_willingness levels with runs/10 replicates each."""
    return {
        "factors": {"cede_willingness": (0.05, 0.95)},
        "levels": 10,
        "replicates": runs // 10,
        "seed": 0,
    }


def _grid_runs(runs: int) -> list[tuple[float, object]]:
    """The runs of ``_grid(runs)`` as (cede_willingness, seed) pairs, in the sweep's order."""
    from collabsim.sweeps.design import make_design, make_factors
    from collabsim.sweeps.sampling import Sampling, replicate_seeds

    grid = _grid(runs)
    design = make_design(make_factors(grid["factors"]), Sampling("grid", levels=grid["levels"]))
    (factor,) = grid["factors"]
    seeds = replicate_seeds(grid["seed"], grid["replicates"])
    return [(level, seed) for level in design.points[factor].tolist() for seed in seeds]


def plain_loop(runs: int) -> float:
    """Seconds for a plain loop of collabsim.run over the grid's runs, keeping summaries."""
    pairs = _grid_runs(runs)
    levels = dict.fromkeys(level for level, _ in pairs)
    params = {level: collabsim.scenario("iocn", cede_willingness=level) for level in levels}
    summaries = []
    start = time.perf_counter()
    for level, seed in pairs:
        summaries.append(collabsim.run(params[level], seed=seed).summary)
    return time.perf_counter() - start


def _loop_share(share: int, runs: int, barrier, results) -> None:
    """One of two processes of the hardware ceiling: warm up, wait, loop over a share."""
    collabsim.run(collabsim.Params(), seed=0)
    pairs = _grid_runs(runs)[share::2]
    barrier.wait()
    start = time.time()
    for level, seed in pairs:
        collabsim.run(collabsim.scenario("iocn", cede_willingness=level), seed=seed)
    results.put((start, time.time()))


def parallel_ceiling(runs: int) -> float:
    """Seconds for two plain loops, each over half the runs, in two processes at once.

    No sweep machinery at all: the best any backend can do with two workers on this
    machine (two runs at once may each run slower than one alone, on shared cores).
    """
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_loop_share, args=(share, runs, barrier, results))
        for share in (0, 1)
    ]
    for worker in workers:
        worker.start()
    times = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    return max(end for _, end in times) - min(start for start, _ in times)


def timed_sweep(folder: Path, **options) -> float:
    """Seconds for collabsim.sweep into a fresh folder."""
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    collabsim.sweep(**options, out=folder)
    return time.perf_counter() - start


def outside_runs(folder: Path, seconds: float) -> float:
    """Seconds of a sweep that took ``seconds`` not spent in its runs (their own durations)."""
    return seconds - float(collabsim.load(folder).runs["duration"].sum())


def start_up(folder: Path, backend: str) -> float:
    """Seconds a backend's fixed costs take: a sweep of two one-week runs."""
    return timed_sweep(
        folder,
        factors={"cede_willingness": [0.5]},
        replicates=2,
        steps=1,
        backend=backend,
        workers=2,
    )


def sobol_projection(folder: Path, sample: int, fixed: float) -> dict:
    """Run a systematic subsample of the 22,528-point Sobol' design; project the whole.

    Projected time: the pool's fixed start-up plus the subsample's time per run (after
    start-up) times the design's runs.
    """
    from collabsim.sweeps.design import make_design, make_factors
    from collabsim.sweeps.sampling import Sampling

    factors = make_factors({name: None for name in SOBOL_FACTORS})
    design = make_design(factors, Sampling("sobol", n=1024, seed=0))
    stride = max(1, len(design) // sample)
    points = design.points.iloc[::stride].head(sample).to_dict("records")
    seconds = timed_sweep(folder, design=points, backend="pool", workers=2, seed=0)
    projected = fixed + (seconds - fixed) * len(design) / len(points)
    run_seconds = collabsim.load(folder).runs["duration"].mean()
    return {
        "design_points": len(design),
        "sampled": len(points),
        "seconds": seconds,
        "projected_seconds": projected,
        "scaled_with_start_up": seconds * len(design) / len(points),
        "mean_run_seconds": run_seconds,
        "model_only_seconds": run_seconds * len(design) / 2,
    }


#: The two parallel backends, in the order printed.
BACKENDS = ("pool", "dask")


def parallel_round(scratch: Path, runs: int, turn: int) -> dict:
    """One round of the parallel figures: a plain loop, the ceiling, each backend's start-up
    and sweep, in an order rotated by ``turn``, so that over rounds each meets the machine's
    slow and quick spells alike. Seconds of each, and the ratios taken within the round."""
    steps = {
        "plain_loop": lambda: plain_loop(runs),
        "two_plain_loops_at_once": lambda: parallel_ceiling(runs),
        "pool": lambda: (
            start_up(scratch / "pool_fixed", "pool"),
            timed_sweep(scratch / "pool", **_grid(runs), backend="pool", workers=2),
        ),
        "dask": lambda: (
            start_up(scratch / "dask_fixed", "dask"),
            timed_sweep(scratch / "dask", **_grid(runs), backend="dask", workers=2),
        ),
    }
    names = list(steps)
    names = names[turn % len(names) :] + names[: turn % len(names)]
    done = {name: steps[name]() for name in names}
    loop, ceiling = done["plain_loop"], done["two_plain_loops_at_once"]
    seconds = {"plain_loop": loop, "two_plain_loops_at_once": ceiling}
    ratios = {"hardware_ceiling": loop / (2 * ceiling)}
    for backend in BACKENDS:
        fixed, wall = done[backend]
        seconds[f"{backend}_start_up"], seconds[backend] = fixed, wall
        ratios[f"efficiency_{backend}"] = loop / (2 * wall)
        ratios[f"efficiency_{backend}_after_start_up"] = loop / (2 * (wall - fixed))
        ratios[f"{backend}_vs_ceiling"] = ceiling / wall
    return {"seconds": seconds, "ratios": ratios}


def measure(runs: int, sobol_sample: int, rounds: int) -> dict:
    """All three figures; the parallel ones as medians over ``rounds`` rounds."""
    collabsim.run(collabsim.Params(), seed=0)  # load the compiled mechanisms
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        # The plain loop and the serial sweep alternate (A B B A), so that a drift in the
        # machine's speed during the benchmark falls on both alike.
        loop = plain_loop(runs)
        serial = outside = 0.0
        for _ in range(2):
            seconds = timed_sweep(scratch / "serial", **_grid(runs), backend="serial")
            serial += seconds
            outside += outside_runs(scratch / "serial", seconds)
        loop += plain_loop(runs)
        loop, serial, outside = loop / 2, serial / 2, outside / 2
        parallel = [parallel_round(scratch, runs, turn) for turn in range(rounds)]
        pool_fixed = statistics.median(r["seconds"]["pool_start_up"] for r in parallel)
        sobol = (
            sobol_projection(scratch / "sobol", sobol_sample, pool_fixed) if sobol_sample else None
        )
    return {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "collabsim": collabsim.__version__,
        "runs": runs,
        "rounds": rounds,
        "seconds": {"plain_loop": loop, "serial_sweep": serial, "outside_runs": outside},
        "overhead": serial / loop - 1,
        "overhead_outside_runs": outside / (serial - outside),
        "parallel_rounds": parallel,
        **{
            name: statistics.median(r["ratios"][name] for r in parallel)
            for name in parallel[0]["ratios"]
        },
        "sobol": sobol,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=1000,
        help="runs in the overhead and efficiency sweeps (a multiple of 10)",
    )
    parser.add_argument(
        "--sobol-sample",
        type=int,
        default=1024,
        help="design points of the Sobol' design actually run (0: no projection)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the parallel figures (each a plain loop, the ceiling and both "
        "backends, in rotated order); the medians of their ratios are printed",
    )
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    # Checked before any run, so that a mistyped option costs nothing measured.
    if args.runs < 10 or args.runs % 10:
        parser.error(f"--runs {args.runs}: expected a positive multiple of 10, e.g. 1000")
    if args.rounds < 1:
        parser.error(f"--rounds {args.rounds}: expected 1 or more")
    if args.sobol_sample < 0:
        parser.error(f"--sobol-sample {args.sobol_sample}: expected 0 (no projection) or more")
    result = measure(args.runs, args.sobol_sample, args.rounds)
    s = result["seconds"]
    print(f"{result['runs']} runs of iocn, 260 weeks, on {result['cores']} cores")
    print(
        f"  plain loop of collabsim.run   {s['plain_loop']:8.1f} s "
        f"({s['plain_loop'] / result['runs'] * 1e3:.1f} ms a run)"
    )
    print(
        f"  serial sweep                  {s['serial_sweep']:8.1f} s   overhead "
        f"{result['overhead'] * 100:+.1f}%   (target <= 5%)"
    )
    print(
        f"  of which outside its runs     {s['outside_runs']:8.1f} s   "
        f"{result['overhead_outside_runs'] * 100:+.1f}% of the runs' own time "
        "(within the sweep, blind to the machine's drift)"
    )
    print(f"  medians over {result['rounds']} rounds, each ratio taken within its round:")
    print(
        f"  two plain loops at once       efficiency {result['hardware_ceiling'] * 100:.1f}%"
        "   (this machine's ceiling: no sweep machinery)"
    )
    for label, key in (("pool, 2 workers", "pool"), ("Dask LocalCluster, 2 workers", "dask")):
        start_ups = [r["seconds"][f"{key}_start_up"] for r in result["parallel_rounds"]]
        print(
            f"  {label:<29} efficiency {result['efficiency_' + key] * 100:.1f}%"
            f"   (target >= 85%); start-up {statistics.median(start_ups):.1f} s, after "
            f"start-up {result['efficiency_' + key + '_after_start_up'] * 100:.1f}%; "
            f"{result[key + '_vs_ceiling'] * 100:.1f}% of the ceiling"
        )
    rounds = ", ".join(
        f"{r['ratios']['efficiency_pool'] * 100:.0f}/{r['ratios']['efficiency_dask'] * 100:.0f}"
        for r in result["parallel_rounds"]
    )
    print(f"  each round's efficiency, pool/Dask (%): {rounds}")
    sobol = result["sobol"]
    if sobol is None:
        print("Sobol' projection: not run (--sobol-sample 0)")
    else:
        _print_sobol(sobol, s, result["runs"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)


def _print_sobol(sobol: dict, s: dict, runs: int) -> None:
    """The Sobol' projection's lines."""
    print(
        f"Sobol' design, 10 factors, N = 1,024: {sobol['design_points']:,} runs; "
        f"{sobol['sampled']:,} of them took {sobol['seconds']:.1f} s with the pool"
    )
    print(
        f"  projected wall time {sobol['projected_seconds'] / 60:.1f} min   "
        f"(target <= 10 min; {sobol['scaled_with_start_up'] / 60:.1f} min if start-up "
        "were paid per subsample)"
    )
    print(
        f"  a run at these points takes {sobol['mean_run_seconds'] * 1e3:.1f} ms on average "
        f"(iocn defaults: {s['plain_loop'] / runs * 1e3:.1f} ms): the runs alone, "
        f"perfectly shared by two workers, need {sobol['model_only_seconds'] / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
