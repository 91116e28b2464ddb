"""The project's own study scripts (``experiments/``): the arms they run, and that they refuse
what they cannot resume."""

from __future__ import annotations

import importlib.util
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


def test_the_issue_based_arms_undo_one_difference_from_iocn_each():
    spec = importlib.util.spec_from_file_location("iocn_checks", SCRIPT)
    checks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    arms = checks.clahrc_arms()
    shipped, iocn = collabsim.scenario("clahrc"), collabsim.scenario("iocn")
    assert collabsim.scenario("clahrc", **arms.pop("clahrc")) == shipped
    undone = []
    for label, point in arms.items():
        arm = collabsim.scenario("clahrc", **point)
        (name,) = [n for n in collabsim.PARAMETERS if arm[n] != shipped[n]]
        assert arm[name] == iocn[name] and label == f"clahrc {name} {iocn[name]}"
        undone.append(name)
    # every difference a sweep can vary, each once; the list of organisations is not one
    differing = [n for n in collabsim.PARAMETERS if shipped[n] != iocn[n]]
    assert sorted(undone) == sorted(set(differing) - {"organisations"})
    assert len(undone) == 10
