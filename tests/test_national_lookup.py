"""The bundled LSOA → partnership lookup for England and Wales reaches every Community Safety Partnership.

Seven 2023 unitary districts (Buckinghamshire, Bournemouth Christchurch and Poole, North and West
Northamptonshire, Cumberland, Westmorland and Furness, East Suffolk) hold several partnerships that follow
the districts they replaced, so no district-level join can place their LSOAs; the bundled
``data/ons/lsoa11_csp23_pfa23_ew.csv.gz`` places every LSOA directly. Checked here against figures ONS
publishes independently of it: the district → CSP lookup (December 2023) and the mid-2020 population
estimates by 2021 district, which are the sums of the LSOA estimates.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.api import prepare
from workbook_helpers import REPO

NATIONAL = REPO / "data" / "ons" / "lsoa11_csp23_pfa23_ew.csv.gz"
CSPS = REPO / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv"
DISTRICT_POPULATIONS = REPO / "data" / "ons" / "population20_ltla21_all_ages.csv"
POPULATION = "All Ages (mid-2020)"


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return pd.read_csv(NATIONAL, dtype={POPULATION: float})


@pytest.fixture(scope="module")
def csps() -> pd.DataFrame:
    return pd.read_csv(CSPS, dtype=str)


def test_every_partnership_has_lsoas_and_every_pair_is_one_ons_lists(national, csps):
    assert len(national) == 34_753 and national.LSOA11CD.is_unique
    assert set(national.CSP23CD) == set(csps.CSP23CD)  # all 314
    assert set(zip(national.LAD23CD, national.CSP23CD)) <= set(zip(csps.LAD23CD, csps.CSP23CD))


def test_each_single_district_partnership_holds_its_districts_published_population(national, csps):
    """A partnership of one district (Allerdale, Carlisle ... in Cumberland included) holds exactly the people
    ONS estimates for that district; a split unitary's partnerships together hold the unitary's."""
    published = pd.read_csv(DISTRICT_POPULATIONS).set_index("ltla21_name").total_population
    one_district = csps.groupby("CSP23CD").LAD23CD.nunique() == 1
    held = national.groupby("CSP23NM")[POPULATION].sum()
    names = csps.loc[csps.CSP23CD.map(one_district), "CSP23NM"].unique()
    checked = [name for name in names if name in published.index]
    assert len(checked) > 250 and {"Allerdale", "Carlisle", "Eden", "South Lakeland"} <= set(checked)
    assert held[checked].to_dict() == published[checked].astype(float).to_dict()
    for unitary in ("Buckinghamshire", "North Northamptonshire", "West Northamptonshire", "East Suffolk"):
        code = csps.loc[csps.LAD23NM == unitary, "LAD23CD"].iloc[0]
        assert national.loc[national.LAD23CD == code, POPULATION].sum() == published[unitary], unitary


def test_a_split_unitarys_partnerships_are_built_from_their_own_lsoas(tmp_path, national):
    """Buckinghamshire's four partnerships built from a SYNTHETIC incident list: each counts the incidents in
    the LSOAs ONS named after its former district (the LSOA name, not the lookup's partnership column)."""
    bucks = national[national.LAD23CD == "E06000060"]
    rng = np.random.default_rng(60)
    months = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
    incidents = pd.DataFrame({"Month": rng.choice(months, 3000), "LSOA code": rng.choice(bucks.LSOA11CD, 3000)})
    incidents.to_csv(tmp_path / "incidents.csv", index=False)
    spec = tmp_path / "bucks.yaml"
    spec.write_text(f"""\
data_root: /
title: Buckinghamshire partnerships
sources:
  incidents:
    type: csv
    path: {tmp_path}/incidents.csv
    columns:
      Month: {{name: month, type: month}}
      LSOA code: {{name: small_area_code, type: code}}
  national: {{type: csv, path: {NATIONAL}}}
geography:
  small_areas: {{source: national, code: LSOA11CD, name: LSOA11NM, partner_area_code: CSP23CD}}
  partner_areas: {{source: national, code: CSP23CD, name: CSP23NM, label: Partnership,
                  where: {{LAD23CD: {{equals: E06000060}}}}}}
  benchmark: {{name: Buckinghamshire}}
  population: {{source: national, code: LSOA11CD, value: "{POPULATION}"}}
periods: {{period_end: 2022-12}}
indicators:
  - {{id: incidents, name: Incidents, source: incidents}}
""", encoding="utf-8")
    reports = {r.partner_area: r for r in prepare(spec).reports}
    assert set(reports) == {"Aylesbury Vale", "Chiltern", "South Bucks", "Wycombe"}
    named = incidents.merge(national[["LSOA11CD", "LSOA11NM"]], left_on="LSOA code", right_on="LSOA11CD")
    district = named.LSOA11NM.str.rsplit(" ", n=1).str[0]
    current = named.Month >= "2022-01"
    for name, report in reports.items():
        assert report.kpis[0].current == (current & (district == name)).sum(), name
        people = national.loc[national.LSOA11NM.str.rsplit(" ", n=1).str[0] == name, POPULATION].sum()
        assert report.kpis[0].rate == pytest.approx((current & (district == name)).sum() / people * 1000), name
