"""The workbook the engine would build now, read back in memory: its settings and typed values.

Refresh renders the new period with the engine's own renderer and copies the engine-owned ranges
from it, so a refreshed workbook and a freshly built one cannot disagree. The bytes are only read
(openpyxl), never saved.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from engine.contract.settings_sheet import SHEET_SETTINGS, WorkbookSettings
from addin.book import Rect


@dataclass(frozen=True)
class Formula:
    """A formula cell (as opposed to text that happens to start with ``=``)."""

    text: str


def cell_value(cell: Any) -> Any:
    """An openpyxl cell's value, with formulas wrapped so they cannot be mistaken for text."""
    if cell.data_type == "f":
        return Formula(str(cell.value))
    return cell.value


def excel_input(value: Any) -> Any:
    """What to hand Excel so that the cell ends up holding ``value`` exactly.

    Excel parses text written to a cell as if it were typed ("00250" becomes 250, "=x" a formula,
    "1/2" a date), so text goes in behind an apostrophe, which Excel keeps as a prefix, not as text.
    """
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, str):
        return "'" + value if value else None
    return value


def same_value(current: Any, new: Any) -> bool:
    """Whether a cell read from Excel already holds ``new`` (numbers come back as floats)."""
    if isinstance(new, Formula):
        return False
    if new is None or new == "":
        return current is None or current == ""
    if isinstance(new, bool) or isinstance(current, bool):
        return type(new) is type(current) and new == current
    if isinstance(new, (int, float)):
        return isinstance(current, (int, float)) and float(current) == float(new)
    if isinstance(new, dt.datetime):
        return isinstance(current, dt.datetime) and current == new
    return current == new


class FreshWorkbook:
    """A rendered workbook's settings sheet and the values of its engine sheets."""

    def __init__(self, data: bytes):
        from openpyxl import load_workbook  # imported on the first render, not when Excel loads the add-in

        # read_only: cells only, streamed; charts and pictures (which Refresh never copies) are not parsed
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        try:
            self.settings = WorkbookSettings.from_rows(
                [list(row) for row in workbook[SHEET_SETTINGS].iter_rows(values_only=True)])
            self.cells: dict[str, dict[tuple[int, int], Any]] = {}
            for name in self.settings.sheets:
                self.cells[name] = {(c.row - 1, c.column - 1): cell_value(c) for row in workbook[name].iter_rows()
                                    for c in row if c.value is not None}
        finally:
            workbook.close()

    def value(self, sheet: str, cell: tuple[int, int]) -> Any:
        return self.cells[sheet].get(cell)

    def block(self, sheet: str, rect: Rect) -> list[list[Any]]:
        r0, c0, r1, c1 = rect
        return [[self.value(sheet, (r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
