"""A police.uk crime ID repeated on a row with no LSOA is about no partner: it is never shown in another
partner's data-quality CSV or Data Quality sheet (it used to be labelled "the file as a whole" and shown to all).

The fixture is the tiny three-district spec plus two months of police.uk-format rows written here. Expected
rows come from the written files read with pandas: a repeat is a named Crime ID already seen on an earlier
row (earlier month, or earlier in the same month's file); it belongs to the district whose lookup row holds
its own LSOA, and to nobody when it has none.
"""
from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl import load_workbook

from engine.cli import main
from hostile_support import copy_fixture

HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
          "LSOA name", "Crime type", "Last outcome category", "Context"]
AREAS = (("Alpha", "E07000001"), ("Beta", "E07000002"), ("Gamma", "E07000003"))
# (Crime ID, LSOA) per month: IDs a1/b1 republished with their LSOA, u1/u2 republished with none, a2 repeated
# within its month, n1 republished having lost its LSOA, and ASB rows (no ID) to show blank IDs never repeat. The
# other months of the two 12-month windows hold one ASB row each (a month with no file would undercount).
MONTHS = {f"{2020 + (m + 10) // 12}-{(m + 10) % 12 + 1:02d}": [("", "E01000001")] for m in range(22)} | {
    "2022-09": [("a1", "E01000001"), ("b1", "E01000003"), ("u1", ""), ("u2", ""), ("n1", "E01000004"), ("", "")],
    "2022-10": [("a1", "E01000001"), ("b1", "E01000003"), ("u1", ""), ("u2", ""), ("n1", ""),
                ("a2", "E01000002"), ("a2", "E01000002"), ("", "")],
}


def write_street_files(folder) -> None:
    (folder / "street").mkdir()
    for month, rows in MONTHS.items():
        lines = [",".join(HEADER)]
        for crime_id, lsoa in rows:
            kind = "Anti-social behaviour" if not crime_id else "Burglary"
            lines.append(",".join([f"id{crime_id}" if crime_id else "", month, "Testshire Police", "Testshire Police",
                                   "-1.1", "52.6", "On or near High Street" if lsoa else "No Location", lsoa,
                                   f"{lsoa} name" if lsoa else "", kind, "", ""]))
        (folder / "street" / f"{month}-testshire-street.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_street_source(spec) -> None:
    text = spec.read_text(encoding="utf-8")
    text = text.replace("sources:\n", "sources:\n  street: {type: police_uk, path: street}\n", 1)
    text += "  - {id: burglary, name: Burglary, source: street, unit: crimes}\n"
    spec.write_text(text, encoding="utf-8")


def expected_repeats(folder) -> dict[str, set[tuple[str, int, str]]]:
    """District name -> {(file, line, Crime ID)} of the repeated crime rows whose own LSOA is in it."""
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False).assign(file=path.name, line=range(2, 2 + n))
              for path in sorted((folder / "street").glob("*.csv"))
              for n in [sum(1 for _ in path.open(encoding="utf-8")) - 1]]
    rows = pd.concat(frames, ignore_index=True)
    named = rows[rows["Crime ID"] != ""]
    repeats = named[named.duplicated("Crime ID")]
    lookup = pd.read_csv(folder / "lsoa_lookup.csv", dtype=str)
    districts = pd.read_csv(folder / "districts.csv", dtype=str)
    placed = repeats.merge(lookup, left_on="LSOA code", right_on="LSOA11CD", how="left").merge(
        districts, left_on="LAD22CD", right_on="LAD23CD", how="left")
    return {name: {(r.file, int(r.line), r._1) for r in placed.rename(columns={"Crime ID": "_1"})[
        placed["LAD23NM"] == name].itertuples()} for name, _ in AREAS}


def test_repeated_crime_ids_without_a_location_reach_no_partner(tmp_path):
    spec = copy_fixture(tmp_path)
    write_street_files(tmp_path)
    add_street_source(spec)
    assert main(["build", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    expected = expected_repeats(tmp_path)
    assert {k: len(v) for k, v in expected.items()} == {"Alpha": 2, "Beta": 1, "Gamma": 0}  # the fixture's shape
    unplaced = {"idu1", "idu2", "idn1"}
    for area, code in AREAS:
        stem = tmp_path / "out" / f"{area}_{code}_2022-10"
        text = (stem.parent / f"{stem.name}_data_quality.csv").read_text(encoding="utf-8-sig")
        rows = [r for r in csv.DictReader(io.StringIO(text)) if r["column"] == "Crime ID"]
        assert {(r["file"], int(r["row"]), r["value"]) for r in rows} == expected[area], area
        assert all(r["about"] == area for r in rows)
        assert not any(crime_id in text for crime_id in unplaced), area
        sheet = load_workbook(f"{stem}.xlsx", read_only=True)["Data Quality"]
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
        assert not cells & unplaced, area
