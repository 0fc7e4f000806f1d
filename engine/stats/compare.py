"""Compare areas with a benchmark value at one or two confidence levels: the seeds' seven bands.

The Fingertips rule compares the area's interval with the benchmark's *value* (not with the
benchmark's interval): lower limit above it -> significantly higher; upper limit below ->
significantly lower; otherwise not significantly different. Run at two levels it gives "Very
Significantly" (the higher level) and "Significantly" (the lower level); otherwise the value is
simply above or below average. Polarity only turns higher/lower into better/worse: the bands
themselves say High and Low, so that they read the same for every indicator.
"""
from __future__ import annotations

from typing import Callable, Literal, Sequence

import numpy as np
from numpy.typing import ArrayLike

from engine.stats.intervals import as_counts, as_denominators, confidence_level, count_limits_at, wilson_limits

Polarity = Literal["higher_is_worse", "higher_is_better", "neither"]

#: A missing value (or a suppressed one) has no band.
NOT_COMPARED = -99

#: Band codes, from lowest to highest. Code 0 is a value exactly equal to the benchmark.
BAND_LABELS: dict[int, str] = {
    -3: "Very Significantly Low",
    -2: "Significantly Low",
    -1: "Below Average",
    0: "Average",
    1: "Above Average",
    2: "Significantly High",
    3: "Very Significantly High",
    NOT_COMPARED: "Not compared",
}

Limits = Callable[[float], tuple[np.ndarray, np.ndarray]]


def significance(lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike) -> np.ndarray:
    """+1 where the interval lies wholly above the benchmark value, −1 wholly below, else 0."""
    lo, hi, b = np.broadcast_arrays(np.asarray(lower, float), np.asarray(upper, float), np.asarray(benchmark, float))
    return np.where(lo > b, 1, np.where(hi < b, -1, 0)).astype(np.int8)


def band_codes_from_limits(values: ArrayLike, benchmark: ArrayLike, limits_at: Limits,
                           levels: Sequence[float]) -> np.ndarray:
    """Band code of each value: ±3 significant at the higher level, ±2 at the lower, else ±1 by
    the side of the benchmark the value lies (0 when equal); ``NOT_COMPARED`` where missing.

    ``limits_at(level)`` returns the (lower, upper) limits of every value at that level.
    """
    if not 1 <= len(levels) <= 2:
        raise ValueError("give one or two confidence levels")
    v = np.asarray(values, dtype=float)
    b = np.broadcast_to(np.asarray(benchmark, dtype=float), v.shape)
    codes = np.nan_to_num(np.sign(v - b)).astype(np.int8)
    for code, level in enumerate(sorted(confidence_level(x) for x in levels), start=2):
        lower, upper = limits_at(level)
        side = significance(lower, upper, b)
        codes = np.where(side != 0, side * code, codes).astype(np.int8)
    return np.where(np.isnan(v) | np.isnan(b), NOT_COMPARED, codes).astype(np.int8)


def band_codes(counts: ArrayLike, denominators: ArrayLike, benchmark_rate: ArrayLike,
               levels: Sequence[float], per: ArrayLike = 1000.0) -> np.ndarray:
    """Band code (−3..3) of each area's crude rate against ``benchmark_rate`` (Byar's / exact limits).

    Compared on the scale of counts, which is the same comparison: the rate's limits are the
    count's limits × per ÷ denominator, and the benchmark rate is the count the area would have at
    that rate, × per ÷ denominator. It saves dividing a million limits at each level.
    """
    o = as_counts(counts)
    expected = np.asarray(benchmark_rate, dtype=float) * as_denominators(denominators) / np.asarray(per, dtype=float)
    limits = count_limits_at(o, levels)
    return band_codes_from_limits(o, expected, limits.__getitem__, levels)


def proportion_band_codes(numerators: ArrayLike, denominators: ArrayLike, benchmark: ArrayLike,
                          levels: Sequence[float], multiplier: ArrayLike = 1.0) -> np.ndarray:
    """Band code of each area's proportion against a benchmark proportion (Wilson limits)."""
    value = np.asarray(numerators, float) / np.asarray(denominators, float) * np.asarray(multiplier, float)
    return band_codes_from_limits(value, benchmark,
                                  lambda level: wilson_limits(numerators, denominators, level, multiplier), levels)


def band_labels(codes: ArrayLike) -> list[str]:
    return [BAND_LABELS[int(c)] for c in np.asarray(codes).ravel()]


def judgement(codes: ArrayLike, polarity: Polarity) -> np.ndarray:
    """Fingertips' words for a band under the indicator's polarity: significantly higher or lower
    is "Better" or "Worse" (or "Higher" / "Lower" when neither direction is better); anything not
    significant is "Similar"; a missing band is "Not compared"."""
    c = np.asarray(codes)
    high, low = {"higher_is_worse": ("Worse", "Better"), "higher_is_better": ("Better", "Worse"),
                 "neither": ("Higher", "Lower")}[polarity]
    words = np.where(c >= 2, high, np.where(c <= -2, low, "Similar"))
    return np.where(c == NOT_COMPARED, "Not compared", words)
