"""The project's study scripts (``experiments/``), loaded or run as their users would."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def run_script(script: Path, folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a study script in ``folder`` as a user would, keeping what it prints."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def load(script: Path):
    """The study script as a module, without running it."""
    spec = importlib.util.spec_from_file_location(script.stem, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
