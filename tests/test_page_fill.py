"""No half-empty printed pages (issue 17): two small partner workbooks printed by LibreOffice, every page
measured from the PDF.

How full a page is: the page is rasterised (poppler's ``pdftoppm``, greyscale) and the lowest row with
any ink between the running header and the footer, as a share of the height between them, is how much
of the page its content uses (text, tables, charts and maps alike). Which sheet a page belongs to is its
running header ("Comparisons — Melton"), read with ``pdftotext -bbox``.

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
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xlsxwriter
from openpyxl import load_workbook
from PIL import Image

from engine.api import build
from engine.render.print_pages import COLUMN_PIXEL_POINTS, content_points
from test_libreoffice import require_tool, run_soffice
from test_print_pages import MARGIN_POINTS, _pages

EXAMPLES = Path(__file__).resolve().parents[1] / "specs" / "examples"
BUILDS = {"counted": "Melton", "area_groups": "Melton"}  # example spec -> the area printed
DPI = 24  # enough to find the lowest line of ink
INK = 200  # grey levels below this are ink (0 black, 255 white)
HALF, NEARLY_EMPTY = 0.5, 0.1


def _used(image: Path, height_points: float) -> float:
    """The share of the page's body (between the running header and footer) down to its lowest ink."""
    pixels = np.asarray(Image.open(image).convert("L"))
    scale = pixels.shape[0] / height_points
    body = pixels[int(MARGIN_POINTS * scale):int((height_points - MARGIN_POINTS) * scale)]
    inked = np.flatnonzero((body < INK).any(axis=1))
    return (inked.max() + 1) / body.shape[0] if inked.size else 0.0


def _printed_across(book: Path) -> set[str]:
    """Sheets that print across pages (their page order is over, then down)."""
    return {ws.title for ws in load_workbook(book).worksheets if ws.page_setup.pageOrder == "overThenDown"}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str, float, bool]]]:
    """Example name -> every page: (number, sheet, share used, is the sheet's last page)."""
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
        subprocess.run([pdftoppm, "-r", str(DPI), "-gray", str(pdf), str(work / name / "page")], check=True, timeout=120)
        images = sorted((work / name).glob("page-*.pgm"))
        printed = _pages(pdf)
        assert len(images) == len(printed) > 0
        sheets = [p.running_header().split(" — ")[0] for p in printed]
        across = _printed_across(book)
        measured[name] = [(p.number, sheet, _used(image, p.height), sheet != (sheets + [""])[i + 1], sheet in across)
                          for i, (p, sheet, image) in enumerate(zip(printed, sheets, images))]
    return measured


@pytest.mark.parametrize("name", list(BUILDS))
def test_no_page_is_less_than_half_used_but_where_a_section_ends(pages, name):
    half_empty = [(number, sheet, f"{used:.0%}") for number, sheet, used, last, across in pages[name]
                  if used < HALF and not last and not across]
    assert half_empty == [], f"{name}: pages less than half used that do not end a sheet: {half_empty}"


@pytest.mark.parametrize("name", list(BUILDS))
def test_no_page_is_nearly_empty(pages, name):
    nearly_empty = [(number, sheet, f"{used:.0%}") for number, sheet, used, _last, _across in pages[name]
                    if used < NEARLY_EMPTY]
    assert nearly_empty == [], f"{name}: pages with almost nothing on them: {nearly_empty}"


def test_the_rules_are_not_vacuous(pages):
    """The builds print several sheets over several pages, some of them fuller than half."""
    every = [page for name in BUILDS for page in pages[name]]
    assert len({sheet for _, sheet, *_ in every}) >= 8 and len(every) >= 20
    assert any(used >= HALF and not last for _, _, used, last, _ in every)


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
