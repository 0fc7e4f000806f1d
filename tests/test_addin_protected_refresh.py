"""Refresh keeps a protected workbook protected.

A workbook built with ``--suppress`` is the one sent to partners. Refreshed in Excel without protection it would
show, under the same file name, the small numbers it went out hiding. The workbook records that it is protected
(the settings sheet's ``protected`` row) and Refresh computes with suppression when it says so; a partner area's
workbook that does not say is refused, not guessed. Driven against the in-memory workbook of tests/fake_excel.py,
with the smallest protected build (conftest's ``protected_build``).
"""
from __future__ import annotations

import copy
import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from addin.config import CONFIG_ENV, AddinConfig, save_config
from addin.refresh import refresh
from engine.api import build
from engine.contract.names import AS_BUILT_SHEETS
from engine.contract.settings_sheet import SHEET_SETTINGS, WorkbookSettings
from engine.report import NOT_AVAILABLE, SUPPRESSED
from fake_excel import FakeExcel

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This computer's add-in settings: the repository's project (where tests/specs lie) registered."""
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "config" / "addin.json"))
    project_id = yaml.safe_load((REPO / "saferbook-project.yaml").read_text(encoding="utf-8"))["id"]
    save_config(AddinConfig(projects={project_id: str(REPO)}))


@pytest.fixture
def book(protected_build: Path, tmp_path: Path) -> FakeExcel:
    path = tmp_path / protected_build.name
    path.write_bytes(protected_build.read_bytes())
    return FakeExcel.from_xlsx(path.read_bytes(), path)


def hidden_cells(book: FakeExcel) -> set[tuple[str, tuple[int, int]]]:
    """Every cell of every table reading 'suppressed' (read from the book, not through the settings sheet)."""
    hidden = set()
    for sheet, (r0, c0, r1, c1) in book.table_rects.values():
        hidden |= {(sheet, (r, c)) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                   if book.value(sheet, (r, c)) == SUPPRESSED}
    return hidden


def setting(book: FakeExcel, key: str) -> tuple[tuple[int, int], Any]:
    cell = next(c for c, v in book.cells[SHEET_SETTINGS].items() if c[1] == 0 and v == key)
    return (cell[0], 1), book.cells[SHEET_SETTINGS].get((cell[0], 1))


def test_the_workbook_says_it_is_protected(book):
    settings = WorkbookSettings.from_rows(book.values(SHEET_SETTINGS))
    assert settings.protected == "yes"


def test_a_protected_workbook_refreshed_hides_what_it_hid(book):
    hidden = hidden_cells(book)
    assert len(hidden) >= 5, "the fixture's protected build hides small counts on several sheets"
    outcome = refresh(book)
    assert outcome.status == "refreshed", outcome.message
    assert hidden_cells(book) == hidden  # the same period and data: the same cells hidden, none shown
    assert setting(book, "protected")[1] == "yes"


def test_a_partner_workbook_that_does_not_say_is_refused_and_left_alone(book):
    cell, _ = setting(book, "protected")
    del book.cells[SHEET_SETTINGS][cell]  # as an earlier Saferbook wrote it, or cleared by hand
    before = copy.deepcopy(book)
    outcome = refresh(book)
    assert outcome.status == "failed"
    assert "does not say whether its small numbers are hidden" in outcome.message and "--suppress" in outcome.message
    assert book.cells == before.cells and not book.changed_anything()


# --- a count hidden by a refresh reads 'suppressed' where the number sat -------------------------------------------

PROTECTED_NOTES = REPO / "tests" / "specs" / "protected_notes.yaml"
POLICE_UK = REPO / "specs" / "examples" / "data" / "police_uk"


def two_month_project(root: Path) -> Path:
    """The protected-notes spec in a project of its own whose police.uk sample starts a month earlier (November
    2020's rows relabelled October), so that its workbook can be built for 2022-09 and refreshed to 2022-10; the
    rest of its data is the repository's. Returns the spec's path."""
    (root / "tests" / "specs").mkdir(parents=True)
    shutil.copy(REPO / "saferbook-project.yaml", root)
    shutil.copy(PROTECTED_NOTES, root / "tests" / "specs")
    (root / "data").symlink_to(REPO / "data", target_is_directory=True)
    police = root / POLICE_UK.relative_to(REPO)
    police.mkdir(parents=True)
    for month in POLICE_UK.iterdir():
        (police / month.name).symlink_to(month)
    text = gzip.open(POLICE_UK / "2020-11-leicestershire-street.csv.gz", "rt", encoding="utf-8").read()
    with gzip.open(police / "2020-10-leicestershire-street.csv.gz", "wt", encoding="utf-8") as out:
        out.write(text.replace("\n2020-11,", "\n2020-10,"))
    return root / "tests" / "specs" / PROTECTED_NOTES.name


@pytest.fixture(scope="module")
def two_months(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> dict[str, Any]:
    """Melton's protected workbooks for 2022-09 and 2022-10 from :func:`two_month_project`, and its add-in settings."""
    root = tmp_path_factory.mktemp("two-months") / "project"
    spec = two_month_project(root)
    built = {month: build(spec, root / "out" / month, areas=["Melton"], period_end=month, suppress=True)[0]
             for month in ("2022-09", "2022-10")}
    project_id = yaml.safe_load((root / "saferbook-project.yaml").read_text(encoding="utf-8"))["id"]
    return {**built, "config": AddinConfig(projects={project_id: str(root)})}


def figure_word_alignments(path: Path) -> dict[tuple[str, tuple[int, int]], str | None]:
    """Every cell of the sheets Refresh rewrites that reads a word standing for a figure, and its horizontal alignment,
    read from the file with openpyxl."""
    workbook = load_workbook(path)
    return {(ws.title, (c.row - 1, c.column - 1)): c.alignment.horizontal
            for ws in workbook.worksheets if ws.title not in AS_BUILT_SHEETS | {SHEET_SETTINGS}
            for row in ws.iter_rows() for c in row if c.value in (SUPPRESSED, NOT_AVAILABLE)}


def table_values(path: Path, sheet: str, name: str) -> tuple[tuple[int, int, int, int], list[list[Any]]]:
    """A table's rectangle (0-based) and values, read from the file with openpyxl."""
    ws = load_workbook(path)[sheet]
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                                             max_col=max_col)]
    return (min_row - 1, min_col - 1, max_row - 1, max_col - 1), values


def test_a_count_hidden_by_a_refresh_reads_suppressed_where_the_number_sat(two_months, tmp_path):
    """September's quarterly counts are all shown; October hides some (complementary suppression). Refresh copies
    values and keeps each cell's format, so the word would sit left in a column of right-aligned numbers: the cells
    Refresh writes a figure word into are right-aligned wherever a build for October right-aligns them."""
    september, october = two_months["2022-09"], two_months["2022-10"]
    _, before = table_values(september, "Trends", "sb_trend_quarterly")
    (r0, c0, _, _), after = table_values(october, "Trends", "sb_trend_quarterly")
    assert all(isinstance(v, int) for v in before[1][1:]), "September shows every quarter's count"
    newly_hidden = {("Trends", (r0 + 1, c0 + c)) for c, v in enumerate(after[1]) if v == SUPPRESSED}
    assert len(newly_hidden) >= 2, "October hides some of them"

    expected = figure_word_alignments(october)
    assert all(expected[cell] == "right" for cell in newly_hidden)  # as the build aligns them
    path = tmp_path / september.name
    path.write_bytes(september.read_bytes())
    book = FakeExcel.from_xlsx(path.read_bytes(), path)
    assert {book.alignment(*cell) for cell in newly_hidden} == {None}, "before: General, as the numbers were"

    outcome = refresh(book, period_end="2022-10", config=two_months["config"])
    assert outcome.status == "refreshed", outcome.message
    assert {cell for cell in expected if book.value(*cell) in (SUPPRESSED, NOT_AVAILABLE)} == set(expected)
    assert {cell: book.alignment(*cell) for cell in expected} == expected


def test_refresh_aligns_only_the_figure_words_it_writes(two_months, tmp_path):
    """The analyst's own alignment stays: on a cell Refresh does not write, and on an engine cell it writes a number
    or a label into. Every range Refresh aligns holds figure words only."""
    september = two_months["2022-09"]
    book = FakeExcel.from_xlsx(september.read_bytes(), tmp_path / september.name)
    (r0, c0, _, _), _ = table_values(september, "Trends", "sb_trend_quarterly")
    book.cells["Trends"][(0, 12)] = "Checked by JB"  # the analyst's note, right of the engine's columns, centred
    mine = {("Trends", (0, 12)): "center", ("Trends", (r0, c0)): "center",  # the table's header 'Indicator'
            ("Trends", (r0 + 1, c0 + 1)): "left"}  # a count October shows too
    for (sheet, cell), horizontal in mine.items():
        book.alignments[sheet][cell] = horizontal

    outcome = refresh(book, period_end="2022-10", config=two_months["config"])
    assert outcome.status == "refreshed", outcome.message
    down = 1  # one more month in the monthly table above
    assert book.alignment("Trends", (0, 12)) == "center" and book.value("Trends", (0, 12)) == "Checked by JB"
    assert book.alignment("Trends", (r0 + down, c0)) == "center"
    assert isinstance(book.value("Trends", (r0 + down + 1, c0 + 1)), int)
    assert book.alignment("Trends", (r0 + down + 1, c0 + 1)) == "left"
    aligned = [(sheet, rect) for kind, sheet, rect in book.calls if kind == "align"]
    assert aligned, "Refresh aligned the words it wrote"
    for sheet, (a0, b0, a1, b1) in aligned:
        assert {book.value(sheet, (r, c)) for r in range(a0, a1 + 1) for c in range(b0, b1 + 1)} <= {SUPPRESSED,
                                                                                                     NOT_AVAILABLE}
