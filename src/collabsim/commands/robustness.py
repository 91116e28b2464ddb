"""``collabsim robustness FILE``: each lever's effect re-estimated across contexts.

Reads and checks the study file (``collabsim.robustness.files``; a mistake is refused in
one line naming the file and the field, before anything is written), runs every lever at
both settings in every context with the sweep's backend options and a progress bar on a
terminal (plain lines in a log), resuming a study that was stopped, and ends with a
sentence per lever. Ctrl-C keeps the finished runs and exits with status 130; the same
command resumes.
"""

from __future__ import annotations

import argparse
import sys

from collabsim.commands import (
    PROG,
    Progress,
    UsageError,
    check_writable,
    naming,
    sweep_backend,
    writing_to,
)


def robustness(args: argparse.Namespace) -> int:
    """Run ``collabsim robustness``; return the exit status (130 when interrupted)."""
    from collabsim import robustness as study  # pulls in the model, SciPy and matplotlib
    from collabsim.robustness.report import summary_text
    from collabsim.sweeps import SweepError  # RobustnessError is one too

    backend, workers, scheduler = sweep_backend(args)
    progress = Progress(enabled=not args.quiet)
    out = args.out
    try:
        with naming(args.file, unless=[out]):
            plan = study.read_robustness_file(args.file)
        out = args.out if args.out is not None else study.default_out(plan)
        check_writable(out)
        with writing_to(out), naming(args.file, unless=[out]):
            result = study.robustness(
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
        print(
            f"{PROG}: interrupted: the finished runs are saved in {out}; run the same "
            "command again to resume",
            file=sys.stderr,
        )
        return 130
    except SweepError as error:
        raise UsageError(str(error)) from None
    finally:
        progress.close()
    if not args.quiet:
        print(summary_text(result.headlines, out=out))
    return 0


__all__ = ["robustness"]
