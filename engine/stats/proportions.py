"""Proportions over time and among peers: a change between two periods, and the pooled peer share.

A change in a proportion (repeat referrals of all referrals, this year against last) is tested
with Fisher's exact test on the 2 × 2 table of the two periods' numerators and the rest (scipy's
``fisher_exact``, two-sided): exact at any size, and the conditional counterpart of the exact
Poisson test used for counts. The conservative alternative is Fingertips' overlap rule on the
two periods' Wilson intervals. Peer comparisons put each area's Wilson interval against the pooled
peer proportion, Σ numerators ÷ Σ denominators, as :mod:`engine.stats.peers` does for rates.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from engine.stats.change import ChangeMethod
from engine.stats.compare import significance
from engine.stats.intervals import all_whole, confidence_level, wilson_limits


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
    from scipy.stats import fisher_exact  # here: importing scipy.stats costs half a second of everyone's start-up

    x1, n1, x2, n2 = np.broadcast_arrays(x1, n1, x2, n2)
    usable = ~(np.isnan(x1) | np.isnan(n1) | np.isnan(x2) | np.isnan(n2)) & (n1 > 0) & (n2 > 0)
    if not all_whole(np.concatenate([a[usable] for a in (x1, n1, x2, n2)])):
        raise ValueError("Fisher's exact test needs whole-number numerators and denominators")
    result = np.full(x1.shape, np.nan)
    for index in zip(*np.nonzero(usable)):
        table = [[int(x1[index]), int(n1[index] - x1[index])], [int(x2[index]), int(n2[index] - x2[index])]]
        result[index] = fisher_exact(table, alternative="two-sided").pvalue
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
