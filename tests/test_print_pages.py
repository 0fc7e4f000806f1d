"""Pages people can print (issue 17): the North West Leicestershire workbook and the county dashboard,
printed by LibreOffice, checked page by page from ``pdftotext -bbox``.

- every page's median word is at least 8 points high (the page as printed, at the sheet's scale);
- no page begins with a table's data rows: the first line under the running header is a title,
  a heading, a note or a table's header row (print titles repeat it), never rows cut off from it;
- the front page puts the board's columns on one page wide;
- no page is less than half filled unless it is the last page of its sheet (a section's end): filled down to
  its lowest word, from the word boxes between the running header and footer, with no exception for a sheet
  printed across pages (such a sheet's pages to the right hold only the wide tables' last columns).

Words' heights are their boxes (ascender to descender), about 1.3 times the font size in the faces
LibreOffice uses, so 8 points is a floor with room to spare; the renderer keeps body text at 8 points
or more by its print scale (engine.render.print_pages).
"""
from __future__ import annotations

import html
import re
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from engine.report import SUPPRESSED
from page_fill import PageFill, half_empty, nearly_empty, page_fills
from test_libreoffice import require_tool

REPO_ROOT = Path(__file__).resolve().parents[1]
AREA = "North West Leicestershire"
MIN_MEDIAN_POINTS = 8.0
MARGIN_POINTS = 40  # the running header and footer sit in the page's top and bottom margins
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@dataclass(frozen=True)
class Page:
    number: int
    height: float
    words: list[tuple[float, float, float, float, str]]

    def running_header(self) -> str:
        return " ".join(t for _x0, y0, _x1, _y1, t in self.words if y0 <= MARGIN_POINTS)

    def filled(self) -> float:
        """How far down the body (between the running header and footer bands) its lowest word reaches, as a share."""
        body = self.height - 2 * MARGIN_POINTS
        bottoms = [y1 for _x0, y0, _x1, y1, _t in self.words if y0 > MARGIN_POINTS and y1 < self.height - MARGIN_POINTS]
        return (max(bottoms) - MARGIN_POINTS) / body if bottoms else 0.0

    def body_lines(self) -> list[str]:
        """The page's lines of text between the running header and footer, top to bottom."""
        lines: dict[int, list[tuple[float, str]]] = {}
        for x0, y0, _x1, y1, text in self.words:
            if y0 > MARGIN_POINTS and y1 < self.height - MARGIN_POINTS:
                lines.setdefault(round(y0), []).append((x0, text))
        return [" ".join(t for _, t in sorted(lines[y])) for y in sorted(lines)]


def _pages(pdf: Path) -> list[Page]:
    out = subprocess.run([require_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    return [Page(n, float(m.group(2)), [(float(a), float(b), float(c), float(d), html.unescape(w))
                                        for a, b, c, d, w in WORD.findall(m.group(3))])
            for n, m in enumerate(PAGE.finditer(out), start=1)]


@pytest.fixture(scope="module")
def printed(demo_build: Path, dashboard_build: Path, office_pdfs: dict) -> dict[str, tuple[Path, list[Page]]]:
    """Both workbooks (conftest's builds, SOURCE_DATE_EPOCH unset), printed to PDF by LibreOffice (conftest's
    office_pdfs: one run for every file that prints): name -> (workbook, pages)."""
    require_tool("soffice", "libreoffice")
    require_tool("pdftotext")
    (partner,) = demo_build.glob(f"{AREA.replace(' ', '_')}_E*.xlsx")
    dashboard = dashboard_build
    printed = {}
    for name, book in (("partner", partner), ("dashboard", dashboard)):
        pdf = office_pdfs["out"] / f"{book.stem}.pdf"
        assert pdf.is_file(), f"no PDF of {book.name}.\nstdout: {office_pdfs['stdout']}\nstderr: {office_pdfs['stderr']}"
        printed[name] = (book, _pages(pdf))
        PDFS[name] = pdf
    return printed


PDFS: dict[str, Path] = {}  # the printed fixture's PDFs, for the page-fill checks


@pytest.fixture(scope="module")
def fills(printed, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[PageFill]]:
    """How full each page of both workbooks is (tests/page_fill.py)."""
    pdftoppm = require_tool("pdftoppm")
    work = tmp_path_factory.mktemp("print_fills")
    return {name: page_fills(pdftoppm, PDFS[name], book, pages, MARGIN_POINTS, work / name)
            for name, (book, pages) in printed.items()}


def _cell_text(value) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _data_and_other_starts(book: Path) -> tuple[set[str], set[str]]:
    """The text each table data row begins with (its first text cell), and every other text on the sheets."""
    wb = load_workbook(book)
    data, other = set(), set()
    for ws in wb.worksheets:
        inside: set[tuple[int, int]] = set()
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            for row in range(min_row, max_row + 1):
                cells = [ws.cell(row, col).value for col in range(min_col, max_col + 1)]
                inside |= {(row, col) for col in range(min_col, max_col + 1)}
                if row == min_row:  # the header row: any of its cells may open a page printed across
                    other |= {_cell_text(v) for v in cells}
                else:
                    data.add(next((_cell_text(v) for v in cells if _cell_text(v)), ""))
        for row in ws.iter_rows():
            for cell in row:
                if (cell.row, cell.column) not in inside and _cell_text(cell.value):
                    other.add(_cell_text(cell.value))
    data.discard("")
    return data, other


def _starts_with(line: str, text: str) -> bool:
    return line == text or line.startswith(text + " ")


@pytest.mark.parametrize("name", ["partner", "dashboard"])
def test_every_page_is_readable(printed, name):
    _, pages = printed[name]
    small = [(p.number, round(statistics.median(y1 - y0 for _, y0, _, y1, _ in p.words), 1))
             for p in pages if p.words and statistics.median(y1 - y0 for _, y0, _, y1, _ in p.words) < MIN_MEDIAN_POINTS]
    assert small == [], f"pages whose median word is under {MIN_MEDIAN_POINTS} pt: {small}"


@pytest.mark.parametrize("name", ["partner", "dashboard"])
def test_no_page_begins_with_rows_cut_off_from_their_header(printed, name):
    book, pages = printed[name]
    data, other = _data_and_other_starts(book)
    cut_off = []
    for page in pages:
        lines = page.body_lines()
        if not lines:
            continue
        first = lines[0]
        row = max((d for d in data if _starts_with(first, d)), key=len, default=None)
        opening = " ".join(first.split()[:2])  # a header or note wrapped over lines prints its first words first
        if row is not None and not any((_starts_with(first, o) and len(o) >= len(row)) or _starts_with(o, opening)
                                       for o in other):
            cut_off.append((page.number, first[:60]))
    assert cut_off == [], f"pages that begin with table rows and no header: {cut_off}"


@pytest.mark.parametrize("name", ["partner", "dashboard"])
def test_front_page_prints_one_page_wide(printed, name):
    """The board's columns (indicator to target status) share the front page's first page."""
    _, pages = printed[name]
    front = next(p for p in pages if p.running_header().startswith("Front page"))  # its first page
    text = " ".join(front.body_lines())
    assert all(h in text for h in ("Direction of", "Compared with", "Last 8", "Target")), text[:400]


@pytest.mark.parametrize("name", ["partner", "dashboard"])
def test_no_page_is_half_empty_or_nearly_empty(fills, name):
    """The rules of tests/test_page_fill.py, on the full workbooks: no page less than half used unless it ends a
    sheet or its sheet prints across pages, and none nearly empty."""
    assert half_empty(fills[name]) == [], f"{name}: pages less than half used that do not end a sheet"
    assert nearly_empty(fills[name]) == [], f"{name}: pages with almost nothing on them"


@pytest.mark.parametrize("sheet", ["Profiles", "Who is affected"])
def test_pages_printed_across_carry_their_rows_labels(printed, sheet):
    """A sheet too wide for one page prints its band of rows over pages side by side; each of those pages repeats
    the label column, so a page to the right still says which row its figures are for (without it a page held
    columns of "Not significantly different" and nothing to say of what)."""
    book, pages = printed["partner"]
    ws = load_workbook(book)[sheet]
    assert ws.page_setup.pageOrder == "overThenDown", f"{sheet} no longer prints across: this test has no subject"
    labels = {_cell_text(ws.cell(row, 1).value) for row in range(1, ws.max_row + 1)} - {""}
    ours = [p for p in pages if p.running_header().startswith(f"{sheet} —")]
    unlabelled = [p.number for p in ours if not any(_starts_with(line, label) or line.startswith(label[:20])
                                                    for line in p.body_lines() for label in labels if len(label) >= 4)]
    assert len(ours) >= 4 and unlabelled == [], f"{sheet}: pages with no row label: {unlabelled}"


def _short_pages(pages: list[Page]) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """Pages less than half filled that are not their sheet's last, and every page's figure: (number, sheet, fill)."""
    sheets = [p.running_header().split(" — ")[0] for p in pages]
    figures = [(p.number, sheet, f"{p.filled():.0%}") for p, sheet in zip(pages, sheets)]
    short = [figure for i, (p, figure) in enumerate(zip(pages, figures))
             if p.filled() < 0.5 and figure[1] == (sheets + [""])[i + 1]]
    return short, figures


@pytest.mark.parametrize("name", ["partner", "dashboard"])
def test_no_page_is_less_than_half_filled_but_a_sheets_last(printed, name):
    """Every page is at least half filled with words, the last page of each sheet excepted: a sheet printed across
    pages is no exception (the last band of its rows prints on several pages, all but one mid-sheet)."""
    _, pages = printed[name]
    short, figures = _short_pages(pages)
    print(f"{name}: {len(pages)} pages; filled: {figures}")
    assert short == [], f"{name}: pages less than half filled that do not end their sheet: {short}"


def test_who_is_affected_pages_are_half_filled(printed):
    """Its first page, the rate-ratio table under the sheet's introduction, shares no page with the tables and charts
    below it (each four fifths of a page): it is filled by the ratio table and the note on reading it."""
    _, pages = printed["partner"]
    short, _ = _short_pages(pages)
    assert [s for s in short if s[1] == "Who is affected"] == []


@pytest.mark.parametrize("screen", ["Profiles", "Who is affected"])
def test_wide_sheets_have_a_printable_form_one_page_wide(printed, screen):
    """The Profiles and Who-is-affected tables print two or three pages across on their own sheets; their printable
    form prints one page wide: no page of it is a horizontal continuation (each begins, under its running header,
    with a table's heading and has a row label at its left edge), its pages are as many as its page breaks make (a
    sheet printed across would make more), every table of the screen sheet is on it, and its text is 8 points high."""
    book, pages = printed["partner"]
    wb = load_workbook(book)
    name = f"{screen} (print)"
    assert name in wb.sheetnames, f"no printable form of {screen}"
    ws = wb[name]
    assert ws.page_setup.pageOrder != "overThenDown"
    ours = [p for p in pages if p.running_header().startswith(f"{name} —")]
    breaks = len(ws.row_breaks.brk)
    assert len(ours) == breaks + 1, f"{name}: {len(ours)} pages printed for {breaks + 1} planned: some print across"
    headings = {_cell_text(ws.cell(row, 1).value) for row in range(1, ws.max_row + 1)
                if ws.cell(row, 1).font is not None and ws.cell(row, 1).font.sz and ws.cell(row, 1).font.sz > 10}
    labels = {_cell_text(ws.cell(row, 1).value) for row in range(1, ws.max_row + 1)} - {""}
    for page in ours:
        lines = page.body_lines()
        assert lines and any(lines[0].startswith(h[:30]) for h in headings | {_cell_text(ws["A1"].value)}), \
            f"page {page.number} does not begin with a table's heading: {lines[:1]}"
        left = min(x0 for x0, y0, _x1, _y1, _t in page.words if y0 > MARGIN_POINTS)
        assert left < 60, f"page {page.number} has nothing at its left edge: a strip of columns"
        assert any(line.startswith(label[:15]) for line in lines[1:] for label in labels), page.number
        assert statistics.median(y1 - y0 for _, y0, _, y1, _ in page.words) >= MIN_MEDIAN_POINTS
    screen_titles = {t.name for t in wb[screen].tables.values()}
    assert len(screen_titles) > 0
    printed_text = " ".join(" ".join(p.body_lines()) for p in ours)
    screen_ws = wb[screen]
    for table in screen_ws.tables.values():
        min_col, min_row, _max_col, _max_row = range_boundaries(table.ref)
        first_label = _cell_text(screen_ws.cell(min_row + 1, min_col).value)
        if first_label and not table.name.startswith(("sb_hotspots", "sb_published")):
            assert first_label[:15] in printed_text, f"{table.name}'s rows are not on {name}"


def test_subset_names_start_at_their_first_column(printed):
    """A subset's name over its columns (the row above a breakdown's header) starts at its first column: centred
    across a table too wide for one page, it landed on the page break and printed cut ("All referra"), which
    LibreOffice's PDF does not show in its text (the clipped word is still whole there), so the cell is checked."""
    book, _pages = printed["partner"]
    ws = load_workbook(book)["Profiles"]
    spans = []
    for _name, ref in ws.tables.items():
        first_col, first_row, last_col, _ = range_boundaries(ref)
        spans += [ws.cell(first_row - 1, col) for col in range(first_col + 1, last_col + 1)
                  if isinstance(ws.cell(first_row - 1, col).value, str)]
    centred = [f"{cell.coordinate} {cell.value!r}" for cell in spans if cell.alignment.horizontal != "left"]
    assert spans and centred == [], f"subset names not starting at their first column: {centred}"


@pytest.fixture(scope="module")
def printed_protected(protected_build: Path, office_pdfs: dict) -> tuple[Path, list[Page]]:
    """Melton's protected workbook (conftest's protected_build: tests/specs/protected_notes.yaml with ``suppress``),
    printed in conftest's one LibreOffice run: (workbook, pages)."""
    require_tool("soffice", "libreoffice")
    pdf = office_pdfs["out"] / f"{protected_build.stem}.pdf"
    assert pdf.is_file(), f"no PDF of {protected_build.name}.\nstderr: {office_pdfs['stderr']}"
    return protected_build, _pages(pdf)


def _notes(book: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every note on the visible sheets: the text cells written in italics (the note format),
    with their whitespace made single spaces (and none after a hyphen: a line may break there)."""
    wb = load_workbook(book)
    return [(ws.title, cell.coordinate, _cell_text(cell.value).replace("- ", "-"))
            for ws in wb.worksheets if ws.sheet_state == "visible"
            for row in ws.iter_rows() for cell in row
            if isinstance(cell.value, str) and cell.value.strip() and cell.font is not None and cell.font.i]


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")
def test_every_note_of_a_protected_workbook_prints_whole(printed_protected):
    """Each note (what 'suppressed' means, what is left out and why, every other sentence under a table) prints whole
    on one page of its sheet, its words in order: a note written unwrapped in one cell ran past the page's edge
    ("… worked out or na"), and one wrapped across a table printed across pages was cut between the pages side by
    side. The text is pdftotext's, the page's lines top to bottom joined by spaces."""
    book, pages = printed_protected
    notes = _notes(book)
    sheets = {sheet for sheet, _cell, _text in notes}
    # The fixture hides figures and leaves things out on every sheet that says so: the test sees each kind of note.
    assert {"Summary", "Top 10", "Trends", "Comparisons", "Profiles", "Profiles (print)", "Who is affected",
            "Maps"} <= sheets, sheets
    assert sum("suppressed" in text for _s, _c, text in notes) >= 6, notes
    # A sheet showing a hidden figure's word says what it means (the printable forms too).
    wb = load_workbook(book)
    showing = {ws.title for ws in wb.worksheets if ws.sheet_state == "visible"
               and any(cell.value == SUPPRESSED for row in ws.iter_rows() for cell in row)}
    explained = {sheet for sheet, _cell, text in notes if f"'{SUPPRESSED}'" in text}
    assert {"Top 10", "Who is affected (print)"} <= showing and showing - explained == set(), showing - explained
    printed_text = {}
    for page in pages:
        sheet = page.running_header().split(" — ")[0]
        printed_text.setdefault(sheet, []).append(" ".join(page.body_lines()).replace("- ", "-"))
    cut = [(sheet, cell, text[:70]) for sheet, cell, text in notes
           if not any(text in page for page in printed_text.get(sheet, []))]
    assert cut == [], f"notes not printed whole on a page of their sheet: {cut}"
