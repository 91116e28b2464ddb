"""The studies committed in ``results/`` were made by the code beside them.

The README, ``docs/odd.md`` and the results report quote these studies' figures. A change
to the model's code that is not followed by running them again would leave those figures
describing other code, silently: each study names the code fingerprint it ran on, so
these tests compare that with the fingerprint of the code in this checkout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from study_support import EXPERIMENTS, load

from collabsim.fingerprint import code_fingerprint
from collabsim.validation.catalogue import PATTERNS
from collabsim.validation.report import read_csv

RESULTS = Path(__file__).parents[1] / "results"
README = RESULTS / "README.md"
STUDIES = load(EXPERIMENTS / "studies.py")  # reads the table


def committed_studies() -> list[str]:
    """The study folders listed in the first column of ``results/README.md``'s table."""
    return [folder for folder, _ in STUDIES.studies(README)]


@pytest.mark.parametrize("folder", committed_studies())
def test_each_study_was_made_by_this_code(folder: str) -> None:
    named = STUDIES.fingerprints(RESULTS / folder)
    assert named == {code_fingerprint()}, (
        f"results/{folder} was made by {sorted(named) or 'unnamed code'}, not this code "
        f"({code_fingerprint()}): run its command in results/README.md again"
    )


def test_the_readme_names_this_code_and_its_studies() -> None:
    assert len(committed_studies()) >= 8  # the table was read: one row per study
    named = set(re.findall(r"`(\d[^`]*\+[0-9a-f]{16})`", README.read_text(encoding="utf-8")))
    assert named == {code_fingerprint()}


def test_the_validation_report_states_each_failure_as_declared_now() -> None:
    # a limitation's text is written into the report when the validation runs; one revised
    # since (new measurements, say) leaves the committed report quoting the old text
    table = read_csv(RESULTS / "validation" / "patterns.csv")
    report = (RESULTS / "validation" / "report.md").read_text(encoding="utf-8")
    failed = table.loc[table["expressible"] & ~table["passed"].astype(bool), "pattern"].tolist()
    assert failed  # the table was read: the committed validation fails some patterns
    stale = [
        name
        for name in failed
        if " ".join(PATTERNS[name].limitation.split()).replace("|", "\\|") not in report
    ]
    assert not stale, (
        f"results/validation/report.md quotes an older limitation of {stale}: run "
        "`collabsim validate --out results/validation` again"
    )
