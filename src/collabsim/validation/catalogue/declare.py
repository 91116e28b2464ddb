"""How a pattern is declared: the registry, the two studies' names, shared arms."""

from __future__ import annotations

from collabsim.params import PARAMETERS
from collabsim.validation.spec import Arm, Pattern, Summary, ValidationError

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
RATES_ALONE = "results/calibration/iocn_near_without_fragile_steady/"
RATE_SETS = 70


def across_rates(passing: int) -> str:
    """A limitation's last sentence: at how many of those rate sets the pattern passes.

    It tells a failure the rates could mend from one that is in the mechanisms.
    """
    where = f"near the defaults with Beston's fluid attendance (`{RATES_ALONE}`, 30 seeds)"
    if passing == 0:
        return f" No set of the uncertain rates passes it: none of the {RATE_SETS} {where}."
    return f" It passes at {passing} of the {RATE_SETS} sets of the uncertain rates {where}."


#: The share of weeks a network is alive, the survival measure most patterns compare.
SURVIVAL = Summary("sustainability_score")
