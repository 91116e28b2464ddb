"""What ``collabsim run`` says on a terminal that it says nowhere else."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time

from cli_support import SCRIPT

from collabsim.commands.run import SLOW_FIRST_WEEK

#: Seconds allowed for the notice: it comes after the run's progress delay (3 s).
DEADLINE = 60


def test_a_first_run_on_a_machine_says_it_is_compiling_the_model(tmp_path):
    terminal, stderr = pty.openpty()
    running = subprocess.Popen(
        [SCRIPT, "run", "--steps", "3", "--out", "first"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "empty cache")},
    )
    os.close(stderr)
    seen = b""
    deadline = time.monotonic() + DEADLINE
    try:
        while SLOW_FIRST_WEEK.encode() not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([terminal], [], [], deadline - time.monotonic())
            if ready:
                seen += os.read(terminal, 4096)
    finally:
        running.kill()  # not worth a minute of compiling: the notice is what is tested
        running.wait()
        os.close(terminal)
    assert SLOW_FIRST_WEEK.encode() in seen, seen
