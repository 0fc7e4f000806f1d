"""The hidden settings sheet Refresh in Excel relies on: it names the spec, area and period, and lists
exactly what the engine wrote (checked here against the file itself, read independently)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from engine.api import prepare, workbook_bytes
from engine.errors import SaferbookError
from engine.contract.settings_sheet import SHEET_SETTINGS, WorkbookSettings, parse_cells, parse_range, range_ref, row_runs

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT / "specs" / "community_safety.yaml"  # every kind of sheet, so every kind of owned range
EXAMPLE = REPO_ROOT / "specs" / "examples" / "counted.yaml"  # small: for what needs no particular sheet


@pytest.fixture(scope="module")
def built() -> tuple[object, bytes]:
    prepared = prepare(SPEC, areas=["Melton"])
    return prepared, workbook_bytes(prepared, prepared.reports[0])


@pytest.fixture(scope="module")
def settings(built) -> WorkbookSettings:
    wb = load_workbook(io.BytesIO(built[1]), read_only=True)
    return WorkbookSettings.from_rows([list(r) for r in wb[SHEET_SETTINGS].iter_rows(values_only=True)])


def test_settings_sheet_is_hidden_and_last(built):
    wb = load_workbook(io.BytesIO(built[1]))
    assert wb.sheetnames[-1] == SHEET_SETTINGS
    assert wb[SHEET_SETTINGS].sheet_state == "hidden"
    assert wb.active.title == "Summary"


def test_settings_name_spec_area_period_and_data(settings, built):
    prepared = built[0]
    assert (settings.project, settings.spec) == ("saferbook-demo", "specs/community_safety.yaml")
    assert settings.partner_area == "Melton"
    assert settings.period_end == "latest"  # the spec's own setting: a refresh takes the newest data
    assert settings.shows_period_end == prepared.reports[0].period_end == "2022-10"
    assert settings.engine_version and settings.spec_version == "1.0"
    assert dict(settings.data_locations)["street_crime"] == "data/police_uk/leicestershire"  # from the project root


def test_period_end_override_is_what_refresh_asks_for():
    prepared = prepare(EXAMPLE, areas=["Rutland"], period_end="2022-10")
    wb = load_workbook(io.BytesIO(workbook_bytes(prepared, prepared.reports[0])), read_only=True)
    settings = WorkbookSettings.from_rows([list(r) for r in wb[SHEET_SETTINGS].iter_rows(values_only=True)])
    assert settings.period_end == "2022-10"


def test_owned_ranges_are_exactly_what_the_file_holds(built, settings):
    """Every value on an engine sheet is inside a listed table or a listed cell, and nothing listed is empty."""
    wb = load_workbook(io.BytesIO(built[1]))
    engine_sheets = [s for s in wb.sheetnames if s != SHEET_SETTINGS]
    assert settings.sheets == engine_sheets
    tables = {(ws.title, t.name, t.ref, bool(t.totalsRowCount)) for ws in wb.worksheets for t in ws.tables.values()}
    assert {(t.sheet, t.name, t.ref, t.total_row) for t in settings.tables} == tables
    for name in engine_sheets:
        ws = wb[name]
        rects = [range_boundaries(t.ref) for t in ws.tables.values()]  # min_col, min_row, max_col, max_row (1-based)
        outside = {(c.row - 1, c.column - 1) for row in ws.iter_rows() for c in row if c.value is not None
                   and not any(x0 <= c.column <= x1 and y0 <= c.row <= y1 for x0, y0, x1, y1 in rects)}
        assert set(settings.cells.get(name, [])) == outside, name
    links = {(ws.title, c.coordinate, "#" + c.hyperlink.location) for ws in wb.worksheets for row in ws.iter_rows()
             for c in row if c.hyperlink is not None and c.hyperlink.location}
    assert {(link.sheet, link.cell, link.target) for link in settings.links} == links
    assert len(links) >= 20


def test_rows_round_trip(settings):
    again = WorkbookSettings.from_rows(settings.rows())
    assert again == settings


def test_numbers_typed_over_text_still_read(settings):
    rows = settings.rows()
    rows[0][1] = 2.0  # Excel hands back a retyped "2" as a float
    assert WorkbookSettings.from_rows(rows) == settings


@pytest.mark.parametrize("damage, words", [
    (lambda rows: rows[0].__setitem__(0, "Something else"), "not a Saferbook settings sheet"),
    (lambda rows: rows[0].__setitem__(1, "7"), "settings format '7'"),
    (lambda rows: rows.__setitem__(2, ["spec", ""]), "spec is empty"),
    (lambda rows: rows[0].__setitem__(1, "1"), "build it again"),  # format 1 recorded the builder's folders
    (lambda rows: [r.__setitem__(3, "A7:K") for r in rows if r and r[0] == "table"][:1], "not a cell range"),
    (lambda rows: [r.__setitem__(0, "tabel") for r in rows if r and r[0] == "table"][:1], "unknown kind 'tabel'"),
])
def test_damaged_settings_name_the_row(settings, damage, words):
    rows = [list(r) for r in settings.rows()]
    damage(rows)
    with pytest.raises(SaferbookError) as caught:
        WorkbookSettings.from_rows(rows)
    text = str(caught.value)
    assert words in text and SHEET_SETTINGS in text


def test_addresses():
    assert parse_range("A7:K25") == (6, 0, 24, 10)
    assert parse_range("$B$8") == (7, 1, 7, 1)
    assert parse_cells("A1,B4:D4") == [(0, 0), (3, 1), (3, 2), (3, 3)]
    for bad in ("", "7A", "A0", "A1:B2:C3", "ABCD1"):
        with pytest.raises(ValueError):
            parse_range(bad)


def test_range_references_are_openpyxls_for_every_column():
    """The settings sheet's A1 references, checked against openpyxl's reading of them (an independent parser),
    for every one of a sheet's 16,384 columns, single cells and ranges alike."""
    for col in range(16_384):
        assert range_boundaries(range_ref((9, col, 9, col))) == (col + 1, 10, col + 1, 10)
    assert range_ref((0, 0, 0, 0)) == "A1"
    assert range_ref((6, 0, 24, 10)) == "A7:K25"
    assert range_ref((1_048_575, 16_383, 1_048_575, 16_383)) == "XFD1048576"
    assert range_ref((0, 25, 3, 26)) == "Z1:AA4"


def test_cells_fall_into_runs_of_neighbours_row_by_row():
    assert row_runs([]) == []
    assert row_runs([(3, 2), (0, 0), (3, 1), (3, 3), (0, 2), (3, 1), (5, 4)]) == [
        (0, 0, 0, 0), (0, 2, 0, 2), (3, 1, 3, 3), (5, 4, 5, 4)]
    assert row_runs([(1, 9), (2, 0)]) == [(1, 9, 1, 9), (2, 0, 2, 0)]  # the next row's first cell starts a run
