"""The model against the pattern table: every claim of the two field studies it can express.

One quick validation (30 seeds per arm, one-sided tests at p < 0.01, as declared in
``collabsim.validation.catalogue``) runs once for this module through the sweep engine's
process pool. Every pattern that fails must say why (its ``limitation``), and every pattern
that says it fails must fail, so the published table (``docs/patterns.md``,
``collabsim validate``) cannot drift from the model: a change to the model that makes a
pattern pass or fail shows here until the catalogue says so. ``make patterns`` runs only
these tests.
"""

from __future__ import annotations

import json

import pytest

from collabsim.validation import PATTERNS, validate
from collabsim.validation.spec import QUICK_SEEDS

pytestmark = pytest.mark.patterns


@pytest.fixture(scope="module")
def validation(tmp_path_factory):
    out = tmp_path_factory.mktemp("validation")
    results = {r.pattern: r for r in validate(out=out, quick=True, workers=2)}
    return results, json.loads((out / "validation.json").read_text())


def test_every_pattern_of_the_catalogue_is_judged_on_30_seeds_per_arm(validation):
    results, meta = validation
    assert set(results) == set(PATTERNS)
    assert meta["mode"] == "quick"
    for name, result in results.items():
        assert result.expressible == PATTERNS[name].expressible
        if result.expressible:
            assert meta["seeds"][name] == QUICK_SEEDS
            # a pattern judged on a subset of runs (those still alive, or dissolved) may
            # use fewer seeds, never more, and never too few to test
            assert 2 <= result.seeds <= QUICK_SEEDS and 0 <= result.p_value <= 1


def test_every_failing_pattern_says_why_and_no_passing_one_claims_to_fail(validation):
    results, _ = validation
    for name, result in results.items():
        if not result.expressible:
            continue
        stated = bool(PATTERNS[name].limitation.strip())
        assert result.passed != stated, (
            f"{name}: {'passes but declares a limitation' if result.passed else 'fails'}"
            f" ({result.detail})"
        )
