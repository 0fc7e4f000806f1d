"""The workbook the engine would build now, in memory: its settings, typed values and alignments.

Refresh renders the new period with the engine's own renderer and copies the engine-owned ranges
from it, so a refreshed workbook and a freshly built one cannot disagree. The renderer hands over
what each cell holds and how it is aligned (:func:`engine.api.workbook_cells`); no file is made.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from engine.contract.cell_value import Formula
from engine.contract.settings_sheet import SHEET_SETTINGS, WorkbookSettings
from addin.book import Rect

if TYPE_CHECKING:  # the renderer's module loads xlsxwriter, which the add-in loads only when it renders
    from engine.render.cell_values import WrittenCells

__all__ = ["Formula", "FreshWorkbook", "excel_input", "same_value"]  # Formula: where the add-in's tests find it


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
    """A rendered workbook's settings sheet and the values and horizontal alignments of its engine sheets."""

    def __init__(self, written: WrittenCells):
        """``written``: every sheet's cells, the settings sheet's too (as :func:`engine.api.workbook_cells` gives)."""
        settings = written.values[SHEET_SETTINGS]
        height, width = max(r for r, _ in settings) + 1, max(c for _, c in settings) + 1
        self.settings = WorkbookSettings.from_rows([[settings.get((r, c)) for c in range(width)] for r in range(height)])
        self.cells = {name: written.values[name] for name in self.settings.sheets}
        self.alignments = {name: written.alignments[name] for name in self.settings.sheets}

    def value(self, sheet: str, cell: tuple[int, int]) -> Any:
        return self.cells[sheet].get(cell)

    def alignment(self, sheet: str, cell: tuple[int, int]) -> str | None:
        """The cell's horizontal alignment (xlwings' name: ``'right'``…); None for General."""
        return self.alignments[sheet].get(cell)

    def block(self, sheet: str, rect: Rect) -> list[list[Any]]:
        r0, c0, r1, c1 = rect
        return [[self.value(sheet, (r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
