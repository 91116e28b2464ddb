"""``collabsim sweep FILE``: a sweep from an experiment file, resumable, on any backend."""

from __future__ import annotations

import argparse
import logging

from collabsim.commands import (
    PROG,
    Progress,
    UsageError,
    check_writable,
    naming,
    resumable,
    saved_in,
    say_start,
    sweep_backend,
    writing_to,
)


def sweep(args: argparse.Namespace) -> int:
    """``collabsim sweep``: run or resume a sweep, saying its size first and showing progress."""
    from collabsim import sweeps  # pulls in pandas and pyarrow: only when sweeping
    from collabsim.sweeps.files import read_sweep_file

    backend, workers, scheduler = sweep_backend(args)
    progress = Progress(enabled=not args.quiet)
    run = None

    def saved() -> str:
        if run is None or not saved_in(run.plan.out):
            return ""
        return f"{run.done:,} of {run.total:,} runs are saved in {run.plan.out}; "

    with resumable(progress, saved):
        options = read_sweep_file(args.file)
        if args.out is not None:
            options["out"] = args.out
        with naming(args.file):
            plan = sweeps.plan_sweep(**options, allow_large=args.allow_large)
        check_writable(plan.out)
        for event in plan.base["events"]:  # as `run` says: a fixed event that never happens
            if event["step"] > plan.steps:
                logging.getLogger(PROG).warning(
                    f"{args.file}: the event in week {event['step']} ({event['kind']}) is "
                    f"after the last week of the runs, steps={plan.steps}: it does not happen"
                )
        run_with = sweeps.Execution(
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            restart=args.restart,
            progress=progress,
        )
        run = sweeps.SweepRun(plan, run_with)
        say_start(
            args.file,
            plan.size,
            quiet=args.quiet,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
        )
        with writing_to(run.plan.out):
            for _ in run:
                pass
    result = sweeps.load(run.plan.out)
    if not args.quiet:
        print(result.report())
    total, failed = result.meta["runs"], (result.meta.get("failures") or {}).get("count", 0)
    if total and failed == total:  # nothing to analyse: a script must not take it for results
        first = result.runs["error"].iloc[0]  # read only then: meta.json holds the counts
        raise UsageError(
            f"{args.file}: every one of the {total:,} runs failed, so the sweep has no "
            f"results; the first: {first}"
        )
    return 0
