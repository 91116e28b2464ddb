"""Running the arms of a validation through the sweep engine, resumably and only once.

Every arm a chosen pattern's test reads becomes a *need*: its full parameter dict, its
weeks, the replicates wanted and the summary outputs and reporters its metrics read.
Identical arms (the same full parameter dict and weeks, whichever patterns declare
them) are run once, with the most replicates any of them asks for; replicate ``r`` has
the same seed everywhere (``collabsim.sweeps.design.replicate_seeds`` from the master
seed: common random numbers, and the first ``n`` replicates are the same whatever the
total).

The runs live in ``<out>/runs/``, one sweep folder per *group* of arms that can share a
sweep: the same weeks, replicates, organisations and timeline (parameters a sweep cannot
vary across its design points). A group's sweep has an explicit design, one point per
arm holding every other parameter, so a process pool (or Dask cluster) starts once per
group, not once per arm. Beside each folder, ``<group>.json`` lists its arms by point.
A group's folder is named after a hash of its content (arms, weeks, replicates, master
seed, outputs, reporters and the model's code fingerprint), so the same validation
always maps to the same folders.

Resuming: before running, the complete sweeps in ``runs/`` are searched for each need;
an arm found with enough replicates, outputs and reporters is read from there and not
run again. The rest form the groups; a group whose folder exists from a stopped session
resumes there (the sweep store skips its finished runs). So a validation that was
interrupted, by Ctrl-C or anything else, computes only what is missing when rerun, and
a second validation of other patterns reuses every arm they share.

Changed model code: a sweep records the fingerprint of the model code that made it
(``collabsim.fingerprint.code_fingerprint``). Validation always judges the current
code, so folders made by other code are deleted, not refused, and their arms run again;
editing only the validation or the command line leaves the runs valid. ``restart``
deletes every stored run first.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.fingerprint import code_fingerprint
from collabsim.metrics import REPORTER_NAMES, SUMMARY, needs_silo_twin
from collabsim.params import PARAMETERS, Params
from collabsim.storage import json_writer, write_atomically
from collabsim.sweeps import Execution, SweepRun, kept_alive, load
from collabsim.sweeps.design import FACTOR_KINDS
from collabsim.sweeps.plan import plan_sweep
from collabsim.sweeps.runner import FAILED
from collabsim.sweeps.size import SweepSize
from collabsim.sweeps.store import check_sweep_dir, remove_sweep_files

#: The folder under a validation's output folder that holds its runs.
RUNS = "runs"

#: What marks a group's index file.
INDEX_KIND = "collabsim validation runs"


@dataclass
class Need:
    """One distinct arm to run, and what its patterns read from it.

    Attributes:
        key: Hash of the full parameter dict and weeks: the arm's identity.
        params: Every parameter value (``Params.to_dict``).
        steps: Weeks per run.
        replicates: Runs wanted (the most any pattern reading it asks for).
        outputs: Summary outputs read.
        reporters: Reporters read from the time series.
    """

    key: str
    params: dict[str, Any]
    steps: int
    replicates: int
    outputs: set[str] = field(default_factory=set)
    reporters: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Stored:
    """Where an arm's runs are: a complete sweep folder and the arm's design point."""

    folder: Path
    point: int
    replicates: int
    outputs: frozenset[str]
    reporters: frozenset[str]

    def serves(self, need: Need) -> bool:
        """Whether these runs hold everything ``need`` asks for."""
        return (
            self.replicates >= need.replicates
            and need.outputs <= self.outputs
            and need.reporters <= self.reporters
        )


@dataclass
class RunCount:
    """Runs a validation needed, found stored (done in earlier sessions), computed now."""

    needed: int = 0
    reused: int = 0
    computed: int = 0
    groups: list[str] = field(default_factory=list)

    def add(self, other: RunCount) -> None:
        """Count ``other``'s runs and groups in as well."""
        self.needed += other.needed
        self.reused += other.reused
        self.computed += other.computed
        self.groups.extend(other.groups)


def arm_key(params: Mapping[str, Any], steps: int) -> str:
    """The identity of an arm: a hash of its full parameter dict and weeks."""
    text = json.dumps({"params": params, "steps": steps}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def add_need(
    needs: dict[str, Need],
    params: Params,
    steps: int,
    replicates: int,
    *,
    outputs: Iterable[str],
    reporters: Iterable[str],
) -> str:
    """Record that an arm is needed (merged with an identical one); return its key."""
    values = params.to_dict()
    key = arm_key(values, steps)
    need = needs.setdefault(key, Need(key, values, steps, replicates))
    need.replicates = max(need.replicates, replicates)
    need.outputs.update(outputs)
    need.reporters.update(reporters)
    return key


def run_needs(
    needs: Mapping[str, Need],
    *,
    folder: Path,
    seed: int,
    run_with: Execution,
    allow_large: bool = False,
) -> tuple[dict[str, Stored], RunCount]:
    """Run every need not already stored in ``folder`` and say where each one's runs are.

    Args:
        needs: The arms to have, by key.
        folder: The runs folder (``<out>/runs``), created if missing.
        seed: Master seed of the replicate seeds.
        run_with: How the runs are computed (``collabsim.sweeps.Execution``): with
            ``restart``, every stored run is deleted first; its ``progress`` is called as
            ``progress(done, total)`` over all the runs needed.
        allow_large: Run a group of more than ``collabsim.sweeps.size.LARGE_RUNS``
            runs (for a study that has checked its own size: ``need_sizes``).

    Returns:
        Where each need's runs are, and the counts of runs needed, reused and computed.

    Raises:
        SweepTooLarge: A group of more than ``LARGE_RUNS`` runs without
            ``allow_large``.
    """
    progress = run_with.progress
    if run_with.restart and folder.exists():
        run_with.reach()  # a cluster out of reach costs nothing already computed
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    code = code_fingerprint()
    stored = _stored_arms(folder, code=code, seed=seed)
    found = {}
    for key, need in needs.items():
        serving = [s for s in stored.get(key, ()) if s.serves(need)]
        if serving:
            found[key] = serving[0]
    missing = [need for key, need in needs.items() if key not in found]
    count = RunCount(
        needed=sum(n.replicates for n in needs.values()),
        reused=sum(needs[k].replicates for k in found),
    )
    done_before = count.reused
    if progress is not None and not missing:
        progress(count.needed, count.needed)
    # one start of the workers for every group: it costs seconds, and a validation has a
    # dozen groups
    with kept_alive():
        for group in _groups(missing):
            name, index = _group_index(group, seed=seed, code=code)
            count.groups.append(name)
            write_atomically(folder / f"{name}.json", json_writer(index))
            points = [
                {k: v for k, v in n.params.items() if PARAMETERS[k].kind in FACTOR_KINDS}
                for n in group
            ]
            report = _GroupProgress(progress, offset=done_before, total=count.needed)
            plan = plan_sweep(
                scenario=Params(**group[0].params),
                design=points,
                replicates=group[0].replicates,
                steps=group[0].steps,
                seed=seed,
                outputs=index["outputs"],
                timeseries=index["reporters"] or None,
                name=name,
                out=folder / name,
                allow_large=allow_large,
            )
            run = SweepRun(plan, run_with.replace(restart=False, progress=report))
            for _ in run:
                pass
            count.computed += run.done - (report.resumed_from or 0)
            count.reused += report.resumed_from or 0
            done_before += run.total
            for point, need in enumerate(group):
                found[need.key] = Stored(
                    folder / name,
                    point,
                    need.replicates,
                    frozenset(index["outputs"]),
                    frozenset(index["reporters"]),
                )
    return found, count


def need_sizes(needs: Mapping[str, Need]) -> tuple[SweepSize, ...]:
    """The size of each need's runs, as a sweep of one design point (before any run)."""
    return tuple(
        SweepSize(
            1,
            need.replicates,
            need.steps,
            float(need.params["n_people"]),
            len(need.reporters),
            1,
            "explicit",
        )
        for need in needs.values()
    )


def load_arm(
    stored: Stored, need: Need, cache: dict[Path, Any]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The runs and time series of one arm: its first ``need.replicates`` replicates.

    Args:
        stored: Where the arm's runs are.
        need: What is read from them.
        cache: Sweeps already read, by folder (filled as folders are read).

    Returns:
        ``runs`` (``replicate``, ``seed``, ``status``, ``error`` and the outputs) and the
        time series (``replicate``, ``step`` and the reporters, or None if none is read),
        sorted by replicate (and step).
    """
    if stored.folder not in cache:
        cache[stored.folder] = load(stored.folder)
    result = cache[stored.folder]
    runs = result.runs
    mine = (runs["point"] == stored.point) & (runs["replicate"] < need.replicates)
    columns = [
        "run",
        "replicate",
        "seed",
        "status",
        "error",
        *[o for o in SUMMARY if o in need.outputs],
    ]
    runs = runs.loc[mine, columns].sort_values("replicate").reset_index(drop=True)
    series = None
    if need.reporters:
        frame = result.timeseries
        keep = (frame["point"] == stored.point) & (frame["replicate"] < need.replicates)
        names = [r for r in REPORTER_NAMES if r in need.reporters]
        series = (
            frame.loc[keep, ["replicate", "step", *names]]
            .sort_values(["replicate", "step"])
            .reset_index(drop=True)
        )
    return runs, series


def failures(runs: pd.DataFrame) -> tuple[int, str | None]:
    """How many of an arm's runs failed, and the first error message."""
    failed = runs.loc[runs["status"] == FAILED]
    return len(failed), (None if failed.empty else str(failed["error"].iloc[0]))


# --- groups and the store ------------------------------------------------------------


class _GroupProgress:
    """Reports one group's progress as progress over all the runs a validation needs."""

    def __init__(
        self, progress: Callable[[int, int], None] | None, *, offset: int, total: int
    ) -> None:
        self.progress = progress
        self.offset = offset
        self.total = total
        self.resumed_from: int | None = None  # runs done before this session

    def __call__(self, done: int, total: int) -> None:
        if self.resumed_from is None:
            self.resumed_from = done
        if self.progress is not None:
            self.progress(self.offset + done, self.total)


def _groups(needs: Sequence[Need]) -> list[list[Need]]:
    """Needs that can share one sweep: same weeks, replicates and fixed parameters.

    Needs that compare with the silo twin are kept apart from those that do not, so only
    their runs pay for simulating the twin.
    """
    groups: dict[str, list[Need]] = {}
    for need in needs:
        fixed = {k: v for k, v in need.params.items() if PARAMETERS[k].kind not in FACTOR_KINDS}
        twin = needs_silo_twin(need.outputs | need.reporters)
        label = json.dumps([need.steps, need.replicates, twin, fixed], sort_keys=True, default=str)
        groups.setdefault(label, []).append(need)
    return [sorted(group, key=lambda n: n.key) for _, group in sorted(groups.items())]


def _group_index(group: list[Need], *, seed: int, code: str) -> tuple[str, dict[str, Any]]:
    outputs = [o for o in SUMMARY if any(o in n.outputs for n in group)]
    reporters = [r for r in REPORTER_NAMES if any(r in n.reporters for n in group)]
    steps, replicates = group[0].steps, group[0].replicates
    index = {
        "kind": INDEX_KIND,
        "code_fingerprint": code,
        "seed": seed,
        "steps": steps,
        "replicates": replicates,
        "outputs": outputs,
        "reporters": reporters,
        "arms": [n.key for n in group],
    }
    digest = hashlib.sha256(json.dumps(index, sort_keys=True).encode("utf-8")).hexdigest()
    return f"{steps}w-{replicates}x-{digest[:12]}", index


def _stored_arms(folder: Path, *, code: str, seed: int) -> dict[str, list[Stored]]:
    """The arms held by complete sweeps in ``folder``; deletes sweeps of other code."""
    stored: dict[str, list[Stored]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            index = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(index, dict) or index.get("kind") != INDEX_KIND:
            continue
        sweep = folder / path.stem
        try:
            meta = check_sweep_dir(sweep)
        except FileExistsError:
            continue
        made_by = (meta or {}).get("code_fingerprint", index.get("code_fingerprint"))
        if made_by != code:
            _remove_group(sweep, path)
            continue
        if meta is None or meta.get("status") != "complete" or index.get("seed") != seed:
            continue
        for point, key in enumerate(index["arms"]):
            stored.setdefault(key, []).append(
                Stored(
                    sweep,
                    point,
                    int(index["replicates"]),
                    frozenset(index["outputs"]),
                    frozenset(index["reporters"]),
                )
            )
    return stored


def _remove_group(sweep: Path, index: Path) -> None:
    if sweep.is_dir():
        remove_sweep_files(sweep)
        (sweep / ".lock").unlink(missing_ok=True)
        try:
            sweep.rmdir()
        except OSError:
            pass  # someone else's files are in it: leave them
    index.unlink(missing_ok=True)
