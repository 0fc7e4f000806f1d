"""Partner areas at any level of the geography: a Community Safety Partnership of several districts.

South Nottinghamshire CSP (E22000366) is Broxtowe, Gedling and Rushcliffe. The small-area lookup knows
only LSOA → district; the bundled ONS district → CSP → force lookup (data/ons/lad23_csp23_pfa23_lookup.csv)
leads on to the CSP. Fixture (tests/data/csp/, see its README): the real ONS LSOA → district rows and
mid-2020 LSOA populations of the Nottinghamshire force area, and a SYNTHETIC list of incidents by LSOA.
Expected counts are sums over the districts' LSOAs in plain pandas.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from engine.api import prepare
from engine.errors import SpecError
from workbook_helpers import REPO

DATA = Path(__file__).parent / "data" / "csp"
LOOKUP = REPO / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv"

SPEC = """\
data_root: /  # a spec written to a temporary folder, reading the repository's fixtures
title: Community Safety Partnerships of Nottinghamshire
sources:
  incidents:
    type: csv
    path: {data}/incidents.csv
    columns:
      Month: {{name: month, type: month}}
      LSOA code: {{name: small_area_code, type: code}}
  lsoa_lookup: {{type: csv, path: {data}/lsoa11_lad22_nottinghamshire.csv}}
  csp_lookup: {{type: csv, path: {lookup}}}
  population: {{type: csv, path: {data}/population20_lsoa11_nottinghamshire.csv}}
geography:
  small_areas: {{source: lsoa_lookup, code: LSOA11CD, name: LSOA11NM, partner_area_code: LAD22CD}}
  partner_areas: {{source: csp_lookup, code: CSP23CD, name: CSP23NM, label: Partnership,
                  where: {{PFA23NM: {{equals: Nottinghamshire}}}}{via}}}
  benchmark: {{name: Nottinghamshire}}
  population: {{source: population, code: LSOA11CD, value: All Ages (mid-2020)}}
indicators:
  - {{id: incidents, name: Incidents, source: incidents}}
"""


def spec_file(tmp_path: Path, via: str = "") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(data=DATA, lookup=LOOKUP, via=via), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return {r.partner_area: r for r in prepare(spec_file(tmp_path_factory.mktemp("csp"))).reports}


def test_a_multi_district_csp_counts_its_districts_lsoas(reports):
    csps = pd.read_csv(LOOKUP)
    notts = csps[csps.PFA23NM == "Nottinghamshire"]
    districts = notts.loc[notts.CSP23NM == "South Nottinghamshire", "LAD23CD"]
    assert len(districts) == 3  # Broxtowe, Gedling, Rushcliffe
    lsoas = pd.read_csv(DATA / "lsoa11_lad22_nottinghamshire.csv")
    incidents = pd.read_csv(DATA / "incidents.csv").merge(lsoas, left_on="LSOA code", right_on="LSOA11CD")
    current = incidents[(incidents.Month >= "2021-10") & (incidents.Month <= "2022-09")]
    previous = incidents[(incidents.Month >= "2020-10") & (incidents.Month <= "2021-09")]
    assert set(reports) == set(notts.CSP23NM)
    for name, group in notts.groupby("CSP23NM"):
        kpi = reports[name].kpis[0]
        assert kpi.current == current.LAD22CD.isin(group.LAD23CD).sum(), name
        assert kpi.previous == previous.LAD22CD.isin(group.LAD23CD).sum(), name
    population = pd.read_csv(DATA / "population20_lsoa11_nottinghamshire.csv").merge(lsoas, on="LSOA11CD")
    south = population[population.LAD22CD.isin(districts)]["All Ages (mid-2020)"].sum()
    kpi = reports["South Nottinghamshire"].kpis[0]
    assert kpi.rate == pytest.approx(current.LAD22CD.isin(districts).sum() / south * 1000)
    # Its top 10 are LSOAs of all three districts' LSOAs, none from elsewhere.
    top = reports["South Nottinghamshire"].top_tables[0]
    assert {row.code for row in top.rows} <= set(lsoas.loc[lsoas.LAD22CD.isin(districts), "LSOA11CD"])


def test_the_join_column_can_be_named_and_a_wrong_one_is_located(tmp_path):
    named = prepare(spec_file(tmp_path, via=", via: LAD23CD")).reports
    assert len(named) == 6
    with pytest.raises(SpecError) as error:
        prepare(spec_file(tmp_path, via=", via: LAD23C"))
    assert "geography.partner_areas.via" in str(error.value) and "LAD23CD" in str(error.value)


GROUPED = SPEC.replace("code: CSP23CD, name: CSP23NM, label: Partnership", "code: LAD23CD, name: LAD23NM, label: Partnership")


def grouped_spec(tmp_path: Path, groups: str) -> Path:
    path = tmp_path / "grouped.yaml"
    path.write_text(GROUPED.format(data=DATA, lookup=LOOKUP, via=f", groups: {groups}"), encoding="utf-8")
    return path


def test_a_spec_defined_group_of_districts_counts_its_members_lsoas(tmp_path):
    groups = "[{code: SNOTTS, name: Broxtowe Gedling and Rushcliffe, members: [Broxtowe, gedling, E07000176]}]"
    reports = {r.partner_area: r for r in prepare(grouped_spec(tmp_path, groups)).reports}
    lsoas = pd.read_csv(DATA / "lsoa11_lad22_nottinghamshire.csv")
    members = lsoas.loc[lsoas.LAD22NM.isin(["Broxtowe", "Gedling", "Rushcliffe"]), "LSOA11CD"]
    incidents = pd.read_csv(DATA / "incidents.csv")
    current = incidents[(incidents.Month >= "2021-10") & (incidents.Month <= "2022-09")]
    assert set(reports) == {"Broxtowe Gedling and Rushcliffe", "Ashfield", "Bassetlaw", "Mansfield",
                            "Newark and Sherwood", "Nottingham"}
    assert reports["Broxtowe Gedling and Rushcliffe"].kpis[0].current == current["LSOA code"].isin(members).sum()
    mansfield = lsoas.loc[lsoas.LAD22NM == "Mansfield", "LSOA11CD"]
    assert reports["Mansfield"].kpis[0].current == current["LSOA code"].isin(mansfield).sum()


def test_a_group_member_that_is_no_partner_area_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError) as error:
        prepare(grouped_spec(tmp_path, "[{code: SN, name: South, members: [Broxtow, Gedling]}]"))
    spec = tmp_path / "grouped.yaml"
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if "groups:" in t)
    assert f"{spec}:{line}: geography.partner_areas.groups[0].members" in str(error.value)
    assert "Broxtowe" in str(error.value)


def test_every_csp_of_the_bundled_lookup_is_reached_from_its_districts_or_refused_by_name():
    """The join a CSP- or force-level spec makes, for every district of England and Wales in the bundled lookup,
    checked against the lookup's own rows. Seven 2023 unitary districts (Buckinghamshire, Cumberland, ...) hold
    several CSPs that follow the districts they replaced: those CSPs cannot be told apart by district, and the
    error says so, naming them."""
    from engine.errors import DataError
    from engine.ingest.geography import partner_of_small_areas

    lookup = pd.read_csv(LOOKUP, dtype=str)
    per_district = lookup.groupby("LAD23CD").CSP23CD.nunique()
    split = per_district[per_district > 1].index
    whole = lookup[~lookup.LAD23CD.isin(split)]
    mapped = partner_of_small_areas(whole.LAD23CD.reset_index(drop=True), lookup, "CSP23CD", None, str(LOOKUP))
    assert mapped.tolist() == whole.CSP23CD.tolist()
    forces = partner_of_small_areas(lookup.LAD23CD, lookup, "PFA23CD", None, str(LOOKUP))
    assert forces.tolist() == lookup.PFA23CD.tolist()
    with pytest.raises(DataError) as error:
        partner_of_small_areas(lookup.LAD23CD, lookup, "CSP23CD", None, str(LOOKUP))
    first = lookup[lookup.LAD23CD == split[0]]
    assert f"LAD23CD {split[0]} is split between partner areas {', '.join(first.CSP23CD)}" in str(error.value)
    assert f"(and {len(split) - 1} more LAD23CD so split)" in str(error.value)
