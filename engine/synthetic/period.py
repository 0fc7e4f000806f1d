"""The calendar the synthetic extracts cover: days, months, financial quarters and years.

All dates are drawn inside the months the demo's police data covers, so every partner source
lines up with the police source's windows. Financial years start in April, as partners' returns do.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.months import month_number, month_of, month_text, year_of

FY_START_MONTH = 4


@dataclass(frozen=True)
class Quarter:
    """A financial quarter: ``label`` like ``Q1 2021-22`` (safe as a sheet name)."""

    label: str
    first_day: np.datetime64
    last_day: np.datetime64


def fy_label(start_year: int, separator: str = "/") -> str:
    """``2021/22`` for the year starting April 2021."""
    return f"{start_year}{separator}{(start_year + 1) % 100:02d}"


def _first_day(month: int) -> np.datetime64:
    return np.datetime64(month_text(month), "D")


@dataclass(frozen=True)
class Period:
    first_month: int  # month numbers (engine.months)
    last_month: int

    @classmethod
    def from_text(cls, first: str, last: str) -> "Period":
        period = cls(month_number(first), month_number(last))
        if period.last_month < period.first_month:
            raise ValueError(f"period ends ({last}) before it starts ({first})")
        return period

    @property
    def first_day(self) -> np.datetime64:
        return _first_day(self.first_month)

    @property
    def last_day(self) -> np.datetime64:
        return _first_day(self.last_month + 1) - 1

    @property
    def days(self) -> np.ndarray:
        return np.arange(self.first_day, self.last_day + 1)

    @property
    def years(self) -> float:
        """Length in years, to turn annual rates into expected counts."""
        return (self.last_month - self.first_month + 1) / 12

    @property
    def span_text(self) -> str:
        """``01/11/2020 to 31/10/2022``, for the notes above a table."""
        return f"{self.first_day.astype(object):%d/%m/%Y} to {self.last_day.astype(object):%d/%m/%Y}"

    def random_days(self, rng: np.random.Generator, n: int, seasonality: list[float] | None = None) -> np.ndarray:
        """``n`` dates in the period, uniform or weighted by a month-of-year profile (Jan..Dec)."""
        days = self.days
        if seasonality is None:
            return days[rng.integers(0, len(days), n)]
        months = days.astype("datetime64[M]").astype(int) % 12
        weights = np.asarray(seasonality, dtype=float)[months]
        return days[rng.choice(len(days), size=n, p=weights / weights.sum())]

    def quarters(self) -> list[Quarter]:
        """Financial quarters lying wholly inside the period, oldest first."""
        out = []
        month = self.first_month + (-(self.first_month - (FY_START_MONTH - 1)) % 3)
        while month + 2 <= self.last_month:
            fy_start = year_of(month) if month_of(month) >= FY_START_MONTH else year_of(month) - 1
            number = (month - (fy_start * 12 + FY_START_MONTH - 1)) // 3 + 1
            out.append(Quarter(f"Q{number} {fy_label(fy_start, '-')}", _first_day(month), _first_day(month + 3) - 1))
            month += 3
        return out

    def financial_years(self, count: int) -> list[int]:
        """Start years of the ``count`` complete April-March years ending by the period end."""
        last_complete = (self.last_month - (FY_START_MONTH - 2)) // 12 - 1  # its March is in the period
        return list(range(last_complete - count + 1, last_complete + 1))
