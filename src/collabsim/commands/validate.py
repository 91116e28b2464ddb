"""``collabsim validate`` and ``collabsim patterns``: the catalogue of patterns, run and listed.

``validate`` runs the catalogue of empirical patterns (``collabsim.validation``), or
the patterns named (at other parameter values with ``--set NAME=VALUE``, which no arm
may set itself), through the sweep engine with the sweep's backend options and
resuming, and writes ``patterns.csv``, ``report.md`` and figures to the output folder
(default ``results/validation``; ``results/validation_quick`` with ``--quick``; either with
``_seed<N>`` after it for a master seed ``--seed N`` other than 0); it ends
with the pass count and the failing patterns (failing patterns do not change the exit
status). ``patterns`` lists the catalogue, or prints ``docs/patterns.md`` with
``--markdown``.
"""

from __future__ import annotations

import argparse
import shutil

from collabsim.commands import (
    Progress,
    check_seed,
    check_writable,
    parse_sets,
    print_utf8,
    resumable,
    saved_in,
    say_start,
    sweep_backend,
    writing_to,
)


def validate(args: argparse.Namespace) -> int:
    """Run ``collabsim validate``; return the exit status (130 when interrupted)."""
    from collabsim import validation  # pulls in the model, SciPy and matplotlib
    from collabsim.validation.report import summary_text

    backend, workers, scheduler = sweep_backend(args)
    check_seed(args.seed)
    out = args.out
    if out is None:  # a quick run or another seed writes apart, not over the committed table
        out = args.quick_out_default if args.quick else args.out_default
        if args.seed:
            out = out.with_name(f"{out.name}_seed{args.seed}")
    progress = Progress(enabled=not args.quiet)
    params = parse_sets(args.sets)
    with resumable(progress, lambda: saved_in(out, progress)):
        size = validation.validation_size(args.patterns, quick=args.quick, params=params)
        check_writable(out)
        validation.check_out(out)
        say_start(
            "quick validation" if args.quick else "validation",
            size,
            quiet=args.quiet or not size.runs,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
        )
        with writing_to(out):
            results = validation.validate(
                out=out,
                quick=args.quick,
                seed=args.seed,
                patterns=args.patterns,
                backend=backend,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                restart=args.restart,
                params=params,
            )
    if not args.quiet:
        print(summary_text(results, out=out, quick=args.quick))
    return 0


def patterns(args: argparse.Namespace) -> int:
    """Run ``collabsim patterns``: the catalogue as a list, or as Markdown."""
    from collabsim.validation import PATTERNS
    from collabsim.validation.report import catalogue_text, patterns_markdown

    if args.markdown:
        print_utf8(patterns_markdown(PATTERNS))
        return 0
    print(catalogue_text(PATTERNS, width=shutil.get_terminal_size((120, 24)).columns))
    print(
        "\nFull descriptions: collabsim patterns --markdown (docs/patterns.md). "
        "Run them with: collabsim validate [--quick]"
    )
    return 0


__all__ = ["patterns", "validate"]
