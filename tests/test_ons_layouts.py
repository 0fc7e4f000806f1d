"""Layouts ONS really publishes, each as a small workbook built here from cells copied from the
ONS Police Force Area data tables, year ending December 2019, Table P5 (tests/data/ons/
pfatablesdec19.xlsx; Office for National Statistics, Open Government Licence v3.0): a code column
with no header, a footnote block glued to the table, footnote digits glued to codes, and a
byte-order mark in the first header cell. Expected values are the copied cells themselves.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from engine.ingest.issues import IssueLog
from engine.ingest.table_source import read_table
from engine.spec.models import Source

TITLE = ("Table P5:  Knife and sharp instrument offences recorded by the police for selected offences, by police "
         "force area, English regions and Wales, percentage change for year ending December 2019 compared with "
         "selected periods from year ending March 20111,2,3")
HEADER = ["Area Codes", "Area name", "Number of selected offences involving a knife3", "% involving a knife"]
ROWS = [  # Table P5, rows 12-14 and 16, first four columns
    ("E23000013", "Cleveland", 216, 4.087038789025544),
    ("E23000008", "Durham", 159, 3.7902264600715134),
    ("E23000007", "Northumbria4", 393, 4.188425876585314),
    ("E23000006", "Cheshire", 266, 3.439358675976209),
]
SOURCE_NOTE = "Source: Home Office - Police recorded crime "


def workbook(path: Path, header: list, rows: list, after: list[str] = ()) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Table P5")
    sheet.write(0, 0, TITLE)
    sheet.write_row(4, 0, header)
    for i, row in enumerate(rows):
        sheet.write_row(5 + i, 0, row)
    for k, note in enumerate(after):
        sheet.write(5 + len(rows) + k, 0, note)
    book.close()
    return path


def read(path: Path, columns: dict | None = None):
    log = IssueLog()
    source = Source(type="excel", path=str(path), **({"columns": columns} if columns else {}))
    return read_table("p5", source, path, log), log


COLUMNS = {"Area name": {"name": "area", "strip_footnotes": True},
           "Number of selected offences involving a knife": {"name": "offences", "type": "integer"}}


def test_a_code_column_with_no_header_keeps_the_first_data_row(tmp_path):
    path = workbook(tmp_path / "no_code_header.xlsx", [None] + HEADER[1:], ROWS)
    data, _ = read(path, {"Column A": {"name": "code", "type": "code"}, **COLUMNS})
    assert data.frame["code"].astype(str).tolist() == [r[0] for r in ROWS]
    assert data.frame["area"].astype(str).tolist() == ["Cleveland", "Durham", "Northumbria", "Cheshire"]
    assert data.frame["offences"].tolist() == [r[2] for r in ROWS]
    assert data.rows.tolist() == [6, 7, 8, 9]


def test_a_footnote_block_with_no_blank_row_is_not_data(tmp_path):
    path = workbook(tmp_path / "notes.xlsx", HEADER, ROWS, after=["Excludes fraud.", SOURCE_NOTE,
                                                                   "1. Police recorded crime data are not designated as "
                                                                   "National Statistics."])
    data, _ = read(path, {"Area Codes": {"name": "code", "type": "code"}, **COLUMNS})
    assert data.frame["code"].astype(str).tolist() == [r[0] for r in ROWS]
    assert data.frame["offences"].tolist() == [r[2] for r in ROWS]


def test_footnote_digits_glued_to_codes_are_stripped_by_the_codes_length(tmp_path):
    glued = [("E230000138",) + ROWS[0][1:], ("E230000086,7",) + ROWS[1][1:]] + ROWS[2:]
    path = workbook(tmp_path / "glued.xlsx", HEADER, glued)
    data, log = read(path, {"Area Codes": {"name": "code", "type": "code", "strip_footnotes": True,
                                           "pattern": "^E23[0-9]{6}$"}, **COLUMNS})
    assert data.frame["code"].astype(str).tolist() == [r[0] for r in ROWS]
    cleaned = log.frame()
    cleaned = cleaned[cleaned["reason"].str.startswith("footnote digits glued to the code")]
    assert sorted(zip(cleaned["row"], cleaned["value"])) == [(6, "E230000138"), (7, "E230000086,7")]


def test_a_bom_in_the_first_header_cell_is_dropped(tmp_path):
    path = workbook(tmp_path / "bom.xlsx", ["\ufeff" + HEADER[0]] + HEADER[1:], ROWS)
    data, _ = read(path, {"Area Codes": {"name": "code", "type": "code"}, **COLUMNS})
    assert data.frame["code"].astype(str).tolist() == [r[0] for r in ROWS]
    plain, _ = read(path)
    assert list(plain.frame.columns)[0] == "Area Codes"


@pytest.mark.parametrize("gap", [True, False])
def test_a_group_row_over_the_header_still_joins_it(tmp_path, gap):
    """The rule the first case narrows: a group label row above a header that starts further left."""
    book = xlsxwriter.Workbook(str(tmp_path / "groups.xlsx"))
    sheet = book.add_worksheet("Table P5")
    sheet.write(0, 0, TITLE)
    sheet.write_row(3, 2, ["Apr '18 to Mar '19", None] if gap else ["Apr '18 to Mar '19", "Apr '18 to Mar '19"])
    sheet.write_row(4, 0, HEADER)
    for i, row in enumerate(ROWS):
        sheet.write_row(5 + i, 0, row)
    book.close()
    data, _ = read(tmp_path / "groups.xlsx")
    assert list(data.frame.columns)[:3] == ["Area Codes", "Area name",
                                            "Apr '18 to Mar '19 / Number of selected offences involving a knife"]
    assert data.frame["Area Codes"].astype(str).tolist() == [r[0] for r in ROWS]
