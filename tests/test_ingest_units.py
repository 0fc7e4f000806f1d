"""Small, exact rules of ingest: footnote markers, UK dates, delimiters, header layouts."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from engine.ingest.columns import DATE_FORMATS, parse_dates
from engine.ingest.issues import IssueLog
from engine.ingest.layout import find_layout, looks_like_note
from engine.ingest.markers import strip_footnotes
from engine.ingest.readers.csv_reader import CsvFile
from engine.ingest.table_source import read_table
from engine.spec.models import Source


@pytest.mark.parametrize("label, expected", [
    # labels as they appear in the ONS police force area tables (pfatablesdec19.xlsx, Table P1-P4)
    ("Total recorded crime (excluding fraud3)", "Total recorded crime (excluding fraud)"),
    ("Violence against the person4", "Violence against the person"),
    ("Homicide5,6", "Homicide"),
    ("Number of\n offences\n involving a\n knife7", "Number of offences involving a knife"),
    ("Population figures\n (mid-2018)3  rounded to 100", "Population figures (mid-2018) rounded to 100"),
    # digits that are not footnotes stay
    ("LSOA11CD", "LSOA11CD"), ("Mid-2018 population", "Mid-2018 population"), ("Table P1", "Table P1"),
    ("Rate per 1,000 population", "Rate per 1,000 population"), ("Population [note 3]", "Population"), ("Rate¹", "Rate"),
])
def test_footnote_markers(label, expected):
    assert strip_footnotes(label) == expected


def test_footnotes_in_values_only_when_asked():
    assert strip_footnotes("ENGLAND AND WALES7,8") == "ENGLAND AND WALES7,8"
    assert strip_footnotes("ENGLAND AND WALES7,8", capitals=True) == "ENGLAND AND WALES"


@pytest.mark.parametrize("text, expected", [
    ("01/02/2022", "2022-02-01"),  # UK: the 1st of February, never January the 2nd
    ("1/2/2022", "2022-02-01"), ("31/12/21", "2021-12-31"), ("Jan-22", "2022-01-01"), ("January 2022", "2022-01-01"),
    ("2022-03-04", "2022-03-04"), ("2022-03-04 00:00:00", "2022-03-04"),
    ("44562", "2022-01-01"),  # Excel shows day 44562 as 01/01/2022
    ("2022", None),  # a year is not a date
    ("13/13/2022", None), ("31/02/2022", None), ("soon", None),
])
def test_uk_dates(text, expected):
    (parsed,) = parse_dates([text], DATE_FORMATS)
    assert (None if parsed is None else str(np.datetime64(parsed, "D"))) == expected


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_found(tmp_path, delimiter):
    path = tmp_path / "t.csv"
    path.write_text(delimiter.join(["Code", "Name, full", "Count"]).replace("Name, full", '"Name, full"') + "\n"
                    + delimiter.join(["E01000001", '"Area, one"', "3"]) + "\n", encoding="utf-8")
    reader = CsvFile(path)
    assert reader.delimiter == delimiter
    assert reader.head(5)[0] == ["Code", "Name, full", "Count"]


def test_two_row_header_without_merge_information():
    """Group labels carried right while the row below has labels; a blank header cell ends the group."""
    head = [["Table 1: Crimes by area"], [],
            [None, None, "Total", None, "Victim-based", None, None],
            ["Code", "Name", None, None, "Robbery", "Theft offences3", None],
            [None, None, "Numbers"],
            ["E23000021", "Leicestershire", 1, None, 2, 3, None]]
    layout = find_layout(head)
    assert layout.header_rows == (2, 3) and layout.data_start == 5 and layout.skipped_rows == (4,)
    assert [layout.labels[c] for c in range(6)] == ["Code", "Name", "Total", "", "Victim-based / Robbery",
                                                    "Victim-based / Theft offences"]


def test_merges_decide_when_known():
    head = [[None, None, "Total", "Group"], ["Code", "Name", None, "A"], ["E1", "x", 1, 2]]
    # "Total" merged over rows 1-2 of column C; "Group" over column D only.
    layout = find_layout(head, merges=[(0, 2, 1, 2), (0, 3, 0, 3)])
    assert [layout.labels[c] for c in range(4)] == ["Code", "Name", "Total", "Group / A"]


def test_given_header_row():
    head = [["Notes"], ["a", "b"], ["Code", "Value"], ["E1", "1"]]
    assert find_layout(head, header_row=3).data_start == 3
    assert find_layout(head, header_row=[2, 3]).labels == {0: "a / Code", 1: "b / Value"}


@pytest.mark.parametrize("text, note", [("Source: Home Office - Police recorded crime", True),
                                        ("1. Police recorded crime data are not designated as National Statistics.", True),
                                        ("8 '..'  indicates data not available.", True), ("Rutland", False), ("E01013607", False)])
def test_notes(text, note):
    assert looks_like_note(text) is note


FORMATS = Path(__file__).resolve().parent / "data" / "formats"
LAYOUT_COLUMNS = {"Incident ID": "id", "LSOA": {"name": "small_area_code", "type": "code"},
                  "Incidents / Primary": {"name": "primary", "type": "integer"},
                  "Secondary": {"name": "secondary", "type": "integer"}, "Date": {"name": "month", "type": "date"}}


def _xlsm(tmp_path: Path) -> Path:
    """The xlsx fixture's table in a macro-enabled workbook (its VBA project is inert bytes: never run)."""
    import xlsxwriter

    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    path = tmp_path / "partner_layout.xlsm"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Incidents 2022 ")
    source = load_workbook(FORMATS / "partner_layout.xlsx")["Incidents 2022 "]
    for row in source.iter_rows():
        for cell in row:
            if cell.value is not None:
                sheet.write(cell.row - 1, cell.column - 1, cell.value)
    sheet.merge_range(2, 2, 2, 3, "Incidents")
    workbook.add_vba_project(str(vba))
    workbook.close()
    return path


@pytest.mark.parametrize("extension", ["xlsx", "xlsm", "xls", "ods"])
def test_every_workbook_format_reads_the_same(tmp_path, extension):
    path = _xlsm(tmp_path) if extension == "xlsm" else FORMATS / f"partner_layout.{extension}"
    log = IssueLog()
    data = read_table("t", Source(type="table", path=str(path), sheet="Incidents 2022", columns=LAYOUT_COLUMNS), path, log)
    # expected: the cells as openpyxl reads the xlsx original
    sheet = load_workbook(FORMATS / "partner_layout.xlsx")["Incidents 2022 "]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=8)]
    assert data.rows.tolist() == [6, 7, 8]
    assert data.frame["id"].tolist() == [r[0] for r in rows]
    assert data.frame["small_area_code"].tolist() == [r[1] for r in rows]
    assert [None if v is pd.NA else v for v in data.frame["primary"]] == [v if isinstance(v, int) else None for v in
                                                                             (r[2] for r in rows)]
    assert data.frame["month"].tolist() == ["2022-02", "2022-01", "2022-03"]
    assert sorted((n.reason, n.rows) for n in log.summary() if n.reason.startswith("cleaned")) == [
        ("cleaned: status marker '..' read as missing", 1), ("cleaned: status marker '[c]' read as missing", 1)]
