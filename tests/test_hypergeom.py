"""engine.stats.hypergeom gives scipy.stats.hypergeom's values bit for bit, inside and outside the support.

Fisher's exact test compares log probabilities against the observed table's with a tolerance and
sums tails; any difference in the last bit could move a p-value across 0.05, so the check is
exact equality, not closeness.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom as scipy_hypergeom

from engine.stats import hypergeom


def _tables(seed: int = 7, size: int = 4000) -> tuple[np.ndarray, ...]:
    """Random (k, total, flagged, draws): small tables (every edge), large ones, and k outside the support."""
    rng = np.random.default_rng(seed)
    total = np.concatenate([rng.integers(1, 12, size), rng.integers(1, 200_000, size)])
    flagged = (rng.random(total.size) * (total + 1)).astype(np.int64).clip(0, total)
    draws = (rng.random(total.size) * (total + 1)).astype(np.int64).clip(0, total)
    k = (rng.random(total.size) * (draws + 5)).astype(np.int64) - 2  # some below 0 and above the support
    return k, total, flagged, draws


@pytest.mark.parametrize("name", ["logpmf", "cdf", "sf"])
def test_same_values_as_scipy(name: str) -> None:
    k, total, flagged, draws = _tables()
    ours = getattr(hypergeom, name)(k, total, flagged, draws)
    theirs = getattr(scipy_hypergeom, name)(k, total, flagged, draws)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["logpmf", "cdf", "sf"])
def test_edges_of_the_support(name: str) -> None:
    total, flagged, draws = np.array([10, 10, 10, 5]), np.array([4, 0, 10, 5]), np.array([6, 3, 3, 5])
    for k in (-1, 0, 1, 2, 3, 4, 5, 6, 7):
        ours = getattr(hypergeom, name)(k, total, flagged, draws)
        np.testing.assert_array_equal(ours, getattr(scipy_hypergeom, name)(k, total, flagged, draws))


def test_fisher_matches_scipy_fisher_exact() -> None:
    """The test built on these functions still gives scipy.stats.fisher_exact's two-sided p-value."""
    from scipy.stats import fisher_exact

    from engine.stats.proportions import fisher_p_values

    rng = np.random.default_rng(3)
    n, m = rng.integers(1, 300, 300), rng.integers(1, 3000, 300)
    x, y = (rng.random(300) * (n + 1)).astype(int), (rng.random(300) * (m + 1)).astype(int)
    ours = fisher_p_values(x, n, y, m)
    theirs = [fisher_exact([[a, b - a], [c, d - c]]).pvalue for a, b, c, d in zip(x, n, y, m)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-300)


def test_scipy_stats_not_imported_by_the_test() -> None:
    """Fisher's test in a fresh interpreter leaves scipy.stats unimported (its import is the cost avoided)."""
    import subprocess
    import sys

    code = ("import sys; from engine.stats.proportions import fisher_p_values; "
            "fisher_p_values([3], [10], [30], [40]); print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
