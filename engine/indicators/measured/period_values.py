"""Which periods a measured indicator compares, and its sums per partner area over a period.

Two ways of comparing (``measure.compare``):

* ``rolling``: monthly data, the report's current window against the window before, and the
  rolling quarters to the period end for the sparkline, exactly as counts are compared;
* ``previous_period``: the source's own periods. Ingest gives each row of a quarterly or annual
  table the period's last month and the period's length (3 or 12 months; 1 for monthly data).
  The latest period with data up to the period end is compared with the latest one before it
  with data (a question asked once a year is compared with last year's answer), and the
  sparkline shows the last eight periods.

A source without a month column is a snapshot: one period, no comparison.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.indicators.periods import ReportPeriods, Window
from engine.ingest.periods import DEFAULT_START_MONTH
from engine.months import month_label, month_of, year_of

#: The month partners' financial years (and so their quarters) start in unless a source says otherwise.
PARTNER_YEAR_START = DEFAULT_START_MONTH
SERIES_PERIODS = 8
SNAPSHOT = "Snapshot"
PERIOD_NOUNS = {1: "month", 3: "quarter", 12: "financial year"}


@dataclass(frozen=True)
class Span:
    """Months ``first`` to ``last`` (month numbers, inclusive), and how the workbook names them."""

    first: int
    last: int
    label: str

    def holds(self, months: np.ndarray) -> np.ndarray:
        """Which rows' months (period-end months for quarterly and annual tables) fall in the span."""
        return (months >= self.first) & (months <= self.last)


@dataclass(frozen=True)
class MeasurePeriods:
    """The two periods a KPI compares (no previous for a snapshot) and the sparkline's periods."""

    current: Span
    previous: Span | None
    series: list[Span]
    compared_with: str | None  # the previous period in words: "the previous quarter", "Q2 2021-22"
    own_periods: bool  # the source's periods, not the report's rolling windows


def period_label(last: int, months: int, year_start: int = PARTNER_YEAR_START) -> str:
    """``Q1 2022-23`` for a financial quarter, ``2021/22`` for a financial year, ``Oct 2022`` for a month."""
    if months == 1:
        return month_label(last)
    first = last - months + 1
    start_year = year_of(first) if month_of(first) >= year_start else year_of(first) - 1
    if months == 3 and (month_of(first) - year_start) % 3 == 0:
        quarter = (month_of(first) - year_start) % 12 // 3 + 1
        return f"Q{quarter} {start_year}-{(start_year + 1) % 100:02d}"
    if months == 12 and month_of(first) == year_start:
        return f"{start_year}/{(start_year + 1) % 100:02d}"
    return Window(first, last).label


def rolling_periods(periods: ReportPeriods) -> MeasurePeriods:
    """The report's windows, as counts use them: current against previous, rolling quarters for the sparkline."""
    months = periods.current.last - periods.current.first + 1
    return MeasurePeriods(Span(periods.current.first, periods.current.last, periods.current.label),
                          Span(periods.previous.first, periods.previous.last, periods.previous.label),
                          [Span(q.first, q.last, q.short_label) for q in periods.quarters],
                          f"the previous {months} months", own_periods=False)


def snapshot_periods() -> MeasurePeriods:
    """An undated source: every row in one period, nothing to compare with."""
    return MeasurePeriods(Span(-1, -1, SNAPSHOT), None, [], None, own_periods=True)


def own_periods(months_with_data: np.ndarray, period_months: int, end: int,
                year_start: int = PARTNER_YEAR_START) -> MeasurePeriods | None:
    """The latest of the source's periods with data up to ``end`` against the latest one before it.

    ``months_with_data`` are the period-end months of rows that carry the indicator's values.
    None when no period up to ``end`` has data.
    """
    present = np.unique(months_with_data[(months_with_data >= 0) & (months_with_data <= end)])
    if present.size == 0:
        return None
    latest = int(present[-1])

    def span(last: int) -> Span:
        return Span(last - period_months + 1, last, period_label(last, period_months, year_start))

    earlier = present[present < latest]
    previous = span(int(earlier[-1])) if earlier.size else None
    if previous is None:
        words = None
    elif previous.last == latest - period_months:
        words = f"the previous {PERIOD_NOUNS.get(period_months, f'{period_months} months')}"
    else:
        words = previous.label
    series = [span(latest - period_months * back) for back in range(SERIES_PERIODS - 1, -1, -1)]
    return MeasurePeriods(span(latest), previous, series, words, own_periods=True)


def partner_sums(values: np.ndarray, rows: np.ndarray, partner: np.ndarray, n_partners: int) -> tuple[np.ndarray, np.ndarray]:
    """Σ ``values`` over the selected ``rows`` per partner area, and whether any of them is missing (NaN).

    Rows placed in no partner area (negative ``partner``) are left out.
    """
    chosen = rows & (partner >= 0)
    missing = chosen & np.isnan(values)
    known = chosen & ~missing
    sums = np.bincount(partner[known], weights=values[known], minlength=n_partners)[:n_partners]
    unknown = np.bincount(partner[missing], minlength=n_partners)[:n_partners] > 0
    return sums, unknown
