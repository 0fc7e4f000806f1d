"""What each cell of a workbook being written holds, read from xlsxwriter's own records, not from the file.

Refresh in Excel copies the engine's ranges from the workbook the engine would build now. Writing that
workbook out and parsing it back (openpyxl) was half of a refresh after a source changed, and every
value is already in xlsxwriter's records (``worksheet.table``, as :mod:`engine.render.settings_sheet`
reads them). Each value is given as openpyxl reads it back from the file — text, numbers as the file
spells them (an integral number is an ``int``), booleans, error codes as text, dates as ``datetime``,
formulas as :class:`~engine.contract.cell_value.Formula` — and tests/test_addin_warm.py checks that
against openpyxl for whole workbooks. With the values come the cells' horizontal alignments: Refresh keeps the
formats of the cells it writes, but a word standing for a figure must sit where the number would, as it does in
the build (:mod:`engine.contract.figure_words`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook

from engine.contract.cell_value import Formula

Cells = dict[tuple[int, int], Any]
Alignments = dict[tuple[int, int], str]
#: xlsxwriter's horizontal alignment codes (``Format.text_h_align``) by the names Excel and xlwings give them.
HORIZONTAL = {1: "left", 2: "center", 3: "right", 4: "fill", 5: "justify", 6: "center_across_selection",
              7: "distributed"}
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


@dataclass(frozen=True)
class WrittenCells:
    """What each sheet of a workbook holds, by sheet name: ``values`` its non-empty cells', ``alignments`` the
    horizontal alignment of each written cell whose format sets one (a cell not listed is General: numbers right,
    text left)."""

    values: dict[str, Cells]
    alignments: dict[str, Alignments]


def written_cells(workbook: Workbook) -> WrittenCells:
    """Every worksheet's cells; call it once every sheet is written (before close). A cell's alignment is its own
    format's: the engine gives no row or column a format of its own, which a cell written without one would take."""
    strings = {index: text for text, index in workbook.str_table.string_table.items()}
    values: dict[str, Cells] = {}
    alignments: dict[str, Alignments] = {}
    for sheet in workbook.worksheets():
        cells: Cells = {}
        aligned: Alignments = {}
        for row, columns in sheet.table.items():
            for col, cell in columns.items():
                value = _value(cell, strings)
                if value is not None:
                    cells[(row, col)] = value
                horizontal = HORIZONTAL.get(cell.format.text_h_align) if cell.format is not None else None
                if horizontal is not None:
                    aligned[(row, col)] = horizontal
        values[sheet.name] = cells
        alignments[sheet.name] = aligned
    return WrittenCells(values, alignments)
