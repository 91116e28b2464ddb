"""``collabsim calibrate FILE``: calibration by pattern filtering, from a calibration file.

``--skip-stage NAME`` (repeatable) leaves stages out: the same points, judged by the
others, by default into ``results/calibration/<name>_without_<stage>``.

Reads and checks the file (``collabsim.calibration.files``; a mistake, or a first stage of
more than a million runs without ``--allow-large``, is refused in one line naming the
file, before anything is written), says the first stage's runs, time and disk and the
most the calibration can run, runs its stages with the sweep's backend options (a
progress bar per stage on a terminal, plain lines now and then otherwise; then one,
``<stage> scored``, as its points are scored, and ``<stage> rechecked`` for steepest moves
measured again), resuming a calibration that was stopped,
and ends with a short summary: points, how many passed each stage, how many were
accepted, the recommended rates. Ctrl-C keeps the finished runs and exits with status
130; the same command resumes.
"""

from __future__ import annotations

import argparse
import sys

from collabsim.commands import (
    StageProgress,
    check_writable,
    naming,
    resumable,
    saved_in,
    say_start,
    sweep_backend,
    writing_to,
)


def calibrate(args: argparse.Namespace) -> int:
    """Run ``collabsim calibrate``; return the exit status (130 when interrupted)."""
    from collabsim import calibration  # pulls in the model, SciPy and matplotlib
    from collabsim.calibration.report import summary_text
    from collabsim.calibration.sizes import calibration_size, stage_size
    from collabsim.sweeps.plan import check_size

    backend, workers, scheduler = sweep_backend(args)
    progress = StageProgress(enabled=not args.quiet, terminal=sys.stderr.isatty())
    out = args.out
    with resumable(progress, lambda: saved_in(out, progress)):
        with naming(args.file, unless=[out]):
            plan = calibration.read_plan(args.file).without_stages(args.skip_stage)
            first = stage_size(plan, 0)
            check_size(first, allow_large=args.allow_large)
        out = args.out if args.out is not None else plan.default_out
        check_writable(out)
        say_start(
            args.file,
            first,
            quiet=args.quiet,
            most=calibration_size(plan),
            backend=backend,
            workers=workers,
            scheduler=scheduler,
        )
        with writing_to(out), naming(args.file, unless=[out]):
            result = calibration.calibrate(
                plan,
                out=out,
                backend=backend,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                restart=args.restart,
                allow_large=args.allow_large,
            )
    if not args.quiet:
        print(summary_text(result))
    return 0


__all__ = ["calibrate"]
