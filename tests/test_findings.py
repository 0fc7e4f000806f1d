"""Key findings: every sentence's numbers and words checked against an independent computation.

The expected side is plain pandas + scipy from the raw police.uk CSVs and ONS populations in
``data/`` (via ``tests/workbook_helpers.py``'s recomputation), never the engine's own numbers;
the wording rules are the ones the findings promise: "increased"/"reduced" only when the exact
conditional test (scipy's ``binomtest``) is significant at 95%, otherwise "showed no significant
change"; a peak only when the busiest three months are significantly busy.
"""
from __future__ import annotations

import re

import pytest
from scipy.stats import binomtest

from engine.api import prepare
from engine.indicators.findings.key_findings import change_sentence
from engine.report import Kpi
from workbook_helpers import CURRENT, SPEC, indicators, load_raw, spec, unit

LEVEL = 0.95


def _kpi(**overrides) -> Kpi:
    base = dict(indicator_id="burglary", name="Burglary", priority="Crime", unit="crimes", previous=100, current=131,
                change=31, percent_change=0.31, direction="Increase (significant)", outcome="Worse", rate=1.0,
                benchmark_rate=1.0, band="Average", rate_per=1000, change_code=1)
    base.update(overrides)
    return Kpi(**base)


def test_wording_follows_significance_not_the_sign():
    up = change_sentence(_kpi(), "2022-09", None).text
    assert up == "Burglary increased by 31% (31 crimes) in the 12 months to September 2022."
    down = change_sentence(_kpi(current=871, previous=1000, change=-129, percent_change=-0.129, change_code=-1),
                           "2022-09", None).text
    assert down == "Burglary reduced by 13% (129 crimes) in the 12 months to September 2022."
    flat = change_sentence(_kpi(current=104, change=4, percent_change=0.04, change_code=0), "2022-09", None).text
    assert "no significant change" in flat and "increased" not in flat and "104" in flat and "100" in flat


@pytest.fixture(scope="module")
def reports():
    return {r.partner_area: r for r in prepare(SPEC).reports}


def _raw_totals(indicator_id: str, area: str) -> tuple[int, int]:
    """(current 12 months, previous 12 months) from the raw CSVs, by plain pandas."""
    raw = load_raw()
    previous = [m for m in raw.data_months if m < CURRENT[0]][-12:]
    assert len(previous) == 12
    return raw.count(indicator_id, CURRENT, area), raw.count(indicator_id, previous, area)


@pytest.mark.parametrize("area", ["Rutland", "Melton", "Leicester", "North West Leicestershire"])
def test_every_change_sentence_quotes_the_recomputed_numbers(reports, area):
    report = reports[area]
    changes = [f for f in report.findings if f.topic == "change"]
    assert changes, "the headline indicator always has a change sentence"
    ids = {i["name"]: i["id"] for i in indicators()}
    police = {i["name"] for i in indicators() if i.get("source", "street_crime") == "street_crime"}
    for finding in changes:
        name = next((n for n in sorted(ids, key=len, reverse=True) if finding.text.startswith(n)), None)
        if name not in police:  # a partner source's indicator (fires, youth offending): not in the police.uk files
            continue
        current, previous = _raw_totals(ids[name], area)
        assert (int(finding.figures["current"]), int(finding.figures["previous"])) == (current, previous)
        p_value = binomtest(current, current + previous, 0.5).pvalue  # equal populations in both periods
        if p_value < 1 - LEVEL:
            verb = "increased" if current > previous else "reduced"
            percent = round(abs(current - previous) / previous * 100)
            assert re.search(rf"{verb} by {percent}% \({abs(current - previous):,} {unit(ids[name])}\)", finding.text), finding.text
        else:
            assert "showed no significant change" in finding.text, finding.text
        assert "in the 12 months to October 2022" in finding.text


@pytest.mark.parametrize("area", ["Rutland", "Leicester"])
def test_hotspot_and_share_sentences(reports, area):
    """The hotspot is the top 10's first row; the largest category's share is recomputed from raw rows."""
    report = reports[area]
    by_topic = {f.topic: f for f in report.findings}
    top = report.top_tables[0].rows[0]
    assert f"is {top.name} " in by_topic["hotspot"].text and f"{top.count:,}" in by_topic["hotspot"].text
    raw = load_raw()
    breakdown = spec()["breakdowns"][0]
    counts = raw.by_crime_type(breakdown["where"], CURRENT, area)
    largest = counts.idxmax()
    share = counts[largest] / counts.sum()
    assert by_topic["share"].text.startswith(f"{largest} accounts for {share:.1%}")
