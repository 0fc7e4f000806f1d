"""Children affected by domestic abuse (the children in the households of MARAC referrals, the share of
referrals with children, referrals by number of children) and the IDVA service's equality profile of the
victims it engaged, checked with plain pandas and scipy.

``tests/specs/marac_profiles.yaml`` reads the SYNTHETIC MARAC log for three districts; expected values
come from the generated rows (tests/synthetic_truth.py), never from the engine.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import fisher_exact

from engine.cli import DEMO_DATA
from synthetic_truth import dated_rows
from test_examples import CURRENT, DISTRICTS, PREVIOUS, district_books, table

SPEC = Path(__file__).parent / "specs" / "marac_profiles.yaml"
GROUPS = {"None": (0, 0), "One": (1, 1), "Two": (2, 2), "Three or more": (3, 100)}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return district_books(SPEC, tmp_path_factory.mktemp("marac"))


@pytest.fixture(scope="module")
def referrals() -> pd.DataFrame:
    rows = dated_rows(DEMO_DATA, "marac_referrals")
    return rows[rows["district"].isin(DISTRICTS)].assign(children=lambda f: f["Children in Household"].astype(int))


def _summary(books, district: str) -> pd.DataFrame:
    return table(books[district], "sb_summary").set_index("Indicator")


def test_children_summed_per_district(books, referrals):
    for months, column in ((CURRENT, "Current 12 months"), (PREVIOUS, "Previous 12 months")):
        sums = referrals[referrals["month"].isin(months)].groupby("district")["children"].sum()
        assert sums.sum() > 0
        for district in DISTRICTS:
            shown = _summary(books, district).loc["Children in households referred to MARAC", column]
            assert shown == sums.get(district, 0), (district, column)


def test_share_of_referrals_with_children_and_its_change_test(books, referrals):
    def counts(months):
        rows = referrals[referrals["month"].isin(months)]
        return rows[rows["children"] > 0].groupby("district").size(), rows.groupby("district").size()

    (k_now, n_now), (k_before, n_before) = counts(CURRENT), counts(PREVIOUS)
    for district in DISTRICTS:
        row = _summary(books, district).loc["MARAC referrals with children in the household"]
        k, n, k0, n0 = k_now[district], n_now[district], k_before[district], n_before[district]
        assert row["Current 12 months"] == pytest.approx(k / n)
        assert row["Previous 12 months"] == pytest.approx(k0 / n0)
        significant = "(significant)" in row["Direction of travel"]
        assert significant == (fisher_exact([[k, n - k], [k0, n0 - k0]])[1] < 0.05)


def test_referrals_by_number_of_children_against_the_benchmark(books, referrals):
    now = referrals[referrals["month"].isin(CURRENT)]
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_marac_children").set_index("Children in the household")
        assert list(shown.index) == list(GROUPS)  # the spec's order, not largest first
        own, rest = now[now["district"] == district], now[now["district"] != district]
        for group, (low, high) in GROUPS.items():
            k = int(own["children"].between(low, high).sum())
            k_rest = int(rest["children"].between(low, high).sum())
            row = shown.loc[group]
            assert row[f"{district}: referrals"] == k
            assert row[f"{district} %"] == pytest.approx(k / len(own))
            assert row["Three districts %"] == pytest.approx((k + k_rest) / len(now))
            p_value = fisher_exact([[k, len(own) - k], [k_rest, len(rest) - k_rest]])[1]
            assert (row["Significance"] != "Not significantly different") == (p_value < 0.05), (district, group)


FINANCIAL_YEAR = pd.period_range("2021-04", "2022-03", freq="M").strftime("%Y-%m").tolist()  # the last complete one


def _engaged(referrals: pd.DataFrame) -> pd.DataFrame:
    return referrals[referrals["month"].isin(FINANCIAL_YEAR) & (referrals["IDVA Engaged"] == "Yes")]


def _check_share(row: pd.Series, district: str, k: int, n: int, k_rest: int, n_rest: int) -> None:
    assert row[f"{district}: victims"] == k
    assert row[f"{district} %"] == pytest.approx(k / n)
    assert row["Three districts %"] == pytest.approx((k + k_rest) / (n + n_rest))
    p_value = fisher_exact([[k, n - k], [k_rest, n_rest - k_rest]])[1]
    assert (row["Significance"] != "Not significantly different") == (p_value < 0.05), (district, row.name)


def test_idva_equality_by_gender_and_ethnicity(books, referrals):
    """The seeds' IDVA equalities data ("3% of cases engaged were male victims", "10.4% BME"), by district
    against the rest, over the last complete April-to-March year."""
    engaged = _engaged(referrals)
    genders = {"Female": "F", "Male": "M"}
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_idva_equality").set_index(["Characteristic", "Category"])
        own, rest = engaged[engaged["district"] == district], engaged[engaged["district"] != district]
        assert {c for g, c in shown.index if g == "Ethnicity"} == set(engaged["Victim Ethnicity"])  # 0 rows shown too
        for (group, category), row in shown.iterrows():
            column, value = (("Victim Gender", genders[category]) if group == "Gender"
                             else ("Victim Ethnicity", category))
            _check_share(row, district, int((own[column] == value).sum()), len(own),
                         int((rest[column] == value).sum()), len(rest))


def test_idva_equality_flags(books, referrals):
    engaged = _engaged(referrals)
    flags = {"Disability": "Victim Disability", "LGBT": "Victim LGBT"}
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_idva_equality_flags")
        shown = shown.set_index(shown.columns[0])
        own, rest = engaged[engaged["district"] == district], engaged[engaged["district"] != district]
        assert list(shown.index) == list(flags)
        for flag, column in flags.items():
            assert shown.loc[flag, "Out of"] == len(own)
            _check_share(shown.loc[flag], district, int((own[column] == "Yes").sum()), len(own),
                         int((rest[column] == "Yes").sum()), len(rest))
