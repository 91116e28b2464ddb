"""The factors of a sensitivity analysis, its design and its SALib problem.

Nothing here redoes what ``collabsim.sweeps.design`` does: model factors are parameters,
built and checked by ``make_factors`` (unknown names suggest close ones, bounds outside
a parameter's allowed range are refused); the design and its SALib sample come from
``make_design``; the SALib problem from ``salib_problem``. What this module adds is the
choice of design for each method, the factors of a plain Python function (named
``(low, high)`` ranges), and the checks of the analysis options.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

from collabsim.checks import one_of
from collabsim.params import LEVERS, suggest
from collabsim.sensitivity.methods import RBD_HARMONICS
from collabsim.sweeps.design import Factor
from collabsim.sweeps.sampling import SweepError

#: Sensitivity methods and the design each analyses: Sobol' indices need Saltelli's
#: sample, Morris screening its trajectories; the moment-independent ``delta`` and
#: ``pawn`` and the first-order ``rbd_fast`` (a FAST estimator) take any sample, here
#: a Latin hypercube.
METHODS: dict[str, str] = {
    "sobol": "sobol",
    "morris": "morris",
    "delta": "lhs",
    "pawn": "lhs",
    "rbd_fast": "lhs",
}


class SensitivityError(SweepError):
    """A sensitivity analysis that cannot be done as asked; the message says why and how."""


def check_method(method: Any) -> str:
    """Return ``method`` if it is one of ``METHODS``, else raise with the close names."""
    return one_of(
        "method", method, tuple(METHODS), what="a sensitivity method", error=SensitivityError
    )


def check_n(method: str, n: Any) -> int:
    """Check the sample size of ``method``: a power of 2 for Sobol', at least 2 for Morris.

    RBD-FAST needs at least 4 ``RBD_HARMONICS`` + 2 points (see ``methods``), the other
    methods 10. ``make_design`` checks the design's own limits; the message here says what
    ``n`` means for a sensitivity method, before a scenario or folder is looked at.
    """
    smallest = {"sobol": 1, "morris": 2, "rbd_fast": 4 * RBD_HARMONICS + 2}.get(method, 10)
    if isinstance(n, bool) or not isinstance(n, int) or n < smallest:
        raise SensitivityError(
            f"n={n!r} is not allowed with method {method!r}: expected a "
            f"whole number >= {smallest} ({N_MEANING[method]})"
        )
    if method == "sobol" and n & (n - 1):
        below, above = 1 << (n.bit_length() - 1), 1 << n.bit_length()
        raise SensitivityError(
            f"n={n} is not allowed with method 'sobol': expected a power "
            f"of 2 (e.g. {below} or {above}), which the Sobol' sequence "
            "needs for its balance properties"
        )
    return n


#: What ``n`` counts, for each method.
N_MEANING: dict[str, str] = {
    "sobol": "base samples",
    "morris": "trajectories",
    "delta": "sample points",
    "pawn": "sample points",
    "rbd_fast": "sample points",
}


def lever_specs() -> dict[str, None]:
    """Every lever over its whole allowed range, as a factor spec."""
    return dict.fromkeys(LEVERS)


def function_factors(specs: Any, func: Callable[..., Any]) -> tuple[Factor, ...]:
    """The factors of a plain function: ``{name: (low, high)}``, each a keyword it takes.

    Args:
        specs: A mapping of argument name to a ``(low, high)`` pair of numbers, or to
            ``{"low": ..., "high": ...}`` as a sweep writes a range. A list of two is a
            range here too, not two levels as in a sweep: a function's factors vary
            continuously.
        func: The function; unless it takes ``**kwargs``, each name must be one of its
            arguments.

    Returns:
        One continuous factor per name, in the given order.

    Raises:
        SensitivityError: Not a mapping, an empty one, a name ``func`` does not take,
            an argument ``func`` needs that is not a factor, or a range that is not two
            finite numbers with low below high.
    """
    if not isinstance(specs, Mapping) or not specs:
        raise SensitivityError(
            "factors must be a non-empty mapping of argument name to "
            f"(low, high), e.g. {{'x1': (-3.14, 3.14)}}; got {specs!r}"
        )
    accepted = keyword_arguments(func)
    factors = []
    for name, spec in specs.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise SensitivityError(
                f"factor {name!r} is not allowed: a factor is a keyword "
                "argument of the function, so a Python name"
            )
        if name == "seed":
            raise SensitivityError(
                "factor 'seed' is not allowed: seed is how replicates of a "
                "stochastic function differ; give replicates instead"
            )
        if accepted is not None and name not in accepted:
            hint = suggest(name, accepted)
            raise SensitivityError(
                f"unknown factor {name!r}: {_name(func)} takes "
                + (", ".join(sorted(accepted)) or "no keyword arguments")
                + (f"; {hint}" if hint else "")
            )
        if isinstance(spec, Mapping) and set(spec) == {"low", "high"}:  # a sweep's range
            spec = (spec["low"], spec["high"])
        if (
            not isinstance(spec, (tuple, list))
            or len(spec) != 2
            or not all(_number(v) for v in spec)
        ):
            raise SensitivityError(
                f"factor {name}: expected a range of two numbers, (low, high) or "
                f"{{'low': ..., 'high': ...}} (a function's factors vary continuously), "
                f"got {spec!r}"
            )
        low, high = float(spec[0]), float(spec[1])
        if not low < high:
            raise SensitivityError(
                f"factor {name}: low={low!r} and high={high!r} are not "
                "allowed: low must be below high"
            )
        factors.append(Factor(name, "float", low=low, high=high))
    # The seed is given by the analysis itself, to a function that takes one.
    missing = sorted(required_arguments(func) - set(specs) - {"seed"})
    if missing:
        several = len(missing) > 1
        raise SensitivityError(
            f"missing factor{'s' if several else ''} {', '.join(map(repr, missing))}: "
            f"{_name(func)} needs {'them' if several else 'it'} (no default) and factors "
            f"has only {', '.join(specs)}; give {'each' if several else 'it'} a range "
            f"(low, high), or a default in {_name(func)}"
        )
    return tuple(factors)


def keyword_arguments(func: Callable[..., Any]) -> set[str] | None:
    """The keyword arguments ``func`` takes, or None if it takes any (``**kwargs``)."""
    return _arguments(func)[0]


def required_arguments(func: Callable[..., Any]) -> set[str]:
    """The keyword arguments ``func`` cannot be called without (they have no default)."""
    return _arguments(func)[1]


def _arguments(func: Callable[..., Any]) -> tuple[set[str] | None, set[str]]:
    """``func``'s keyword arguments (None if it takes any), and those without a default."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # some builtins have no signature: accept any name
        return None, set()
    accepted: set[str] | None = set()
    required = set()
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            accepted = None
        elif parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            if accepted is not None:
                accepted.add(parameter.name)
            if parameter.default is inspect.Parameter.empty:
                required.add(parameter.name)
    return accepted, required


def takes_seed(func: Callable[..., Any]) -> bool:
    """Whether ``func`` has an argument called ``seed`` (it is then stochastic)."""
    accepted = keyword_arguments(func)
    return accepted is not None and "seed" in accepted


def block_size(method: str, factors: int, *, second_order: bool = False) -> int:
    """Rows of the sample that belong together: a Saltelli block, a Morris trajectory.

    A sample cut after a whole number of blocks is the sample a smaller ``n`` would
    have drawn (see ``collabsim.sensitivity.convergence``).
    """
    if method == "sobol":
        return 2 * factors + 2 if second_order else factors + 2
    if method == "morris":
        return factors + 1
    return 1


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__name__", type(func).__name__)
