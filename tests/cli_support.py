"""Running the ``collabsim`` command as a user does, for the command-line tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

#: The installed ``collabsim`` script of the Python running the tests.
SCRIPT = shutil.which("collabsim", path=str(Path(sys.executable).parent))


def collabsim_cmd(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``collabsim ARGS`` in ``cwd`` (with ``env``, if given); its status and output."""
    assert SCRIPT is not None, f"no collabsim script beside {sys.executable}; pip install -e ."
    return subprocess.run(
        [SCRIPT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
        env=env,
    )


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """The one ``collabsim: error: ...`` line of a command refused with status 2."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("collabsim: error: ")
    return line
