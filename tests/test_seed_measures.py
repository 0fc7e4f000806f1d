"""The seed assessments' sub-categories and quoted shares, checked with plain pandas and scipy.

``tests/specs/seed_measures.yaml`` counts the Home Office classes of the SYNTHETIC police crime
extract (violence with / without injury, residential and business burglary, theft from a vehicle,
domestic violence with injury, sexual offences) and two shares of another indicator
(``measure.share_of``: criminal damage of total crime from police.uk, alcohol-related violence of
violence against the person from the extract). Expected values come from the raw rows, read here
with pandas; the share's interval and test are computed here from their textbook formulas.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.stats import fisher_exact, norm

from engine.api import build
from engine.cli import DEMO_DATA
from engine.errors import SpecError
from engine.spec.loader import load_spec
from synthetic_truth import police_crimes
from test_examples import CURRENT, DISTRICTS, PREVIOUS, police_rows, table

SPEC = Path(__file__).parent / "specs" / "seed_measures.yaml"
SUB_CATEGORIES = {  # indicator -> which extract rows it counts, as an analyst would filter them
    "violence_with_injury": lambda r: r["Offence Type (HO)"] == "Violence with injury",
    "violence_without_injury": lambda r: r["Offence Type (HO)"] == "Violence without injury",
    "sexual_offences": lambda r: r["Offence Group (HO)"] == "Sexual offences",
    "domestic_violence_with_injury": lambda r: (r["Domestic Flag"] == "Y") & (r["Offence Type (HO)"] == "Violence with injury"),
    "residential_burglary": lambda r: r["Offence Type (HO)"] == "Residential burglary",
    "business_community_burglary": lambda r: r["Offence Type (HO)"] == "Business and community burglary",
    "theft_from_vehicle": lambda r: r["Offence Type (HO)"] == "Theft from a vehicle",
}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("seed_measures")
    paths = [p for p in build(SPEC, out) if p.suffix == ".xlsx"]
    return {d: next(p for p in paths if p.name.startswith(f"{d}_")) for d in DISTRICTS}


@pytest.fixture(scope="module")
def summaries(books) -> dict[str, pd.DataFrame]:
    return {d: table(books[d], "sb_summary").set_index("Indicator") for d in DISTRICTS}


def _counts(rows: pd.DataFrame, months: list[str]) -> pd.Series:
    return rows[rows["month"].isin(months)].groupby("district").size().reindex(DISTRICTS, fill_value=0)


@pytest.mark.parametrize("indicator", sorted(SUB_CATEGORIES))
def test_sub_categories_equal_a_pandas_count_of_the_extract(summaries, indicator):
    crimes = police_crimes(DEMO_DATA)
    chosen = crimes[SUB_CATEGORIES[indicator](crimes)]
    name = {i.id: i.name for i in load_spec(SPEC)[0].indicators}[indicator]
    for months, column in ((CURRENT, "Current 12 months"), (PREVIOUS, "Previous 12 months")):
        expected = _counts(chosen, months)
        assert expected.sum() > 0
        for district in DISTRICTS:
            assert summaries[district].loc[name, column] == expected[district], (indicator, district, column)


def _wilson(k: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = norm.ppf(1 - (1 - level) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _band(k: float, n: float, benchmark: float) -> str:
    for level, word in ((0.998, "Very Significantly"), (0.95, "Significantly")):
        low, high = _wilson(np.array([k]), np.array([n]), level)
        if low[0] > benchmark:
            return f"{word} High"
        if high[0] < benchmark:
            return f"{word} Low"
    return "Above Average" if k / n > benchmark else "Below Average" if k / n < benchmark else "Average"


def _share_truth(part: pd.DataFrame, whole: pd.DataFrame) -> dict[str, pd.Series]:
    return {"current": _counts(part, CURRENT), "current_whole": _counts(whole, CURRENT),
            "previous": _counts(part, PREVIOUS), "previous_whole": _counts(whole, PREVIOUS)}


def _shares():
    street = police_rows().rename(columns={"LAD22NM": "district", "Month": "month"})
    crime = street[street["Crime type"] != "Anti-social behaviour"]
    damage = crime[crime["Crime type"] == "Criminal damage and arson"]
    extract = police_crimes(DEMO_DATA)
    violence = extract[extract["Offence Group (HO)"] == "Violence against the person"]
    alcohol = violence[violence["Alcohol Flag"] == "Y"]
    return {"Criminal damage and arson offences": _share_truth(damage, crime),
            "Alcohol-related violence offences": _share_truth(alcohol, violence)}


@pytest.mark.parametrize("name", ["Criminal damage and arson offences", "Alcohol-related violence offences"])
def test_share_of_another_indicator_its_interval_band_and_change_test(summaries, name):
    truth = _shares()[name]
    benchmark = truth["current"].sum() / truth["current_whole"].sum()
    for district in DISTRICTS:
        row = summaries[district].loc[name]
        k, n = truth["current"][district], truth["current_whole"][district]
        k0, n0 = truth["previous"][district], truth["previous_whole"][district]
        assert row["Current 12 months"] == pytest.approx(k / n)
        assert row["Previous 12 months"] == pytest.approx(k0 / n0)
        assert row["Three districts rate per 1,000 or %"] == pytest.approx(benchmark)
        assert row["Comparison with Three districts"] == _band(k, n, benchmark)
        p_value = fisher_exact([[k, n - k], [k0, n0 - k0]])[1]
        significant = "(significant)" in row["Direction of travel"]
        assert significant == (p_value < 0.05), (district, p_value, row["Direction of travel"])


def _absolute(text: str) -> str:
    """A spec's text with its paths and data root made absolute, so that a copy elsewhere reads the same files."""
    repo = str(SPEC.parents[2])
    return text.replace("data_root: ../..", f"data_root: {repo}").replace("../../", repo + "/")


def _spec_error(tmp_path: Path, old: str, new: str) -> str:
    """The message of loading the fixture spec with ``old`` replaced by ``new`` (copied, paths made absolute)."""
    text = SPEC.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(_absolute(text.replace(old, new)), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(bad)
    return str(caught.value)


def test_share_of_names_counted_indicators_of_its_own_source(tmp_path):
    message = _spec_error(tmp_path, "share_of: {numerator: criminal_damage_and_arson, denominator: total_crime}",
                          "share_of: {numerator: criminal_damage_and_arsn, denominator: violence_against_the_person}")
    assert "unknown indicator 'criminal_damage_and_arsn'" in message and "criminal_damage_and_arson" in message
    assert "reads source 'police_crime', not 'street_crime'" in message


# --------------------------------------------------------------------------------------------
# RAG status: Met / Close to target (amber) / Not met
# --------------------------------------------------------------------------------------------

def _rag(value: float, at_most: float, amber: float) -> str:
    return "Met" if value <= at_most else "Close to target" if value - at_most <= amber else "Not met"


def test_target_status_is_met_close_or_not_met_by_the_amber_tolerance(summaries):
    crimes = police_crimes(DEMO_DATA)
    seen = set()
    for indicator, chosen in SUB_CATEGORIES.items():  # each: target percent_change at most 0, amber 0.1
        rows = crimes[chosen(crimes)]
        current, previous = _counts(rows, CURRENT), _counts(rows, PREVIOUS)
        name = {i.id: i.name for i in load_spec(SPEC)[0].indicators}[indicator]
        for district in DISTRICTS:
            expected = _rag(current[district] / previous[district] - 1, 0.0, 0.1)
            row = summaries[district].loc[name]
            assert row["Target status"] == expected, (indicator, district)
            assert row["Target"] == "percent change at most +0% (amber: 10 points)"
            seen.add(expected)
    share = _shares()["Criminal damage and arson offences"]  # target percent at most 11%, amber 1 point
    for district in DISTRICTS:
        expected = _rag(share["current"][district] / share["current_whole"][district], 0.11, 0.01)
        assert summaries[district].loc["Criminal damage and arson offences", "Target status"] == expected
        seen.add(expected)
    assert seen == {"Met", "Close to target", "Not met"}  # the fixture shows all three


def test_close_to_target_has_its_own_colour_rule_on_the_summary(tmp_path):
    path = next(p for p in build(SPEC, tmp_path, areas=["Blaby"]) if p.suffix == ".xlsx")
    sheet = load_workbook(path)["Summary"]
    header = next(row for row in sheet.iter_rows() if any(c.value == "Target status" for c in row))
    column = next(c.column_letter for c in header if c.value == "Target status")
    rules = {rule.formula[0]: rule for cf in sheet.conditional_formatting for rule in cf.rules
             if column in str(cf.sqref) and rule.formula}
    assert set(rules) >= {'"Met"', '"Close to target"', '"Not met"'}
    colours = {text: rules[text].dxf.font.color.rgb for text in ('"Met"', '"Close to target"', '"Not met"')}
    assert len(set(colours.values())) == 3, colours


def test_dashboard_status_uses_the_amber_tolerance_for_the_subject(tmp_path):
    examples = SPEC.parents[2] / "specs" / "examples"
    text = (examples / "dashboard.yaml").read_text(encoding="utf-8")
    text = text.replace("path: data/police_uk", f"path: {examples / 'data' / 'police_uk'}")
    text = _absolute(text)
    text = text.replace("target: {measure: percent_change, at_most: 0, label: No increase on the previous 12 months}",
                        "target: {measure: percent_change, at_most: 0, amber: 0.2}")
    spec = tmp_path / "dashboard.yaml"
    spec.write_text(text, encoding="utf-8")
    path = next(p for p in build(spec, tmp_path / "out") if p.suffix == ".xlsx")
    kpis = table(path, "sb_dash_kpis").set_index("Indicator")
    rows = police_rows()
    crime = rows[(rows["Crime type"] != "Anti-social behaviour") & rows["LAD22NM"].isin(["Blaby", "Melton"])]
    current, previous = crime["Month"].isin(CURRENT).sum(), crime["Month"].isin(PREVIOUS).sum()
    assert kpis.loc["Total recorded crime", "Target status"] == _rag(current / previous - 1, 0.0, 0.2)


# --------------------------------------------------------------------------------------------
# Seasonality: month of the year x year, over every month the data holds
# --------------------------------------------------------------------------------------------

def _season_truth(rows: pd.DataFrame, months_in_data: set[str], district: str) -> pd.DataFrame:
    """Month (Jan..Dec) x calendar year counts with pandas; NaN where the source has no rows that month."""
    counts = rows[rows["district"] == district].groupby("month").size()
    years = sorted({m[:4] for m in months_in_data})
    grid = pd.DataFrame(index=range(1, 13), columns=years, dtype=float)
    for month in months_in_data:
        grid.loc[int(month[5:]), month[:4]] = counts.get(month, 0)
    return grid


def test_seasonal_tables_equal_a_pandas_month_by_year_count(books):
    street = police_rows().rename(columns={"LAD22NM": "district", "Month": "month"})
    street_months = set(pd.concat([pd.read_csv(f, dtype=str, usecols=["Month"]) for f in
                                   sorted((SPEC.parents[2] / "specs/examples/data/police_uk").glob("*.csv.gz"))])["Month"])
    crime = street[street["Crime type"] != "Anti-social behaviour"]
    extract = police_crimes(DEMO_DATA)
    injury = extract[extract["Offence Type (HO)"] == "Violence with injury"]
    extract_months = {m for m in set(extract["month"]) if m <= "2022-10"}
    all_months = street_months | extract_months  # the table spans every month any counted source holds
    for indicator, rows, months in (("total_crime", crime, street_months),
                                    ("violence_with_injury", injury, extract_months)):
        for district in DISTRICTS:
            shown = table(books[district], f"sb_season_{indicator}")
            assert list(shown["Month"]) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                            "Nov", "Dec"]
            expected = _season_truth(rows, months, district).reindex(
                columns=sorted({m[:4] for m in all_months}))
            assert list(shown.columns[1:]) == list(expected.columns)
            got = shown.drop(columns="Month").set_axis(range(1, 13)).astype(float)
            pd.testing.assert_frame_equal(got, expected.astype(float), check_names=False)
            assert got.isna().any().any() and (got.fillna(1) > 0).all().all()  # gaps are blank, not zero


def test_seasonality_takes_counted_indicators_only(tmp_path):
    message = _spec_error(tmp_path, "indicators: [total_crime, violence_with_injury]",
                          "indicators: [total_crim, criminal_damage_share]")
    assert "unknown indicator 'total_crim'" in message
    assert "indicator 'criminal_damage_share' has a measure block" in message


def test_seasonality_refuses_a_source_without_months(tmp_path):
    """A quarterly return has no month of the year: its quarter's count would sit in one month and the
    other two read as zeros."""
    rows = ["Quarter,District,Clients"] + [f"Q{q} {year},{d},{5 + q}" for year in ("2020-21", "2021-22", "2022-23")
                                           for q in range(1, 5) for d in DISTRICTS]
    (tmp_path / "quarterly.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = _absolute(SPEC.read_text(encoding="utf-8"))
    text = text.replace("sources:\n", f"""sources:
  quarterly:
    type: csv
    path: {tmp_path / 'quarterly.csv'}
    allow_outside: true
    columns:
      Quarter: {{name: month, type: quarter}}
      District: partner_area_name
      Clients: {{name: clients, type: integer}}
""", 1)
    text = text.replace("indicators:\n  - id: total_crime", """indicators:
  - id: quarterly_rows
    name: Quarterly rows
    source: quarterly
  - id: total_crime""", 1)
    text = text.replace("indicators: [total_crime, violence_with_injury]", "indicators: [total_crime, quarterly_rows]")
    spec = tmp_path / "quarterly.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        build(spec, tmp_path / "out", period_end="2022-10")
    assert "whose periods are 3 months long" in str(caught.value) and "seasonality.indicators[1]" in str(caught.value)


def test_methodology_states_the_rag_rule_and_the_seasonal_tables(books):
    notes = table(books["Melton"], "sb_methodology").set_index("Topic")["Detail"]
    assert "'Close to target' (amber)" in notes["Targets"] and "Violence with injury" in notes["Targets"]
    assert "Total recorded crime, Violence with injury" in notes["Seasonality"]
    assert "not recorded, not zero" in notes["Seasonality"]


@pytest.mark.parametrize("breakdown, flag", [("domestic_offence_groups", "Domestic Flag"),
                                             ("hate_offence_groups", "Hate Flag")])
def test_domestic_and_hate_crime_by_offence_group(books, breakdown, flag):
    """The seeds' "69% of all domestic offences were classified as violence against the person" (and 82% of
    hate offences): each offence group's share of the district's flagged crimes and of the three districts',
    with Fisher's exact test of the district against the rest, and the sentence naming the largest group."""
    extract = police_crimes(DEMO_DATA)
    flagged = extract[(extract[flag] == "Y") & extract["month"].isin(CURRENT) & extract["district"].isin(DISTRICTS)]
    for district in DISTRICTS:
        shown = table(books[district], f"sb_breakdown_{breakdown}").set_index("Offence group (Home Office)")
        own, rest = flagged[flagged["district"] == district], flagged[flagged["district"] != district]
        assert set(shown.index) == set(flagged["Offence Group (HO)"])
        for group, row in shown.iterrows():
            k = int((own["Offence Group (HO)"] == group).sum())
            k_rest = int((rest["Offence Group (HO)"] == group).sum())
            assert row[f"{district}: crimes"] == k
            assert row[f"{district} %"] == pytest.approx(k / len(own))
            assert row["Three districts %"] == pytest.approx((k + k_rest) / len(flagged))
            p_value = fisher_exact([[k, len(own) - k], [k_rest, len(rest) - k_rest]])[1]
            assert (row["Significance"] != "Not significantly different") == (p_value < 0.05), (district, group)
        top = own["Offence Group (HO)"].value_counts()
        largest = [g for g, n in top.items() if n == top.iloc[0]]  # a tie may be named either way
        texts = [c for r in load_workbook(books[district])["Key findings"].iter_rows(values_only=True) for c in r
                 if isinstance(c, str)]
        words = breakdown.replace("_offence_groups", "")
        subject = "domestic abuse-related crime" if words == "domestic" else "hate crime"
        assert any(t.startswith(f"The most common offence groups of {subject} in {district} are {group} "
                                f"({top.iloc[0] / top.sum():.0%})") for t in texts for group in largest), district
