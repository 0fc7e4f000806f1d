"""The ratio of two crude rates, with its exact confidence interval and test.

"People in the most deprived tenth of neighbourhoods were 2.4 times as likely to be victims of
crime" is a rate ratio: (O₁ ÷ n₁) ÷ (O₂ ÷ n₂). Given the O₁ + O₂ events, O₁ is
Binomial(O₁ + O₂, π) with π = n₁θ ÷ (n₁θ + n₂) when the true ratio is θ, so an exact interval
for π (Clopper–Pearson, from the beta distribution) gives an exact interval for θ = π ÷ (1 − π) ×
n₂ ÷ n₁; R's ``poisson.test(c(O₁, O₂), c(n₁, n₂))`` reports the same interval. The p-value (θ = 1)
is the exact conditional test of :func:`engine.stats.change.poisson_change_p_values`, with the
two populations as exposures.

Vectorised; a missing input, or no events in both groups, gives NaN; no events in the second
group gives an infinite ratio and upper limit.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaincinv

from engine.stats.change import poisson_change_p_values
from engine.stats.intervals import as_counts, as_denominators, confidence_level


class RateRatio(NamedTuple):
    ratio: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    p_value: np.ndarray  # two-sided, exact conditional test of equal rates


def _odds_to_ratio(pi: np.ndarray, scale: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pi >= 1, np.inf, pi / (1 - pi) * scale)


def rate_ratio(counts_1: ArrayLike, denominators_1: ArrayLike, counts_2: ArrayLike, denominators_2: ArrayLike,
               confidence: float = 0.95) -> RateRatio:
    """Rate ratio (group 1 ÷ group 2) with exact limits at ``confidence`` and the exact test's p-value."""
    alpha = 1 - confidence_level(confidence)
    o1, o2 = np.broadcast_arrays(as_counts(counts_1), as_counts(counts_2))
    n1, n2 = np.broadcast_arrays(as_denominators(denominators_1), as_denominators(denominators_2))
    scale = n2 / n1
    total = o1 + o2
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total > 0, (o1 / n1) / (o2 / n2), np.nan)
        # Clopper–Pearson limits for π: Beta(α/2; O₁, O₂ + 1) and Beta(1 − α/2; O₁ + 1, O₂).
        low_pi = np.where(o1 > 0, betaincinv(np.where(o1 > 0, o1, 1), o2 + 1, alpha / 2), 0.0)
        high_pi = np.where(o2 > 0, betaincinv(o1 + 1, np.where(o2 > 0, o2, 1), 1 - alpha / 2), 1.0)
    missing = np.isnan(ratio)
    lower = np.where(missing, np.nan, _odds_to_ratio(low_pi, scale))
    upper = np.where(missing, np.nan, _odds_to_ratio(high_pi, scale))
    p_value = np.where(missing, np.nan, poisson_change_p_values(np.where(missing, 0, o1), np.where(missing, 0, o2),
                                                                n1, n2))
    return RateRatio(ratio, lower, upper, p_value)
