"""Layout a reader sees (issue 5): nothing cut off or overlapping, checked against measured text widths.

The widths below were measured on the demo workbook printed by LibreOffice (Liberation Sans,
metric twin of Arial, 10 points): English text takes about MEASURED_UNITS_PER_CHAR column-width
units a character, bold about MEASURED_BOLD_UNITS_PER_CHAR; a wrapped line is about 1.2 times the
font size. Each check uses those measurements, not the engine's own estimates:

* the Summary's "Go to" links: each link's columns are wide enough for its words before the next
  link starts, so no link is hidden behind the next (the bug this replaces: links in narrow
  neighbouring columns);
* every table's header row is tall enough for its longest header wrapped in its column;
* wrapped text (Key findings sentences, Methodology details, Data Quality reasons) has a row tall
  enough for its lines;
* the Top 10 band-method note is wrapped within its table's width (a merged cell), not running
  off to the right of the printed page.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries

from workbook_helpers import AREAS, Book, demo_books

MEASURED_UNITS_PER_CHAR = 0.73
MEASURED_BOLD_UNITS_PER_CHAR = 0.82
LINE_POINTS = 1.2 * 10
DEFAULT_WIDTH = 8.43
DEFAULT_HEIGHT = 15


@pytest.fixture(scope="module")
def books(demo_build: Path) -> dict[str, Book]:
    """The AREAS' demo workbooks (conftest's demo build, shared by the files that read it)."""
    return demo_books(demo_build, AREAS)


@pytest.fixture(params=AREAS)
def book(request: pytest.FixtureRequest, books: dict[str, Book]) -> Book:
    return books[request.param]


def width(ws, col: int) -> float:
    """A column's width; openpyxl keeps a run of equal columns (<col min max>) under its first letter."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= (dim.max or dim.min) and dim.width:
            return dim.width
    return DEFAULT_WIDTH


def height(ws, row: int) -> float:
    dim = ws.row_dimensions.get(row)
    return dim.height if dim is not None and dim.height else DEFAULT_HEIGHT


def lines(text: str, units: float, per_char: float) -> int:
    per_line = max(1, int((units - 1) / per_char))
    return sum(max(1, len(textwrap.wrap(p, per_line))) for p in str(text).splitlines() or [""])


def test_summary_links_have_room(book):
    ws = book.wb["Summary"]
    links = sorted((cell.column, cell.value) for cell in ws[4] if cell.hyperlink is not None)
    labels = [label for _, label in links]
    assert {"Key findings", "Top 10 areas", "Trends", "Comparisons", "Profiles", "Methodology"} <= set(labels), labels
    for (col, label), (next_col, _) in zip(links, links[1:]):
        room = sum(width(ws, c) for c in range(col, next_col))
        assert room >= len(label) * MEASURED_UNITS_PER_CHAR + 2, f"{label!r} in {room:.1f} units: no gap before the next"
        assert all(ws.cell(4, c).value is None for c in range(col + 1, next_col)), "a link's text runs into empty cells"


def test_header_rows_fit_their_headers(book):
    for ws in book.wb.worksheets:
        for table in ws.tables.values():
            min_col, header_row, max_col, _ = range_boundaries(table.ref)
            needed = max(lines(ws.cell(header_row, c).value, width(ws, c), MEASURED_BOLD_UNITS_PER_CHAR)
                         for c in range(min_col, max_col + 1))
            assert height(ws, header_row) >= needed * LINE_POINTS, f"{ws.title} {table.name}: {needed} header lines"


@pytest.mark.parametrize("sheet, table, column", [("Methodology", "sb_methodology", "Detail"),
                                                  ("Data Quality", "sb_data_quality_rows", "Reason"),
                                                  ("Methodology", "sb_data_quality", "What happened")])
def test_wrapped_table_text_has_room(book, sheet, table, column):
    ws = book.wb[sheet]
    t = ws.tables[table]
    min_col, first, max_col, last = range_boundaries(t.ref)
    (col,) = [c for c in range(min_col, max_col + 1) if ws.cell(first, c).value == column]
    for row in range(first + 1, last + 1):
        text = ws.cell(row, col).value or ""
        needed = lines(text, width(ws, col), MEASURED_UNITS_PER_CHAR)
        assert height(ws, row) >= needed * LINE_POINTS, f"{sheet} row {row}: {needed} lines of {text[:40]!r}"


def test_findings_rows_have_room(book):
    ws = book.wb["Key findings"]
    sentences = [(row, ws.cell(row, 2).value) for row in range(5, ws.max_row + 1) if ws.cell(row, 2).value]
    assert sentences
    for row, text in sentences:
        needed = lines(text, width(ws, 2), MEASURED_UNITS_PER_CHAR)
        assert height(ws, row) >= needed * LINE_POINTS, f"finding on row {row}: {needed} lines"
    assert any(lines(t, width(ws, 2), MEASURED_UNITS_PER_CHAR) > 1 for _, t in sentences) or len(sentences) < 3, \
        "no sentence wraps: the check above would be vacuous"


def test_top10_notes_wrap_within_their_table(book):
    ws = book.wb["Top 10"]
    merged = {str(r): r for r in ws.merged_cells.ranges}
    notes = 0
    for table in ws.tables.values():
        min_col, _, max_col, max_row = range_boundaries(table.ref)
        note = ws.cell(max_row + 1, min_col)
        assert isinstance(note.value, str) and "rate:" in note.value, table.name
        span = f"{get_column_letter(min_col)}{max_row + 1}:{get_column_letter(max_col)}{max_row + 1}"
        assert span in merged, f"{table.name}: note not merged across {span}"
        assert note.alignment.wrap_text, table.name
        needed = lines(note.value, sum(width(ws, c) for c in range(min_col, max_col + 1)), MEASURED_UNITS_PER_CHAR)
        assert height(ws, max_row + 1) >= needed * LINE_POINTS, table.name
        notes += needed > 1
    assert notes, "no note needs two lines: the height check would be vacuous"
