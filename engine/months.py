"""Months as integers (year × 12 + month − 1), so that windows and years are plain arithmetic."""
from __future__ import annotations

import datetime as dt


MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
MONTH_ABBREVIATIONS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_number(text: str) -> int:
    """``'2022-10'`` -> a month number; raises ValueError on anything else."""
    year, month = text.split("-")
    if len(year) != 4 or not 1 <= int(month) <= 12:
        raise ValueError(text)
    return int(year) * 12 + int(month) - 1


def year_of(number: int) -> int:
    return number // 12


def month_of(number: int) -> int:
    """Calendar month 1..12."""
    return number % 12 + 1


def month_text(number: int) -> str:
    """``'2022-10'``."""
    return f"{year_of(number):04d}-{month_of(number):02d}"


def month_label(number: int, long: bool = False) -> str:
    """``'Oct 2022'`` or ``'October 2022'``: how the seeds write months."""
    names = MONTH_NAMES if long else MONTH_ABBREVIATIONS
    return f"{names[month_of(number)]} {year_of(number)}"


def month_date(number: int) -> dt.date:
    """The first day of the month, for Excel date cells and chart axes."""
    return dt.date(year_of(number), month_of(number), 1)
