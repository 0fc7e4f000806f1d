"""The county dashboard's partner KPIs (specs/dashboard.yaml), recomputed from the generated extracts.

The extracts are the SYNTHETIC files ``saferbook demo`` writes (the session fixture generates them);
they are read here with ``csv`` and openpyxl in plain Python, never through the engine. The county's
repeat-MARAC-referral share is its districts' repeat referrals over their referrals (pooled), and
its first-time entrants are rows flagged Y in the youth offending extract; both over the 12 months
to the period end. The threshold status must follow the recomputed share, and a percentage KPI's
cells must carry a percentage number format.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from functools import lru_cache

import pytest
from openpyxl import load_workbook

from engine.cli import DEMO_DATA
from test_dashboard import DASHBOARD_SPEC, benchmark, dash_spec, members, subject, target_words  # noqa: F401 - the fixture
from test_dashboard import book  # noqa: F401 - pytest fixture, shared
from workbook_helpers import CURRENT, column_of, data_rows

SAFELIVES = 0.40


def _month(text: str, form: str) -> str | None:
    try:
        return dt.datetime.strptime(text.strip(), form).strftime("%Y-%m")
    except ValueError:
        return None


@lru_cache(maxsize=None)
def marac_rows() -> list[dict[str, str]]:
    """The MARAC log's referrals: five lines of title above the header, months like Jan-22."""
    with open(DEMO_DATA / "marac_referrals.csv", encoding="utf-8-sig", newline="") as handle:
        lines = handle.read().splitlines()[4:]
    return list(csv.DictReader(lines))


def county_marac() -> tuple[int, int]:
    """Repeat referrals and all referrals of the county's districts in the current 12 months."""
    rows = [r for r in marac_rows() if r["District"] in members() and _month(r["Referral Month"], "%b-%y") in CURRENT]
    return sum(r["Repeat Referral"] == "Yes" for r in rows), len(rows)


def _offence_month(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m")
    return _month(str(value), "%d/%m/%Y") if value is not None else None


@lru_cache(maxsize=None)
def county_first_time_entrants() -> int:
    """Offences flagged first-time entrant by young people of the county's districts in the current 12 months
    (a district's name may carry a footnote digit: "Melton1")."""
    ws = load_workbook(DEMO_DATA / "youth_offending.xlsx", read_only=True, data_only=True)["Offences"]
    rows = ws.iter_rows(min_row=5, values_only=True)
    header = list(next(rows))
    district, date, flag = (header.index(h) for h in ("Home District", "Offence Date", "First Time Entrant"))
    return sum(1 for row in rows if row[flag] == "Y" and re.sub(r"\d+$", "", str(row[district]).strip()) in members()
               and _offence_month(row[date]) in CURRENT)


def _indicator(indicator_id: str) -> dict:
    return next(i for i in dash_spec()["indicators"] if i["id"] == indicator_id)


def _dashboard_row(book, name: str) -> dict:  # noqa: F811
    ws, table = book.table("sb_dash_kpis")
    first, last = data_rows(table)
    headers = [c.name for c in table.tableColumns]
    col = column_of(ws, table, "Indicator")
    (row,) = [r for r in range(first, last + 1) if ws.cell(r, col).value == name]
    return {h: ws.cell(row, col - 1 + i) for i, h in enumerate(headers)}


def test_the_spec_has_the_2019_reports_partner_kpis():
    ids = {i["id"]: i["priority"] for i in dash_spec()["indicators"]}
    assert {"first_time_entrants", "adult_reoffending"} <= {k for k, v in ids.items()
                                                            if v == "Reduce offending and re-offending"}
    assert {"domestic_crime", "repeat_marac_referrals", "hospital_admissions_violence"} <= {
        k for k, v in ids.items() if v == "Protect and support the most vulnerable in communities"}
    assert {"racially_religiously_aggravated", "hate_crime", "backgrounds_get_on_well"} <= {
        k for k, v in ids.items() if v == "PREVENT"}
    assert ids["asb_decreased_or_same"] == "Continue to reduce anti-social behaviour"
    assert "PARTNER KPI" not in DASHBOARD_SPEC.read_text(encoding="utf-8")
    assert _indicator("repeat_marac_referrals")["target"]["at_most"] == SAFELIVES


def test_county_repeat_marac_share_recomputed(book):  # noqa: F811
    repeat, referrals = county_marac()
    assert referrals > 300 and 0 < repeat < referrals  # not vacuous
    share = repeat / referrals
    cells = _dashboard_row(book, _indicator("repeat_marac_referrals")["name"])
    assert cells["Current"].value == pytest.approx(share, rel=1e-12)
    assert cells[subject()["name"]].value == pytest.approx(share, rel=1e-12)
    assert cells["Measure"].value == "% of referrals"
    # the force area: every district's referrals pooled
    everyone = [r for r in marac_rows() if _month(r["Referral Month"], "%b-%y") in CURRENT
                and r["District"] not in ("Out of area", "Outside force area")]
    assert cells[benchmark()].value == pytest.approx(
        sum(r["Repeat Referral"] == "Yes" for r in everyone) / len(everyone), rel=1e-12)
    # the Districts table: the county row's number is the repeat referrals
    frame = book.frame("sb_dash_areas_repeat_marac_referrals").set_index("District")
    assert frame.loc[subject()["name"], "Number"] == repeat
    assert frame.loc[subject()["name"], "% of referrals"] == pytest.approx(share, rel=1e-12)


def test_threshold_status_follows_the_recomputed_share(book):  # noqa: F811
    repeat, referrals = county_marac()
    cells = _dashboard_row(book, _indicator("repeat_marac_referrals")["name"])
    target = _indicator("repeat_marac_referrals")["target"]
    assert cells["Target"].value == target_words(target)
    miss = repeat / referrals - SAFELIVES
    assert cells["Target status"].value == ("Met" if miss <= 0 else "Close to target" if miss <= target["amber"]
                                            else "Not met")


def test_a_percentage_kpi_has_a_percentage_format(book):  # noqa: F811
    cells = _dashboard_row(book, _indicator("repeat_marac_referrals")["name"])
    for header in ("Previous", "Current", subject()["name"], benchmark()):
        fmt = cells[header].number_format
        assert "%" in fmt and fmt.startswith("0.0"), (header, fmt)
    assert "pp" in cells["Change"].number_format  # a change in percentage points, not a percentage
    ws, table = book.table("sb_dash_areas_repeat_marac_referrals")
    col = column_of(ws, table, "% of referrals")
    first, last = data_rows(table)
    assert {ws.cell(r, col).number_format for r in range(first, last + 1)} == {"0.0%;-0.0%;0.0%"}


def test_county_first_time_entrants_recomputed(book):  # noqa: F811
    expected = county_first_time_entrants()
    assert expected > 50
    cells = _dashboard_row(book, _indicator("first_time_entrants")["name"])
    assert cells["Current"].value == expected
    assert cells["Current"].number_format == "#,##0"


def test_measured_kpis_say_their_periods_and_have_no_quarters(book):  # noqa: F811
    hospital = _dashboard_row(book, _indicator("hospital_admissions_violence")["name"])
    assert re.fullmatch(r"\d{4}/\d{2} vs \d{4}/\d{2}", hospital["Period"].value)
    assert hospital["Measure"].value == "Rate per 100,000"
    assert _dashboard_row(book, _indicator("adult_reoffending")["name"])["Period"].value == "Snapshot"
    quarterly = book.frame("sb_dash_quarterly").set_index("Indicator")
    assert set(quarterly.loc[_indicator("repeat_marac_referrals")["name"]].iloc[1:]) == {"n/a"}


def test_methodology_says_which_sources_are_synthetic(book):  # noqa: F811
    notes = {row[0]: row[1] for row in book.wb["Methodology"].iter_rows(values_only=True) if row and row[0]}
    used = {i["source"] for i in dash_spec()["indicators"]}
    synthetic = {name for name, source in dash_spec()["sources"].items() if source.get("synthetic")}
    assert synthetic and synthetic <= used
    titles = {name: source.get("title", name) for name, source in dash_spec()["sources"].items()}
    for name in synthetic:
        assert notes[f"Source: {titles[name]}"].startswith("SYNTHETIC"), name
    assert not notes[f"Source: {titles['street_crime']}"].startswith("SYNTHETIC")
    assert "pooled" in notes["Dashboard subject"] and "n/a" in notes["Quarterly trend"]
    texts = [c for row in book.wb["Dashboard"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    (note,) = [t for t in texts if t.startswith("SYNTHETIC")]
    listed = note.split(": ", 1)[1].split(". ", 1)[0].split(", ")
    assert "Repeat MARAC referrals" in listed and "Burglary" not in listed  # police.uk's burglary is real
