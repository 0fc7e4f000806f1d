"""Age-standardised rates and ratios: directly (Dobson) and indirectly standardised.

Inputs are 2-D arrays, one row per area and one column per standardisation category (age band):
every area is computed at once. A missing count in a category counts as 0 events, as in the
reference; a directly standardised rate on fewer than 10 events is not published (NaN), because
its interval is unreliable (Fingertips' rule).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from engine.stats.intervals import BYARS_MINIMUM, as_counts, count_limits


class Estimate(NamedTuple):
    """A value with its confidence limits (arrays, one element per area)."""

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _table(values: ArrayLike) -> np.ndarray:
    return np.atleast_2d(np.asarray(values, dtype=float))


def dsr(counts: ArrayLike, populations: ArrayLike, standard: ArrayLike, confidence: float,
        multiplier: float = 100_000, variance_counts: ArrayLike | None = None) -> Estimate:
    """Directly standardised rate with Dobson's limits.

    DSR = Σ wᵢOᵢ/nᵢ ÷ Σ wᵢ; var = Σ wᵢ²Vᵢ/nᵢ² ÷ (Σ wᵢ)²; the limits move the DSR by
    √(var/O) × (O_limit − O), where O is the total count and O_limit its Byar's limit.
    ``variance_counts`` (Vᵢ) is the count itself for independent events; where people can have
    several events, pass Σ f² × (people with f events) per category (Fingertips' adjustment for
    non-independent events: the DSR is unchanged, the interval widens).
    """
    o = np.nan_to_num(as_counts(_table(counts)), nan=0.0)
    n = _table(populations)
    if np.any(n <= 0):
        raise ValueError("populations must be greater than zero")
    w = np.broadcast_to(_table(standard), o.shape)
    v = o if variance_counts is None else np.nan_to_num(as_counts(_table(variance_counts)), nan=0.0)
    total_weight = w.sum(axis=1)
    value = (w * o / n).sum(axis=1) / total_weight
    variance = (w * w * v / (n * n)).sum(axis=1) / total_weight ** 2
    total = o.sum(axis=1)
    published = total >= BYARS_MINIMUM
    safe_total = np.where(published, total, BYARS_MINIMUM)
    o_lower, o_upper = count_limits(safe_total, confidence)
    step = np.sqrt(variance / safe_total)
    nan = np.full_like(value, np.nan)
    return Estimate(np.where(published, value * multiplier, nan),
                    np.where(published, (value + step * (o_lower - safe_total)) * multiplier, nan),
                    np.where(published, (value + step * (o_upper - safe_total)) * multiplier, nan))


def expected_counts(populations: ArrayLike, reference_counts: ArrayLike, reference_populations: ArrayLike) -> np.ndarray:
    """Events each area would have at the reference's category rates: Σ nᵢ × refOᵢ/refNᵢ.

    A category with a missing population or reference count adds nothing, as in the reference.
    """
    ref_n = _table(reference_populations)
    if np.any(ref_n <= 0):
        raise ValueError("reference populations must be greater than zero")
    return np.nansum(_table(populations) * _table(reference_counts) / ref_n, axis=1)


def reference_rate(reference_counts: ArrayLike, reference_populations: ArrayLike, multiplier: float = 100_000) -> float:
    """The reference's overall rate, Σ events ÷ Σ population × multiplier: an indirectly
    standardised rate is O/E times this."""
    return float(np.nansum(reference_counts) / np.nansum(reference_populations) * multiplier)


def isr(observed: ArrayLike, expected: ArrayLike, confidence: float, scale: ArrayLike = 1.0) -> Estimate:
    """Indirectly standardised ratio O/E (× ``scale``) with the count's limits on O.

    ``scale`` is 1 or 100 for a ratio (an SMR of 100 is "as expected"), or the reference rate
    × multiplier for an indirectly standardised rate. O's limits follow :func:`count_limits`:
    Byar's from 10 events, exact below.
    """
    o = as_counts(observed)
    e = np.asarray(expected, dtype=float)
    if np.any(e <= 0):
        raise ValueError("expected counts must be greater than zero")
    factor = np.asarray(scale, dtype=float) / e
    lower, upper = count_limits(o, confidence)
    return Estimate(o * factor, lower * factor, upper * factor)
