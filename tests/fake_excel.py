"""An in-memory stand-in for a workbook open in Excel, with Excel's own rules where Refresh relies on them.

- Writing text: Excel parses what it is given as if typed: a leading apostrophe makes text (and is
  not kept), ``=`` a formula, and text that reads as a number becomes a number.
- Inserting or deleting cells moves the cells (and their links) below or to the right; a table
  grows or shrinks when the cells are inserted or deleted inside it, moves when they are above
  or left of it, and Excel refuses to shift part of a table.
- A cell's horizontal alignment (a format) stays with the cell: writing or clearing a value keeps it, shifting
  cells moves it, and inserted cells take it from the cells beyond them (``format_from_right_or_below``, as
  Refresh asks); only :meth:`FakeExcel.align` changes it. Alignments use xlwings' names (``'right'``…);
  ``None`` is Excel's General (numbers right, text left).
- Every call is recorded, so tests can count writes and prove that failures write nothing.

Loaded from xlsx bytes with openpyxl (read only; never saved).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from addin.fresh import Formula

Rect = tuple[int, int, int, int]


#: openpyxl's names for the horizontal alignments whose xlwings names differ.
OPENPYXL_ALIGNMENTS = {"centerContinuous": "center_across_selection"}


class ExcelRefused(Exception):
    """What Excel says when asked for something it will not do (e.g. shift part of a table)."""


def typed(cell: Any) -> Any:
    return Formula(str(cell.value)) if cell.data_type == "f" else cell.value


def parse_input(value: Any) -> Any:
    """What a cell holds after Excel is handed ``value`` (as a person typing it)."""
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:] or None
    if value.startswith("="):
        return Formula(value)
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        return value or None
    return int(number) if number.is_integer() and "." not in value else number


@dataclass
class FakeExcel:
    path: Path | None = None
    cells: dict[str, dict[tuple[int, int], Any]] = field(default_factory=dict)  # sheet -> (row, col) -> value
    table_rects: dict[str, tuple[str, Rect]] = field(default_factory=dict)  # table name -> (sheet, rect)
    hyperlinks: dict[tuple[str, tuple[int, int]], str] = field(default_factory=dict)
    alignments: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # sheet -> cell -> horizontal
    calls: list[tuple[str, str, Rect]] = field(default_factory=list)
    statuses: list[str | None] = field(default_factory=list)
    screen: list[bool] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    answer: bool = False

    @classmethod
    def from_xlsx(cls, data: bytes, path: Path | None = None) -> FakeExcel:
        book = cls(path=path)
        workbook = load_workbook(io.BytesIO(data))
        for ws in workbook.worksheets:
            sheet = book.cells.setdefault(ws.title, {})
            aligned = book.alignments.setdefault(ws.title, {})
            for row in ws.iter_rows():
                for c in row:
                    if c.value is not None:
                        sheet[(c.row - 1, c.column - 1)] = typed(c)
                    if c.alignment.horizontal not in (None, "general"):
                        aligned[(c.row - 1, c.column - 1)] = OPENPYXL_ALIGNMENTS.get(c.alignment.horizontal,
                                                                                    c.alignment.horizontal)
                    if c.hyperlink is not None and c.hyperlink.location:
                        book.hyperlinks[(ws.title, (c.row - 1, c.column - 1))] = "#" + c.hyperlink.location
            for table in ws.tables.values():
                min_col, min_row, max_col, max_row = range_boundaries(table.ref)
                book.table_rects[table.name] = (ws.title, (min_row - 1, min_col - 1, max_row - 1, max_col - 1))
        return book

    # --- the protocol Refresh uses ------------------------------------------------------------

    def sheet_names(self) -> list[str]:
        return list(self.cells)

    def values(self, sheet: str) -> list[list[Any]]:
        used = self.cells[sheet]
        rows = max((r for r, _ in used), default=0) + 1
        cols = max((c for _, c in used), default=0) + 1
        return [[used.get((r, c)) for c in range(cols)] for r in range(rows)]

    def tables(self, sheet: str) -> dict[str, Rect]:
        return {name: rect for name, (s, rect) in self.table_rects.items() if s == sheet}

    def write(self, sheet: str, rect: Rect, values: list[list[Any]]) -> None:
        self.calls.append(("write", sheet, rect))
        r0, c0, r1, c1 = rect
        assert len(values) == r1 - r0 + 1 and all(len(v) == c1 - c0 + 1 for v in values), "block and range differ"
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                self._set(sheet, (r0 + i, c0 + j), parse_input(value))

    def clear(self, sheet: str, rect: Rect) -> None:
        self.calls.append(("clear", sheet, rect))
        for cell in [c for c in self.cells[sheet] if _inside(c, rect)]:
            del self.cells[sheet][cell]

    def insert(self, sheet: str, rect: Rect, shift: str) -> None:
        self.calls.append(("insert", sheet, rect))
        self._shift(sheet, rect, by_rows=shift == "down", insert=True)

    def delete(self, sheet: str, rect: Rect, shift: str) -> None:
        self.calls.append(("delete", sheet, rect))
        self._shift(sheet, rect, by_rows=shift == "up", insert=False)

    def link(self, sheet: str, cell: tuple[int, int], target: str, text: str) -> None:
        self.calls.append(("link", sheet, (*cell, *cell)))
        self.hyperlinks[(sheet, cell)] = target
        self._set(sheet, cell, text or None)

    def align(self, sheet: str, rect: Rect, horizontal: str) -> None:
        self.calls.append(("align", sheet, rect))
        r0, c0, r1, c1 = rect
        aligned = self.alignments.setdefault(sheet, {})
        for cell in ((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)):
            if horizontal == "general":
                aligned.pop(cell, None)
            else:
                aligned[cell] = horizontal

    def status(self, text: str | None) -> None:
        self.statuses.append(text)

    def screen_updating(self, on: bool) -> None:
        self.screen.append(on)

    def alert(self, text: str, title: str) -> None:
        self.alerts.append((title, text))

    def ask(self, text: str, title: str) -> bool:
        self.questions.append(text)
        return self.answer

    # --- helpers for tests -------------------------------------------------------------------

    def value(self, sheet: str, cell: tuple[int, int]) -> Any:
        return self.cells[sheet].get(cell)

    def alignment(self, sheet: str, cell: tuple[int, int]) -> str | None:
        """The cell's horizontal alignment; None for General."""
        return self.alignments.get(sheet, {}).get(cell)

    def add_sheet(self, name: str, values: dict[tuple[int, int], Any]) -> None:
        self.cells[name] = dict(values)

    def writes(self) -> list[tuple[str, str, Rect]]:
        return [call for call in self.calls if call[0] == "write"]

    def changed_anything(self) -> bool:
        return any(kind in ("write", "clear", "insert", "delete", "link", "align") for kind, _, _ in self.calls)

    # --- Excel's rules -----------------------------------------------------------------------

    def _set(self, sheet: str, cell: tuple[int, int], value: Any) -> None:
        if value is None:
            self.cells[sheet].pop(cell, None)
        else:
            self.cells[sheet][cell] = value

    def _shift(self, sheet: str, rect: Rect, by_rows: bool, insert: bool) -> None:
        r0, c0, r1, c1 = rect
        # Work in (along, across): along is the direction cells move in.
        first, last, lo, hi = (r0, r1, c0, c1) if by_rows else (c0, c1, r0, r1)
        count = last - first + 1

        def flip(a: int, b: int) -> tuple[int, int]:
            return (a, b) if by_rows else (b, a)

        def move(cell: tuple[int, int]) -> tuple[int, int] | None:
            along, across = flip(*cell)
            if not lo <= across <= hi or along < first:
                return cell
            if insert:
                return flip(along + count, across)
            return None if along <= last else flip(along - count, across)

        for name, (s, (t0, u0, t1, u1)) in list(self.table_rects.items()):
            if s != sheet:
                continue
            a0, b0 = flip(t0, u0)
            a1, b1 = flip(t1, u1)
            if b1 < lo or b0 > hi or a1 < first:
                continue  # beside, above or left of the shifted cells
            if b0 < lo or b1 > hi:
                raise ExcelRefused(f"This operation is not allowed: it would shift part of the table {name}")
            if insert:
                a0, a1 = (a0 + count, a1 + count) if a0 >= first else (a0, a1 + count)
            elif a0 > last:
                a0, a1 = a0 - count, a1 - count
            elif a0 < first and last <= a1:
                a1 -= count
            else:
                raise ExcelRefused(f"This operation is not allowed: it would delete part of the table {name}'s header")
            (t0, u0), (t1, u1) = flip(a0, b0), flip(a1, b1)
            self.table_rects[name] = (s, (t0, u0, t1, u1))
        def shifted(by_cell: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
            """What each cell holds, at the cell it moves to (deleted cells dropped)."""
            return {target: held for cell, held in by_cell.items() if (target := move(cell)) is not None}

        self.cells[sheet] = shifted(self.cells[sheet])
        aligned = shifted(self.alignments.get(sheet, {}))
        if insert:  # the inserted cells take the format of the cells now just beyond them
            for cell, horizontal in list(aligned.items()):
                along, across = flip(*cell)
                if along == first + count and lo <= across <= hi:
                    aligned.update({flip(a, across): horizontal for a in range(first, first + count)})
        self.alignments[sheet] = aligned
        links = {}
        for (s, cell), target in self.hyperlinks.items():
            new = move(cell) if s == sheet else cell
            if new is not None:
                links[(s, new)] = target
        self.hyperlinks = links


def _inside(cell: tuple[int, int], rect: Rect) -> bool:
    return rect[0] <= cell[0] <= rect[2] and rect[1] <= cell[1] <= rect[3]
