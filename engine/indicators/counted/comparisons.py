"""Every partner area's rate for one indicator beside the benchmark's: the Comparisons bar chart."""
from __future__ import annotations

import numpy as np

from engine.report import AreaComparison
from engine.spec.models import Indicator


def area_comparison(indicator: Indicator, partner_names: list[str], partner_current: np.ndarray,
                    partner_population: np.ndarray, benchmark_rate: float) -> AreaComparison:
    """The same object serves every partner's workbook: each sees itself among the others."""
    rates = partner_current / partner_population * indicator.rate_per
    return AreaComparison(indicator.id, indicator.name, indicator.unit, indicator.rate_per, indicator.polarity,
                          list(partner_names), [int(c) for c in partner_current], [float(r) for r in rates],
                          benchmark_rate)
