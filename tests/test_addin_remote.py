"""Refresh driven through xlwings itself: its remote engine (``xw.Book(json=payload)``, the book the
ribbon would hand over, set as the mock caller) records every action Refresh asks of Excel.

The remote engine is under xlwings' PolyForm Noncommercial licence, so these tests run only where
the environment provides XLWINGS_LICENSE_KEY (``.ci/run`` sets ``noncommercial``). Refresh itself
uses only xlwings' BSD core (``xw.Book.caller()``, ranges, tables, the app).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("XLWINGS_LICENSE_KEY"),
    reason="xlwings' remote engine is PolyForm Noncommercial-licensed: set XLWINGS_LICENSE_KEY (e.g. noncommercial) "
           "to run these tests")

xw = pytest.importorskip("xlwings", reason="the add-in needs the addin extra: pip install -e \".[dev,addin]\"")

from openpyxl import load_workbook  # noqa: E402
from openpyxl.utils.cell import range_boundaries  # noqa: E402

import saferbook  # noqa: E402
from addin.fresh import Formula  # noqa: E402
from engine.contract.settings_sheet import SHEET_SETTINGS, range_ref  # noqa: E402
from addin_support import (AREA, after_refresh, assert_book_shows, figure_word_alignments, make_project,  # noqa: E402
                           protected_workbook, shown)
from fake_excel import FakeExcel  # noqa: E402
from addin.config import CONFIG_ENV, AddinConfig, save_config  # noqa: E402

EPOCH = dt.datetime(1899, 12, 30)
PROJECT_ID = "saferbook-demo"


def use_project(root: Any) -> None:
    save_config(AddinConfig(projects={PROJECT_ID: str(root)}, xlwings=xw.__version__))


@pytest.fixture(autouse=True)
def registered(project, tmp_path, monkeypatch):
    """This computer's add-in settings: the demo project registered, the add-in's VBA from this xlwings."""
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "config" / "addin.json"))
    use_project(project.parents[1])
ANALYST_SHEET = "Commentary"


def _payload_value(value: Any) -> Any:
    """A cell as Office.js hands it over: dates as serial numbers, empty cells as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (value - EPOCH).total_seconds() / 86400
    return value


def _table_api(name: str, ref: str, totals: bool) -> dict[str, Any]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    last_data = max_row - (1 if totals else 0)
    return {
        "name": name, "range_address": ref,
        "header_row_range_address": range_ref((min_row - 1, min_col - 1, min_row - 1, max_col - 1)),
        "data_body_range_address": range_ref((min_row, min_col - 1, last_data - 1, max_col - 1)),
        "total_row_range_address": range_ref((max_row - 1, min_col - 1, max_row - 1, max_col - 1)) if totals else None,
        "show_headers": True, "show_totals": totals, "table_style": "TableStyleLight1", "show_autofilter": False,
        "row_count": max_row - min_row + 1, "column_count": max_col - min_col + 1,
    }


def payload(data: bytes, analyst: dict[tuple[int, int], Any]) -> dict[str, Any]:
    """The JSON the xlwings client sends for this workbook (cached values, as Excel shows them)."""
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    sheets = []
    for ws in workbook.worksheets:
        values = [[_payload_value(c.value) for c in row] for row in ws.iter_rows()]
        tables = [_table_api(t.name, t.ref, bool(t.totalsRowCount)) for t in ws.tables.values()]
        sheets.append({"name": ws.title, "values": values, "tables": tables, "pictures": [], "charts": [],
                       "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden"})
    rows = max(r for r, _ in analyst) + 1
    sheets.append({"name": ANALYST_SHEET, "values": [[analyst.get((r, c), "") for c in range(3)] for r in range(rows)],
                   "tables": [], "pictures": [], "charts": [], "visibility": "Visible"})
    return {"client": "Office.js", "version": xw.__version__, "names": [], "sheets": sheets,
            "book": {"name": f"{AREA}_2022-09.xlsx", "active_sheet_index": 0, "selection": "A1"}}


def set_setting(book: Any, key: str, value: str) -> None:
    """Edit the settings sheet in the payload, as an analyst may (period_end)."""
    values = book.sheets[SHEET_SETTINGS].api["values"]
    next(row for row in values if row and row[0] == key)[1] = value


def run_refresh(data: bytes, **settings: str) -> tuple[Any, list]:
    """Open ``data`` in the remote engine as the caller, press Refresh (``saferbook.main()``), return the actions."""
    book = xw.Book(json=payload(data, {(0, 0): "Our commentary", (1, 1): 42}))
    for key, value in settings.items():
        set_setting(book, key, value)
    book.set_mock_caller()
    saferbook.main()
    return book, book.json()["actions"]


def rect_of(action: dict[str, Any]) -> tuple[int, int, int, int]:
    r0, c0 = action["start_row"], action["start_column"]
    return r0, c0, r0 + action["row_count"] - 1, c0 + action["column_count"] - 1


def replay(actions: list[dict[str, Any]], book: FakeExcel, names: list[str]) -> None:
    """Apply recorded actions to the fake workbook, as Excel would (ISO dates are read as dates)."""
    def value(v: Any) -> Any:
        if v == "":
            return None
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v):
            return dt.datetime.fromisoformat(v)
        return v

    for action in actions:
        func = action["func"]
        if func in ("setScreenUpdating", "alert"):
            continue
        sheet = names[action["sheet_position"]]
        if func == "setValues":
            book.write(sheet, rect_of(action), [[value(v) for v in row] for row in action["values"]])
        elif func == "rangeInsert":
            book.insert(sheet, rect_of(action), action["args"][0])
        elif func == "rangeDelete":
            book.delete(sheet, rect_of(action), action["args"][0])
        elif func == "rangeClearContents":
            book.clear(sheet, rect_of(action))
        elif func == "addHyperlink":
            book.link(sheet, rect_of(action)[:2], action["args"][0], action["args"][1])
        elif func == "setHorizontalAlignment":  # Office.js names ("CenterAcrossSelection") to xlwings'
            book.align(sheet, rect_of(action), re.sub(r"(?<!^)(?=[A-Z])", "_", action["args"][0]).lower())
        else:
            raise AssertionError(f"unexpected action {func}")


def test_refresh_through_xlwings_records_the_right_actions(september, october_workbook):
    book, actions = run_refresh(september, period_end="2022-10")
    funcs = [a["func"] for a in actions]
    names = [s.name for s in book.sheets]
    october = shown(october_workbook)
    # Screen updating off before the first change, back on after; one alert at the end.
    first_change = next(i for i, f in enumerate(funcs) if f not in ("setScreenUpdating", "alert"))
    assert funcs[:first_change] == ["setScreenUpdating"] and actions[0]["args"] == [False]
    assert funcs[-2:] == ["setScreenUpdating", "alert"] and actions[-2]["args"] == [True]
    assert "Refresh done" in actions[-1]["args"][1] and "Nov 2021 – Oct 2022" in actions[-1]["args"][0]
    # One setValues per table, exactly on the table's new range.
    writes = [(names[a["sheet_position"]], rect_of(a)) for a in actions if a["func"] == "setValues"]
    for name, (sheet, rect, _) in october["tables"].items():
        assert writes.count((sheet, rect)) == 1, name
    assert {f for f in funcs} <= {"setScreenUpdating", "alert", "setValues", "rangeInsert", "rangeDelete",
                                   "rangeClearContents", "addHyperlink", "setHorizontalAlignment"}
    assert "rangeInsert" in funcs  # the layout really grew
    # Nothing on the analyst's sheet.
    assert names.index(ANALYST_SHEET) not in {a["sheet_position"] for a in actions}


def test_the_recorded_actions_give_the_fresh_workbook(september, october_workbook):
    """Replayed with Excel's rules, the actions xlwings recorded turn the September workbook into
    exactly what a build for October shows."""
    book, actions = run_refresh(september, period_end="2022-10")
    fake = FakeExcel.from_xlsx(september)
    fake.add_sheet(ANALYST_SHEET, {(0, 0): "Our commentary", (1, 1): 42})
    replay(actions, fake, [s.name for s in book.sheets])
    october = after_refresh(september, shown(october_workbook))  # the maps stay as built
    assert_book_shows(fake, october)  # the settings sheet: test_addin_refresh checks it
    assert {k: v for k, v in fake.hyperlinks.items() if k[0] != SHEET_SETTINGS} == october["links"]
    assert fake.cells[ANALYST_SHEET] == {(0, 0): "Our commentary", (1, 1): 42}
    assert any(isinstance(v, Formula) for v in fake.cells["Trends"].values())  # the Grand Total's SUBTOTALs


def test_bad_spec_through_xlwings_writes_nothing(september, tmp_path):
    spec = make_project(tmp_path / "broken")
    spec.write_text(spec.read_text(encoding="utf-8").replace("  window_months: 12\n", "  window_month: 12\n"),
                    encoding="utf-8")
    use_project(spec.parents[1])
    book, actions = run_refresh(september)
    assert [a["func"] for a in actions] == ["alert"]
    text = actions[0]["args"][0]
    assert text.startswith(f"error: {spec.resolve()}:") and "window_month" in text and "Nothing was changed" in text


def test_a_count_hidden_by_a_refresh_is_right_aligned_through_xlwings(protected_months):
    """A protected workbook built for 2022-09, refreshed to 2022-10, when it hides counts it showed: xlwings records
    the right alignment of the words Refresh writes where numbers sit, and replayed, every word standing for a figure
    is aligned as October's build has it (read from that file with openpyxl)."""
    use_project(protected_months)
    september = protected_workbook(protected_months, "2022-09").read_bytes()
    book, actions = run_refresh(september, period_end="2022-10")
    aligned = [a for a in actions if a["func"] == "setHorizontalAlignment"]
    assert aligned and {tuple(a["args"]) for a in aligned} == {("Right",)}
    fake = FakeExcel.from_xlsx(september)
    fake.add_sheet(ANALYST_SHEET, {(0, 0): "Our commentary", (1, 1): 42})
    replay(actions, fake, [s.name for s in book.sheets])
    expected = figure_word_alignments(protected_workbook(protected_months, "2022-10"))
    assert "right" in expected.values()
    assert {cell: fake.alignment(*cell) for cell in expected} == expected
