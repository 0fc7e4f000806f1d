"""Partner text is data: names starting with = + - @ are written as strings, never as formulas."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from engine.api import build

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ["=HYPERLINK(\"http://example.invalid\",\"click\")", "+44 Oakham", "-1 Uppingham", "@SUM(A1:A2)"]


def test_hostile_area_names_stay_text(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    lookup_path = tmp_path / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
    lookup = pd.read_csv(lookup_path, dtype=str, keep_default_na=False)
    rutland = lookup.index[lookup["LAD22NM"] == "Rutland"]
    renamed = dict(zip(lookup.loc[rutland, "LSOA11CD"], HOSTILE * len(rutland)))
    lookup.loc[rutland, "LSOA11NM"] = lookup.loc[rutland, "LSOA11CD"].map(renamed)
    lookup.to_csv(lookup_path, index=False)

    (path,) = build(tmp_path / "specs" / "community_safety.yaml", tmp_path / "out", areas=["Rutland"])

    sheet = load_workbook(path)["Top 10"]
    table = sheet.tables["sb_top10_total_crime"]
    names = [row[3] for row in sheet[table.ref]][1:]
    assert {cell.value for cell in names} <= set(HOSTILE)
    assert len(names) == 10
    for cell in names:
        assert cell.data_type == "s", f"{cell.coordinate} {cell.value!r} was written as {cell.data_type}"
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("HYPERLINK" in xml for xml in sheets), "a partner string became a formula"
