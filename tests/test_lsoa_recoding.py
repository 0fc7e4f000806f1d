"""2021 LSOA codes met by a 2011 geography, in every source kind that carries LSOA codes:
area-group sources (here, the deprivation deciles), LSOA-coded partner tables and police.uk.

The fixtures rewrite bundled files with the 2021 codes of the LSOAs whose code changed (from
the bundled ONS best-fit lookup, data/ons/lsoa11_lsoa21_leicestershire.csv); expected figures
come from the original files read with the csv module.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

from engine.ingest import load_inputs
from engine.spec import load_spec
from test_police_uk_quirks import REPO, inputs

IMD = REPO / "data" / "ons" / "imd2019_lsoa11_leicestershire.csv"
LSOA21 = REPO / "data" / "ons" / "lsoa11_lsoa21_leicestershire.csv"
CODE = "LSOA Code (2011)"
DECILE = "Income Domain Decile in England (where 1 is most deprived 10% of LSOAs)"
RECODE = ", recode: {source: lsoa_2011_2021, from: LSOA21CD, to: LSOA11CD}"
LOOKUP = f"  lsoa_2011_2021: {{type: csv, path: {LSOA21}, description: ONS LSOA 2011 to 2021 best-fit lookup}}\n"


def changes() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(2011 code -> its 2021 code where it changed one for one, 2021 code -> the 2011 codes merged into it)."""
    by_21: dict[str, list[str]] = defaultdict(list)
    with LSOA21.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_21[row["LSOA21CD"]].append(row["LSOA11CD"])
    one = {olds[0]: new for new, olds in by_21.items() if len(olds) == 1 and olds[0] != new}
    merged = {new: olds for new, olds in by_21.items() if len(olds) > 1}
    return one, merged


def imd_with_2021_codes(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The deprivation file as a 2021-coded release would list it; returns it and each 2011 code's decile."""
    one, merged = changes()
    gone = {old for olds in merged.values() for old in olds}
    with IMD.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    decile = {r[CODE]: r[DECILE] for r in rows}
    out = []
    for row in rows:
        if row[CODE] in gone:
            continue
        out.append(dict(row, **{CODE: one.get(row[CODE], row[CODE])}))
    for new, olds in merged.items():
        out.append(dict(next(r for r in rows if r[CODE] == olds[0]), **{CODE: new}))
    path = tmp_path / "imd_2021_codes.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(out)
    return path, decile


AREA_GROUPS = f"""
area_groups:
  - id: deprivation
    title: Crime by income deprivation decile
    source: imd
    code: {CODE}
    column: {DECILE}
    label: Income deprivation decile
    values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    indicators: [all_rows]
"""


def load_extended(tmp_path: Path, more_sources: str, appended: str):
    """The quirks test's small spec (with the recoding) plus more sources and text appended at its end."""
    inputs(tmp_path, more_sources=LOOKUP + more_sources, small_extra=RECODE)  # writes spec.yaml
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(spec_file.read_text(encoding="utf-8") + appended, encoding="utf-8")
    return load_inputs(*load_spec(spec_file))


def load_with_groups(tmp_path: Path, imd: Path):
    return load_extended(tmp_path, f"  imd: {{type: csv, path: {imd}}}", AREA_GROUPS)


def test_area_group_source_with_2021_codes_places_every_translated_lsoa(tmp_path):
    imd, decile = imd_with_2021_codes(tmp_path)
    one, merged = changes()
    assert len(one) >= 18 and merged
    result = load_with_groups(tmp_path, imd)
    groups = result.area_groups["deprivation"]
    codes = list(result.geography.small_area_codes)
    labels = [str(label) for label in groups.labels]
    for old in one:
        at = codes.index(old)
        assert groups.of_small_area[at] >= 0, old
        assert labels[groups.of_small_area[at]] == decile[old]
    # LSOAs merged into one 2021 code cannot be told apart: in no group, and the data-quality log says why.
    olds = {old for group in merged.values() for old in group}
    assert all(groups.of_small_area[codes.index(old)] == -1 for old in olds)
    assert sorted(groups.missing) == sorted(olds)
    frame = result.issues.frame()
    why = frame[frame["reason"].str.contains("maps to several")]
    assert sorted(why["value"]) == sorted(merged) and set(why["file"]) == {str(imd)}
    # Every other LSOA keeps the group the 2011 file gives it.
    placed = [(c, labels[g]) for c, g in zip(codes, groups.of_small_area) if g >= 0]
    assert all(decile[c] == label for c, label in placed) and len(placed) == len(codes) - len(olds)


def test_partner_table_with_2021_codes_is_translated(tmp_path):
    """An LSOA-coded partner table: 2021 codes counted in their 2011 LSOA; a merged code listed, not placed."""
    one, merged = changes()
    old, new = next(iter(one.items()))
    merged_code = next(iter(merged))
    rows = [("2022-01", new), ("2022-01", new), ("2022-02", old), ("2022-02", merged_code)]
    table = tmp_path / "fire.csv"
    table.write_text("Month,LSOA\n" + "".join(f"{m},{c}\n" for m, c in rows), encoding="utf-8")
    source = (f"  fire:\n    type: csv\n    path: {table}\n    columns:\n      Month: {{name: month, type: month}}\n"
              f"      LSOA: {{name: small_area_code, type: code}}\n")
    result = load_extended(tmp_path, source, "  - {id: fires, name: Fires, source: fire}\n")
    fire = result.sources["fire"]
    position = int(np.flatnonzero(result.geography.small_area_codes == old)[0])
    assert int((fire.area == position).sum()) == sum(1 for _, c in rows if c in (old, new)) == 3
    frame = result.issues.frame()
    listed = frame[(frame["source"] == "fire") & frame["reason"].str.contains("several small areas")]
    assert listed["value"].tolist() == [merged_code] and listed["row"].tolist() == [5]
