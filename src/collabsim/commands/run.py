"""``collabsim run``: one run of a scenario, its summary in words and its figure."""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import collabsim
from collabsim import ctrl_c, storage
from collabsim.commands import (
    PROG,
    Interrupted,
    Progress,
    UsageError,
    check_seed,
    check_writable,
    parse_sets,
    writing_to,
)
from collabsim.params import Event, Params, not_run_length
from collabsim.scenarios import scenario

#: The figure a run writes beside its summary.
FIGURE = "dynamics.png"
#: Seconds a run goes before it shows its progress, and between its progress lines.
RUN_PROGRESS_DELAY, RUN_PROGRESS_EVERY = 3.0, 5.0


def run(args: argparse.Namespace) -> int:
    """``collabsim run``: run a scenario once; write its summary and figure."""
    overrides = parse_sets(args.sets)
    added = tuple(Event.parse(text) for text in args.events)
    if args.steps is not None and (reason := not_run_length(args.steps)) is not None:
        raise UsageError(f"--steps {reason}")
    check_seed(args.seed)
    after_the_run = [e for e in added if args.steps is not None and e.step > args.steps]
    if after_the_run:  # the user's own, said before a horizon they would not need to raise
        event = after_the_run[0]
        raise UsageError(
            f"--event {event.step}:{event.kind}: step={event.step} is after the last week "
            f"of the run, --steps {args.steps}: expected a step from 0 to {args.steps} "
            "(or more --steps)"
        )

    params = scenario(args.scenario, **overrides)  # a file's own faults are said in one line
    if added:
        params = params.replace(events=(*params.events, *added))
    if args.steps is not None and args.steps > params.horizon:  # in the flag's words
        raise UsageError(
            f"--steps {args.steps} is not allowed: expected a whole number from 1 to the "
            f"horizon, {params.horizon} (or a longer horizon: --set horizon={args.steps})"
        )
    label = _scenario_label(args.scenario)
    late = [e for e in params.events if args.steps is not None and e.step > args.steps]
    out = args.out if args.out is not None else Path("results") / label
    with writing_to(out):
        storage.check_out_dir(out)  # before the run and its notes: a bad --out fails fast, alone
    check_writable(out)
    for event in late:  # the scenario's own: no mistake (a first look at Beston's early
        # weeks), but the reader should know that it does not happen
        logging.getLogger(PROG).warning(
            f"{label}'s event in week {event.step} ({event.kind}) is after the last week "
            f"of the run, --steps {args.steps}: it does not happen"
        )
    for event in params.events:  # allowed (a sweep may turn the partner off), but idle here
        if (reason := _acts_on_nothing(event, params)) is not None:
            logging.getLogger(PROG).warning(
                f"the event in week {event.step} ({event.kind}) changes nothing: {reason}"
            )

    # Most runs take under a second: a long one (thousands of people, decades of weeks)
    # shows its progress once it has taken a few seconds.
    weeks = Progress(
        enabled=not args.quiet, unit="weeks", delay=RUN_PROGRESS_DELAY, every=RUN_PROGRESS_EVERY
    )
    try:
        with contextlib.closing(weeks), _said_if_the_first_week_is_slow(weeks) as progress:
            result = collabsim.run(params, seed=args.seed, steps=args.steps, progress=progress)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted before the run ended: nothing was written", file=sys.stderr)
        raise Interrupted from None
    try:
        with ctrl_c.held():  # a finished run is written whole, figure and all
            folder = _write(result, out, args, label)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted once the run was written: {folder}", file=sys.stderr)
        raise Interrupted from None

    if not args.quiet:
        print(_report(result, label, folder))
    return 0


#: What a run that has not finished its first week after ``RUN_PROGRESS_DELAY`` says: the
#: wait is the model being compiled, the first time on a machine (or in a new checkout).
SLOW_FIRST_WEEK = (
    f"{PROG}: loading the model; the first run on this machine (or in a new folder) also "
    "compiles it, about a minute, once"
)


@contextlib.contextmanager
def _said_if_the_first_week_is_slow(weeks: Progress) -> Iterator[Callable[[int, int], None]]:
    """Give the run a progress that says ``SLOW_FIRST_WEEK`` if its first week is slow.

    The compiled mechanisms are built on a machine's first run, silently otherwise, for
    about a minute before any week is done. Said on a terminal only, and not with
    ``--quiet``: a log or another program reading the output gets the same lines as
    ever.
    """
    timer = threading.Timer(
        RUN_PROGRESS_DELAY, lambda: print(SLOW_FIRST_WEEK, file=sys.stderr, flush=True)
    )
    timer.daemon = True

    def progress(done: int, total: int) -> None:
        if done == 1:  # the first week done, once: the rest need no timer
            timer.cancel()
        weeks(done, total)

    if weeks.enabled and weeks.terminal:
        timer.start()
    try:
        yield progress
    finally:
        timer.cancel()


def _write(result: collabsim.RunResult, out: Path, args: argparse.Namespace, label: str) -> Path:
    """Write the run's folder: its tables, provenance and figure; returns the folder."""
    from collabsim.plots import plot_dynamics  # matplotlib only when a figure is drawn

    with writing_to(out):
        folder = storage.write_run(result, out, scenario=args.scenario)
        plot_dynamics(
            result.timeseries,
            title=f"{label}, seed {args.seed}",
            events=result.params.events,
            path=folder / FIGURE,
        )
        storage.record_output(folder, FIGURE)
    return folder


def _acts_on_nothing(event: Event, params: Params) -> str | None:
    """Why ``event`` has nothing to act on in a run of ``params``, or None if it has."""
    if event.kind == "partner_withdraws" and not params.academic_partner:
        return "there is no academic partner (academic_partner is false)"
    if event.kind == "central_leader_leaves" and params.central_leader_strength == 0:
        return "nobody holds the centre (central_leader_strength is 0)"
    return None


def _scenario_label(name: str) -> str:
    return Path(name).stem if name.endswith(".toml") else name


def _report(result: collabsim.RunResult, label: str, folder: Path) -> str:
    """How the run went, in a few plain-English lines."""
    summary = result.summary
    steps = result.steps
    head = f"{label}, seed {result.seed}: "
    if not result.params.convened:
        head += f"no network was convened; the organisations worked alone for {steps} weeks."
    elif summary["collapse_step"] is not None:
        head += f"the network dissolved in week {summary['collapse_step']} of {steps}."
    else:
        head += f"the network was still alive after {steps} weeks."
    trust = result.timeseries["trust_cross_org"]
    lines = [
        head,
        f"  Trust between organisations: {_number(trust.iloc[0])} at the start, "
        f"{_number(summary['final_trust_cross_org'])} at the end (0 none, 1 full).",
        f"  Quality of care pathways: {_percent(summary['quality_gain'])} since the start.",
        f"  Changes adopted: {summary['changes_adopted']}.",
        f"  Results: {folder}",
    ]
    return "\n".join(lines)


def _number(value: float) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.2f}"


def _percent(gain: float) -> str:
    if gain is None or not math.isfinite(gain):
        return "n/a"
    return f"{gain * 100:+.1f}%"


# --- collabsim sweep -------------------------------------------------------------------
