"""Make every study committed in ``results/`` again, each by its command in ``results/README.md``.

The table in ``results/README.md`` is the one declaration of the committed studies: each
row names a folder and the command that makes it. This runs those commands one after
another, in the table's order (a study that reads another's results comes after it), from
the project's root with this interpreter's ``collabsim`` and ``python``::

    python experiments/studies.py [--stale] [--only FOLDER ...] [--list]

``--stale`` runs only the studies made by other code than this checkout's (their
provenance names another code fingerprint), as after a change to the model's code;
``--list`` prints what would run and runs nothing. Every study resumes where it stopped, so
after a failure or Ctrl-C the same command carries on; it stops at the first study that
fails, naming it. All of them take about two and a half hours on two cores. The failed
patterns' limitations quote figures of these studies, written into the validation's report
when it runs: after updating them, make ``validation/`` again (it reuses its runs, in
seconds), which the test suite checks.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "results" / "README.md"
# a row of the table: | `folder/` | `command` (...) | what it holds |
_ROW = re.compile(r"^\| `([^`]+/)` \| `([^`]+)`", re.MULTILINE)


def studies(table: Path = TABLE) -> list[tuple[str, str]]:
    """The committed studies, in the table's order: (folder under results/, command)."""
    return _ROW.findall(table.read_text(encoding="utf-8"))


def fingerprints(folder: Path) -> set[str]:
    """The code fingerprints the provenance files at the top of ``folder`` name."""
    named = set()
    for path in folder.glob("*.json"):
        made = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(made, dict) and "code_fingerprint" in made:
            named.add(made["code_fingerprint"])
    return named


def argv_of(command: str) -> list[str]:
    """``command`` as this interpreter runs it: ``collabsim`` and ``python`` from its prefix."""
    argv = shlex.split(command)
    bin_dir = Path(sys.executable).parent
    if argv[0] == "python":
        argv[0] = sys.executable
    elif argv[0] == "collabsim":
        argv[0] = str(bin_dir / "collabsim")
    return argv


def main(argv: list[str] | None = None) -> int:
    """Run the studies asked for; the exit status is the first failing study's, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stale", action="store_true", help="only studies made by other code")
    parser.add_argument("--only", nargs="+", metavar="FOLDER", help="only these folders")
    parser.add_argument("--list", action="store_true", help="print what would run, run nothing")
    args = parser.parse_args(argv)
    table = studies()
    known = {folder for folder, _ in table}
    wanted = {name.removeprefix("results/").rstrip("/") + "/" for name in args.only or ()}
    if unknown := sorted(wanted - known):
        parser.error(f"--only {' '.join(unknown)}: not a committed study; known: {sorted(known)}")
    chosen = [(f, c) for f, c in table if not wanted or f in wanted]
    if args.stale:
        from collabsim.fingerprint import code_fingerprint

        current = code_fingerprint()
        chosen = [(f, c) for f, c in chosen if fingerprints(ROOT / "results" / f) != {current}]
    if not chosen:
        print("nothing to run: every study asked for was made by this code")
        return 0
    for number, (folder, command) in enumerate(chosen, 1):
        print(f"[{number}/{len(chosen)}] results/{folder}: {command}", flush=True)
        if args.list:
            continue
        start = time.perf_counter()
        status = subprocess.run(argv_of(command), cwd=ROOT, check=False).returncode
        minutes = (time.perf_counter() - start) / 60
        if status:
            print(
                f"results/{folder} failed (status {status}) after {minutes:.1f} minutes; "
                "the same command resumes it",
                file=sys.stderr,
            )
            return status
        print(f"results/{folder}: done in {minutes:.1f} minutes", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
