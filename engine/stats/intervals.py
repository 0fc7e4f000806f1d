"""Confidence intervals for counts, crude rates, proportions and means, as Fingertips defines them.

Vectorised over any number of areas: arrays in, arrays out. A missing input (NaN) gives a
missing output, as in the reference implementation (PHEindicatormethods); a negative count or a
zero or negative denominator is an error, because it can only be a data mistake.

Why these methods: Byar's approximation is within 0.2% of the exact Poisson limits from 10
events upwards and is cheap; below 10 only the exact (chi-squared) limits are good enough, and
small-area counts are often below 10. Wilson's score interval stays inside [0, 1] and behaves
well for proportions near 0 or 1, where the textbook normal interval does not.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import chdtri, ndtri, stdtrit

#: Counts from this size up use Byar's method; below it the exact chi-squared method.
BYARS_MINIMUM = 10


def confidence_level(confidence: float) -> float:
    """A confidence level as a fraction: 0.95 and 95 both mean 95% (the reference accepts both)."""
    level = float(confidence)
    if 1 < level <= 100:
        level /= 100
    if not 0 < level <= 1:
        raise ValueError(f"confidence must be between 0 and 1 (or 0 and 100 as a percentage), not {confidence!r}")
    return level


def z_value(confidence: float) -> float:
    """Two-sided normal quantile: 1.959964 at 0.95, 3.090232 at 0.998 (infinite at 1)."""
    return float(ndtri(1 - (1 - confidence_level(confidence)) / 2))


def chi2_quantile(probability: float | np.ndarray, df: np.ndarray) -> np.ndarray:
    """χ² quantile via ``scipy.special.chdtri`` (the inverse upper tail): the same values as
    ``scipy.stats.chi2.ppf`` without importing scipy.stats, which costs half a second of start-up."""
    return chdtri(df, 1 - np.asarray(probability))


def as_counts(counts: ArrayLike) -> np.ndarray:
    """Counts as floats; NaN stays missing, a negative count is an error."""
    o = np.asarray(counts, dtype=float)
    if np.any(o < 0):
        raise ValueError("counts must not be negative")
    return o


def as_denominators(denominators: ArrayLike) -> np.ndarray:
    """Denominators as floats; NaN stays missing, zero or negative is an error (a rate would be undefined)."""
    n = np.asarray(denominators, dtype=float)
    if np.any(n <= 0):
        raise ValueError("denominators must be greater than zero")
    return n


def _cube(x: np.ndarray) -> np.ndarray:
    return x * x * x  # several times faster than ``x ** 3`` on large arrays


def byars_limits(counts: ArrayLike, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate Poisson limits on a count, with no switch to the exact method.

    A negative lower limit (a count of 1 at 99.8%) is undefined and returned as NaN, as the
    reference does.
    """
    o = as_counts(counts)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lower = o * _cube(1 - 1 / (9 * o) - z / (3 * np.sqrt(o)))
        o1 = o + 1
        upper = o1 * _cube(1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1)))
    return np.where(lower < 0, np.nan, lower), upper


def exact_limits(counts: ArrayLike, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits from the chi-squared distribution; the lower limit of 0 events is 0."""
    o = as_counts(counts)
    alpha = 1 - confidence_level(confidence)
    with np.errstate(invalid="ignore"):
        lower = np.where(o > 0, chi2_quantile(alpha / 2, 2 * o) / 2, np.where(np.isnan(o), np.nan, 0.0))
    upper = chi2_quantile(1 - alpha / 2, 2 * o + 2) / 2
    return lower, upper


@lru_cache(maxsize=32)
def _exact_table(confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits of 0..9 events: whole-number small counts are looked up, not recomputed.

    The χ² inverse costs about a microsecond a value; a million areas would spend seconds on it.
    """
    lower, upper = exact_limits(np.arange(BYARS_MINIMUM, dtype=float), confidence)
    lower.flags.writeable = upper.flags.writeable = False
    return lower, upper


def count_limits(counts: ArrayLike, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Fingertips' limits on a count: Byar's for 10 or more events, exact χ² below 10."""
    o = as_counts(counts)
    level = confidence_level(confidence)
    lower, upper = byars_limits(o, level)
    small = o < BYARS_MINIMUM
    if small.any():
        o_small = o[small]
        whole = o_small == np.floor(o_small)
        if whole.all():
            table_lower, table_upper = _exact_table(level)
            index = o_small.astype(np.intp)
            lower[small], upper[small] = table_lower[index], table_upper[index]
        else:
            lower[small], upper[small] = exact_limits(o_small, level)
    return lower, upper


def rates(counts: ArrayLike, denominators: ArrayLike, per: ArrayLike = 1000.0) -> np.ndarray:
    """Crude rate: count ÷ denominator × ``per`` (per 1,000 residents for crime)."""
    return as_counts(counts) / as_denominators(denominators) * np.asarray(per, dtype=float)


def rate_limits(counts: ArrayLike, denominators: ArrayLike, confidence: float,
                per: ArrayLike = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    """Limits of a crude rate: the count's limits (:func:`count_limits`) ÷ denominator × ``per``."""
    n = as_denominators(denominators)
    lower, upper = count_limits(counts, confidence)
    scale = np.asarray(per, dtype=float) / n
    return lower * scale, upper * scale


def wilson_limits(numerators: ArrayLike, denominators: ArrayLike, confidence: float,
                  multiplier: ArrayLike = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of a proportion, × ``multiplier`` (100 for a percentage).

    A numerator above its denominator is an error for a proportion. At 100% confidence the
    limits are 0 and 1, as in the reference.
    """
    x = as_counts(numerators)
    n = as_denominators(denominators)
    if np.any(x > n):
        raise ValueError("numerators must not exceed denominators for a proportion")
    scale = np.asarray(multiplier, dtype=float)
    z = z_value(confidence)
    if np.isinf(z):
        missing = np.isnan(x) | np.isnan(n)
        return np.where(missing, np.nan, 0.0) * scale, np.where(missing, np.nan, 1.0) * scale
    z2 = z * z
    centre = 2 * x + z2
    spread = z * np.sqrt(z2 + 4 * x * (1 - x / n))
    divisor = 2 * (n + z2)
    return (centre - spread) / divisor * scale, (centre + spread) / divisor * scale


def mean_limits(means: ArrayLike, sds: ArrayLike, sizes: ArrayLike, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Student's t limits of a mean: mean ± t(1 − α/2, n − 1) × sd / √n.

    Needs at least two values (one value has no standard deviation): smaller groups give NaN.
    """
    mean = np.asarray(means, dtype=float)
    sd = np.asarray(sds, dtype=float)
    n = np.asarray(sizes, dtype=float)
    alpha = 1 - confidence_level(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n >= 2, stdtrit(np.maximum(n - 1, 1), 1 - alpha / 2) * sd / np.sqrt(n), np.nan)
    return mean - half, mean + half


def group_mean_sd(values: ArrayLike, groups: ArrayLike, n_groups: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, sample standard deviation and count of ``values`` per group index (0..n_groups−1).

    Missing values are left out, as a spreadsheet's AVERAGE and STDEV leave out blanks.
    """
    v = np.asarray(values, dtype=float)
    g = np.asarray(groups, dtype=np.intp)
    present = ~np.isnan(v)
    v, g = v[present], g[present]
    size = n_groups if n_groups is not None else (int(g.max()) + 1 if g.size else 0)
    n = np.bincount(g, minlength=size).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=v, minlength=size) / n
        squares = np.bincount(g, weights=(v - mean[g]) ** 2, minlength=size)
        sd = np.sqrt(squares / (n - 1))
    return mean, np.where(n >= 2, sd, np.nan), n
