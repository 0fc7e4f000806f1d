"""Quarters and financial years as partner tables write them, read as their last month.

UK public bodies report by financial year (April to March unless stated) and its quarters:
``Q1 2021-22`` is April–June 2021. Returns write the same period many ways — ``Q1 2021-22``,
``Q1 2021/22``, ``2021/22 Q1``, ``2021-22 Q1``, ``Q1 FY2021/22``; years as ``2021/22``, ``2021-22``,
``2021/2022``, ``FY 2021/22``, ``FY21/22``. Each is read as the period's *last* month
(``2021-06`` for ``Q1 2021-22``), so that a quarterly or annual table lands in the same month
column as monthly data, and its source records the period length (3 or 12 months) for the
period checks. A year whose second part does not follow its first (``2021/23``) is not a period.
"""
from __future__ import annotations

import re

from engine.vocabulary.periods import DEFAULT_START_MONTH, FINANCIAL_YEAR, PERIOD_MONTHS, QUARTER  # noqa: F401 - re-exported

_YEAR = r"(?:FY\s*)?(?P<start>\d{4}|\d{2})\s*[-/–]\s*(?P<end>\d{4}|\d{2})"
_YEAR_ONLY = re.compile(rf"^{_YEAR}$", re.IGNORECASE)
_QUARTER_FIRST = re.compile(rf"^Q(?P<q>[1-4])\s*,?\s*{_YEAR}$", re.IGNORECASE)
_YEAR_FIRST = re.compile(rf"^{_YEAR}\s*,?\s*Q(?P<q>[1-4])$", re.IGNORECASE)

DESCRIPTIONS = {
    QUARTER: "a quarter such as Q1 2021-22, Q1 2021/22 or 2021/22 Q1",
    FINANCIAL_YEAR: "a financial year such as 2021/22, 2021-22 or FY 2021/22",
}


def _start_year(start: str, end: str) -> int | None:
    """The year the period starts in, if ``end`` is the year after ``start`` (two or four digits each)."""
    first = int(start) + (2000 if len(start) == 2 else 0)
    following = first + 1
    if len(end) == 2:
        return first if int(end) == following % 100 else None
    return first if int(end) == following else None


def _month_text(year: int, month: int) -> str:
    """``YYYY-MM`` of month ``month`` counted from January of ``year`` (months past 12 roll into later years)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}"


def period_end(text: str, kind: str, start_month: int = DEFAULT_START_MONTH) -> str | None:
    """The last month (``YYYY-MM``) of the quarter or financial year ``text`` names, or None if it names none.

    ``start_month`` is the month the financial year starts in (4: April to March).
    """
    text = " ".join(text.split())
    if kind == FINANCIAL_YEAR:
        match = _YEAR_ONLY.match(text)
        quarter = 4
    else:
        match = _QUARTER_FIRST.match(text) or _YEAR_FIRST.match(text)
        quarter = int(match.group("q")) if match else 0
    if not match:
        return None
    year = _start_year(match.group("start"), match.group("end"))
    if year is None:
        return None
    return _month_text(year, start_month + 3 * quarter - 1)
