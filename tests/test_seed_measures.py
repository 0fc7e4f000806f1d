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
def summaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("seed_measures")
    paths = build(SPEC, out)
    books = {p.name.rsplit("_", 1)[0]: p for p in paths if p.suffix == ".xlsx"}
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


def test_share_of_names_counted_indicators_of_its_own_source(tmp_path):
    text = SPEC.read_text(encoding="utf-8").replace(
        "share_of: {numerator: criminal_damage_and_arson, denominator: total_crime}",
        "share_of: {numerator: criminal_damage_and_arsn, denominator: violence_against_the_person}")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("../../", str(SPEC.parents[2]) + "/"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(bad)
    message = str(caught.value)
    assert "unknown indicator 'criminal_damage_and_arsn'" in message and "criminal_damage_and_arson" in message
    assert "reads source 'police_crime', not 'street_crime'" in message
