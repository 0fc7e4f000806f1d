"""Measured indicators: proportions (MARAC repeats, first-time entrants, reoffending), end to end.

The SYNTHETIC extracts are generated into a temporary folder, read back here with the csv module
and openpyxl, and every figure the Summary shows is recomputed in plain Python: the proportions
and their counts, the benchmark (the districts the spec names, pooled), the Wilson band (closed form with scipy's
normal quantile), the direction of travel (scipy's ``fisher_exact``), the threshold status and the
rank. The key-findings wording is checked against the same recomputed test result.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from scipy.stats import fisher_exact, norm

from engine.api import build, prepare
from engine.report import SUPPRESSED
from ingest_helpers import REPO
from test_partner_level_sources import (CURRENT, PREVIOUS, SOURCES as PARTNER_SOURCES, generated,  # noqa: F401
                                        partner_spec, summary_rows, youth_rows)

AREA = "Charnwood"
# The partner-level test's sources, with the caseload's reoffending flag (its last column) as well.
SOURCES = PARTNER_SOURCES + "      Outcome / Reoffended (12 months): {{name: reoffended, allowed: [Y, N]}}\n"
INDICATORS = """indicators:
  - id: marac_repeat
    name: Repeat MARAC referrals
    priority: Protecting vulnerable people
    unit: referrals
    source: marac
    measure: {kind: proportion, numerator: {repeat: {equals: "Yes"}}}
    target: {measure: percent, at_most: 0.4, label: "SafeLives threshold: at most 40%"}
  - id: youth_fte
    name: Offences by first-time entrants
    priority: Reducing offending
    unit: offences by young people
    source: youth
    measure: {kind: proportion, numerator: {first_time_entrant: {equals: Y}}}
  - id: reoffending
    name: Offenders who reoffended
    priority: Reducing offending
    unit: offenders on the caseload
    source: caseload
    measure: {kind: proportion, numerator: {reoffended: {equals: Y}}}
    target: {measure: percent, at_most: 0.15}
"""
# The benchmark as the demo spec names it: Leicestershire County, seven of the nine districts.
_BENCHMARK = yaml.safe_load((REPO / "specs" / "community_safety.yaml").read_text(encoding="utf-8"))["geography"]["benchmark"]
BENCHMARK, BENCHMARK_AREAS = _BENCHMARK["name"], set(_BENCHMARK["areas"])
WORDS = {1: "Increase (significant)", -1: "Reduction (significant)", 0: "No significant change"}
HIGH, LOW = ("Significantly High", "Very Significantly High"), ("Significantly Low", "Very Significantly Low")


#: The demo spec's sections the measures' spec keeps: its sources, geography (the benchmark), periods, rules of
#: quality, banding, change and suppression. Its maps, other sections and all its own indicators but the first (a
#: counted one beside the measures, as a partner's workbook has them) are not what these tests look at, and most of
#: the time a build of them takes.
MEASURES_ALONE = ("spec_version", "data_root", "title", "organisation", "attribution", "theme", "sources", "geography",
                  "periods", "quality", "banding", "change", "suppression")


def measures_spec(tmp_path: Path, files: dict[str, Path], indicators: str = INDICATORS) -> Path:
    """The partner-level spec (the demo's, reading the generated extracts) with only :data:`MEASURES_ALONE` of the
    demo, and ``indicators`` then the demo's first indicator as its indicators."""
    path = partner_spec(tmp_path, files, sources=SOURCES, indicators=indicators)
    blocks = re.split(r"(?m)^(?=[a-z_]+:)", path.read_text(encoding="utf-8"))
    kept = [b for b in blocks if not re.match(r"[a-z_]+:", b) or b.split(":", 1)[0] in MEASURES_ALONE]
    demo_first = re.split(r"(?m)^(?=  - id: )", blocks[-1][len(indicators):])[1]
    path.write_text("".join(kept) + indicators + demo_first, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, generated) -> Path:
    tmp = tmp_path_factory.mktemp("measures-build")
    (path,) = build(measures_spec(tmp, generated), tmp / "out", areas=[AREA])
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory, generated) -> dict[str, Any]:
    """Every district's Report from the measures spec, prepared once for the tests that read Reports."""
    tmp = tmp_path_factory.mktemp("measures-prepare")
    return {r.partner_area: r for r in prepare(measures_spec(tmp, generated)).reports}


def districts() -> set[str]:
    """The spec's partner areas, from the ONS lookup it names (the police force area's districts)."""
    with (REPO / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv").open(encoding="utf-8-sig") as handle:
        return {row["LAD23NM"] for row in csv.DictReader(handle) if row["PFA23NM"] == "Leicestershire"}


# --- independent readers: (district, (year, month), flag) for each usable row -----------------------


def marac_rows(path: Path) -> list[tuple[str, tuple[int, int], bool]]:
    with path.open(encoding="utf-8-sig") as handle:
        lines = handle.read().splitlines()[4:]
    rows = []
    for row in csv.DictReader(lines):
        month = _month_text(row["Referral Month"])
        if month is not None:
            rows.append((row["District"].strip(), month, row["Repeat Referral"] == "Yes"))
    return rows


def _month_text(text: str) -> tuple[int, int] | None:
    try:
        day = dt.datetime.strptime(text.strip(), "%b-%y")
    except ValueError:
        return None
    return day.year, day.month


def caseload_rows(path: Path) -> list[tuple[str, None, bool]]:
    sheet = load_workbook(path, read_only=True)["Caseload"]
    header = [c for c in next(sheet.iter_rows(min_row=6, max_row=6, values_only=True))]
    column = header.index("Reoffended (12 months)")
    return [(str(row[2]).strip(), None, row[column] == "Y")
            for row in sheet.iter_rows(min_row=7, values_only=True) if row[0] is not None]


def tally(rows, months) -> tuple[Counter, Counter]:
    """(numerators, denominators) by district over ``months`` (None: every row, a snapshot)."""
    numerators, denominators = Counter(), Counter()
    for district, month, flag in rows:
        if months is None or month in months:
            denominators[district] += 1
            numerators[district] += flag
    return numerators, denominators


def pooled(numerators: Counter, denominators: Counter) -> float:
    """The benchmark's proportion: its districts' numerators over their denominators."""
    return sum(numerators[d] for d in BENCHMARK_AREAS) / sum(denominators[d] for d in BENCHMARK_AREAS)


def wilson(x: int, n: int, level: float) -> tuple[float, float]:
    z = norm.ppf(1 - (1 - level) / 2)
    centre, spread = 2 * x + z * z, z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (centre - spread) / (2 * (n + z * z)), (centre + spread) / (2 * (n + z * z))


def band(x: int, n: int, benchmark: float) -> str:
    for level, word in ((0.998, "Very Significantly"), (0.95, "Significantly")):
        lower, upper = wilson(x, n, level)
        if lower > benchmark:
            return f"{word} High"
        if upper < benchmark:
            return f"{word} Low"
    return "Above Average" if x / n > benchmark else "Below Average" if x / n < benchmark else "Average"


# --- the Summary against the recomputation ---------------------------------------------------------


CASES = {"Repeat MARAC referrals": ("marac_referrals", marac_rows, True),
         "Offences by first-time entrants": ("youth_offending", youth_rows, True),
         "Offenders who reoffended": ("probation_caseload", caseload_rows, False)}


@pytest.mark.parametrize("name", list(CASES))
def test_proportions_recomputed_from_the_extracts(workbook, generated, name):
    source, reader, dated = CASES[name]
    rows = [r for r in reader(generated[source]) if r[0] in districts()]
    numerators, denominators = tally(rows, set(CURRENT) if dated else None)
    x, n = numerators[AREA], denominators[AREA]
    assert n > 30
    shown = summary_rows(workbook)[name]
    assert shown["Current"] == pytest.approx(x / n, abs=1e-12)
    benchmark = pooled(numerators, denominators)
    assert shown[f"{BENCHMARK} rate per 1,000 or %"] == pytest.approx(benchmark, abs=1e-12)
    assert shown["Rate per 1,000 or %"] == pytest.approx(x / n, abs=1e-12)
    assert shown[f"Comparison with {BENCHMARK}"] == band(x, n, benchmark)
    shares = sorted(numerators[d] / denominators[d] for d in districts())
    rank = next(v for k, v in shown.items() if k.startswith("Rank among"))
    assert rank == f"{shares.index(x / n) + 1}/{len(shares)}"
    if not dated:
        assert shown["Previous"] == "n/a" and shown["Period"] == "Snapshot"
        assert shown["Direction of travel"] == "Not compared (snapshot)"
        return
    before, totals = tally(rows, set(PREVIOUS))
    x0, n0 = before[AREA], totals[AREA]
    assert shown["Previous"] == pytest.approx(x0 / n0, abs=1e-12)
    assert shown["Change"] == pytest.approx((x / n - x0 / n0) * 100, abs=1e-9), "percentage points"
    p = fisher_exact([[x, n - x], [x0, n0 - x0]]).pvalue
    code = 0 if p >= 0.05 else (1 if x / n > x0 / n0 else -1)
    assert shown["Direction of travel"].endswith(WORDS[code])
    assert shown["Period"] == "12 months to Oct 2022"


def test_threshold_status_follows_the_recomputed_share(generated, reports):
    rows = [r for r in marac_rows(generated["marac_referrals"]) if r[0] in districts()]
    numerators, denominators = tally(rows, set(CURRENT))
    shares = {d: numerators[d] / denominators[d] for d in districts()}
    above = [d for d, s in shares.items() if s > 0.4]
    below = [d for d, s in shares.items() if s <= 0.4]
    assert above and below, "the synthetic districts sit on both sides of the SafeLives threshold"
    for district, share in shares.items():
        kpi = next(k for k in reports[district].kpis if k.indicator_id == "marac_repeat")
        assert kpi.target_status == ("Not met" if share > 0.4 else "Met")
        finding = next(f for f in reports[district].findings if f.text.startswith("Repeat MARAC referrals"))
        relation = "above" if share > 0.4 else "below" if share < 0.4 else "at"
        assert f"{share:.1%} of referrals ({numerators[district]:,} of {denominators[district]:,})" in finding.text
        assert f"{relation} the 40% threshold ({kpi.target_status.lower()})" in finding.text
        assert finding.figures["threshold"] == 0.4


def test_change_wording_follows_fishers_test(generated, reports):
    """"a significant increase/reduction" exactly where Fisher's exact test says so, else "no significant change"."""
    seen = set()
    for source, reader, indicator_id in (("marac_referrals", marac_rows, "marac_repeat"),
                                          ("youth_offending", youth_rows, "youth_fte")):
        rows = [r for r in reader(generated[source]) if r[0] in districts()]
        now, now_n = tally(rows, set(CURRENT))
        then, then_n = tally(rows, set(PREVIOUS))
        for report in reports.values():
            d = report.partner_area
            p = fisher_exact([[now[d], now_n[d] - now[d]], [then[d], then_n[d] - then[d]]]).pvalue
            kpi = next(k for k in report.kpis if k.indicator_id == indicator_id)
            text = next(f.text for f in report.findings if f.text.startswith(kpi.name))
            assert kpi.change_p_value == pytest.approx(p, rel=1e-9)
            if p < 0.05:
                word = "increase" if now[d] / now_n[d] > then[d] / then_n[d] else "reduction"
                assert f"a significant {word} from {then[d] / then_n[d]:.1%} in the previous 12 months" in text
                seen.add(word)
            else:
                assert f"no significant change from {then[d] / then_n[d]:.1%} in the previous 12 months" in text
                seen.add("none")
    assert "none" in seen and len(seen) >= 2, "both wordings occur in the synthetic data"


def test_summary_formats_proportions_as_percentages(workbook):
    sheet = load_workbook(workbook)["Summary"]
    values = [[c for c in row] for row in sheet[sheet.tables["sb_summary"].ref]]
    header = [c.value for c in values[0]]
    row = next(r for r in values[1:] if r[header.index("Indicator")].value == "Repeat MARAC referrals")
    for column in ("Previous", "Current", "Rate per 1,000 or %", f"{BENCHMARK} rate per 1,000 or %"):
        assert row[header.index(column)].number_format == "0.0%;-0.0%;0.0%", column
    assert row[header.index("Change")].number_format.endswith('" pp"')
    crime = next(r for r in values[1:] if r[header.index("Indicator")].value == "Total recorded crime")
    assert crime[header.index("Current")].number_format == "#,##0"
    assert crime[header.index("Period")].value == "12 months to Oct 2022"


def test_privacy_protected_builds_withhold_measures_of_sensitive_rows(generated, tmp_path):
    """A proportion's denominator is a count: where a sensitive indicator counts the same rows, a delivery
    build hides the whole measure rather than let "76 of 153" reveal a count the disclosure check hides."""
    sensitive = INDICATORS + """  - id: marac_count
    name: MARAC referrals counted
    priority: Protecting vulnerable people
    unit: referrals
    source: marac
    sensitive: true
"""
    path = measures_spec(tmp_path, generated, sensitive)
    delivered = prepare(path, areas=[AREA], suppress=True).reports[0]
    kpi = next(k for k in delivered.kpis if k.indicator_id == "marac_repeat")
    assert (kpi.current, kpi.previous, kpi.numerator, kpi.denominator, kpi.rate, kpi.band) == (None,) * 6
    assert kpi.direction == SUPPRESSED and kpi.target_status == SUPPRESSED
    assert not any(f.text.startswith("Repeat MARAC referrals") for f in delivered.findings)
    other = next(k for k in delivered.kpis if k.indicator_id == "youth_fte")
    assert other.current is not None, "measures of other sources are shown"
    analyst = prepare(path, areas=[AREA]).reports[0]
    assert next(k for k in analyst.kpis if k.indicator_id == "marac_repeat").current is not None


def test_snapshot_sentence_and_methods_in_words(generated, reports):
    rows = [r for r in caseload_rows(generated["probation_caseload"]) if r[0] in districts()]
    numerators, denominators = tally(rows, None)
    benchmark = pooled(numerators, denominators)
    report = reports[AREA]
    x, n = numerators[AREA], denominators[AREA]
    words = band(x, n, benchmark)
    relation = ("significantly higher than" if words in HIGH else "significantly lower than" if words in LOW
                else "not significantly different from")
    threshold = "below the 15% threshold (met)" if x / n < 0.15 else "above the 15% threshold (not met)"
    assert (f"Offenders who reoffended were {x / n:.1%} of offenders on the caseload ({x:,} of {n:,}) in the latest "
            f"snapshot, {threshold}, {relation} {benchmark:.1%} across {BENCHMARK}.") in [f.text for f in report.findings]
    notes = {n.topic: n.text for n in report.methodology}
    method = notes["Proportions, values and periods"]
    assert "Wilson score interval" in method and "Fisher's exact test" in method and "Offenders who reoffended" in method
    assert "for which Repeat Referral is Yes" in notes["Indicator: Repeat MARAC referrals"]
    assert "Repeat MARAC referrals" not in notes["Direction of travel"], "counts' test is not said of proportions"
