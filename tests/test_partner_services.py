"""The domestic-abuse service's referrals (the seeds' UAVA: how many, from whom, at what risk, how many repeats,
by district) and substance-misuse treatment demographics (age, sex, ethnicity, substance against the county),
from the SYNTHETIC provider spreadsheets, checked with plain pandas and scipy.

``tests/specs/partner_services.yaml`` reads both for four districts, among them the ones whose labels carry
footnote digits. Expected values come from the generated rows read here (tests/synthetic_truth.py: every sheet,
footnote digits stripped, Excel and typed dates), never from the engine.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.stats import fisher_exact

import synthetic_truth as truth
from engine.api import build, prepare
from engine.cli import DEMO_DATA
from test_examples import CURRENT, PREVIOUS, table

SPEC = Path(__file__).parent / "specs" / "partner_services.yaml"
DISTRICTS = ["Leicester", "Melton", "North West Leicestershire", "Rutland"]
BENCHMARK = "Four districts"
FINANCIAL_YEAR = pd.period_range("2021-04", "2022-03", freq="M").strftime("%Y-%m").tolist()
REPEAT = "Victim / Repeat Referral"
SOURCE, RISK = "Referral / Referral Source", "Victim / DASH Risk Level"
GROUP = "Treatment / Client Group"
TREATMENT = {"Age": "Demographics / Age Band", "Sex": "Demographics / Sex", "Ethnicity": "Demographics / Ethnicity",
             "Primary substance": "Treatment / Primary Substance"}
NOT_RECORDED = {"-", "[c]"}  # the files' markers: no DASH assessment; ethnicity withheld by the provider


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = [p for p in build(SPEC, tmp_path_factory.mktemp("services")) if p.suffix == ".xlsx"]
    return {d: next(p for p in paths if p.name.startswith(f"{d.replace(' ', '_')}_E")) for d in DISTRICTS}


@pytest.fixture(scope="module")
def referrals() -> pd.DataFrame:
    return truth.uava_referrals(DEMO_DATA, known=DISTRICTS)


@pytest.fixture(scope="module")
def clients() -> pd.DataFrame:
    return truth.treatment_presentations(DEMO_DATA, known=DISTRICTS)


def _summary(book: Path) -> pd.DataFrame:
    return table(book, "sb_summary").set_index("Indicator")


def _significant(k: int, n: int, k_rest: int, n_rest: int) -> bool:
    return fisher_exact([[k, n - k], [k_rest, n_rest - k_rest]])[1] < 0.05


def _category(rows: pd.DataFrame, column: str, category: str) -> pd.Series:
    """Rows in ``category``; "Not recorded" is a marker cell (as the engine lists rows with no value)."""
    return rows[column].isin(NOT_RECORDED) if category == "Not recorded" else rows[column] == category


# --------------------------------------------------------------------------------------------
# The layout's quirks
# --------------------------------------------------------------------------------------------

def test_the_files_have_the_quirks_the_spec_reads():
    """What the figures below depend on: a sheet name with a trailing space, footnoted district labels among
    the four, dates typed as text in the window, and the marker cells."""
    entry = truth.manifest(DEMO_DATA)["sources"]
    uava, treatment = entry["uava_referrals"], entry["treatment_presentations"]
    assert any(name != name.rstrip() for name in uava["sheets"])
    assert set(uava["footnoted_labels"].values()) & set(DISTRICTS)
    assert set(treatment["footnoted_labels"].values()) & set(DISTRICTS)
    assert uava["text_dates"] > 0 and treatment["text_dates"] > 0
    assert uava["markers"]["-"]["count"] > 0 and treatment["markers"]["[c]"]["count"] > 0


def test_every_sheet_and_footnoted_district_is_read(books, referrals):
    """Each district's referrals over the two windows equal a pandas count over every sheet (the one whose name
    ends in a space too), footnote digits stripped: a sheet or a label missed would fall short."""
    sheets = referrals.loc[referrals["month"].isin(CURRENT + PREVIOUS), "sheet"]
    assert (sheets != sheets.str.rstrip()).any()
    for district in DISTRICTS:
        summary = _summary(books[district]).loc["Referrals to the domestic abuse service (UAVA)"]
        rows = referrals[referrals["district"] == district]
        assert summary["Previous 12 months"] + summary["Current 12 months"] == rows["month"].isin(CURRENT + PREVIOUS).sum()


# --------------------------------------------------------------------------------------------
# UAVA referrals
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, rows_of", [
    ("Referrals to the domestic abuse service (UAVA)", "referrals"),
    ("New presentations to substance-misuse treatment", "clients"),
])
def test_counts_and_their_trend_equal_pandas(books, request, name, rows_of):
    rows = request.getfixturevalue(rows_of)
    for months, column in ((CURRENT, "Current 12 months"), (PREVIOUS, "Previous 12 months")):
        counts = rows[rows["month"].isin(months)].groupby("district").size()
        for district in DISTRICTS:
            assert _summary(books[district]).loc[name, column] == counts[district], (name, district, column)


def test_share_of_repeat_referrals(books, referrals):
    for district in DISTRICTS:
        row = _summary(books[district]).loc["Repeat referrals to the domestic abuse service (UAVA)"]
        for months, column in ((CURRENT, "Current 12 months"), (PREVIOUS, "Previous 12 months")):
            rows = referrals[(referrals["district"] == district) & referrals["month"].isin(months)]
            assert row[column] == pytest.approx((rows[REPEAT] == "Y").mean())


def test_referrals_by_source_and_risk_with_the_repeat_share_of_each(books, referrals):
    now = referrals[referrals["month"].isin(CURRENT)]
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_uava_referrals").set_index(["Characteristic", "Category"])
        own, rest = now[now["district"] == district], now[now["district"] != district]
        assert {c for g, c in shown.index if g == "Referred by"} == set(now[SOURCE])
        assert [c for g, c in shown.index if g == "Risk level (DASH)"] == ["High", "Medium", "Standard", "Not recorded"]
        for (group, category), row in shown.iterrows():
            column = SOURCE if group == "Referred by" else RISK
            mine, others = _category(own, column, category), _category(rest, column, category)
            k, k_rest = int(mine.sum()), int(others.sum())
            assert row["All referrals: n"] == k
            assert row[f"All referrals: {district} %"] == pytest.approx(k / len(own))
            assert row[f"All referrals: {BENCHMARK} %"] == pytest.approx((k + k_rest) / len(now))
            assert (row["All referrals: significance"] != "Not significantly different") == \
                _significant(k, len(own), k_rest, len(rest)), (district, category)
            # percent_of: category — the share of this group's referrals that were repeats
            r, r_rest = int((own[mine][REPEAT] == "Y").sum()), int((rest[others][REPEAT] == "Y").sum())
            assert (row["Repeat referrals: n"], row["Repeat referrals: out of"]) == (r, k)
            if k:
                assert row[f"Repeat referrals: {district} %"] == pytest.approx(r / k)


def test_repeat_referrals_by_district(books, referrals):
    now = referrals[referrals["month"].isin(CURRENT)]
    repeats, totals = now[now[REPEAT] == "Y"].groupby("district").size(), now.groupby("district").size()
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_uava_repeat_referrals").set_index("District")
        assert shown.loc[f"{BENCHMARK} (benchmark)", "Referrals"] == len(now)
        for other in DISTRICTS:
            row = shown.loc[other]
            assert (row["Referrals"], row["Repeat referrals"]) == (totals[other], repeats[other])
            assert row["Repeat referrals %"] == pytest.approx(repeats[other] / totals[other])
            assert (row["Significance"] != "Not significantly different") == _significant(
                repeats[other], totals[other], repeats.sum() - repeats[other], len(now) - totals[other])


# --------------------------------------------------------------------------------------------
# Treatment demographics
# --------------------------------------------------------------------------------------------

def _check_block(shown: pd.DataFrame, rows: pd.DataFrame, district: str, prefix: str, count: str) -> None:
    own, rest = rows[rows["district"] == district], rows[rows["district"] != district]
    for (group, category), row in shown.iterrows():
        mine, others = _category(own, TREATMENT[group], category), _category(rest, TREATMENT[group], category)
        k, k_rest = int(mine.sum()), int(others.sum())
        assert row[f"{prefix}{count}"] == k, (district, group, category)
        assert row[f"{prefix}{district} %"] == pytest.approx(k / len(own))
        assert row[f"{prefix}{BENCHMARK} %"] == pytest.approx((k + k_rest) / len(rows))
        significance = row[f"{prefix}significance" if prefix else "Significance"]
        assert (significance != "Not significantly different") == _significant(k, len(own), k_rest, len(rest))


def test_adult_treatment_profile_by_drugs_and_alcohol(books, clients):
    year = clients[clients["month"].isin(FINANCIAL_YEAR)]
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_treatment_adults").set_index(["Characteristic", "Category"])
        assert {g for g, _ in shown.index} == {"Age", "Sex", "Ethnicity", "Primary substance"}
        for subset, group in (("Adults (drugs)", "Adult drug"), ("Adults (alcohol)", "Adult alcohol")):
            _check_block(shown, year[year[GROUP] == group], district, f"{subset}: ", "n")


def test_young_peoples_treatment_profile(books, clients):
    year = clients[clients["month"].isin(FINANCIAL_YEAR) & (clients[GROUP] == "Young people")]
    for district in DISTRICTS:
        shown = table(books[district], "sb_breakdown_treatment_young_people").set_index(["Characteristic", "Category"])
        assert {c for g, c in shown.index if g == "Primary substance"} == set(year[TREATMENT["Primary substance"]])
        _check_block(shown, year, district, "", f"{district}: clients")


def test_withheld_ethnicity_is_not_recorded_not_a_group(books, clients):
    """The provider's [c] (an ethnic group fewer than five of a district's clients share) is listed as not
    recorded, never as a category of its own or counted as White British."""
    year = clients[clients["month"].isin(FINANCIAL_YEAR) & clients[GROUP].str.startswith("Adult")]
    withheld = year[year[TREATMENT["Ethnicity"]] == "[c]"]
    assert len(withheld) > 0
    for district in withheld["district"].unique():
        shown = table(books[district], "sb_breakdown_treatment_adults").set_index(["Characteristic", "Category"])
        assert ("Ethnicity", "[c]") not in shown.index
        assert shown.loc[("Ethnicity", "Not recorded"), ["Adults (drugs): n", "Adults (alcohol): n"]].sum() == \
            (withheld["district"] == district).sum()


def test_the_note_says_national_figures_are_not_available(books):
    for book in books.values():
        texts = [c for row in load_workbook(book, read_only=True)["Profiles"].iter_rows(values_only=True)
                 for c in row if isinstance(c, str)]
        assert sum("national treatment figures are not available in this build" in t.lower() for t in texts) == 2


# --------------------------------------------------------------------------------------------
# Key findings and a protected build
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plain():
    return {r.partner_area: r for r in prepare(SPEC).reports}


@pytest.fixture(scope="module")
def protected():
    return {r.partner_area: r for r in prepare(SPEC, suppress=True).reports}


SUBJECTS = {"uava_referrals": "referrals to the domestic abuse service",
            "uava_repeat_referrals": "repeat referral rate to the domestic abuse service",
            "treatment_adults": "adults starting substance-misuse treatment",
            "treatment_young_people": "young people starting substance-misuse treatment"}


def test_findings_name_what_is_significant(plain):
    """Each new breakdown has its sentence; where a district differs significantly (in the first column group,
    which the sentences describe, and a recorded category), a sentence says so with the category's figures."""
    said_significant = 0
    for district, report in plain.items():
        texts = [f.text for f in report.findings]
        for breakdown in report.breakdowns:
            if breakdown.breakdown_id not in SUBJECTS:
                continue
            subject = SUBJECTS[breakdown.breakdown_id]
            mine = [t for t in texts if subject in t]
            assert mine, (district, subject)
            first = breakdown.subsets[0] if breakdown.subsets else ""
            rows = [r for r in breakdown.rows if r.significance.startswith("Significantly") and r.subset == first
                    and r.category != "Not recorded" and (breakdown.layout != "partner_areas" or r.highlight)]
            for row in rows:
                said_significant += 1
                assert any("significantly" in t and f"{row.percent:.0%}" in t for t in mine), (district, row)
    assert said_significant > 0


def test_a_protected_build_hides_the_small_counts(plain, protected):
    """Built for partners, no count of 1 to 4 of the two sensitive indicators is shown (KPIs, months, quarters,
    their sources' breakdowns), some are hidden, every shown breakdown count is the unprotected build's, and every
    breakdown is kept, the one of every district's figures (layout: partner_areas) too: each district's row of it is
    checked with that district's own figures."""
    sensitive = {"uava_referrals", "treatment_presentations"}
    hidden = 0
    for district, report in protected.items():
        for kpi in (k for k in report.kpis if k.indicator_id in sensitive):
            assert all(v is None or not 0 < v < 5 for v in (kpi.previous, kpi.current))
        for series in (s for s in report.series if s.indicator_id in sensitive):
            shown = [v for v in series.monthly + series.quarterly if v is not None]
            assert not [v for v in shown if 0 < v < 5], (district, series.indicator_id)
            hidden += series.monthly.count(None)
        kept = {b.breakdown_id: b for b in report.breakdowns}
        assert set(SUBJECTS) <= {b.breakdown_id for b in plain[district].breakdowns}
        assert set(SUBJECTS) <= set(kept)
        for b in (kept[i] for i in set(SUBJECTS) & set(kept)):
            before = next(p for p in plain[district].breakdowns if p.breakdown_id == b.breakdown_id)
            for row, original in zip(b.rows, before.rows):
                assert row.count in (None, original.count) and row.base in (None, original.base)
                assert not (row.count is not None and 0 < row.count < 5), (district, b.breakdown_id, row.category)
                assert not (row.base is not None and 0 < row.base < 5), (district, b.breakdown_id, row.category)
                assert (row.count is None) == ("count" in row.suppressed)
                if 0 < original.count < 5:
                    assert row.count is None and row.percent is None, (district, b.breakdown_id, row.category)
    small = sum(0 < v < 5 for r in plain.values() for s in r.series if s.indicator_id in sensitive for v in s.monthly)
    assert small > 0 and hidden >= small


def test_a_long_table_note_wraps_within_the_printed_width(books):
    """A breakdown's note with its own sentence is longer than a printed line: it wraps across the table's
    columns (a merged cell with wrapped text and a taller row), not running off the page."""
    ws = load_workbook(books["Rutland"])["Profiles"]
    notes = [c for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "national treatment figures are not available" in c.value.lower()]
    assert len(notes) == 2
    for cell in notes:
        assert cell.alignment.wrap_text, cell.coordinate
        merged = next(r for r in ws.merged_cells.ranges if cell.coordinate in r)
        assert merged.max_col - merged.min_col >= 3
        assert ws.row_dimensions[cell.row].height and ws.row_dimensions[cell.row].height > 15


@pytest.mark.parametrize("source, district_column", [("uava_referrals", "Victim / District"),
                                                      ("treatment_presentations", "Client / Home District")])
def test_the_bad_dates_are_rejected_row_by_row(books, source, district_column):
    """Exactly the rows the manifest says were given impossible dates (on whichever sheet, the one named with a
    trailing space too) are rejected, each listed with its sheet and file row in its district's data-quality file."""
    entry = truth.manifest(DEMO_DATA)["sources"][source]
    expected = set()
    for sheet, row in entry["bad_row_numbers"]["bad_date"]:
        label = truth.read_source(DEMO_DATA, source, sheet).iloc[row - entry["first_data_row"]][district_column]
        if re.sub(r"\d+$", "", label) in DISTRICTS:
            expected.add((sheet, row))
    assert expected
    rejected = set()
    for book in books.values():
        with open(book.with_name(f"{book.stem}_data_quality.csv"), encoding="utf-8-sig", newline="") as f:
            rejected |= {(r["sheet"], int(r["row"])) for r in csv.DictReader(f)
                         if r["source"] == source and r["action"] == "rejected"}
    assert rejected == expected
