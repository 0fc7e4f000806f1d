"""Refresh keeps a protected workbook protected.

A workbook built with ``--suppress`` is the one sent to partners. Refreshed in Excel without protection it would
show, under the same file name, the small numbers it went out hiding. The workbook records that it is protected
(the settings sheet's ``protected`` row) and Refresh computes with suppression when it says so; a partner area's
workbook that does not say is refused, not guessed. Driven against the in-memory workbook of tests/fake_excel.py,
with the smallest protected build (conftest's ``protected_build``).
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
from engine.report import SUPPRESSED
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
