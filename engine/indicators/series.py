"""Each indicator over time for each partner area: rolling quarters (sparklines) and the monthly
profile of the current window with its peak, if the peak is real."""
from __future__ import annotations

import numpy as np

from engine.indicators.periods import ReportPeriods, Window
from engine.months import month_date
from engine.report import IndicatorSeries, Peak
from engine.spec.models import Indicator
from engine.stats.seasonal import busiest_run

PEAK_MONTHS = 3  # the seeds name peaks as three-month runs: "a peak from November to January"


def _window_columns(window: Window, first_month: int) -> slice | None:
    """Columns of a count matrix that starts at ``first_month`` covering ``window``; None if not all covered."""
    if window.first < first_month:
        return None
    return slice(window.first - first_month, window.last - first_month + 1)


def partner_series(indicator: Indicator, partner_by_month: np.ndarray, first_month: int, periods: ReportPeriods,
                   significance: float) -> list[IndicatorSeries]:
    """One IndicatorSeries per partner area from ``partner_by_month[partner, month − first_month]``.

    ``significance`` is the p-value below which the busiest months are called a peak.
    """
    quarter_columns = [_window_columns(q, first_month) for q in periods.quarters]
    quarterly = [[None if cols is None else int(partner_by_month[p, cols].sum()) for cols in quarter_columns]
                 for p in range(partner_by_month.shape[0])]
    current = partner_by_month[:, _window_columns(periods.current, first_month)]
    months = [month_date(m) for m in periods.current.months()]
    labels = [q.short_label for q in periods.quarters]
    series = []
    for p in range(partner_by_month.shape[0]):
        monthly = current[p]
        run = busiest_run(monthly, PEAK_MONTHS)
        peak = None
        if run is not None and run.p_value < significance:
            peak = Peak(months[run.start], months[run.start + run.length - 1], run.count, run.expected, run.p_value)
        series.append(IndicatorSeries(indicator.id, indicator.name, indicator.unit, months,
                                      [int(v) for v in monthly], labels, quarterly[p], peak))
    return series
