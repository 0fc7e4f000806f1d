"""Confidence intervals for counts and crude rates, as the Fingertips methods define them.

Vectorised over any number of areas: arrays in, arrays out. Byar's approximation for 10 or more
events, the exact chi-squared limits below 10 (Byar's is poor for small counts, and LSOA counts
are small). Reference: PHEindicatormethods, and ``STATISTICS.md`` in the project's reference.
"""
from __future__ import annotations

import numpy as np
from scipy.special import chdtri, ndtri

BYARS_MINIMUM = 10


def chi2_quantile(probability: float, df: np.ndarray) -> np.ndarray:
    """χ² quantile via ``scipy.special.chdtri`` (the inverse upper tail): the same values as
    ``scipy.stats.chi2.ppf`` without importing scipy.stats, which costs half a second of start-up."""
    return chdtri(df, 1 - probability)


def z_value(confidence: float) -> float:
    """Two-sided normal quantile: 1.959964 at 0.95, 3.090232 at 0.998."""
    return float(ndtri(1 - (1 - confidence) / 2))


def byars_limits(counts: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate Poisson limits on a count (no switch to exact for small counts)."""
    o = np.asarray(counts, dtype=float)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    # A negative lower limit (tiny counts at high confidence) is undefined, as in the reference.
    return np.where(lower < 0, np.nan, lower), upper


def exact_limits(counts: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits from the chi-squared distribution; the lower limit of 0 is 0."""
    o = np.asarray(counts, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(o > 0, chi2_quantile(alpha / 2, 2 * o) / 2, 0.0)
    upper = chi2_quantile(1 - alpha / 2, 2 * o + 2) / 2
    return lower, upper


def count_limits(counts: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Fingertips' choice: Byar's for counts of 10 or more, exact below."""
    o = np.asarray(counts, dtype=float)
    if np.any(o < 0):
        raise ValueError("counts must not be negative")
    small = o < BYARS_MINIMUM
    byars_lower, byars_upper = byars_limits(np.where(small, BYARS_MINIMUM, o), confidence)
    lower = byars_lower.copy()
    upper = byars_upper.copy()
    if small.any():
        exact_lower, exact_upper = exact_limits(o[small], confidence)
        lower[small] = exact_lower
        upper[small] = exact_upper
    return lower, upper


def rate_limits(counts: np.ndarray, denominators: np.ndarray, confidence: float,
                per: float = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    """Limits of a crude rate (count / denominator × per); denominators must be positive."""
    n = np.asarray(denominators, dtype=float)
    if np.any(~(n > 0)):
        raise ValueError("denominators must be positive")
    lower, upper = count_limits(counts, confidence)
    return lower / n * per, upper / n * per
