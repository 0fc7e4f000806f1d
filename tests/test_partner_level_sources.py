"""Extracts that record only the district (youth offending, MARAC, probation) counted end to end.

The generated SYNTHETIC extracts are read back here with openpyxl / the csv module and summed
with plain Python, independently of the engine's readers, and compared with the workbook.
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.api import build, prepare
from engine.errors import SpecError
from engine.synthetic import generate_all
from ingest_helpers import REPO

CURRENT = [(2021, 11), (2021, 12)] + [(2022, m) for m in range(1, 11)]
PREVIOUS = [(2020, 11), (2020, 12)] + [(2021, m) for m in range(1, 11)]

SOURCES = """sources:
  youth:
    type: excel
    path: {youth}
    sheet: Offences
    header_row: 5
    columns:
      Offence Date: {{name: month, type: month}}
      Home District: {{name: partner_area_name, strip_footnotes: true}}
      Offence Type: offence_type
      First Time Entrant: {{name: first_time_entrant, allowed: [Y, N]}}
  marac:
    type: csv
    path: {marac}
    header_row: 5
    columns:
      Referral Month: {{name: month, type: month, formats: ["%b-%y"]}}
      District: partner_area_name
      Repeat Referral: {{name: repeat, allowed: ["Yes", "No"]}}
  caseload:
    type: excel
    path: {caseload}
    sheet: Caseload
    header_row: [5, 6]
    columns:
      District: partner_area_name
      Demographics / Gender: gender
"""

INDICATORS = """indicators:
  - id: test_youth_offences
    name: Offences by young people (test extract)
    priority: Reducing offending
    unit: offences
    source: youth
  - id: test_marac_referrals
    name: MARAC referrals (test extract)
    priority: Protecting vulnerable people
    unit: referrals
    source: marac
"""

BREAKDOWNS = """breakdowns:
  - id: caseload_gender
    title: Probation caseload by gender
    source: caseload
    by: [gender]
    unit: people
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("partner-data")
    return generate_all(out, seed=2012, sources=["youth_offending", "marac_referrals", "probation_caseload"])


def partner_spec(tmp_path: Path, files: dict[str, Path], extra: str = "", sources: str = SOURCES,
                 indicators: str = INDICATORS) -> Path:
    """The demo spec with the generated youth, MARAC and caseload extracts as sources (``sources``, with
    {youth}, {marac} and {caseload} for their paths) and ``indicators`` put first."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    (tmp_path / "data").symlink_to(REPO / "data", target_is_directory=True)
    text = (tmp_path / "specs" / "community_safety.yaml").read_text(encoding="utf-8")
    text = text.replace("sources:\n", sources.format(youth=files["youth_offending"], marac=files["marac_referrals"],
                                                     caseload=files["probation_caseload"]), 1)
    text = text.replace("data_root: ..", "data_root: /", 1)  # the extracts are read where the repository keeps them
    text = text.replace("indicators:\n", indicators, 1)
    text = text.replace("breakdowns:\n", BREAKDOWNS.replace("breakdowns:\n", "breakdowns:\n", 1), 1)
    text = text.replace("max_rejected_percent: 2 ", "max_rejected_percent: 5 ")
    text = text.replace("  partner_areas:\n", f"  partner_areas:\n{extra}", 1)
    path = tmp_path / "specs" / "partners.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _month(value) -> tuple[int, int] | None:
    if isinstance(value, dt.datetime):
        return value.year, value.month
    try:
        day = dt.datetime.strptime(str(value).strip(), "%d/%m/%Y")
    except ValueError:
        return None
    return day.year, day.month


def youth_rows(path: Path) -> list[tuple[str, tuple[int, int], bool]]:
    sheet = load_workbook(path, read_only=True)["Offences"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    header = list(rows[0])
    out = []
    for row in rows[1:]:
        if row[header.index("YOT Case ID")] is None:
            continue
        month = _month(row[header.index("Offence Date")])
        district = str(row[header.index("Home District")]).rstrip("0123456789").strip()
        if month is not None:
            out.append((district, month, row[header.index("First Time Entrant")] == "Y"))
    return out


def youth_counts(path: Path) -> Counter:
    """(district, (year, month)) -> offences."""
    return Counter((district, month) for district, month, _ in youth_rows(path))


def marac_counts(path: Path) -> Counter:
    with path.open(encoding="utf-8-sig") as handle:
        lines = handle.read().splitlines()[4:]
    counts: Counter = Counter()
    for row in csv.DictReader(lines):
        try:
            day = dt.datetime.strptime(row["Referral Month"], "%b-%y")
        except (ValueError, TypeError):
            continue
        counts[(row["District"].strip(), (day.year, day.month))] += 1
    return counts


def caseload_genders(path: Path) -> Counter:
    sheet = load_workbook(path, read_only=True)["Caseload"]
    rows = list(sheet.iter_rows(min_row=7, values_only=True))
    counts: Counter = Counter()
    for row in rows:
        if row[0] is None:
            continue
        counts[(str(row[2]).strip(), row[3])] += 1
    return counts


def summary_rows(path: Path) -> dict[str, dict[str, object]]:
    sheet = load_workbook(path)["Summary"]
    values = [[c.value for c in row] for row in sheet[sheet.tables["sb_summary"].ref]]
    header = values[0]
    return {row[header.index("Indicator")]: dict(zip(header, row)) for row in values[1:]}


def test_district_keyed_extracts_are_counted_by_district(tmp_path, generated):
    spec = partner_spec(tmp_path, generated)
    (path,) = build(spec, tmp_path / "out", areas=["Charnwood"])
    rows = summary_rows(path)
    youth, marac = youth_counts(generated["youth_offending"]), marac_counts(generated["marac_referrals"])
    for name, counts in (("Offences by young people (test extract)", youth), ("MARAC referrals (test extract)", marac)):
        current = sum(counts[("Charnwood", m)] for m in CURRENT)
        previous = sum(counts[("Charnwood", m)] for m in PREVIOUS)
        assert rows[name]["Current"] == current > 0
        assert rows[name]["Previous"] == previous > 0

    workbook = load_workbook(path)
    assert not any("youth" in t or "marac" in t or "first_time" in t
                   for t in workbook["Top 10"].tables), "no small-area table for district-only data"
    profile = workbook["Profiles"]
    table = profile.tables["sb_breakdown_caseload_gender"]
    values = [[c.value for c in row] for row in profile[table.ref]]
    genders = caseload_genders(generated["probation_caseload"])
    shown = {row[0]: row[1] for row in values[1:]}
    assert shown == {g: n for (district, g), n in genders.items() if district == "Charnwood"}


def test_out_of_area_rows_are_listed_not_counted(tmp_path, generated):
    prepared = prepare(partner_spec(tmp_path, generated), areas=["Blaby"])
    issues = prepared.inputs.issues.frame()
    youth = issues[(issues["source"] == "youth") & (issues["action"] == "excluded")]
    assert set(youth["value"]) >= {"Out of area"} or set(youth["value"]) >= {"Other local authority"}
    assert all("not one of the spec's districts" in reason for reason in youth["reason"])


def test_alias_must_name_a_partner_area(tmp_path, generated):
    spec = partner_spec(tmp_path, generated, extra="    aliases: {NW Leics: North West Leicestershre}\n")
    with pytest.raises(SpecError) as raised:
        prepare(spec)
    assert "alias 'NW Leics' points to 'North West Leicestershre'" in str(raised.value.problems[0])
