"""The error of a calibration that cannot be run as asked."""

from __future__ import annotations

from collabsim.sweeps.sampling import SweepError


class CalibrationError(SweepError):
    """A calibration that cannot be run as asked: the message names the field and fix."""


__all__ = ["CalibrationError"]
