"""What the parameter layer's checks share: the error, plain values, and hints for names."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from typing import Any


class ParameterError(ValueError):
    """A parameter value, name or event that the model cannot accept."""


def python_value(value: Any) -> Any:
    """The Python value a NumPy scalar holds (``np.int64(3)`` gives ``3``); others as given.

    Values read from a pandas table or a NumPy array are NumPy scalars, which are not
    ``int`` or ``bool``; converting them once, where input is checked, lets them through
    the same checks and keeps the parameters plain Python (JSON friendly).
    """
    numpy = sys.modules.get("numpy")  # not imported: the value cannot be a NumPy scalar
    if numpy is not None and isinstance(value, numpy.generic):
        return value.item()
    return value


def suggest(name: Any, options: Iterable[str]) -> str:
    """A hint for a misspelt ``name``: 'did you mean ...?' with the closest ``options``, or ''.

    Case does not count (``IOCN`` is close to ``iocn``). A name that is not text at all (a
    number or a list from a file) has no near miss: ''.
    """
    if not isinstance(name, str):
        return ""
    by_lower = {option.lower(): option for option in options}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return f"did you mean {' or '.join(by_lower[c] for c in close)}?" if close else ""
