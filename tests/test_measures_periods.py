"""Period-on-period measures of the demo spec from the SYNTHETIC aggregate tables: quarterly
substance-misuse clients, hospital admissions for violence per 100,000 by financial year, and a
survey's % agreeing.

The engine reads the generated workbooks as the demo spec declares them (a sheet per quarter, an
unpivoted wide table, quarter labels); here they are read with openpyxl ("-" in the substance-misuse
return means none) and every figure is recomputed in plain Python and scipy: quarter-on-quarter and
year-on-year changes with the exact conditional test (``binomtest``, each period weighted by its
denominator), Fisher's exact test for survey proportions, rates per 1,000 from the ONS populations and
per 100,000 from the table's own population column, and which periods are compared. The Summary's
cells are checked against the same numbers.
"""
from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from scipy.stats import binomtest, fisher_exact

from engine.api import build, prepare
from engine.indicators.findings.measured import measure_sentence
from engine.indicators.measured.period_values import own_periods, period_label
from engine.months import month_number
from workbook_helpers import REPO, SPEC, spec

END = "2022-10"
ASB = "ASB has decreased or stayed the same"
BACKGROUNDS = "People from different backgrounds get on well together"
AREA = "North West Leicestershire"
# The pooled benchmark is over the districts the spec names (the seeds' County), not every partner area.
BENCHMARK_AREAS = frozenset(spec()["geography"]["benchmark"]["areas"])


def quarter_end(label: str) -> str:
    """"Q2 2022-23" -> "2022-09": the last month of an April-start financial quarter."""
    quarter, year = re.match(r"Q([1-4]) (\d{4})-\d\d", label.strip()).groups()
    month = 3 + 3 * int(quarter)  # Q1 ends in June
    year = int(year) + (month > 12)
    return f"{year}-{(month - 1) % 12 + 1:02d}"


def year_end(label: str) -> str:
    """"2021/22" -> "2022-03"."""
    return f"{int(label[:4]) + 1}-03"


def substance_table(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    """(district as written, quarter-end month) -> cells; "-" (none) becomes 0."""
    out = {}
    book = load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(min_row=5, values_only=True))
        header = list(rows[0])
        for row in rows[1:]:
            if row[0] is None:
                break
            cells = {h: (0 if v == "-" else v) for h, v in zip(header, row)}
            out[(str(row[0]), quarter_end(sheet.title))] = cells
    return out


def hospital_table(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(min_row=5, values_only=True))
    years = [(i, label) for i, label in enumerate(rows[0]) if label]
    out = {}
    for row in rows[2:]:
        if row[0] is None:
            break
        for i, label in years[1:]:
            out[(str(row[0]), year_end(label))] = {"Admissions": row[i], "Population": row[i + 1]}
    return out


def survey_table(path: Path) -> list[list[object]]:
    rows = list(load_workbook(path, read_only=True)["Results"].iter_rows(min_row=5, values_only=True))
    return [[r[0], r[1], quarter_end(r[2]), r[3], r[4]] for r in rows if r[0] is not None]


@pytest.fixture(scope="module")
def tables(demo_partner_data: Path) -> dict[str, object]:
    """The demo's generated tables, read with openpyxl."""
    return {"substance": substance_table(demo_partner_data / "substance_misuse_clients.xlsx"),
            "hospital": hospital_table(demo_partner_data / "hospital_admissions_violence.xlsx"),
            "survey": survey_table(demo_partner_data / "resident_survey.xlsx")}


@pytest.fixture(scope="module")
def measured() -> dict[str, dict[str, tuple]]:
    """indicator id -> district -> (KPI, series), as the demo spec's partner Reports give them."""
    out: dict[str, dict[str, tuple]] = {}
    for report in prepare(SPEC).reports:
        series = {s.indicator_id: s for s in report.series}
        for kpi in report.kpis:
            if kpi.measured:
                out.setdefault(kpi.indicator_id, {})[report.partner_area] = (kpi, series.get(kpi.indicator_id))
    return out


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> dict[str, dict[str, object]]:
    """The Summary table of one district's workbook: indicator name -> column -> cell (values and formats)."""
    (path,) = build(SPEC, tmp_path_factory.mktemp("periods-build"), areas=[AREA])
    sheet = load_workbook(path)["Summary"]
    cells = list(sheet[sheet.tables["sb_summary"].ref])
    header = [c.value for c in cells[0]]
    return {row[header.index("Indicator")].value: dict(zip(header, row)) for row in cells[1:]}


def populations() -> dict[str, int]:
    """District residents: ONS mid-2020 LSOA populations summed by the LSOA lookup's district."""
    with (REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv").open(encoding="utf-8-sig") as handle:
        district = {row["LSOA11CD"]: row["LAD22NM"] for row in csv.DictReader(handle)}
    totals: dict[str, int] = defaultdict(int)
    with (REPO / "data" / "ons" / "population20_lsoa11_leicestershire.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            totals[district[row["LSOA11CD"]]] += int(row["All Ages (mid-2020)"])
    return totals


def _clean(label: str) -> str:
    return label.rstrip("0123456789").strip()


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) else None


# --- quarter on quarter: substance-misuse clients ----------------------------------------------------


@pytest.mark.parametrize("column, indicator_id", [("Alcohol", "substance_misuse_alcohol"),
                                                  ("Young People", "substance_misuse_young_people")])
def test_clients_quarter_on_quarter(tables, measured, column, indicator_id):
    residents = populations()
    by_district = {(_clean(d), m): c for (d, m), c in tables["substance"].items()}
    known = {d: _whole(by_district[(d, "2022-09")][column]) for d in residents}
    in_benchmark = {d: v for d, v in known.items() if d in BENCHMARK_AREAS and v is not None}
    pooled = sum(in_benchmark.values()) / sum(residents[d] for d in in_benchmark)
    unknown = 0
    for district, (kpi, series) in measured[indicator_id].items():
        assert (kpi.current_period, kpi.previous_period, kpi.compared_with) == ("Q2 2022-23", "Q1 2022-23",
                                                                               "the previous quarter")
        assert series.quarter_labels == ["Q3 2020-21", "Q4 2020-21", "Q1 2021-22", "Q2 2021-22", "Q3 2021-22",
                                         "Q4 2021-22", "Q1 2022-23", "Q2 2022-23"]
        assert series.quarterly[0] is None, "no sheet for Q3 2020-21"
        assert series.quarterly[1:] == [_whole(by_district[(district, quarter_end(q))][column])
                                        for q in series.quarter_labels[1:]]
        current, previous = known[district], _whole(by_district[(district, "2022-06")][column])
        assert kpi.benchmark_rate == pytest.approx(pooled * 1000, rel=1e-12)
        if current is None or previous is None:  # 1-4 clients, suppressed by the provider
            unknown += 1
            assert kpi.direction == "Not compared" and kpi.change is None
            continue
        assert (kpi.current, kpi.previous, kpi.change) == (current, previous, current - previous)
        assert kpi.percent_change == pytest.approx((current - previous) / previous, rel=1e-12)
        assert kpi.rate == pytest.approx(current / residents[district] * 1000, rel=1e-12)
        p = binomtest(current, current + previous, 0.5).pvalue
        assert kpi.change_p_value == pytest.approx(p, rel=1e-9)
        code = 0 if p >= 0.05 else (1 if current > previous else -1)
        assert kpi.change_code == code
        sentence = measure_sentence(kpi, END, "Leicestershire").text
        assert sentence.startswith(f"{kpi.name}: {current:,} clients in Q2 2022-23, ")
        if code == 0:
            assert f"no significant change on the previous quarter ({previous:,})" in sentence
        else:
            word = "increase" if code > 0 else "reduction"
            assert f"a {abs(current - previous) / previous:.0%} {word} on the previous quarter ({previous:,})" in sentence
    assert unknown == 0 if column == "Alcohol" else unknown > 0, "small young-people counts are suppressed"


# --- year on year with the table's own population: hospital admissions per 100,000 -------------------


def test_admissions_per_100000_year_on_year(tables, measured):
    table = {(_clean(d), m): c for (d, m), c in tables["hospital"].items()}
    pairs = {d: (table[(d, "2022-03")], table[(d, "2021-03")]) for d in measured["hospital_admissions_violence"]}
    known = {d: now for d, (now, _) in pairs.items() if isinstance(now["Admissions"], int) and d in BENCHMARK_AREAS}
    pooled = sum(c["Admissions"] for c in known.values()) / sum(c["Population"] for c in known.values()) * 100_000
    significant = 0
    for district, (kpi, _) in measured["hospital_admissions_violence"].items():
        assert (kpi.value_format, kpi.current_period, kpi.previous_period) == ("rate", "2021/22", "2020/21")
        assert kpi.compared_with == "the previous financial year"
        assert kpi.benchmark_rate == pytest.approx(pooled, rel=1e-12)
        now, before = pairs[district]
        if not (isinstance(now["Admissions"], int) and isinstance(before["Admissions"], int)):
            assert kpi.direction == "Not compared"
            continue
        a1, n1, a0, n0 = now["Admissions"], now["Population"], before["Admissions"], before["Population"]
        assert kpi.current == pytest.approx(a1 / n1 * 100_000, rel=1e-12)
        assert kpi.previous == pytest.approx(a0 / n0 * 100_000, rel=1e-12)
        assert (kpi.numerator, kpi.denominator) == (a1, n1)
        p = binomtest(a1, a1 + a0, n1 / (n1 + n0)).pvalue
        assert kpi.change_p_value == pytest.approx(p, rel=1e-9)
        significant += p < 0.05
        sentence = measure_sentence(kpi, END, "Leicestershire").text
        assert f"{a1 / n1 * 100_000:,.1f} per 100,000 residents in 2021/22" in sentence
    assert significant < len(pairs), "some districts show no significant change"


# --- survey proportions: quarter on quarter, and an annual question against last year -----------------


@pytest.mark.parametrize("question, indicator_id, previous_month, words",
                         [(ASB, "asb_decreased_or_same", "2022-06", "the previous quarter"),
                          (BACKGROUNDS, "backgrounds_get_on_well", "2021-09", "Q2 2021-22")])
def test_survey_agreement(tables, measured, question, indicator_id, previous_month, words):
    cells = {(a, m): (pct, n) for a, q, m, pct, n in tables["survey"] if q == question}

    def counts(area: str, month: str) -> tuple[int, int] | None:
        pct, n = cells[(area, month)]
        if not isinstance(pct, (int, float)):
            return None
        return round(pct / 100 * n), n

    districts = list(measured[indicator_id])
    latest = {d: counts(d, "2022-09") for d in districts}
    usable = [v for d, v in latest.items() if v is not None and d in BENCHMARK_AREAS]
    pooled = sum(x for x, _ in usable) / sum(n for _, n in usable)
    for district, (kpi, _) in measured[indicator_id].items():
        assert kpi.current_period == "Q2 2022-23" and kpi.compared_with == words
        assert kpi.benchmark_rate == pytest.approx(pooled, rel=1e-12)
        now, before = latest[district], counts(district, previous_month)
        if now is None:  # fewer than 30 respondents: [c]
            assert kpi.current is None and kpi.band is None
            continue
        x1, n1 = now
        assert (kpi.numerator, kpi.denominator, kpi.current) == (x1, n1, pytest.approx(x1 / n1, rel=1e-12))
        if before is None:
            assert kpi.direction == "Not compared"
            continue
        x0, n0 = before
        p = fisher_exact([[x1, n1 - x1], [x0, n0 - x0]]).pvalue
        assert kpi.change_p_value == pytest.approx(p, rel=1e-9)
        code = 0 if p >= 0.05 else (1 if x1 / n1 > x0 / n0 else -1)
        assert kpi.change_code == code
        assert kpi.outcome == {0: "Similar", 1: "Better", -1: "Worse"}[code], "higher is better"
        sentence = measure_sentence(kpi, END, "Leicestershire").text
        change = "no significant change" if code == 0 else f"a significant {'increase' if code > 0 else 'reduction'}"
        assert f"{change} from {x0 / n0:.1%} in {words}." in sentence


# --- the periods themselves --------------------------------------------------------------------------


@pytest.mark.parametrize("last, months, label", [("2022-06", 3, "Q1 2022-23"), ("2022-09", 3, "Q2 2022-23"),
                                                  ("2022-12", 3, "Q3 2022-23"), ("2023-03", 3, "Q4 2022-23"),
                                                  ("2022-03", 12, "2021/22"), ("2022-10", 1, "Oct 2022"),
                                                  ("2022-08", 3, "Jun 2022 – Aug 2022")])
def test_period_labels(last, months, label):
    assert period_label(month_number(last), months) == label


def test_previous_period_skips_periods_without_data():
    """An annual question in a quarterly table is compared with the same quarter a year before."""
    months = np.array([month_number(m) for m in ("2021-09", "2021-09", "2022-09", "2023-03")])
    chosen = own_periods(months, 3, month_number("2022-10"))
    assert (chosen.current.label, chosen.previous.label, chosen.compared_with) == ("Q2 2022-23", "Q2 2021-22",
                                                                                  "Q2 2021-22")
    assert [s.label for s in chosen.series][-5:] == ["Q2 2021-22", "Q3 2021-22", "Q4 2021-22", "Q1 2022-23",
                                                     "Q2 2022-23"]
    assert own_periods(months, 3, month_number("2021-08")) is None, "nothing up to the period end"
    assert math.isclose(own_periods(months[:1], 3, month_number("2022-10")).current.first, month_number("2021-07"))


def test_summary_cells_say_which_periods_and_in_which_units(tables, summary):
    """One district's Summary: the Period column, counts as counts, a rate per 100,000 that says so beside rates
    per 1,000, shares as percentages with their change in percentage points."""
    residents = populations()[AREA]
    clients = {(_clean(d), m): c for (d, m), c in tables["substance"].items()}
    row = summary["Clients in treatment for alcohol"]
    now, before = clients[(AREA, "2022-09")]["Alcohol"], clients[(AREA, "2022-06")]["Alcohol"]
    assert row["Period"].value == "Q2 2022-23 vs Q1 2022-23"
    assert (row["Previous"].value, row["Current"].value, row["Change"].value) == (before, now, now - before)
    assert row["Current"].number_format == "#,##0"
    assert row["Rate per 1,000 or %"].value == pytest.approx(now / residents * 1000, rel=1e-12)

    admissions = {(_clean(d), m): c for (d, m), c in tables["hospital"].items()}[(AREA, "2022-03")]
    row = summary["Hospital admissions for violence"]
    assert row["Period"].value == "2021/22 vs 2020/21"
    assert row["Current"].value == pytest.approx(admissions["Admissions"] / admissions["Population"] * 100_000,
                                                 rel=1e-12)
    assert row["Current"].number_format.endswith('" per 100,000"'), "not to be read as per 1,000"

    cells = {(a, m): (pct, n) for a, q, m, pct, n in tables["survey"] if q == ASB}
    (pct1, n1), (pct0, n0) = cells[(AREA, "2022-09")], cells[(AREA, "2022-06")]
    share1, share0 = round(pct1 / 100 * n1) / n1, round(pct0 / 100 * n0) / n0
    row = summary["Residents agreeing ASB has decreased or stayed the same"]
    assert (row["Previous"].value, row["Current"].value) == (pytest.approx(share0), pytest.approx(share1))
    assert row["Current"].number_format == "0.0%;-0.0%;0.0%"
    assert row["Change"].value == pytest.approx((share1 - share0) * 100) and row["Change"].number_format.endswith('" pp"')
    assert row["Better or worse"].value in ("Better", "Worse", "Similar")

    row = summary["Offenders on the probation caseload who reoffended"]
    assert (row["Period"].value, row["Previous"].value, row["Direction of travel"].value) == (
        "Snapshot", "n/a", "Not compared (snapshot)")
    assert summary["Total recorded crime"]["Period"].value == "12 months to Oct 2022"
