"""The few operations Refresh needs from an open workbook, and the xlwings adapter that provides them.

Refresh talks to this small protocol, never to xlwings directly, so the same code drives Excel
(through xlwings' BSD-licensed core: ``xw.Book.caller()``, ranges and their horizontal alignment, tables, the
app's status bar, screen updating and alerts), xlwings' remote engine in tests, and an in-memory fake book.

Coordinates are 0-based (row, column); rectangles are (first row, first col, last row, last col),
inclusive. Values written are Excel *input* values (see :func:`addin.fresh.excel_input`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from engine.contract.settings_sheet import parse_range

Rect = tuple[int, int, int, int]
LAST_COLUMN = 16383  # XFD: a rectangle from column 0 to here is whole sheet rows


class Book(Protocol):
    @property
    def path(self) -> Path | None:
        """The workbook's file, if it has one on this computer."""

    def sheet_names(self) -> list[str]: ...

    def values(self, sheet: str) -> list[list[Any]]:
        """The sheet's values from A1 to the end of its used range (formulas give their results)."""

    def tables(self, sheet: str) -> dict[str, Rect]:
        """Every Excel table on the sheet, header and total row included."""

    def write(self, sheet: str, rect: Rect, values: list[list[Any]]) -> None:
        """One range write of a block of values."""

    def clear(self, sheet: str, rect: Rect) -> None:
        """Clear the contents (not the formats) of a range."""

    def align(self, sheet: str, rect: Rect, horizontal: str) -> None:
        """Set a range's horizontal alignment (xlwings' names: ``'left'``, ``'center'``, ``'right'``…), its other
        formats kept."""

    def insert(self, sheet: str, rect: Rect, shift: str) -> None:
        """Insert cells, shifting the others ``down`` or ``right`` (tables grow when this is inside them);
        a rectangle from column 0 to LAST_COLUMN is whole rows."""

    def delete(self, sheet: str, rect: Rect, shift: str) -> None:
        """Delete cells, shifting the others ``up`` or ``left``."""

    def link(self, sheet: str, cell: tuple[int, int], target: str, text: str) -> None:
        """Set a cell's hyperlink (``#'Sheet'!A1`` for a place in the workbook)."""

    def status(self, text: str | None) -> None:
        """Show text in the status bar; None gives it back to Excel."""

    def screen_updating(self, on: bool) -> None: ...

    def alert(self, text: str, title: str) -> None: ...

    def ask(self, text: str, title: str) -> bool:
        """A yes/no question; False where the host cannot ask."""


def a1(rect: Rect) -> tuple[tuple[int, int], tuple[int, int]]:
    """xlwings' 1-based (row, col) corners of a rectangle."""
    r0, c0, r1, c1 = rect
    return (r0 + 1, c0 + 1), (r1 + 1, c1 + 1)


def rect_of(address: str) -> Rect:
    """``$A$7:$K$25`` (or ``A7``, or ``Sheet!A7:K25``) -> rectangle."""
    return parse_range(address.split("!")[-1])


class XlwingsBook:
    """A workbook open in Excel, through xlwings (``xw.Book.caller()`` when the ribbon runs Refresh)."""

    def __init__(self, book: Any):
        self.book = book

    @property
    def path(self) -> Path | None:
        try:
            path = Path(self.book.fullname)
        except Exception:  # noqa: BLE001 - some hosts do not know the file (new, or in the cloud)
            return None
        return path if path.is_absolute() else None

    def _sheet(self, name: str) -> Any:
        return self.book.sheets[name]

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def values(self, sheet: str) -> list[list[Any]]:
        sh = self._sheet(sheet)
        last = sh.used_range.last_cell
        values = sh.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [list(row) for row in values or []]

    def tables(self, sheet: str) -> dict[str, Rect]:
        return {table.name: rect_of(table.range.address) for table in self._sheet(sheet).tables}

    def _range(self, sheet: str, rect: Rect) -> Any:
        if rect[1] == 0 and rect[3] == LAST_COLUMN:  # whole rows: they carry their heights along
            return self._sheet(sheet).range(f"{rect[0] + 1}:{rect[2] + 1}")
        return self._sheet(sheet).range(*a1(rect))

    def write(self, sheet: str, rect: Rect, values: list[list[Any]]) -> None:
        self._range(sheet, rect).value = values

    def clear(self, sheet: str, rect: Rect) -> None:
        self._range(sheet, rect).clear_contents()

    def align(self, sheet: str, rect: Rect, horizontal: str) -> None:
        # xlwings 0.37.3 and later: HorizontalAlignment through COM on Windows, AppleScript on a Mac, an action for
        # the Office.js client of the remote engine.
        try:
            self._range(sheet, rect).horizontal_alignment = horizontal
        except NotImplementedError:  # the remote engine's other clients: the cell keeps its alignment, as before
            pass

    def insert(self, sheet: str, rect: Rect, shift: str) -> None:
        # Formats come from the cells pushed aside, i.e. from inside the table that grows.
        self._range(sheet, rect).insert(shift=shift, copy_origin="format_from_right_or_below")

    def delete(self, sheet: str, rect: Rect, shift: str) -> None:
        self._range(sheet, rect).delete(shift=shift)

    def link(self, sheet: str, cell: tuple[int, int], target: str, text: str) -> None:
        row, col = cell
        self._sheet(sheet).range((row + 1, col + 1)).add_hyperlink(target, text, text)

    def status(self, text: str | None) -> None:
        try:
            self.book.app.status_bar = text if text is not None else False
        except NotImplementedError:  # hosts without a status bar (xlwings' remote engine)
            pass

    def screen_updating(self, on: bool) -> None:
        self.book.app.screen_updating = on

    def alert(self, text: str, title: str) -> None:
        self.book.app.alert(text, title=title)

    def ask(self, text: str, title: str) -> bool:
        return self.book.app.alert(text, title=title, buttons="yes_no") == "yes"
