"""What each cell of a workbook being written holds, read from xlsxwriter's own records, not from the file.

Refresh in Excel copies the engine's ranges from the workbook the engine would build now. Writing that
workbook out and parsing it back (openpyxl) was half of a refresh after a source changed, and every
value is already in xlsxwriter's records (``worksheet.table``, as :mod:`engine.render.settings_sheet`
reads them). Each value is given as openpyxl reads it back from the file — text, numbers as the file
spells them (an integral number is an ``int``), booleans, error codes as text, dates as ``datetime``,
formulas as :class:`~engine.contract.cell_value.Formula` — and tests/test_addin_warm.py checks that
against openpyxl for whole workbooks.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from xlsxwriter.workbook import Workbook

from engine.contract.cell_value import Formula

Cells = dict[tuple[int, int], Any]
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01 after Excel's phantom 29 February 1900


def _number(number: float) -> int | float:
    """The number as the file spells it (``{:.16G}``) and openpyxl reads it: an int unless it has a point or an E."""
    text = f"{number:.16G}"
    return float(text) if "." in text or "E" in text else int(text)


def _date(serial: float) -> dt.datetime:
    return _EXCEL_EPOCH + dt.timedelta(days=serial if serial >= 61 else serial + 1)


def _value(cell: Any, strings: dict[int, str]) -> Any:
    kind = type(cell).__name__
    if kind == "Number":
        return _number(cell.number)
    if kind == "String":
        return strings[cell.string] if isinstance(cell.string, int) else cell.string
    if kind == "RichString":
        return cell.raw_string
    if kind == "Formula":
        return Formula("=" + cell.formula)
    if kind == "Boolean":
        return bool(cell.boolean)
    if kind == "Error":
        return cell.error
    if kind == "Datetime":
        return _date(cell.number)
    if kind == "Blank":
        return None
    raise TypeError(f"a {kind} cell: not one the engine writes")  # an array formula, say: add it here and to the test


def written_cells(workbook: Workbook) -> dict[str, Cells]:
    """Every worksheet's non-empty cells, by sheet name; call it once every sheet is written (before close)."""
    strings = {index: text for text, index in workbook.str_table.string_table.items()}
    sheets: dict[str, Cells] = {}
    for sheet in workbook.worksheets():
        cells: Cells = {}
        for row, columns in sheet.table.items():
            for col, cell in columns.items():
                value = _value(cell, strings)
                if value is not None:
                    cells[(row, col)] = value
        sheets[sheet.name] = cells
    return sheets
