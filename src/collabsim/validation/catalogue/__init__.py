"""The catalogue of empirical patterns the model is validated against, each declared once.

Every empirical claim of the two field studies that a model of this kind could express,
with its quote and place: IOCN (Mervyn, Amoo & Malby 2019, sections named by their
headings) and Beston (Kennedy, McKenzie & Thomas 2019, sections by number). Claims the
model cannot express are declared too, with the reason (``test=None``), so that they
stay in every table; a pattern that fails keeps its place, with its ``limitation``.

The metrics the summary outputs and reporters do not give directly are in
``collabsim.validation.measures``. ``docs/patterns.md`` is generated from these
declarations (``collabsim patterns --markdown > docs/patterns.md``).
"""

from __future__ import annotations

import importlib

from collabsim.validation.catalogue.declare import BESTON, IOCN, PATTERNS

#: The themes of the catalogue, in the order of every table.
THEMES = (
    "partner_and_ceding",
    "change",
    "leadership_and_trust",
    "power_and_places",
    "not_expressible",
)

for _theme in THEMES:
    importlib.import_module(f"{__name__}.{_theme}")

__all__ = ["BESTON", "IOCN", "PATTERNS", "THEMES"]
