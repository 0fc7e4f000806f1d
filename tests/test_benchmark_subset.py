"""A benchmark made of some of the partner areas (``geography.benchmark.areas``).

The seed assessments compare each district with "the County": Leicestershire's seven districts,
without the unitary city of Leicester (or Rutland), not the whole force area. The example spec
``specs/examples/benchmark_subset.yaml`` does the same on a small scale: Blaby, Melton and Rutland are
partner areas, and the benchmark is Blaby and Melton alone. Every expected figure here is counted
from the example's raw files with plain pandas and scipy, never with the engine's code.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.stats import fisher_exact

from engine.api import build, prepare
from engine.errors import SpecError
from engine.ingest.cache import IngestCache
from test_examples import CURRENT, DATA, EXAMPLES, REPO, police_rows, table, without_code
from workbook_helpers import count_limits
from example_support import example_workspace

SPEC = EXAMPLES / "benchmark_subset.yaml"
BENCHMARK = "Two county districts"
MEMBERS = ["Blaby", "Melton"]
DISTRICTS = ["Blaby", "Melton", "Rutland"]
POPULATION = REPO / "data" / "ons" / "population20_lsoa11_leicestershire.csv"
BAND_WORDS = {3: "Very Significantly High", 2: "Significantly High", 1: "Above Average", 0: "Average",
              -1: "Below Average", -2: "Significantly Low", -3: "Very Significantly Low"}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("benchmark_subset")
    return {without_code(p.name): p for p in build(SPEC, out) if p.suffix == ".xlsx"}


def lsoa_population() -> pd.DataFrame:
    """Each LSOA of the three districts with its district name and mid-2020 population."""
    lookup = pd.read_csv(REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv", dtype=str)
    population = pd.read_csv(POPULATION, dtype={"LSOA11CD": str})
    frame = lookup.merge(population[["LSOA11CD", "All Ages (mid-2020)"]], on="LSOA11CD")
    return frame[frame["LAD22NM"].isin(DISTRICTS)].rename(columns={"All Ages (mid-2020)": "population"})


def current_crime(asb: bool = False) -> pd.DataFrame:
    rows = police_rows()
    return rows[rows["Month"].isin(CURRENT) & ((rows["Crime type"] == "Anti-social behaviour") == asb)]


def expected_band(count: int, population: float, benchmark_rate: float) -> str:
    """The seven-band word of a count against a rate per 1,000, by Byar's / exact limits at 95% and 99.8%."""
    expected = benchmark_rate * population / 1000
    code = int(np.sign(count - expected))
    for level, size in ((0.95, 2), (0.998, 3)):
        lower, upper = count_limits(count, level)
        if lower > expected or upper < expected:
            code = size if lower > expected else -size
    return BAND_WORDS[code]


def summary(path: Path) -> pd.DataFrame:
    return table(path, "sb_summary").set_index("Indicator")


def test_benchmark_rate_is_the_named_districts_alone(books):
    crimes = current_crime().groupby("LAD22NM").size()
    people = lsoa_population().groupby("LAD22NM")["population"].sum()
    county = crimes[MEMBERS].sum() / people[MEMBERS].sum() * 1000
    everyone = crimes[DISTRICTS].sum() / people[DISTRICTS].sum() * 1000
    assert abs(county - everyone) > 0.1, "the fixture must tell the subset from all three districts"
    for area in DISTRICTS:
        row = summary(books[area]).loc["Total recorded crime"]
        assert row[f"{BENCHMARK} rate per 1,000 or %"] == pytest.approx(county)
        assert row["Current 12 months"] == crimes[area]


def test_every_district_is_banded_against_the_subset_outsiders_included(books):
    crimes = current_crime().groupby("LAD22NM").size()
    people = lsoa_population().groupby("LAD22NM")["population"].sum()
    county = crimes[MEMBERS].sum() / people[MEMBERS].sum() * 1000
    bands = {area: summary(books[area]).loc["Total recorded crime", f"Comparison with {BENCHMARK}"] for area in DISTRICTS}
    assert bands == {area: expected_band(int(crimes[area]), float(people[area]), county) for area in DISTRICTS}


def test_top_10_lsoas_are_banded_against_the_subset_rate(books):
    rows = current_crime()
    people = lsoa_population().set_index("LSOA11CD")["population"]
    in_county = lsoa_population()[lambda f: f["LAD22NM"].isin(MEMBERS)]["LSOA11CD"]
    counts = rows.groupby("LSOA code").size()
    county = counts.reindex(in_county, fill_value=0).sum() / people[in_county].sum() * 1000
    top = table(books["Rutland"], "sb_top10_total_crime")
    assert len(top) > 0
    bands = top[f"Comparison against {BENCHMARK} (confidence intervals)"]
    for code, total, band in zip(top["LSOA code"], top["Total crimes"], bands):
        assert band == expected_band(int(total), float(people[code]), county), code


def test_standard_deviation_bands_measure_the_subset_small_areas(books):
    """ASB is banded by standard deviations from the mean rate of the benchmark's LSOAs: Blaby's and Melton's,
    not Rutland's (population SD, every LSOA of the two districts, those with no ASB at 0)."""
    areas = lsoa_population()
    county = areas[areas["LAD22NM"].isin(MEMBERS)]
    counts = current_crime(asb=True).groupby("LSOA code").size()
    county_rates = counts.reindex(county["LSOA11CD"], fill_value=0).to_numpy() / county["population"].to_numpy() * 1000
    mean, sd = county_rates.mean(), county_rates.std(ddof=0)
    workbook = load_workbook(books["Rutland"])
    text = " ".join(str(c.value) for row in workbook["Top 10"].iter_rows() for c in row if c.value)
    assert f"mean rate of the {len(county):,} LSOAs in {BENCHMARK} (mean {mean:,.1f}, SD {sd:,.1f} per 1,000)" in text
    rutland = areas[areas["LAD22NM"] == "Rutland"]
    rutland_rate = counts.reindex(rutland["LSOA11CD"], fill_value=0).sum() / rutland["population"].sum() * 1000
    z = (rutland_rate - mean) / sd
    code = int(np.sign(z)) * (3 if abs(z) > 2 else 2 if abs(z) > 1 else 1)
    assert summary(books["Rutland"]).loc["Anti-social behaviour", f"Comparison with {BENCHMARK}"] == BAND_WORDS[code]


def test_a_measured_proportion_pools_the_subset_alone(books):
    log = pd.read_csv(DATA / "marac_referrals.csv", skiprows=4, dtype=str)
    log["month"] = pd.to_datetime(log["Referral Month"], format="%b-%y", errors="coerce").dt.strftime("%Y-%m")
    current = log[log["month"].isin(CURRENT) & log["District"].isin(MEMBERS)]
    pooled = (current["Repeat Referral"] == "Yes").sum() / len(current)
    for area in DISTRICTS:
        row = summary(books[area]).loc["Repeat MARAC referrals"]
        assert row[f"{BENCHMARK} rate per 1,000 or %"] == pytest.approx(pooled)


def test_profiles_compare_with_the_subset_and_test_against_the_rest_of_it(books):
    """The crime-mix table's benchmark column is Blaby's and Melton's rows; Fisher's test sets Melton against
    Blaby alone (the rest of the benchmark) and Rutland against both (it is not part of the benchmark)."""
    crimes = current_crime()
    by_type = crimes.groupby(["LAD22NM", "Crime type"]).size().unstack(fill_value=0)
    county = by_type.loc[MEMBERS].sum()
    for area, rest in (("Melton", by_type.loc["Blaby"]), ("Rutland", county)):
        profile = table(books[area], "sb_breakdown_crime_mix")
        category = profile.columns[0]
        for _, row in profile.iterrows():
            kind = row[category]
            if kind not in by_type.columns:
                continue
            assert row[f"{BENCHMARK} %"] == pytest.approx(county[kind] / county.sum()), kind
            own, base = int(by_type.loc[area, kind]), int(by_type.loc[area].sum())
            other, other_base = int(rest[kind]), int(rest.sum())
            p = fisher_exact([[own, base - own], [other, other_base - other]]).pvalue
            side = "higher" if own * other_base > other * base else "lower"
            expected = f"Significantly {side}" if p < 0.05 else "Not significantly different"
            assert row["Significance"] == expected, (area, kind, p)


def test_methodology_and_comparisons_name_the_benchmark_and_who_is_outside_it(books):
    workbook = load_workbook(books["Melton"])
    methodology = " ".join(str(c.value) for row in workbook["Methodology"].iter_rows() for c in row if c.value)
    assert f"the benchmark, {BENCHMARK}, is Blaby and Melton together; Rutland is compared with it but not part of it" \
        in methodology
    comparisons = " ".join(str(c.value) for row in workbook["Comparisons"].iter_rows() for c in row if c.value)
    assert BENCHMARK in comparisons
    people = lsoa_population().groupby("LAD22NM")["population"].sum()
    assert f"{people[MEMBERS].sum():,.0f} residents in {BENCHMARK}" in methodology
    # The peer average pools all three districts: with a benchmark of two, it is not the benchmark's rate.
    assert "pooled peer rate" in methodology and f"(here the {BENCHMARK} rate)" not in methodology
    assert "all partner areas' numerators" not in methodology


@pytest.fixture
def example_copy(tmp_path: Path):
    """The example spec written beside links to its data, with ``old`` replaced by ``new``."""
    example_workspace(tmp_path)

    def make(*replacements: tuple[str, str]) -> tuple[Path, str]:
        text = SPEC.read_text(encoding="utf-8")
        for old, new in replacements:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path = tmp_path / "specs" / "examples" / "x.yaml"
        path.write_text(text, encoding="utf-8")
        return path, text

    return make


def test_an_unknown_benchmark_area_is_a_located_spec_error_before_any_data_is_read(example_copy):
    # The police.uk folder is gone: had the data been read first, that would be the error.
    path, text = example_copy(("areas: [Blaby, Melton]", "areas: [Blaby, Meltn]"),
                              ("path: data/police_uk", "path: data/police_uk_not_here"))
    with pytest.raises(SpecError) as caught:
        prepare(path)
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert Path(problem.file).name == "x.yaml"
    assert problem.line == text[: text.index("areas: [Blaby, Meltn]")].count("\n") + 1
    assert problem.key_path == "geography.benchmark.areas[1]"
    assert "'Meltn'" in problem.message and "Melton" in problem.message  # did you mean


def test_a_geography_read_for_one_benchmark_serves_a_spec_with_another(example_copy):
    """One command building two specs reads the geography once (the benchmark is left out of the cache key):
    each spec still gets its own benchmark, the subset for one and all three districts for the other."""
    whole, _ = example_copy(("    areas: [Blaby, Melton]\n", ""))
    cache = IngestCache()
    subset = prepare(SPEC, cache=cache).reports[0]
    everyone = prepare(whole, cache=cache).reports[0]
    assert cache.hits >= 1
    crimes = current_crime().groupby("LAD22NM").size()
    people = lsoa_population().groupby("LAD22NM")["population"].sum()
    rates = {k.indicator_id: k.benchmark_rate for k in subset.kpis}, {k.indicator_id: k.benchmark_rate for k in everyone.kpis}
    assert rates[0]["total_crime"] == pytest.approx(crimes[MEMBERS].sum() / people[MEMBERS].sum() * 1000)
    assert rates[1]["total_crime"] == pytest.approx(crimes[DISTRICTS].sum() / people[DISTRICTS].sum() * 1000)


def test_one_area_built_alone_is_compared_with_the_same_benchmark(books, tmp_path):
    """``--area Rutland`` renders one workbook, but the benchmark is still Blaby and Melton's."""
    (alone,) = [p for p in build(SPEC, tmp_path, areas=["Rutland"]) if p.suffix == ".xlsx"]
    column = f"{BENCHMARK} rate per 1,000 or %"
    assert summary(alone)[column].tolist() == summary(books["Rutland"])[column].tolist()
