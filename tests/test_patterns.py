"""The model against the pattern table: every claim of the two field studies it can express.

One quick validation (30 seeds per arm, one-sided tests at p < 0.01, as declared in
``collabsim.validation.catalogue``) runs once for this module through the sweep engine's
process pool. At least 90% of the expressible patterns must pass; every pattern that fails
must say why (its ``limitation``), and every pattern that says it fails must fail, so the
published table (``docs/patterns.md``, ``collabsim validate``) cannot drift from the model.
``make patterns`` runs only these tests.
"""

from __future__ import annotations

import pytest

from collabsim.validation import PATTERNS, validate

pytestmark = pytest.mark.patterns

#: Share of the expressible patterns that must pass.
REQUIRED_SHARE = 0.9


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("validation")
    return {r.pattern: r for r in validate(out=out, quick=True, workers=2)}


def test_every_pattern_of_the_catalogue_is_judged(results):
    assert set(results) == set(PATTERNS)
    for name, result in results.items():
        assert result.expressible == PATTERNS[name].expressible
        if result.expressible:
            assert result.seeds == 30 and 0 <= result.p_value <= 1


def test_at_least_nine_in_ten_expressible_patterns_pass(results):
    judged = [r for r in results.values() if r.expressible]
    failed = sorted(r.pattern for r in judged if not r.passed)
    share = 1 - len(failed) / len(judged)
    assert share >= REQUIRED_SHARE, f"{len(failed)} of {len(judged)} failed: {failed}"


def test_every_failing_pattern_says_why_and_no_passing_one_claims_to_fail(results):
    for name, result in results.items():
        if not result.expressible:
            continue
        stated = bool(PATTERNS[name].limitation.strip())
        assert result.passed != stated, (
            f"{name}: {'passes but declares a limitation' if result.passed else 'fails'}"
            f" ({result.detail})")
