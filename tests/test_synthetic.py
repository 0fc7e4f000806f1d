"""The synthetic partner extracts: deterministic, complete, plausible, and exactly as messy as the manifest says.

Files are checked by reading them independently (``csv`` and ``openpyxl``), never through the
generator's internals: a bad row, a marker or a header position counted here must agree with
the manifest, which is what ingest tests will rely on.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

import synthetic_truth as truth
from engine.errors import SpecError
from engine.synthetic import DEFAULT_SEED, MANIFEST_NAME, PROVENANCE, SOURCES, GeographyFiles, generate_all

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "data" / "synthetic" / "partners.yaml"
POLICE_UK = REPO / "data" / "police_uk" / "leicestershire"
POPULATION = REPO / "data" / "ons" / "population20_lsoa11_leicestershire.csv"
SEED = 2012
MARKERS = ("..", "-", "[x]", "[c]", "*", "N/A")
#: for each source, the column each kind of deliberately bad row spoils
BAD_COLUMNS = {
    "police_crime": {"unknown_lsoa": "LSOA Code", "missing_lsoa": "LSOA Code", "bad_date": "Date Committed"},
    "fire_incidents": {"unknown_lsoa": "LSOA Code", "bad_date": "Incident Date"},
    "youth_offending": {"unknown_district": "Home District", "bad_date": "Offence Date"},
    "probation_caseload": {"unknown_district": "District", "bad_date": "Sentence Date"},
    "marac_referrals": {"unknown_district": "District", "bad_date": "Referral Month"},
    "substance_misuse": {"unknown_area": "District", "total_row": "District"},
    "hospital_admissions": {"unknown_area": "Area"},
    "resident_survey": {"total_row": "Area"},
    "peer_groups": {},  # no bad rows: its ".." cells are the markers below
    "area_classification": {},
    "police_incidents": {"unknown_lsoa": "LSOA Code", "bad_date": "Date Reported"},
    "uava_referrals": {"unknown_district": "Victim / District", "bad_date": "Referral / Date Received"},
    "treatment_presentations": {"unknown_district": "Client / Home District",
                                "bad_date": "Client / Date of Presentation"},
}


@pytest.fixture(scope="module")
def out(demo_partner_data: Path) -> Path:
    """Every source generated with SEED and the default geography, police.uk files and settings: the demo's extracts,
    which conftest's demo_partner_data has made current (test_same_seed_gives_byte_identical_files generates them
    again and compares). Tests only read them."""
    assert SEED == DEFAULT_SEED
    return demo_partner_data


@pytest.fixture(scope="module")
def manifest(out: Path) -> dict:
    return truth.manifest(out)


@pytest.fixture(scope="module")
def settings() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    return pd.read_csv(truth.LOOKUP, dtype=str, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def population(lookup: pd.DataFrame) -> pd.Series:
    pops = pd.read_csv(POPULATION, dtype=str).set_index("LSOA11CD")["All Ages (mid-2020)"].astype(float)
    return lookup.assign(pop=lookup["LSOA11CD"].map(pops)).groupby("LAD22NM")["pop"].sum()


# --------------------------------------------------------------------------------------------
# Reading the files independently: rows and header exactly as written
# --------------------------------------------------------------------------------------------

class Sheet:
    """One data table of a generated file: its column names (read from its own header) and data rows."""

    def __init__(self, folder: Path, entry: dict, sheet: str | None, workbook: Any = None) -> None:
        path = folder / entry["file"]
        top, height = entry["header_row"], entry["header_rows"]
        n_rows = entry["data_rows"] if sheet is None else entry["data_rows"][sheet]
        if entry["format"] == "csv":
            rows = list(csv.reader(io.StringIO(path.read_bytes().decode(entry["encoding"]), newline="")))
            header = [rows[top - 1]]
            grid = [[None if c == "" else c for c in row] for row in rows]
        else:
            ws = (workbook or load_workbook(path))[sheet]
            grid = [list(row) for row in ws.iter_rows(values_only=True)]
            header = [self._filled(ws, grid, r) for r in range(top, top + height)]
            self.merged = [str(r) for r in ws.merged_cells.ranges]
        self.columns = self._names(header)
        first = entry["first_data_row"] - 1
        self.rows = grid[first:first + n_rows]
        self.after = grid[first + n_rows] if len(grid) > first + n_rows else None
        self.first_row = entry["first_data_row"]

    @staticmethod
    def _filled(ws, grid: list[list], row: int) -> list:
        """A header row with each merged range's label copied across the cells it covers."""
        cells = list(grid[row - 1])
        for merged in ws.merged_cells.ranges:
            if merged.min_row <= row <= merged.max_row:
                for col in range(merged.min_col, merged.max_col + 1):
                    cells[col - 1] = grid[merged.min_row - 1][merged.min_col - 1]
        return cells

    @staticmethod
    def _names(header: list[list]) -> list[str]:
        """Two-row headers: "group / name" under a merged group, the single label where it spans both rows."""
        if len(header) == 1:
            return [str(c) for c in header[0]]
        return [str(low) if up == low else f"{up} / {low}" for up, low in zip(*header)]

    def column(self, name: str) -> list:
        return [row[self.columns.index(name)] for row in self.rows]


_READ: dict[tuple[Path, str], dict[str | None, Sheet]] = {}


def frame_of(out: Path, manifest: dict, source: str) -> pd.DataFrame:
    """A single-table file's data rows as a DataFrame (from the cached independent read)."""
    sheet, = sheets_of(out, manifest["sources"][source]).values()
    return pd.DataFrame(sheet.rows, columns=sheet.columns)


def sheets_of(out: Path, entry: dict) -> dict[str | None, Sheet]:
    """Every data table of a file, read once per test module."""
    key = (out, entry["file"])
    if key not in _READ:
        if entry["format"] == "csv":
            _READ[key] = {None: Sheet(out, entry, None)}
        else:
            workbook = load_workbook(out / entry["file"])  # once for all its sheets
            _READ[key] = {name: Sheet(out, entry, name, workbook) for name in entry["sheets"]}
    return _READ[key]


def is_uk_date_text(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
        return False
    try:
        dt.datetime.strptime(value, "%d/%m/%Y")
    except ValueError:
        return False
    return True


def is_month_year(value: object) -> bool:
    try:
        return isinstance(value, str) and bool(re.fullmatch(r"[A-Z][a-z]{2}-\d{2}", value)) \
            and dt.datetime.strptime(value, "%b-%y") is not None
    except ValueError:
        return False


def is_bad(kind: str, value: object, source: str, lsoas: set[str], districts: set[str]) -> bool:
    """Whether a cell is bad in the given way, judged from the cell alone."""
    if kind == "unknown_lsoa":
        return value not in lsoas and value != "N/A"
    if kind == "missing_lsoa":
        return value == "N/A"
    if kind == "unknown_district":  # a footnote digit glued to a district's name (Melton1) is not bad
        return value not in districts and re.sub(r"\d+$", "", str(value)) not in districts
    if kind == "bad_date":
        if source == "marac_referrals":
            return not is_month_year(value)
        return not (isinstance(value, dt.datetime) or is_uk_date_text(value))
    label = re.sub(r"\d+$", "", str(value))
    if kind == "unknown_area":
        return label not in districts and label not in ("Total", "All areas")
    if kind == "total_row":
        return label in ("Total", "All areas")
    raise AssertionError(kind)


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

def test_every_source_written_with_provenance(out: Path, manifest: dict) -> None:
    assert set(manifest["sources"]) == set(SOURCES) == set(PROVENANCE) == set(BAD_COLUMNS)
    assert manifest["synthetic"] is True and manifest["seed"] == SEED
    for source, entry in manifest["sources"].items():
        assert (out / entry["file"]).is_file(), source
        assert "SYNTHETIC" in PROVENANCE[source] and entry["provenance"] == PROVENANCE[source]
        assert entry["synthetic"] is True


def test_same_seed_gives_byte_identical_files(out: Path, tmp_path: Path) -> None:
    paths = generate_all(tmp_path, SEED)
    for path in [*paths.values(), tmp_path / MANIFEST_NAME]:
        assert path.read_bytes() == (out / path.name).read_bytes(), path.name


def test_one_source_alone_is_identical_and_another_seed_differs(out: Path, tmp_path: Path) -> None:
    alone = generate_all(tmp_path / "alone", SEED, sources=["marac_referrals"])["marac_referrals"]
    assert alone.read_bytes() == (out / alone.name).read_bytes()
    other = generate_all(tmp_path / "other", SEED + 1, sources=["marac_referrals"])["marac_referrals"]
    assert other.read_bytes() != alone.read_bytes()


def test_header_position_and_row_counts(out: Path, manifest: dict) -> None:
    for source, entry in manifest["sources"].items():
        for name, sheet in sheets_of(out, entry).items():
            assert sheet.columns == entry["columns"], (source, name)
            assert all(any(cell is not None for cell in row) for row in sheet.rows), (source, name)
            assert sheet.after is None or all(cell is None for cell in sheet.after), (source, name)


def test_bad_rows_are_exactly_as_the_manifest_says(out: Path, manifest: dict, lookup: pd.DataFrame) -> None:
    lsoas, districts = set(lookup["LSOA11CD"]), set(lookup["LAD22NM"])
    for source, entry in manifest["sources"].items():
        assert set(entry["bad_rows"]) == set(BAD_COLUMNS[source]), source
        for kind, column in BAD_COLUMNS[source].items():
            found = [[name, sheet.first_row + i]
                     for name, sheet in sheets_of(out, entry).items()
                     for i, value in enumerate(sheet.column(column))
                     if is_bad(kind, value, source, lsoas, districts)]
            assert len(found) == entry["bad_rows"][kind] > 0, (source, kind)
            assert found == entry["bad_row_numbers"][kind], (source, kind)
            if kind == "unknown_lsoa":  # codes outside the area and typos are rejected differently
                codes = [v for sheet in sheets_of(out, entry).values() for v in sheet.column(column)]
                bad_codes = [c for c in codes if is_bad(kind, c, source, lsoas, districts)]
                well_formed = sum(bool(re.fullmatch(r"E\d{8}", c)) for c in bad_codes)
                assert entry["bad_row_detail"][kind] == {"well_formed": well_formed, "malformed": len(bad_codes) - well_formed}
                assert 0 < well_formed < len(bad_codes)


def test_markers_are_where_the_manifest_says(out: Path, manifest: dict) -> None:
    used = set()
    for source, entry in manifest["sources"].items():
        counted: dict[str, dict[str, int]] = {}
        for sheet in sheets_of(out, entry).values():
            for name in sheet.columns:
                for value in sheet.column(name):
                    if value in MARKERS:
                        per_column = counted.setdefault(value, {})
                        per_column[name] = per_column.get(name, 0) + 1
        expected = {marker: info["columns"] for marker, info in entry["markers"].items()}
        assert counted == expected, source
        used |= set(counted)
    assert used == set(MARKERS)


def test_messiness_of_the_formats(out: Path, manifest: dict) -> None:
    police = manifest["sources"]["police_crime"]
    raw = (out / police["file"]).read_bytes()
    assert police["encoding"] == "cp1252" and not raw.startswith(b"\xef\xbb\xbf")
    assert b"\x96" in raw  # the en dash of "Criminal damage – dwelling" in Windows-1252
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (out / manifest["sources"]["marac_referrals"]["file"]).read_bytes().startswith(b"\xef\xbb\xbf")
    for source in ("probation_caseload", "hospital_admissions"):
        entry = manifest["sources"][source]
        sheet, = sheets_of(out, entry).values()
        assert entry["header_rows"] == 2 and any(r.endswith(str(entry["header_row"])) for r in sheet.merged), source
    substance = manifest["sources"]["substance_misuse"]
    assert len(substance["sheets"]) >= 4 and any(name != name.strip() for name in substance["sheets"])
    assert substance["footnoted_labels"] and manifest["sources"]["hospital_admissions"]["footnoted_labels"]
    youth, = sheets_of(out, manifest["sources"]["youth_offending"]).values()
    dates = youth.column("Offence Date")
    assert sum(is_uk_date_text(v) for v in dates) == manifest["sources"]["youth_offending"]["text_dates"] > 0
    assert sum(isinstance(v, dt.datetime) for v in dates) > len(dates) / 2
    assert all(entry["header_row"] > 1 for entry in manifest["sources"].values())  # notes above every header


def test_every_district_present(out: Path, manifest: dict, lookup: pd.DataFrame) -> None:
    districts = sorted(lookup["LAD22NM"].unique())
    to_district = dict(zip(lookup["LSOA11CD"], lookup["LAD22NM"]))
    for source, column in (("police_crime", "LSOA Code"), ("fire_incidents", "LSOA Code")):
        assert sorted(frame_of(out, manifest, source)[column].map(to_district).dropna().unique()) == districts, source
    assert sorted(truth.youth_offences(out)["district"].unique()) == districts
    assert sorted(truth.probation_cases(out)["district"].unique()) == districts
    assert sorted(truth.marac_referrals(out)["district"].unique()) == districts
    assert sorted(truth.substance_misuse_clients(out)["district"].unique()) == districts
    for source, column in (("hospital_admissions", "Area"), ("resident_survey", "Area")):
        labels = truth.read_source(out, source)[column].astype(str).str.replace(r"\d+$", "", regex=True)
        assert set(districts) <= set(labels), source


def _annual_rates(frame: pd.DataFrame, population: pd.Series, years: float) -> pd.Series:
    return frame.groupby("district").size() / population * 1000 / years


def test_sizes_within_the_configured_plausible_ranges(out: Path, manifest: dict, settings: dict,
                                                      lookup: pd.DataFrame, population: pd.Series) -> None:
    ranges = {name: section["plausible"] for name, section in settings["sources"].items() if "plausible" in section}
    to_district = dict(zip(lookup["LSOA11CD"], lookup["LAD22NM"]))
    checks = {
        "police_crime": _annual_rates(frame_of(out, manifest, "police_crime").assign(
            district=lambda f: f["LSOA Code"].map(to_district)).dropna(subset=["district"]), population, 2),
        "fire_incidents": _annual_rates(frame_of(out, manifest, "fire_incidents").assign(
            district=lambda f: f["LSOA Code"].map(to_district)).dropna(subset=["district"]), population, 2),
        "youth_offending": _annual_rates(truth.youth_offences(out), population, 2),
        "probation_caseload": _annual_rates(truth.probation_cases(out), population, 1),
        "marac_referrals": _annual_rates(truth.marac_referrals(out), population, 2),
        "uava_referrals": _annual_rates(truth.uava_referrals(out), population, 2),
        "treatment_presentations": _annual_rates(truth.treatment_presentations(out), population, 2),
        "police_incidents": _annual_rates(frame_of(out, manifest, "police_incidents").assign(
            district=lambda f: f["LSOA Code"].map(to_district)).dropna(subset=["district"]), population, 2),
    }
    clients = truth.substance_misuse_clients(out).dropna()
    clients = clients[clients["clients"] > 0]
    checks["substance_misuse"] = clients["clients"] / clients["district"].map(population) * 1000
    hospital = truth.read_source(out, "hospital_admissions")
    rates = pd.to_numeric(hospital[[c for c in hospital.columns if c.endswith("Rate per 100,000")]].iloc[:-1]
                          .to_numpy().ravel(), errors="coerce")
    checks["hospital_admissions"] = pd.Series(rates).dropna()
    assert set(checks) == set(ranges)
    for source, values in checks.items():
        low, high = ranges[source]
        assert len(values) and values.between(low, high).all(), (source, values.min(), values.max())


def test_police_extract_copies_police_uk_counts(out: Path, manifest: dict, lookup: pd.DataFrame) -> None:
    real = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in sorted(POLICE_UK.glob("*.csv.gz"))])
    crimes = real[(real["Crime type"] != "Anti-social behaviour")]
    inside = crimes["LSOA code"].isin(set(lookup["LSOA11CD"])) | (crimes["LSOA code"] == "")
    entry = manifest["sources"]["police_crime"]
    assert entry["data_rows"] == int(inside.sum())
    assert entry["bad_rows"]["missing_lsoa"] == int((crimes["LSOA code"] == "").sum())
    extract = frame_of(out, manifest, "police_crime")
    per_lsoa = extract["LSOA Code"].value_counts()
    expected = crimes.loc[crimes["LSOA code"] != "", "LSOA code"].value_counts()
    expected = expected[expected.index.isin(set(lookup["LSOA11CD"]))]
    shortfall = (expected - per_lsoa.reindex(expected.index, fill_value=0))
    assert (shortfall >= 0).all() and shortfall.sum() == entry["bad_rows"]["unknown_lsoa"]
    violence = extract["Offence Group (HO)"] == "Violence against the person"
    assert 0.2 < (extract.loc[violence, "Domestic Flag"] == "Y").mean() < 0.45
    assert 0.05 < (extract["Alcohol Flag"] == "Y").mean() < 0.15


def test_truth_helpers_are_consistent(out: Path) -> None:
    profile = truth.probation_profile(out)
    assert ((profile["flag"] == truth.UP) == (profile["pct"] > profile["county_pct"])).all()
    assert {truth.UP, truth.DOWN} <= set(profile["flag"])
    shares = profile.groupby(["district", "characteristic"])["pct"].sum()
    assert np.allclose(shares, 1)
    reoffenders = truth.probation_profile(out, reoffenders=True)
    assert (reoffenders["n"] <= reoffenders["base"]).all()

    mix = truth.youth_offence_mix(out)
    assert np.allclose(mix.groupby("district")["pct"].sum(), 1)
    assert np.allclose(mix.groupby("category")["county_pct"].first().sum(), 1)
    fte_mix = truth.youth_offence_mix(out, first_time_only=True)
    assert fte_mix["county_base"].iloc[0] < mix["county_base"].iloc[0]
    fte = truth.youth_first_time_entrants(out).set_index("district")
    assert fte.drop("County")[["offences", "fte_offences"]].sum().tolist() == \
        fte.loc["County", ["offences", "fte_offences"]].tolist()

    marac = truth.marac_repeat_rate(out, "2021-11", "2022-10").set_index("district")
    districts = marac.drop("County")
    assert districts["pct"].min() <= marac.loc["County", "pct"] <= districts["pct"].max()
    assert districts["above_threshold"].any() and not districts["above_threshold"].all()

    changes = truth.substance_misuse_changes(out)
    row = changes.dropna().iloc[0]
    assert row["change"] == row["clients"] - row["previous"]
    assert len(changes["quarter"].unique()) == len(truth.manifest(out)["sources"]["substance_misuse"]["sheets"]) - 1


def test_works_for_any_lookup(tmp_path: Path) -> None:
    lookup = tmp_path / "lookup.csv"
    population = tmp_path / "population.csv"
    codes = [f"W01{n:06d}" for n in range(1, 9)]
    lookup.write_text("LSOA11CD,LSOA11NM,LAD22CD,LAD22NM\n" + "".join(
        f"{code},Place {i},W0600000{i % 2 + 1},{'Upper' if i % 2 else 'Lower'} Vale\n" for i, code in enumerate(codes)),
        encoding="utf-8")
    population.write_text("LSOA11CD,LSOA11NM,All Ages (mid-2020)\n" + "".join(
        f"{code},Place {i},\"1{i},500\"\n" for i, code in enumerate(codes)), encoding="utf-8")
    files = GeographyFiles(lookup_csv=lookup, population_csv=population)
    generate_all(tmp_path / "out", 7, geography_files=files, police_uk_dir=None)
    made = truth.manifest(tmp_path / "out")
    assert [d["name"] for d in made["districts"]] == ["Lower Vale", "Upper Vale"]
    known = ["Lower Vale", "Upper Vale"]
    assert sorted(truth.probation_cases(tmp_path / "out", known)["district"].unique()) == known
    assert sorted(truth.substance_misuse_clients(tmp_path / "out", known)["district"].unique()) == known
    police = truth.read_source(tmp_path / "out", "police_crime")
    assert police["LSOA Code"].isin(codes).mean() > 0.99


def test_extracts_missing_a_column_for_bad_input_tests(out: Path, tmp_path: Path) -> None:
    omit = {"probation_caseload": ["District", "Assessed needs (OASys) / ETE"], "marac_referrals": ["Referral Month"]}
    generate_all(tmp_path, SEED, sources=list(omit), omit_columns=omit)
    made = truth.manifest(tmp_path)["sources"]
    full = truth.manifest(out)["sources"]
    for source, columns in omit.items():
        assert made[source]["columns"] == [c for c in full[source]["columns"] if c not in columns]
        assert made[source]["omitted_columns"] == sorted(columns)
        sheet, = sheets_of(tmp_path, made[source]).values()
        assert sheet.columns == made[source]["columns"]
    assert ["Assessed needs (OASys)", None, None, None, None, None, None, None] == \
        made["probation_caseload"]["header"][0][8:16]  # after the three "Where they live" columns
    with pytest.raises(ValueError, match="no column"):
        generate_all(tmp_path, SEED, sources=["fire_incidents"], omit_columns={"fire_incidents": ["Incident date"]})


def test_settings_errors_name_the_key(tmp_path: Path, settings: dict) -> None:
    broken = dict(settings, sources=dict(settings["sources"]))
    broken["sources"]["marac_referrals"] = dict(settings["sources"]["marac_referrals"], repeat_shares=0.4)
    path = tmp_path / "partners.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(SpecError, match=r"sources\.marac_referrals\.repeat_shares"):
        generate_all(tmp_path / "out", SEED, config_path=path, sources=["marac_referrals"])
    with pytest.raises(ValueError, match="unknown synthetic source"):
        generate_all(tmp_path / "out", SEED, sources=["fire"])


def test_area_classification_lists_every_lsoa_once_and_says_it_is_synthetic(out: Path, manifest: dict,
                                                                            lookup: pd.DataFrame, settings: dict) -> None:
    entry = manifest["sources"]["area_classification"]
    assert "SYNTHETIC" in entry["provenance"] and "Not the ONS Output Area Classification" in entry["provenance"]
    first_line = (out / entry["file"]).read_text(encoding="utf-8").splitlines()[0]
    assert "SYNTHETIC" in first_line and "not the ONS Output Area Classification" in first_line
    frame = frame_of(out, manifest, "area_classification")
    assert sorted(frame["LSOA Code"]) == sorted(lookup["LSOA11CD"]) and frame["LSOA Code"].is_unique
    assert (frame["District"] == frame["LSOA Code"].map(dict(zip(lookup["LSOA11CD"], lookup["LAD22NM"])))).all()
    shares = settings["area_profile"]["classification"]
    rural_types = set(shares["rural"])
    urban_types = set().union(*(set(shares[band]) for band in ("urban_low", "urban_mid", "urban_high")))
    rural = frame["Urban/Rural"] == "Rural"
    assert set(frame["Urban/Rural"]) == {"Urban", "Rural"}
    assert set(frame.loc[rural, "Supergroup"]) <= rural_types
    assert set(frame.loc[~rural, "Supergroup"]) <= urban_types
    assert frame["Supergroup"].value_counts().to_dict() == entry["supergroups"]
    assert int((~rural).sum()) == entry["urban_lsoas"]
