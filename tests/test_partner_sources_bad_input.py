"""Bad input in every SYNTHETIC partner extract, read through the demo spec's own source definitions.

The generator's manifest is the independent truth: it lists every row made bad on purpose (unknown
LSOA or district, total rows, unreadable dates) by kind and [sheet, row]. Each must come back as a
rejected or excluded row of the data-quality log at exactly that place, and nothing else may be
rejected or excluded; a few are re-read straight from the file (csv / openpyxl) to check the value
the log quotes. A missing column is one error naming the file, sheet, header row and column, and
a failed build leaves an earlier workbook as it was.
"""
from __future__ import annotations

import csv
import json
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.api import build
from engine.cli import DEMO_DATA
from engine.errors import DataError
from engine.ingest import _table_rows
from engine.ingest.geography import load_geography
from engine.ingest.issues import IssueLog
from engine.ingest.table_source import read_table
from engine.quality import EXCLUDED, REJECTED
from engine.spec import load_spec
from engine.spec.models import Source
from engine.synthetic import SOURCES, generate_all

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "specs" / "community_safety.yaml"
#: the eight partner extracts (the generator also writes an area classification and a peer-group export)
EXTRACTS = ["police_crime", "fire_incidents", "youth_offending", "probation_caseload", "marac_referrals",
            "substance_misuse", "hospital_admissions", "resident_survey"]
#: columns the demo spec does not read but an analyst might: mapped here so that their bad values are tested too
EXTRA_COLUMNS = {"probation_caseload": {"Sentence Date": {"name": "sentence_date", "type": "date"}}}

#: what each kind of deliberately bad row becomes: the action(s) and words of the reason
OUTCOMES = {
    "unknown_lsoa": ({REJECTED, EXCLUDED}, ("does not match the pattern", "outside the partner areas")),
    "missing_lsoa": ({EXCLUDED}, ("no location",)),
    "bad_date": ({REJECTED}, ("not a month", "not a date")),
    "unknown_district": ({EXCLUDED}, ("not one of the spec's districts",)),
    "unknown_area": ({EXCLUDED}, ("not one of the spec's districts",)),
    "total_row": ({EXCLUDED}, ("not one of the spec's districts",)),
}
#: a column each source cannot do without (as the manifest flattens names), and the sheet it is missing from
MISSING = {
    "police_crime": "Date Committed", "fire_incidents": "LSOA Code", "youth_offending": "Home District",
    "probation_caseload": "Assessed needs (OASys) / Attitudes", "marac_referrals": "Referral Month",
    "substance_misuse": "Young People", "hospital_admissions": "2021/22 / Admissions", "resident_survey": "% Agree",
}


@lru_cache(maxsize=None)
def manifest() -> dict:
    return json.loads((DEMO_DATA / "manifest.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def demo_spec():
    """The demo spec, with EXTRA_COLUMNS mapped."""
    spec, spec_dir = load_spec(SPEC)
    sources = dict(spec.sources)
    for name, extra in EXTRA_COLUMNS.items():
        sources[name] = Source(**{**sources[name].model_dump(by_alias=True, exclude_unset=True),
                                  "columns": {**extra, **sources[name].columns}})
    return spec.model_copy(update={"sources": sources}), spec_dir


@lru_cache(maxsize=None)
def read(name: str):
    """The source read and placed as the demo's build reads it: (rows, the data-quality log's rows)."""
    spec, spec_dir = demo_spec()
    geography = load_geography(spec, spec_dir, IssueLog())
    log = IssueLog()
    rows = _table_rows(name, spec, spec_dir, geography, log, counted=False)
    return rows, log.frame(), log.counts[name]


def test_the_spec_declares_each_generated_source_under_its_own_name():
    spec, _ = demo_spec()
    assert set(EXTRACTS) <= set(SOURCES)
    for name in EXTRACTS:
        assert Path(spec.sources[name].path).name == manifest()["sources"][name]["file"]


@pytest.mark.parametrize("name", EXTRACTS)
def test_every_deliberately_bad_row_is_rejected_or_excluded_where_the_manifest_says(name):
    entry = manifest()["sources"][name]
    rows, issues, counts = read(name)
    dropped = issues[issues["action"].isin([REJECTED, EXCLUDED])]
    places = {(sheet or "", int(row)) for sheet, row in zip(dropped["sheet"], dropped["row"])}
    expected = set()
    for kind, numbers in entry["bad_row_numbers"].items():
        actions, words = OUTCOMES[kind]
        assert len(numbers) == entry["bad_rows"][kind]
        for sheet, row in numbers:
            here = dropped[(dropped["sheet"] == (sheet or "")) & (dropped["row"] == row)]
            assert len(here), f"{name}: {kind} row {sheet} {row} was neither rejected nor excluded"
            assert set(here["action"]) <= actions and all(any(w in r for w in words) for r in here["reason"]), \
                (kind, sheet, row, here[["action", "reason"]].values.tolist())
            assert set(here["file"]) == {str(DEMO_DATA / entry["file"])}
            expected.add((sheet or "", row))
    assert places == expected, f"{name}: rows dropped that the manifest does not list: {sorted(places - expected)[:5]}"
    rejected = {p for p, a in zip(zip(dropped["sheet"], dropped["row"]), dropped["action"]) if a == REJECTED}
    assert counts.rejected == len(rejected)
    unpivoted = 4 if name == "hospital_admissions" else 1  # a row per financial year
    data_rows = entry["data_rows"] if isinstance(entry["data_rows"], int) else sum(entry["data_rows"].values())
    assert counts.read == data_rows * unpivoted
    excluded = {p for p, a in zip(zip(dropped["sheet"], dropped["row"]), dropped["action"]) if a == EXCLUDED} - rejected
    placed = int((rows.area >= 0).sum())
    assert placed == (data_rows - len(rejected) - len(excluded)) * unpivoted


def _cell(entry: dict, sheet: str | None, row: int, column: str) -> str:
    """A cell as written in the file, read with the csv module or openpyxl (not the engine)."""
    path = DEMO_DATA / entry["file"]
    if sheet is None:
        with path.open(encoding=entry["encoding"], newline="") as handle:
            lines = list(csv.reader(handle))
        header = lines[entry["header_row"] - 1]
        return lines[row - 1][header.index(column)]
    book = load_workbook(path, read_only=True)
    values = [c for c in next(book[sheet].iter_rows(min_row=row, max_row=row, values_only=True))]
    names = entry["columns"]
    return str(values[names.index(column)])


@pytest.mark.parametrize("name, kind, column", [
    ("police_crime", "bad_date", "Date Committed"), ("police_crime", "unknown_lsoa", "LSOA Code"),
    ("fire_incidents", "bad_date", "Incident Date"), ("youth_offending", "unknown_district", "Home District"),
    ("probation_caseload", "bad_date", "Sentence Date"), ("marac_referrals", "bad_date", "Referral Month"),
    ("marac_referrals", "unknown_district", "District"), ("substance_misuse", "unknown_area", "District"),
    ("hospital_admissions", "unknown_area", "Area"), ("resident_survey", "total_row", "Area"),
])
def test_the_log_quotes_the_value_in_the_file(name, kind, column):
    entry = manifest()["sources"][name]
    _, issues, _ = read(name)
    for sheet, row in entry["bad_row_numbers"][kind][:3]:
        here = issues[(issues["sheet"] == (sheet or "")) & (issues["row"] == row) & (issues["column"] == column)
                      & issues["action"].isin([REJECTED, EXCLUDED])]
        assert len(here) >= 1, (sheet, row)
        written = _cell(entry, sheet, row, column).strip()
        if footnoted(name, column):  # quoted as matched: without the footnote digit ("no fixed abode3")
            written = written.rstrip("0123456789").strip()
        assert set(here["value"]) == {written}, (sheet, row, written, here["value"].tolist())


def footnoted(name: str, column: str) -> bool:
    spec, _ = demo_spec()
    found = (spec.sources[name].column_specs() or {}).get(column)
    return found is not None and found.strip_footnotes


@pytest.fixture(scope="module")
def missing_columns(tmp_path_factory) -> Path:
    """Every extract written without one column it needs (one generation for all eight)."""
    out = tmp_path_factory.mktemp("missing-columns")
    generate_all(out, sources=EXTRACTS, omit_columns={name: [column] for name, column in MISSING.items()})
    return out


@pytest.mark.parametrize("name", EXTRACTS)
def test_a_missing_column_names_file_sheet_row_and_column(name, missing_columns):
    spec, _ = demo_spec()
    entry = json.loads((missing_columns / "manifest.json").read_text(encoding="utf-8"))["sources"][name]
    assert entry["omitted_columns"] == [MISSING[name]]
    path = missing_columns / entry["file"]
    with pytest.raises(DataError) as raised:
        read_table(name, spec.sources[name], path, IssueLog())
    problems = raised.value.problems
    sheets = entry["sheets"] or [None]
    assert [p.sheet for p in problems] == sheets  # every sheet of a sheet-per-quarter return lacks it
    header_row = entry["header_row"] + entry["header_rows"] - 1
    for problem in problems:
        assert problem.file == str(path) and problem.row == header_row
        column = MISSING[name]
        if name == "hospital_admissions":  # unpivoted: the group that lacks the field is named
            assert problem.column == column and "the columns of '2021/22' have no 'Admissions'" in problem.message
        else:
            assert problem.column == column
            assert "is missing" in problem.message
        assert "\n" not in str(problem)


def test_a_failed_build_leaves_the_earlier_workbook(tmp_path, missing_columns):
    """The demo spec reading the broken extracts: one error per broken source, nothing written."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    data = tmp_path / "data"
    (data / "synthetic").mkdir(parents=True)
    for part in ("ons", "police_uk"):
        (data / part).symlink_to(REPO / "data" / part, target_is_directory=True)
    (data / "synthetic" / "generated").symlink_to(missing_columns, target_is_directory=True)
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "Melton_E07000133_2022-10.xlsx"
    earlier.write_bytes(b"last month's workbook")
    with pytest.raises(DataError) as raised:
        build(tmp_path / "specs" / "community_safety.yaml", out, areas=["Melton"])
    files = {Path(p.file).name for p in raised.value.problems}
    assert files >= {"police_crime_extract.csv", "fire_incidents.xlsx", "youth_offending.xlsx",
                     "marac_referrals.csv"}  # the sources the demo's indicators count (and its breakdowns')
    assert earlier.read_bytes() == b"last month's workbook"
    assert sorted(p.name for p in out.iterdir()) == [earlier.name]
