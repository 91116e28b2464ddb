"""How a validation pattern is declared: its claim, evidence, arms, metric and test.

A pattern (pattern-oriented modelling, Grimm et al. 2005) is an empirical claim from the
field studies, declared once in ``collabsim.validation.catalogue``::

    Pattern(
        name="neutral_partner",
        claim="A neutral academic partner helps a network last.",
        quote="IOCN provided more of a neutral setting",
        source="Mervyn, Amoo & Malby 2019",
        operationalisation="iocn with the partner against iocn without it: ...",
        arms={"with_partner": Arm("iocn"),
              "without_partner": Arm("iocn", {"academic_partner": False})},
        test=Greater(Summary("sustainability_score"), "with_partner", "without_partner"),
    )

An ``Arm`` is a setting to run (a scenario preset, validated overrides, weeks); a metric
(``collabsim.validation.metrics``) turns an arm's runs into one value per seed; a test
(``collabsim.validation.stats``, ``comparisons``, ``one_arm``) decides whether the
pattern holds. A claim the model cannot express has ``test=None`` and a ``reason``; it
stays in every table. This module gathers every declaration type under one import.

References:
    Grimm, V. et al. (2005). Pattern-oriented modeling of agent-based complex systems:
    lessons from ecology. Science 310, 987-991.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field, replace
from types import MappingProxyType
from typing import Any

from collabsim.checks import plain_fields
from collabsim.params import ParameterError, Params, suggest
from collabsim.scenarios import DEFAULT_SCENARIO, read_scenario_file
from collabsim.scenarios import load as load_preset
from collabsim.scenarios import scenario as load_scenario
from collabsim.validation.comparisons import Greater, Interaction, Steadier
from collabsim.validation.metrics import (
    AtMost,
    AtWeek,
    Change,
    Custom,
    Mean,
    Metric,
    Summary,
    ValidationError,
)
from collabsim.validation.one_arm import Bound, Share, Sign
from collabsim.validation.stats import ALPHA, AllOf, Outcome, Test

#: Seeds per arm of a pattern unless it declares others.
DEFAULT_SEEDS = 40

#: Seeds per arm of every pattern in a quick validation.
QUICK_SEEDS = 30

_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Arm:
    """A setting to run: a scenario preset with validated overrides, for some weeks.

    Args:
        scenario: A shipped scenario (``iocn``, ``beston``, ...) or a scenario TOML path.
        params: Parameter overrides on top of the scenario, checked against their
            declarations; may include ``events=[{"step": 156, "kind": "..."}]`` (which
            replaces the scenario's timeline).
        steps: Weeks per run; the scenario's ``horizon`` if None. Here and for a
            pattern's ``seeds``, a NumPy whole number counts as the Python one.

    Raises:
        ParameterError: An unknown parameter or a value that is not allowed.
        ValidationError: ``steps`` that is not a whole number >= 1.
    """

    scenario: str = DEFAULT_SCENARIO
    params: Mapping[str, Any] = field(default_factory=dict)
    steps: int | None = None

    def __post_init__(self) -> None:
        plain_fields(self)
        if not isinstance(self.scenario, str) or not self.scenario:
            raise ValidationError(
                f"scenario={self.scenario!r} is not allowed: expected a "
                "scenario name or the path of a scenario TOML file"
            )
        if not isinstance(self.params, Mapping):
            raise ValidationError(
                f"params={self.params!r} is not allowed: expected a mapping "
                "of parameter name to value"
            )
        if self.steps is not None and (
            isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 1
        ):
            raise ValidationError(
                f"steps={self.steps!r} is not allowed: expected a whole "
                "number >= 1 (weeks per run), or None for the horizon"
            )
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        self.to_params()  # every override checked now, at declaration

    def to_params(self) -> Params:
        """The arm's full, validated parameters."""
        return load_scenario(self.scenario, **self.params)

    @property
    def weeks(self) -> int:
        """Weeks per run: ``steps``, or the scenario's horizon."""
        return self.steps if self.steps is not None else self.to_params().horizon

    def clash(self, names: Iterable[str]) -> str | None:
        """How the arm fixes one of ``names`` itself, in words, or None if it fixes none.

        Its own overrides fix theirs, and its scenario fixes what the preset (or scenario
        file) sets: a value given for all arms would silently change what either says.
        """
        names = set(names)
        if fixed := sorted(names & set(self.params)):
            return f"sets {fixed[0]}"
        toml = self.scenario.endswith(".toml")
        scenario = read_scenario_file(self.scenario) if toml else load_preset(self.scenario)
        if preset := sorted(names & set(scenario.values)):
            return f"runs scenario {self.scenario}, which sets {preset[0]}"
        return None

    def with_params(self, values: Mapping[str, Any]) -> Arm:
        """The arm with more parameter values, none of which it fixes itself (``clash``).

        Raises:
            ValidationError: A value the arm fixes, in words.
        """
        if (how := self.clash(values)) is not None:
            raise ValidationError(f"the arm {how}, so it cannot run with another value of it")
        return Arm(self.scenario, {**self.params, **values}, self.steps)

    def describe(self) -> str:
        """The setting in words: ``iocn, academic_partner=false, 52 weeks``."""
        values = f", {settings_text(self.params)}" if self.params else ""
        return f"`{self.scenario}`{values}, {self.weeks} weeks"


def settings_text(params: Mapping[str, Any]) -> str:
    """Parameter values in words, as the report prints them: ```academic_partner`=false``."""
    return ", ".join(f"`{name}`={_value_text(value)}" for name, value in params.items())


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, Mapping):
                items.append(
                    ":".join(
                        str(item[k])
                        for k in ("step", "kind", "organisation")
                        if item.get(k) is not None
                    )
                )
            else:
                items.append(str(item))
        return "[" + "; ".join(items) + "]"
    return (
        repr(value)
        if isinstance(value, str)
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )


@dataclass(frozen=True)
class Pattern:
    """An empirical pattern the model should reproduce, with how it is checked.

    Args:
        name: Short snake_case name (``neutral_partner``), unique in the catalogue.
        claim: The empirical claim, in plain words.
        quote: A short quote from the field study that makes the claim.
        source: Citation and place, e.g. ``"Kennedy et al. 2019, §6.6"``.
        operationalisation: How the model expresses the claim, in words.
        arms: The settings compared, by name.
        test: The statistical test; None when the model cannot express the claim.
        seeds: Seeds per arm in a full validation (a quick one uses 30).
        reason: Why the model cannot express the claim (only, and always, when ``test``
            is None).
        limitation: For a pattern known to fail: why (a model limitation or an
            ambiguity of the evidence); empty otherwise.

    Raises:
        ValidationError: A field that is missing or not allowed, a test reading an arm
            not declared, or a metric reading a week an arm does not reach.
        ParameterError: An arm's parameter that is not allowed.
    """

    name: str
    claim: str
    quote: str
    source: str
    operationalisation: str
    arms: Mapping[str, Arm]
    test: Test | None
    _: KW_ONLY
    seeds: int = DEFAULT_SEEDS
    reason: str = ""
    limitation: str = ""

    def __post_init__(self) -> None:
        plain_fields(self)
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValidationError(
                f"name={self.name!r} is not allowed: expected a snake_case "
                "name such as neutral_partner"
            )
        for attribute in ("claim", "quote", "source", "operationalisation"):
            value = getattr(self, attribute)
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(
                    f"pattern {self.name}: {attribute} is missing: expected a non-empty text"
                )
        for attribute in ("reason", "limitation"):
            if not isinstance(getattr(self, attribute), str):
                raise ValidationError(f"pattern {self.name}: {attribute} must be a text")
        self._check_arms()
        if isinstance(self.seeds, bool) or not isinstance(self.seeds, int) or self.seeds < 2:
            raise ValidationError(
                f"pattern {self.name}: seeds={self.seeds!r} is not allowed: "
                "expected a whole number >= 2"
            )
        if self.test is None:
            if not self.reason.strip():
                raise ValidationError(
                    f"pattern {self.name}: test=None needs a reason saying "
                    "why the model cannot express the claim"
                )
            return
        if not isinstance(self.test, Test):
            raise ValidationError(f"pattern {self.name}: test={self.test!r} is not a test")
        if self.reason.strip():
            raise ValidationError(
                f"pattern {self.name}: reason is only for a claim the model "
                "cannot express (test=None)"
            )
        for metric, arm in self.test.uses():
            if arm not in self.arms:
                hint = suggest(arm, list(self.arms))
                raise ValidationError(
                    f"pattern {self.name}: the test reads arm {arm!r}, which "
                    "is not declared; arms: " + ", ".join(self.arms) + (f"; {hint}" if hint else "")
                )
            metric.check_steps(self.arms[arm].weeks, where=f"pattern {self.name}, arm {arm}")

    def _check_arms(self) -> None:
        if not isinstance(self.arms, Mapping) or (self.test is not None and not self.arms):
            raise ValidationError(f"pattern {self.name}: arms must be a mapping of arm name to Arm")
        for arm_name, arm in self.arms.items():
            if not isinstance(arm_name, str) or not _NAME.fullmatch(arm_name):
                raise ValidationError(
                    f"pattern {self.name}: arm name {arm_name!r} is not "
                    "allowed: expected a snake_case name"
                )
            if not isinstance(arm, Arm):
                raise ValidationError(f"pattern {self.name}, arm {arm_name}: {arm!r} is not an Arm")
        object.__setattr__(self, "arms", MappingProxyType(dict(self.arms)))

    @property
    def expressible(self) -> bool:
        """Whether the model can express the claim (the pattern has a test)."""
        return self.test is not None

    def arms_run(self) -> tuple[str, ...]:
        """Names of the arms a validation runs: those the test reads, in order."""
        return () if self.test is None else self.test.arms()

    def with_params(self, values: Mapping[str, Any]) -> Pattern:
        """The pattern with every arm run with more parameter values (``Arm.with_params``).

        Raises:
            ValidationError: A value one of its arms fixes, naming the pattern and arm.
        """
        arms = {}
        for name, arm in self.arms.items():
            try:
                arms[name] = arm.with_params(values)
            except ValidationError as error:
                raise ValidationError(f"pattern {self.name}, arm {name}: {error}") from None
        return replace(self, arms=arms)


@dataclass(frozen=True)
class PatternResult:
    """One pattern's outcome, as a row of ``patterns.csv``.

    Attributes:
        pattern: The pattern's name.
        claim: The empirical claim.
        source: Where the claim comes from.
        metric: What was measured, in a few words.
        effect: The size of the pattern (see the test); NaN if not expressible.
        ci_low: Lower end of the effect's 95% confidence interval.
        ci_high: Upper end of that interval.
        p_value: The test's p-value.
        passed: Whether the pattern holds; None if the model cannot express it.
        seeds: Seeds per arm used.
        detail: One line on what was compared and found (the reason, if not expressible).
        expressible: Whether the model can express the claim.
    """

    pattern: str
    claim: str
    source: str
    metric: str
    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    passed: bool | None
    seeds: int
    detail: str
    expressible: bool


__all__ = [
    "ALPHA",
    "DEFAULT_SEEDS",
    "QUICK_SEEDS",
    "AllOf",
    "Arm",
    "AtMost",
    "AtWeek",
    "Bound",
    "Change",
    "Custom",
    "Greater",
    "Interaction",
    "Mean",
    "Metric",
    "Outcome",
    "ParameterError",
    "Pattern",
    "PatternResult",
    "Share",
    "Sign",
    "Steadier",
    "Summary",
    "Test",
    "ValidationError",
]
