"""Who is affected: rates by income deprivation decile and by (synthetic) area type.

Expected values come from plain pandas and scipy on the raw files in ``data/`` (the police.uk
CSVs, the bundled IoD2019 extract, the ONS lookup and populations) and on the synthetic area
classification generated into ``tmp_path``, never from the engine: counts by group, rates, their
intervals (exact χ² below 10 events, Byar's formula from 10), the rate ratio and its exact
interval (scipy's ``binomtest``), and the sentences the key findings must then say.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import binomtest, chi2, norm

from engine.api import prepare
from engine.cli import main as cli_main
from engine.errors import DataError, SaferbookError, SpecError
from engine.indicators.findings.area_groups import contrast_sentence
from engine.report import AreaGroupTable, GroupRatio
from engine.spec.models import GroupContrast
from engine.stats import rate_ratio
from engine.synthetic import generate_all
from workbook_helpers import (BENCHMARK, CRIME_DIR, CURRENT, LSOA_LOOKUP, POP_COL, POPULATION, SPEC, build_books,
                              crime_type_mask, indicator, unit)

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "specs" / "examples" / "area_groups.yaml"  # the decile groups alone, three districts: for bad input
IMD = REPO / "data" / "ons" / "imd2019_lsoa11_leicestershire.csv"
DECILE = "Income Domain Decile in England (where 1 is most deprived 10% of LSOAs)"
ENGLAND_RANK = "Income Domain Rank in England (where 1 is most deprived)"
ENGLAND_LSOAS = 32_844
AREAS = ["North West Leicestershire", "Rutland", "Leicester"]
LEVEL = 0.95


def _spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def group(group_id: str) -> dict:
    (found,) = [g for g in _spec()["area_groups"] if g["id"] == group_id]
    return found


# --------------------------------------------------------------------------------------------
# The expected side: plain pandas and scipy
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def lsoas() -> pd.DataFrame:
    """The 611 LSOAs: district name and population."""
    lookup = pd.read_csv(LSOA_LOOKUP, dtype=str)
    pop = pd.read_csv(POPULATION, dtype=str).set_index("LSOA11CD")[POP_COL].astype(int)
    return pd.DataFrame({"district": lookup.set_index("LSOA11CD")["LAD22NM"], "population": pop})


@lru_cache(maxsize=None)
def current_rows() -> pd.DataFrame:
    """police.uk rows of the current 12 months in the 611 LSOAs (LSOA code, crime type)."""
    files = sorted(CRIME_DIR.glob("*-leicestershire-street.csv.gz"))
    crimes = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False, usecols=["Month", "LSOA code", "Crime type"])
                        for f in files], ignore_index=True)
    return crimes[crimes["Month"].isin(CURRENT) & crimes["LSOA code"].isin(lsoas().index)]


def lsoa_counts(indicator_id: str) -> pd.Series:
    rows = current_rows()
    rows = rows[crime_type_mask(rows["Crime type"], indicator(indicator_id)["where"])]
    return rows.groupby("LSOA code").size().reindex(lsoas().index, fill_value=0)


def count_limits(o: int) -> tuple[float, float]:
    """Fingertips: exact χ² limits below 10 events, Byar's approximation from 10."""
    a = 1 - LEVEL
    if o < 10:
        return (chi2.ppf(a / 2, 2 * o) / 2 if o else 0.0), chi2.ppf(1 - a / 2, 2 * o + 2) / 2
    z = norm.ppf(1 - a / 2)
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


def by_group(groups: pd.Series, indicator_id: str, area: str | None) -> pd.DataFrame:
    """Per group (index): LSOAs, residents, count, rate per 1,000 and its limits; area None = the benchmark (the
    districts the spec names)."""
    frame = lsoas().assign(group=groups, count=lsoa_counts(indicator_id))
    if area is not None:
        frame = frame[frame["district"] == area]
    else:
        frame = frame[frame["district"].isin(_spec()["geography"]["benchmark"]["areas"])]
    sums = frame.groupby("group").agg(small_areas=("count", "size"), population=("population", "sum"),
                                      count=("count", "sum"))
    sums["rate"] = sums["count"] / sums["population"] * 1000
    limits = [count_limits(int(o)) for o in sums["count"]]
    sums["lower"] = [lo / p * 1000 for (lo, _), p in zip(limits, sums["population"])]
    sums["upper"] = [hi / p * 1000 for (_, hi), p in zip(limits, sums["population"])]
    return sums


def exact_ratio(c1: int, p1: float, c2: int, p2: float) -> tuple[float, float, float]:
    """Rate ratio and its exact interval from scipy's binomial test (conditional on c1 + c2)."""
    ci = binomtest(c1, c1 + c2, p1 / (p1 + p2)).proportion_ci(LEVEL, method="exact")
    return (c1 / p1) / (c2 / p2), ci.low / (1 - ci.low) * p2 / p1, ci.high / (1 - ci.high) * p2 / p1


def deciles() -> pd.Series:
    return pd.read_csv(IMD, dtype=str).set_index("LSOA Code (2011)")[DECILE].astype(int)


# --------------------------------------------------------------------------------------------
# Workbooks and reports built from the demo spec, with the synthetic classification in tmp_path
# --------------------------------------------------------------------------------------------

def spec_copy(folder: Path, classification: Path | None, edit=None, spec: Path = SPEC) -> Path:
    """``spec`` (the demo's) written into ``folder`` reading the repository's data where it is, with
    ``classification`` as its area classification file and ``edit`` applied to it."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["path"] = str((spec.parent / source["path"]).resolve())
    if classification is not None:
        data["sources"]["area_classification"]["path"] = str(classification)
    if "maps" in data:
        data["maps"]["boundaries"] = str((spec.parent / data["maps"]["boundaries"]).resolve())
    data["data_root"] = "/"  # the copy sits in a temporary folder and reads the repository's data where it is
    if edit is not None:
        edit(data)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def classification_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_all(tmp_path_factory.mktemp("synthetic"), sources=["area_classification"])["area_classification"]


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory, classification_csv: Path) -> Path:
    return spec_copy(tmp_path_factory.mktemp("area_groups_spec"), classification_csv)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory, spec_path: Path):
    return build_books(tmp_path_factory.mktemp("area_groups_books"), AREAS, spec_path)


@pytest.fixture(scope="module")
def reports(spec_path: Path):
    return {r.partner_area: r for r in prepare(spec_path).reports}


def area_types(classification_csv: Path) -> pd.Series:
    """LSOA -> supergroup, read from the generated file with pandas (its header follows two notes and a blank line)."""
    frame = pd.read_csv(classification_csv, dtype=str, skiprows=3)
    return frame.set_index("LSOA Code")["Supergroup"]


# --------------------------------------------------------------------------------------------
# The bundled deprivation file
# --------------------------------------------------------------------------------------------

def test_the_bundled_deciles_follow_mhclgs_definition():
    imd = pd.read_csv(IMD, dtype=str)
    assert sorted(imd["LSOA Code (2011)"]) == sorted(lsoas().index)
    rank = imd[ENGLAND_RANK].astype(int)
    assert (imd[DECILE].astype(int) == np.ceil(rank * 10 / ENGLAND_LSOAS)).all()
    # re-ranked within England: never below the England-and-Wales rank, in the same order
    ew_rank = imd["Income Domain Rank (where 1 is most deprived)"].astype(int)
    assert (rank <= ew_rank).all() and (rank.rank(method="min") == ew_rank.rank(method="min")).all()
    assert set(imd[DECILE].astype(int)) == set(range(1, 11))  # every decile occurs in the force area


# --------------------------------------------------------------------------------------------
# Tables: every cell against the recomputation
# --------------------------------------------------------------------------------------------

def _check_table(frame: pd.DataFrame, expected_area: pd.DataFrame, expected_bench: pd.DataFrame, area: str,
                 values: list, ind_id: str) -> None:
    word = unit(ind_id).capitalize()
    assert list(frame.iloc[:, 0]) == values
    for place, expected in ((area, expected_area), (BENCHMARK, expected_bench)):
        expected = expected.reindex(values)
        assert list(frame[f"LSOAs in {place}"]) == expected["small_areas"].fillna(0).astype(int).tolist()
        assert list(frame[f"Residents in {place}"]) == expected["population"].fillna(0).astype(int).tolist()
        assert list(frame[f"{word} in {place}"]) == expected["count"].fillna(0).astype(int).tolist()
        for header, column in ((f"{place} rate per 1,000", "rate"), (f"{place}: lower 95% limit", "lower"),
                               (f"{place}: upper 95% limit", "upper")):
            shown, wanted = list(frame[header]), list(expected[column])
            assert [pd.isna(v) for v in shown] == [pd.isna(v) for v in wanted], (place, header)  # blank: no residents
            assert [v for v in shown if not pd.isna(v)] == pytest.approx([v for v in wanted if not pd.isna(v)],
                                                                         rel=1e-9), (place, header)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("ind_id", group("deprivation")["indicators"])
def test_decile_tables_match_the_raw_files(books, area, ind_id):
    frame = books[area].frame(f"sb_group_deprivation_{ind_id}")
    _check_table(frame, by_group(deciles(), ind_id, area), by_group(deciles(), ind_id, None), area,
                 list(range(1, 11)), ind_id)


@pytest.mark.parametrize("area", AREAS)
def test_area_type_tables_match_the_generated_file(books, classification_csv, area):
    spec = group("area_type")
    for ind_id in spec["indicators"]:
        frame = books[area].frame(f"sb_group_area_type_{ind_id}")
        types = area_types(classification_csv)
        _check_table(frame, by_group(types, ind_id, area), by_group(types, ind_id, None), area, spec["values"], ind_id)


@pytest.mark.parametrize("area", AREAS)
def test_ratio_table_matches_scipy(books, area):
    words = {True: "Significantly higher", False: "Not significantly different"}
    frame = books[area].frame("sb_group_deprivation_ratio")
    rows = iter(frame.itertuples(index=False))
    for ind_id in group("deprivation")["indicators"]:
        for place in (area, BENCHMARK):
            row = next(rows)
            assert (row[0], row[1]) == (indicator(ind_id)["name"], place)
            sums = by_group(deciles(), ind_id, None if place == BENCHMARK else area)
            if 1 not in sums.index:  # no LSOA of this area is in decile 1
                assert pd.isna(row[2]) and pd.isna(row[4]) and row[7] == "Cannot be compared"
                continue
            hi, lo = sums.loc[1], sums.loc[10]
            ratio, lower, upper = exact_ratio(int(hi["count"]), hi["population"], int(lo["count"]), lo["population"])
            assert list(row[2:7]) == pytest.approx([hi["rate"], lo["rate"], ratio, lower, upper], rel=1e-9)
            assert lower > 1 or upper >= 1  # the demo data never has the most deprived significantly lower
            assert row[7] == words[lower > 1]


# --------------------------------------------------------------------------------------------
# Key findings: wording and numbers
# --------------------------------------------------------------------------------------------

def _contrast_text(where: str, sums: pd.DataFrame, words: dict) -> str:
    hi, lo = sums.loc[1], sums.loc[10]
    ratio, lower, upper = exact_ratio(int(hi["count"]), hi["population"], int(lo["count"]), lo["population"])
    assert lower > 1, "every district with both deciles shows a significant gradient in this data"
    return (f"{where}, people living in {words['high_words']} were {ratio:.1f} times as likely to be "
            f"{words['outcome']} as those living in {words['low_words']} ({hi['rate']:.1f} against {lo['rate']:.1f} "
            f"crimes per 1,000 residents; 95% confidence interval {lower:.1f} to {upper:.1f}), in the 12 months to "
            f"October 2022.")


@pytest.mark.parametrize("area", AREAS)
def test_deprivation_finding_says_what_the_numbers_support(reports, area):
    words = group("deprivation")["compare"]
    (finding,) = [f for f in reports[area].findings if f.topic == "who_is_affected" and "deprived" in f.text]
    sums = by_group(deciles(), "total_crime", area)
    if 1 in sums.index and 10 in sums.index:
        assert finding.text == _contrast_text(f"In {area}", sums, words)
        hi, lo = sums.loc[1], sums.loc[10]
        assert finding.figures["ratio"] == pytest.approx((hi["count"] / hi["population"]) / (lo["count"] / lo["population"]))
    else:  # Rutland has no LSOA in decile 1: the force-wide comparison, saying so
        missing = words["high_words"] if 1 not in sums.index else words["low_words"]
        bench = by_group(deciles(), "total_crime", None)
        assert finding.text == (f"No LSOA in {area} is in {missing}; "
                                + _contrast_text(f"across {BENCHMARK}", bench, words))
        assert finding.figures["benchmark_high_rate"] == pytest.approx(bench.loc[1, "rate"])


def _table(ratio: GroupRatio) -> AreaGroupTable:
    return AreaGroupTable("deprivation", "Crime by decile", "Decile", "total_crime", "Total recorded crime", "crimes",
                          1000, 0.95, [], 80.0, 90.0, [ratio, ratio])


WORDS = GroupContrast(high=1, low=10, high_words="the most deprived tenth", low_words="the least deprived tenth",
                      outcome="victims of crime")


def test_finding_wording_follows_the_interval_not_the_ratio():
    def text(c1, p1, c2, p2):
        r = rate_ratio(c1, p1, c2, p2)
        ratio = GroupRatio("Melton", 1, 10, c1 / p1 * 1000, c2 / p2 * 1000, float(r.ratio), float(r.lower),
                           float(r.upper), float(r.p_value))
        return contrast_sentence(_table(ratio), WORDS, partner_area="Melton", benchmark=BENCHMARK,
                                 small_area_label="LSOA", period_end="2022-10").text

    # 1.5 times the rate on few events: the interval spans 1, so no "times as likely"
    flat = text(15, 1000, 10, 1000)
    assert "not significantly different" in flat and "times as likely" not in flat
    assert "rate ratio 1.5, 95% confidence interval" in flat
    assert "times as likely" in text(150, 1000, 100, 1000)
    lower = text(40, 1000, 100, 1000)
    assert "were less likely to be victims of crime" in lower and "rate ratio 0.40" in lower
    assert binomtest(15, 25, 0.5).pvalue > 0.05 and binomtest(150, 250, 0.5).pvalue < 0.05  # the cases are what they claim


@pytest.mark.parametrize("area", AREAS)
def test_most_affected_area_type_is_named_only_when_significant(reports, classification_csv, area):
    (finding,) = [f for f in reports[area].findings if f.topic == "who_is_affected" and f.text.startswith("By ")]
    sums = by_group(area_types(classification_csv), "total_crime", area)
    top = sums["rate"].idxmax()
    area_rate = lsoa_counts("total_crime")[lsoas()["district"] == area].sum() / \
        lsoas().loc[lsoas()["district"] == area, "population"].sum() * 1000
    label = group("area_type")["label"]
    if sums.loc[top, "lower"] > area_rate:
        assert finding.text == (f"By {label[0].lower()}{label[1:]}, {top} areas were the most affected by total "
                                f"recorded crime in {area}: {sums.loc[top, 'rate']:.1f} crimes per 1,000 residents, "
                                f"significantly higher than the {area} rate of {area_rate:.1f}, in the 12 months to "
                                f"October 2022.")
    else:
        assert "no type of area" in finding.text and f"the highest was {top}" in finding.text
    assert finding.figures["rate"] == pytest.approx(sums.loc[top, "rate"])


def test_the_workbook_says_where_the_groups_come_from(books):
    ws = books["Leicester"].wb["Who is affected"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "SYNTHETIC" in text and "Income domain" in text and "not the overall Index of Multiple" in text


def test_privacy_protected_builds_keep_the_groups(spec_path, reports):
    """Group counts of a sensitive indicator are checked with its other cuts (tests/test_suppression_cuts.py): a
    protected build keeps every table, and a count it shows is the plain build's (hidden group counts are
    tested there). Each partner's workbook is protected on its own: the smallest and the largest stand for the nine."""
    plain = reports
    protected = prepare(spec_path, areas=["Rutland", "Leicester"], suppress=True).reports
    assert sorted(r.partner_area for r in protected) == ["Leicester", "Rutland"]
    for report in protected:
        before = plain[report.partner_area].area_groups
        assert [(t.group_id, t.indicator_id) for t in report.area_groups] == [(t.group_id, t.indicator_id) for t in before]
        for table, original in zip(report.area_groups, before):
            for row, row_before in zip(table.rows, original.rows):
                assert row.count == row_before.count if not row.hidden else row.count is None


# --------------------------------------------------------------------------------------------
# Bad or incomplete group files
# --------------------------------------------------------------------------------------------

def _with_imd(tmp_path: Path, imd: pd.DataFrame, edit=None) -> Path:
    """The decile example (specs/examples/area_groups.yaml: the same IMD source and group as the demo's, fewer
    districts and indicators) reading ``imd`` as its IMD file."""
    path = tmp_path / "imd.csv"
    imd.to_csv(path, index=False)

    def point(data: dict) -> None:
        data["sources"]["imd"]["path"] = str(path)
        if edit is not None:
            edit(data)

    return spec_copy(tmp_path, None, point, spec=EXAMPLE)


def example_rows(imd: pd.DataFrame) -> list[int]:
    """The positions of ``imd``'s rows whose LSOA is in one of the example's districts (those it reads)."""
    lookup = pd.read_csv(LSOA_LOOKUP, dtype=str)
    inside = set(lookup.loc[lookup["LAD22NM"].isin(["Blaby", "Melton", "Rutland"]), "LSOA11CD"])
    return [i for i, code in enumerate(imd["LSOA Code (2011)"]) if code in inside]


def test_an_lsoa_missing_from_the_imd_file_is_reported(tmp_path):
    imd = pd.read_csv(IMD, dtype=str)
    lookup = pd.read_csv(LSOA_LOOKUP, dtype=str)
    district = "Melton"
    rows = lookup.index[lookup["LAD22NM"] == district]
    gone = lookup.loc[rows[3], "LSOA11CD"]
    spec = _with_imd(tmp_path, imd[imd["LSOA Code (2011)"] != gone])
    reports = {r.partner_area: r for r in prepare(spec).reports}
    report = reports[district]
    (issue,) = [i for i in report.quality_issues if i.value == gone]
    assert (issue.source, issue.file, issue.row, issue.column, issue.action) == \
        ("imd", LSOA_LOOKUP.name, int(rows[3]) + 2, "LSOA11CD", "excluded")  # header on line 1
    assert "not in imd" in issue.reason
    table = next(t for t in report.area_groups if t.indicator_id == "total_crime" and t.group_id == "deprivation")
    residents = lsoas().loc[lsoas()["district"] == district, "population"].sum()
    assert sum(r.population for r in table.rows) == residents - lsoas().loc[gone, "population"]
    assert table.ungrouped.startswith("1 LSOA is in no group") and "Data Quality" in table.ungrouped
    assert any(gone in n.text for n in report.methodology if n.topic.startswith("Who is affected"))
    assert all(t.ungrouped == "" for t in reports["Rutland"].area_groups)


@pytest.mark.parametrize("bad", ["11", "ten", ""])
def test_a_bad_decile_is_an_error_naming_file_row_column_and_value(tmp_path, bad):
    imd = pd.read_csv(IMD, dtype=str, keep_default_na=False)
    row = example_rows(imd)[7]
    imd.loc[row, DECILE] = bad
    spec = _with_imd(tmp_path, imd)
    with pytest.raises(DataError) as caught:
        prepare(spec)
    (problem,) = caught.value.problems
    assert (Path(problem.file).name, problem.row, problem.column) == ("imd.csv", row + 2, DECILE)  # header on line 1
    if bad:
        assert problem.value == bad and f"(value {bad!r})" in str(problem)
        assert "not one of the groups" in problem.message
    else:
        assert problem.message.startswith("no Income deprivation decile")


def test_without_values_a_numeric_group_must_be_a_number(tmp_path):
    imd = pd.read_csv(IMD, dtype=str, keep_default_na=False)
    row = example_rows(imd)[2]
    imd.loc[row, DECILE] = "1st"

    def numeric_order(data: dict) -> None:
        del data["area_groups"][0]["values"]

    spec = _with_imd(tmp_path, imd, numeric_order)
    with pytest.raises(DataError) as caught:
        prepare(spec)
    (problem,) = caught.value.problems
    assert problem.row == row + 2 and problem.value == "1st" and "not a number" in problem.message


def test_the_cli_prints_one_line_naming_the_place(tmp_path, capsys):
    imd = pd.read_csv(IMD, dtype=str, keep_default_na=False)
    row = example_rows(imd)[0]
    imd.loc[row, DECILE] = "0"
    spec = _with_imd(tmp_path, imd)
    assert cli_main(["validate", str(spec)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'imd.csv'}: row {row + 2}, column {DECILE!r}:") and line.endswith("(value '0')")


def test_spec_mistakes_in_area_groups_are_located(tmp_path, classification_csv):
    def unknown_indicator(data: dict) -> None:
        data["area_groups"][0]["indicators"].append("burglery")

    with pytest.raises(SpecError) as caught:
        prepare(spec_copy(tmp_path, classification_csv, unknown_indicator))
    (problem,) = caught.value.problems
    assert problem.key_path == "area_groups[0].indicators[4]" and "did you mean 'burglary'" in problem.message

    def compare_outside_values(data: dict) -> None:
        data["area_groups"][0]["compare"]["low"] = 11

    with pytest.raises(SaferbookError) as caught:
        prepare(spec_copy(tmp_path, classification_csv, compare_outside_values))
    assert "compare: 11 is not among values" in str(caught.value)


def test_a_group_file_that_is_missing_is_an_error(tmp_path):
    def elsewhere(data: dict) -> None:
        data["sources"]["imd"]["path"] = str(tmp_path / "nowhere" / "imd2019.csv")

    spec = spec_copy(tmp_path, None, elsewhere, spec=EXAMPLE)
    with pytest.raises(DataError) as caught:
        prepare(spec)
    assert any("imd2019.csv" in str(p) for p in caught.value.problems)


# --------------------------------------------------------------------------------------------
# The rate ratio itself (engine.stats), against R and scipy
# --------------------------------------------------------------------------------------------

def test_rate_ratio_reproduces_rs_poisson_test_example():
    """R's ?poisson.test: poisson.test(c(11, 6 + 8 + 7), c(800, 1083 + 1050 + 878)) prints
    rate ratio 1.971488, 95 percent CI 0.8584264 4.2772659, p-value = 0.07967."""
    result = rate_ratio(11, 800, 21, 1083 + 1050 + 878)
    assert float(result.ratio) == pytest.approx(1.971488, abs=1e-6)
    assert (float(result.lower), float(result.upper)) == pytest.approx((0.8584264, 4.2772659), abs=1e-7)
    assert float(result.p_value) == pytest.approx(0.07967, abs=1e-5)


def test_rate_ratio_agrees_with_scipy_binomtest_on_a_grid():
    rng = np.random.default_rng(8)
    c1, c2 = rng.integers(1, 400, 60), rng.integers(1, 400, 60)
    p1, p2 = rng.uniform(500, 20000, 60), rng.uniform(500, 20000, 60)
    result = rate_ratio(c1, p1, c2, p2, 0.95)
    for i in range(60):
        ratio, lower, upper = exact_ratio(int(c1[i]), p1[i], int(c2[i]), p2[i])
        assert (result.ratio[i], result.lower[i], result.upper[i]) == pytest.approx((ratio, lower, upper), rel=1e-9)
        assert result.p_value[i] == pytest.approx(binomtest(int(c1[i]), int(c1[i] + c2[i]), p1[i] / (p1[i] + p2[i])).pvalue,
                                                  rel=1e-9)
    edge = rate_ratio([0, 5, 0], [10, 10, 10], [5, 0, 0], [10, 10, 10])
    assert edge.ratio[0] == 0 and edge.lower[0] == 0 and np.isinf(edge.ratio[1]) and np.isinf(edge.upper[1])
    assert np.isnan(edge.ratio[2]) and np.isnan(edge.p_value[2])
