"""A partner table (fire incidents, as a fire service might export them) counted by an indicator,
end to end: the same downstream shape as police.uk, its rejected rows on the Data Quality sheet
and in the CSV beside the workbook, partner text kept as text everywhere.

Expected counts come from the CSV and the lookup read with the csv module, not from the engine.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.api import build
from engine.errors import SpecError
from engine.spec import load_spec
from ingest_helpers import INCIDENTS, REPO, spec_with_fire, write

HOSTILE = '=HYPERLINK("http://example.invalid","click")'


def rutland_lsoas() -> list[str]:
    with (REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv").open(encoding="utf-8") as handle:
        return sorted(r["LSOA11CD"] for r in csv.DictReader(handle) if r["LAD22NM"] == "Rutland")


def incidents() -> list[list[str]]:
    lsoas = rutland_lsoas()
    rows = []
    for i in range(400):
        year, month = 2020 + (10 + i % 24) // 12, (10 + i % 24) % 12 + 1  # 2020-11 .. 2022-10
        kind = "Primary fire" if i % 3 else "Secondary fire"
        rows.append([str(i), f"{(i % 27) + 1:02d}/{month:02d}/{year}", lsoas[i % len(lsoas)], kind, "0"])
    rows.append(["400", "15/06/2022", lsoas[0], HOSTILE, "0"])  # rejected: not an allowed type
    rows.append(["401", "15/06/2022", "..", "Primary fire", "0"])  # no location: kept out of every area
    return rows


def test_table_source_counts_rejections_and_text(tmp_path):
    rows = incidents()
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    fire = write(tmp_path, "fire.csv", INCIDENTS + text.getvalue())
    (path,) = build(spec_with_fire(tmp_path, fire), tmp_path / "out", areas=["Rutland"])

    current = {f"{y}-{m:02d}" for y, m in [(2021, 11), (2021, 12)] + [(2022, m) for m in range(1, 11)]}
    lsoas = set(rutland_lsoas())
    expected = sum(1 for r in rows if r[3] == "Primary fire" and r[2] in lsoas and f"{r[1][6:]}-{r[1][3:5]}" in current)

    workbook = load_workbook(path)
    summary = workbook["Summary"]
    table = summary.tables["sb_summary"]
    values = [[c.value for c in row] for row in summary[table.ref]]
    header, body = values[0], values[1:]
    fires = next(r for r in body if r[header.index("Indicator")] == "Fires")
    assert fires[header.index("Current")] == expected > 0

    sheet = workbook["Data Quality"]
    table = sheet.tables["sb_data_quality_rows"]
    cells = [row for row in sheet[table.ref]]
    header = [c.value for c in cells[0]]
    listed = {(c[header.index("Row")].value, c[header.index("Value")].value or "", c[header.index("Action")].value): c
              for c in cells[1:]}
    hostile_cell = listed[(402, HOSTILE, "rejected")][header.index("Value")]
    assert hostile_cell.data_type == "s"
    assert not [key for key in listed if key[0] == 403]  # no location: the row is about no partner, so in no partner's files

    quality_csv = (path.parent / f"{path.stem}_data_quality.csv").read_text(encoding="utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(quality_csv)))
    fire_lines = [line for line in lines if line["source"] == "fire"]
    assert {(line["row"], line["value"], line["action"]) for line in fire_lines} == {("402", "'" + HOSTILE, "rejected")}
    assert all(line["file"] == "fire.csv" for line in fire_lines)


def test_month_and_area_columns_are_required_for_indicator_sources(tmp_path):
    spec = spec_with_fire(tmp_path, write(tmp_path, "fire.csv", INCIDENTS))
    text = spec.read_text(encoding="utf-8").replace("      LSOA: {name: small_area_code, type: code}\n", "")
    text = text.replace("where: {incident_type: {equals: Primary fire}}", "where: {incident_typ: {equals: Primary fire}}")
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_spec(spec)
    messages = [str(p) for p in raised.value.problems]
    assert any("sources.fire.columns: indicators count rows of 'fire': map one column to small_area_code" in m for m in messages)
    assert any("unknown column 'incident_typ' of source 'fire' (did you mean 'incident_type'?)" in m for m in messages)
