"""The county performance dashboard (specs/dashboard.yaml): structure, and every number recomputed.

The workbook is built once with ``engine.api.build`` (the engine's only use here). Expected
values come from plain pandas and scipy on the raw police.uk CSVs and ONS lookups under
``data/`` (``workbook_helpers.load_raw``) and from the spec read as plain YAML: the subject's
KPIs (counts, change, % change, the exact test's direction, rate, the benchmark's rate, the
Byar's-interval band, the target status), its eight quarters, and each district's count, rate and
band against the subject. Structure: sheets, table names and headers, conditional-format rules
and the cells they cover, chart series ranges, sparkline ranges, number formats, print setup.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
import yaml
from openpyxl.utils.cell import get_column_letter, range_boundaries
from scipy.stats import binomtest

from test_end_to_end import band
from test_workbook_structure import _band_ranges, _check_print_settings, _check_seven_band_rules, _format_ok, _frozen
from workbook_helpers import (CURRENT, NS, PERIOD_END, RATE, REPO, Book, Raw, column_of, data_rows, load_raw,
                              parse_ref, read_book, rolling_quarters, short_quarter_label)

DASHBOARD_SPEC = REPO / "specs" / "dashboard.yaml"
PREVIOUS = pd.period_range(end="2021-10", periods=12, freq="M").strftime("%Y-%m").tolist()
SHEETS = ["Dashboard", "Front page", "Key findings", "Quarterly trend", "Districts", "Comparisons", "Profiles", "Maps",
          "Methodology", "Data Quality"]  # Comparisons: the spec's published force / region / England rates;
# Profiles: its published tables
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
ARROW = {"Increase (significant)": "▲", "Reduction (significant)": "▼", "No significant change": "►"}


# --------------------------------------------------------------------------------------------
# The expected side: the spec as YAML, the raw files through pandas and scipy
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def dash_spec() -> dict:
    return yaml.safe_load(DASHBOARD_SPEC.read_text(encoding="utf-8"))


def subject() -> dict:
    return dash_spec()["dashboard"]["subject"]


def members() -> list[str]:
    """The seven county districts, named in the spec (the lookup column is LAD23NM)."""
    (column, condition), = subject()["where"].items()
    assert column == "LAD23NM" and set(condition) == {"in"}
    return sorted(condition["in"])


def benchmark() -> str:
    return dash_spec()["geography"]["benchmark"]["name"]


def kpis_in_order() -> list[dict]:
    """Grouped by priority (the outcome), in order of first appearance; spec order within."""
    indicators = dash_spec()["indicators"]
    order = list(dict.fromkeys(i["priority"] for i in indicators))
    return sorted(indicators, key=lambda i: order.index(i["priority"]))


def police_kpis() -> list[dict]:
    """The KPIs counted from the police.uk files (the partner KPIs are tested in test_dashboard_partners.py)."""
    return [i for i in kpis_in_order() if i["source"] == "street_crime"]


def counted_kpis() -> list[dict]:
    """KPIs without a measure block: counts with rolling quarters (measured ones have none on the dashboard)."""
    return [i for i in kpis_in_order() if "measure" not in i]


def polarity_of(name: str) -> str:
    return next(i.get("polarity", "higher_is_worse") for i in kpis_in_order() if i["name"] == name)


def direction(current: int, previous: int) -> str:
    """The exact conditional test for two Poisson counts with equal populations: binomial, p = ½."""
    if current + previous == 0 or binomtest(current, current + previous, 0.5).pvalue >= 0.05:
        return "No significant change"
    return "Increase (significant)" if current > previous else "Reduction (significant)"


def better_or_worse(words: str, polarity: str) -> str:
    if words == "No significant change":
        return "Similar"
    if polarity == "neither":
        return "Neither"
    worse = words.startswith("Increase") == (polarity == "higher_is_worse")
    return "Worse" if worse else "Better"


def count(raw: Raw, ind: dict, months: list[str], areas: list[str]) -> int:
    return int(sum(raw.select(ind["where"], months, area)["n"].sum() for area in areas))


def target_words(target: dict) -> str:
    """The spec's label, and its amber tolerance in percentage points when it sets one."""
    amber = target.get("amber")
    return target["label"] + (f" (amber: {amber * 100:g} points)" if amber else "")


def expected_kpi(raw: Raw, ind: dict) -> dict[str, Any]:
    everyone = list(raw.district_pop.index)
    current, previous = count(raw, ind, CURRENT, members()), count(raw, ind, PREVIOUS, members())
    population = float(raw.district_pop[members()].sum())
    bench_rate = count(raw, ind, CURRENT, everyone) / float(raw.district_pop.sum()) * 1000
    words = direction(current, previous)
    percent = (current - previous) / previous
    target = ind.get("target")
    status = None
    if target:
        assert target["measure"] == "percent_change" and set(target) >= {"at_most"}
        miss = percent - target["at_most"]
        status = "Met" if miss <= 0 else "Close to target" if miss <= target.get("amber", -1) else "Not met"
    return {"current": current, "previous": previous, "change": current - previous, "percent": percent,
            "rate": current / population * 1000, "bench_rate": bench_rate, "direction": words,
            "outcome": better_or_worse(words, ind.get("polarity", "higher_is_worse")),
            "band": band(current, population, bench_rate), "target": target_words(target) if target else None,
            "status": status}


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def raw() -> Raw:
    return load_raw()


@pytest.fixture(scope="module")
def book(dashboard_build: Path) -> Book:
    """The dashboard as ``engine.api.build`` writes it (conftest's, shared by the files that read it)."""
    out = dashboard_build.parent
    assert sorted(p.name for p in out.glob("*.xlsx")) == [f"{subject()['name'].replace(' ', '_')}_{PERIOD_END}.xlsx"]
    assert (out / f"{dashboard_build.stem}_data_quality.csv").is_file()
    return read_book(subject()["name"], dashboard_build)


def test_subject_is_the_seven_county_districts(raw):
    """Not vacuous: the subject leaves out two of the nine partner areas, and is most of the force area."""
    assert len(members()) == 7 and set(members()) < set(raw.district_pop.index)
    assert sorted(set(raw.district_pop.index) - set(members())) == ["Leicester", "Rutland"]


def test_sheets_and_tables(book):
    assert book.wb.sheetnames == [*SHEETS, "_saferbook"] == book.sheet_order  # and the hidden settings for Refresh
    assert book.wb["_saferbook"].sheet_state == "hidden"
    expected = {
        "Dashboard": ["sb_dash_kpis"], "Front page": [], "Key findings": [], "Quarterly trend": ["sb_dash_quarterly"],
        "Districts": [f"sb_dash_areas_{i['id']}" for i in kpis_in_order()], "Comparisons": ["sb_comparators"],
        "Profiles": ["sb_published_youth_justice"], "Maps": [],
        "Methodology": ["sb_methodology", "sb_data_quality"], "Data Quality": ["sb_data_quality_rows"], "_saferbook": [],
    }
    for ws in book.wb.worksheets:
        names = sorted(ws.tables, key=lambda n: range_boundaries(ws.tables[n].ref)[1])
        assert names == expected[ws.title], ws.title


def test_kpi_table_headers(book):
    ws, table = book.table("sb_dash_kpis")
    header = [c.name for c in table.tableColumns]
    assert header == ["Outcome", "Indicator", "Period", "Previous", "Current", "Change", "% change",
                      "Direction of travel", "Better or worse", "Measure", subject()["name"], benchmark(),
                      f"Comparison with {benchmark()}", "Last 8 quarters", "Target", "Target status"]


def test_subject_kpis_recomputed_from_the_raw_files(book, raw):
    frame = book.frame("sb_dash_kpis")
    assert list(frame["Indicator"]) == [i["name"] for i in kpis_in_order()]
    assert list(frame["Outcome"]) == [i["priority"] for i in kpis_in_order()]
    rows = frame.set_index("Indicator", drop=False)
    for ind in police_kpis():
        row = rows.loc[ind["name"]]
        e = expected_kpi(raw, ind)
        label = ind["id"]
        assert row["Period"] == f"12 months to {pd.Period(PERIOD_END).strftime('%b %Y')}", label
        assert (row["Previous"], row["Current"], row["Change"]) == \
               (e["previous"], e["current"], e["change"]), label
        assert row["% change"] == pytest.approx(e["percent"], rel=1e-12), label
        assert row["Direction of travel"] == f"{ARROW[e['direction']]} {e['direction']}", label
        assert row["Better or worse"] == e["outcome"], label
        assert row["Measure"] == "Rate per 1,000", label
        assert row[subject()["name"]] == pytest.approx(e["rate"], rel=1e-12), label
        assert row[benchmark()] == pytest.approx(e["bench_rate"], rel=1e-12), label
        assert row[f"Comparison with {benchmark()}"] == e["band"], label
        shown = [None if pd.isna(row[h]) else row[h] for h in ("Target", "Target status")]
        assert shown == [e["target"], e["status"]], label


def test_the_checks_are_not_trivial(book, raw):
    """The workbook shows more than one direction, outcome and target status, and a significant change both ways."""
    frame = book.frame("sb_dash_kpis")
    frame = frame[frame["Indicator"].isin([i["name"] for i in police_kpis()])]
    assert frame["Direction of travel"].nunique() == 3
    assert {"Worse", "Similar", "Neither"} <= set(frame["Better or worse"])
    assert {"Met", "Not met"} <= set(frame["Target status"].dropna()) <= {"Met", "Close to target", "Not met"}
    bands = {b for ind in police_kpis() for b in book.frame(f"sb_dash_areas_{ind['id']}")[
        f"Comparison with {subject()['name']}"].dropna()}
    assert len(bands) >= 5, bands


def test_quarterly_counts_recomputed(book, raw):
    frame = book.frame("sb_dash_quarterly")
    quarters = rolling_quarters()
    labels = [short_quarter_label(pd.Period(q[0]), pd.Period(q[-1])) for q in quarters]
    assert list(frame.columns) == ["Outcome", "Indicator", *labels]
    assert list(frame["Indicator"]) == [i["name"] for i in kpis_in_order()]
    rows = frame.set_index("Indicator")
    for ind in police_kpis():
        assert [rows.loc[ind["name"], label] for label in labels] == \
               [count(raw, ind, q, members()) for q in quarters], ind["id"]
    for ind in kpis_in_order():  # measured indicators: n/a (the Methodology sheet says why)
        if "measure" in ind:
            assert [rows.loc[ind["name"], label] for label in labels] == ["n/a"] * len(labels), ind["id"]
    # The last four quarters add up to the current 12 months on the Dashboard
    names = [i["name"] for i in counted_kpis()]
    kpis = book.frame("sb_dash_kpis").set_index("Indicator")
    assert list(rows.loc[names, labels[-4:]].sum(axis=1)) == list(kpis.loc[names, "Current"])


def test_districts_recomputed(book, raw):
    name = subject()["name"]
    for ind in police_kpis():
        frame = book.frame(f"sb_dash_areas_{ind['id']}")
        assert list(frame.columns) == ["District", "Current 12 months", "Rate per 1,000", f"Comparison with {name}",
                                       "% change", "Direction of travel", "Better or worse"]
        assert list(frame["District"]) == members() + [name, benchmark()]
        e = expected_kpi(raw, ind)
        for _, row in frame.iloc[: len(members())].iterrows():
            area = row["District"]
            current, previous = count(raw, ind, CURRENT, [area]), count(raw, ind, PREVIOUS, [area])
            population = float(raw.district_pop[area])
            assert row["Current 12 months"] == current, (ind["id"], area)
            assert row["Rate per 1,000"] == pytest.approx(current / population * 1000, rel=1e-12), (ind["id"], area)
            assert row[f"Comparison with {name}"] == band(current, population, e["rate"]), (ind["id"], area)
            assert row["% change"] == pytest.approx((current - previous) / previous, rel=1e-12), (ind["id"], area)
            assert row["Direction of travel"].endswith(direction(current, previous)), (ind["id"], area)
        subject_row, bench_row = frame.iloc[-2], frame.iloc[-1]
        assert (subject_row["Current 12 months"], subject_row["Rate per 1,000"]) == \
               (e["current"], pytest.approx(e["rate"], rel=1e-12))
        everyone = list(raw.district_pop.index)
        bench_current = count(raw, ind, CURRENT, everyone)
        assert bench_row["Current 12 months"] == bench_current
        assert bench_row["Rate per 1,000"] == pytest.approx(e["bench_rate"], rel=1e-12)
        assert bench_row["% change"] == pytest.approx(
            bench_current / count(raw, ind, PREVIOUS, everyone) - 1, rel=1e-9)
        assert pd.isna(subject_row[f"Comparison with {name}"]) and pd.isna(bench_row[f"Comparison with {name}"])


# --------------------------------------------------------------------------------------------
# Conditional formats
# --------------------------------------------------------------------------------------------

def _column_cells(ws: Any, table: Any, header: str, rows: int | None = None) -> str:
    col = get_column_letter(column_of(ws, table, header))
    first, last = data_rows(table)
    return f"{col}{first}:{col}{last if rows is None else first + rows - 1}"


def _rules_by_range(ws: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for cf in ws.conditional_formatting:
        for cell_range in cf.sqref.ranges:
            found.setdefault(cell_range.coord, []).extend(cf.rules)
    return found


def test_dashboard_band_rules_cover_exactly_the_band_column(book):
    ws, table = book.table("sb_dash_kpis")
    col = column_of(ws, table, f"Comparison with {benchmark()}")
    first, last = data_rows(table)
    covered = []
    for cell_range, rules in _band_ranges(ws):
        assert cell_range.min_col == cell_range.max_col == col, cell_range.coord
        covered += range(cell_range.min_row, cell_range.max_row + 1)
        polarities = {polarity_of(ws.cell(r, column_of(ws, table, "Indicator")).value) for r in range(cell_range.min_row, cell_range.max_row + 1)}
        assert len(polarities) == 1, cell_range.coord  # a run of one polarity
        _check_seven_band_rules(f"Dashboard {cell_range.coord}", rules, polarities.pop())
    assert sorted(covered) == list(range(first, last + 1))


def test_district_band_rules_cover_the_districts_only(book):
    ws = book.wb["Districts"]
    expected = {_column_cells(ws, ws.tables[f"sb_dash_areas_{i['id']}"], f"Comparison with {subject()['name']}",
                              rows=len(members())) for i in kpis_in_order()}
    ranges = _band_ranges(ws)
    assert sorted(r.coord for r, _ in ranges) == sorted(expected)
    polarity = {_column_cells(ws, ws.tables[f"sb_dash_areas_{i['id']}"], f"Comparison with {subject()['name']}",
                              rows=len(members())): i.get("polarity", "higher_is_worse") for i in kpis_in_order()}
    for cell_range, rules in ranges:
        _check_seven_band_rules(f"Districts {cell_range.coord}", rules, polarity[cell_range.coord])


def _outcome_rule_colours(rules: list[Any], anchor: str) -> dict[str, str]:
    colours = {}
    for rule in rules:
        if rule.type != "expression":
            continue
        (formula,) = rule.formula
        match = re.fullmatch(rf'\${anchor}(\d+)="(Better|Worse)"', formula)
        if match:
            colours[match.group(2)] = rule.dxf.font.color.rgb[-6:].upper()
    return colours


def test_direction_and_target_rules(book):
    theme = yaml.safe_load((REPO / "workbook_templates" / "default.yaml").read_text(encoding="utf-8"))
    better, worse, close = (theme["colours"][k].lstrip("#").upper() for k in ("better", "worse", "near_target"))
    ws, table = book.table("sb_dash_kpis")
    rules = _rules_by_range(ws)
    anchor = get_column_letter(column_of(ws, table, "Better or worse"))
    for header in ("Direction of travel", "Better or worse"):
        assert _outcome_rule_colours(rules[_column_cells(ws, table, header)], anchor) == \
               {"Better": better, "Worse": worse}, header
    status = rules[_column_cells(ws, table, "Target status")]
    assert {(r.formula[0], r.dxf.font.color.rgb[-6:].upper()) for r in status} == {
        ('"Met"', better), ('"Close to target"', close), ('"Not met"', worse)}
    ws = book.wb["Districts"]
    rules = _rules_by_range(ws)
    for ind in kpis_in_order():
        table = ws.tables[f"sb_dash_areas_{ind['id']}"]
        anchor = get_column_letter(column_of(ws, table, "Better or worse"))
        assert _outcome_rule_colours(rules[_column_cells(ws, table, "Direction of travel")], anchor) == \
               {"Better": better, "Worse": worse}, ind["id"]


def test_outcome_groups_are_marked_by_a_rule(book):
    """A border above the first KPI of each outcome: a formula comparing the row's outcome with the one above."""
    ws, table = book.table("sb_dash_kpis")
    first, last = data_rows(table)
    min_col, _, max_col, _ = range_boundaries(table.ref)
    whole = f"{get_column_letter(min_col)}{first}:{get_column_letter(max_col)}{last}"
    (rule,) = [r for r in _rules_by_range(ws)[whole] if r.type == "expression"]
    assert rule.formula == [f"$A{first}<>$A{first - 1}"]
    assert rule.dxf.border.top.style == "medium"


# --------------------------------------------------------------------------------------------
# Charts and sparklines
# --------------------------------------------------------------------------------------------

def _ref(ws_title: str, min_col: int, min_row: int, max_col: int, max_row: int) -> tuple:
    return ws_title, (min_col, min_row, max_col, max_row)


def test_quarterly_line_charts_are_bound_to_their_rows(book):
    ws, table = book.table("sb_dash_quarterly")
    first, _ = data_rows(table)
    min_col, header_row, max_col, _ = range_boundaries(table.ref)
    charts = [c for c in book.charts if c.sheet == "Quarterly trend"]
    assert len(charts) == len(counted_kpis())  # measured indicators have no quarters here: no chart
    for ind, chart in zip(counted_kpis(), charts):
        assert chart.kind == "line" and chart.title == ind["name"]
        (series,) = chart.series
        row = first + kpis_in_order().index(ind)
        assert parse_ref(series.val_ref) == _ref("Quarterly trend", min_col + 2, row, max_col, row)
        assert parse_ref(series.cat_ref) == _ref("Quarterly trend", min_col + 2, header_row, max_col, header_row)
        assert [int(v) for v in series.val_cache] == [ws.cell(row, c).value for c in range(min_col + 2, max_col + 1)]
        assert chart.descr and subject()["name"] in chart.descr and f"{int(series.val_cache[-1]):,}" in chart.descr


def test_district_bar_charts_are_bound_to_their_tables(book):
    theme = yaml.safe_load((REPO / "workbook_templates" / "default.yaml").read_text(encoding="utf-8"))
    charts = [c for c in book.charts if c.sheet == "Districts"]
    assert len(charts) == len(kpis_in_order())
    ws = book.wb["Districts"]
    for ind, chart in zip(kpis_in_order(), charts):
        table = ws.tables[f"sb_dash_areas_{ind['id']}"]
        first, last = data_rows(table)
        value = table.tableColumns[2].name  # "Rate per 1,000", "% of referrals", "Rate per 100,000"
        col = column_of(ws, table, value)
        min_col = range_boundaries(table.ref)[0]
        assert chart.kind == "bar" and chart.title.startswith(f"{ind['name']}: {value.lower()}")
        (series,) = chart.series
        assert parse_ref(series.val_ref) == _ref("Districts", col, first, col, last)
        assert parse_ref(series.cat_ref) == _ref("Districts", min_col, first, min_col, last)
        assert series.cat_cache == members() + [subject()["name"], benchmark()]
        n = len(members())
        assert chart.points[n] == theme["colours"]["link"].lstrip("#").upper()  # the subject
        assert chart.points[n + 1] == theme["colours"]["neutral"].lstrip("#").upper()  # the benchmark
        assert {chart.points[i] for i in range(n)} == {"A6A6A6"}
        percent = value.startswith("%")
        assert chart.label_format == ("0.0%;-0.0%;0.0%" if percent else RATE)
        rates = [ws.cell(r, col).value for r in range(first, last + 1)]
        shown = "{:.1%}" if percent else "{:,.1f}"
        assert chart.descr and f"{subject()['name']} {shown.format(rates[n])}" in chart.descr
        assert f"{benchmark()} {shown.format(rates[n + 1])}" in chart.descr
        # anchored beside its table, not over it
        assert chart.anchor[0][0] > range_boundaries(table.ref)[2] - 1


def test_sparklines_read_each_kpis_quarters(book):
    ws, table = book.table("sb_dash_kpis")
    first, last = data_rows(table)
    spark_col = get_column_letter(column_of(ws, table, "Last 8 quarters"))
    _, q_table = book.table("sb_dash_quarterly")
    q_first, _ = data_rows(q_table)
    q_min, _, q_max, _ = range_boundaries(q_table.ref)
    root = ElementTree.fromstring(book.sheet_xml["Dashboard"])
    found = {s.findtext(f"{{{XM}}}sqref"): s.findtext(f"{{{XM}}}f") for s in root.iter(f"{{{X14}}}sparkline")}
    names = [ws.cell(r, column_of(ws, table, "Indicator")).value for r in range(first, last + 1)]
    counted = {i["name"] for i in counted_kpis()}  # measured indicators: no quarters, no sparkline
    expected = {f"{spark_col}{r}": f"'Quarterly trend'!{get_column_letter(q_min + 2)}{q_first + r - first}:"
                                   f"{get_column_letter(q_max)}{q_first + r - first}"
                for r, name in zip(range(first, last + 1), names) if name in counted}
    assert len(expected) == len(counted) < last - first + 1
    assert found == expected


# --------------------------------------------------------------------------------------------
# Number formats, print setup, panes, links
# --------------------------------------------------------------------------------------------

def _formats(ws: Any, table: Any, header: str) -> set[str]:
    col = column_of(ws, table, header)
    first, last = data_rows(table)
    return {ws.cell(r, col).number_format for r in range(first, last + 1)}


def _row_formats(ws: Any, table: Any, header: str, names: set[str]) -> set[str]:
    """The number formats of ``header``'s cells in the rows of the named indicators."""
    col, name_col = column_of(ws, table, header), column_of(ws, table, "Indicator")
    first, last = data_rows(table)
    return {ws.cell(r, col).number_format for r in range(first, last + 1) if ws.cell(r, name_col).value in names}


def test_number_formats(book):
    """Counts as 1,234 and rates as 12.3 on counted rows; a proportion's figures as 12.3%, a measured rate's as 12.3."""
    counted = {i["name"] for i in counted_kpis()}
    proportions = {i["name"] for i in kpis_in_order() if i.get("measure", {}).get("kind") == "proportion"}
    rates = {i["name"] for i in kpis_in_order() if i.get("measure", {}).get("kind") == "value"}
    assert proportions and rates
    cases = [("sb_dash_kpis", h, k, counted) for h, k in (
        ("Previous", "count"), ("Current", "count"), ("Change", "signed count"),
        ("% change", "percent"), (subject()["name"], "rate"), (benchmark(), "rate"))]
    cases += [("sb_dash_kpis", h, "percent", proportions) for h in ("Current", subject()["name"], benchmark())]
    cases += [("sb_dash_kpis", h, "rate", rates) for h in ("Previous", "Current", subject()["name"], benchmark())]
    cases += [("sb_dash_quarterly", label, "count", counted) for label in book.frame("sb_dash_quarterly").columns[2:]]
    wrong = {}
    for table_name, header, kind, names in cases:
        ws, table = book.table(table_name)
        formats = _row_formats(ws, table, header, names)
        if not formats or not all(_format_ok(kind, f) for f in formats):
            wrong[f"{table_name}[{header}] {kind}"] = sorted(formats)
    for ind in kpis_in_order():
        name = f"sb_dash_areas_{ind['id']}"
        ws, table = book.table(name)
        number, value = table.tableColumns[1].name, table.tableColumns[2].name
        for header, kind in ((number, "count"), (value, "percent" if value.startswith("%") else "rate"),
                             ("% change", "percent")):
            formats = _formats(ws, table, header) - {"General"}  # "n/a" cells
            if not formats or not all(_format_ok(kind, f) for f in formats):
                wrong[f"{name}[{header}] {kind}"] = sorted(formats)
    assert wrong == {}


@pytest.mark.parametrize("sheet", SHEETS)
def test_print_settings(book, sheet):
    _check_print_settings(book, sheet)


def test_print_titles_and_panes(book):
    ws, table = book.table("sb_dash_kpis")
    header_row = range_boundaries(table.ref)[1]
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert _frozen(ws) == (header_row, column_of(ws, table, "Indicator"))
    ws, table = book.table("sb_dash_quarterly")
    assert _frozen(ws) == (range_boundaries(table.ref)[1], 2)
    rows, _ = _frozen(book.wb["Districts"])
    first_table = min(range_boundaries(t.ref)[1] for t in book.wb["Districts"].tables.values())
    assert 1 <= rows < first_table


def test_links_lead_home_and_to_each_kpis_districts(book):
    ws, table = book.table("sb_dash_kpis")
    first, last = data_rows(table)
    col = column_of(ws, table, "Indicator")
    districts = book.wb["Districts"]
    for r in range(first, last + 1):
        link = ws.cell(r, col).hyperlink
        assert link is not None and link.location.startswith("'Districts'!A"), r
        heading = districts[link.location.split("!")[1]].value
        assert heading.startswith(f"{ws.cell(r, col).value} ("), (r, heading)
    for sheet in ("Quarterly trend", "Districts", "Methodology", "Data Quality"):
        link = book.wb[sheet]["A2"]
        assert link.value == "‹ Back to Dashboard" and link.hyperlink.location == "'Dashboard'!A1", sheet


def test_methodology_names_the_subject_and_its_comparisons(book, raw):
    notes = dict(book.frame("sb_methodology")[["Topic", "Detail"]].itertuples(index=False))
    assert all(name in notes["Dashboard subject"] for name in members())
    assert f"{raw.district_pop[members()].sum():,.0f} residents" in notes["Dashboard subject"]
    assert f"compared with the {subject()['name']} rate" in notes["Dashboard comparisons"]
    assert not {"Top areas", "Peer comparison", "Financial years"} & set(notes)
    assert notes["Report"].startswith(f"{dash_spec()['dashboard']['title']}: {subject()['name']}")


def test_document_properties(book):
    assert book.wb.properties.title == f"{dash_spec()['dashboard']['title']} — {subject()['name']}"


# --------------------------------------------------------------------------------------------
# Spec errors, options and the demo
# --------------------------------------------------------------------------------------------

def _spec_with(tmp_path: Path, where: dict) -> Path:
    data = dash_spec()
    data = {**data, "data_root": "/",  # the data stays in the repository
            "dashboard": {**data["dashboard"], "subject": {**data["dashboard"]["subject"], "where": where}}}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).replace("../data/", f"{REPO / 'data'}/")
    path = tmp_path / "dashboard.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelt_district_is_an_error_with_its_line(tmp_path, capsys):
    from engine.cli import main

    path = _spec_with(tmp_path, {"LAD23NM": {"in": ["Blaby", "Charnwod"]}})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1) if "Charnwod" in text)
    assert f"{path}:{line}: dashboard.subject.where.LAD23NM.in[1]: 'Charnwod' is not a partner area's LAD23NM " \
           f"(did you mean 'Charnwood'?)" in err, err


def test_an_unknown_lookup_column_is_an_error(tmp_path, capsys):
    from engine.cli import main

    path = _spec_with(tmp_path, {"LAD23NMM": {"not_in": ["Leicester"]}})
    assert main(["build", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "dashboard.subject.where.LAD23NMM: column 'LAD23NMM' is not in the partner-area lookup (district_lookup) " \
           "(did you mean 'LAD23NM'?)" in err, err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_area_and_suppress_do_not_apply_to_a_dashboard(tmp_path, capsys):
    from engine.cli import main

    assert main(["build", str(DASHBOARD_SPEC), "--area", "Blaby", "--suppress", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--area: a dashboard spec builds one workbook for its subject" in err
    assert "--suppress: small-number suppression is not available for dashboards" in err
    assert list(tmp_path.iterdir()) == []


def test_the_schema_describes_the_dashboard():
    schema = json.loads((REPO / "saferbook.schema.json").read_text(encoding="utf-8"))
    assert "dashboard" in schema["properties"]
    subject_schema = schema["$defs"]["DashboardSubject"]
    assert set(subject_schema["required"]) == {"name", "where"} and subject_schema["properties"]["where"]["description"]


def test_demo_builds_the_partner_workbooks_and_the_dashboard(demo_command):
    """``saferbook demo`` (conftest runs it once for the run)."""
    assert demo_command["returncode"] == 0, demo_command["stderr"]
    books = sorted(p.name for p in demo_command["out"].glob("*.xlsx"))
    assert f"{subject()['name'].replace(' ', '_')}_{PERIOD_END}.xlsx" in books
    assert len(books) == 10  # nine partner areas and the dashboard
    # partner workbooks carry their district's code (ONS: Blaby E07000129, Leicester E06000016)
    assert f"Blaby_E07000129_{PERIOD_END}.xlsx" in books and f"Leicester_E06000016_{PERIOD_END}.xlsx" in books
