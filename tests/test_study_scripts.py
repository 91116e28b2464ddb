"""The project's own study scripts (``experiments/``) refuse what they cannot resume."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import collabsim

SCRIPT = Path(__file__).resolve().parents[1] / "experiments" / "iocn_checks.py"


def test_the_checks_refuse_a_folder_of_other_runs_in_one_line_and_restart_is_offered(tmp_path):
    # another sweep where the checks keep their runs, as an earlier model's would be
    collabsim.sweep(
        factors={"cede_willingness": [0.2, 0.8]},
        steps=2,
        out=tmp_path / "results" / "iocn_checks" / "runs",
        backend="serial",
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--seeds", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("iocn_checks: results/iocn_checks/runs holds a sweep")
    assert "use --restart to discard it" in line
