"""Every example spec (``specs/examples/``, one per feature) builds, and its headline figures equal an
independent count of its small data with plain pandas (never the engine's code).

The examples double as the fast fixtures of the CLI, delivery, add-in and spec-error tests: three
districts and one police.uk row in ten (``specs/examples/data/README.md``) instead of the demo's
nine districts and 210,767 rows.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from engine.api import build

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "specs" / "examples"
DATA = EXAMPLES / "data"
LSOA_LOOKUP = REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
IMD = REPO / "data" / "ons" / "imd2019_lsoa11_leicestershire.csv"
DISTRICTS = ["Blaby", "Melton", "Rutland"]
CURRENT = pd.period_range(end="2022-10", periods=12, freq="M").strftime("%Y-%m").tolist()
PREVIOUS = pd.period_range(end="2021-10", periods=12, freq="M").strftime("%Y-%m").tolist()


def example_specs() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each example built once: example name -> the area a workbook is for -> its path.

    Files are named <Area>_<code>_<YYYY-MM>.xlsx (partners are codes); the area is the name before the code."""
    books = {}
    for name in example_specs():
        out = tmp_path_factory.mktemp(name)
        paths = build(EXAMPLES / f"{name}.yaml", out)
        books[name] = {without_code(p.name): p for p in paths if p.suffix == ".xlsx"}
    return books


def without_code(name: str) -> str:
    """``Melton_E07000133_2022-10.xlsx`` (or a dashboard's ``Blaby_and_Melton_2022-10.xlsx``) -> ``Melton``: the tests
    name workbooks by area (the code in file names is tested in test_partner_identity)."""
    return re.sub(r"(_[EWSN]\d{8})?_\d{4}-\d{2}\.xlsx$", "", name)


def district_books(spec: Path, out: Path) -> dict[str, Path]:
    """A three-district fixture spec built into ``out``: district -> its workbook."""
    paths = [p for p in build(spec, out) if p.suffix == ".xlsx"]
    return {d: next(p for p in paths if p.name.startswith(f"{d}_")) for d in DISTRICTS}


def table(path: Path, name: str) -> pd.DataFrame:
    """An Excel table of a built workbook as a DataFrame (header row as columns)."""
    workbook = load_workbook(path)
    for ws in workbook.worksheets:
        if name in ws.tables:
            rows = [[c.value for c in row] for row in ws[ws.tables[name].ref]]
            return pd.DataFrame(rows[1:], columns=rows[0])
    raise AssertionError(f"{path.name} has no table {name}")


def police_rows() -> pd.DataFrame:
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in sorted((DATA / "police_uk").glob("*.csv.gz"))]
    rows = pd.concat(frames, ignore_index=True)
    lookup = pd.read_csv(LSOA_LOOKUP, dtype=str)
    return rows.merge(lookup, left_on="LSOA code", right_on="LSOA11CD", how="inner")  # blank LSOAs: in no area


def crime_counts(months: list[str], asb: bool = False) -> pd.Series:
    rows = police_rows()
    rows = rows[rows["Month"].isin(months) & ((rows["Crime type"] == "Anti-social behaviour") == asb)]
    return rows.groupby("LAD22NM").size().reindex(DISTRICTS, fill_value=0)


@pytest.mark.parametrize("name", example_specs())
def test_every_example_builds_its_workbooks(built, name):
    expected = {"dashboard": ["Blaby_and_Melton"]}.get(name, DISTRICTS)
    assert sorted(built[name]) == expected


def test_example_data_is_small_and_attributed():
    rows = police_rows()
    assert len(rows) < 5000
    assert "Open Government Licence" in (DATA / "README.md").read_text(encoding="utf-8")
    with gzip.open(sorted((DATA / "police_uk").glob("*.csv.gz"))[0], "rt", encoding="utf-8") as f:
        assert f.readline().strip() == "Month,Falls within,LSOA code,LSOA name,Crime type"


def test_counted_example_counts_each_district(built):
    current, previous = crime_counts(CURRENT), crime_counts(PREVIOUS)
    asb = crime_counts(CURRENT, asb=True)
    for area in DISTRICTS:
        summary = table(built["counted"][area], "sb_summary").set_index("Indicator")
        assert summary.loc["Total recorded crime", "Current 12 months"] == current[area]
        assert summary.loc["Total recorded crime", "Previous 12 months"] == previous[area]
        assert summary.loc["Anti-social behaviour", "Current 12 months"] == asb[area]


def test_counted_example_top_10_is_the_highest_lsoas(built):
    rows = police_rows()
    rows = rows[rows["Month"].isin(CURRENT) & (rows["Crime type"] != "Anti-social behaviour") & (rows["LAD22NM"] == "Melton")]
    top = table(built["counted"]["Melton"], "sb_top10_total_crime")
    counts = rows.groupby("LSOA code").size()
    assert len(top) == 10
    assert sorted(top["Total crimes"], reverse=True) == sorted(counts, reverse=True)[:10]
    assert all(counts[code] == total for code, total in zip(top["LSOA code"], top["Total crimes"]))


def test_measured_example_share_of_repeat_referrals(built):
    log = pd.read_csv(DATA / "marac_referrals.csv", skiprows=4, dtype=str)
    # a garbled month ("Sepember-21", a deliberately bad SYNTHETIC row) is rejected, so counted nowhere
    log["month"] = pd.to_datetime(log["Referral Month"], format="%b-%y", errors="coerce").dt.strftime("%Y-%m")
    current = log[log["month"].isin(CURRENT)]
    for area in DISTRICTS:
        mine = current[current["District"] == area]
        summary = table(built["measured"][area], "sb_summary").set_index("Indicator")
        assert summary.loc["MARAC referrals", "Current 12 months"] == len(mine)
        assert summary.loc["Repeat MARAC referrals", "Current 12 months"] == pytest.approx((mine["Repeat Referral"] == "Yes").mean())


def test_partner_table_example_latest_quarter_against_the_one_before(built):
    survey = pd.read_csv(DATA / "resident_survey.csv")
    survey = survey[survey["Question"] == "ASB has decreased or stayed the same"].set_index(["Area", "Survey Period"])
    for area in DISTRICTS:
        summary = table(built["partner_table"][area], "sb_summary").iloc[0]
        assert summary["Period"] == "Q2 2022-23 vs Q1 2022-23"
        # within rounding: the engine counts agreeing respondents as % x respondents, a whole number
        assert summary["Current"] == pytest.approx(float(survey.loc[(area, "Q2 2022-23"), "% Agree"]) / 100, abs=5e-3)
        previous = survey.loc[(area, "Q1 2022-23"), "% Agree"]
        if previous != "[c]":  # Rutland's Q1 is suppressed (under 30 respondents): missing, not a figure
            assert summary["Previous"] == pytest.approx(float(previous) / 100, abs=5e-3)


def test_breakdown_example_shares_of_crime_types(built):
    rows = police_rows()
    rows = rows[rows["Month"].isin(CURRENT) & (rows["Crime type"] != "Anti-social behaviour")]
    mine = rows[rows["LAD22NM"] == "Melton"]["Crime type"].value_counts()
    shares = table(built["breakdown"]["Melton"], "sb_breakdown_crime_mix").set_index("Crime by type")
    for crime_type, count in mine.items():
        assert shares.loc[crime_type, "Melton: crimes"] == count
        assert shares.loc[crime_type, "Melton %"] == pytest.approx(count / mine.sum())


def test_dashboard_example_subject_is_the_sum_of_its_members(built):
    counts = crime_counts(CURRENT)
    kpis = table(built["dashboard"]["Blaby_and_Melton"], "sb_dash_kpis").set_index("Indicator")
    assert kpis.loc["Total recorded crime", "Current 12 months"] == counts["Blaby"] + counts["Melton"]


def test_area_groups_example_crimes_by_decile(built):
    rows = police_rows()
    rows = rows[rows["Month"].isin(CURRENT) & (rows["Crime type"] != "Anti-social behaviour") & (rows["LAD22NM"] == "Rutland")]
    imd = pd.read_csv(IMD, dtype=str)
    decile = imd.set_index("LSOA Code (2011)")["Income Domain Decile in England (where 1 is most deprived 10% of LSOAs)"]
    expected = rows["LSOA code"].map(decile).astype(int).value_counts()
    groups = table(built["area_groups"]["Rutland"], "sb_group_deprivation_total_crime")
    shown = groups.set_index("Income deprivation decile (1 = most deprived)")["Crimes in Rutland"]
    for group, count in expected.items():
        assert shown[group] == count
