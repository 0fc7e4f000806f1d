"""Every partner area's rate for one indicator beside the benchmark's: the Comparisons bar chart."""
from __future__ import annotations

import numpy as np

from engine.report import AreaComparison
from engine.spec.models import Indicator
from engine.stats import rate_limits, rates

#: The intervals shown beside each area's rate on the web page's bars (the workbook's bands use their own levels).
COMPARISON_CONFIDENCE = 0.95


def area_comparison(indicator: Indicator, partner_names: list[str], partner_current: np.ndarray,
                    partner_population: np.ndarray, benchmark_rate: float) -> AreaComparison:
    """The same object serves every partner's workbook: each sees itself among the others."""
    partner_rates = rates(partner_current, partner_population, indicator.rate_per)
    lower, upper = rate_limits(partner_current, partner_population, COMPARISON_CONFIDENCE, indicator.rate_per)
    return AreaComparison(indicator.id, indicator.name, indicator.unit, indicator.rate_per, indicator.polarity,
                          list(partner_names), [int(c) for c in partner_current], [float(r) for r in partner_rates],
                          benchmark_rate, lowers=[float(v) for v in lower], uppers=[float(v) for v in upper])
