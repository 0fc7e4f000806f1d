"""Change between two periods: change, % change, and whether the change is significant.

Two tests, chosen per indicator:

* ``exact``: the exact conditional test for two Poisson counts. Given O₁ + O₂ events in all, O₁
  is Binomial(O₁ + O₂, n₁ / (n₁ + n₂)) if the underlying rate did not change (n = population
  or exposure of each period). The two-sided p-value sums every outcome no more likely than the
  one observed (the "minimum likelihood" rule of R's ``poisson.test`` / ``binom.test`` and
  scipy's ``binomtest``, with the same 1e-7 relative tolerance for ties).
* ``overlap``: Fingertips' conservative rule: significant only when the two periods' confidence
  intervals do not overlap.

Direction codes: +1 significant increase, −1 significant reduction, 0 no significant change.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import bdtr, bdtrc, gammaln

from engine.stats.intervals import all_whole, as_counts, confidence_level, rate_limits

ChangeMethod = Literal["exact", "overlap"]

#: R's and scipy's tolerance when deciding which outcomes are "no more likely" than the observed one.
RELATIVE_TIE = 1 + 1e-7
#: Largest table of distinct (count, total) pairs worth building to avoid recomputing repeats.
_MAX_TABLE = 20_000_000


def change(current: ArrayLike, previous: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Change (current − previous) and fractional change (0.031 = +3.1%); NaN when previous is 0."""
    c = np.asarray(current, dtype=float)
    p = np.asarray(previous, dtype=float)
    difference = c - p
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(p > 0, difference / p, np.nan)
    return difference, fraction


def _whole(n: np.ndarray) -> np.ndarray:
    """Trial counts as integers: scipy's binomial functions deprecate non-integer ``n``."""
    return n.astype(np.int64)


def _binomial_logpmf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + k * np.log(p) + (n - k) * np.log1p(-p)


def _other_tail(k: np.ndarray, n: np.ndarray, p: np.ndarray, upper: bool) -> np.ndarray:
    """The first outcome beyond the mode, on the far side from ``k``, no more likely than ``k``.

    Upper side: the smallest j ≥ ⌈np⌉ with pmf(j) ≤ pmf(k) × (1 + 1e-7), or n + 1 if none.
    Lower side: the largest j ≤ ⌊np⌋ with that property, or −1 if none. The pmf is monotone on
    each side of the mode, so a vectorised bisection finds j in about log₂(n) steps.
    """
    threshold = _binomial_logpmf(k, n, p) + np.log(RELATIVE_TIE)
    if upper:
        lo, hi = np.ceil(n * p), n + 1
    else:  # search the mirror image: j' = n − j runs upward from n − ⌊np⌋
        lo, hi = n - np.floor(n * p), n + 1
    while np.any(lo < hi):
        mid = np.floor((lo + hi) / 2)
        j = mid if upper else n - mid
        inside = mid <= n
        unlikely = inside & (_binomial_logpmf(np.where(inside, j, 0), n, p) <= threshold)
        hi = np.where(unlikely, mid, hi)
        lo = np.where(unlikely | (lo >= hi), lo, mid + 1)
    return lo if upper else n - lo


def _minimum_likelihood_p(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Two-sided binomial p-value by the minimum-likelihood rule (as scipy's ``binomtest``)."""
    result = np.ones_like(k)
    expected = n * p
    below, above = k < expected, k > expected
    if np.all(p == 0.5):
        # Symmetric: the far tail mirrors the near one exactly.
        near = np.minimum(k, n - k)
        return np.where(below | above, np.minimum(1.0, 2 * bdtr(near, _whole(n), 0.5)), 1.0)
    if below.any():
        kb, nb, pb = k[below], n[below], p[below]
        j = _other_tail(kb, nb, pb, upper=True)
        far = np.where(j <= nb, bdtrc(np.maximum(j - 1, 0), _whole(nb), pb), 0.0)
        result[below] = np.minimum(1.0, bdtr(kb, _whole(nb), pb) + far)
    if above.any():
        ka, na, pa = k[above], n[above], p[above]
        j = _other_tail(ka, na, pa, upper=False)
        far = np.where(j >= 0, bdtr(np.maximum(j, 0), _whole(na), pa), 0.0)
        result[above] = np.minimum(1.0, bdtrc(ka - 1, _whole(na), pa) + far)
    return result


def poisson_change_p_values(current: ArrayLike, previous: ArrayLike, current_exposure: ArrayLike = 1.0,
                            previous_exposure: ArrayLike = 1.0) -> np.ndarray:
    """Two-sided p-value of the exact conditional test that the two periods' rates are equal.

    Counts must be whole numbers. No events in either period is no evidence of change: p = 1.
    Repeated (count, total) pairs are computed once, so a million areas cost little more than
    the distinct pairs among them.
    """
    o1, o2 = as_counts(current), as_counts(previous)
    o1, o2 = np.broadcast_arrays(o1, o2)
    if not (all_whole(o1) and all_whole(o2)):
        raise ValueError("the exact test needs whole-number counts")
    e1, e2 = (np.broadcast_to(np.asarray(e, dtype=float), o1.shape) for e in (current_exposure, previous_exposure))
    if np.any(e1 <= 0) or np.any(e2 <= 0):
        raise ValueError("exposures (populations) must be greater than zero")
    missing = np.isnan(o1) | np.isnan(o2) | np.isnan(e1) | np.isnan(e2)
    k = np.where(missing, 0, o1)
    n = k + np.where(missing, 0, o2)
    p = np.where(missing, 0.5, e1 / (e1 + e2))
    result = _on_distinct(k, n, p)
    return np.where(missing, np.nan, result)


def _on_distinct(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """:func:`_minimum_likelihood_p` computed once per distinct (k, n) when p is shared."""
    if k.size == 0:
        return np.ones_like(k)
    shared = p.size > 0 and np.all(p == p.flat[0])
    if shared and p.flat[0] == 0.5:
        k = np.minimum(k, n - k)  # symmetric: k and n − k have the same p-value
    width = int(n.max()) + 1
    size = (int(k.max()) + 1) * width
    if not shared or size > _MAX_TABLE or size > 16 * k.size:  # a table only pays when pairs repeat
        return _minimum_likelihood_p(k, n, p)
    key = k.astype(np.int64) * width + n.astype(np.int64)
    present = np.zeros(size, dtype=bool)
    present[key] = True
    distinct = np.flatnonzero(present)
    table = np.empty(size)
    table[distinct] = _minimum_likelihood_p((distinct // width).astype(float), (distinct % width).astype(float),
                                            np.full(distinct.size, p.flat[0]))
    return table[key]


def change_codes(current: ArrayLike, previous: ArrayLike, method: ChangeMethod = "exact", level: float = 0.95,
                 current_denominators: ArrayLike = 1.0, previous_denominators: ArrayLike = 1.0) -> np.ndarray:
    """+1 significant increase, −1 significant reduction, 0 no significant change (or missing).

    ``exact``: the conditional test's p-value is below 1 − level. ``overlap``: the two periods'
    intervals on their rates (count ÷ denominator) at ``level`` do not overlap.
    """
    level = confidence_level(level)
    c, p = np.broadcast_arrays(as_counts(current), as_counts(previous))
    if method == "exact":
        significant = poisson_change_p_values(c, p, current_denominators, previous_denominators) < 1 - level
        rate_c = c / np.asarray(current_denominators, dtype=float)
        rate_p = p / np.asarray(previous_denominators, dtype=float)
        return np.where(significant, np.sign(rate_c - rate_p), 0).astype(np.int8)
    if method == "overlap":
        c_low, c_high = rate_limits(c, current_denominators, level, 1.0)
        p_low, p_high = rate_limits(p, previous_denominators, level, 1.0)
        return np.where(c_low > p_high, 1, np.where(c_high < p_low, -1, 0)).astype(np.int8)
    raise ValueError(f"unknown change test {method!r}: use 'exact' or 'overlap'")
