"""Docking: the sub-models, run alone through the model's own mechanism functions,
reproduce their published results."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from collabsim import docking
from collabsim.mechanisms.change import fitness, flip
from collabsim.params import ParameterError


@pytest.mark.parametrize("epsilon", [0.1, 0.15, 0.2, 0.3])
def test_deffuant_ends_in_about_one_over_two_epsilon_clusters(epsilon):
    """Deffuant et al. (2000): about floor(1 / (2 epsilon)) major clusters."""
    expected = int(1 / (2 * epsilon))
    counts = [
        docking.opinion_clusters(docking.deffuant(1000, epsilon, 0.5, 200, seed=s))
        for s in range(10)
    ]
    assert np.bincount(counts).argmax() == expected  # the usual outcome
    assert abs(np.mean(counts) - expected) <= 0.6


def test_deffuant_converges_within_clusters_and_keeps_the_mean():
    opinions = docking.deffuant(500, 0.3, 0.5, 200, seed=1)
    # one major cluster, tightly converged (a few stragglers may stay at the extremes)
    assert np.mean(np.abs(opinions - np.median(opinions)) < 0.01) > 0.95
    start = np.random.default_rng(1).random(500)
    assert opinions.mean() == pytest.approx(start.mean(), abs=1e-9)  # exchanges conserve it
    frozen = docking.deffuant(300, 0.2, 0.0, 50, seed=2)
    assert np.array_equal(frozen, np.random.default_rng(2).random(300))  # mu = 0: no change


def test_local_search_climbs_to_local_optima():
    result = docking.levinthal(12, 5, 40, 300, seed=3)
    nb, ct = result["neighbours"], result["contributions"]
    for config in result["configs"]:
        here = fitness(config, nb, ct)
        assert all(fitness(flip(config, n), nb, ct) <= here for n in range(12))
    trajectory = result["fitness"]
    assert np.all(np.diff(trajectory, axis=0) >= 0)  # never accepts a worse position
    assert trajectory[-1].mean() > trajectory[0].mean() + 0.1


def test_on_a_smooth_landscape_everyone_finds_the_single_peak():
    result = docking.levinthal(10, 0, 30, 300, seed=4)
    nb, ct = result["neighbours"], result["contributions"]
    best = max(fitness(c, nb, ct) for c in range(2**10))
    assert np.allclose(result["fitness"][-1], best)


def test_long_jumps_rarely_beat_local_search_on_rugged_landscapes():
    """Levinthal (1997): a long jump from a random start succeeds about half the time,
    but once organisations have climbed, long jumps rarely succeed; and local search
    reaches higher fitness than long jumps alone."""
    first = docking.levinthal(20, 6, 400, 1, long_jump_share=1.0, seed=5)
    assert 0.35 < first["long_jumps_kept"] / first["long_jumps"] < 0.65
    mixed = docking.levinthal(20, 6, 100, 300, long_jump_share=0.1, seed=5)
    assert mixed["long_jumps_kept"] / mixed["long_jumps"] < 0.1
    local = [docking.levinthal(20, 6, 50, 100, seed=s)["fitness"][-1].mean() for s in range(12)]
    jumps = [
        docking.levinthal(20, 6, 50, 100, long_jump_share=1.0, seed=s)["fitness"][-1].mean()
        for s in range(12)
    ]
    assert mannwhitneyu(local, jumps, alternative="greater").pvalue < 0.01


def test_docking_arguments_are_checked():
    with pytest.raises(ParameterError, match="epsilon=2"):
        docking.deffuant(100, 2, 0.5, 10, seed=0)
    with pytest.raises(ParameterError, match="n_agents=1"):
        docking.deffuant(1, 0.2, 0.5, 10, seed=0)
    with pytest.raises(ParameterError, match="k=12"):
        docking.levinthal(10, 12, 5, 10, seed=0)
    with pytest.raises(ParameterError, match="seed=-1"):
        docking.levinthal(10, 2, 5, 10, seed=-1)
