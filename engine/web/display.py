"""Figures in words, UK style, exactly as the workbook's number formats show them.

The page must read the same as the workbook: 1,234; 12.3; 45.0%; +3.1%; +4.8 pp. A number the
Report hides by small-number suppression shows as ``suppressed``; one it has no figure for, ``n/a``.
"""
from __future__ import annotations

from engine.report import NOT_AVAILABLE, SUPPRESSED, Kpi

ARROWS = {"Increase (significant)": "▲", "Reduction (significant)": "▼", "No significant change": "►"}


def value(number: float | None, kind: str, missing: str = NOT_AVAILABLE) -> str:
    """A figure in its format: ``count`` 1,234; ``rate`` 12.3; ``percent`` (a fraction) 45.0%."""
    if number is None:
        return missing
    if kind == "percent":
        return f"{number * 100:,.1f}%"
    if kind == "rate":
        return f"{number:,.1f}"
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,.1f}"


def signed(number: float | None, kind: str, missing: str = NOT_AVAILABLE) -> str:
    """A change: +12 (counts), +1.5 (rates), +4.8 pp (a change in a percentage)."""
    if number is None:
        return missing
    if kind == "percent":
        return f"{number * 100:+,.1f} pp"
    return f"{number:+,.1f}" if kind == "rate" or not float(number).is_integer() else f"{number:+,.0f}"


def percent_change(fraction: float | None, missing: str = NOT_AVAILABLE) -> str:
    return missing if fraction is None else f"{fraction * 100:+,.1f}%"


def kpi_missing(kpi: Kpi) -> str:
    """What a KPI's absent figure is called: hidden by suppression, or not available (the workbook's rule)."""
    return NOT_AVAILABLE if kpi.measured and kpi.direction != SUPPRESSED else SUPPRESSED


def direction(text: str) -> str:
    """"▲ Increase (significant)", as the workbook's Summary says it."""
    arrow = ARROWS.get(text)
    return f"{arrow} {text}" if arrow else text
