"""Speed of one model run: time per run and per agent-step, for the iocn scenario.

Runs ``collabsim.run`` on the default (``iocn``) parameters at several network sizes
for the full 260-week horizon, after a warm-up run that loads the compiled mechanisms,
and reports medians. As a yardstick measured in the same process, it also times an
idiomatic per-agent Mesa model (each agent's ``step`` in Python) of a far simpler
kind, one yardstick run straight after each model run, so results can be quoted as
ratios that survive a noisy machine (the median of the pairs' ratios); the target is
``TARGET_VS_YARDSTICK``. Beside each size it prints the mean weeks the runs' networks were
alive: a run's cost follows it most, so a change to the model's rates that keeps networks
alive longer costs time per agent-step without any change to the code.

It also times start-up, each against a fresh process that only imports Mesa, started in
turn: a fresh Python process that imports collabsim and runs one week (compiled mechanisms
from the on-disk cache), and one that gets ready as a sweep's pool worker does (its
initializer: importing the sweep's unit of work, then its warm-up run); each median
ratio is what a new process costs beyond Mesa's own import; the target is
``TARGET_START_UP``.

With ``--curve`` it also runs two models of each size from 100 to 5,000 people
(``--curve-sizes`` for others), in a fresh process for each size, and prints the second's
cost per person-week, the process's peak memory, the first's seconds and the size of the
two worlds' trust matrices, which the week reads at random: the cost should grow at most
linearly in people x weeks (a flat cost per person-week). Where it steps up, read it
against the matrices' size and the processor's caches: more work per person-week would
raise it size after size, a matrix outgrowing a cache raises it once.

With ``--phases`` it steps one model of each size as Mesa steps it, timing each phase of
the week in the network's world and in its silo twin, and prints each phase's share: where
the time goes. The week nobody plays, one compiled call, is called part by part to be
timed apart, and the run is checked to come out as it does in one call. A part called apart
starts with cold caches, so the shares overstate the parts that read the trust matrix at
random. With ``--parts``
it times the parts of ``collabsim.run`` (building the model, its weeks in compiled
stretches, the summary, the rest), each against the yardstick, at each size and for the
short run most of a study's runs are (``SHORT_RUN``); and, each against it, the two in
turn, a sweep's run of the same (``runner.run_rows``, which makes no time series frame)
and the same run without its silo twin (what the twin costs in all).

Usage::

    python benchmarks/bench_model.py [--sizes 300 1000 2000] [--repeats 7] [--curve]
                                     [--curve-sizes 1000 1250 1500] [--phases] [--parts]
                                     [--json FILE]
"""

from __future__ import annotations

import argparse
import collections
import functools
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


#: What a fresh process does before its first run, by what it is: a script and a sweep's
#: worker; and the bare import each is compared with.
STARTS = {
    "script": "import collabsim; collabsim.run(collabsim.scenario('iocn'), seed=0, steps=1)",
    "worker": "from collabsim.warm import ready_pool_worker; ready_pool_worker()",
    "mesa": "import mesa",
}


def start_up(repeats: int) -> dict:
    """Median wall seconds of each fresh process in ``STARTS``, started in turn, and the
    median of each one's paired ratios to ``import mesa`` (pairing keeps a ratio fair on a
    machine whose speed drifts)."""
    subprocess.run([sys.executable, "-c", STARTS["script"]], check=True)  # fills the cache
    times: dict[str, list[float]] = {name: [] for name in STARTS}
    for _ in range(repeats):
        for name, code in STARTS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - start)
    return {
        **{f"{name}_seconds": statistics.median(t) for name, t in times.items()},
        **{
            f"{name}_ratio": statistics.median(a / b for a, b in zip(t, times["mesa"], strict=True))
            for name, t in times.items()
            if name != "mesa"
        },
    }


#: Sizes of the cost curve.
CURVE_SIZES = (100, 300, 1000, 2000, 5000)

#: Two runs of the same size in a fresh process, after a short small one that loads the
#: compiled mechanisms: each run's seconds and the process's peak resident memory in MB.
#: The first run takes memory the process never had; the second reuses what the first
#: let go of, as every later run of a sweep's worker does. The peak is read from /proc
#: (VmHWM, this process's own) where there is one: Linux carries getrusage's maxrss over
#: from the parent, which after the timed sizes is the larger.
_CURVE_RUN = """
import pathlib, resource, sys, time, collabsim
collabsim.run(collabsim.Params(n_people=100), seed=0, steps=5)
params = collabsim.Params(n_people=int(sys.argv[1]))
for _ in range(2):
    start = time.perf_counter()
    collabsim.run(params, seed=1, steps=int(sys.argv[2]))
    print(time.perf_counter() - start)
model = collabsim.CollaborationModel(params, rng=1)
print(sum(w.state.trust.personal.nbytes for w in (model, model.silo_twin)) / 2**20)
status = pathlib.Path("/proc/self/status")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if status.exists():
    peak = next(int(l.split()[1]) for l in status.read_text().splitlines() if l.startswith("VmHWM"))
print(peak / 1024)
"""


def curve(sizes=CURVE_SIZES, steps: int = 260) -> list[dict]:
    """Seconds, microseconds per person-week and peak memory of a run of each size.

    Per person-week from the second run in its process (see ``_CURVE_RUN``); the first
    run's seconds too, which on a virtual machine include the host's cost of memory first
    used (README, "Speed").
    """
    rows = []
    for n in sizes:
        done = subprocess.run(
            [sys.executable, "-c", _CURVE_RUN, str(n), str(steps)],
            check=True,
            capture_output=True,
            text=True,
        )
        first, seconds, trust, peak = (float(x) for x in done.stdout.split())
        rows.append(
            {
                "n_people": n,
                "seconds_per_run": seconds,
                "first_run_seconds": first,
                "microseconds_per_person_week": seconds / (n * steps) * 1e6,
                "peak_mb": peak,
                "trust_matrices_mb": trust,
            }
        )
    return rows


def _timed(method, label: str, spent: dict[str, float]):
    """``method``, adding the seconds each call takes to ``spent[label]``."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start

    return wrapper


#: The model's phase methods called from Python in a week nobody plays, timed in both worlds.
PHASES = ("apply_scheduled_events", "_hand_over")


def _week_timed_apart(spent: dict[str, float], world_names: dict[int, str]):
    """A stand-in for ``whole_week.live_week`` that times each part of a week apart.

    The same compiled parts in the same order, each a call from Python; ``phases`` checks
    the run against one made without it.
    """
    from collabsim.mechanisms import attendance, meeting, weekly, whole_week

    def live_week(world, settings, week):
        name = world_names[id(world)]

        def part(label, function, *args):
            return _timed(function, f"{name}: {label}", spent)(world, settings, *args)

        held = part("meeting", whole_week.meeting_due, week)
        if held:
            part("meeting", meeting.hold, part("meeting", attendance.choose_attendees), week)
        part("change work", weekly.change_work_phase, week)
        part("informal contact", weekly.informal_contact)
        part("second-hand trust and drift", weekly.word_gets_around)
        actor = part("aspiration and commitment", weekly.commitment_phase, week)
        if actor >= 0:
            part("aspiration and commitment", weekly.act_in_self_interest, actor, week)
        if held:
            part("exits", weekly.exits_phase)
        leaving = part("turnover", weekly.turnover_phase)
        part("sustainability", whole_week.judge_network, week)
        return leaving

    return live_week


def phases(sizes, steps: int = 260) -> list[dict]:
    """One stepped run of each size, timed phase by phase in both worlds: seconds by phase.

    The model is stepped as Mesa steps it (``model.step()``, its people Mesa agents), and
    its compiled week nobody plays is called part by part (``_week_timed_apart``); the
    newcomers' Mesa agents and the weekly reporters are timed as their own lines.
    """
    import numba

    from collabsim.mechanisms import weekly, whole_week
    from collabsim.model import CollaborationModel

    rows = []
    in_one_call = whole_week.live_week
    for n in sizes:
        params = collabsim.Params(n_people=n)
        model = CollaborationModel(params, rng=1)
        arguments = (numba.typeof(model.state.world), numba.typeof(model.settings_ref))
        weekly.act_in_self_interest.compile((*arguments, numba.int64, numba.int64))  # rare
        warm_up = CollaborationModel(params, rng=0)  # loads each part called from Python
        whole_week.live_week = _week_timed_apart({}, collections.defaultdict(str))
        try:
            for _ in range(5):
                warm_up.step()
        finally:
            whole_week.live_week = in_one_call
        spent: dict[str, float] = {}
        worlds = {"network": model, "silo twin": model.silo_twin}
        for world, instance in worlds.items():
            for phase in PHASES:
                method = getattr(instance, phase)
                label = "newcomers' Mesa agents" if phase == "_hand_over" else phase
                setattr(instance, phase, _timed(method, f"{world}: {label}", spent))
        collector = model.datacollector
        collector.collect = _timed(collector.collect, "weekly reporters", spent)
        names = {id(instance.state.world): world for world, instance in worlds.items()}
        whole_week.live_week = _week_timed_apart(spent, names)
        try:
            start = time.perf_counter()
            for _ in range(steps):
                model.step()
            total = time.perf_counter() - start
        finally:
            whole_week.live_week = in_one_call
        reference = CollaborationModel(params, rng=1)
        for _ in range(steps):
            reference.step()
        if not model.timeseries().equals(reference.timeseries()):
            raise SystemExit(f"--phases: the run of {n} people timed part by part differs")
        spent["the rest (Mesa's step, the week's own lines)"] = total - sum(spent.values())
        rows.append({"n_people": n, "seconds": total, "phases": spent})
    return rows


#: The short run most of a study's runs are: Beston's partnership group over the 24 weeks of
#: its facilitated meetings (scenario, weeks, runs timed).
SHORT_RUN = ("beston", 24, 50)


def parts(sizes, steps: int = 260, runs: int = 5) -> list[dict]:
    """Where ``collabsim.run``'s time goes, per run of each size and of ``SHORT_RUN``.

    Building the model (its state, its silo twin's, Mesa's model); its weeks, lived in
    compiled stretches (``unwatched.live``); the summary; and the rest (the time series
    as a frame, checking the arguments, letting go of the state). A yardstick run after
    each model run puts them on its scale.
    """
    scenario, short_steps, short_runs = SHORT_RUN
    cases = [(f"{n} people", collabsim.Params(n_people=n), steps, runs) for n in sizes]
    cases.append(
        (f"{scenario}, {short_steps} weeks", collabsim.scenario(scenario), short_steps, short_runs)
    )
    return [_parts_of_runs(*case) for case in cases]


def _parts_of_runs(label: str, params, steps: int, runs: int) -> dict:
    from collabsim import runner, unwatched

    originals = {"UnwatchedModel": runner.UnwatchedModel, "summarise": runner.summarise}
    live = unwatched.live
    labels = {
        "UnwatchedModel": "building the model",
        "summarise": "the summary",
    }
    collabsim.run(params, seed=0, steps=min(5, steps))  # loads the compiled mechanisms
    spent: dict[str, float] = {}
    for name, function in originals.items():
        setattr(runner, name, _timed(function, labels[name], spent))
    unwatched.live = _timed(live, "its weeks, compiled", spent)
    try:
        total = yard = 0.0
        for seed in range(1, runs + 1):
            start = time.perf_counter()
            collabsim.run(params, seed=seed, steps=steps)
            total += time.perf_counter() - start
            yard += _yardstick_seconds(steps)
    finally:
        for name, function in originals.items():
            setattr(runner, name, function)
        unwatched.live = live
    spent["the rest (time series, checks, letting go)"] = total - sum(spent.values())
    per_yard_step = yard / YARDSTICK_PEOPLE
    return {
        "case": label,
        "n_people": params.n_people,
        "seconds_per_run": total / runs,
        "sweep_run_vs_run": _in_turn_vs_run(params, steps, runs, runner.run_rows),
        "without_twin_vs_run": _in_turn_vs_run(
            params, steps, runs, functools.partial(collabsim.run, silo_twin=False)
        ),
        "parts": {
            part: {
                "seconds_per_run": seconds / runs,
                "vs_yardstick": seconds / params.n_people / per_yard_step,
            }
            for part, seconds in sorted(spent.items(), key=lambda item: -item[1])
        },
    }


def _in_turn_vs_run(params, steps: int, runs: int, other) -> float:
    """``other``'s time over ``collabsim.run``'s for the same runs, the two in turn."""
    seconds = {"run": 0.0, "other": 0.0}
    for seed in range(1, runs + 1):
        for name, run in (("run", collabsim.run), ("other", other)):
            start = time.perf_counter()
            run(params, seed=seed, steps=steps)
            seconds[name] += time.perf_counter() - start
    return seconds["other"] / seconds["run"]


#: People in the yardstick model.
YARDSTICK_PEOPLE = 300
#: Targets: a model's time per agent-step against the yardstick's, and a fresh worker's
#: start-up against a bare ``import mesa``.
TARGET_VS_YARDSTICK = 1 / 3
TARGET_START_UP = 2.0


def _yardstick_seconds(steps: int) -> float:
    """Seconds of one run of the yardstick model: ``steps`` steps of its people."""
    start = time.perf_counter()
    model = _YardstickModel(YARDSTICK_PEOPLE)
    for _ in range(steps):
        model.step()
    return time.perf_counter() - start


def measure(sizes, repeats: int, steps: int = 260) -> dict:
    """Median seconds per run and per agent-step for each size, against the yardstick.

    Each model run is paired with a yardstick run straight after it, and the ratio is the
    median of the pairs' ratios of time per agent-step: the machine's speed drifts by half
    or more within minutes, and a pair sees the same drift on both sides.
    """
    _yardstick_seconds(steps)  # warm-up
    rows, yardsticks = [], []
    for n in sizes:
        params = collabsim.Params(n_people=n)
        collabsim.run(params, seed=0)  # warm-up: loads the compiled mechanisms
        runs, ratios, alive = [], [], []
        for seed in range(1, repeats + 1):
            start = time.perf_counter()
            result = collabsim.run(params, seed=seed, steps=steps)
            runs.append(time.perf_counter() - start)
            alive.append(result.summary["sustainability_score"] * steps)
            yardsticks.append(_yardstick_seconds(steps))
            ratios.append(runs[-1] / n / (yardsticks[-1] / YARDSTICK_PEOPLE))
        seconds = statistics.median(runs)
        rows.append(
            {
                "n_people": n,
                "seconds_per_run": seconds,
                "microseconds_per_agent_step": seconds / (n * steps) * 1e6,
                "vs_yardstick": statistics.median(ratios),
                "weeks_alive": statistics.mean(alive),
            }
        )
    yard = statistics.median(yardsticks)
    return {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "collabsim": collabsim.__version__,
        "steps": steps,
        "runs": rows,
        "yardstick_mesa_loop_microseconds_per_agent_step": yard / (YARDSTICK_PEOPLE * steps) * 1e6,
        "start_up": start_up(repeats),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--curve", action="store_true", help="also the cost curve, 100-5,000")
    parser.add_argument(
        "--curve-sizes", type=int, nargs="+", help="the cost curve at these sizes (implies --curve)"
    )
    parser.add_argument("--phases", action="store_true", help="also where a run's time goes")
    parser.add_argument(
        "--parts", action="store_true", help="also the parts of collabsim.run, timed apart"
    )
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    result = measure(args.sizes, args.repeats)
    args.curve = args.curve or bool(args.curve_sizes)
    if args.curve:
        result["curve"] = curve(args.curve_sizes or CURVE_SIZES)
    if args.phases:
        result["phases"] = phases(args.sizes)
    if args.parts:
        result["parts"] = parts(args.sizes)
    yard = result["yardstick_mesa_loop_microseconds_per_agent_step"]
    print(
        f"{'people':>7} {'ms/run':>9} {'us/agent-step':>14} {'vs Mesa loop':>13} "
        f"{'weeks alive':>12}"
    )
    for row in result["runs"]:
        per = row["microseconds_per_agent_step"]
        print(
            f"{row['n_people']:>7} {row['seconds_per_run'] * 1e3:>9.1f} {per:>14.3f} "
            f"{row['vs_yardstick']:>12.2f}x {row['weeks_alive']:>12.0f}"
        )
    print(
        "weeks alive: the mean weeks the runs' networks were alive; a living network's week costs "
        "more than a dissolved one's (meetings, informal contact, talk across organisations)"
    )
    print(
        f"yardstick: idiomatic per-agent Mesa loop, {yard:.3f} us/agent-step (median); "
        "each ratio is the median over runs paired with a yardstick run "
        f"(target <= {TARGET_VS_YARDSTICK:.2f})"
    )
    up = result["start_up"]
    for name, what in (("script", "a script's first week"), ("worker", "a sweep worker ready")):
        print(
            f"start-up, {what}: {up[f'{name}_seconds']:.2f} s against import mesa "
            f"{up['mesa_seconds']:.2f} s: {up[f'{name}_ratio']:.2f}x "
            f"(target <= {TARGET_START_UP:g})"
        )
    if args.curve:
        header = f"{'people':>7} {'s/run':>8} {'us/person-week':>15} {'peak MB':>8}"
        print(f"{header} {'first run s':>12} {'trust MB':>9}")
        for row in result["curve"]:
            print(
                f"{row['n_people']:>7} {row['seconds_per_run']:>8.2f} "
                f"{row['microseconds_per_person_week']:>15.3f} {row['peak_mb']:>8.0f} "
                f"{row['first_run_seconds']:>12.2f} {row['trust_matrices_mb']:>9.1f}"
            )
    for row in result.get("phases", []):
        print(f"where a run of {row['n_people']} people spends {row['seconds'] * 1e3:.0f} ms:")
        for label, seconds in sorted(row["phases"].items(), key=lambda item: -item[1]):
            print(f"  {seconds / row['seconds']:>6.1%}  {label}")
    for row in result.get("parts", []):
        print(f"collabsim.run, {row['case']}, {row['seconds_per_run'] * 1e3:.2f} ms:")
        for label, item in row["parts"].items():
            share = item["seconds_per_run"] / row["seconds_per_run"]
            print(
                f"  {item['seconds_per_run'] * 1e3:>7.2f} ms {share:>6.1%} "
                f"{item['vs_yardstick']:>5.2f}x  {label}"
            )
        print(f"  a sweep's run of the same, no time series frame: {row['sweep_run_vs_run']:.2f}x")
        print(
            f"  the same without its silo twin: {row['without_twin_vs_run']:.2f}x "
            "(what the twin costs in all)"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
