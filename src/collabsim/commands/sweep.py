"""``collabsim sweep FILE``: a sweep from an experiment file, resumable, on any backend."""

from __future__ import annotations

import argparse
import sys

from collabsim.commands import (
    PROG,
    Progress,
    UsageError,
    check_writable,
    naming,
    start_line,
    sweep_backend,
    writing_to,
)


def sweep(args: argparse.Namespace) -> int:
    """``collabsim sweep``: run or resume a sweep, saying its size first and showing progress."""
    from collabsim import sweeps  # pulls in pandas and pyarrow: only when sweeping
    from collabsim.sweeps.files import read_sweep_file

    backend, workers, scheduler = sweep_backend(args)
    progress = Progress(enabled=not args.quiet)
    try:
        options = read_sweep_file(args.file)
        if args.out is not None:
            options["out"] = args.out
        with naming(args.file):
            plan = sweeps.plan_sweep(**options, allow_large=args.allow_large)
        check_writable(plan.out)
        run_with = sweeps.Execution(
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            restart=args.restart,
            progress=progress,
        )
        run = sweeps.SweepRun(plan, run_with)
        if not args.quiet:
            line = start_line(
                args.file, plan.size, backend=backend, workers=workers, scheduler=scheduler
            )
            print(line, file=sys.stderr, flush=True)
        with writing_to(run.plan.out):
            try:
                for _ in run:
                    pass
            except KeyboardInterrupt:
                progress.close()
                print(
                    f"{PROG}: interrupted: {run.done} of {run.total} runs are saved in "
                    f"{run.plan.out}; run the same command again to resume",
                    file=sys.stderr,
                )
                return 130
    except sweeps.SweepError as error:
        raise UsageError(str(error)) from None
    finally:
        progress.close()
    if not args.quiet:
        print(sweeps.load(run.plan.out).report())
    return 0


# --- collabsim sensitivity -------------------------------------------------------------
