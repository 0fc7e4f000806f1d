"""A dashboard KPI's figures in their own number formats: counts as 1,234, proportions as 45.0% with their
change in percentage points, rates of a measured indicator as 24.9; "n/a" where there is no figure.

The partner workbook's Summary formats measured KPIs the same way (:mod:`engine.render.summary`); the
dashboard's columns sit elsewhere, so it writes them here, with the Summary's formats.
"""
from __future__ import annotations

import math

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from engine.render.dashboard_parts import percent_change
from engine.render.formats import Formats
from engine.render.summary import POINTS, RATE_CHANGE
from engine.render.trends import value_format
from engine.report import NOT_AVAILABLE, Kpi

__all__ = ["figures", "measured_figures", "write_figure"]


def figures(kpi: Kpi) -> list:
    """Previous, current, change and % change as the table's first values (a measured KPI's are rewritten by
    :func:`measured_figures` in their own formats; "n/a" where there is none)."""
    shown = [NOT_AVAILABLE if v is None else v for v in (kpi.previous, kpi.current, kpi.change)]
    return shown + [percent_change(kpi.percent_change)]


def write_figure(sheet: Worksheet, formats: Formats, row: int, col: int, value: float | None,
                 cell_format: Format) -> None:
    """A number in its format, or "n/a" (right-aligned, under the numbers) when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        sheet.write_string(row, col, NOT_AVAILABLE, formats.get(align="right"))
    else:
        sheet.write_number(row, col, value, cell_format)


def measured_figures(sheet: Worksheet, formats: Formats, kpi: Kpi, row: int, first_col: int) -> None:
    """Previous, current and change of a measured KPI (from ``first_col``): % and pp for a proportion, a rate's
    one decimal, a count's thousands."""
    figure = value_format(formats, kpi.value_format)
    write_figure(sheet, formats, row, first_col, kpi.previous, figure)
    write_figure(sheet, formats, row, first_col + 1, kpi.current, figure)
    if kpi.value_format == "percent":
        change, change_format = (None if kpi.change is None else kpi.change * 100), formats.get(num_format=POINTS)
    else:
        change_format = formats.get(num_format=RATE_CHANGE) if kpi.value_format == "rate" else formats.change
        change = kpi.change
    write_figure(sheet, formats, row, first_col + 2, change, change_format)
