"""``collabsim calibrate FILE``: calibration by pattern filtering, from a calibration file.

Reads and checks the file (``collabsim.calibration.files``; a mistake is refused in one
line naming the file and the field, before anything is written), runs its stages with
the sweep's backend options (a progress bar per stage on a terminal, plain lines now and
then otherwise), resuming a calibration that was stopped, and ends with a short
summary: points, how many passed each stage, how many were accepted, the recommended
rates. Ctrl-C keeps the finished runs and exits with status 130; the same command
resumes.
"""

from __future__ import annotations

import argparse
import sys

from collabsim.commands import (
    PROG,
    StageProgress,
    UsageError,
    check_writable,
    naming,
    sweep_backend,
    writing_to,
)


def calibrate(args: argparse.Namespace) -> int:
    """Run ``collabsim calibrate``; return the exit status (130 when interrupted)."""
    from collabsim import calibration  # pulls in the model, SciPy and matplotlib
    from collabsim.calibration.report import summary_text
    from collabsim.sweeps import SweepError  # CalibrationError and ValidationError are too

    backend, workers, scheduler = sweep_backend(args)
    progress = StageProgress(enabled=not args.quiet, terminal=sys.stderr.isatty())
    out = args.out
    try:
        with naming(args.file, unless=[out]):
            plan = calibration.read_plan(args.file)
        out = args.out if args.out is not None else plan.default_out
        check_writable(out)
        with writing_to(out), naming(args.file, unless=[out]):
            result = calibration.calibrate(
                plan,
                out=out,
                backend=backend,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                restart=args.restart,
            )
    except KeyboardInterrupt:
        progress.close()
        saved = f"the finished runs are saved in {out}; " if out is not None else ""
        print(f"{PROG}: interrupted: {saved}run the same command again to resume", file=sys.stderr)
        return 130
    except SweepError as error:
        raise UsageError(str(error)) from None
    finally:
        progress.close()
    if not args.quiet:
        print(summary_text(result))
    return 0


__all__ = ["calibrate"]
