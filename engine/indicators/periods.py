"""The periods a report covers: rolling windows and financial years, as month numbers."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace

from engine.errors import Problem, SpecError
from engine.months import MONTH_ABBREVIATIONS, month_label, month_number, month_of, year_of
from engine.spec.models import Periods


@dataclass(frozen=True)
class Window:
    first: int
    last: int

    @property
    def label(self) -> str:
        return f"{month_label(self.first)} – {month_label(self.last)}"

    @property
    def short_label(self) -> str:
        """``'Nov 21–Jan 22'``: fits a narrow column header."""
        return f"{MONTH_ABBREVIATIONS[month_of(self.first)]} {year_of(self.first) % 100:02d}–" \
               f"{MONTH_ABBREVIATIONS[month_of(self.last)]} {year_of(self.last) % 100:02d}"

    def months(self) -> range:
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class FinancialYearColumn:
    window: Window
    label: str
    covered_months: int  # how many of its months the data has, up to the period end


@dataclass(frozen=True)
class ReportPeriods:
    end: int
    current: Window
    previous: Window
    years: list[FinancialYearColumn]
    quarters: list[Window]  # the sparkline's rolling quarters ending at ``end``, oldest first

    @property
    def first_needed(self) -> int:
        return min([self.previous.first, self.quarters[0].first] + [y.window.first for y in self.years])

    @property
    def windows_first(self) -> int:
        """The first month the rolling windows and quarters need (a gap there is an error; before it, only
        the financial-year trend is affected)."""
        return min(self.previous.first, self.quarters[0].first)

    def without_months(self, gaps: set[int]) -> "ReportPeriods":
        """These periods with the financial years' covered months reduced by months the data lacks."""
        if not gaps:
            return self
        years = [replace(y, covered_months=y.covered_months - sum(1 for m in gaps if y.window.first <= m <= y.window.last))
                 for y in self.years]
        return replace(self, years=years)


def resolve_period_end(periods: Periods, override: str | None, latest_in_data: int, spec_file: str) -> int:
    """The month the report runs to: the CLI's --period-end, else the spec's, else the latest data month."""
    text = override or periods.period_end
    if text == "latest":
        return latest_in_data
    try:
        return month_number(text)
    except ValueError:
        where = "--period-end" if override else "periods.period_end"
        raise SpecError(Problem(f"period end must be YYYY-MM, not {text!r}", file=spec_file, key_path=where)) from None


def financial_years(periods: Periods, end: int, first_data_month: int) -> list[FinancialYearColumn]:
    """Financial years up to the one holding ``end``, oldest first, dropping years with no data."""
    start_month = periods.financial_year.start_month
    offset = (month_of(end) - start_month) % 12
    latest_start = end - offset
    columns = []
    for back in range(periods.trend_years - 1, -1, -1):
        first = latest_start - 12 * back
        window = Window(first, first + 11)
        covered = max(0, min(window.last, end) - max(window.first, first_data_month) + 1)
        if covered == 0:
            continue
        start_year, end_year = year_of(window.first), year_of(window.last)
        label = periods.financial_year.label.format(start_year=start_year, end_year=end_year,
                                                    short_end_year=f"{end_year % 100:02d}")
        columns.append(FinancialYearColumn(window, label, covered))
    return columns


SPARKLINE_QUARTERS = 8


def rolling_quarters(end: int, count: int = SPARKLINE_QUARTERS) -> list[Window]:
    """``count`` three-month windows ending at ``end``, oldest first: a trend that is never a partial quarter."""
    return [Window(end - 3 * (count - k) + 1, end - 3 * (count - k - 1)) for k in range(count)]


def report_periods(periods: Periods, end: int, first_data_month: int) -> ReportPeriods:
    size = periods.window_months
    current = Window(end - size + 1, end)
    previous = Window(end - 2 * size + 1, end - size)
    return ReportPeriods(end, current, previous, financial_years(periods, end, first_data_month), rolling_quarters(end))


def generated_timestamp(end: int) -> dt.datetime:
    """The day the workbook is made (UTC, at midnight): ``SOURCE_DATE_EPOCH`` if set, else today.

    A day, not a time: the same spec and data on the same day give the same bytes, so that "changed
    since the last send?" is a checksum comparison; ``SOURCE_DATE_EPOCH`` fixes it for reproducible
    builds. The data's period is stated beside it on every sheet (``end`` is kept for callers that
    date by the period).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    today = dt.datetime.now(dt.timezone.utc).date()
    return dt.datetime(today.year, today.month, today.day)
