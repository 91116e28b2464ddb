"""A sweep, checked in full before any run: scenario, design, seeds, steps and outputs.

``plan_sweep`` validates every option (one message naming the field, the value and what
is allowed) and returns a ``SweepPlan``: the runs to do, in order, each a ``Task``
carrying its full parameter dict and seed, and the fingerprint that tells a resumed
sweep whether it is still the same sweep. The sweep's size is worked out from the
options before any design point or seed is made, so a sweep too large to run is refused
at once (see ``collabsim.sweeps.size``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collabsim.checks import names, path_option, whole_number
from collabsim.metrics import REPORTER_NAMES, SUMMARY
from collabsim.params import Params, declaration, not_run_length, python_value, suggest
from collabsim.scenarios import DEFAULT_SCENARIO
from collabsim.scenarios import scenario as load_scenario
from collabsim.sweeps.design import Design, Factor, make_design, make_factors
from collabsim.sweeps.runner import Task
from collabsim.sweeps.sampling import Sampling, SweepError
from collabsim.sweeps.size import LARGE_RUNS, StudySize, SweepSize


class SweepTooLarge(SweepError):
    """A sweep or study of more runs than ``LARGE_RUNS`` that was not confirmed as large.

    Attributes:
        size: Its size: a ``SweepSize`` or a ``StudySize``.
    """

    def __init__(self, size: SweepSize | StudySize) -> None:
        self.size = size
        super().__init__(self.message("allow_large=True"))

    def message(self, confirm: str) -> str:
        """The refusal, naming ``confirm``, the option or flag that runs it anyway."""
        return (
            f"{self.size.describe()} ({self.size.estimate(None)}) is more than the "
            f"{LARGE_RUNS:,} runs {self.size.what} may have unconfirmed: "
            f"{self.size.advice}, or give {confirm} to run it"
        )


def check_size(size: SweepSize | StudySize, *, allow_large: Any) -> None:
    """Refuse a sweep or study of more than ``LARGE_RUNS`` runs unless confirmed.

    Args:
        size: Its size, worked out before anything is made.
        allow_large: Whether it was confirmed as large (true or false).

    Raises:
        SweepTooLarge: More than ``LARGE_RUNS`` runs and ``allow_large`` is false.
        SweepError: ``allow_large`` is not true or false.
    """
    if not isinstance(allow_large, bool):
        raise SweepError(f"allow_large={allow_large!r} is not allowed: expected true or false")
    if size.large and not allow_large:
        raise SweepTooLarge(size)


@dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep will run, validated.

    Attributes:
        name: Name of the sweep (the results folder's default name).
        scenario: The scenario preset or file the parameters start from, or ``None``
            when given as ``Params``.
        fixed: Parameters held at one value across the sweep, on top of the scenario.
        base: Every parameter's value before the design's factors are applied.
        design: The design points.
        sampling: The design options (replicates, master seed, ...).
        seeds: Seed of each replicate (common random numbers across points).
        steps: Weeks each run simulates.
        outputs: Summary outputs kept in the runs table.
        reporters: Reporters kept in the time series (empty: none kept).
        every: Steps between kept time-series rows.
        out: The results folder.
    """

    name: str
    scenario: str | None
    fixed: dict[str, Any]
    base: dict[str, Any]
    design: Design
    sampling: Sampling
    seeds: tuple[int, ...]
    steps: int
    outputs: tuple[str, ...]
    reporters: tuple[str, ...]
    every: int
    out: Path
    _columns: dict[str, list[Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def replicates(self) -> int:
        """Runs per design point."""
        return self.sampling.replicates

    @property
    def seed(self) -> int:
        """The master seed."""
        return self.sampling.seed

    @property
    def total(self) -> int:
        """Number of runs: design points times replicates."""
        return len(self.design) * self.replicates

    @property
    def size(self) -> SweepSize:
        """The sweep's size, with estimates of its time and disk."""
        people = (
            self.design.points["n_people"].mean()
            if "n_people" in self.design.points
            else self.base["n_people"]
        )
        return SweepSize(
            len(self.design),
            self.replicates,
            self.steps,
            float(people),
            len(self.reporters),
            self.every,
            self.design.kind,
        )

    def task(self, run: int) -> Task:
        """The task of run ``run`` (``point * replicates + replicate``)."""
        if not self._columns:
            for name in self.design.points.columns:
                self._columns[name] = self.design.points[name].tolist()
        point, replicate = divmod(run, self.replicates)
        params = dict(self.base)
        for name, values in self._columns.items():
            params[name] = values[point]
        return Task(
            run,
            point,
            replicate,
            self.seeds[replicate],
            params,
            self.steps,
            self.outputs,
            self.reporters,
            self.every,
        )

    def tasks(self, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[Task]:
        """The tasks in run order, leaving out the runs in ``skip`` (made lazily)."""
        for run in range(self.total):
            if run not in skip:
                yield self.task(run)

    def describe(self) -> dict[str, Any]:
        """The sweep as plain data, for ``meta.json`` and the fingerprint."""
        return {
            "name": self.name,
            "scenario": self.scenario,
            "fixed": self.fixed,
            "design": self.design.describe(),
            "replicates": self.replicates,
            "seed": self.seed,
            "replicate_seeds": list(self.seeds),
            "steps": self.steps,
            "outputs": list(self.outputs),
            "timeseries": {"reporters": list(self.reporters), "every": self.every}
            if self.reporters
            else None,
            "runs": self.total,
        }

    def differences(self, stored: Mapping[str, Any]) -> list[str]:
        """What of this sweep differs from a stored one's ``describe()`` (its ``meta.json``).

        One phrase per difference, such as ``replicates 3 there, 4 here``; a design is
        compared by its parts (kind, levels, points, each factor), the fixed parameters one
        by one (``null``: not set on that side). Empty when nothing described differs (the
        scenario's own values, say, which only the fingerprint holds).
        """
        here, there = self.describe(), dict(stored)
        here.update({f"design {k}": v for k, v in here.pop("design").items()})
        there.update({f"design {k}": v for k, v in (there.pop("design", None) or {}).items()})
        # the name is not the design's, and the runs and their seeds follow from the rest
        skipped = {"name", "runs", "replicate_seeds"}
        keys = (set(here) | {key for key in there if key.startswith("design ")}) - skipped
        said = []
        for key in sorted(keys):
            old, new = there.get(key), here.get(key)
            if isinstance(old, Mapping) and isinstance(new, Mapping):  # fixed values, factors
                for name in sorted(set(old) | set(new)):
                    if _plain(old.get(name)) != _plain(new.get(name)):
                        said.append(
                            f"{key} {name}: {_short(old.get(name))} there, "
                            f"{_short(new.get(name))} here"
                        )
            elif _plain(old) != _plain(new):
                said.append(f"{key} {_short(old)} there, {_short(new)} here")
        return said

    def fingerprint(self) -> str:
        """Hash of what decides the runs: parameters of every point, seeds, steps, outputs.

        Two plans with the same fingerprint run the same tasks and keep the same
        columns, so a sweep may resume only into a folder whose fingerprint matches.
        """
        content = {
            "base": self.base,
            "design": self.design.describe(),
            "points": {
                name: self.design.points[name].tolist() for name in self.design.points.columns
            },
            "replicate_seeds": list(self.seeds),
            "steps": self.steps,
            "outputs": list(self.outputs),
            "reporters": list(self.reporters),
            "every": self.every,
        }
        return hashlib.sha256(_plain(content).encode("utf-8")).hexdigest()


def refuse_fixed_factors(factors: Iterable[str], fixed: Container[str]) -> None:
    """Refuse a factor that is also a fixed parameter: which value would hold is unclear."""
    for name in factors:
        if name in fixed:
            raise SweepError(f"{name} is both a factor and a fixed parameter; give it in one place")


def plan_sweep(
    *,
    scenario: str | Params = DEFAULT_SCENARIO,
    params: Mapping[str, Any] | None = None,
    factors: Mapping[str, Any] | None = None,
    steps: int | None = None,
    outputs: Sequence[str] | None = None,
    timeseries: Sequence[str] | bool | None = None,
    every: int = 1,
    name: str | None = None,
    out: str | Path | None = None,
    allow_large: bool = False,
    sampling: Sampling | None = None,
    **design: Any,
) -> SweepPlan:
    """Check a sweep in full and say what it will run (see ``collabsim.sweep``).

    NumPy scalars (a seed or a count read from a pandas table, say) count as the Python
    values they hold, here and in parameters, factors and points.

    Args:
        scenario: A scenario preset name, a scenario TOML path, or ``Params``.
        params: Parameters held fixed across the sweep, on top of the scenario.
        factors: ``{name: levels or range}`` (see ``collabsim.sweeps.design``).
        steps: Weeks per run; defaults to the scenario's ``horizon``.
        outputs: Summary outputs to keep (default: all of ``collabsim.metrics.SUMMARY``).
        timeseries: Reporters to keep per step (``True``: all; ``None``: none).
        every: Keep every ``every``-th step of the time series (and the last).
        name: Name of the sweep; defaults to ``sweep-<scenario>``.
        out: Results folder; defaults to ``results/<name>``.
        allow_large: Confirm a sweep of more than ``LARGE_RUNS`` runs.
        sampling: The design options as one checked ``Sampling``; or give them as
            keywords instead.
        **design: The design options as keywords (``design``, ``n``, ``levels``,
            ``replicates``, ``seed``, ``second_order``, ``morris_levels``; see
            ``Sampling``).

    Returns:
        The plan.

    Raises:
        SweepTooLarge: More than ``LARGE_RUNS`` runs and ``allow_large`` is false
            (found before any design point or seed is made).
        SweepError: An option that is not allowed.
        ParameterError: A parameter, factor or point that is not allowed.
    """
    if sampling is None:
        sampling = Sampling(**_design_keywords(design))
    elif design:
        raise SweepError(
            f"give the design options either as sampling or as keywords, not both "
            f"({', '.join(design)})"
        )
    steps, every, allow_large = (python_value(v) for v in (steps, every, allow_large))
    label, base_params = _scenario(scenario, params)
    fixed = {k: v for k, v in base_params.to_dict().items() if params is not None and k in params}
    factor_list = make_factors(factors)
    if sampling.kind == "explicit" and factors:
        raise SweepError(
            "an explicit design takes its parameters from its points: leave "
            "factors out (hold other parameters with the fixed parameters)"
        )
    refuse_fixed_factors([factor.name for factor in factor_list], fixed)
    points = sampling.points(factor_list)
    if steps is None:
        steps = base_params.horizon
    if (reason := not_run_length(steps)) is not None:
        raise SweepError(f"steps={reason}")
    if timeseries is True:
        reporters = tuple(REPORTER_NAMES)
    elif timeseries is None or timeseries is False:
        reporters = ()
    else:
        reporters = names(
            "timeseries", timeseries, REPORTER_NAMES, what="reporters", error=SweepError, empty=True
        )
    whole_number("every", every, 1, error=SweepError, meaning="steps between kept time-series rows")
    size = SweepSize(  # before the design is made: a slip of a digit can make it huge
        points,
        sampling.replicates,
        steps,
        typical_size(factor_list, base_params),
        len(reporters),
        every,
        sampling.kind,
    )
    check_size(size, allow_large=allow_large)
    the_design = make_design(factor_list, sampling)
    if "horizon" in the_design.points:
        shortest = int(the_design.points["horizon"].min())
        if steps > shortest:
            raise SweepError(
                f"steps={steps} is not allowed: a point's horizon, the last week of its runs, "
                f"is {shortest}; give steps of at most {shortest}, or longer horizons"
            )
    elif steps > base_params.horizon:
        raise SweepError(
            f"steps={steps} is not allowed: expected at most the horizon, the last week of "
            f"a run ({base_params.horizon}); to run longer, set horizon as well"
        )
    if the_design.kind == "explicit":
        for factor in the_design.factors:
            if factor.name in fixed:
                raise SweepError(
                    f"{factor.name} is both set by the design points and a "
                    "fixed parameter; give it in one place"
                )
    kept = (
        names("outputs", outputs, SUMMARY, what="summary outputs", error=SweepError, empty=True)
        if outputs is not None
        else tuple(SUMMARY)
    )
    if not kept and not reporters:
        raise SweepError(
            "outputs=[] with no time series: the sweep would keep nothing of its runs; "
            "name a summary output or keep a time series"
        )
    if name is None:
        name = f"sweep-{label}" if label else "sweep"
    if not isinstance(name, str) or not name.strip() or Path(name).name != name:
        raise SweepError(f"name={name!r} is not allowed: expected a plain folder name")
    out_path = (
        Path("results") / name
        if out is None
        else path_option("out", out, expected="a results folder's path", error=SweepError)
    )
    return SweepPlan(
        name,
        None if isinstance(scenario, Params) else str(scenario),
        fixed,
        base_params.to_dict(),
        the_design,
        sampling,
        tuple(sampling.seeds()),
        steps,
        kept,
        reporters,
        every,
        out_path,
    )


def _design_keywords(design: dict[str, Any]) -> dict[str, Any]:
    """The design options given as keywords, refusing a keyword ``Sampling`` does not have."""
    allowed = [f.name for f in dataclasses.fields(Sampling)]
    for keyword in design:
        if keyword not in allowed:
            hint = suggest(keyword, allowed)
            raise TypeError(
                f"plan_sweep() got an unexpected keyword argument {keyword!r}"
                + (f"; {hint}" if hint else "")
            )
    return design


def typical_size(factors: Sequence[Factor], base: Params) -> float:
    """A typical network size: the middle of ``n_people``'s levels or range, if it varies."""
    for factor in factors:
        if factor.name == "n_people":
            values = factor.levels or (factor.low, factor.high)
            return sum(values) / len(values)
    return base.n_people


def _scenario(scenario: str | Params, params: Mapping[str, Any] | None) -> tuple[str, Params]:
    if params is not None and not isinstance(params, Mapping):
        raise SweepError(f"params must be a mapping of parameter name to value, got {params!r}")
    overrides = dict(params or {})
    for key in overrides:
        declaration(key)  # unknown names suggest the close ones
    if isinstance(scenario, Params):
        return "", scenario.replace(**overrides)
    if not isinstance(scenario, str):
        raise SweepError(
            f"scenario={scenario!r} is not allowed: expected a scenario name, "
            "the path of a scenario TOML file, or collabsim.Params"
        )
    label = Path(scenario).stem if scenario.endswith(".toml") else scenario
    return label, load_scenario(scenario, **overrides)


def _plain(value: Any) -> str:
    """A value as canonical JSON text: what ``fingerprint`` hashes and ``differences`` compares.

    Tuples and lists, as planned and as stored, come out alike.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=True, default=str)


def _short(value: Any, most: int = 60) -> str:
    """A value for a message, cut to ``most`` characters."""
    text = _plain(value)
    return text if len(text) <= most else text[: most - 3] + "..."
