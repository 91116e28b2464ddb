"""Speed of one model run: time per run and per agent-step, for the iocn scenario.

Runs ``collabsim.run`` on the default (``iocn``) parameters at several network sizes
for the full 260-week horizon, after a warm-up run that loads the compiled mechanisms,
and reports medians. As a yardstick measured in the same process, it also times an
idiomatic per-agent Mesa model (each agent's ``step`` in Python) of a far simpler
kind, so results can be quoted as ratios that survive a noisy machine.

It also times start-up: a fresh Python process that imports collabsim and runs one week
(compiled mechanisms from the on-disk cache), against a fresh process that only imports
Mesa, the two started in turn; the median ratio is what a new worker costs beyond
Mesa's own import. Target: at most 2.

With ``--curve`` it also runs one model of each size from 100 to 5,000 people, each in
a fresh process, and prints the cost per person-week and the process's peak memory:
the cost should grow at most linearly in people x weeks (a flat cost per person-week).

Usage::

    python benchmarks/bench_model.py [--sizes 300 1000 2000] [--repeats 7] [--curve]
                                     [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time

import mesa

import collabsim


class _Walker(mesa.Agent):
    """Yardstick agent: a few attribute updates and one random partner per step."""

    def __init__(self, model):
        super().__init__(model)
        self.wealth = 1.0
        self.trust = 0.5

    def step(self):
        other = self.random.choice(self.model.everyone)
        if other.wealth > 0:
            other.wealth -= 0.1
            self.wealth += 0.1
        self.trust += 0.01 * (other.trust - self.trust)


class _YardstickModel(mesa.Model):
    def __init__(self, n, rng=0):
        super().__init__(rng=rng)
        self.everyone = [_Walker(self) for _ in range(n)]

    def step(self):
        self.agents.shuffle_do("step")


def _median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


#: What a fresh worker does before its first run, and the bare import it is compared with.
STARTS = {
    "collabsim": "import collabsim; collabsim.run(collabsim.scenario('iocn'), seed=0, steps=1)",
    "mesa": "import mesa",
}


def start_up(repeats: int) -> dict:
    """Median wall seconds of each fresh process in ``STARTS``, started in turn, and the
    median of the paired ratios (pairing keeps the ratio fair on a machine whose speed
    drifts)."""
    subprocess.run([sys.executable, "-c", STARTS["collabsim"]], check=True)  # fills the cache
    times: dict[str, list[float]] = {name: [] for name in STARTS}
    for _ in range(repeats):
        for name, code in STARTS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(times["collabsim"], times["mesa"], strict=True)]
    return {
        **{f"{name}_seconds": statistics.median(t) for name, t in times.items()},
        "ratio": statistics.median(ratios),
    }


#: Sizes of the cost curve.
CURVE_SIZES = (100, 300, 1000, 2000, 5000)

#: One run in a fresh process, after a short one that loads the compiled mechanisms:
#: its seconds and the process's peak resident memory in MB. The peak is read from
#: /proc (VmHWM, this process's own) where there is one: Linux carries getrusage's
#: maxrss over from the parent, which after the timed sizes is the larger.
_CURVE_RUN = """
import pathlib, resource, sys, time, collabsim
params = collabsim.Params(n_people=int(sys.argv[1]))
collabsim.run(params, seed=0, steps=5)
start = time.perf_counter()
collabsim.run(params, seed=1, steps=int(sys.argv[2]))
seconds = time.perf_counter() - start
status = pathlib.Path("/proc/self/status")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if status.exists():
    peak = next(int(l.split()[1]) for l in status.read_text().splitlines() if l.startswith("VmHWM"))
print(seconds, peak / 1024)
"""


def curve(sizes=CURVE_SIZES, steps: int = 260) -> list[dict]:
    """Seconds, microseconds per person-week and peak memory of one run of each size."""
    rows = []
    for n in sizes:
        done = subprocess.run(
            [sys.executable, "-c", _CURVE_RUN, str(n), str(steps)],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds, peak = (float(x) for x in done.stdout.split())
        rows.append(
            {
                "n_people": n,
                "seconds_per_run": seconds,
                "microseconds_per_person_week": seconds / (n * steps) * 1e6,
                "peak_mb": peak,
            }
        )
    return rows


def measure(sizes, repeats: int, steps: int = 260) -> dict:
    """Median seconds per run and per agent-step for each size, plus the yardstick."""
    rows = []
    for n in sizes:
        params = collabsim.Params(n_people=n)
        collabsim.run(params, seed=0)  # warm-up: loads the compiled mechanisms
        seeds = iter(range(1, repeats + 1))
        seconds = _median_time(lambda p=params, s=seeds: collabsim.run(p, seed=next(s)), repeats)
        rows.append(
            {
                "n_people": n,
                "seconds_per_run": seconds,
                "microseconds_per_agent_step": seconds / (n * steps) * 1e6,
            }
        )
    yardstick_n = 300

    def yardstick():
        model = _YardstickModel(yardstick_n)
        for _ in range(steps):
            model.step()

    yardstick()
    yard = _median_time(yardstick, repeats)
    return {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "collabsim": collabsim.__version__,
        "steps": steps,
        "runs": rows,
        "yardstick_mesa_loop_microseconds_per_agent_step": yard / (yardstick_n * steps) * 1e6,
        "start_up": start_up(repeats),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--curve", action="store_true", help="also the cost curve, 100-5,000")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    result = measure(args.sizes, args.repeats)
    if args.curve:
        result["curve"] = curve()
    yard = result["yardstick_mesa_loop_microseconds_per_agent_step"]
    print(f"{'people':>7} {'ms/run':>9} {'us/agent-step':>14} {'vs Mesa loop':>13}")
    for row in result["runs"]:
        per = row["microseconds_per_agent_step"]
        print(
            f"{row['n_people']:>7} {row['seconds_per_run'] * 1e3:>9.1f} {per:>14.3f} "
            f"{per / yard:>12.2f}x"
        )
    print(f"yardstick: idiomatic per-agent Mesa loop, {yard:.3f} us/agent-step")
    up = result["start_up"]
    print(
        f"start-up: a fresh process to a model's first week {up['collabsim_seconds']:.2f} s, "
        f"import mesa {up['mesa_seconds']:.2f} s: {up['ratio']:.2f}x (target <= 2)"
    )
    if args.curve:
        print(f"{'people':>7} {'s/run':>8} {'us/person-week':>15} {'peak MB':>8}")
        for row in result["curve"]:
            print(
                f"{row['n_people']:>7} {row['seconds_per_run']:>8.2f} "
                f"{row['microseconds_per_person_week']:>15.3f} {row['peak_mb']:>8.0f}"
            )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
