"""Month of year × year for chosen indicators (spec ``seasonality``), over every year the data holds.

The seeds read seasonality off a multi-year monthly profile: "the period February to May has the
highest volume of offences", "a seasonal peak in June". The table puts each year in a column and
each month of the year in a row. A month the source has no rows for at all (before the data starts,
after the period end) is missing, never zero: it stays empty, and says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.months import MONTH_ABBREVIATIONS, month_label, month_of, year_of
from engine.report import MethodNote, SeasonalTable
from engine.spec.models import Indicator, Periods, Seasonality, Spec


@dataclass(frozen=True)
class SeasonalCounts:
    """One indicator's counts for every partner area, laid out month of year × year."""

    indicator: Indicator
    counts: np.ndarray  # [partner, month row, year column]
    known: np.ndarray  # [month row, year column]: the source has rows for that month


def year_starts(first: int, end: int, start_month: int) -> list[int]:
    """The first month of every year (starting in ``start_month``) that holds a month of ``first``..``end``."""
    first_start = first - (month_of(first) - start_month) % 12
    return list(range(first_start, end + 1, 12))


def year_label(start: int, settings: Seasonality, periods: Periods) -> str:
    if settings.years == "calendar":
        return str(year_of(start))
    end_year = year_of(start + 11)
    return periods.financial_year.label.format(start_year=year_of(start), end_year=end_year,
                                               short_end_year=f"{end_year % 100:02d}")


def seasonal_counts(indicator: Indicator, partner_by_month: np.ndarray, first: int, end: int,
                    months_with_rows: set[int], starts: list[int]) -> SeasonalCounts:
    """Place ``partner_by_month`` ([partner, month − first], months ``first``..``end``) on the grid."""
    n_partners = partner_by_month.shape[0]
    counts = np.zeros((n_partners, 12, len(starts)), dtype=np.int64)
    known = np.zeros((12, len(starts)), dtype=bool)
    for column, start in enumerate(starts):
        for row in range(12):
            month = start + row
            if first <= month <= end and month in months_with_rows:
                counts[:, row, column] = partner_by_month[:, month - first]
                known[row, column] = True
    return SeasonalCounts(indicator, counts, known)


def seasonal_table(settings: Seasonality, periods: Periods, grid: SeasonalCounts, starts: list[int],
                   first: int, end: int, p: int) -> SeasonalTable:
    """One partner area's table for one indicator."""
    start_month = month_of(starts[0])
    months = [MONTH_ABBREVIATIONS[(start_month - 1 + row) % 12 + 1] for row in range(12)]
    values = [[int(grid.counts[p, row, column]) if grid.known[row, column] else None for column in range(len(starts))]
              for row in range(12)]
    indicator = grid.indicator
    return SeasonalTable(indicator.id, indicator.name, indicator.unit, settings.title,
                         [year_label(s, settings, periods) for s in starts], months, values,
                         month_label(first), month_label(end))


def seasonality_note(spec: Spec) -> MethodNote | None:
    """What the Trends sheet's seasonal tables count, for the Methodology sheet."""
    if spec.seasonality is None:
        return None
    years = "calendar years" if spec.seasonality.years == "calendar" else "financial years"
    names = ", ".join(spec.indicator(i).name for i in spec.seasonality.indicators)
    return MethodNote("Seasonality", f"The Trends sheet's seasonal tables ({names}) count each month of the year in "
                                     f"every {years[:-1]} the data holds, one column per year, for the partner area. "
                                     "A month outside the data is left blank: not recorded, not zero. In a "
                                     "privacy-protected build a month that is, or would reveal, a small count of a "
                                     "sensitive indicator reads 'suppressed', and that table's chart is left out.")
