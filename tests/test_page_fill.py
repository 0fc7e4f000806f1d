"""No half-empty printed pages (issue 17): two small partner workbooks printed by LibreOffice, every page
measured from the PDF.

How full a page is, and which sheet it belongs to: see tests/page_fill.py. The same rules hold for the
North West Leicestershire workbook and the dashboard in tests/test_print_pages.py.

The rules, and their documented exceptions:
- every page is at least half used, except the last page of a sheet (a section's end) and the pages of a
  sheet printed across pages (wider than one page at the smallest readable scale, so its rows continue
  on pages to the right: the Summary keeps its full width for the screen; the Front page is its printable
  form);
- no page is nearly empty: every page uses at least a tenth of its height (a chart's edge or a column's
  tail alone on a page is a layout fault, wherever it falls).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import xlsxwriter

from engine.api import build
from engine.render.print_pages import COLUMN_PIXEL_POINTS, content_points
from page_fill import HALF, PageFill, half_empty, nearly_empty, page_fills
from test_libreoffice import require_tool, run_soffice
from test_print_pages import MARGIN_POINTS, _pages

EXAMPLES = Path(__file__).resolve().parents[1] / "specs" / "examples"
BUILDS = {"counted": "Melton", "area_groups": "Melton"}  # example spec -> the area printed


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[PageFill]]:
    """Example name -> how full each of its printed pages is."""
    soffice = require_tool("soffice", "libreoffice")
    pdftoppm = require_tool("pdftoppm")
    require_tool("pdftotext")
    work = tmp_path_factory.mktemp("page_fill")
    books = {}
    for name, area in BUILDS.items():  # each under its example's name: both are Melton's workbook
        (built,) = build(EXAMPLES / f"{name}.yaml", work / name, areas=[area])
        books[name] = shutil.copyfile(built, work / f"{name}.xlsx")
    result = run_soffice(soffice, work / "lo_profile", "pdf", work / "pdf", *books.values())
    measured = {}
    for name, book in books.items():
        pdf = work / "pdf" / f"{book.stem}.pdf"
        assert pdf.is_file(), f"no PDF of {book.name}.\nstdout: {result.stdout}\nstderr: {result.stderr}"
        measured[name] = page_fills(pdftoppm, pdf, book, _pages(pdf), MARGIN_POINTS, work / name / "pages")
    return measured


@pytest.mark.parametrize("name", list(BUILDS))
def test_no_page_is_less_than_half_used_but_where_a_section_ends(pages, name):
    assert half_empty(pages[name]) == [], f"{name}: pages less than half used that do not end a sheet"


@pytest.mark.parametrize("name", list(BUILDS))
def test_no_page_is_nearly_empty(pages, name):
    assert nearly_empty(pages[name]) == [], f"{name}: pages with almost nothing on them"


def test_the_rules_are_not_vacuous(pages):
    """The builds print several sheets over several pages, some of them fuller than half."""
    every = [page for name in BUILDS for page in pages[name]]
    assert len({page.sheet for page in every}) >= 8 and len(every) >= 20
    assert any(page.used >= HALF and not page.ends_sheet for page in every)


def test_a_hidden_column_takes_no_room_on_the_page(tmp_path):
    """A column hidden without a width of its own (the Front page hides its outcome column so) is not printed:
    the planner must not count it, or the sheet is thought too wide and printed across two pages."""
    workbook = xlsxwriter.Workbook(tmp_path / "hidden.xlsx")
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["shown", "hidden"])
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, None, None, {"hidden": True})
    shown_pixels = 20 * 7 + 5  # Excel's width of 20 characters of Calibri 11: 7 pixels a digit and 5 of padding
    assert content_points(sheet) == pytest.approx(shown_pixels * COLUMN_PIXEL_POINTS)
    workbook.close()


def test_short_tables_share_pages_rather_than_one_sitting_alone(tmp_path):
    """Five tables of 18, 10, 12, 25 and 8 rows on a page of 31 rows: breaking only where the next does not fit
    leaves the 12-row table alone on a page under half used; shared out, the 10- and 12-row tables share one, and
    every page but the last is at least half used. Heights are worked out here from the rows, not by the planner."""
    from engine.render import load_theme
    from engine.render.print_pages import plan_pages, printable_points

    theme = load_theme("default")
    workbook = xlsxwriter.Workbook(tmp_path / "blocks.xlsx")
    sheet = workbook.add_worksheet()
    starts, row = [], 0
    for size in (18, 10, 12, 25, 8):
        starts.append(row)
        for offset in range(size):
            sheet.write(row + offset, 0, f"table of {size}, row {offset + 1}")
        row += size
    plan = plan_pages(sheet, theme, starts[1:])
    workbook.close()
    page_rows = printable_points(theme)[1] * 100 / plan.scale / 15  # xlsxwriter's rows are 15 points high
    assert plan.scale == 100 and 31 < page_rows < 32  # the sizes above assume a 31-row page
    edges = [0, *plan.breaks, row]
    used = [(end - first) / page_rows for first, end in zip(edges, edges[1:])]
    assert all(share <= 1 for share in used), used
    assert all(share >= HALF for share in used[:-1]), f"pages' shares of the page: {used}"
    assert set(plan.breaks) <= set(starts), "a table split from its header"


def _glued_plan(tmp_path, sizes: list[tuple[int, int]], glue: bool) -> tuple[list[int], list[int], list[int], float]:
    """A sheet of tables each followed by its "chart" rows (``sizes``: table rows, chart rows), and its plan: the
    table starts, the chart starts, the breaks and the page's height in rows."""
    from engine.render import load_theme
    from engine.render.print_pages import plan_pages, printable_points

    theme = load_theme("default")
    workbook = xlsxwriter.Workbook(tmp_path / "glued.xlsx")
    sheet = workbook.add_worksheet()
    tables, charts, row = [], [], 0
    for table, chart in sizes:
        tables.append(row)
        for offset in range(table + chart):
            sheet.write(row + offset, 0, f"{'table' if offset < table else 'chart'} {len(tables)}, row {offset + 1}")
        charts += [row + table] if chart else []
        row += table + chart
    plan = plan_pages(sheet, theme, sorted(tables[1:] + charts), glued=charts if glue else ())
    workbook.close()
    return tables, charts, plan.breaks, printable_points(theme)[1] * 100 / plan.scale / 15


def test_a_chart_keeps_its_tables_page_where_the_pages_fill_either_way(tmp_path):
    """An 18-row opening table, then three of 6 rows each with a 13-row chart, on a 31-row page: out of step (a
    chart over the next table) the opening page is fuller (24 rows, not 18), but in step it is still more than half
    used, so each table keeps its chart: the breaks fall before tables, never between a table and its chart.
    Unglued, the same blocks go out of step (18 rows is under the planner's margin of 60%)."""
    sizes = [(18, 0), (6, 13), (6, 13), (6, 13)]
    tables, charts, breaks, page_rows = _glued_plan(tmp_path, sizes, glue=True)
    assert 31 < page_rows < 32
    assert breaks and set(breaks) <= set(tables), f"a chart parted from its table: breaks {breaks}, charts {charts}"
    _, _, loose, _ = _glued_plan(tmp_path, sizes, glue=False)
    assert set(loose) & set(charts), f"unglued, the planner keeps them in step anyway: the test has no subject ({loose})"


def test_a_chart_leaves_its_table_where_the_page_before_would_be_under_half(tmp_path):
    """A 12-row opening table, then one of 6 rows with a 20-row chart, on a 31-row page: in step the opening table
    would stand alone on a page under half used (12 of 31), so the chart goes to the next page (the sheet's last)
    and its table joins the opening one (18 of 31)."""
    tables, charts, breaks, _ = _glued_plan(tmp_path, [(12, 0), (6, 20)], glue=True)
    assert breaks == charts == [18], f"breaks {breaks}: tables at {tables}, charts at {charts}"
