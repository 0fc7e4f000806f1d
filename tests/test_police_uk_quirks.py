"""police.uk as it really is: every quirk handled on purpose and counted, checked against the
real extract in ``tests/data/police_uk`` read independently with the csv module.

Quirks: blank Crime IDs on ASB rows; legitimately identical ASB rows (never de-duplicated); rows
with no location; rows outside the force area; the same crime ID in several months; the trimmed
and the full layout; 2021 LSOA codes (police.uk from 2023) against a 2011 geography.
"""
from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from engine.ingest import NO_LOCATION, NOT_COUNTED, OUTSIDE_AREA, load_inputs
from engine.spec import load_spec

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
EXTRACT = TESTS / "data" / "police_uk" / "leicestershire"
LOOKUP = REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
LSOA21 = REPO / "data" / "ons" / "lsoa11_lsoa21_leicestershire.csv"
ASB = "Anti-social behaviour"


def raw_rows(folder: Path = EXTRACT) -> list[tuple[str, int, dict]]:
    """(file name, line, row) for every data row, read with the csv module."""
    out = []
    for path in sorted(folder.glob("*-street.csv*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                out.append((path.name, line, row))
    return out


def force_lsoas() -> set[str]:
    with LOOKUP.open(encoding="utf-8") as handle:
        return {r["LSOA11CD"] for r in csv.DictReader(handle)}


SPEC = """\
title: police.uk quirks
data_root: /  # the spec is written to a temporary folder; the data stays in the repository
sources:
  street:
    type: police_uk
    path: {folder}
{extra_source}
  lsoa_lookup: {{type: csv, path: {repo}/data/ons/lsoa11_lad22_leicestershire.csv}}
  districts: {{type: csv, path: {repo}/data/ons/lad23_csp23_pfa23_lookup.csv}}
  population: {{type: csv, path: {repo}/data/ons/population20_lsoa11_leicestershire.csv}}
{more_sources}
geography:
  small_areas: {{source: lsoa_lookup, code: LSOA11CD, name: LSOA11NM, partner_area_code: LAD22CD{small_extra}}}
  partner_areas: {{source: districts, code: LAD23CD, name: LAD23NM, where: {{PFA23NM: {{equals: Leicestershire}}}}}}
  benchmark: {{name: Leicestershire}}
  population: {{source: population, code: LSOA11CD, value: All Ages (mid-2020)}}
indicators:
  - {{id: all_rows, name: All rows, source: street}}
"""


def inputs(tmp_path: Path, folder: Path = EXTRACT, extra_source: str = "", more_sources: str = "", small_extra: str = ""):
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(SPEC.format(folder=folder, repo=REPO, extra_source=extra_source, more_sources=more_sources,
                                     small_extra=small_extra), encoding="utf-8")
    spec, base = load_spec(spec_file)
    return load_inputs(spec, base)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    return inputs(tmp_path_factory.mktemp("quirks"))


def notes(result) -> dict[str, int]:
    return {n.reason: n.rows for n in result.quality}


def issues_of(result, reason_start: str) -> list[tuple[str, int, str]]:
    frame = result.issues.frame()
    picked = frame[frame["reason"].str.startswith(reason_start)]
    return sorted(zip(picked["file"].map(lambda f: Path(f).name), picked["row"].astype(int), picked["value"]))


def test_every_row_is_read_and_kept(loaded):
    raw = raw_rows()
    assert len(loaded.sources["street"].rows) == len(raw)
    assert notes(loaded)["rows read from 4 monthly files"] == len(raw)


def test_asb_rows_have_blank_ids_and_are_kept(loaded):
    raw = raw_rows()
    blank_asb = sum(1 for _, _, r in raw if r["Crime type"] == ASB and r["Crime ID"] == "")
    assert blank_asb == sum(1 for _, _, r in raw if r["Crime type"] == ASB) > 0
    assert notes(loaded)["anti-social behaviour rows without a Crime ID (police.uk publishes none for ASB): kept"] == blank_asb
    source = loaded.sources["street"]
    asb = (source.rows["crime_type"] == ASB).to_numpy()
    assert asb.sum() == blank_asb  # none dropped


def test_identical_asb_rows_are_counted_not_removed(loaded):
    raw = raw_rows()
    seen = Counter(tuple(sorted(r.items())) for _, _, r in raw if r["Crime type"] == ASB)
    repeats = sum(n - 1 for n in seen.values())
    assert repeats > 0
    reason = next(k for k in notes(loaded) if k.startswith("ASB rows identical to another"))
    assert notes(loaded)[reason] == repeats
    # Every identical ASB row that sits in a force LSOA is counted in that LSOA.
    source = loaded.sources["street"]
    codes = source.rows["small_area_code"].astype(str).to_numpy()
    asb = (source.rows["crime_type"] == ASB).to_numpy()
    geo = loaded.geography
    for code in {r["LSOA code"] for _, _, r in raw if r["Crime type"] == ASB} & force_lsoas():
        expected = sum(1 for _, _, r in raw if r["Crime type"] == ASB and r["LSOA code"] == code)
        position = int(np.flatnonzero(geo.small_area_codes == code)[0])
        assert int(((source.area == position) & asb).sum()) == expected == int((asb & (codes == code)).sum())


def test_rows_with_no_location_are_listed(loaded):
    raw = raw_rows()
    expected = sorted((f, line, "") for f, line, r in raw if r["LSOA code"] == "")
    assert all(r["Location"] == "No Location" for _, _, r in raw if r["LSOA code"] == "")
    assert issues_of(loaded, "no location") == expected and len(expected) == 48
    assert int((loaded.sources["street"].area == NO_LOCATION).sum()) == len(expected)


def test_rows_outside_the_force_area_are_listed_with_their_codes(loaded):
    raw = raw_rows()
    force = force_lsoas()
    expected = sorted((f, line, r["LSOA code"]) for f, line, r in raw if r["LSOA code"] and r["LSOA code"] not in force)
    assert expected and issues_of(loaded, "small-area code outside the partner areas") == expected
    assert int((loaded.sources["street"].area == OUTSIDE_AREA).sum()) == len(expected)
    distinct = next(n for n in loaded.quality if n.reason == "distinct small-area codes outside the partner areas")
    assert distinct.rows == len({code for _, _, code in expected})


def test_crime_id_in_several_months_is_counted_once(loaded):
    raw = raw_rows()
    first_month: dict[str, str] = {}
    for _, _, r in sorted(raw, key=lambda x: x[2]["Month"]):
        if r["Crime ID"]:
            first_month.setdefault(r["Crime ID"], r["Month"])
    later = sorted((f, line, r["Crime ID"]) for f, line, r in raw if r["Crime ID"] and r["Month"] != first_month[r["Crime ID"]])
    assert len(later) == 2  # a204e309… (Jan -> Feb 2021) and 7494ac70… (Mar -> Apr 2021)
    assert issues_of(loaded, "crime ID already published in an earlier month") == later
    assert int((loaded.sources["street"].area == NOT_COUNTED).sum()) == len(later)


def test_placed_rows_add_up(loaded):
    raw = raw_rows()
    force = force_lsoas()
    first: dict[str, str] = {}
    placed = Counter()
    for f, line, r in sorted(raw, key=lambda x: (x[2]["Month"], x[0], x[1])):
        repeat = r["Crime ID"] and first.setdefault(r["Crime ID"], r["Month"]) != r["Month"]
        if r["LSOA code"] in force and not repeat:
            placed[r["LSOA code"]] += 1
    source, geo = loaded.sources["street"], loaded.geography
    counts = np.bincount(source.area[source.area >= 0], minlength=len(geo.small_area_codes))
    assert {geo.small_area_codes[i]: int(n) for i, n in enumerate(counts) if n} == dict(placed)


def test_keep_all_counts_repeats_again(tmp_path):
    result = inputs(tmp_path, extra_source="    repeated_crime_ids: keep_all")
    assert int((result.sources["street"].area == NOT_COUNTED).sum()) == 0
    assert any(k.startswith("crime IDs already published in an earlier month") for k in notes(result))


def test_trimmed_layout_reads_the_same_placements(tmp_path, loaded):
    """The bundled demo files keep five columns: the reader takes both layouts."""
    trimmed = tmp_path / "trimmed"
    trimmed.mkdir()
    keep = ["Month", "Falls within", "LSOA code", "LSOA name", "Crime type"]
    by_file: dict[str, list[dict]] = {}
    for name, _, row in raw_rows():
        by_file.setdefault(name.removesuffix(".gz"), []).append({k: row[k] for k in keep})
    for name, rows in by_file.items():
        with (trimmed / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, keep, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
    result = inputs(tmp_path, folder=trimmed)
    full = loaded.sources["street"]
    assert np.array_equal(result.sources["street"].area == NO_LOCATION, full.area == NO_LOCATION)
    assert np.array_equal(result.sources["street"].area == OUTSIDE_AREA, full.area == OUTSIDE_AREA)
    assert any(k.startswith("no Crime ID column") for k in notes(result))


def test_2021_codes_are_translated_to_the_2011_geography(tmp_path, loaded):
    """police.uk moved to 2021 LSOAs in 2023: with a recode lookup they land in the 2011 geography."""
    with LSOA21.open(encoding="utf-8") as handle:
        pairs = [(r["LSOA11CD"], r["LSOA21CD"]) for r in csv.DictReader(handle)]
    to_2021 = dict(pairs)
    back = Counter(new for _, new in pairs)
    newer = tmp_path / "newer"
    newer.mkdir()
    by_file: dict[str, list[dict]] = {}
    fields = None
    for name, _, row in raw_rows():
        fields = list(row)
        row = dict(row, **{"LSOA code": to_2021.get(row["LSOA code"], row["LSOA code"])})
        by_file.setdefault(name.removesuffix(".gz"), []).append(row)
    for name, rows in by_file.items():
        with (newer / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fields, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
    result = inputs(tmp_path, folder=newer, more_sources=f"  lsoa21: {{type: csv, path: {LSOA21}}}",
                    small_extra=", recode: {source: lsoa21, from: LSOA21CD, to: LSOA11CD}")
    area, old_area = result.sources["street"].area, loaded.sources["street"].area
    codes = result.sources["street"].rows["small_area_code"].astype(str).to_numpy()
    merged = np.array([back.get(c, 0) > 1 for c in codes])  # 2021 LSOAs formed by merging 2011 ones
    assert merged.any()
    assert (area[merged] == NOT_COUNTED).all()
    assert np.array_equal(area[~merged], old_area[~merged])
    assert any(k.startswith("small-area codes of another vintage translated") for k in notes(result))
    assert issues_of(result, "code maps to several small areas")


def test_local_names_replace_official_names_and_strays_are_reported(tmp_path):
    """The analysts' own names ("Coalville Centre") for some LSOAs; a code not in the geography is listed."""
    names = tmp_path / "local_names.csv"
    names.write_text("LSOA,Local name\nE01013607,Clock Tower\nE01032597,Evington Park\nE09999999,Nowhere\n", encoding="utf-8")
    result = inputs(tmp_path, more_sources=f"  local: {{type: csv, path: {names}}}",
                    small_extra=", local_names: {source: local, code: LSOA, name: Local name}")
    geo = result.geography
    shown = dict(zip(geo.small_area_codes, geo.small_area_names))
    assert shown["E01013607"] == "Clock Tower" and shown["E01032597"] == "Evington Park"
    with LOOKUP.open(encoding="utf-8") as handle:
        official = {r["LSOA11CD"]: r["LSOA11NM"] for r in csv.DictReader(handle)}
    assert shown["E01013678"] == official["E01013678"]
    stray = result.issues.frame()
    stray = stray[stray["reason"].str.startswith("local name for a code")]
    assert list(zip(stray["row"], stray["value"])) == [(4, "E09999999")]
