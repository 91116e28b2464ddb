"""``collabsim sensitivity FILE``: a sensitivity study from a study file."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from collabsim.sweeps.size import SweepSize


def sensitivity(args: argparse.Namespace) -> int:
    """``collabsim sensitivity``: run or resume a sensitivity study and say what it found."""
    from collabsim import sensitivity  # pulls in SALib, pandas, matplotlib: only when used
    from collabsim.sensitivity.files import read_study_file

    backend, workers, scheduler = sweep_backend(args)
    progress = Progress(enabled=not args.quiet)

    def _say_start(size: SweepSize) -> None:
        say_start(
            args.file, size, quiet=False, backend=backend, workers=workers, scheduler=scheduler
        )

    out = None
    with resumable(progress, lambda: saved_in(out, progress)):
        spec = read_study_file(args.file)
        options = spec["study"]
        if args.out is not None:
            options["out"] = args.out
        out = options.get("out") or Path("results") / options["name"]
        check_writable(Path(out))
        with writing_to(Path(out)), naming(args.file, unless=[out]):
            study = sensitivity.run_study(
                sensitivity.scenario_function(**spec["function"]),
                **options,
                backend=backend,
                workers=workers,
                scheduler=scheduler,
                restart=args.restart,
                progress=progress,
                allow_large=args.allow_large,
                on_start=None if args.quiet else _say_start,
            )
    if not args.quiet:
        print(study_summary(study))
    return 0


def study_summary(study) -> str:
    """The leading factor of each output and whether it settled, in a few lines."""
    from collabsim.sensitivity.convergence import DID_NOT_VARY
    from collabsim.sensitivity.methods import MAIN_INDEX

    main = MAIN_INDEX[study.method]
    lines = [
        f"{study.method} indices of {len(study.outputs)} outputs over "
        f"{len(study.problem['names'])} factors ({study.options['runs']} runs):"
    ]
    for output in study.outputs:
        top = study.leading(output).head(3)
        names = ", ".join(f"{r.factor} ({getattr(r, main):.2g})" for r in top.itertuples())
        verdict = study.verdicts.get(output)
        if verdict is not None and verdict.get("reason") == DID_NOT_VARY:
            lines.append(f"  {output}: {DID_NOT_VARY}")
            continue
        if top.empty:
            floor = study.ranking(output)["noise_floor"].iloc[0]
            names = (
                "no factor with an effect"
                if math.isnan(floor)  # one run a point: no floor to measure
                else f"no factor above the seed-noise floor ({floor:.2g})"
            )
        state = (
            "" if verdict is None else (" [settled]" if verdict["settled"] else " [not settled]")
        )
        lines.append(f"  {output}: {names}{state}")
    lines.append(f"  Report: {study.path / 'report.md'}")
    return "\n".join(lines)


# --- collabsim dashboard ---------------------------------------------------------------
