"""End-to-end acceptance test: build the demo workbooks, then check them against an
independent recomputation from the raw bundled data files.

Nothing from ``engine`` is used to compute expected values: only ``engine.api.build`` is
called, to produce the workbooks under test. Expected values come from plain pandas,
numpy and scipy on the files under ``data/`` and the indicator definitions in the spec YAML.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from scipy.stats import binomtest

from workbook_helpers import count_limits

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "specs" / "community_safety.yaml"
CRIME_DIR = REPO / "data" / "police_uk" / "leicestershire"
LSOA_LOOKUP = REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
DISTRICT_LOOKUP = REPO / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv"
POPULATION = REPO / "data" / "ons" / "population20_lsoa11_leicestershire.csv"
POP_COL = "All Ages (mid-2020)"

PERIOD_END = "2022-10"
CURRENT = pd.period_range("2021-11", "2022-10", freq="M").strftime("%Y-%m").tolist()
PREVIOUS = pd.period_range("2020-11", "2021-10", freq="M").strftime("%Y-%m").tolist()

AREAS = ["North West Leicestershire", "Rutland", "Leicester"]
INDICATORS = ["total_crime", "anti_social_behaviour", "serious_acquisitive", "burglary"]
# The trend table's rows (spec ``trend_table.rows``), checked in full, plus the Grand Total.
TREND_FY_START_MONTH = 10


# --------------------------------------------------------------------------------------------
# Independent recomputation from raw files
# --------------------------------------------------------------------------------------------

def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def spec() -> dict:
    with open(SPEC, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def indicator_def(ind_id: str) -> dict:
    matches = [i for i in spec()["indicators"] if i["id"] == ind_id]
    assert len(matches) == 1, ind_id
    return matches[0]


def crime_type_mask(crimes: pd.DataFrame, ind_id: str) -> pd.Series:
    """Rows matching an indicator's ``where: crime_type: {...}`` clause, read from the YAML."""
    where = indicator_def(ind_id)["where"]
    assert set(where) == {"crime_type"}, where
    (op, value), = where["crime_type"].items()
    ct = crimes["Crime type"]
    if op == "equals":
        return ct == value
    if op == "in":
        return ct.isin(value)
    if op == "not_in":
        return ~ct.isin(value)
    raise AssertionError(f"unexpected operator {op!r}")


class Raw:
    """In-scope crime rows (with district), LSOA table with populations, and period facts."""

    def __init__(self) -> None:
        files = sorted(CRIME_DIR.glob("*-leicestershire-street.csv.gz"))
        assert len(files) == 24
        crimes = pd.concat([_read_csv(f) for f in files], ignore_index=True)
        self.all_rows = len(crimes)

        districts = _read_csv(DISTRICT_LOOKUP)
        partner_codes = set(districts.loc[districts["PFA23NM"] == "Leicestershire", "LAD23CD"])
        assert len(partner_codes) == 9

        lsoas = _read_csv(LSOA_LOOKUP)
        lsoas = lsoas[lsoas["LAD22CD"].isin(partner_codes)].copy()
        assert len(lsoas) == 611
        pop = _read_csv(POPULATION)
        pop[POP_COL] = pop[POP_COL].astype(int)
        lsoas = lsoas.merge(pop[["LSOA11CD", POP_COL]], on="LSOA11CD", how="left", validate="1:1")
        assert lsoas[POP_COL].notna().all()
        self.lsoas = lsoas.rename(columns={POP_COL: "pop"}).set_index("LSOA11CD")

        in_scope = crimes["LSOA code"].isin(self.lsoas.index)  # blank codes are not in scope
        crimes = crimes[in_scope].copy()
        crimes["district"] = crimes["LSOA code"].map(self.lsoas["LAD22NM"])
        self.crimes = crimes
        self.latest_month = max(crimes["Month"])
        self.benchmark_pop = int(self.lsoas["pop"].sum())

    def area_pop(self, area: str) -> int:
        return int(self.lsoas.loc[self.lsoas["LAD22NM"] == area, "pop"].sum())

    def rows(self, ind_id: str, months: list[str], area: str | None = None) -> pd.DataFrame:
        c = self.crimes
        m = crime_type_mask(c, ind_id) & c["Month"].isin(months)
        if area is not None:
            m &= c["district"] == area
        return c[m]


@pytest.fixture(scope="session")
def raw() -> Raw:
    return Raw()


def rate(count: float, pop: float) -> float:
    return count / pop * 1000


def band(o: int, pop: int, benchmark_rate: float) -> str:
    lo998, hi998 = (x / pop * 1000 for x in count_limits(o, 0.998))
    lo95, hi95 = (x / pop * 1000 for x in count_limits(o, 0.95))
    r = rate(o, pop)
    if lo998 > benchmark_rate:
        return "Very Significantly High"
    if hi998 < benchmark_rate:
        return "Very Significantly Low"
    if lo95 > benchmark_rate:
        return "Significantly High"
    if hi95 < benchmark_rate:
        return "Significantly Low"
    if r > benchmark_rate:
        return "Above Average"
    if r < benchmark_rate:
        return "Below Average"
    return "Average"


def banding_of(ind_id: str) -> dict:
    """The indicator's ``banding:`` from the YAML, else the spec's (an indicator's replaces the spec's)."""
    return indicator_def(ind_id).get("banding") or spec()["banding"]


def lsoa_rates(raw: "Raw", ind_id: str) -> pd.Series:
    """Current-window rate per 1,000 of every LSOA in the benchmark, zeros included."""
    counts = raw.rows(ind_id, CURRENT)["LSOA code"].value_counts().reindex(raw.lsoas.index, fill_value=0)
    return counts / raw.lsoas["pop"] * 1000


def sd_band(value: float, rates: pd.Series, cut_points: list[float]) -> str:
    """Standard deviations from the mean of all LSOA rates (population SD); strictly beyond a cut-point."""
    z = (value - rates.mean()) / rates.std(ddof=0)
    size = abs(z)
    side = "High" if z > 0 else "Low"
    if size > cut_points[1]:
        return f"Very Significantly {side}"
    if size > cut_points[0]:
        return f"Significantly {side}"
    return "Average" if z == 0 else ("Above Average" if z > 0 else "Below Average")


def expected_band(raw: "Raw", ind_id: str, o: int, pop: int, benchmark_rate: float) -> str:
    banding = banding_of(ind_id)
    if banding["method"] == "sd":
        return sd_band(rate(o, pop), lsoa_rates(raw, ind_id), banding["cut_points"])
    assert banding["method"] == "ci" and banding["levels"] == [0.95, 0.998]
    return band(o, pop, benchmark_rate)


def fy_of(month: str) -> int:
    """Financial year (by end year) of a YYYY-MM month, for October–September years."""
    y, m = int(month[:4]), int(month[5:7])
    return y + 1 if m >= TREND_FY_START_MONTH else y


# --------------------------------------------------------------------------------------------
# Workbooks under test
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def out_dir(demo_build: Path) -> Path:
    """The demo spec built for every partner area (conftest's build, shared by the files that read it)."""
    assert len(list(demo_build.glob("*.xlsx"))) == 9
    return demo_build


@lru_cache(maxsize=None)
def _load(path: str):
    return load_workbook(path, data_only=True)  # read only; never saved


def workbook_path(out_dir: Path, area: str) -> Path:
    """``<Area>_<district code>_<period>.xlsx`` (the code from the ONS lookup, read here independently)."""
    lookup = _read_csv(LSOA_LOOKUP)
    (code,) = lookup.loc[lookup["LAD22NM"] == area, "LAD22CD"].unique()
    path = out_dir / f"{area.replace(' ', '_')}_{code}_{PERIOD_END}.xlsx"
    assert path.exists(), f"missing workbook {path.name}; have {sorted(p.name for p in out_dir.iterdir())}"
    return path


def read_table(out_dir: Path, area: str, sheet: str, table: str) -> pd.DataFrame:
    """A named Excel table as a DataFrame (header row -> columns)."""
    ws = _load(str(workbook_path(out_dir, area)))[sheet]
    assert table in ws.tables, f"{table} not on sheet {sheet!r}: {list(ws.tables.keys())}"
    cells = [[c.value for c in row] for row in ws[ws.tables[table].ref]]
    return pd.DataFrame(cells[1:], columns=cells[0])


def summary_row(out_dir: Path, area: str, ind_id: str) -> pd.Series:
    df = read_table(out_dir, area, "Summary", "sb_summary")
    name = indicator_def(ind_id)["name"]
    hits = df[df["Indicator"] == name]
    assert len(hits) == 1, f"{name!r} rows in sb_summary: {len(hits)}"
    return hits.iloc[0]


# --------------------------------------------------------------------------------------------
# Sanity checks on the independent side (so a broken recomputation cannot pass silently)
# --------------------------------------------------------------------------------------------

def test_raw_data_facts(raw):
    assert raw.all_rows == 210767
    assert raw.latest_month == PERIOD_END
    assert len(CURRENT) == len(PREVIOUS) == 12
    assert not set(CURRENT) & set(PREVIOUS)
    assert raw.benchmark_pop == 1107597
    # total_crime excludes ASB, and the spec groups are what we think they are
    assert not crime_type_mask(raw.crimes, "total_crime")[raw.crimes["Crime type"] == "Anti-social behaviour"].any()
    assert set(raw.crimes.loc[crime_type_mask(raw.crimes, "serious_acquisitive"), "Crime type"]) == {
        "Burglary", "Robbery", "Vehicle crime"}


def test_all_workbooks_written(out_dir, raw):
    names = sorted(p.name for p in out_dir.glob("*.xlsx"))
    districts = raw.lsoas[["LAD22NM", "LAD22CD"]].drop_duplicates().itertuples(index=False)
    expected = sorted(f"{name.replace(' ', '_')}_{code}_{PERIOD_END}.xlsx" for name, code in districts)
    assert names == expected


# --------------------------------------------------------------------------------------------
# Summary: counts, rates, benchmark
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("ind_id", INDICATORS)
def test_summary_counts_and_rates(out_dir, raw, area, ind_id):
    row = summary_row(out_dir, area, ind_id)

    current = len(raw.rows(ind_id, CURRENT, area))
    previous = len(raw.rows(ind_id, PREVIOUS, area))
    bench_current = len(raw.rows(ind_id, CURRENT))
    area_pop = raw.area_pop(area)
    area_rate = rate(current, area_pop)
    bench_rate = rate(bench_current, raw.benchmark_pop)

    assert current > 0 and previous > 0
    assert row["Current"] == current
    assert row["Previous"] == previous
    assert row["Change"] == current - previous
    assert row["% change"] == pytest.approx((current - previous) / previous, rel=1e-9)
    assert row["Rate per 1,000 or %"] == pytest.approx(area_rate, rel=1e-9)
    assert row["Leicestershire force area rate per 1,000 or %"] == pytest.approx(bench_rate, rel=1e-9)
    assert row["Comparison with Leicestershire force area"] == expected_band(raw, ind_id, current, area_pop, bench_rate)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("ind_id", INDICATORS)
def test_direction_of_travel_says_whether_the_change_is_significant(out_dir, raw, area, ind_id):
    """The exact conditional test: current | current + previous ~ Binomial(n, ½) (same population)."""
    row = summary_row(out_dir, area, ind_id)
    current, previous = len(raw.rows(ind_id, CURRENT, area)), len(raw.rows(ind_id, PREVIOUS, area))
    change = spec().get("change", {"method": "exact", "level": 0.95})
    assert change == {"method": "exact", "level": 0.95}
    p_value = binomtest(current, current + previous, 0.5).pvalue
    if p_value >= 0.05:
        expected, outcome = "► No significant change", "Similar"
    elif current > previous:
        expected, outcome = "▲ Increase (significant)", "Worse"
    else:
        expected, outcome = "▼ Reduction (significant)", "Better"
    assert row["Direction of travel"] == expected
    assert row["Better or worse"] == outcome


@pytest.mark.parametrize("ind_id", [i for i in INDICATORS if i not in spec()["peer_groups"]["measures"]])
def test_rank_among_districts(out_dir, raw, ind_id):
    """Indicators the spec does not rank in peer groups are ranked among the nine districts
    (peer-group ranks: tests/test_peer_groups.py)."""
    districts = sorted(raw.lsoas["LAD22NM"].unique())
    rates = pd.Series({d: rate(len(raw.rows(ind_id, CURRENT, d)), raw.area_pop(d)) for d in districts})
    ranks = rates.rank(method="min").astype(int)  # 1 = lowest rate; ties share the lower rank
    for area in AREAS:
        assert summary_row(out_dir, area, ind_id)["Rank among peers (1 = lowest rate)"] == f"{ranks[area]}/9"


def test_total_crime_excludes_asb(out_dir, raw):
    """A direct guard: Leicester's total crime must differ from 'all rows' by exactly its ASB."""
    area = "Leicester"
    tc = summary_row(out_dir, area, "total_crime")["Current"]
    asb = summary_row(out_dir, area, "anti_social_behaviour")["Current"]
    c = raw.crimes
    all_rows = int(((c["district"] == area) & c["Month"].isin(CURRENT)).sum())
    assert asb > 0
    assert tc + asb == all_rows
    assert tc != all_rows


# --------------------------------------------------------------------------------------------
# Top 10 LSOAs
# --------------------------------------------------------------------------------------------

def expected_top10(raw: Raw, area: str, ind_id: str) -> pd.DataFrame:
    bench_rate = rate(len(raw.rows(ind_id, CURRENT)), raw.benchmark_pop)
    counts = raw.rows(ind_id, CURRENT, area)["LSOA code"].value_counts()
    df = raw.lsoas.loc[counts.index, ["LSOA11NM", "LAD22NM", "pop"]].copy()
    df["count"] = counts.to_numpy()
    df["rate"] = df["count"] / df["pop"] * 1000
    df = df[df["count"] > 0].rename_axis("code").reset_index()
    df = df.sort_values(["count", "rate", "LSOA11NM"], ascending=[False, False, True], kind="mergesort").head(10)
    df["band"] = [expected_band(raw, ind_id, int(o), int(n), bench_rate) for o, n in zip(df["count"], df["pop"])]
    return df.reset_index(drop=True)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("ind_id", INDICATORS)
def test_top10(out_dir, raw, area, ind_id):
    got = read_table(out_dir, area, "Top 10", f"sb_top10_{ind_id}")
    exp = expected_top10(raw, area, ind_id)
    assert len(exp) == 10  # every checked (area, indicator) has at least ten LSOAs with events

    # column positions: Rank, District, LSOA code, LSOA name, count, rate, comparison
    assert list(got.columns[:4]) == ["Rank", "District", "LSOA code", "LSOA name"]
    method = (indicator_def(ind_id).get("banding") or {}).get("method", "ci")
    assert got.columns[6] == ("Comparison against Leicestershire force area "
                              f"({'standard deviations' if method == 'sd' else 'confidence intervals'})")
    unit_word = "incidents" if indicator_def(ind_id).get("unit") == "incidents" else "crimes"
    assert got.columns[4] == f"Total {unit_word}"
    assert "per 1,000" in got.columns[5]

    assert got.iloc[:, 0].tolist() == list(range(1, len(exp) + 1))
    assert got.iloc[:, 1].tolist() == [area] * len(exp)
    assert got.iloc[:, 2].tolist() == exp["code"].tolist()
    assert got.iloc[:, 3].tolist() == exp["LSOA11NM"].tolist()
    assert got.iloc[:, 4].tolist() == exp["count"].astype(int).tolist()
    assert got.iloc[:, 5].tolist() == pytest.approx(exp["rate"].tolist(), rel=1e-9)
    assert got.iloc[:, 6].tolist() == exp["band"].tolist()


def test_top10_bands_not_trivial(raw):
    """The band recomputation exercises more than one word across the checked tables."""
    words = set()
    for area in AREAS:
        for ind_id in INDICATORS:
            words |= set(expected_top10(raw, area, ind_id)["band"])
    assert len(words) >= 4, words


# --------------------------------------------------------------------------------------------
# Trends by financial year
# --------------------------------------------------------------------------------------------

def expected_trend(raw: Raw, area: str) -> tuple[list[str], dict[str, list[int]]]:
    months = sorted(raw.crimes["Month"].unique())
    years = sorted({fy_of(m) for m in months})[-spec()["periods"]["trend_years"]:]
    labels = []
    for fy in years:
        n = sum(fy_of(m) == fy for m in months)
        labels.append(f"FY {fy}" if n == 12 else f"FY {fy} ({n} of 12 months)")
    rows: dict[str, list[int]] = {}
    for ind_id in spec()["trend_table"]["rows"]:
        r = raw.rows(ind_id, months, area)
        by_fy = r["Month"].map(fy_of).value_counts()
        rows[indicator_def(ind_id)["name"]] = [int(by_fy.get(fy, 0)) for fy in years]
    return labels, rows


@pytest.mark.parametrize("area", AREAS)
def test_trend_table(out_dir, raw, area):
    got = read_table(out_dir, area, "Trends", "sb_trend")
    labels, rows = expected_trend(raw, area)
    assert labels == ["FY 2021 (11 of 12 months)", "FY 2022", "FY 2023 (1 of 12 months)"]
    assert got.columns.tolist() == ["Category", *labels]
    assert got["Category"].tolist() == [*rows, "Grand Total"]
    got = got.set_index("Category")
    for name, values in rows.items():
        assert got.loc[name, labels].astype(int).tolist() == values, name

    # Grand Total: the trend rows partition non-ASB crime, so it must equal total crime per FY
    total = raw.rows("total_crime", sorted(raw.crimes["Month"].unique()), area)["Month"].map(fy_of)
    expected_total = [int((total == int(lbl.split()[1])).sum()) for lbl in labels]
    assert expected_total == np.sum(list(rows.values()), axis=0).tolist()
    assert got.loc["Grand Total", labels].astype(int).tolist() == expected_total

    # FY 2022 (Oct 2021 – Sep 2022) is a full year and distinct from the 12-month windows
    fy2022 = pd.period_range("2021-10", "2022-09", freq="M").strftime("%Y-%m").tolist()
    sac = len(raw.rows("serious_acquisitive", fy2022, area))
    assert got.loc["Serious acquisitive crime", "FY 2022"] == sac
