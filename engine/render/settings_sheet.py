"""The hidden settings sheet: what Refresh in Excel needs to update a workbook in place.

The add-in (``addin/``) reads this sheet to find the spec, the partner area and the period, and
to tell the engine's cells from the analyst's: every range the engine wrote is listed, so that a
refresh replaces exactly those and nothing else. Whatever the layout of the other sheets, the
list is taken from what was actually written (the worksheets' own records, just before the file
is closed), so layout changes need no change here.

Contract, format 1 (keep it when changing layouts; the add-in depends on it):

- sheet ``_saferbook``, hidden, after the engine's sheets; every value is written as text;
- row 1: ``Saferbook settings`` | format version (``1``) | a note for people;
- then one ``key | value | note`` row per setting, up to the first empty row: ``spec_path``
  (absolute), ``partner_area``, ``period_end`` (what Refresh asks for: ``latest`` or ``YYYY-MM``;
  people may edit it, and ``spec_path``), ``shows_period_end`` (what the engine's ranges hold),
  ``engine_version``, ``spec_version``, and ``data:<source>`` (each source's absolute path);
- after the empty row, the header ``owned | sheet | name | range | total row`` and one row per
  engine-owned thing, in sheet order:

  - ``sheet | <sheet>``: a sheet the engine made;
  - ``table | <sheet> | <table name> | <A1 range, header and total row included> | yes or empty``;
  - ``cells | <sheet> | | <A1 cells and ranges written outside tables, comma-separated>``;
  - ``link | <sheet> | <target: #'Sheet'!A1 inside the workbook, else the URL> | <cell>``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from xlsxwriter.utility import xl_cell_to_rowcol, xl_range, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.errors import Problem, SaferbookError
from engine.report import Report

SHEET_SETTINGS = "_saferbook"
TITLE = "Saferbook settings"
FORMAT_VERSION = 1
OWNED_HEADER = ["owned", "sheet", "name", "range", "total row"]
MAX_CELLS_TEXT = 8000  # characters of cell addresses per row (a cell holds 32,767)

Rect = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass(frozen=True)
class OwnedTable:
    sheet: str
    name: str
    ref: str  # A1 range including the header and the total row
    total_row: bool = False

    @property
    def rect(self) -> Rect:
        return parse_range(self.ref)


@dataclass(frozen=True)
class OwnedLink:
    sheet: str
    cell: str
    target: str  # "#'Top 10'!A5" inside the workbook, else the URL


@dataclass
class WorkbookSettings:
    """Everything on the settings sheet."""

    spec_path: str = ""
    partner_area: str = ""
    period_end: str = "latest"
    shows_period_end: str = ""
    engine_version: str = ""
    spec_version: str = ""
    data_locations: list[tuple[str, str]] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    tables: list[OwnedTable] = field(default_factory=list)
    cells: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # sheet -> engine cells outside tables
    links: list[OwnedLink] = field(default_factory=list)

    def rows(self) -> list[list[str]]:
        """The sheet's contents, row by row (ragged)."""
        rows = [
            [TITLE, str(FORMAT_VERSION), "Refresh (Saferbook tab) reads this sheet. You may edit period_end and spec_path."],
            ["spec_path", self.spec_path, "the spec this workbook is built from (editable)"],
            ["partner_area", self.partner_area, ""],
            ["period_end", self.period_end, "what Refresh asks for: latest, or a month as YYYY-MM (editable)"],
            ["shows_period_end", self.shows_period_end, "the period the engine's tables show now"],
            ["engine_version", self.engine_version, ""],
            ["spec_version", self.spec_version, ""],
        ]
        rows += [[f"data:{name}", path, "where this source's data was read"] for name, path in self.data_locations]
        rows += [[], list(OWNED_HEADER)]
        rows += [["sheet", name] for name in self.sheets]
        rows += [["table", t.sheet, t.name, t.ref, "yes" if t.total_row else ""] for t in self.tables]
        for sheet, cells in self.cells.items():
            rows += [["cells", sheet, "", text] for text in _cells_text(cells)]
        rows += [["link", link.sheet, link.target, link.cell] for link in self.links]
        return rows

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> WorkbookSettings:
        """Parse the sheet's values (as read from Excel: numbers may come back as floats)."""
        grid = [[_text(v) for v in row] for row in rows]
        if not grid or not grid[0] or grid[0][0] != TITLE:
            raise _problem(1, f"not a Saferbook settings sheet (A1 should say {TITLE!r})")
        version = grid[0][1] if len(grid[0]) > 1 else ""
        if version.split(".")[0] != str(FORMAT_VERSION):
            raise _problem(1, f"settings format {version!r} is not one this version reads ({FORMAT_VERSION})")
        settings = cls()
        position = 1
        while position < len(grid) and any(grid[position]):
            key, value = (grid[position] + ["", ""])[:2]
            if key.startswith("data:"):
                settings.data_locations.append((key[5:], value))
            elif key in ("spec_path", "partner_area", "period_end", "shows_period_end", "engine_version", "spec_version"):
                setattr(settings, key, value)
            position += 1
        while position < len(grid) and not any(grid[position]):
            position += 1
        if position >= len(grid) or grid[position][:2] != OWNED_HEADER[:2]:
            raise _problem(position + 1, "the list of engine-owned ranges is missing")
        for number, row in enumerate(grid[position + 1:], start=position + 2):
            kind, sheet, name, ref, total = (row + [""] * 5)[:5]
            try:
                if kind == "sheet":
                    settings.sheets.append(sheet)
                elif kind == "table":
                    parse_range(ref)
                    settings.tables.append(OwnedTable(sheet, name, ref, total == "yes"))
                elif kind == "cells":
                    settings.cells.setdefault(sheet, []).extend(parse_cells(ref))
                elif kind == "link":
                    parse_range(ref)
                    settings.links.append(OwnedLink(sheet, ref, name))
                elif kind:
                    raise ValueError(f"unknown kind {kind!r}")
            except ValueError as error:
                raise _problem(number, f"engine-owned range list: {error}") from None
        for missing in ("spec_path", "partner_area"):
            if not getattr(settings, missing):
                raise _problem(None, f"the setting {missing} is empty")
        return settings


def _problem(row: int | None, message: str) -> SaferbookError:
    return SaferbookError(Problem(message, sheet=SHEET_SETTINGS, row=row))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- A1 addresses ----------------------------------------------------------------------------


def parse_range(ref: str) -> Rect:
    """``"A7:K25"`` or ``"B8"`` (``$`` allowed) -> 0-based inclusive rectangle; ValueError if malformed."""
    parts = ref.replace("$", "").strip().split(":")
    if len(parts) not in (1, 2) or not all(_is_cell(p) for p in parts):
        raise ValueError(f"not a cell range: {ref!r}")
    (r0, c0), (r1, c1) = xl_cell_to_rowcol(parts[0]), xl_cell_to_rowcol(parts[-1])
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


def _is_cell(text: str) -> bool:
    letters = text.rstrip("0123456789")
    digits = text[len(letters):]
    return letters.isalpha() and letters.isascii() and len(letters) <= 3 and digits.isdigit() and int(digits) > 0


def range_ref(rect: Rect) -> str:
    return xl_range(*rect)


def parse_cells(text: str) -> list[tuple[int, int]]:
    cells = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        r0, c0, r1, c1 = parse_range(part)
        cells += [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    return cells


def row_runs(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """Cells grouped into horizontal runs of neighbours, row by row."""
    runs: list[Rect] = []
    for row, col in sorted(set(cells)):
        if runs and runs[-1][0] == row and runs[-1][3] == col - 1:
            runs[-1] = (row, runs[-1][1], row, col)
        else:
            runs.append((row, col, row, col))
    return runs


def inside(cell: tuple[int, int], rect: Rect) -> bool:
    return rect[0] <= cell[0] <= rect[2] and rect[1] <= cell[1] <= rect[3]


def _cells_text(cells: Iterable[tuple[int, int]]) -> list[str]:
    """Cells as row runs (``A1``, ``B4:D4``), comma-separated, in chunks that fit a cell comfortably."""
    chunks: list[str] = []
    for run in row_runs(cells):
        ref = xl_rowcol_to_cell(run[0], run[1]) if run[1] == run[3] else range_ref(run)
        if chunks and len(chunks[-1]) + len(ref) < MAX_CELLS_TEXT:
            chunks[-1] += "," + ref
        else:
            chunks.append(ref)
    return chunks


# --- capture from the workbook being written --------------------------------------------------
# xlsxwriter keeps what each worksheet holds in ``table`` (cells), ``tables`` and ``hyperlinks``
# until the file is closed; tests/test_settings_sheet.py checks the capture against the file.


def _link_target(url: Any) -> str:
    original = url.get("url", "") if isinstance(url, dict) else getattr(url, "_original_url", "")
    return "#" + original[len("internal:"):] if original.startswith("internal:") else original


def _table_spans(rects: list[Rect]) -> dict[int, list[tuple[int, int]]]:
    """Row -> the column spans tables cover in it: a cell is checked against the tables in its own row only
    (against every table on the sheet, the capture was a third of a workbook's render)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for first_row, first_col, last_row, last_col in rects:
        for row in range(first_row, last_row + 1):
            spans.setdefault(row, []).append((first_col, last_col))
    return spans


def capture(workbook: Workbook, report: Report) -> WorkbookSettings:
    """The settings for ``report`` and everything the engine wrote into ``workbook`` so far."""
    provenance = report.provenance
    settings = WorkbookSettings(
        spec_path=provenance.spec_path if provenance else "",
        partner_area=report.partner_area,
        period_end=provenance.period_end_setting if provenance else report.period_end,
        shows_period_end=report.period_end,
        engine_version=report.engine_version,
        spec_version=report.spec_version,
        data_locations=list(provenance.data_locations) if provenance else [],
    )
    for sheet in workbook.worksheets():
        if sheet.name == SHEET_SETTINGS:
            continue
        settings.sheets.append(sheet.name)
        tables = [OwnedTable(sheet.name, t["name"], t["range"], bool(t.get("totals_row_shown"))) for t in sheet.tables]
        settings.tables += tables
        spans = _table_spans([t.rect for t in tables])
        cells = [(row, col) for row, columns in sheet.table.items() for col, cell in columns.items()
                 if type(cell).__name__ != "Blank" and not any(c0 <= col <= c1 for c0, c1 in spans.get(row, ()))]
        if cells:
            settings.cells[sheet.name] = sorted(cells)
        settings.links += [OwnedLink(sheet.name, xl_rowcol_to_cell(row, col), _link_target(url))
                           for row, columns in sorted(sheet.hyperlinks.items()) for col, url in sorted(columns.items())]
    return settings


def write_settings_sheet(workbook: Workbook, report: Report) -> Worksheet:
    """Add the hidden settings sheet; call it last, after every other sheet is written."""
    settings = capture(workbook, report)
    sheet = workbook.add_worksheet(SHEET_SETTINGS)
    for row, values in enumerate(settings.rows()):
        for col, value in enumerate(values):
            if value:
                sheet.write_string(row, col, value)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 3, 30)
    sheet.hide()
    return sheet
