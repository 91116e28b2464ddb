"""How a pattern is declared: the registry, the two studies' names, shared arms."""

from __future__ import annotations

from collabsim.params import PARAMETERS
from collabsim.validation.spec import Arm, Pattern, Summary, ValidationError
from collabsim.validation.stats import ALPHA

IOCN = "Mervyn, Amoo & Malby 2019"
BESTON = "Kennedy, McKenzie & Thomas 2019"

#: Every pattern, by name, in the order declared.
PATTERNS: dict[str, Pattern] = {}


def declare(name: str, **fields) -> None:
    """Declare one pattern (a name may be declared only once)."""
    if name in PATTERNS:
        raise ValidationError(f"pattern {name} is declared twice")
    PATTERNS[name] = Pattern(name, **fields)


def default(name: str) -> str:
    """A parameter's default as a limitation quotes it, read from its one declaration."""
    return f"{PARAMETERS[name].default:g}"


def iocn_arm(steps: int | None = None, **params) -> Arm:
    """An arm of the ``iocn`` scenario with ``params`` changed (``steps``: its horizon)."""
    return Arm("iocn", params, steps=steps)


def event_at(step: int, kind: str, times: int = 1) -> dict:
    """The ``events`` override of an arm: ``kind`` happening ``times`` times in week ``step``."""
    return {"events": [{"step": step, "kind": kind}] * times}


#: Where the near calibration judged every pattern at each set of the uncertain rates around
#: the defaults with Beston's fluid attendance (``collabsim calibrate
#: experiments/calibration_iocn_near.toml --skip-stage fragile --skip-stage steady``;
#: ``docs/odd.md`` section 9), and how many such sets it found.
RATES_ALONE = "results/calibration/iocn_near_without_fragile_steady_steepness/"
RATE_SETS = 87


def across_rates(passing: int) -> str:
    """A limitation's last sentence: at how many of those rate sets the pattern passes.

    It tells a failure the rates could mend from one that is in the mechanisms.
    """
    where = f"near the defaults with Beston's fluid attendance (`{RATES_ALONE}`, 30 seeds)"
    if passing == 0:
        return f" No set of the uncertain rates passes it: none of the {RATE_SETS} {where}."
    return f" It passes at {passing} of the {RATE_SETS} sets of the uncertain rates {where}."


#: Where each pattern the defaults fail is judged again, by its own test, on many seeds an arm
#: (``experiments/pattern_power.py``), on how many, and from which master seed (one neither
#: the full validation, 0, nor the calibrations, 0, 1, 2, 4 and 5, used).
MANY_SEEDS = "results/pattern_power/"
MANY_SEEDS_PER_ARM = 400
MANY_SEEDS_MASTER = 3


def many_seeds_finding(p_value: float, present: bool) -> str:
    """What a failed pattern's test finds on many seeds an arm, in a few words.

    It tells an effect the test finds (``present``: it passes there) from one the model
    does not produce, or reverses (the one-sided test's p so near 1 that the opposite would
    pass at the same alpha).
    """
    if present:
        return "there"
    if p_value > 1 - ALPHA:
        return "the opposite"
    return "not clear"


def on_many_seeds(effect: float, p_value: float, present: bool, parts: bool = False) -> str:
    """A failed pattern's limitation sentence: what its test finds on many seeds an arm.

    ``parts``: the test has several parts (``AllOf``), whose effect is the first part's
    and whose p the largest of the parts'.
    """
    p = f"p = {p_value:.2g}, its weakest part's" if parts else f"p = {p_value:.2g}"
    small = ", smaller than the validation's seeds resolve" if present else ""
    return (
        f" On {MANY_SEEDS_PER_ARM} seeds an arm (`{MANY_SEEDS}`) the effect is "
        f"{many_seeds_finding(p_value, present)}{small} ({effect:.3g}; {p})."
    )


#: The share of weeks a network is alive, the survival measure most patterns compare.
SURVIVAL = Summary("sustainability_score")
