"""Hotspots (spec ``hotspots:``): the LSOAs where many people on the probation caseload live, the seeds'
"three LSOAs in North West Leicestershire with 10 or more resident offenders".

``tests/specs/hotspots.yaml`` reads the SYNTHETIC caseload for three districts. Expected tables come
from the generated file read with pandas and placed by its own LSOA column through the ONS lookup
(tests/synthetic_truth.py), never from the engine.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from engine.api import build
from engine.cli import DEMO_DATA
from engine.errors import SpecError
from synthetic_truth import lsoa_districts, read_source
from test_examples import DISTRICTS, district_books, table

SPEC = Path(__file__).parent / "specs" / "hotspots.yaml"
LSOA = "Where they live / LSOA"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return district_books(SPEC, tmp_path_factory.mktemp("hotspots"))


def expected(caseload: pd.DataFrame, at_least: int) -> dict[str, list[list]]:
    """Per district: [code, name, count] of its LSOAs with at least ``at_least`` rows, most first, then by name."""
    lookup = pd.read_csv(Path(__file__).parents[1] / "data" / "ons" / "lsoa11_lad22_leicestershire.csv", dtype=str)
    names = dict(zip(lookup["LSOA11CD"], lookup["LSOA11NM"]))
    counts = caseload[LSOA].value_counts()
    counts = counts[counts.index.isin(names)]
    district = lsoa_districts()
    out = {}
    for d in DISTRICTS:
        own = counts[(counts >= at_least) & counts.index.map(lambda c: district.get(c) == d)]
        rows = sorted(([code, names[code], int(n)] for code, n in own.items()), key=lambda r: (-r[2], r[1]))
        out[d] = rows
    return out


@pytest.fixture(scope="module")
def caseload() -> pd.DataFrame:
    return read_source(DEMO_DATA, "probation_caseload")


def test_offender_hotspots_equal_a_pandas_count_of_the_caseload(books, caseload):
    people = caseload.drop_duplicates("CRN")
    want = expected(people, 5)
    assert sum(len(rows) for rows in want.values()) > 3  # a real table, not an empty one
    for district in DISTRICTS:
        shown = table(books[district], "sb_hotspots_offender_hotspots")
        got = [[r["LSOA code"], r["LSOA name"], r["Resident offenders"]] for _, r in shown.iterrows()]
        assert got == want[district], district


def test_where_filters_rows_and_unplaced_people_are_said(books, caseload):
    reoffenders = caseload[caseload["Outcome / Reoffended (12 months)"] == "Y"]
    want = expected(reoffenders, 2)
    for district in DISTRICTS:
        shown = table(books[district], "sb_hotspots_reoffender_hotspots").dropna(how="all")
        got = [[r["LSOA code"], r["LSOA name"], r["Resident reoffenders"]] for _, r in shown.iterrows()]
        assert got == want[district], district
    # People whose address was not matched ([x]) are in no LSOA: the note says how many, by their district.
    unmatched = caseload[(caseload[LSOA] == "[x]")].drop_duplicates("CRN")["District"].value_counts()
    for district in DISTRICTS:
        notes = [c for r in load_workbook(books[district])["Profiles"].iter_rows(values_only=True) for c in r
                 if isinstance(c, str) and "or more resident offenders (" in c]
        n = int(unmatched.get(district, 0))
        assert n > 0 and len(notes) == 1
        assert f" {n:,} more {'has' if n == 1 else 'have'} no matched LSOA" in notes[0], (district, notes)


def test_finding_lists_the_hotspots_in_the_seeds_words(books, caseload):
    want = expected(caseload.drop_duplicates("CRN"), 5)
    for district in DISTRICTS:
        rows = want[district]
        listed = [f"{name} ({n})" for _, name, n in rows]
        sentence = (f"There are {len(rows)} LSOAs in {district} with 5 or more resident offenders: "
                    f"{', '.join(listed[:-1])} and {listed[-1]}, in the latest snapshot of the extract.")
        texts = [c for r in load_workbook(books[district])["Key findings"].iter_rows(values_only=True) for c in r
                 if isinstance(c, str)]
        assert sentence in texts, sentence


def _spec_with(tmp_path: Path, change) -> Path:
    """The fixture spec, changed by ``change(data)``, written with absolute paths (it reads the same files)."""
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    data["data_root"] = str(SPEC.parents[2])
    for source in data["sources"].values():
        source["path"] = str((SPEC.parent / source["path"]).resolve())
    change(data)
    spec = tmp_path / "bad.yaml"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return spec


def test_a_misspelt_small_area_column_is_a_spec_mistake_found_before_reading(tmp_path: Path):
    spec = _spec_with(tmp_path, lambda data: data["hotspots"][0].update(small_area="lsoa_cod"))
    with pytest.raises(SpecError) as raised:
        build(spec, tmp_path / "out")
    message = str(raised.value)
    assert "hotspots[0].small_area" in message and "'lsoa_cod'" in message and "did you mean 'lsoa_code'" in message


def test_protected_build_leaves_out_tables_below_the_suppression_rule(tmp_path: Path):
    """The rule hides 1-4 (below: 5): the 5-or-more table is shown, the 2-or-more one is left out."""
    paths = build(SPEC, tmp_path, areas=["Melton"], suppress=True)
    book = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    tables = set(book["Profiles"].tables)
    assert "sb_hotspots_offender_hotspots" in tables and "sb_hotspots_reoffender_hotspots" not in tables
    # The note's totals (people placed, people unmatched: a few) are left out, so no small number shows.
    notes = [c for r in book["Profiles"].iter_rows(values_only=True) for c in r
             if isinstance(c, str) and "or more resident offenders" in c]
    assert len(notes) == 1 and notes[0].endswith("Totals are not shown in this protected build.")
    assert "no matched" not in notes[0] and "placed in" not in notes[0]


def test_web_page_lists_the_hotspots(caseload):
    """The partner's web page lists the same small areas and counts as the workbook's table."""
    from engine.api import partner_page, prepare

    prepared = prepare(SPEC, areas=["Blaby"])
    page = partner_page(prepared, prepared.reports[0]).decode("utf-8")
    for code, name, count in expected(caseload.drop_duplicates("CRN"), 5)["Blaby"]:
        assert f"<tr><td>{code}</td><td>{name}</td><td class=\"num\">{count:,}</td></tr>" in page, code


def test_an_lsoa_coded_extract_is_placed_as_ingest_placed_it(tmp_path: Path):
    """A source keyed by small_area_code (here the SYNTHETIC incident log) uses ingest's own placement."""
    from synthetic_truth import police_incidents

    def change(data):
        data["sources"]["incidents"] = {
            "type": "csv", "path": str(DEMO_DATA / "police_incidents.csv"), "header_row": 5, "synthetic": True,
            "columns": {"Date Reported": {"name": "month", "type": "month", "formats": ["%d/%m/%Y"]},
                        "LSOA Code": {"name": "small_area_code", "type": "code", "pattern": "^E01[0-9]{6}$"},
                        "Incident Category": "incident_category"}}
        data["hotspots"] = [{"id": "hate_hotspots", "title": "Hate incidents", "source": "incidents",
                             "small_area": "small_area_code", "where": {"incident_category": {"equals": "Hate incident"}},
                             "at_least": 3, "described_as": "hate incidents", "unit": "incidents"}]
    paths = build(_spec_with(tmp_path, change), tmp_path / "out", areas=["Blaby"])
    shown = table(next(p for p in paths if p.suffix == ".xlsx"), "sb_hotspots_hate_hotspots")
    rows = police_incidents(DEMO_DATA)
    months = pd.period_range(end="2022-10", periods=12, freq="M").strftime("%Y-%m")
    hate = rows[(rows["Incident Category"] == "Hate incident") & rows["month"].isin(months) & (rows["district"] == "Blaby")]
    counts = hate["LSOA Code"].value_counts()
    assert (counts >= 3).any()  # a real table, not an empty one
    assert dict(zip(shown["LSOA code"], shown["Hate incidents"])) == {c: n for c, n in counts.items() if n >= 3}
