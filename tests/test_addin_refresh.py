"""Refresh, driven for real against an in-memory workbook that follows Excel's rules (tests/fake_excel.py).

A workbook built for 2022-09 and refreshed to 2022-10 must show exactly what a workbook built for
2022-10 shows (read independently from that file), while the analyst's sheets and cells stay as
they were; a failure must write nothing and say what the CLI says.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from addin.fresh import Formula, excel_input, same_value
from addin.config import CONFIG_ENV, AddinConfig, save_config
from addin.plan import blocks
from addin.refresh import refresh
from engine.contract.names import AS_BUILT_SHEETS, SHEET_MAPS
from engine.contract.settings_sheet import SHEET_SETTINGS, WorkbookSettings
from addin_support import (AREA, REPO_ROOT, after_refresh, build_bytes, cli_errors, land_latest_month, make_project,
                           shown)
from fake_excel import ExcelRefused, FakeExcel, parse_input

COMMENTARY = {(0, 0): "Partnership commentary, Q3", (1, 0): "Burglary is up again in Melton North.",
              (2, 1): Formula("=SUM(sb_summary[Current 12 months])"), (3, 2): 42}


@pytest.fixture(scope="module")
def october(october_workbook: bytes) -> dict[str, Any]:
    """October's build (conftest's, shared with the other add-in tests) and what it shows."""
    return {"bytes": october_workbook, **shown(october_workbook)}


def table_rect(book: FakeExcel, name: str) -> tuple[int, int, int, int]:
    return book.table_rects[name][1]


def open_worked_book(september: bytes, folder: Path) -> FakeExcel:
    """The September workbook, saved in ``folder/out`` and open, after an analyst has worked in it."""
    path = folder / "out" / f"{AREA}_2022-09.xlsx"
    path.parent.mkdir()
    path.write_bytes(september)
    fake = FakeExcel.from_xlsx(september, path)
    fake.add_sheet("Commentary", COMMENTARY)
    fake.cells["Summary"][(2, 12)] = "Analyst: figures agreed at the JAG"  # M3, right of the engine's columns
    robbery = table_rect(fake, "sb_top10_robbery")
    fake.cells["Top 10"][(robbery[0] + 1, 8)] = "Check the town-centre LSOA"  # I, beside the robbery table
    vehicle = table_rect(fake, "sb_top10_vehicle_crime")
    fake.cells["Top 10"][(vehicle[0] + 1, 8)] = "Vehicle crime: new operation from May"  # beside the next table
    monthly = table_rect(fake, "sb_trend_monthly")
    fake.cells["Trends"][(monthly[2] + 3, 15)] = "Counts checked by JB"  # below the monthly table, right of the engine's columns
    return fake


@pytest.fixture
def book(september: bytes, tmp_path: Path) -> FakeExcel:
    """The analyst's September workbook, open: each test's own, to refresh or to break."""
    return open_worked_book(september, tmp_path)


def settings_value(book: FakeExcel, key: str) -> tuple[tuple[int, int], Any]:
    cell = next(c for c, v in book.cells[SHEET_SETTINGS].items() if c[1] == 0 and v == key)
    return (cell[0], 1), book.cells[SHEET_SETTINGS].get((cell[0], 1))


def set_setting(book: FakeExcel, key: str, value: str) -> None:
    cell, _ = settings_value(book, key)
    book.cells[SHEET_SETTINGS][cell] = value


def engine_view(book: FakeExcel, sheets: list[str], analyst: set[tuple[str, tuple[int, int]]]) -> dict[str, Any]:
    """The fake book's engine sheets in the same shape as ``shown()``, analyst cells left out."""
    tables, cells = {}, {}
    for name, (sheet, rect) in book.table_rects.items():
        r0, c0, r1, c1 = rect
        tables[name] = (sheet, rect, [[book.value(sheet, (r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)])
    for sheet in sheets:
        rects = [rect for s, rect in book.table_rects.values() if s == sheet]
        cells[sheet] = {cell: v for cell, v in book.cells[sheet].items() if (sheet, cell) not in analyst
                        and not any(r[0] <= cell[0] <= r[2] and r[1] <= cell[1] <= r[3] for r in rects)}
    links = {key: target for key, target in book.hyperlinks.items() if key[0] in sheets}
    return {"tables": tables, "cells": cells, "links": links}


PROJECT_ID = "saferbook-demo"  # the repository's saferbook-project.yaml, copied by make_project


def use_project(root: Path) -> None:
    """This computer's add-in settings: the workbooks' project is the folder ``root``."""
    save_config(AddinConfig(projects={PROJECT_ID: str(root)}))


@pytest.fixture(autouse=True)
def registered(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs with its own add-in settings, the shared demo project registered."""
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "config" / "addin.json"))
    use_project(project.parents[1])
    return project.parents[1]


@pytest.fixture(scope="module")
def refreshed_once(project: Path, september: bytes, tmp_path_factory: pytest.TempPathFactory) -> tuple[FakeExcel, Any]:
    """The analyst's September workbook refreshed to October once, with its own add-in settings, for the tests
    that only read what that refresh did (each gets a copy: see ``refreshed``)."""
    folder = tmp_path_factory.mktemp("refreshed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CONFIG_ENV, str(folder / "config" / "addin.json"))
        use_project(project.parents[1])
        book = open_worked_book(september, folder)
        return book, refresh(book, period_end="2022-10")


@pytest.fixture
def refreshed(refreshed_once: tuple[FakeExcel, Any]) -> tuple[FakeExcel, Any]:
    """(the refreshed book, the refresh's outcome): a copy per test, so no test sees another's changes."""
    return copy.deepcopy(refreshed_once)


# --- the refresh itself ---------------------------------------------------------------------------


def test_refreshed_workbook_shows_what_a_fresh_build_shows(refreshed, october, september):
    """What October's build shows, but the maps, which stay as September's build drew them."""
    book, outcome = refreshed
    assert outcome.status == "refreshed", outcome.message
    expected = after_refresh(september, october)
    sheets = list(expected["cells"])
    analyst = {("Summary", (2, 12)), ("Top 10", (table_rect(book, "sb_top10_robbery")[0] + 1, 8)),
               ("Top 10", (table_rect(book, "sb_top10_vehicle_crime")[0] + 1, 8)),
               ("Trends", (table_rect(book, "sb_trend_monthly")[2] + 3, 15))}
    got = engine_view(book, sheets, analyst)
    assert sorted(got["tables"]) == sorted(october["tables"])
    for name, (sheet, rect, values) in october["tables"].items():
        assert got["tables"][name][:2] == (sheet, rect), name
        assert got["tables"][name][2] == values, name
    for sheet in sheets:
        assert got["cells"][sheet] == expected["cells"][sheet], sheet
    assert got["links"] == expected["links"]


def test_refreshing_back_a_month_shrinks_what_grew(october, september):
    """October's workbook refreshed to September: rows and a column are deleted, inside the tables,
    and it shows exactly what September's build shows."""
    fake = FakeExcel.from_xlsx(october["bytes"])
    fake.cells["Top 10"][(2, 9)] = "kept"
    outcome = refresh(fake, period_end="2022-09")
    assert outcome.status == "refreshed", outcome.message
    assert any(not s.insert and s.rows for s in outcome.plan.shifts)
    assert any(not s.insert and not s.rows for s in outcome.plan.shifts)
    expected = after_refresh(october["bytes"], shown(september))
    got = engine_view(fake, list(expected["cells"]), {("Top 10", (2, 9))})
    assert got["tables"] == expected["tables"]
    assert got["cells"] == expected["cells"] and got["links"] == expected["links"]
    assert fake.value("Top 10", (2, 9)) == "kept"


def test_the_refresh_really_changed_shapes_and_numbers(september, october):
    """Not vacuous: from September to October tables grow (a new financial year, one more month,
    a fuller top 10) and the numbers change."""
    before = shown(september)["tables"]
    after = october["tables"]
    grown = [name for name in after if after[name][1] != before[name][1]]
    assert {"sb_trend", "sb_trend_monthly"} <= set(grown), grown
    assert after["sb_summary"][2] != before["sb_summary"][2]


def test_analyst_sheets_and_cells_are_untouched(refreshed, october):
    book, _ = refreshed
    assert book.cells["Commentary"] == COMMENTARY  # as open_worked_book wrote it before the refresh
    assert not [call for call in book.calls if call[1] == "Commentary"]
    assert book.value("Summary", (2, 12)) == "Analyst: figures agreed at the JAG"
    # Notes beside a table stay beside it: the robbery table grew below its note; the vehicle crime
    # table, and its note, moved down a row with it.
    robbery, vehicle = (october["tables"][f"sb_top10_{name}"][1] for name in ("robbery", "vehicle_crime"))
    assert book.value("Top 10", (robbery[0] + 1, 8)) == "Check the town-centre LSOA"
    assert book.value("Top 10", (vehicle[0] + 1, 8)) == "Vehicle crime: new operation from May"
    monthly = october["tables"]["sb_trend_monthly"][1]
    assert book.value("Trends", (monthly[2] + 3, 15)) == "Counts checked by JB"
    analyst_values = {v for sheet in ("Summary", "Top 10", "Trends") for v in book.cells[sheet].values()}
    assert {"Analyst: figures agreed at the JAG", "Counts checked by JB"} <= analyst_values


def test_an_analyst_table_below_moves_down_with_the_rows(book, october):
    monthly = table_rect(book, "sb_trend_monthly")
    mine = (monthly[2] + 5, 15, monthly[2] + 7, 16)  # below the monthly table, right of the engine's columns
    book.table_rects["my_counts"] = ("Trends", mine)
    book.cells["Trends"].update({(mine[0], 15): "Ward", (mine[0], 16): "Count", (mine[0] + 1, 15): "North",
                                 (mine[0] + 1, 16): 12, (mine[0] + 2, 15): "South", (mine[0] + 2, 16): 7})
    assert refresh(book, period_end="2022-10").status == "refreshed"
    down = october["tables"]["sb_trend_monthly"][1][2] - monthly[2]
    assert down == 2  # one more month in the table, one more note above it
    moved = (mine[0] + down, 15, mine[2] + down, 16)
    assert book.table_rects["my_counts"] == ("Trends", moved)
    assert book.value("Trends", (moved[0] + 1, 16)) == 12 and book.value("Trends", (moved[0] + 2, 15)) == "South"


def test_one_write_per_table_and_screen_updating_off(refreshed, october):
    book, outcome = refreshed
    writes = book.writes()
    table_rects = {name: (sheet, rect) for name, (sheet, rect, _) in october["tables"].items()}
    per_table = {name: sum(1 for _, s, r in writes if (s, r) == where) for name, where in table_rects.items()}
    assert per_table == {name: 1 for name in table_rects}
    for _, sheet, (r0, c0, r1, c1) in writes:  # nothing else writes into a table, cell by cell
        for name, (s, (t0, u0, t1, u1)) in table_rects.items():
            overlaps = s == sheet and r0 <= t1 and r1 >= t0 and c0 <= u1 and c1 >= u0
            assert not overlaps or (r0, c0, r1, c1) == (t0, u0, t1, u1), (sheet, name)
    cell_writes = [w for w in outcome.plan.writes if not w.table and w.sheet != SHEET_SETTINGS]
    assert len(writes) == len(table_rects) + len(cell_writes) + 1  # + the settings sheet, in one write
    assert all(r0 == r1 for _, _, (r0, _, r1, _) in [("", "", w.rect) for w in cell_writes])  # runs of one row
    assert book.screen[0] is False and book.screen[-1] is True
    first_write = book.calls.index(next(c for c in book.calls if c[0] != "link"))
    assert first_write >= 0 and book.statuses[-1] is None
    assert any(s and "Saferbook" in s for s in book.statuses)


def test_summary_alert_names_the_period_the_changes_and_data_quality(refreshed):
    book, outcome = refreshed
    title, text = book.alerts[-1]
    assert "done" in title
    assert "Nov 2021 – Oct 2022" in text and "2022-09" in text
    assert "sb_trend: 1 more column" in text and "sb_trend_monthly: 1 more row" in text
    assert "Data quality" in text and "street_crime" in text
    assert text == outcome.message


def test_settings_sheet_now_describes_the_refreshed_layout(refreshed, october, september):
    """October's layout, but the maps sheet's as September's build left it (it was not rewritten)."""
    book, _ = refreshed
    got = WorkbookSettings.from_rows(rows_of(book.cells[SHEET_SETTINGS]))
    fresh = WorkbookSettings.from_rows(rows_of(shown(october["bytes"])["cells"][SHEET_SETTINGS]))
    built = WorkbookSettings.from_rows(rows_of(shown(september)["cells"][SHEET_SETTINGS]))
    assert (got.shows_period_end, got.sheets, got.tables) == (fresh.shows_period_end, fresh.sheets, fresh.tables)
    assert AS_BUILT_SHEETS & set(got.sheets), "the demo workbook has a Maps sheet"
    for sheet in got.sheets:
        source = built if sheet in AS_BUILT_SHEETS else fresh
        assert got.cells.get(sheet) == source.cells.get(sheet), sheet
        assert [k for k in got.links if k.sheet == sheet] == [k for k in source.links if k.sheet == sheet], sheet


def rows_of(cells: dict[tuple[int, int], Any]) -> list[list[Any]]:
    height = max(r for r, _ in cells) + 1
    width = max(c for _, c in cells) + 1
    return [[cells.get((r, c)) for c in range(width)] for r in range(height)]


def test_the_maps_are_left_as_built_and_say_when_they_were_drawn(refreshed, september):
    maps = shown(september)["cells"][SHEET_MAPS]
    text = " ".join(v for _, v in sorted(maps.items()) if isinstance(v, str))
    assert re.search(r"Drawn on \d+ \w+ 20\d\d for Oct 2021 – Sep 2022\. Refresh in Excel leaves this sheet as it was "
                     r"built; building the workbook again \(saferbook build\) redraws the maps\.", text), text
    book, outcome = refreshed
    assert outcome.status == "refreshed", outcome.message
    assert [call for call in book.calls if call[1] in AS_BUILT_SHEETS] == []
    assert book.cells[SHEET_MAPS] == maps


def test_a_second_refresh_changes_only_what_changed(refreshed, october):
    book, _ = refreshed
    book.calls.clear()
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "refreshed"
    assert outcome.plan.shifts == [] and outcome.plan.clears == [] and outcome.plan.links == []
    assert [w for w in outcome.plan.writes if not w.table and w.sheet != SHEET_SETTINGS] == []
    assert len(book.writes()) == len(october["tables"]) + 1


def test_when_the_next_extract_lands_refresh_takes_the_latest_month(tmp_path):
    """The analyst's month: built with ``period_end: latest`` before October's file arrived, then Refresh."""
    spec = make_project(tmp_path / "project", latest_month=False)
    use_project(tmp_path / "project")
    before = build_bytes(spec, None)
    fake = FakeExcel.from_xlsx(before)
    assert settings_value(fake, "shows_period_end")[1] == "2022-09"
    land_latest_month(tmp_path / "project")
    outcome = refresh(fake)
    assert outcome.status == "refreshed", outcome.message
    expected = after_refresh(before, shown(build_bytes(spec, None)))
    expected["cells"].pop(SHEET_SETTINGS)  # test_settings_sheet_now_describes_the_refreshed_layout checks it
    got = engine_view(fake, list(expected["cells"]), set())
    assert got["tables"] == expected["tables"] and got["cells"] == expected["cells"]
    assert settings_value(fake, "period_end")[1] == "latest"
    assert settings_value(fake, "shows_period_end")[1] == "2022-10"


# --- all or nothing ---------------------------------------------------------------------------------


def assert_unchanged(book: FakeExcel, before: FakeExcel) -> None:
    assert not book.changed_anything(), book.calls
    assert book.cells == before.cells and book.table_rects == before.table_rects
    assert book.hyperlinks == before.hyperlinks


def test_missing_spec_writes_nothing_and_says_what_the_cli_says(book, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    use_project(tmp_path / "elsewhere")  # registered, but the spec is not there
    missing = str((tmp_path / "elsewhere" / "specs" / "community_safety.yaml").resolve())
    before = copy.deepcopy(book)
    outcome = refresh(book)
    assert outcome.status == "failed"
    assert_unchanged(book, before)
    expected = cli_errors("build", missing, "--area", AREA, "--period-end", "2022-09", "--out", book.path.parent)
    assert outcome.message.splitlines() == expected
    title, text = book.alerts[-1]
    assert "stopped" in title and text.splitlines()[:len(expected)] == expected and "Nothing was changed" in text


def assert_fails_like_the_cli(book: FakeExcel, spec: Path, out: Path) -> str:
    """Refresh with ``spec`` stops, writes nothing, and says what ``saferbook build`` says; returns the message."""
    use_project(spec.parents[1])
    before = copy.deepcopy(book)
    outcome = refresh(book)
    assert outcome.status == "failed"
    assert_unchanged(book, before)
    expected = cli_errors("build", spec, "--area", AREA, "--period-end", "2022-09", "--out", out)
    assert expected and outcome.message.splitlines() == expected
    return outcome.message


def test_bad_spec_writes_nothing_and_says_what_the_cli_says(book, tmp_path):
    spec = make_project(tmp_path / "broken")
    spec.write_text(spec.read_text(encoding="utf-8").replace("  window_months: 12\n", "  window_month: 12\n")
                    .replace("{not_in: [Anti-social behaviour]}", "{not_in: [Anti-social behavior]}"), encoding="utf-8")
    message = assert_fails_like_the_cli(book, spec, tmp_path / "out")
    assert "window_month" in message and "Anti-social behavior" in message


def test_broken_data_writes_nothing_and_says_what_the_cli_says(book, tmp_path):
    spec = make_project(tmp_path / "baddata")
    population = tmp_path / "baddata" / "data" / "ons" / "population20_lsoa11_leicestershire.csv"
    lines = population.read_text(encoding="utf-8").splitlines()
    column = next(i for i, h in enumerate(lines[0].split(",")) if "All Ages" in h)
    first = lines[1].split(",")
    first[column] = "lots"
    lines[1] = ",".join(first)
    population.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "population" in assert_fails_like_the_cli(book, spec, tmp_path / "out")


def test_a_workbook_without_settings_is_refused(book):
    del book.cells[SHEET_SETTINGS]
    before = copy.deepcopy(book)
    outcome = refresh(book)
    assert outcome.status == "failed" and "saferbook build" in outcome.message
    assert_unchanged(book, before)


def test_excel_refusing_mid_write_is_reported(book, monkeypatch):
    """If Excel refuses an operation part-way (all was computed first, but Excel can still say no),
    the analyst is told the book is partly updated and not to save it."""
    def refuse(*args: Any) -> None:
        raise ExcelRefused("This operation is not allowed")

    monkeypatch.setattr(book, "insert", refuse)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "error" and "without saving" in outcome.message
    assert book.screen[-1] is True and book.statuses[-1] is None


# --- new layout and the analyst's content in the way --------------------------------------------


@pytest.fixture(scope="module")
def spec_with_new_indicator(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with one more indicator than the workbooks were built with; made once for the tests that refresh
    from it (they only read it: a rebuild is written beside the workbook)."""
    spec = make_project(tmp_path_factory.mktemp("wider") / "wider")
    text = spec.read_text(encoding="utf-8")
    text += ("  - id: theft_and_damage\n    name: Theft and criminal damage\n    priority: Tackling crime\n"
             "    source: street_crime\n    where:\n      crime_type: {in: [Other theft, Criminal damage and arson]}\n")
    spec.write_text(text, encoding="utf-8")
    return spec


def test_new_indicator_is_reported_and_nothing_changes(book, spec_with_new_indicator):
    use_project(spec_with_new_indicator.parents[1])
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "new_layout"
    assert "indicators this workbook lacks: Theft and criminal damage" in outcome.message
    assert "sb_top10_theft_and_damage" in outcome.message and "changed nothing" in outcome.message
    assert book.questions and outcome.rebuilt is None
    assert_unchanged(book, before)


def test_new_layout_rebuilds_into_a_new_file_when_asked(book, spec_with_new_indicator):
    spec = spec_with_new_indicator
    use_project(spec.parents[1])
    book.answer = True
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.rebuilt == book.path.parent / f"{AREA}_E07000133_2022-10.xlsx"
    assert outcome.rebuilt.read_bytes() == build_bytes(spec, "2022-10")
    assert_unchanged(book, before)
    assert str(outcome.rebuilt) in book.alerts[-1][1]


def test_rebuild_never_overwrites_a_file(book, spec_with_new_indicator):
    spec = spec_with_new_indicator
    use_project(spec.parents[1])
    taken = book.path.parent / f"{AREA}_E07000133_2022-10.xlsx"
    taken.write_bytes(b"the analyst's own file")
    book.answer = True
    outcome = refresh(book, period_end="2022-10")
    assert outcome.rebuilt == book.path.parent / f"{AREA}_E07000133_2022-10 (rebuilt).xlsx"
    assert taken.read_bytes() == b"the analyst's own file"


def test_a_table_moved_by_hand_is_a_layout_change(book):
    sheet, (r0, c0, r1, c1) = book.table_rects["sb_summary"]
    book.table_rects["sb_summary"] = (sheet, (r0, c0, r1, c1 + 1))  # the analyst added a column to it
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "new_layout" and "sb_summary" in outcome.message
    assert_unchanged(book, before)


def test_analyst_text_where_the_engine_must_write_stops_the_refresh(book):
    """The analyst typed into a cell the refreshed layout needs (the settings no longer list it as the
    engine's): Refresh names the cell and writes nothing."""
    row = next(r for r, v in book.cells[SHEET_SETTINGS].items() if v == "cells" and
               book.cells[SHEET_SETTINGS].get((r[0], 1)) == "Summary")[0]
    cells = book.cells[SHEET_SETTINGS][(row, 3)].split(",")
    note = cells[-1]  # the note under the summary table
    book.cells[SHEET_SETTINGS][(row, 3)] = ",".join(cells[:-1])
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "conflict" and f"'Summary'!{note}" in outcome.message
    assert_unchanged(book, before)


def test_an_analyst_table_in_the_way_stops_the_refresh(book):
    """A row inserted into a growing engine table would also cut through the analyst's table beside it:
    reported before anything is written."""
    monthly = table_rect(book, "sb_trend_monthly")
    book.table_rects["my_table"] = ("Trends", (monthly[0], 9, monthly[2], 10))
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "conflict" and "my_table" in outcome.message
    assert_unchanged(book, before)


def test_a_moved_project_refreshes_once_registered_at_its_new_folder(tmp_path, september):
    """The workbook names its project, not a folder: a project copied elsewhere refreshes from there."""
    make_project(tmp_path / "moved")
    use_project(tmp_path / "moved")
    fake = FakeExcel.from_xlsx(september, tmp_path / f"{AREA}_2022-09.xlsx")
    outcome = refresh(fake, period_end="2022-10")
    assert outcome.status == "refreshed", outcome.message
    assert settings_value(fake, "spec")[1] == "specs/community_safety.yaml"


# --- what may run is decided on this computer, not by the workbook -------------------------------


def test_a_workbook_of_a_project_not_registered_here_is_refused(book):
    save_config(AddinConfig(projects={"another-project": str(book.path.parent)}))
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "failed"
    assert f"project '{PROJECT_ID}', which is not registered on this computer" in outcome.message
    assert "saferbook addin register" in outcome.message
    assert_unchanged(book, before)


@pytest.mark.parametrize("spec", ["../elsewhere/specs/community_safety.yaml", "/etc/passwd"])
def test_a_workbook_cannot_name_a_spec_outside_its_registered_project(book, tmp_path, spec):
    """A received workbook whose settings name another folder's spec changes nothing (on main it ran it)."""
    make_project(tmp_path / "elsewhere")
    set_setting(book, "spec", spec)
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "failed" and "outside the folder registered" in outcome.message
    assert_unchanged(book, before)


@pytest.mark.parametrize("claim, reason", [
    ("A1:Z2000", "span rows"),
    (",".join(f"A{row}:XFD{row}" for row in range(1, 63)), "more than 1,000,000 engine cells"),
])
def test_a_settings_sheet_claiming_the_analysts_rows_is_refused(book, claim, reason):
    """A received workbook whose settings sheet claims blocks of rows (the analyst's note in M3 among them) as the
    engine's, or over a million cells, is refused with the row named: on main Refresh obeyed it, clearing what it
    claimed."""
    row = next(r for (r, c), v in book.cells[SHEET_SETTINGS].items() if c == 0 and v == "cells")
    book.cells[SHEET_SETTINGS][(row, 3)] += "," + claim
    before = copy.deepcopy(book)
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "failed" and f"row {row + 1}" in outcome.message and reason in outcome.message
    assert_unchanged(book, before)


def test_the_settings_sheet_names_no_folder_of_the_builder(book, registered):
    """Only the project's identifier and paths relative to its root: nothing of the machine that built it."""
    values = [str(v) for v in book.cells[SHEET_SETTINGS].values()]
    assert settings_value(book, "project")[1] == PROJECT_ID
    assert not [v for v in values if str(registered) in v or str(REPO_ROOT) in v or v.startswith("/")]
    assert "data/police_uk/leicestershire" in values


def test_a_workbook_conf_sheet_changes_nothing(book, tmp_path):
    """xlwings reads a ``myaddin.conf`` sheet in the active workbook; Refresh takes nothing from it: the same
    workbook with such a sheet (pointing at another project) refreshes exactly as without it, the sheet untouched."""
    make_project(tmp_path / "elsewhere")
    elsewhere = str(tmp_path / "elsewhere")
    conf = {(0, 0): "Interpreter_Win", (0, 1): r"C:\evil\python.exe", (1, 0): "PYTHONPATH", (1, 1): elsewhere,
            (2, 0): "ADD_WORKBOOK_TO_PYTHONPATH", (2, 1): "true", (3, 0): PROJECT_ID, (3, 1): elsewhere}
    plain = copy.deepcopy(book)
    book.add_sheet("myaddin.conf", conf)
    assert refresh(book, period_end="2022-10").status == "refreshed"
    assert refresh(plain, period_end="2022-10").status == "refreshed"
    assert book.cells.pop("myaddin.conf") == conf
    assert book.cells == plain.cells and book.table_rects == plain.table_rects and book.hyperlinks == plain.hyperlinks
    assert book.calls == plain.calls


# --- Excel input values -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["00250", "=1+1", "+44", "-5", "@home", "1/2", "TRUE", "plain text", "'quoted"])
def test_text_reaches_excel_as_text(value):
    assert parse_input(excel_input(value)) == value


def test_formulas_numbers_and_empties():
    assert parse_input(excel_input(Formula("=SUBTOTAL(109,B6:B10)"))) == Formula("=SUBTOTAL(109,B6:B10)")
    assert excel_input(3) == 3 and excel_input(None) is None and excel_input("") is None
    assert same_value(3.0, 3) and same_value("a", "a") and same_value(None, None) and same_value("", None)
    assert not same_value("3", 3) and not same_value(True, 1) and not same_value(None, Formula("=1"))


# --- ranges for Excel ------------------------------------------------------------------------------


def test_cells_become_few_rectangles_covering_exactly_them():
    """A column of cells is one range, a row's neighbours one range; rectangles never overlap nor take in a cell that
    was not asked for."""
    cells = {(0, 0), (1, 0), (2, 0), (3, 0), (0, 2), (1, 2), (5, 4), (5, 5), (6, 4), (6, 5), (7, 4)}
    assert blocks(cells) == [(0, 0, 3, 0), (0, 2, 1, 2), (5, 4, 6, 5), (7, 4, 7, 4)]
    assert blocks([]) == []
    covered = [(r, c) for r0, c0, r1, c1 in blocks(cells) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    assert sorted(covered) == sorted(cells)
