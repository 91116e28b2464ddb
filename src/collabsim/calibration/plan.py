"""What a calibration runs: the uncertain rates, their ranges and the stages that filter.

A ``CalibrationPlan`` is checked once, when it is made, and is frozen afterwards::

    plan = CalibrationPlan(
        "iocn_rates",
        factors={"commitment_decay": (0.001, 0.02), "meeting_energy": None},
        stages=[Stage("targets", seeds=16,
                      patterns=["fluid_attendance", "small_tests_energise"],
                      targets=[Target(Arm("iocn"), "sustained", low=0.3, high=0.7)]),
                Stage("patterns", seeds=16, patterns="all", min_passed=0.9)],
        points=256, seed=0)

A factor is an uncertain rate of the model: a number parameter that is not a policy
lever (``lever=True`` in ``collabsim.params``), given as a range inside its declared
range (``None`` or ``{}``: the whole declared range). A stage names the patterns it
checks (catalogue names, ``Pattern`` objects, or ``"all"``: every expressible pattern
of the catalogue), the seeds per arm, the significance level its tests use, the share
of its patterns a point must pass, and optional quantitative targets
(``collabsim.calibration.targets``): a summary output's mean over the stage's seeds in a
setting, a gap between two settings, or how steeply the mean moves with the rates, each of
which must lie within bounds.

A number may be a NumPy scalar (read from a table, say): it counts as the Python value
it holds. Every refusal is one line that names the field, the value and what is allowed;
the file reader (``collabsim.calibration.files``) puts the file's name in front.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.calibration.errors import CalibrationError
from collabsim.calibration.targets import SNAKE_CASE, Target
from collabsim.checks import fraction, not_whole_number, path_option, plain_fields
from collabsim.params import ParameterError, declaration, suggest
from collabsim.sweeps.design import Factor, make_design, make_factor
from collabsim.sweeps.sampling import MAX_POINTS, MAX_REPLICATES, Sampling, SweepError
from collabsim.validation.catalogue import PATTERNS
from collabsim.validation.spec import Arm, Pattern

#: Parameter kinds a calibration factor may have (a rate: a number).
RATE_KINDS: tuple[str, ...] = ("float", "int")

#: Significance level of a stage's tests unless it gives another.
STAGE_ALPHA = 0.05

#: Where a calibration writes unless told otherwise: ``results/calibration/<name>``.
RESULTS = Path("results") / "calibration"

#: Column suffixes of a stage in the results table, which a target may not take.
_RESERVED = ("passed", "share", "ok")


@dataclass(frozen=True)
class Stage:
    """One filter of a calibration: patterns (and targets) a point must pass to go on.

    Args:
        name: Short snake_case name, unique in the plan (it prefixes result columns).
        seeds: Seeds per arm, the same seeds at every point (common random numbers).
        patterns: Catalogue names and/or ``Pattern`` objects, or ``"all"`` for every
            expressible pattern of the catalogue; may be empty if there are targets.
        alpha: Significance level of every test of the stage (replacing the patterns'
            own).
        min_passed: Share of the stage's patterns a point must pass (0 to 1).
        targets: Quantitative targets, each of which a point must meet.
        seed: Master seed of the stage's replicate seeds; None for the plan's. A stage
            with a seed of its own judges the points on seeds no earlier stage saw: the
            points that passed earlier stages were chosen partly for their luck on those
            seeds, and a count judged again on them is biased upwards.

    Raises:
        CalibrationError: A value not allowed, an unknown pattern (with close names), a
            pattern the model cannot express, or a stage with nothing to check.
    """

    name: str
    _: KW_ONLY
    seeds: int
    patterns: Sequence[str | Pattern] | str = ()
    alpha: float = STAGE_ALPHA
    min_passed: float = 1.0
    targets: Sequence[Target] = ()
    seed: int | None = None

    def __post_init__(self) -> None:
        plain_fields(self)
        if not isinstance(self.name, str) or not SNAKE_CASE.fullmatch(self.name):
            raise CalibrationError(
                f"stage name={self.name!r} is not allowed: expected a "
                "snake_case name such as targets"
            )
        where = f"stage {self.name}"
        if (
            isinstance(self.seeds, bool)
            or not isinstance(self.seeds, int)
            or not 2 <= self.seeds <= MAX_REPLICATES
        ):
            raise CalibrationError(
                f"{where}: seeds={self.seeds!r} is not allowed: expected a "
                f"whole number from 2 to {MAX_REPLICATES:,} (seeds per arm)"
            )
        alpha = fraction(f"{where}: alpha", self.alpha, example=0.05, error=CalibrationError)
        if (
            isinstance(self.min_passed, bool)
            or not isinstance(self.min_passed, (int, float))
            or not 0 <= self.min_passed <= 1
        ):
            raise CalibrationError(
                f"{where}: min_passed={self.min_passed!r} is not allowed: "
                "expected a share from 0 to 1"
            )
        if self.seed is not None and (reason := not_whole_number(self.seed, 0, None)) is not None:
            raise CalibrationError(f"{where}: seed={reason}")
        object.__setattr__(self, "alpha", alpha)
        object.__setattr__(self, "min_passed", float(self.min_passed))
        object.__setattr__(self, "patterns", _resolve_patterns(self.patterns, where))
        targets = self.targets
        if (
            isinstance(targets, Target)
            or not isinstance(targets, Sequence)
            or not all(isinstance(t, Target) for t in targets)
        ):
            raise CalibrationError(
                f"{where}: targets={targets!r} is not allowed: expected a list of Target"
            )
        columns = [(c, t.name) for t in targets for c in t.columns]
        for i, (column, name) in enumerate(columns):
            if column in _RESERVED:
                raise CalibrationError(
                    f"{where}: a target named {name!r} would clash with "
                    f"the stage's {column} column: give it another name"
                )
            if column in [c for c, _ in columns[:i]]:
                raise CalibrationError(
                    f"{where}: two targets would both have a column {column!r} "
                    f"(one named {name!r}): give each target its own name"
                )
        object.__setattr__(self, "targets", tuple(targets))
        if not self.patterns and not self.targets:
            raise CalibrationError(f"{where} has nothing to check: give patterns or targets")

    @property
    def required(self) -> int:
        """Patterns a point must pass: ``min_passed`` of them, rounded up."""
        return math.ceil(self.min_passed * len(self.patterns) - 1e-9)

    def arms(self) -> list[tuple[str, Arm]]:
        """Every arm the stage runs, as (where it is declared, arm)."""
        found = [
            (f"pattern {p.name}, arm {a}", p.arms[a]) for p in self.patterns for a in p.arms_run()
        ]
        return found + [
            (f"target {t.name}, {which}", arm)
            for t in self.targets
            for which, arm in t.arms().items()
        ]


def _resolve_patterns(patterns: Any, where: str) -> tuple[Pattern, ...]:
    if patterns == "all":
        return tuple(p for p in PATTERNS.values() if p.expressible)
    if isinstance(patterns, (str, Pattern)) or not isinstance(patterns, Sequence):
        raise CalibrationError(
            f"{where}: patterns={patterns!r} is not allowed: expected "
            '"all" or a list of pattern names'
        )
    chosen: dict[str, Pattern] = {}
    for item in patterns:
        if isinstance(item, str):
            if item not in PATTERNS:
                hint = suggest(item, PATTERNS)
                raise CalibrationError(
                    f"{where}: patterns: {item!r} is not a pattern of the "
                    "catalogue; " + (hint or "see: collabsim patterns")
                )
            item = PATTERNS[item]
        if not isinstance(item, Pattern):
            raise CalibrationError(f"{where}: patterns: {item!r} is not a pattern name or Pattern")
        if not item.expressible:
            raise CalibrationError(
                f"{where}: patterns: {item.name} cannot be checked: the "
                "model cannot express it (" + " ".join(item.reason.split()) + ")"
            )
        if item.name in chosen:
            raise CalibrationError(f"{where}: patterns: {item.name} is given twice")
        chosen[item.name] = item
    return tuple(chosen.values())


@dataclass(frozen=True)
class CalibrationPlan:
    """A whole calibration: the design over the uncertain rates and the stages.

    Args:
        name: Short name (results go to ``results/calibration/<name>`` by default).
        factors: The uncertain rates, by parameter name: ``(low, high)``, a mapping with
            optional ``low`` and ``high``, or None for the declared range. Levers and
            parameters that are not numbers are refused.
        stages: The stages, applied in turn.
        points: Points of the Latin hypercube (at most ``MAX_POINTS``).
        seed: Master seed of the design and of the replicate seeds (0 is a seed).
        source: The file the plan was read from, if any (for provenance).

    Raises:
        CalibrationError: Anything not allowed, in one line naming the field.
    """

    name: str
    _: KW_ONLY
    factors: Mapping[str, Any] | Sequence[Factor]
    stages: Sequence[Stage]
    points: int = 256
    seed: int = 0
    source: str | None = None

    def __post_init__(self) -> None:
        plain_fields(self)
        if not isinstance(self.name, str) or not re.fullmatch(
            r"[A-Za-z0-9][A-Za-z0-9_.-]*", self.name
        ):
            raise CalibrationError(
                f"name={self.name!r} is not allowed: expected letters, "
                "digits, '_', '-' or '.' (it names the results folder)"
            )
        for key, smallest, largest in (("points", 1, MAX_POINTS), ("seed", 0, None)):
            if (reason := not_whole_number(getattr(self, key), smallest, largest)) is not None:
                raise CalibrationError(f"{key}={reason}")
        if self.source is not None:  # read again when the calibration records it
            source = path_option(
                "source",
                self.source,
                expected="the path of the file the plan was read from, or None",
                error=CalibrationError,
            )
            object.__setattr__(self, "source", str(source))
        object.__setattr__(self, "factors", _factors(self.factors))
        stages = self.stages
        if (
            isinstance(stages, Stage)
            or not isinstance(stages, Sequence)
            or not stages
            or not all(isinstance(s, Stage) for s in stages)
        ):
            raise CalibrationError(
                f"stages={stages!r} is not allowed: expected a non-empty list of Stage"
            )
        names = [s.name for s in stages]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise CalibrationError(
                    f"stage {name}: the name is given twice: each stage needs its own name"
                )
        object.__setattr__(self, "stages", tuple(stages))
        rates = {f.name for f in self.factors}
        for stage in self.stages:
            for target in stage.targets:
                if target.recheck is not None and target.recheck.seed == self.seed_of(stage):
                    raise CalibrationError(
                        f"stage {stage.name}: target {target.name}: recheck seed="
                        f"{target.recheck.seed} is the stage's own master seed: the moves would "
                        "be measured again on the seeds that chose them; give it another"
                    )
            for where, arm in stage.arms():
                if (how := arm.clash(rates)) is not None:
                    raise CalibrationError(
                        f"stage {stage.name}: {where} {how}, a calibration factor: each point "
                        "would override that value; leave it out of the factors or use "
                        "another arm"
                    )

    @cached_property
    def design(self) -> pd.DataFrame:
        """The Latin hypercube's points: one row per point, one column per factor.

        Made when first asked for, not with the plan: a plan is read, and its size
        checked, at once however many points it has.
        """
        return make_design(self.factors, Sampling("lhs", n=self.points, seed=self.seed)).points

    def without_stages(self, names: Iterable[str]) -> CalibrationPlan:
        """This plan with the named stages left out, named ``<name>_without_<stage>...``.

        Its points, rates and seeds are this plan's, so it asks what the stages left in
        make of the same points (every point that passes the stages before one left out
        goes on to the stages after it); its runs are this plan's runs of those stages.

        Raises:
            CalibrationError: A name that is no stage of the plan, or every stage left out.
        """
        names = list(dict.fromkeys(names))
        stages = [s.name for s in self.stages]
        for name in names:
            if name not in stages:
                hint = suggest(name, stages)
                raise CalibrationError(
                    f"no stage {name!r} to leave out: the stages of calibration {self.name} "
                    f"are {', '.join(stages)}" + (f"; {hint}" if hint else "")
                )
        if not names:
            return self
        if len(names) == len(stages):
            raise CalibrationError(
                f"every stage of calibration {self.name} left out: keep at least one"
            )
        return replace(
            self,
            name=f"{self.name}_without_{'_'.join(names)}",
            stages=[s for s in self.stages if s.name not in names],
        )

    @property
    def ranking_stage(self) -> Stage:
        """The stage whose patterns passed rank the accepted points.

        The last that checks patterns (a stage of targets alone passes none), or the
        last if none does.
        """
        return next((s for s in reversed(self.stages) if s.patterns), self.stages[-1])

    def seed_of(self, stage: Stage) -> int:
        """The master seed of ``stage``'s replicate seeds: its own, or the plan's."""
        return self.seed if stage.seed is None else stage.seed

    @property
    def ranking_column(self) -> str:
        """The ``points.csv`` column that ranks accepted points: ranking_stage's patterns passed."""
        return f"{self.ranking_stage.name}_passed"

    @property
    def default_out(self) -> Path:
        """``results/calibration/<name>``."""
        return RESULTS / self.name

    def point(self, index: int) -> dict[str, Any]:
        """The rates of design point ``index``, as plain Python numbers."""
        row = self.design.iloc[index]
        return {
            f.name: (int(row[f.name]) if f.kind == "int" else float(row[f.name]))
            for f in self.factors
        }

    def describe(self) -> dict[str, Any]:
        """The plan as plain data (for ``meta.json``)."""
        return {
            "name": self.name,
            "points": self.points,
            "seed": self.seed,
            "source": self.source,
            "factors": {f.name: {"low": f.low, "high": f.high} for f in self.factors},
            "stages": [
                {
                    "name": s.name,
                    "seeds": s.seeds,
                    "seed": self.seed_of(s),
                    "alpha": s.alpha,
                    "min_passed": s.min_passed,
                    "required": s.required,
                    "patterns": [p.name for p in s.patterns],
                    "targets": [t.record() for t in s.targets],
                }
                for s in self.stages
            ],
        }


def _factors(specs: Any) -> tuple[Factor, ...]:
    if (
        isinstance(specs, Sequence)
        and not isinstance(specs, str)
        and all(isinstance(f, Factor) for f in specs)
    ):
        specs = {f.name: (f.low, f.high) for f in specs}
    if not isinstance(specs, Mapping) or not specs:
        raise CalibrationError(
            f"factors={specs!r} is not allowed: expected a non-empty mapping of rate name to range"
        )
    factors = []
    for name, spec in specs.items():
        try:
            param = declaration(name)
        except ParameterError as error:
            raise CalibrationError(f"factors: {error}") from None
        if param.lever:
            raise CalibrationError(
                f"factors: {name} is a policy lever, not an uncertain rate: "
                "a calibration varies only rates that are not levers"
            )
        if param.kind not in RATE_KINDS:
            raise CalibrationError(
                f"factors: {name} takes {param.allowed()}, not a number: a "
                "calibration factor is a rate with a range"
            )
        if isinstance(spec, list):
            raise CalibrationError(
                f"factors: {name}={spec!r} is not allowed: expected a "
                "range {low = ..., high = ...} ({} for the declared range)"
            )
        try:
            factors.append(make_factor(name, spec))
        except (ParameterError, SweepError) as error:
            raise CalibrationError(f"factors: {error}") from None
    return tuple(factors)


__all__ = [
    "RATE_KINDS",
    "RESULTS",
    "STAGE_ALPHA",
    "CalibrationPlan",
    "Stage",
]
