"""Incidents beside crimes: the seeds' ASB categories, nuisance share, domestic and hate incidents and
hate-incident strands, from the SYNTHETIC police incident log, checked with plain pandas and scipy.

``tests/specs/police_incidents.yaml`` counts the incident log for three districts. Expected values
come from the generated rows read here with pandas (tests/synthetic_truth.py), never from the engine.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.stats import fisher_exact

from engine.cli import DEMO_DATA
from synthetic_truth import police_incidents
from test_examples import CURRENT, DISTRICTS, PREVIOUS, district_books, table

SPEC = Path(__file__).parent / "specs" / "police_incidents.yaml"
ASB = ["ASB - Nuisance", "ASB - Personal", "ASB - Environmental"]
COUNTED = {  # KPI name -> the incident categories it counts, as an analyst would filter the log
    "Anti-social behaviour incidents": ASB,
    "Nuisance anti-social behaviour": ["ASB - Nuisance"],
    "Personal anti-social behaviour": ["ASB - Personal"],
    "Environmental anti-social behaviour": ["ASB - Environmental"],
    "Domestic incidents": ["Domestic incident"],
    "Hate incidents": ["Hate incident"],
}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return district_books(SPEC, tmp_path_factory.mktemp("incidents"))


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    incidents = police_incidents(DEMO_DATA)
    return incidents[incidents["district"].isin(DISTRICTS)]


def _counts(rows: pd.DataFrame, categories: list[str], months: list[str]) -> pd.Series:
    chosen = rows[rows["Incident Category"].isin(categories) & rows["month"].isin(months)]
    return chosen.groupby("district").size().reindex(DISTRICTS, fill_value=0)


@pytest.mark.parametrize("name", sorted(COUNTED))
def test_incident_counts_equal_a_pandas_count_of_the_log(books, rows, name):
    for months, column in ((CURRENT, "Current 12 months"), (PREVIOUS, "Previous 12 months")):
        expected = _counts(rows, COUNTED[name], months)
        assert expected.sum() > 0
        for district in DISTRICTS:
            summary = table(books[district], "sb_summary").set_index("Indicator")
            assert summary.loc[name, column] == expected[district], (name, district, column)


def test_nuisance_share_of_all_asb(books, rows):
    """The seeds' "Nuisance ASB is now the largest category making up 77% of all ASB", with its change test."""
    nuisance, asb = _counts(rows, ["ASB - Nuisance"], CURRENT), _counts(rows, ASB, CURRENT)
    nuisance0, asb0 = _counts(rows, ["ASB - Nuisance"], PREVIOUS), _counts(rows, ASB, PREVIOUS)
    for district in DISTRICTS:
        row = table(books[district], "sb_summary").set_index("Indicator").loc["Nuisance anti-social behaviour incidents"]
        k, n, k0, n0 = nuisance[district], asb[district], nuisance0[district], asb0[district]
        assert 0.6 < k / n < 0.95  # nuisance is the largest category, as in the seeds
        assert row["Current 12 months"] == pytest.approx(k / n)
        assert row["Previous 12 months"] == pytest.approx(k0 / n0)
        significant = "(significant)" in row["Direction of travel"]
        assert significant == (fisher_exact([[k, n - k], [k0, n0 - k0]])[1] < 0.05)


def test_hate_incident_strands_against_the_benchmark(books, rows):
    """Each strand's share of the district's hate incidents and of the three districts', with Fisher's exact
    test of the district against the rest."""
    hate = rows[(rows["Incident Category"] == "Hate incident") & rows["month"].isin(CURRENT)]
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_hate_incident_strands").set_index("Strand")
        own, rest = hate[hate["district"] == district], hate[hate["district"] != district]
        assert set(shown.index) == set(hate["Hate Strand"])
        for strand, row in shown.iterrows():
            k, n = int((own["Hate Strand"] == strand).sum()), len(own)
            k_all, n_all = int((hate["Hate Strand"] == strand).sum()), len(hate)
            assert row[f"{district}: incidents"] == k
            assert row[f"{district} %"] == pytest.approx(k / n)
            assert row["Three districts %"] == pytest.approx(k_all / n_all)
            k_rest, n_rest = int((rest["Hate Strand"] == strand).sum()), len(rest)
            p_value = fisher_exact([[k, n - k], [k_rest, n_rest - k_rest]])[1]
            assert (row["Significance"] != "Not significantly different") == (p_value < 0.05), (district, strand)


def test_strand_finding_names_the_most_common_strand(books, rows):
    """The Key findings sheet (cells, no table) names the district's largest strand and its share."""
    hate = rows[(rows["Incident Category"] == "Hate incident") & rows["month"].isin(CURRENT)]
    for district in DISTRICTS:
        own = hate.loc[hate["district"] == district, "Hate Strand"].value_counts()
        top = own.index[0]
        share = round(own.iloc[0] / own.sum() * 100)
        texts = [c for r in load_workbook(books[district])["Key findings"].iter_rows(values_only=True) for c in r
                 if isinstance(c, str)]
        assert any(t.startswith(f"The most common hate incident strands in {district} are {top} ({share}%)")
                   for t in texts), (district, top, share)


def test_the_log_is_marked_synthetic_in_the_file_and_the_workbook(books):
    """Generated data says so where it is read: the file's title line and each workbook's Methodology note."""
    first_line = (DEMO_DATA / "police_incidents.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "SYNTHETIC" in first_line
    for district in DISTRICTS:
        notes = table(books[district], "sb_methodology").set_index("Topic")["Detail"]
        note = next(text for topic, text in notes.items() if "police_incidents" in topic or "incident log" in text.lower())
        assert note.startswith("SYNTHETIC"), note
