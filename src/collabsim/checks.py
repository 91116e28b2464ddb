"""Checks of options that the sweep, sensitivity, validation and study layers share.

Each refusal is one line naming the option, the value given and what is allowed, in one
form wherever it is raised::

    levels=1 is not allowed: expected a whole number >= 2
    design='sobl' is not a design; did you mean sobol?
    outputs: 'quality' is not one of the summary outputs; did you mean quality_gain?

Each helper returns the value it accepted and raises the layer's own error class
(``error``), so a caller's ``except SweepError`` still catches it.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from collabsim.params.checks import python_value, suggest


def not_whole_number(value: Any, smallest: int, largest: int | None = None) -> str | None:
    """Why ``value`` is not a whole number from ``smallest`` (to ``largest``), or None if it is.

    The reason reads "<value> is not allowed: expected a whole number ...", for a refusal
    that names the setting before it; ``True`` and ``False`` are not whole numbers here.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < smallest
        or (largest is not None and value > largest)
    ):
        allowed = f">= {smallest}" if largest is None else f"from {smallest} to {largest:,}"
        return f"{value!r} is not allowed: expected a whole number {allowed}"
    return None


def whole_number(
    name: str,
    value: Any,
    smallest: int,
    largest: int | None = None,
    *,
    error: type[Exception] = ValueError,
    meaning: str = "",
) -> int:
    """``value`` if it is a whole number from ``smallest`` (to ``largest``), else ``error``.

    Args:
        name: The option's name, as the user wrote it.
        value: What was given.
        smallest: The smallest allowed.
        largest: The largest allowed (no limit if None).
        error: The exception class to raise.
        meaning: What the number counts, added to the message in brackets.
    """
    if (reason := not_whole_number(value, smallest, largest)) is not None:
        raise error(f"{name}={reason}" + (f" ({meaning})" if meaning else ""))
    return value


def true_or_false(name: str, value: Any, *, error: type[Exception] = ValueError) -> bool:
    """``value`` if it is ``True`` or ``False`` (not 1, 0 or a string), else ``error``."""
    if not isinstance(value, bool):
        raise error(f"{name}={value!r} is not allowed: expected true or false")
    return value


def plain_fields(instance: Any) -> None:
    """Replace each NumPy scalar among a frozen dataclass's fields by the Python value.

    Called first in ``__post_init__``: a NumPy number counts as the Python one (as
    in ``Params`` and ``sweep``), passes the same checks and is kept plain (JSON friendly).
    """
    for option in dataclasses.fields(instance):
        object.__setattr__(instance, option.name, python_value(getattr(instance, option.name)))


def function_or_none(
    name: str, value: Any, arguments: Sequence[str], *, error: type[Exception] = ValueError
) -> Any:
    """``value`` if it is None or a function that can be called with ``arguments``.

    A function that takes other arguments would fail only when first called, deep inside
    a run or a study. A callable whose signature cannot be read (some built-ins) is
    accepted.

    Args:
        name: The option's name (``"progress"``).
        value: What was given.
        arguments: The names of the arguments it is called with, in order.
        error: The layer's own exception class.
    """
    if value is None:
        return value
    if callable(value):
        try:
            signature = inspect.signature(value)
        except (TypeError, ValueError):  # no signature to read: nothing to check against
            return value
        try:
            signature.bind(*arguments)
            return value
        except TypeError:
            pass
    raise error(
        f"{name}={value!r} is not allowed: expected a function called as "
        f"{name}({', '.join(arguments)})"
    )


def path_option(name: str, value: Any, *, expected: str, error: type[Exception]) -> Path:
    """``value`` as a ``Path`` if it is one (a non-empty text or ``os.PathLike``), else ``error``.

    Pathlib's own TypeError would not name the option; an empty text is refused too, as
    ``Path("")`` is the current folder.

    Args:
        name: The option's name, as the user wrote it.
        value: What was given.
        expected: What the option takes, after "expected" in the refusal
            (``"the path of a study file or a RobustnessPlan"``).
        error: The layer's own exception class.
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(text, str) or not text:
        shown = repr(value)
        if "\n" in shown or len(shown) > 80:  # a table, say: its type keeps the message one line
            shown = f"<{type(value).__name__}>"
        raise error(f"{name}={shown} is not allowed: expected {expected}")
    return Path(text)


def fraction(
    name: str, value: Any, *, example: float, error: type[Exception] = ValueError
) -> float:
    """``value`` as a float if it is a number strictly between 0 and 1, else ``error``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0 < value < 1
    ):
        raise error(
            f"{name}={value!r} is not allowed: expected a number between 0 and 1 (exclusive), "
            f"e.g. {example}"
        )
    return float(value)


def one_of(
    name: str | None,
    value: Any,
    allowed: Sequence[str],
    *,
    what: str,
    error: type[Exception] = ValueError,
) -> str:
    """``value`` if it is one of ``allowed``, else ``error`` suggesting the closest names.

    Args:
        name: The option's name (the message starts ``name=value``), or None when the
            value is itself a name (the message starts with the value).
        value: What was given.
        allowed: The names allowed.
        what: What each allowed name is, singular with its article (``"a design"``).
        error: The exception class to raise.
    """
    if isinstance(value, str) and value in allowed:
        return value
    shown = f"{name}={value!r}" if name else repr(value)
    raise error(f"{shown} is not {what}" + _hint(value, allowed))


def names(
    name: str,
    values: Any,
    allowed: Sequence[str],
    *,
    what: str,
    error: type[Exception] = ValueError,
    empty: bool = False,
) -> tuple[str, ...]:
    """``values`` as a tuple if it is a list of distinct names from ``allowed``.

    Args:
        name: The option's name (``"outputs"``).
        values: What was given.
        allowed: The names allowed.
        what: The allowed names as a group, plural (``"summary outputs"``).
        error: The exception class to raise.
        empty: Whether an empty list is allowed.
    """
    if isinstance(values, str) or not isinstance(values, Sequence) or not (values or empty):
        many = "a list" if empty else "a non-empty list"
        raise error(f"{name}={values!r} is not allowed: expected {many} of {what}")
    for value in values:
        if not isinstance(value, str) or value not in allowed:
            raise error(f"{name}: {value!r} is not one of the {what}" + _hint(value, allowed))
    if len(set(values)) != len(values):
        twice = next(v for v in values if values.count(v) > 1)
        raise error(f"{name}: {twice!r} is listed twice")
    return tuple(values)


def _hint(value: Any, allowed: Sequence[str]) -> str:
    """'; did you mean ...?' with the closest names, or '; allowed: ...' when none is close."""
    hint = suggest(str(value), allowed)
    return f"; {hint}" if hint else f"; allowed: {', '.join(allowed)}"
