"""``collabsim robustness FILE``: each lever's effect re-estimated across contexts.

Reads and checks the study file (``collabsim.robustness.files``; a mistake, or a study of
more than a million runs without ``--allow-large``, is refused in one line naming the file,
before anything is written), says the study's runs, time and disk, runs every lever at
both settings in every context with the sweep's backend options and a progress bar on a
terminal (plain lines in a log), resuming a study that was stopped, and ends with a
sentence per lever. Ctrl-C keeps the finished runs and exits with status 130; the same
command resumes.
"""

from __future__ import annotations

import argparse

from collabsim.commands import (
    Progress,
    check_writable,
    naming,
    resumable,
    saved_in,
    say_start,
    sweep_backend,
    writing_to,
)


def robustness(args: argparse.Namespace) -> int:
    """Run ``collabsim robustness``; return the exit status (130 when interrupted)."""
    from collabsim import robustness as study  # pulls in the model, SciPy and matplotlib
    from collabsim.robustness.report import summary_text
    from collabsim.sweeps.plan import check_size

    backend, workers, scheduler = sweep_backend(args)
    progress = Progress(enabled=not args.quiet)
    out = args.out
    with resumable(progress, lambda: saved_in(out, progress)):
        with naming(args.file, unless=[out]):
            plan = study.read_robustness_file(args.file)
            size = study.study_size(plan)
            check_size(size, allow_large=args.allow_large)
        out = args.out if args.out is not None else study.default_out(plan)
        check_writable(out)
        say_start(
            args.file, size, quiet=args.quiet, backend=backend, workers=workers, scheduler=scheduler
        )
        with writing_to(out), naming(args.file, unless=[out]):
            result = study.robustness(
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
        print(summary_text(result.headlines, out=out))
    return 0


__all__ = ["robustness"]
