"""The Summary's sparklines (issue 5), read from the worksheet XML (openpyxl drops them on load).

LibreOffice draws an Excel sparkline as a dot at most, so the PDF tests cannot see them; this
checks the ``x14:sparklineGroups`` extension Excel reads:

* one sparkline per KPI row, in that row's "Last 8 quarters" cell of ``sb_summary`` (but a snapshot's,
  which has no periods);
* each draws ``'Trends'!`` row of the ``sb_trend_quarterly`` table whose Indicator is the Summary
  row's indicator, exactly its eight quarter cells (whose counts test_workbook_structure
  recomputes from the raw data), or, for a KPI compared over its source's own quarters or years,
  the eight Value cells of its rows in ``sb_trend_periods``;
* each is a line (no ``type`` attribute, or ``line``), with no markers but the last point marked,
  gaps for empty cells, and the extension under Excel's sparkline URI.
"""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl.utils.cell import range_boundaries

from workbook_helpers import AREAS, Book, column_of, counted_indicators, data_rows, demo_books, parse_ref

X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
SPARKLINE_URI = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"


@pytest.fixture(scope="module")
def books(demo_build: Path) -> dict[str, Book]:
    """The AREAS' demo workbooks (conftest's demo build, shared by the files that read it)."""
    return demo_books(demo_build, AREAS)


@pytest.fixture(params=AREAS)
def book(request: pytest.FixtureRequest, books: dict[str, Book]) -> Book:
    return books[request.param]


def _groups(book: Book) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(book.sheet_xml["Summary"])
    exts = [e for e in root.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}ext")
            if e.find(f"{{{X14}}}sparklineGroups") is not None]
    assert len(exts) == 1 and exts[0].get("uri") == SPARKLINE_URI
    return exts[0].findall(f"{{{X14}}}sparklineGroups/{{{X14}}}sparklineGroup")


def test_one_sparkline_per_kpi_bound_to_its_quarters(book):
    ws, summary = book.table("sb_summary")
    spark_col = column_of(ws, summary, "Last 8 quarters")
    name_col = column_of(ws, summary, "Indicator")
    first, last = data_rows(summary)
    trends, quarterly = book.table("sb_trend_quarterly")
    q_min_col, q_header, q_max_col, _ = range_boundaries(quarterly.ref)
    q_first, q_last = data_rows(quarterly)
    quarter_row = {trends.cell(r, q_min_col).value: r for r in range(q_first, q_last + 1)}
    assert q_max_col - q_min_col == 8, "eight quarters after the Indicator column"

    _, periods = book.table("sb_trend_periods")
    p_min_col, _, _, _ = range_boundaries(periods.ref)
    p_first, p_last = data_rows(periods)
    period_rows: dict[str, list[int]] = {}
    for r in range(p_first, p_last + 1):
        period_rows.setdefault(trends.cell(r, p_min_col).value, []).append(r)
    snapshots = {ws.cell(r, name_col).value for r in range(first, last + 1)
                 if ws.cell(r, column_of(ws, summary, "Period")).value == "Snapshot"}

    drawn = {}
    for group in _groups(book):
        for sparkline in group.iter(f"{{{X14}}}sparkline"):
            cell_col, cell_row, _, _ = range_boundaries(sparkline.findtext(f"{{{XM}}}sqref"))
            assert cell_col == spark_col, "a sparkline outside the 'Last 8 quarters' column"
            drawn[cell_row] = parse_ref(sparkline.findtext(f"{{{XM}}}f"))
    assert sorted(drawn) == [r for r in range(first, last + 1) if ws.cell(r, name_col).value not in snapshots], \
        "one sparkline per KPI row with periods"
    for row, (sheet, (min_col, min_row, max_col, max_row)) in drawn.items():
        indicator = ws.cell(row, name_col).value
        assert sheet == "Trends", indicator
        if indicator in period_rows:  # the source's own last eight periods, down the Value column
            assert (min_col, max_col) == (p_min_col + 2,) * 2, indicator
            assert list(range(min_row, max_row + 1)) == period_rows[indicator] and len(period_rows[indicator]) == 8
            continue
        assert min_row == max_row == quarter_row[indicator], indicator
        assert (min_col, max_col) == (q_min_col + 1, q_max_col), indicator
        values = [trends.cell(min_row, c).value for c in range(min_col, max_col + 1)]
        counted = indicator in {i["name"] for i in counted_indicators()}
        # A count is always known; a share of no rows (a quarter without referrals) is n/a.
        assert all(isinstance(v, int) if counted else (isinstance(v, (int, float)) or v == "n/a") for v in values), \
            (indicator, values)


def test_sparklines_are_lines_with_the_last_point_marked(book):
    for group in _groups(book):
        assert group.get("type") in (None, "line")
        assert group.get("markers") in (None, "0") and group.get("last") == "1"
        assert group.get("displayEmptyCellsAs") == "gap"
        assert group.find(f"{{{X14}}}colorLast").get("rgb") is not None
