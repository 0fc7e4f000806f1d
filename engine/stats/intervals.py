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
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import chdtri, ndtri, stdtrit

#: Counts from this size up use Byar's method; below it the exact chi-squared method.
BYARS_MINIMUM = 10
#: Arrays at least this long look their limits up in a table of 0 … the largest count.
_LOOKUP_MINIMUM = 1024


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


def all_whole(values: np.ndarray) -> bool:
    """Every value is a whole number (missing values aside): floor is far cheaper than ``% 1``."""
    return bool(np.all((np.floor(values) == values) | np.isnan(values)))


def as_denominators(denominators: ArrayLike) -> np.ndarray:
    """Denominators as floats; NaN stays missing, zero or negative is an error (a rate would be undefined)."""
    n = np.asarray(denominators, dtype=float)
    if np.any(n <= 0):
        raise ValueError("denominators must be greater than zero")
    return n


def _byars_side(o: np.ndarray, inverse_ninths: np.ndarray, inverse_roots: np.ndarray, z: float) -> np.ndarray:
    """o × (1 − 1/(9o) ∓ z/(3√o))³, given 1/(9o) and 1/(3√o); z is negative for the lower limit.

    Written in place: a million areas at two levels would otherwise allocate dozens of temporary
    arrays, which costs more than the arithmetic.
    """
    base = np.multiply(inverse_roots, z)
    base += inverse_ninths
    np.subtract(1.0, base, out=base)
    result = np.multiply(base, base)
    result *= base
    result *= o
    return result


def _byars_pieces(o: np.ndarray) -> tuple[np.ndarray, ...]:
    """The parts of Byar's formula that do not depend on the confidence level."""
    with np.errstate(divide="ignore", invalid="ignore"):
        o1 = o + 1
        return o, 1 / (9 * o), 1 / (3 * np.sqrt(o)), o1, 1 / (9 * o1), 1 / (3 * np.sqrt(o1))


def _byars_at(pieces: tuple[np.ndarray, ...], z: float) -> tuple[np.ndarray, np.ndarray]:
    o, ninth, root, o1, ninth1, root1 = pieces
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lower = _byars_side(o, ninth, root, z)
        upper = _byars_side(o1, ninth1, root1, -z)
    lower[lower < 0] = np.nan  # undefined (a count of 1 at 99.8%), as in the reference
    return lower, upper


def byars_limits(counts: ArrayLike, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate Poisson limits on a count, with no switch to the exact method.

    A negative lower limit (a count of 1 at 99.8%) is undefined and returned as NaN, as the
    reference does.
    """
    return _byars_at(_byars_pieces(as_counts(counts)), z_value(confidence))


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


def count_limits_at(counts: ArrayLike, levels: Sequence[float]) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """:func:`count_limits` at several confidence levels at once (sharing the work), keyed by level
    as a fraction.

    Counts are nearly always whole numbers, and many areas share the same count: for a large
    array the limits of 0, 1, 2 … up to the largest count are computed once and looked up, which
    gives the same values several times faster than evaluating the formula for every area.
    """
    o = as_counts(counts)
    present = ~np.isnan(o)
    largest = float(np.nanmax(o)) if present.any() else 0.0
    if o.size >= _LOOKUP_MINIMUM and largest <= 4 * o.size and all_whole(o):
        index = np.where(present, o, 0).astype(np.intp)
        tables = _count_limits_at(np.arange(largest + 1), levels)
        result = {}
        for level, (lower, upper) in tables.items():
            lower, upper = lower[index], upper[index]
            if not present.all():
                lower[~present] = upper[~present] = np.nan
            result[level] = (lower, upper)
        return result
    return _count_limits_at(o, levels)


def _count_limits_at(o: np.ndarray, levels: Sequence[float]) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """The limits at each level, computed for every element of ``o``."""
    pieces = _byars_pieces(o)
    small = o < BYARS_MINIMUM
    o_small = o[small] if small.any() else None
    whole = o_small is not None and all_whole(o_small)
    index = o_small.astype(np.intp) if whole else None
    result = {}
    for confidence in levels:
        level = confidence_level(confidence)
        lower, upper = _byars_at(pieces, z_value(level))
        if o_small is not None:
            if whole:
                table_lower, table_upper = _exact_table(level)
                lower[small], upper[small] = table_lower[index], table_upper[index]
            else:
                lower[small], upper[small] = exact_limits(o_small, level)
        result[level] = (lower, upper)
    return result


def count_limits(counts: ArrayLike, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Fingertips' limits on a count: Byar's for 10 or more events, exact χ² below 10."""
    return next(iter(count_limits_at(counts, [confidence]).values()))


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
