"""Workbook structure, not golden bytes (issue 5): sheets, tables, band rules, number formats,
print settings and properties, and an independent recomputation of the tables behind the charts.

Three partner workbooks are built once for the module with ``engine.api.build``; then

* sheets and their order, the ``sb_*`` Excel tables on each sheet and every table's header row;
* the band conditional formats (the Summary band column, each Top 10 band column): exactly the
  table's data cells, seven rules per range, each band's fill and text colour from the theme file;
* number formats (counts, signed changes, rates, percentages, percentage points), cell by cell;
* print settings of every sheet (also when a sheet has nothing to show), print titles, freeze
  panes and document properties;
* an independent recomputation, with plain pandas and scipy from the raw CSVs under ``data/``
  (never the engine's code), of the Profiles "Crime by type" table, the Comparisons rates and
  monthly counts and the Trends quarterly counts.

The charts and the peaks their titles name are in test_workbook_charts.py; shared reading and
recomputation code in workbook_helpers.py. Workbooks are only read, never saved.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd

import pytest
import yaml
from openpyxl.utils.cell import get_column_letter, range_boundaries

from workbook_helpers import (AREAS, BANDS, BENCHMARK, COUNT, CURRENT, GENERATED, NS, PARTNER_LABEL, PERCENT,
                              PERIOD_END, POINTS, RATE, SHEET_ORDER, SPEC, Book, Raw, build_books, charted, demo_books,
                              band_colour_key, column_of, counted_indicators, data_rows, expected_headers,
                              financial_year_labels, indicator, indicators, load_raw, own_period_indicators,
                              polarity_by_name, rate, rolling_indicators, rolling_quarters, shown_percent,
                              small_area_indicators, spec, summary_headers, tables_on_sheet, theme)


@pytest.fixture(scope="module")
def raw() -> Raw:
    return load_raw()


@pytest.fixture(scope="module")
def books(demo_build: Path) -> dict[str, Book]:
    """The AREAS' demo workbooks (conftest's demo build, shared by the files that read it)."""
    return demo_books(demo_build, AREAS)


@pytest.fixture(params=AREAS)
def book(request: pytest.FixtureRequest, books: dict[str, Book]) -> Book:
    return books[request.param]


SPARSE_AREA = "Rutland"


SETTINGS_SHEET = "_saferbook"  # hidden, last: what the Excel add-in reads


@pytest.fixture(scope="module")
def sparse_book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """A valid spec that charts nothing, has no breakdowns and no trend table: the sheets' empty branches."""
    out = tmp_path_factory.mktemp("workbook_structure_sparse")
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["path"] = str((SPEC.parent / source["path"]).resolve())
    data["maps"]["boundaries"] = str((SPEC.parent / data["maps"]["boundaries"]).resolve())
    data["data_root"] = str(SPEC.parent.parent)  # the project, where the paths above lead
    data["comparisons"] = []
    data.pop("comparators", None)  # published comparators are charted too
    data.pop("hotspots", None)  # hotspot tables are on the Profiles sheet
    data.pop("published", None)  # published tables are on the Profiles sheet
    data.pop("area_groups")
    data.pop("breakdowns")
    data.pop("trend_table")
    spec_path = out / "sparse.yaml"
    spec_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return build_books(out, [SPARSE_AREA], spec_path)[SPARSE_AREA]


# --------------------------------------------------------------------------------------------
# Sanity of the expected side (a broken recomputation must not pass silently)
# --------------------------------------------------------------------------------------------

def test_raw_data_facts(raw):
    assert raw.data_months[-1] == PERIOD_END
    assert len(raw.data_months) == 24 and len(CURRENT) == 12 and CURRENT[-1] == PERIOD_END
    # 210,767 rows, less 3,575 with no LSOA and 428 in LSOAs outside the nine partner areas
    assert raw.rows_placed == 206764 and int(raw.counts["n"].sum()) == raw.rows_placed
    assert len(raw.partner_names) == 9 and set(AREAS) <= set(raw.partner_names)
    assert len(raw.lsoa_district) == 611
    assert int(raw.lsoa_pop.sum()) == 1107597
    assert set(raw.lsoa_district.unique()) == set(raw.partner_names)  # the two lookups agree on names
    assert rolling_quarters()[-1] == CURRENT[-3:] and rolling_quarters()[0][0] == raw.data_months[0]
    assert financial_year_labels(raw.data_months) == ["FY 2021 (11 of 12 months)", "FY 2022", "FY 2023 (1 of 12 months)"]


# --------------------------------------------------------------------------------------------
# 1. Sheets, tables, headers
# --------------------------------------------------------------------------------------------

def test_sheet_names_and_order(book):
    """The engine's sheets in reading order, then the hidden settings sheet the Excel add-in reads."""
    assert book.wb.sheetnames == SHEET_ORDER + [SETTINGS_SHEET]
    assert book.sheet_order == SHEET_ORDER + [SETTINGS_SHEET]  # the package's own order, not openpyxl's reading of it
    assert [ws.sheet_state for ws in book.wb.worksheets] == ["visible"] * len(SHEET_ORDER) + ["hidden"]


def test_tables_on_each_sheet(book):
    expected = tables_on_sheet()
    for ws in book.wb.worksheets:
        names = sorted(ws.tables.keys(), key=lambda n: range_boundaries(ws.tables[n].ref)[1])  # top to bottom
        assert names == expected.get(ws.title, []), ws.title
        assert all(re.fullmatch(r"sb_[a-z0-9_]+", n) for n in names), names
    assert set(expected) <= set(book.wb.sheetnames)


def test_table_headers(book, raw):
    expected = expected_headers(book.area, raw.data_months)
    checked = 0
    for ws in book.wb.worksheets:
        for table in ws.tables.values():
            min_col, min_row, max_col, _ = range_boundaries(table.ref)
            cells = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
            columns = [c.name for c in table.tableColumns]
            assert cells == expected[table.name], f"{ws.title}!{table.name} header row"
            assert columns == cells, f"{table.name}: table column names differ from the header cells"
            checked += 1
    assert checked == sum(len(v) for v in tables_on_sheet().values())


def test_tables_hold_data_rows(book):
    """No table is a lone placeholder row, and the row-per-item tables have one row per item."""
    n_indicators = len(indicators())
    assert len(book.frame("sb_summary")) == n_indicators
    assert len(book.frame("sb_trend_quarterly")) == len(rolling_indicators())
    compared = [i for i in own_period_indicators() if i["measure"].get("compare") == "previous_period"]
    if compared:  # each one's last eight periods (a snapshot has none)
        assert len(book.frame("sb_trend_periods")) == 8 * len(compared)
    assert len(book.frame("sb_trend")) == len(spec()["trend_table"]["rows"])
    assert len(book.frame("sb_trend_monthly")) == 24
    assert len(book.frame("sb_monthly_profile")) == 12
    # nine districts, the benchmark, and the peer average when the spec names peer groups
    assert len(book.frame("sb_comparison_rates")) == 10 + ("peer_groups" in spec())
    for ind in small_area_indicators():
        assert 1 <= len(book.frame(f"sb_top10_{ind['id']}")) <= 10
    for group in spec()["area_groups"]:
        for i in group["indicators"]:  # a row per listed group, whether or not the area has any of it
            assert len(book.frame(f"sb_group_{group['id']}_{i}")) == len(group["values"])
        if "compare" in group:  # the area and the benchmark, per indicator
            assert len(book.frame(f"sb_group_{group['id']}_ratio")) == 2 * len(group["indicators"])


# --------------------------------------------------------------------------------------------
# 2. Band conditional formats
# --------------------------------------------------------------------------------------------

def _band_ranges(ws: Any) -> list[tuple[Any, Any]]:
    """(cell range, rules) of every conditional format whose rules test for a band word."""
    found = []
    for cf in ws.conditional_formatting:
        if any(f'"{b}"' in " ".join(rule.formula or []) for rule in cf.rules for b in BANDS):
            for cell_range in cf.sqref.ranges:
                found.append((cell_range, cf.rules))
    return found


def _check_seven_band_rules(label: str, rules: list[Any], polarity: str = "higher_is_worse") -> None:
    assert len(rules) == 7, f"{label}: {len(rules)} rules"
    words = []
    for rule in rules:
        assert rule.type == "cellIs" and rule.operator == "equal", (label, rule.type, rule.operator)
        (formula,) = rule.formula
        word = formula.strip('"')
        words.append(word)
        colours = theme()["bands"][band_colour_key(word, polarity)]  # the scale flips where higher is better
        fill = rule.dxf.fill
        assert fill is not None and fill.bgColor.rgb[-6:].upper() == colours["fill"].lstrip("#").upper(), (label, word)
        assert rule.dxf.font.color.rgb[-6:].upper() == colours["text"].lstrip("#").upper(), (label, word)
    assert sorted(words) == sorted(BANDS), label


def _band_column(ws: Any, table: Any) -> tuple[int, int, int]:
    header = [h for h in (c.name for c in table.tableColumns) if h == f"Comparison with {BENCHMARK}"
              or h.startswith(f"Comparison against {BENCHMARK} (")]  # the Top 10's names its band method
    assert len(header) == 1, table.name
    first, last = data_rows(table)
    return column_of(ws, table, header[0]), first, last


def test_summary_band_rules(book):
    ws, table = book.table("sb_summary")
    col, first, last = _band_column(ws, table)
    name_col = column_of(ws, table, "Indicator")
    polarity = polarity_by_name()
    ranges = _band_ranges(ws)
    assert ranges, "no band rules on the Summary"
    covered = []
    for cell_range, rules in ranges:
        assert cell_range.min_col == cell_range.max_col == col, f"band rule on {cell_range.coord}, not column {col}"
        rows = range(cell_range.min_row, cell_range.max_row + 1)
        covered += rows
        (shared,) = {polarity[ws.cell(r, name_col).value] for r in rows}  # one range per run of one polarity
        _check_seven_band_rules(f"Summary {cell_range.coord}", rules, shared)
    assert sorted(covered) == list(range(first, last + 1)), "band rules must cover exactly the band column's data"
    # not vacuous: the column really holds band words ("n/a": a figure the partner's data does not give)
    assert {ws.cell(r, col).value for r in range(first, last + 1)} <= set(BANDS) | {"n/a"}


def test_top10_band_rules(book):
    ws = book.wb["Top 10"]
    ranges = {cell_range.coord: (cell_range, rules) for cell_range, rules in _band_ranges(ws)}
    expected = {}
    for ind in small_area_indicators():
        table = ws.tables[f"sb_top10_{ind['id']}"]
        col, first, last = _band_column(ws, table)
        letter = get_column_letter(col)
        expected[f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}"] = table.name
    assert sorted(ranges) == sorted(expected), "one band range per top-10 table, exactly its band column's data rows"
    assert len(_band_ranges(ws)) == len(expected), "a band range appears twice"
    for coord, (_, rules) in ranges.items():
        _check_seven_band_rules(f"{expected[coord]} {coord}", rules)


# --------------------------------------------------------------------------------------------
# 3. Number formats
# --------------------------------------------------------------------------------------------

def _formats(book: Book, table_name: str, header: str, include_total: bool = False) -> set[str]:
    """The number formats of a column's cells; on the Summary and the quarterly table, only the counted
    indicators' rows (measured ones take their own formats: tests/test_measures.py)."""
    ws, table = book.table(table_name)
    col = column_of(ws, table, header)
    first, last = data_rows(table)
    _, _, _, max_row = range_boundaries(table.ref)
    rows = range(first, (max_row if include_total else last) + 1)
    if table_name in ("sb_summary", "sb_trend_quarterly"):
        counted = {i["name"] for i in counted_indicators()}
        rows = [r for r in rows if ws.cell(r, column_of(ws, table, "Indicator")).value in counted]
    return {ws.cell(r, col).number_format for r in rows}


def _expected_formats(book: Book) -> list[tuple[str, str, str]]:
    """(table, header, kind) for every numeric column the workbook shows."""
    area = book.area
    headers = summary_headers()
    previous, current, change, percent = headers[-8:-4]
    rate_header, benchmark_header = headers[-2:]
    cases = [("sb_summary", previous, "count"), ("sb_summary", current, "count"),
             ("sb_summary", change, "signed count"),
             ("sb_summary", percent, "percent"), ("sb_summary", rate_header, "rate"),
             ("sb_summary", benchmark_header, "rate"),
             ("sb_data_quality", "Rows", "count")]
    if spec().get("peer_groups"):
        cases.append(("sb_summary", "Peer average rate per 1,000", "rate"))
    for ind in small_area_indicators():
        headers = expected_headers(area, [])[f"sb_top10_{ind['id']}"]
        cases += [(f"sb_top10_{ind['id']}", headers[4], "count"), (f"sb_top10_{ind['id']}", headers[5], "rate")]
    for name in (indicator(i)["name"] for i in spec()["trend_table"]["rows"]):
        cases.append(("sb_trend_monthly", name, "count"))
    cases.append(("sb_trend_monthly", "Total", "count"))
    for label in expected_headers(area, [])["sb_trend_quarterly"][1:]:
        cases.append(("sb_trend_quarterly", label, "count"))
    for i in charted():
        cases += [("sb_comparison_rates", f"{indicator(i)['name']}: rate per 1,000", "rate"),
                  ("sb_monthly_profile", indicator(i)["name"], "count")]
    for g in spec()["area_groups"]:
        for i in g["indicators"]:
            headers = expected_headers(area, [])[f"sb_group_{g['id']}_{i}"]
            cases += [(f"sb_group_{g['id']}_{i}", h, "count") for h in (headers[1:4] + headers[7:10])]
            cases += [(f"sb_group_{g['id']}_{i}", h, "rate") for h in (headers[4:7] + headers[10:13])]
        if "compare" in g:
            headers = expected_headers(area, [])[f"sb_group_{g['id']}_ratio"]
            cases += [(f"sb_group_{g['id']}_ratio", h, "rate") for h in headers[2:4]]
    for b in spec()["breakdowns"]:
        if b.get("subsets") or b.get("layout"):
            continue  # the offender-management tables: tests/test_profiles_offenders.py
        cases += [(f"sb_breakdown_{b['id']}", f"{area}: {b.get('unit', 'crimes')}", "count"),
                  (f"sb_breakdown_{b['id']}", f"{area} %", "percent"),
                  (f"sb_breakdown_{b['id']}", f"{BENCHMARK} %", "percent"),
                  (f"sb_breakdown_{b['id']}", "Difference (percentage points)", "points")]
    return cases


def _format_ok(kind: str, fmt: str) -> bool:
    if kind == "count":
        return fmt == COUNT
    if kind == "rate":
        return fmt == RATE
    if kind == "signed count":  # +1,234 / -1,234 / 0
        return re.fullmatch(r"\+#,##0;-#,##0(;0)?", fmt) is not None
    if kind == "percent":
        return PERCENT.fullmatch(fmt) is not None
    return POINTS.fullmatch(fmt) is not None and "%" not in fmt


def test_number_formats(book):
    wrong = {}
    for table, header, kind in _expected_formats(book):
        formats = _formats(book, table, header)
        if not all(_format_ok(kind, f) for f in formats):
            wrong[f"{table}[{header}]"] = (kind, sorted(formats))
    assert wrong == {}


def test_trend_year_columns_and_grand_total_are_counts(book, raw):
    for label in financial_year_labels(raw.data_months):
        assert _formats(book, "sb_trend", label, include_total=True) == {COUNT}, label


def test_format_checks_would_catch_a_wrong_format():
    assert not _format_ok("count", "General") and not _format_ok("count", RATE)
    assert not _format_ok("rate", COUNT) and not _format_ok("percent", "0%") and not _format_ok("percent", RATE)
    assert not _format_ok("points", "0.0%") and _format_ok("points", "+0.0;-0.0;0.0")
    assert not _format_ok("signed count", COUNT) and _format_ok("signed count", "+#,##0;-#,##0;0")
    assert _format_ok("percent", "0.0%") and _format_ok("percent", "0.0%;-0.0%;0.0%")


# --------------------------------------------------------------------------------------------
# 4. Print settings, panes, properties
# --------------------------------------------------------------------------------------------

def _footer(sheet_xml: str) -> str:
    root = ElementTree.fromstring(sheet_xml)
    return root.findtext("main:headerFooter/main:oddFooter", default="", namespaces=NS)


def _check_print_settings(book: Book, sheet: str) -> None:
    ws = book.wb[sheet]
    setup = ws.page_setup
    assert str(setup.paperSize) == "9", "A4"
    assert setup.orientation == "landscape"
    # A print scale, not "fit to one page wide" (which shrinks a wide sheet to unreadable text): 10-point body
    # text stays at 8 points or more (test_print_pages.py checks the printed pages themselves).
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert 80 <= int(setup.scale or 100) <= 100, setup.scale
    footer = _footer(book.sheet_xml[sheet])
    assert "&P" in footer and "&N" in footer, footer
    assert GENERATED in footer, footer


@pytest.mark.parametrize("sheet", SHEET_ORDER)
def test_print_settings(book, sheet):
    _check_print_settings(book, sheet)


@pytest.mark.parametrize("sheet", SHEET_ORDER)
def test_print_settings_when_a_sheet_is_empty(sparse_book, sheet):
    """A spec without comparisons, breakdowns or a trend table still gets every sheet printed the same way."""
    assert sparse_book.wb.sheetnames == SHEET_ORDER + [SETTINGS_SHEET]
    assert not sparse_book.wb["Comparisons"].tables and not sparse_book.wb["Profiles"].tables
    assert not sparse_book.wb["Who is affected"].tables
    _check_print_settings(sparse_book, sheet)


def test_print_titles_on_summary(book):
    ws, table = book.table("sb_summary")
    header_row = range_boundaries(table.ref)[1]
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    # Printed across pages (the front page is the one-page print), the indicator column repeats on each.
    assert book.print_titles.get("Summary") == f"Summary!$B:$B,Summary!${header_row}:${header_row}"


def _frozen(ws: Any) -> tuple[int, int]:
    """(rows, columns) frozen above and left of the pane."""
    assert ws.freeze_panes, f"{ws.title}: no frozen panes"
    col, row, _, _ = range_boundaries(ws.freeze_panes)
    return row - 1, col - 1


def test_freeze_panes(book):
    ws, table = book.table("sb_summary")
    rows, cols = _frozen(ws)
    assert rows == range_boundaries(table.ref)[1], "Summary: frozen through the table header"
    assert cols >= column_of(ws, table, "Indicator"), "Summary: the indicator names stay in view"

    ws, table = book.table("sb_trend")
    rows, cols = _frozen(ws)
    assert rows == range_boundaries(table.ref)[1] and cols >= 1, "Trends: header row and category column"

    ws = book.wb["Top 10"]
    rows, _ = _frozen(ws)
    first_table = min(range_boundaries(t.ref)[1] for t in ws.tables.values())
    assert 1 <= rows < first_table, "Top 10: the title rows stay in view, not the first table"


def test_document_properties(book):
    props = book.wb.properties
    assert props.title and book.area in props.title and spec()["title"] in props.title
    assert props.creator and props.creator == spec()["organisation"]


# --------------------------------------------------------------------------------------------
# 5. Independent recomputation of the tables
# --------------------------------------------------------------------------------------------

def test_profiles_crime_by_type(book, raw):
    (breakdown,) = [b for b in spec()["breakdowns"] if b["id"] == "crime_mix"]
    got = book.frame(f"sb_breakdown_{breakdown['id']}")
    got.columns = ["category", "count", "percent", "benchmark_percent", "difference", "flag"]

    benchmark = raw.by_crime_type(breakdown["where"], CURRENT, raw.benchmark_areas)
    area = raw.by_crime_type(breakdown["where"], CURRENT, book.area)
    everyone = raw.by_crime_type(breakdown["where"], CURRENT)  # the order is the same in every partner's workbook:
    order = sorted(everyone.index, key=lambda c: (-everyone[c], c))  # largest first over all partner areas, ties by name
    assert got["category"].tolist() == order
    total, bench_total = int(area.sum()), int(benchmark.sum())
    assert total > 0
    flags = []
    for _, row in got.iterrows():
        category = row["category"]
        count, bench_count = int(area.get(category, 0)), int(benchmark[category])
        assert row["count"] == count, category
        assert row["percent"] == pytest.approx(count / total, abs=1e-12), category
        assert row["benchmark_percent"] == pytest.approx(bench_count / bench_total, abs=1e-12), category
        # Percentage points to one decimal place: the difference of the shares, rounded, or the difference of
        # the shares as shown (either reading is accepted here; test_profiles_difference_agrees_with_flag decides).
        shown, shown_bench = shown_percent(count, total), shown_percent(bench_count, bench_total)
        difference = row["difference"]
        assert difference == pytest.approx(round(difference, 1), abs=1e-9), category
        exact = (count / total - bench_count / bench_total) * 100
        assert (abs(difference - exact) <= 0.05 + 1e-9
                or difference == pytest.approx(float(shown - shown_bench), abs=1e-9)), (category, difference, exact)
        # The crime mix is not tested for significance: its differences are written in words, never ▲/▼
        # (reserved for significant differences, as in the seeds).
        expected_flag = "higher" if shown > shown_bench else "lower" if shown < shown_bench else "="
        assert row["flag"] == expected_flag, f"{category}: {shown}% against {shown_bench}%"
        flags.append(expected_flag)
    assert {"higher", "lower"} <= set(flags), flags  # not vacuous


def test_profiles_flags_include_equal_shares(books):
    """Charnwood's public-order share equals the county's at one decimal place: the "=" branch is checked."""
    flags = set()
    for book in books.values():
        flags |= set(book.frame(f"sb_breakdown_{spec()['breakdowns'][0]['id']}").iloc[:, -1])
    assert flags == {"higher", "lower", "="}


def test_profiles_difference_agrees_with_flag(books):
    """On the page, "higher" goes with a positive difference, "lower" with a negative one, = with 0.0."""
    contradictions = []
    for book in books.values():
        got = book.frame(f"sb_breakdown_{spec()['breakdowns'][0]['id']}")
        for category, percent, bench, difference, flag in got.iloc[:, [0, 2, 3, 4, 5]].itertuples(index=False):
            expected_sign = {"▲": 1, "▼": -1, "higher": 1, "lower": -1, "=": 0}[flag]
            if (difference > 0) - (difference < 0) != expected_sign:
                contradictions.append(f"{book.area}, {category}: {percent:.1%} against {bench:.1%}, "
                                      f"difference {difference:+.1f}, {flag}")
    assert contradictions == []


def test_comparison_rates(book, raw):
    got = book.frame("sb_comparison_rates").set_index(PARTNER_LABEL)
    peer_row = ["Peer average"] if "peer_groups" in spec() else []  # its values: tests/test_peer_groups.py
    assert got.index.tolist() == [*raw.partner_names, f"{BENCHMARK} (benchmark)", *peer_row]
    for ind_id in charted():
        column = got[f"{indicator(ind_id)['name']}: rate per 1,000"]
        for name in raw.partner_names:
            expected = rate(raw.count(ind_id, CURRENT, name), raw.district_pop[name])
            assert column[name] == pytest.approx(expected, rel=1e-9), (ind_id, name)
        expected = rate(raw.count(ind_id, CURRENT, raw.benchmark_areas), raw.benchmark_pop)
        assert column[f"{BENCHMARK} (benchmark)"] == pytest.approx(expected, rel=1e-9), ind_id


def test_comparison_monthly_counts(book, raw):
    got = book.frame("sb_monthly_profile")
    assert [pd.Timestamp(m).strftime("%Y-%m") for m in got["Month"]] == CURRENT
    assert all(isinstance(m, dt.datetime) for m in got["Month"]), "months are dates, not text"
    for ind_id in charted():
        assert got[indicator(ind_id)["name"]].tolist() == raw.monthly(ind_id, book.area), ind_id


def test_trends_quarterly_counts(book, raw):
    got = book.frame("sb_trend_quarterly").set_index("Indicator")
    assert got.index.tolist() == [i["name"] for i in rolling_indicators()]
    for ind in counted_indicators():  # the proportions' quarters: tests/test_measures.py
        expected = [raw.count(ind["id"], quarter, book.area) for quarter in rolling_quarters()]
        assert got.loc[ind["name"]].tolist() == expected, ind["id"]
