"""Which levers drive an IOCN-like network's survival and quality: sensitivity_iocn.toml, run.

Runs (or resumes) the Sobol' study of sensitivity_iocn.toml (beside this file) into
results/sensitivity_iocn/ and prints, for each outcome, the levers that matter most,
the seed-noise share and whether the indices settled. The findings in words are in
results/sensitivity_iocn/report.md.

Usage::

    python -m collabsim.experiments.sensitivity_iocn [--backend pool|serial|dask] [--workers N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from collabsim import sensitivity
from collabsim.backends import BACKENDS, DEFAULT_BACKEND
from collabsim.sensitivity.files import read_study_file
from collabsim.sweeps import SweepError

STUDY = Path(__file__).with_suffix(".toml")


def main(argv=None) -> None:
    """Run (or resume) the study and print the leading levers of each outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--restart", action="store_true", help="discard a sweep of other code or design"
    )
    args = parser.parse_args(argv)

    spec = read_study_file(STUDY)
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done == total or done % 500 == 0:
            print(f"  {done}/{total} runs, {time.perf_counter() - start:.0f} s", flush=True)

    try:
        study = sensitivity.run_study(
            sensitivity.scenario_function(**spec["function"]),
            **spec["study"],
            backend=args.backend,
            workers=args.workers,
            restart=args.restart,
            progress=progress,
        )
    except (SweepError, FileExistsError) as error:  # a refused folder: one line, no traceback
        sys.exit(f"collabsim: {error}")
    for output in study.outputs:
        top = study.ranking(output).head(4)
        noise = study.noise.set_index("output").loc[output, "noise_share"]
        verdict = study.verdicts[output]
        print(
            f"{output}: seed noise {noise:.0%} of a run's variance; "
            + ("settled" if verdict["settled"] else f"not settled ({verdict['reason']})")
        )
        print(
            top[["factor", "S1", "S1_conf", "ST", "ST_conf", "below_noise"]]
            .round(3)
            .to_string(index=False)
        )
    print(f"Report: {study.path / 'report.md'}")


if __name__ == "__main__":  # worker processes import this file: keep the study under here
    main()
