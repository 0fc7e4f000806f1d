"""Bad partner files: each gives one clear, located error or a counted rejection — never a crash,
and never a changed output file."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from engine.api import build
from engine.errors import DataError
from engine.ingest.issues import IssueLog
from engine.ingest.table_source import read_table
from engine.spec.models import Source
from ingest_helpers import INCIDENTS, fire_csv, spec_with_fire, write

COLUMNS = {
    "Incident ID": "incident_id",
    "Date": {"name": "month", "type": "date"},
    "LSOA": {"name": "small_area_code", "type": "code", "pattern": "^E01[0-9]{6}$"},
    "Type": {"name": "incident_type", "allowed": ["Primary fire", "Secondary fire"]},
    "Casualties": {"name": "casualties", "type": "integer"},
}


def read(path: Path, **source):
    source.setdefault("type", "table")
    source.setdefault("columns", COLUMNS)
    log = IssueLog()
    return read_table("fire", Source(path=str(path), **source), path, log), log


def xlsx(path: Path, rows: list[list], sheet: str = "Incidents", formulas: dict | None = None) -> Path:
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                worksheet.write(r, c, value)
    for (r, c), (formula, cached) in (formulas or {}).items():
        worksheet.write_formula(r, c, formula, None, cached)
    workbook.close()
    return path


def rejected(log: IssueLog) -> list[tuple[int, str, str, str]]:
    frame = log.frame()
    frame = frame[frame["action"] == "rejected"]
    return sorted(zip(frame["row"].astype(int), frame["column"], frame["value"], frame["reason"]))


def one_problem(raised) -> str:
    assert len(raised.value.problems) >= 1
    return str(raised.value.problems[0])


# --- errors: the file cannot be used at all -----------------------------------------------------------

def test_missing_column_names_file_row_and_column(tmp_path):
    path = write(tmp_path, "fire.csv", "Incident ID,Date,LSOA code,Type,Casualties\n1,01/02/2022,E01013607,Primary fire,0\n")
    with pytest.raises(DataError) as raised:
        read(path)
    message = one_problem(raised)
    assert str(path) in message and "row 1" in message and "'LSOA'" in message
    assert "required column 'LSOA' is missing (did you mean 'LSOA code'?)" in message


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match="file is empty"):
        read(write(tmp_path, "fire.csv", ""))


def test_only_blank_lines(tmp_path):
    with pytest.raises(DataError, match="no rows"):
        read(write(tmp_path, "fire.csv", "\n\n  \n"))


def test_wrong_sheet_suggests_the_right_one(tmp_path):
    path = xlsx(tmp_path / "fire.xlsx", [INCIDENTS.strip().split(",")])
    with pytest.raises(DataError) as raised:
        read(path, sheet="Incident")
    assert "no sheet named 'Incident' (did you mean 'Incidents'?)" in one_problem(raised)


def test_ambiguous_sheet_pattern(tmp_path):
    path = tmp_path / "two.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet("Table 1")
    workbook.add_worksheet("Table 10")
    workbook.close()
    with pytest.raises(DataError, match="2 sheets match"):
        read(path, sheet_pattern="^Table 1")


def test_duplicate_headers(tmp_path):
    path = write(tmp_path, "fire.csv", "Incident ID,Date,LSOA,Type,LSOA,Casualties\n1,01/02/2022,E01013607,Primary fire,x,0\n")
    with pytest.raises(DataError) as raised:
        read(path)
    assert "column 'LSOA' appears 2 times in the header (columns C, E)" in one_problem(raised)
    with pytest.raises(DataError, match="duplicate column header 'LSOA'"):
        read(path, columns=None)


def test_named_encoding_that_does_not_fit_is_located(tmp_path):
    path = write(tmp_path, "fire.csv", INCIDENTS + "1,01/02/2022,E01013607,Primary fire,0\n2,03/02/2022,E01013607,Café fire,0\n",
                 encoding="cp1252")
    with pytest.raises(DataError) as raised:
        read(path, encoding="utf-8")
    message = one_problem(raised)
    assert "not valid utf-8" in message.lower() and "line 3" in message and "byte e9" in message


def test_truncated_xlsx_is_one_clear_error(tmp_path):
    whole = xlsx(tmp_path / "whole.xlsx", [INCIDENTS.strip().split(",")] + [[1, "01/02/2022", "E01013607", "Primary fire", 0]] * 50)
    cut = write(tmp_path / "..", "cut.xlsx", whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataError, match="damaged or truncated"):
        read(cut)


def test_not_really_a_workbook(tmp_path):
    with pytest.raises(DataError, match="not a .xlsx workbook: the file is a web page"):
        read(write(tmp_path, "fire.xlsx", "<!DOCTYPE html><html>Sign in</html>"))


def test_zip_bomb_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (24 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    with pytest.raises(DataError, match="zip bomb"):
        read(path)


def test_gzip_bomb_is_refused_before_reading(tmp_path):
    import gzip

    path = tmp_path / "fire.csv.gz"
    path.write_bytes(gzip.compress(INCIDENTS.encode() + b"\0" * (80 * 1024 * 1024), compresslevel=9))
    assert path.stat().st_size < 200_000
    with pytest.raises(DataError, match="compression bomb"):
        read(path)


def test_file_over_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, "fire.csv", INCIDENTS + "1,01/02/2022,E01013607,Primary fire,0\n" * 20_000)
    with pytest.raises(DataError, match="over the 0 MB limit"):
        read(path, max_file_mb=0.1)


# --- counted rejections: the file is used, the bad rows are listed ---------------------------------------

def test_wrong_types_and_bad_dates_reject_their_rows(tmp_path):
    path = write(tmp_path, "fire.csv", INCIDENTS +
                 "1,01/02/2022,E01013607,Primary fire,0\n"
                 "2,31/02/2022,E01013607,Primary fire,0\n"      # no 31st of February
                 "3,Feb-22,E01013607,Secondary fire,two\n"      # casualties not a number
                 "4,2022-02-03,E1013607,Primary fire,1\n"       # code fails the pattern
                 "5,44593,E01013607,Chimney fire,1.5\n"         # not allowed; not whole
                 "6,03/02/2022,..,Secondary fire,..\n"          # markers: missing, kept
                 "7,,E01013607,Primary fire,0\n")               # no date: cannot be placed in time
    data, log = read(path)
    assert data.frame["incident_id"].tolist() == ["1", "6"]
    assert data.frame["month"].tolist() == ["2022-02", "2022-02"]
    assert rejected(log) == [
        (3, "Date", "31/02/2022", "not a date in a known UK format (dd/mm/yyyy, Jan-22, an Excel date…)"),
        (4, "Casualties", "two", "not a number"),
        (5, "LSOA", "E1013607", "does not match the pattern ^E01[0-9]{6}$"),
        (6, "Casualties", "1.5", "not a whole number"),
        (6, "Type", "Chimney fire", "not an allowed value (did you mean 'Primary fire'?)"),
        (8, "Date", "", "empty, but a value is required"),
    ]
    cleaned = log.frame()
    cleaned = cleaned[cleaned["action"] == "cleaned"]
    assert sorted(zip(cleaned["row"], cleaned["column"], cleaned["value"])) == [(7, "Casualties", ".."), (7, "LSOA", "..")]
    assert log.counts["fire"].rejected == 5 and log.counts["fire"].read == 7


def test_rows_with_the_wrong_number_of_fields_are_rejected_with_their_line(tmp_path):
    path = write(tmp_path, "fire.csv", INCIDENTS + "1,01/02/2022,E01013607,Primary fire,0\n2,01/02/2022,E01013607\n"
                 "3,01/02/2022,E01013607,Primary fire,0\n")
    data, log = read(path)
    assert data.frame["incident_id"].tolist() == ["1", "3"]
    assert data.rows.tolist() == [2, 4]
    assert rejected(log) == [(3, "", "2,01/02/2022,E01013607", "the row has a different number of fields from the header")]


def test_cp1252_is_read_after_utf8_fails_and_noted(tmp_path):
    path = write(tmp_path, "fire.csv", INCIDENTS.replace("Type", "Catégorie") + "1,01/02/2022,E01013607,Café,0\n",
                 encoding="cp1252")
    data, log = read(path, columns={"Catégorie": "kind", "Date": {"name": "month", "type": "date"}})
    assert data.frame["kind"].tolist() == ["Café"]
    assert any("Windows-1252" in n.reason for n in log.summary())


@pytest.mark.parametrize("encoding, bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")])
def test_bom_and_utf16(tmp_path, encoding, bom):
    text = (INCIDENTS + "1,01/02/2022,E01013607,Primary fire,0\n").replace(",", ";")
    path = write(tmp_path, "fire.csv", bom + text.encode(encoding))
    data, _ = read(path)
    assert data.frame["small_area_code"].tolist() == ["E01013607"] and data.frame["month"].tolist() == ["2022-02"]


def test_formula_text_stays_text_and_formulas_give_cached_values(tmp_path):
    hostile = '=HYPERLINK("http://example.invalid","click")'
    path = xlsx(tmp_path / "fire.xlsx",
                [["Incident ID", "Date", "LSOA", "Type", "Casualties"], [hostile, "01/02/2022", "E01013607", "Primary fire", None]],
                formulas={(1, 4): ("=1+2", 3)})
    data, log = read(path)
    assert data.frame["incident_id"].tolist() == [hostile]
    assert data.frame["casualties"].tolist() == [3]
    assert log.frame().empty


def test_excel_title_rows_units_and_footnotes(tmp_path):
    """A partner workbook laid out like the published ones: found without being told where the table is."""
    rows = [["Fire incidents by LSOA, 2022¹"], [], ["Incident ID", "Date", "LSOA", "Type", "Casualties"],
            [1, 44593, "E01013607", "Primary fire", 0], [2, "Jan-22", "E01013607", "Secondary fire", "[c]"], [],
            ["Source: Leicestershire Fire and Rescue Service"], ["1. Provisional figures."]]
    data, log = read(xlsx(tmp_path / "fire.xlsx", rows))
    assert data.rows.tolist() == [4, 5]
    assert data.frame["month"].tolist() == ["2022-02", "2022-01"]  # Excel day 44593 is 1 February 2022
    assert data.frame["incident_id"].tolist() == ["1", "2"]
    assert [n.rows for n in log.summary() if n.reason.startswith("notes and footnote")] == [2]
    assert [n.rows for n in log.summary() if "'[c]' read as missing" in n.reason] == [1]


# --- whole builds: thresholds, several broken sources, outputs untouched -----------------------------------

def test_rejection_threshold_turns_into_an_error_and_leaves_outputs_alone(tmp_path):
    spec = spec_with_fire(tmp_path, fire_csv(tmp_path, bad_rows=10), max_rejected_percent=2)
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "Rutland_E06000017_2022-10.xlsx"
    existing.write_bytes(b"the analyst's previous workbook")
    with pytest.raises(DataError) as raised:
        build(spec, out, areas=["Rutland"])
    message = one_problem(raised)
    assert "source 'fire' rejected 10 of 210 rows (4.8%), more than quality.max_rejected_percent (2%)" in message
    assert "not an allowed value" in message
    assert existing.read_bytes() == b"the analyst's previous workbook"
    assert sorted(p.name for p in out.iterdir()) == ["Rutland_E06000017_2022-10.xlsx"]


def test_every_broken_source_is_reported_at_once(tmp_path):
    spec = spec_with_fire(tmp_path, write(tmp_path, "fire.csv", "Date,Place\n01/02/2022,x\n"))
    text = spec.read_text(encoding="utf-8").replace("../data/police_uk/leicestershire", str(tmp_path / "no_such_folder"))
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        build(spec, tmp_path / "out")
    messages = [str(p) for p in raised.value.problems]
    assert any("required column 'LSOA' is missing" in m for m in messages)
    assert any("police.uk folder not found" in m for m in messages)
    assert not (tmp_path / "out").exists()
