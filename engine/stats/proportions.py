"""Is an area's proportion significantly different from the benchmark's? Two published answers.

``rest_codes`` (the profiles' default): Fisher's exact test of the 2 × 2 table *area* against the
*rest of the benchmark* (the benchmark without the area). The seeds ask whether "the needs of
offenders in North West Leicestershire [differ from] the needs of offenders across the rest of
the County", and a partner area is a large part of its benchmark (a third of a county's
caseload), so testing it against a benchmark proportion that contains it would understate every
difference, and would treat the benchmark's proportion as if it were known without error. The
exact test stays valid for the small counts of a small district's rare categories, where the
normal approximation of a z or chi-squared test does not.

``interval_codes``: the Fingertips rule the indicators' bands use, the area's Wilson score
interval against the benchmark's proportion as a fixed value (:func:`proportion_band_codes`).

Both return +1 (significantly higher), −1 (significantly lower), 0 (not significantly
different) and :data:`NOT_COMPARED` where either side has no rows.

A proportion's change between two periods (repeat referrals of all referrals, this year against
last) is the same exact test on the two periods' 2 × 2 table (``proportion_change_codes``), or
Fingertips' conservative rule that the two periods' Wilson intervals do not overlap. Peer
comparisons put each area's Wilson interval against the pooled peer proportion, Σ numerators ÷
Σ denominators, as :mod:`engine.stats.peers` does for rates.

Fisher's test is computed here over whole arrays from scipy's hypergeometric distribution, with
the two-sided p-value scipy.stats.fisher_exact and R's fisher.test use (the probability of every
table no more likely than the one observed): fisher_exact takes about a millisecond a table, a
workbook set tests a few thousand, and this takes some 0.05 ms a table
(tests/test_profile_significance.py checks the two agree).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from engine.stats.change import ChangeMethod
from engine.stats.compare import NOT_COMPARED, proportion_band_codes, significance
from engine.stats.intervals import all_whole, confidence_level, wilson_limits

#: Tables whose probability is within this factor of the observed table's count as no more likely than it
#: (R's fisher.test uses the same; it absorbs rounding, so mirror-image tables tie as they should).
LOG_TOLERANCE = float(np.log1p(1e-7))
SEARCH_STEPS = 64  # bisection steps: more than enough for any count that fits in an int64


def _hypergeom():
    """scipy's hypergeometric distribution, imported when Fisher's test first runs: ``scipy.stats`` takes a
    third of the engine's import time, and most builds never test a proportion."""
    from scipy.stats import hypergeom

    return hypergeom


def _last_at_most(lower: np.ndarray, upper: np.ndarray, limit: np.ndarray, args: tuple) -> np.ndarray:
    """Largest k in [lower, upper] with log pmf(k) <= ``limit`` where the pmf rises (below the mode);
    lower − 1 where there is none."""
    lo, hi = lower - 1, upper.copy()
    for _ in range(SEARCH_STEPS):
        active = lo < hi
        if not active.any():
            break
        middle = (lo + hi + 1) // 2
        fits = _hypergeom().logpmf(middle, *args) <= limit
        lo = np.where(active & fits, middle, lo)
        hi = np.where(active & ~fits, middle - 1, hi)
    return lo


def _first_at_most(lower: np.ndarray, upper: np.ndarray, limit: np.ndarray, args: tuple) -> np.ndarray:
    """Smallest k in [lower, upper] with log pmf(k) <= ``limit`` where the pmf falls (above the mode);
    upper + 1 where there is none."""
    lo, hi = lower.copy(), upper + 1
    for _ in range(SEARCH_STEPS):
        active = lo < hi
        if not active.any():
            break
        middle = (lo + hi) // 2
        fits = _hypergeom().logpmf(middle, *args) <= limit
        hi = np.where(active & fits, middle, hi)
        lo = np.where(active & ~fits, middle + 1, lo)
    return hi


def fisher_p_values(successes: ArrayLike, trials: ArrayLike, other_successes: ArrayLike,
                    other_trials: ArrayLike) -> np.ndarray:
    """Two-sided p-values of Fisher's exact test, x of n against y of m, elementwise; NaN where n or m is 0.

    The hypergeometric count of the first group's successes given both margins; the p-value sums
    every outcome no more likely than the observed one: this tail up to the observation, and the
    other tail from where it becomes no more likely (found by bisection, the pmf being unimodal).
    """
    x, n, y, m = (np.asarray(a, dtype=np.int64) for a in np.broadcast_arrays(successes, trials, other_successes,
                                                                             other_trials))
    valid = (n > 0) & (m > 0)
    total, flagged, draws = np.where(valid, n + m, 1), np.where(valid, x + y, 0), np.where(valid, n, 1)
    args = (total, flagged, draws)
    observed = np.where(valid, x, 0)
    lowest = np.maximum(0, draws - (total - flagged))
    highest = np.minimum(draws, flagged)
    mode = np.clip((draws + 1) * (flagged + 1) // (total + 2), lowest, highest)
    hypergeom = _hypergeom()
    # Log probabilities (scipy's logpmf is some 40 times faster than its pmf over arrays).
    log_observed = hypergeom.logpmf(observed, *args)
    limit = log_observed + LOG_TOLERANCE
    first_right = _first_at_most(mode + 1, highest, limit, args)
    last_left = _last_at_most(lowest, mode - 1, limit, args)
    p_left = hypergeom.cdf(observed, *args) + hypergeom.sf(first_right - 1, *args)
    p_right = hypergeom.sf(observed - 1, *args) + np.where(last_left >= lowest, hypergeom.cdf(last_left, *args), 0.0)
    as_likely_as_mode = hypergeom.logpmf(mode, *args) <= limit
    p = np.where(as_likely_as_mode, 1.0, np.where(observed < mode, p_left, p_right))
    return np.where(valid, np.minimum(p, 1.0), np.nan)


def rest_codes(counts: ArrayLike, bases: ArrayLike, benchmark_counts: ArrayLike, benchmark_bases: ArrayLike,
               level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """(codes, p-values) of each area's proportion against the rest of its benchmark, by Fisher's exact test.

    ``benchmark_*`` include the area's own rows (the benchmark as shown); the rest is their difference.
    """
    x, n = np.asarray(counts, dtype=np.int64), np.asarray(bases, dtype=np.int64)
    y, m = np.asarray(benchmark_counts, dtype=np.int64) - x, np.asarray(benchmark_bases, dtype=np.int64) - n
    if np.any((x < 0) | (x > n) | (y < 0) | (y > m)):
        raise ValueError("counts must lie between 0 and their bases, and the benchmark must contain the area")
    p = fisher_p_values(x, n, y, m)
    alpha = 1 - confidence_level(level)
    side = np.sign(x * m - y * n)  # x/n against y/m, without dividing
    codes = np.where(p < alpha, side, 0)
    return np.where(np.isnan(p), NOT_COMPARED, codes).astype(np.int8), p


def interval_codes(counts: ArrayLike, bases: ArrayLike, benchmark_counts: ArrayLike, benchmark_bases: ArrayLike,
                   level: float = 0.95) -> np.ndarray:
    """Codes of each area's Wilson interval against the benchmark's proportion (Fingertips)."""
    x, n = np.asarray(counts, dtype=float), np.asarray(bases, dtype=float)
    bx, bn = np.asarray(benchmark_counts, dtype=float), np.asarray(benchmark_bases, dtype=float)
    valid = (n > 0) & (bn > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        bands = proportion_band_codes(np.where(valid, x, 0), np.where(valid, n, 1), np.where(valid, bx / bn, np.nan),
                                      [level])
    codes = np.where(np.abs(bands) >= 2, np.sign(bands), 0)
    return np.where(valid & (bands != NOT_COMPARED), codes, NOT_COMPARED).astype(np.int8)


def _as_pairs(numerators: ArrayLike, denominators: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, n = np.broadcast_arrays(np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float))
    known = ~(np.isnan(x) | np.isnan(n))
    if np.any(x[known] < 0) or np.any(x[known] > n[known]):
        raise ValueError("a proportion needs 0 <= numerator <= denominator")
    return x, n


def proportion_change_p_values(current_numerators: ArrayLike, current_denominators: ArrayLike,
                               previous_numerators: ArrayLike, previous_denominators: ArrayLike) -> np.ndarray:
    """Two-sided p-value of Fisher's exact test that the two periods' proportions are equal.

    Numerators and denominators must be whole numbers. NaN where a period is missing or has a
    denominator of 0 (no evidence either way).
    """
    x1, n1 = _as_pairs(current_numerators, current_denominators)
    x2, n2 = _as_pairs(previous_numerators, previous_denominators)
    x1, n1, x2, n2 = np.broadcast_arrays(x1, n1, x2, n2)
    usable = ~(np.isnan(x1) | np.isnan(n1) | np.isnan(x2) | np.isnan(n2)) & (n1 > 0) & (n2 > 0)
    if not all_whole(np.concatenate([a[usable] for a in (x1, n1, x2, n2)])):
        raise ValueError("Fisher's exact test needs whole-number numerators and denominators")
    result = np.full(x1.shape, np.nan)
    result[usable] = fisher_p_values(x1[usable], n1[usable], x2[usable], n2[usable])
    return result


def proportion_change_codes(current_numerators: ArrayLike, current_denominators: ArrayLike,
                            previous_numerators: ArrayLike, previous_denominators: ArrayLike,
                            method: ChangeMethod = "exact", level: float = 0.95) -> np.ndarray:
    """+1 significant increase in the proportion, −1 significant reduction, 0 neither (or missing).

    ``exact``: Fisher's exact p-value below 1 − level. ``overlap``: the two periods' Wilson
    intervals at ``level`` do not overlap.
    """
    level = confidence_level(level)
    x1, n1 = _as_pairs(current_numerators, current_denominators)
    x2, n2 = _as_pairs(previous_numerators, previous_denominators)
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = x1 / n1 - x2 / n2
    if method == "exact":
        significant = proportion_change_p_values(x1, n1, x2, n2) < 1 - level
    elif method == "overlap":
        x1, n1, x2, n2 = np.broadcast_arrays(x1, n1, x2, n2)
        usable = ~np.isnan(difference)  # both periods known, with denominators above 0
        significant = np.zeros(difference.shape, dtype=bool)
        c_low, c_high = wilson_limits(x1[usable], n1[usable], level)
        p_low, p_high = wilson_limits(x2[usable], n2[usable], level)
        significant[usable] = (c_low > p_high) | (c_high < p_low)
    else:
        raise ValueError(f"unknown change test {method!r}: use 'exact' or 'overlap'")
    return np.where(significant & ~np.isnan(difference), np.sign(difference), 0).astype(np.int8)


def pooled_proportion(numerators: ArrayLike, denominators: ArrayLike) -> float:
    """Σ numerators ÷ Σ denominators over the areas where both are known (NaN if none)."""
    x, n = _as_pairs(numerators, denominators)
    known = ~(np.isnan(x) | np.isnan(n))
    total = n[known].sum()
    return float(x[known].sum() / total) if total > 0 else float("nan")


def proportion_peer_comparison(numerators: ArrayLike, denominators: ArrayLike, level: float = 0.95) -> np.ndarray:
    """+1 above, 0 in line with, −1 below the pooled peer proportion: each area's Wilson interval at
    ``level`` against the pooled proportion's value (0 where the area has no denominator)."""
    x, n = _as_pairs(numerators, denominators)
    pooled = pooled_proportion(x, n)
    usable = ~(np.isnan(x) | np.isnan(n)) & (n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower, upper = wilson_limits(np.where(usable, x, 0), np.where(usable, n, 1), level)
    return np.where(usable, significance(lower, upper, pooled), 0).astype(np.int8)
