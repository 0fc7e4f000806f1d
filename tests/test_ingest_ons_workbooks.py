"""Real ONS workbooks as they are published, read through table sources and checked against
their cells as openpyxl reads them (an independent reader; the expected values never come from
the code under test).
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.ingest.issues import IssueLog
from engine.ingest.lookups import population_column
from engine.ingest.table_source import read_table
from engine.spec.models import Source

DATA = Path(__file__).resolve().parent / "data" / "ons"
PFA = DATA / "pfatablesdec19.xlsx"
LAD = DATA / "LAD23_Mid_Year_pop_2011_to_2023.xlsx"
SAPE = DATA / "SAPE21DT11-mid-2018-lsoa-population-density-extract.xlsx"
MARKERS = {"..", "-", "NA", "N/A", "*", "x", "[x]", "[c]", ":"}


class Grid:
    """A sheet's cached values as openpyxl reads them, addressed like openpyxl (1-based)."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows
        self.max_row = len(rows)
        self.max_column = max((len(r) for r in rows), default=0)

    def cell(self, row: int, col: int):
        values = self.rows[row - 1] if row <= len(self.rows) else ()
        return _Value(values[col - 1] if col <= len(values) else None)


class _Value:
    def __init__(self, value):
        self.value = value


@lru_cache(maxsize=None)
def sheet(path: Path, name: str) -> Grid:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return Grid([tuple(row) for row in workbook[name].iter_rows(values_only=True)])
    finally:
        workbook.close()


def cells(path: Path, name: str, row: int, first_col: int, last_col: int) -> list:
    ws = sheet(path, name)
    return [ws.cell(row, c).value for c in range(first_col, last_col + 1)]


def read(source: dict, path: Path) -> tuple:
    log = IssueLog()
    data = read_table("t", Source(path=str(path), **source), path, log)
    return data, log


def expected_number(value):
    """A cell as the engine should give it: a number, or NaN for a status marker or an empty cell."""
    if value is None or (isinstance(value, str) and value.strip() in MARKERS | {""}):
        return math.nan
    return float(value)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


# --- police force area tables: merged two-row headers, units row, footnotes, markers ------------------

def pfa_data_rows(name: str) -> list[int]:
    """Rows holding a force or region: a code in column A, or a name in B with numbers (British Transport Police)."""
    ws = sheet(PFA, name)
    rows = []
    for r in range(7, ws.max_row + 1):
        code, area, total = ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value
        if (isinstance(code, str) and code[:1] in "EKW" and code[1:].isdigit()) or (code is None and area and total is not None):
            rows.append(r)
    return rows


def test_pfa_p1_merged_header_values_and_markers():
    """Table P1: header on rows 4-5 (group labels merged across columns), units row 6, footnote block after."""
    data, log = read({"type": "excel", "sheet": "Table P1", "columns": {
        "Area Code": "area_code",
        "Area Name": {"name": "area_name", "strip_footnotes": True},
        "Total recorded crime (excluding fraud)": {"name": "total", "type": "number"},  # header 'fraud3', merged C4:C5
        "Victim-based crime / Robbery": {"name": "robbery", "type": "number"},  # group label merged E4:V4
        "Homicide": {"name": "homicide", "type": "number"},  # unique last part
        "Other crimes against society / Drug offences": {"name": "drugs", "type": "number"},
    }}, PFA)
    rows = pfa_data_rows("Table P1")
    assert data.rows.tolist() == rows  # title, header, units row and footnotes all skipped
    ws = sheet(PFA, "Table P1")
    header = {ws.cell(5, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(5, c).value}
    robbery, homicide = header["Robbery"], header["Homicide"]
    drugs = next(c for v, c in header.items() if v.startswith("Drug offences"))
    for position, r in enumerate(rows):
        assert data.frame["area_code"].iat[position] == (ws.cell(r, 1).value or "")
        for name, col in (("total", 3), ("robbery", robbery), ("homicide", homicide), ("drugs", drugs)):
            assert same(data.frame[name].iat[position], expected_number(ws.cell(r, col).value)), (r, name)
    assert data.frame["area_name"].iat[0] == "ENGLAND AND WALES"  # was 'ENGLAND AND WALES7,8'
    # Every '..' in the mapped columns is reported with its row and column; none is a zero.
    expected = sorted((r, col) for r in rows for col in (3, robbery, homicide, drugs) if ws.cell(r, col).value == "..")
    issues = log.frame()
    found = issues[issues["value"] == ".."]
    assert len(found) == len(expected) > 0
    assert set(found["row"]) == {r for r, _ in expected}
    assert (found["action"] == "cleaned").all()
    assert any("notes and footnote rows" in n.reason for n in log.summary())


@pytest.mark.parametrize("sheet_name, marker", [("Table P2", "-"), ("Table P4", "NA")])
def test_pfa_markers_counted_per_cell(sheet_name, marker):
    """'-' (base under 50) and 'NA' are read as missing and every one is counted; P4's real name has trailing spaces."""
    data, log = read({"type": "excel", "sheet": sheet_name, "columns": {
        "Area Code": "area_code", "Area Name": "area_name",
        ("Homicide" if sheet_name == "Table P2" else "Attempted murder / % involving a knife"): {"name": "value", "type": "number"},
    }}, PFA)
    real_name = next(n for n in load_workbook(PFA, read_only=True).sheetnames if n.strip() == sheet_name)
    ws = sheet(PFA, real_name)
    labels = [(ws.cell(4, c).value, ws.cell(5, c).value) for c in range(1, ws.max_column + 1)]
    if sheet_name == "Table P2":
        col = next(c for c, (_, low) in enumerate(labels, 1) if low == "Homicide")
    else:
        col = next(c for c, (_, low) in enumerate(labels, 1) if low == "% involving a knife" and labels[c - 2][0] == "Attempted murder")
    rows = data.rows.tolist()
    values = [ws.cell(r, col).value for r in rows]
    assert [same(a, expected_number(b)) for a, b in zip(data.frame["value"], values)] == [True] * len(rows)
    marked = [r for r, v in zip(rows, values) if v == marker]
    issues = log.frame()
    assert sorted(issues.loc[issues["value"] == marker, "row"].tolist()) == marked and marked
    note = next(n for n in log.summary() if f"{marker!r} read as missing" in n.reason)
    assert note.rows == len(marked)


def test_pfa_header_labels_flattened_without_footnotes():
    """Flattened labels, read back through the error message that lists them for a misspelt column."""
    from engine.errors import DataError

    with pytest.raises(DataError) as raised:
        read({"type": "excel", "sheet": "Table P1", "columns": {"Robbery offences": "x"}}, PFA)
    message = str(raised.value)
    assert "required column 'Robbery offences' is missing" in message
    assert "did you mean 'Victim-based crime / Robbery'" in message or "Robbery" in message


# --- ONS population workbooks: title and notes rows above the header -------------------------------

def test_sape_population_header_on_row_5():
    data, log = read({"type": "excel", "sheet": "Mid-2018 Population Density", "columns": {
        "Code": {"name": "code", "type": "code", "pattern": "^[EW]01[0-9]{6}$"},
        "Name": "name", "Mid-2018 population": {"name": "population", "type": "integer"},
        "People per Sq Km": {"name": "density", "type": "number"}}}, SAPE)
    ws = sheet(SAPE, "Mid-2018 Population Density")
    assert [ws.cell(5, c).value for c in range(1, 6)][0] == "Code"  # the header really is on row 5
    expected = [cells(SAPE, "Mid-2018 Population Density", r, 1, 5) for r in range(6, ws.max_row + 1)]
    assert data.rows.tolist() == list(range(6, ws.max_row + 1)) and len(expected) == 300
    assert data.frame["code"].tolist() == [e[0] for e in expected]
    assert data.frame["name"].tolist() == [e[1] for e in expected]
    assert data.frame["population"].tolist() == [int(e[2]) for e in expected]
    assert data.frame["density"].tolist() == [e[4] for e in expected]
    assert log.frame().empty


def test_district_workbook_header_on_row_8_and_population_by_year():
    data, _ = read({"type": "excel", "sheet": "MYE4", "columns": {
        "Code": "code", "Name": "name", "Mid-2020": {"name": "mid_2020", "type": "integer"},
        "Mid-2021": {"name": "mid_2021", "type": "integer"}}}, LAD)
    ws = sheet(LAD, "MYE4")
    assert [ws.cell(8, c).value for c in (1, 2, 7)] == ["Code", "Name", "Mid-2020"]
    expected = {ws.cell(r, 1).value: (ws.cell(r, 7).value, ws.cell(r, 6).value) for r in range(9, ws.max_row + 1)
                if ws.cell(r, 1).value}
    got = dict(zip(data.frame["code"], zip(data.frame["mid_2020"], data.frame["mid_2021"])))
    assert got == expected
    assert data.rows[0] == 9
    # Denominators by area and year: the latest of the years given, or the one asked for.
    values, year = population_column(data.frame, "code", None, {2020: "mid_2020", 2021: "mid_2021"}, None, "latest", str(LAD))
    assert year == 2021 and values["E06000016"] == expected["E06000016"][1]
    values, year = population_column(data.frame, "code", None, {2020: "mid_2020", 2021: "mid_2021"}, None, 2020, str(LAD))
    assert year == 2020 and values["E06000016"] == expected["E06000016"][0]


def test_workbook_without_columns_keeps_every_column_as_text():
    """A lookup read with no columns: mapping: every labelled column, under its own label."""
    data, _ = read({"type": "table", "sheet": "MYE4"}, LAD)
    ws = sheet(LAD, "MYE4")
    assert list(data.frame.columns) == [v for v in (ws.cell(8, c).value for c in range(1, ws.max_column + 1)) if v]
    assert data.frame["Name"].iat[0] == ws.cell(9, 2).value
    assert float(data.frame["Mid-2023"].iat[0]) == ws.cell(9, 4).value
