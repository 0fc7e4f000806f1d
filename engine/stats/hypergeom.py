"""The hypergeometric distribution's log pmf, cdf and survival function over arrays, without ``scipy.stats``.

Fisher's exact test (:mod:`engine.stats.proportions`) needs only these three, but importing
``scipy.stats`` to get them costs half a second of every command that tests a proportion (the
package builds every distribution's docstrings on import) and each call through its generic
``rv_discrete`` layer checks and reshapes its arguments again, for a few microseconds of arithmetic
— some 0.4 s of a warm ``saferbook demo`` in all. The functions here return the same float64 values,
bit for bit, as ``scipy.stats.hypergeom`` (tests/test_hypergeom.py checks them against it): the log
pmf by scipy's own formula of ``betaln`` terms, the cdf and survival function from the Boost
routines in ``scipy.special`` that ``scipy.stats.hypergeom`` itself calls, and the same values
outside the support (−inf; 0 or 1).

Arguments follow ``scipy.stats.hypergeom``: ``k`` successes among ``draws`` taken from ``total``
items of which ``flagged`` are successes. All must be whole numbers with 0 <= flagged, draws <= total
and total > 0 (the callers ensure it); they broadcast.

A SciPy too old to have the Boost routines in ``scipy.special`` (before 1.12) falls back to
``scipy.stats.hypergeom``: the same values, at the old cost.
"""
from __future__ import annotations

import numpy as np
from scipy.special import betaln

try:  # scipy >= 1.12 keeps the Boost hypergeometric routines scipy.stats.hypergeom uses in scipy.special
    from scipy.special._ufuncs import _hypergeom_cdf, _hypergeom_sf
except ImportError:  # pragma: no cover - an older SciPy: scipy.stats.hypergeom itself
    _hypergeom_cdf = _hypergeom_sf = None


def _arrays(k, total, flagged, draws) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(a) for a in np.broadcast_arrays(k, total, flagged, draws))


def _support(total: np.ndarray, flagged: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest possible count of successes."""
    return np.maximum(draws - (total - flagged), 0), np.minimum(flagged, draws)


def logpmf(k, total, flagged, draws) -> np.ndarray:
    """log P(K = k); −inf outside the support."""
    k, total, flagged, draws = _arrays(k, total, flagged, draws)
    if _hypergeom_cdf is None:  # pragma: no cover
        from scipy.stats import hypergeom

        return hypergeom.logpmf(k, total, flagged, draws)
    low, high = _support(total, flagged, draws)
    inside = (k >= low) & (k <= high)
    output = np.full(k.shape, -np.inf)
    if inside.any():
        k, good, tot, n = k[inside], flagged[inside], total[inside], draws[inside]
        bad = tot - good
        output[inside] = (betaln(good + 1, 1) + betaln(bad + 1, 1) + betaln(tot - n + 1, n + 1)
                          - betaln(k + 1, good - k + 1) - betaln(n - k + 1, bad - n + k + 1) - betaln(tot + 1, 1))
    return output


def cdf(k, total, flagged, draws) -> np.ndarray:
    """P(K <= k): 0 below the support, 1 from its top."""
    k, total, flagged, draws = _arrays(k, total, flagged, draws)
    if _hypergeom_cdf is None:  # pragma: no cover
        from scipy.stats import hypergeom

        return hypergeom.cdf(k, total, flagged, draws)
    low, high = _support(total, flagged, draws)
    inside = (k >= low) & (k < high)
    output = np.where(k >= high, 1.0, 0.0)
    if inside.any():
        output[inside] = np.clip(_hypergeom_cdf(k[inside], flagged[inside], draws[inside], total[inside]), 0, 1)
    return output


def sf(k, total, flagged, draws) -> np.ndarray:
    """P(K > k): 1 below the support, 0 from its top."""
    k, total, flagged, draws = _arrays(k, total, flagged, draws)
    if _hypergeom_sf is None:  # pragma: no cover
        from scipy.stats import hypergeom

        return hypergeom.sf(k, total, flagged, draws)
    low, high = _support(total, flagged, draws)
    inside = (k >= low) & (k < high)
    output = np.where(k < low, 1.0, 0.0)
    if inside.any():
        output[inside] = np.clip(_hypergeom_sf(k[inside], flagged[inside], draws[inside], total[inside]), 0, 1)
    return output
