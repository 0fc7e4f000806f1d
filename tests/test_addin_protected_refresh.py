"""Refresh keeps a protected workbook protected.

A workbook built with ``--suppress`` is the one sent to partners. Refreshed in Excel without protection it would
show, under the same file name, the small numbers it went out hiding. The workbook records that it is protected
(the settings sheet's ``protected`` row) and Refresh computes with suppression when it says so; a partner area's
workbook that does not say is refused, not guessed. A count hidden this period reads 'suppressed' where the number
sat, right-aligned as a build writes it. Driven against the in-memory workbook of tests/fake_excel.py, with the
smallest protected build (conftest's ``protected_build``), and that spec's workbooks for two months (conftest's
``protected_months``).
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from addin.config import CONFIG_ENV, AddinConfig, save_config
from addin.refresh import refresh
from engine.contract.settings_sheet import SHEET_SETTINGS, WorkbookSettings
from engine.report import NOT_AVAILABLE, SUPPRESSED
from addin_support import PROTECTED_MONTHS, figure_word_alignments, protected_workbook, table_values
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

@pytest.fixture(scope="module")
def two_months(protected_months: Path) -> dict[str, Any]:
    """Melton's protected workbooks for 2022-09 and 2022-10 (conftest's ``protected_months``) and add-in settings
    that register their project."""
    project_id = yaml.safe_load((protected_months / "saferbook-project.yaml").read_text(encoding="utf-8"))["id"]
    return {**{month: protected_workbook(protected_months, month) for month in PROTECTED_MONTHS},
            "config": AddinConfig(projects={project_id: str(protected_months)})}


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
    or a label into. Every range Refresh aligns holds figure words only, and a refresh that hides nothing new aligns
    nothing."""
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
    again = refresh(book, period_end="2022-10", config=two_months["config"])
    assert again.status == "refreshed" and again.plan.aligns == [], "nothing newly hidden: nothing aligned"
