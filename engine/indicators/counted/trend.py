"""The trend table: each trend indicator's counts by financial year (and month) for every partner area.

Counted once for all partner areas; each partner's table is then its row of these counts, with the
Grand Total and monthly totals summed from the rows it shows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from engine.indicators.counted.results import IndicatorCounts, sum_by_partner, window_sum
from engine.indicators.periods import ReportPeriods
from engine.months import month_of, year_of
from engine.report import TrendRow, TrendTable
from engine.spec.models import Spec


@dataclass(frozen=True)
class TrendCounts:
    """The trend table's counts for every partner area, and the months each cell sums."""

    columns: list[str]
    notes: list[str]
    months: list[dt.date]
    year_months: list[range]  # offsets from the first month counted, per financial-year column
    shown: range  # offsets of the monthly table's months
    years: dict[str, np.ndarray]  # indicator id -> [partner, financial year]
    monthly: dict[str, np.ndarray]  # indicator id -> [partner, month shown]


def trend_counts(spec: Spec, periods: ReportPeriods, all_counts: dict[str, IndicatorCounts],
                 first_month: int, n_partners: int) -> TrendCounts | None:
    """Category × financial year (and × month) for every partner area."""
    if spec.trend_table is None or not periods.years:
        return None
    columns = [y.label + ("" if y.covered_months == 12 else f" ({y.covered_months} of 12 months)") for y in periods.years]
    notes = [f"{y.label} covers {y.window.label}; the data holds {y.covered_months} of its 12 months."
             for y in periods.years if y.covered_months < 12]
    first_shown = max(periods.years[0].window.first, first_month)
    months = [dt.date(year_of(m), month_of(m), 1) for m in range(first_shown, periods.end + 1)]
    year_months = [range(max(y.window.first, first_month) - first_month, min(y.window.last, periods.end) - first_month + 1)
                   for y in periods.years]
    years, monthly = {}, {}
    for indicator_id in spec.trend_table.rows:
        counts = all_counts[indicator_id]
        per_year = np.stack([window_sum(counts, first_month, y.window.first, min(y.window.last, periods.end))
                             for y in periods.years], axis=1)
        years[indicator_id] = sum_by_partner(per_year, counts.partner_of, n_partners)
        monthly[indicator_id] = sum_by_partner(counts.by_month[:, first_shown - first_month:], counts.partner_of,
                                                n_partners)
    return TrendCounts(columns, notes, months, year_months, range(first_shown - first_month, periods.end - first_month + 1),
                       years, monthly)



def trend_table(spec: Spec, trend: TrendCounts, p: int, hidden: set) -> TrendTable:
    """One partner area's trend table; the Grand Total and monthly totals are the sums of the rows."""
    def shown(key: tuple, value: int) -> int | None:
        return None if key in hidden else int(value)

    assert spec.trend_table is not None
    ids = spec.trend_table.rows
    rows = [TrendRow(i, spec.indicator(i).name,
                     [shown(("year", i, j), v) for j, v in enumerate(trend.years[i][p])],
                     [shown(("month", i, m), v) for m, v in zip(trend.shown, trend.monthly[i][p])]) for i in ids]
    grand_total = [shown(("year_total", j), sum(trend.years[i][p][j] for i in ids)) for j in range(len(trend.columns))]
    monthly_totals = [shown(("month_total", m), sum(trend.monthly[i][p][k] for i in ids)) for k, m in enumerate(trend.shown)]
    return TrendTable(spec.trend_table.title, trend.columns, rows, grand_total, trend.notes, trend.months, monthly_totals)

