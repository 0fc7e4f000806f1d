"""Period-on-period measures from the SYNTHETIC aggregate tables: quarterly substance-misuse clients,
hospital admissions for violence per 100,000 by financial year, and a survey's % agreeing.

The generated workbooks are read here with openpyxl and flattened to one row per district and
period (the period's last month; "-" in the substance-misuse return means none), and every figure is
recomputed in plain Python and scipy: quarter-on-quarter and year-on-year changes with the exact
conditional test (``binomtest``, each period weighted by its denominator), Fisher's exact test for
survey proportions, rates per 1,000 from the ONS populations and per 100,000 from the table's own
population column, and which periods are compared.
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

from engine.indicators.measure_findings import measure_sentence
from engine.indicators.measures import measure_indicator
from engine.indicators.period_values import own_periods, period_label
from engine.indicators.periods import report_periods
from engine.indicators.targets import with_target
from engine.ingest import load_inputs
from engine.months import month_number
from engine.spec import load_spec
from engine.synthetic import generate_all
from ingest_helpers import REPO

END = "2022-10"
ASB = "ASB has decreased or stayed the same"
BACKGROUNDS = "People from different backgrounds get on well together"
INDICATORS = f"""
periods:
  period_end: {END}
indicators:
  - id: alcohol_clients
    name: Substance-misuse clients (alcohol)
    priority: Substance misuse
    unit: clients
    source: substance
    measure: {{kind: value, value: alcohol, compare: previous_period}}
  - id: young_people_clients
    name: Substance-misuse clients (young people)
    priority: Substance misuse
    unit: clients
    source: substance
    measure: {{kind: value, value: young_people, compare: previous_period}}
  - id: violence_admissions
    name: Hospital admissions for violence
    priority: Protecting vulnerable people
    unit: admissions
    rate_per: 100000
    source: hospital
    measure: {{kind: value, value: admissions, denominator: population, compare: previous_period}}
  - id: asb_agree
    name: Residents agreeing ASB has decreased or stayed the same
    priority: Reducing anti-social behaviour
    unit: respondents
    polarity: higher_is_better
    source: survey
    where: {{question: {{equals: "{ASB}"}}}}
    measure: {{kind: proportion, percent_column: agree, respondents_column: respondents, compare: previous_period}}
    target: {{measure: percent, at_least: 0.8, label: At least 80%}}
  - id: backgrounds_agree
    name: Residents agreeing people from different backgrounds get on well
    priority: Reducing anti-social behaviour
    unit: respondents
    polarity: higher_is_better
    source: survey
    where: {{question: {{equals: "{BACKGROUNDS}"}}}}
    measure: {{kind: proportion, percent_column: agree, respondents_column: respondents, compare: previous_period}}
"""
SOURCES = """sources:
  substance:
    type: csv
    path: {substance}
    columns:
      District: {{name: partner_area_name, strip_footnotes: true}}
      Month: {{name: month, type: month}}
      Alcohol: {{name: alcohol, type: integer}}
      Young People: {{name: young_people, type: integer}}
  hospital:
    type: csv
    path: {hospital}
    columns:
      Area: {{name: partner_area_name, strip_footnotes: true}}
      Month: {{name: month, type: month}}
      Admissions: {{name: admissions, type: integer}}
      Population: {{name: population, type: integer}}
  survey:
    type: csv
    path: {survey}
    columns:
      Area: partner_area_name
      Question: question
      Month: {{name: month, type: month}}
      "% Agree": {{name: agree, type: number}}
      Respondents: {{name: respondents, type: integer}}
"""
PERIOD_MONTHS = {"substance": 3, "hospital": 12, "survey": 3}


def quarter_end(label: str) -> str:
    """"Q2 2022-23" -> "2022-09": the last month of an April-start financial quarter."""
    quarter, year = re.match(r"Q([1-4]) (\d{4})-\d\d", label.strip()).groups()
    month = 3 + 3 * int(quarter)  # Q1 ends in June
    year = int(year) + (month > 12)
    return f"{year}-{(month - 1) % 12 + 1:02d}"


def year_end(label: str) -> str:
    """"2021/22" -> "2022-03"."""
    return f"{int(label[:4]) + 1}-03"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


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
def tables(tmp_path_factory) -> dict[str, object]:
    files = generate_all(tmp_path_factory.mktemp("aggregates"), seed=2012,
                         sources=["substance_misuse", "hospital_admissions", "resident_survey"])
    return {"substance": substance_table(files["substance_misuse"]),
            "hospital": hospital_table(files["hospital_admissions"]),
            "survey": survey_table(files["resident_survey"])}


@pytest.fixture(scope="module")
def measured(tmp_path_factory, tables):
    """Every partner area's KPI and series of each indicator, computed by the engine from the flattened tables."""
    tmp = tmp_path_factory.mktemp("period-spec")
    (tmp / "data").symlink_to(REPO / "data", target_is_directory=True)
    (tmp / "specs").mkdir()
    csvs = {
        "substance": _write(tmp / "substance.csv", ["District", "Month", "Alcohol", "Young People"],
                            [[d, m, c["Alcohol"], c["Young People"]] for (d, m), c in tables["substance"].items()]),
        "hospital": _write(tmp / "hospital.csv", ["Area", "Month", "Admissions", "Population"],
                           [[d, m, c["Admissions"], c["Population"]] for (d, m), c in tables["hospital"].items()]),
        "survey": _write(tmp / "survey.csv", ["Area", "Question", "Month", "% Agree", "Respondents"], tables["survey"]),
    }
    demo = (REPO / "specs" / "community_safety.yaml").read_text(encoding="utf-8")
    head = demo[:demo.index("\nperiods:")].replace("sources:\n", SOURCES.format(**csvs), 1)
    path = tmp / "specs" / "periods.yaml"
    path.write_text(head + INDICATORS, encoding="utf-8")
    spec, spec_dir = load_spec(path)
    inputs = load_inputs(spec, spec_dir)
    for name, months in PERIOD_MONTHS.items():
        if getattr(inputs.sources[name], "period_months", 1) == 1:  # until ingest reads quarters and years itself
            inputs.sources[name].period_months = months
    periods = report_periods(spec.periods, month_number(END), month_number("2018-04"))
    names = [str(n) for n in inputs.geography.partner_names]
    out = {}
    for indicator in spec.indicators:
        result = measure_indicator(spec, inputs, indicator, periods)
        out[indicator.id] = {name: (with_target(result.kpi(p), indicator.target), result.indicator_series(p))
                             for p, name in enumerate(names)}
    return out


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


@pytest.mark.parametrize("column, indicator_id", [("Alcohol", "alcohol_clients"), ("Young People", "young_people_clients")])
def test_clients_quarter_on_quarter(tables, measured, column, indicator_id):
    residents = populations()
    by_district = {(_clean(d), m): c for (d, m), c in tables["substance"].items()}
    known = {d: _whole(by_district[(d, "2022-09")][column]) for d in residents}
    pooled = sum(v for v in known.values() if v is not None) / sum(residents[d] for d, v in known.items() if v is not None)
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
    pairs = {d: (table[(d, "2022-03")], table[(d, "2021-03")]) for d in measured["violence_admissions"]}
    known = {d: now for d, (now, _) in pairs.items() if isinstance(now["Admissions"], int)}
    pooled = sum(c["Admissions"] for c in known.values()) / sum(c["Population"] for c in known.values()) * 100_000
    significant = 0
    for district, (kpi, _) in measured["violence_admissions"].items():
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
                         [(ASB, "asb_agree", "2022-06", "the previous quarter"),
                          (BACKGROUNDS, "backgrounds_agree", "2021-09", "Q2 2021-22")])
def test_survey_agreement(tables, measured, question, indicator_id, previous_month, words):
    cells = {(a, m): (pct, n) for a, q, m, pct, n in tables["survey"] if q == question}

    def counts(area: str, month: str) -> tuple[int, int] | None:
        pct, n = cells[(area, month)]
        if not isinstance(pct, (int, float)):
            return None
        return round(pct / 100 * n), n

    districts = list(measured[indicator_id])
    latest = {d: counts(d, "2022-09") for d in districts}
    usable = [v for v in latest.values() if v is not None]
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
        if indicator_id == "asb_agree":
            assert kpi.target_status == ("Met" if x1 / n1 >= 0.8 else "Not met")
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
