"""Academic partner x willingness to cede: the sweep of sweep_partner_cede.toml, from Python.

Runs (or resumes) the grid and prints the share of networks still alive after five
years, and the mean quality gain, for each combination.

Usage::

    python -m collabsim.experiments.sweep_partner_cede [--backend pool|serial|dask] [--workers N]
"""

from __future__ import annotations

import argparse

import collabsim
from collabsim.backends import BACKENDS, DEFAULT_BACKEND


def main(argv=None) -> None:
    """Run (or resume) the sweep and print each combination's survival and quality."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--replicates", type=int, default=20)
    args = parser.parse_args(argv)

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"  {done}/{total} runs", flush=True)

    result = collabsim.sweep(
        scenario="iocn",
        factors={"academic_partner": [True, False], "cede_willingness": (0.1, 0.9)},
        design="grid",
        levels=5,
        replicates=args.replicates,
        steps=260,
        seed=0,
        out="results/partner_cede_py",
        backend=args.backend,
        workers=args.workers,
        progress=progress,
    )
    runs = result.runs[result.runs["status"] == "ok"]
    table = runs.groupby(["academic_partner", "cede_willingness"]).agg(
        sustained=("sustained", "mean"),
        quality_gain_vs_silo=("quality_gain_vs_silo", "mean"),
        runs=("run", "size"),
    )
    print(table.round(3).to_string())
    print(result.report())


if __name__ == "__main__":  # worker processes import this file: keep the sweep under here
    main()
