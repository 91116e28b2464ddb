"""Durations and sizes in words, for messages: ``12 min``, ``3.4 GB``.

Kept apart from the modules that use them (progress lines, a sweep's estimate) so that
the command line can say them without importing the model.
"""

from __future__ import annotations


def duration(seconds: float) -> str:
    """A duration in words: ``45 s``, ``12 min``, ``3.5 h``, ``4 days``, ``2.1 years``."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds < 730 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365 * 86400):.1f} years"


def size_text(count: float) -> str:
    """A number of bytes in words: ``800 B``, ``12 kB``, ``3.4 GB``."""
    units = ("B", "kB", "MB", "GB", "TB")
    index = 0
    while count >= 1000 and index < len(units) - 1:
        count /= 1000
        index += 1
    digits = 0 if index == 0 or count >= 10 else 1
    return f"{count:.{digits}f} {units[index]}"
