"""What the tests of sweeps under faults share: sweeps to break, and how to run them."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psutil
from cli_support import SCRIPT

from collabsim.cli import main

#: A sweep long enough to be caught running whatever the machine: 4,000 runs of 100 weeks,
#: with a time series (a minute or more of work; every test stops it after its first runs).
LONG_RUNS = 4000
LONG = f"""\
[sweep]
name = "long"
design = "lhs"
n = {LONG_RUNS // 2}
replicates = 2
steps = 100
seed = 3

[sweep.timeseries]
reporters = ["alive"]
every = 10

[params]
n_people = 60

[factors]
cede_willingness = {{}}
"""

#: Options of a tiny sweep: 12 runs of 6 weeks, a time series, a sampled design.
TINY = {
    "factors": {"cede_willingness": (0.1, 0.9)},
    "design": "lhs",
    "n": 6,
    "replicates": 2,
    "steps": 6,
    "seed": 2,
    "params": {"n_people": 30},
    "timeseries": ["alive", "trust_cross_org"],
    "every": 2,
    "backend": "serial",
}


def command(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def still_running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_until_gone(processes: list[psutil.Process], timeout: float) -> None:
    """Wait until none of ``processes`` is still running, or fail naming those that are.

    psutil.wait_procs would wait for orphaned workers to be reaped, which a container's
    first process may never do: a zombie counts as gone here (``still_running``).
    """
    deadline = time.monotonic() + timeout
    while any(still_running(p) for p in processes):
        assert time.monotonic() < deadline, [p.cmdline()[-1] for p in processes if still_running(p)]
        time.sleep(0.1)  # between looks at the process table; the deadline decides


SWEEP_FILE = """\
[sweep]
name = "tiny"
design = "lhs"
n = 6
replicates = 2
steps = 6
seed = 2

[sweep.timeseries]
reporters = ["alive", "trust_cross_org"]
every = 2

[params]
n_people = 30

[factors]
cede_willingness = {low = 0.1, high = 0.9}
"""


def sweep_file(folder: Path) -> Path:
    path = folder / "tiny.toml"
    path.write_text(SWEEP_FILE, encoding="utf-8")
    return path


def cli(capsys, *args: str) -> tuple[int, list[str]]:
    status = main([*args, "--backend", "serial"])
    return status, capsys.readouterr().err.strip().splitlines()
