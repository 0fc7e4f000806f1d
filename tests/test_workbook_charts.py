"""Workbook charts (issue 5), read from the package XML: openpyxl drops charts on load.

Three partner workbooks are built once for the module with ``engine.api.build``; then every
chart (xl/drawings/*.xml -> xl/charts/chart*.xml through their rels) is checked:

* each series' ``c:cat``/``c:val`` refers to the chart's own sheet and to exactly the data rows of
  one Excel table column (cross-checked with the table ``ref`` openpyxl reports); a series name
  bound to a cell is that column's header; the cached values are the cells' values;
* the Trends line chart draws the trend table's categories; the Comparisons sheet has a bar chart
  (rates, the partner area picked out) and a monthly profile chart per charted indicator
  (the spec's ``comparisons:``); no chart covers a table or another chart;
* every chart has alt text (``xdr:cNvPr descr``) naming the partner area;
* the peak each profile chart's title names (and colours) is recomputed independently: the busiest
  three-month run of the current 12 months, one-sided exact binomial test (scipy ``binomtest``),
  Bonferroni over the runs, named only when p < 0.05.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

import pytest
from openpyxl.utils.cell import range_boundaries

from workbook_helpers import (AREAS, PARTNER_LABEL, PERIOD_END, RATE, Book, Raw, charted, demo_books,
                              data_rows, expected_peak_words, indicator, load_raw, month_name, parse_ref, spec,
                              theme)


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


# --------------------------------------------------------------------------------------------
# Chart bindings, alt text, layout
# --------------------------------------------------------------------------------------------

def _column_for(book: Book, ref: str, sheet: str) -> tuple[str, str]:
    """(table name, header) of the one table column whose data rows ``ref`` covers exactly."""
    ref_sheet, (min_col, min_row, max_col, max_row) = parse_ref(ref)
    assert ref_sheet == sheet, f"{ref} refers to another sheet than the chart's ({sheet})"
    assert min_col == max_col, f"{ref} spans several columns"
    ws = book.wb[sheet]
    for table in ws.tables.values():
        t_min_col, header_row, t_max_col, _ = range_boundaries(table.ref)
        if t_min_col <= min_col <= t_max_col and (min_row, max_row) == data_rows(table):
            return table.name, ws.cell(header_row, min_col).value
    raise AssertionError(f"{ref} is not exactly the data rows of a table column on {sheet}: "
                         f"{ {t.name: t.ref for t in ws.tables.values()} }")


def _cells(book: Book, ref: str) -> list[Any]:
    sheet, (min_col, min_row, _, max_row) = parse_ref(ref)
    return [book.wb[sheet].cell(r, min_col).value for r in range(min_row, max_row + 1)]


def test_every_chart_is_bound_to_a_table_column_on_its_sheet(book):
    assert book.charts, "no charts found in the package"
    for chart in book.charts:
        assert chart.series, f"{chart.part} has no series"
        for s in chart.series:
            cat_table, _ = _column_for(book, s.cat_ref, chart.sheet)
            val_table, val_header = _column_for(book, s.val_ref, chart.sheet)
            assert cat_table == val_table, f"{chart.part}: categories and values from different tables"
            if s.name_ref:  # a name bound to a cell is the value column's header
                name_sheet, (c1, r1, c2, r2) = parse_ref(s.name_ref)
                _, val_bounds = parse_ref(s.val_ref)
                assert (name_sheet, c1, c2, r2) == (chart.sheet, val_bounds[0], val_bounds[0], val_bounds[1] - 1)
                assert s.name == val_header
            # the cached values (what previews and non-recalculating viewers draw) are the cells' values
            # (a blank cell, e.g. a group with no residents, is a blank point, never a 0)
            assert s.val_cache == pytest.approx([None if v is None else float(v) for v in _cells(book, s.val_ref)]), \
                chart.part
            assert len(s.cat_cache) == len(s.val_cache), chart.part
            cells = _cells(book, s.cat_ref)
            if all(isinstance(v, str) for v in cells):
                assert s.cat_cache == cells, chart.part


def test_every_chart_has_alt_text_naming_the_area(book):
    for chart in book.charts:
        assert chart.descr and chart.descr.strip(), f"{chart.part} ({chart.title!r}) has no alt text"
        assert book.area in chart.descr, f"{chart.part}: alt text {chart.descr!r} does not name {book.area}"


def test_trends_line_chart(book):
    on_sheet = [c for c in book.charts if c.sheet == "Trends"]
    seasonal = [c for c in on_sheet if _column_for(book, c.series[0].val_ref, "Trends")[0].startswith("sb_season_")]
    assert len(seasonal) == len(spec()["seasonality"]["indicators"])  # one month-by-year chart per seasonal indicator
    charts = [c for c in on_sheet if c not in seasonal]
    assert [c.kind for c in charts] == ["line"]
    (chart,) = charts
    assert book.area in chart.title
    bound = [_column_for(book, s.val_ref, "Trends") for s in chart.series]
    assert bound == [("sb_trend_monthly", indicator(i)["name"]) for i in spec()["trend_table"]["rows"]]
    assert {_column_for(book, s.cat_ref, "Trends") for s in chart.series} == {("sb_trend_monthly", "Month")}


def _published(book, chart) -> bool:
    """The spec's published comparators chart (force, region, England), bound to sb_comparators."""
    return _column_for(book, chart.series[0].val_ref, "Comparisons")[0] == "sb_comparators"


def test_comparisons_two_charts_per_charted_indicator(book):
    on_sheet = [c for c in book.charts if c.sheet == "Comparisons"]
    published = [c for c in on_sheet if _published(book, c)]
    assert len(published) == (1 if spec().get("comparators") else 0)
    charts = [c for c in on_sheet if c not in published]
    assert len(charts) == 2 * len(charted())
    bars = {}
    profiles = {}
    for chart in charts:
        assert len(chart.series) == 1, chart.part
        (s,) = chart.series
        if chart.kind == "bar":
            assert _column_for(book, s.cat_ref, "Comparisons") == ("sb_comparison_rates", PARTNER_LABEL)
            table, header = _column_for(book, s.val_ref, "Comparisons")
            assert table == "sb_comparison_rates"
            bars[header] = chart
        elif chart.kind == "col":
            assert _column_for(book, s.cat_ref, "Comparisons") == ("sb_monthly_profile", "Month")
            table, header = _column_for(book, s.val_ref, "Comparisons")
            assert table == "sb_monthly_profile"
            profiles[header] = chart
        else:
            raise AssertionError(f"{chart.part}: unexpected {chart.kind} chart on Comparisons")
    names = [indicator(i)["name"] for i in charted()]
    assert sorted(bars) == sorted(f"{n}: rate per 1,000" for n in names), "one bar chart per charted indicator"
    assert sorted(profiles) == sorted(names), "one monthly profile chart per charted indicator"
    for name in names:  # each chart's title is about the column it draws
        assert bars[f"{name}: rate per 1,000"].title == f"{name}: rate per 1,000"
        assert profiles[name].title.startswith(f"{name}: monthly counts ("), profiles[name].title


def test_bar_charts_pick_out_the_partner_area(book):
    """Each rates bar chart: the area's own bar in the theme's link colour, the benchmark last in its neutral colour."""
    colours = theme()["colours"]
    own, benchmark = colours["link"].lstrip("#").upper(), colours["neutral"].lstrip("#").upper()
    bars = [c for c in book.charts if c.kind == "bar" and not _published(book, c)]
    assert len(bars) == len(charted())
    for chart in bars:
        (s,) = chart.series
        categories = _cells(book, s.cat_ref)
        assert sorted(chart.points) == list(range(len(categories))), chart.title
        assert [categories[i] for i, c in chart.points.items() if c == own] == [book.area], chart.title
        last = len(categories) - 1 - (categories[-1] == "Peer average")  # the peer average follows the benchmark
        assert chart.points[last] == benchmark and categories[last].endswith("(benchmark)"), chart.title
        if categories[-1] == "Peer average":
            assert chart.points[len(categories) - 1] == colours["peer_average"].lstrip("#").upper(), chart.title
        assert chart.label_format == RATE, chart.title  # labels read like the rates table


def test_no_charts_elsewhere(book):
    assert {c.sheet for c in book.charts} == {"Trends", "Comparisons", "Who is affected", "Who is affected (print)"}


def _overlap(a: tuple, b: tuple) -> bool:
    """Two anchors ((x from, x to), (y from, y to)) overlap; (cell, offset) pairs compare in order."""
    (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) = a, b
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


def test_charts_cover_no_table_and_no_other_chart(book):
    for sheet in {c.sheet for c in book.charts}:
        charts = [c for c in book.charts if c.sheet == sheet]
        for i, chart in enumerate(charts):
            for other in charts[i + 1:]:
                assert not _overlap(chart.anchor, other.anchor), f"{sheet}: {chart.title!r} overlaps {other.title!r}"
            for table in book.wb[sheet].tables.values():
                min_col, min_row, max_col, max_row = range_boundaries(table.ref)
                cells = ((min_col - 1, 0), (max_col, 0), (min_row - 1, 0), (max_row, 0))
                assert not _overlap(chart.anchor, cells), f"{sheet}: {chart.title!r} covers {table.name} ({table.ref})"


# --------------------------------------------------------------------------------------------
# Peaks: recomputed independently, named and coloured only when significant
# --------------------------------------------------------------------------------------------

def test_peak_recomputation_is_not_trivial(raw):
    """Across the checked areas the recomputation both names peaks and declines to."""
    words = {expected_peak_words(raw.monthly(i, area)) for area in AREAS for i in charted()}
    assert "no significant peak" in words
    assert any(w.startswith("peak ") for w in words), words
    # and a flat year never has a peak, a spike always does
    assert expected_peak_words([50] * 12) == "no significant peak"
    assert expected_peak_words([10] * 5 + [60, 60, 60] + [10] * 4) == "peak April to June"


def test_profile_chart_titles_name_only_significant_peaks(book, raw):
    """Title "…: monthly counts (peak June to August)" or "(no significant peak)"; the alt text agrees."""
    profiles = {c.title.split(": monthly counts (")[0]: c for c in book.charts
                if c.sheet == "Comparisons" and c.kind == "col"}
    for ind_id in charted():
        name = indicator(ind_id)["name"]
        words = expected_peak_words(raw.monthly(ind_id, book.area))
        assert profiles[name].title == f"{name}: monthly counts ({words})", ind_id
        said = words if words == "no significant peak" else f"significant {words}"
        assert profiles[name].descr.endswith(f"; {said}."), profiles[name].descr


def test_profile_charts_colour_exactly_the_named_peak(book):
    """The months drawn in the theme's 'worse' colour are the peak the title names, and only then."""
    worse = theme()["colours"]["worse"].lstrip("#").upper()
    months = pd.period_range(end=PERIOD_END, periods=12, freq="M")
    for chart in (c for c in book.charts if c.sheet == "Comparisons" and c.kind == "col"):
        peak = re.search(r"\(peak (\w+) to (\w+)\)$", chart.title)
        coloured = sorted(i for i, colour in chart.points.items() if colour == worse)
        if peak is None:
            assert chart.title.endswith("(no significant peak)") and coloured == [], chart.title
        else:
            assert [month_name(months[i]) for i in (coloured[0], coloured[-1])] == list(peak.groups()), chart.title
            assert coloured == list(range(coloured[0], coloured[0] + 3)), chart.title
