"""Table-source features for partner returns: quarter and financial-year columns, one table from a sheet
per quarter, markers that mean zero, wide tables unpivoted, and the period checks of quarterly data.

Fixtures are small workbooks written here with xlsxwriter; expected values are worked out by hand
from the UK convention (financial years April to March: Q1 2021-22 is April-June 2021) or read
back from the fixture, never from the engine.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from pydantic import ValidationError

from engine.api import prepare
from engine.errors import DataError
from engine.ingest import SourceRows
from engine.ingest.issues import IssueLog
from engine.ingest.periods import period_end
from engine.ingest.table_source import read_table
from engine.months import month_number
from engine.spec.models import Source

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text, kind, start, expected", [
    ("Q1 2021-22", "quarter", 4, "2021-06"), ("Q1 2021/22", "quarter", 4, "2021-06"),
    ("2021/22 Q1", "quarter", 4, "2021-06"), ("2021-22 Q1", "quarter", 4, "2021-06"),
    ("Q2 2021-22 ", "quarter", 4, "2021-09"), ("Q3 2021/2022", "quarter", 4, "2021-12"),
    ("Q4 2020-21", "quarter", 4, "2021-03"), ("q1 fy2021/22", "quarter", 4, "2021-06"),
    ("Q1 2021-22", "quarter", 10, "2021-12"),  # October-September years: Q1 is Oct-Dec 2021
    ("2021/22", "financial_year", 4, "2022-03"), ("2021-22", "financial_year", 4, "2022-03"),
    ("FY 2021/22", "financial_year", 4, "2022-03"), ("FY21/22", "financial_year", 4, "2022-03"),
    ("2019/2020", "financial_year", 4, "2020-03"), ("2021/22", "financial_year", 10, "2022-09"),
    ("2021/22", "financial_year", 1, "2021-12"),
    ("Q1 2021-23", "quarter", 4, None), ("Q5 2021-22", "quarter", 4, None), ("2021", "financial_year", 4, None),
    ("2021/20", "financial_year", 4, None), ("Q1 2021-22", "financial_year", 4, None),
])
def test_quarter_and_financial_year_forms(text, kind, start, expected):
    assert period_end(text, kind, start) == expected


def _source(**fields) -> Source:
    return Source(type="excel", path="x", **fields)


def _csv_source(**fields) -> Source:
    return Source(type="csv", path="x", **fields)


def test_quarter_column_in_a_csv_and_a_bad_one_named(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text("Area,Quarter,Clients\nBlaby,Q1 2021-22,5\nBlaby,2021/22 Q2,7\nBlaby,Q5 2021-22,9\n"
                    "Blaby,FY 2021/22,1\n", encoding="utf-8")
    log = IssueLog()
    source = _csv_source(columns={"Area": "partner_area_name", "Quarter": {"name": "month", "type": "quarter"},
                                  "Clients": {"name": "clients", "type": "integer"}})
    data = read_table("returns", source, path, log)
    assert data.frame["month"].astype(str).tolist() == ["2021-06", "2021-09"]
    rejected = log.frame()
    assert rejected[["row", "column", "value", "action"]].values.tolist() == [
        [4, "Quarter", "Q5 2021-22", "rejected"], [5, "Quarter", "FY 2021/22", "rejected"]]
    assert rejected["reason"].str.startswith("not a quarter such as Q1 2021-22").all()
    assert set(rejected["file"]) == {str(path)}


def _write_book(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[tuple]] | None = None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        for first_row, first_col, last_row, last_col, text in (merges or {}).get(name, []):
            sheet.merge_range(first_row, first_col, last_row, last_col, text)
    book.close()
    return path


QUARTER_SHEETS = {
    "Notes": [["About this return"], ["- means none; * means 1 to 4"]],
    "Q1 2021-22": [["Clients in treatment"], [], ["District", "Alcohol", "Drug"], ["Blaby", 10, "-"],
                   ["Melton", "*", 4], ["Total", 14, 4]],
    "Q2 2021-22 ": [["Clients in treatment"], [], ["District", "Alcohol", "Drug"], ["Blaby", 12, 3],
                    ["Melton", 5, "-"]],
    "Q3 2021-22": [["Clients in treatment"], [], ["District", "Alcohol", "Opiates"], ["Blaby", 1, 1]],
}


def test_a_sheet_per_quarter_read_as_one_table(tmp_path):
    path = _write_book(tmp_path / "clients.xlsx", QUARTER_SHEETS)
    source = _source(sheet_pattern=r"^Q[1-4] \d{4}-\d{2}$", all_sheets=True, header_row=3,
                     sheet_name_column={"name": "month", "type": "quarter"}, missing_markers=["*"], zero_markers=["-"],
                     columns={"District": "partner_area_name", "Alcohol": {"name": "alcohol", "type": "integer"},
                              "Drug": {"name": "drug", "type": "integer"}})
    log = IssueLog()
    data = read_table("clients", source, path, log)
    frame = data.frame.assign(sheet=[data.sheets[i] for i in data.sheet_index], row=data.rows)
    expected = pd.DataFrame({
        "partner_area_name": ["Blaby", "Melton", "Total", "Blaby", "Melton"],
        "alcohol": [10, None, 14, 12, 5], "drug": [0, 4, 4, 3, 0],
        "month": ["2021-06"] * 3 + ["2021-09"] * 2,
        "sheet": ["Q1 2021-22"] * 3 + ["Q2 2021-22 "] * 2, "row": [4, 5, 6, 4, 5]})
    got = frame[expected.columns].astype(object).where(frame[expected.columns].notna(), None)
    assert got.values.tolist() == expected.astype(object).where(expected.notna(), None).values.tolist()
    issues = log.frame()
    zeros = issues[issues["reason"].str.contains("read as 0")]
    assert zeros[["sheet", "row", "column", "value", "action"]].values.tolist() == [
        ["Q1 2021-22", 4, "Drug", "-", "cleaned"], ["Q2 2021-22 ", 5, "Drug", "-", "cleaned"]]
    missing = issues[issues["reason"].str.contains("read as missing")]
    assert missing[["sheet", "row", "column", "value"]].values.tolist() == [["Q1 2021-22", 5, "Alcohol", "*"]]
    skipped = [n for n in log.notes if n.reason.startswith("sheet 'Q3 2021-22' skipped")]
    assert len(skipped) == 1 and "'Drug'" in skipped[0].reason, log.notes


def test_no_matching_sheet_and_a_sheet_name_that_is_not_a_quarter(tmp_path):
    path = _write_book(tmp_path / "clients.xlsx", {"Quarter one": QUARTER_SHEETS["Q1 2021-22"]})
    columns = {"District": "partner_area_name", "Alcohol": {"name": "alcohol", "type": "integer"}}
    with pytest.raises(DataError, match="no sheet matches sheet_pattern"):
        read_table("c", _source(sheet_pattern="^Q[1-4] ", all_sheets=True, header_row=3, columns=columns), path,
                   IssueLog())
    with pytest.raises(DataError) as raised:
        read_table("c", _source(sheet_pattern="^Quarter", all_sheets=True, header_row=3, columns=columns,
                                sheet_name_column={"name": "month", "type": "quarter"}), path, IssueLog())
    (problem,) = raised.value.problems
    assert problem.sheet == "Quarter one" and problem.value == "Quarter one" and "not a quarter" in problem.message


def _zero_marker_source() -> tuple[Source, str]:
    path_text = "Area,Code,Clients\nBlaby,-,-\nMelton,E1,3\n"
    source = _csv_source(zero_markers=["-"], columns={"Area": "partner_area_name",
                                                      "Code": {"name": "code", "type": "code"},
                                                      "Clients": {"name": "clients", "type": "number"}})
    return source, path_text


def test_zero_marker_is_zero_in_numbers_and_missing_elsewhere(tmp_path):
    source, text = _zero_marker_source()
    path = tmp_path / "z.csv"
    path.write_text(text, encoding="utf-8")
    log = IssueLog()
    frame = read_table("z", source, path, log).frame
    assert frame["clients"].tolist() == [0.0, 3.0]
    assert frame["code"].astype(str).tolist() == ["", "E1"]  # a code column: "-" is still "missing"
    reasons = set(log.frame()["reason"])
    assert "marker '-' read as 0 (the spec says this source marks none so)" in reasons and "status marker '-' read as missing" in reasons


def test_a_marker_cannot_mean_missing_and_zero():
    with pytest.raises(ValidationError, match="a marker means missing or zero, not both"):
        _csv_source(missing_markers=["-", "*"], zero_markers=["-"], columns={"A": "a"})


WIDE = [["Admissions for violence"], [], [None, None, None],
        ["Area", "2020/21", None, "2021/22", None],
        [None, "Admissions", "Rate per 100,000", "Admissions", "Rate per 100,000"],
        ["Blaby", 20, 19.6, 15, 14.6], ["Rutland", "*", "*", 9, 22.1], ["England", "..", 38.0, "..", 38.5],
        [], ["* 1 to 7 admissions"], ["England: rate only, for comparison."]]
WIDE_MERGES = [(3, 1, 3, 2, "2020/21"), (3, 3, 3, 4, "2021/22"), (3, 0, 4, 0, "Area")]


def _unpivot(fields=None, **extra) -> Source:
    return _source(header_row=[4, 5], missing_markers=["*", ".."], columns={"Area": "partner_area_name"},
                   unpivot={"period": {"name": "month", "type": "financial_year"},
                            "fields": fields or {"Admissions": {"name": "admissions", "type": "integer"},
                                                 "Rate per 100,000": {"name": "rate", "type": "number"}}}, **extra)


def test_unpivot_a_wide_table_one_row_per_period(tmp_path):
    path = _write_book(tmp_path / "wide.xlsx", {"Violence": WIDE}, {"Violence": WIDE_MERGES})
    log = IssueLog()
    data = read_table("wide", _unpivot(), path, log)
    frame = data.frame.astype(object).where(data.frame.notna(), None)
    assert sorted(zip(frame["partner_area_name"], frame["month"], frame["admissions"], frame["rate"], data.rows)) == [
        ("Blaby", "2021-03", 20, 19.6, 6), ("Blaby", "2022-03", 15, 14.6, 6),
        ("England", "2021-03", None, 38.0, 8), ("England", "2022-03", None, 38.5, 8),
        ("Rutland", "2021-03", None, None, 7), ("Rutland", "2022-03", 9, 22.1, 7)]
    issues = log.frame()
    assert sorted(issues.loc[issues["value"] == "*", "column"]) == ["2020/21 / Admissions", "2020/21 / Rate per 100,000"]
    assert any(n.reason == "notes and footnote rows after the table skipped" and n.rows == 2 for n in log.notes)


def test_unpivot_a_period_without_a_field_is_named(tmp_path):
    rows = [list(r) for r in WIDE]
    rows[4][4] = "Rate per 1,000"
    path = _write_book(tmp_path / "wide.xlsx", {"Violence": rows}, {"Violence": WIDE_MERGES})
    with pytest.raises(DataError) as raised:
        read_table("wide", _unpivot(), path, IssueLog())
    (problem,) = raised.value.problems
    assert "the columns of '2021/22' have no 'Rate per 100,000'" in problem.message
    assert problem.sheet == "Violence" and problem.row == 5
    with pytest.raises(DataError, match="no column label has the form"):
        read_table("wide", _unpivot(fields={"Deaths": "deaths"}), path, IssueLog())


def test_spec_rules_for_the_new_keys():
    for fields, message in [
        ({"all_sheets": True, "sheet": "A"}, "give sheet_pattern"),
        ({"sheet_name_column": {"name": "month", "type": "quarter"}}, "give sheet or sheet_pattern"),
        ({"sheet": "A", "columns": {"Q": {"name": "q", "type": "month", "year_start_month": 4}}},
         "year_start_month applies to quarter and financial_year columns only"),
        ({"sheet": "A", "columns": {"Q": {"name": "month", "type": "number"}}},
         "month, date, quarter or financial_year"),
        ({"sheet": "A", "columns": {"A": "area"}, "unpivot": {"groups": "{period}", "period": {"name": "month"},
                                                              "fields": {"X": "x"}}}, "{period} and {field} once each"),
        ({"sheet": "A", "columns": {"A": "x"}, "unpivot": {"period": {"name": "month", "type": "quarter"},
                                                           "fields": {"X": "x"}}}, "x is the name of more than one"),
    ]:
        with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
            _source(**fields)
    with pytest.raises(ValidationError, match="only csv, excel and table sources"):
        Source(type="police_uk", path="x", zero_markers=["-"])


def _rows(months: list[str], period_months: int) -> SourceRows:
    month = np.array([month_number(m) for m in months])
    return SourceRows("s", "", Path("s.xlsx"), pd.DataFrame({"month": months}), month, np.zeros(len(months), int),
                      period_months=period_months)


def test_quarterly_sources_need_every_quarter_the_windows_touch():
    quarterly = _rows(["2021-03", "2021-06", "2021-12"], 3)
    assert quarterly.months_covered == {month_number(f"2021-{m:02d}") for m in (1, 2, 3, 4, 5, 6, 10, 11, 12)}
    first, last = month_number("2020-11"), month_number("2022-01")  # touches Oct-Dec 2020 … Jan-Mar 2022
    assert [m for m in quarterly.missing_periods(first, last)] == [
        month_number(m) for m in ("2020-12", "2021-09", "2022-03")]
    yearly = _rows(["2020-03", "2022-03"], 12)
    assert yearly.missing_periods(month_number("2019-04"), month_number("2022-03")) == [month_number("2021-03")]
    monthly = _rows(["2021-01", "2021-03"], 1)
    assert monthly.missing_periods(month_number("2021-01"), month_number("2021-03")) == [month_number("2021-02")]


def test_a_quarterly_indicator_source_is_checked_by_quarter(tmp_path):
    """The substance-misuse return's quarters (Q4 2020-21 to Q2 2022-23) do not cover the demo's windows
    (November 2020 to October 2022 touch the quarters ending December 2020 and December 2022)."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    (tmp_path / "data").symlink_to(REPO / "data", target_is_directory=True)
    spec = tmp_path / "specs" / "community_safety.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text + """  - id: treatment_returns
    name: Treatment return rows
    priority: Substance misuse
    source: substance_misuse
""", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        prepare(spec)
    (problem,) = raised.value.problems
    assert problem.message.startswith("no rows for the quarters ending 2020-12, 2022-12: a quarter the windows need")
    assert problem.file.endswith("substance_misuse_clients.xlsx")
