"""The peer average on the Comparisons sheet (issue 5): a row of the rates table and a bar on each chart.

The demo spec gives no peer averages, so a partner's Report is built once with ``engine.api`` and
given peer averages here (the first charted indicator's is the plain mean of the partner areas'
rates, computed here; the second has none), then rendered. Checked from the package XML:

* ``sb_comparison_rates`` gains a last row "Peer average" holding each indicator's value, and an
  empty cell (never 0) for an indicator without one;
* every bar chart's categories and values are exactly that table's data rows, peer row included;
  the peer bar is the last point, in the theme's peer-average colour, and the alt text says it;
* without peer averages there is no such row (the structure tests also count ten rows then).
"""
from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

import pytest
from openpyxl.utils.cell import range_boundaries

from engine.api import prepare
from engine.render import load_theme, render_workbook
from workbook_helpers import SPEC, Book, data_rows, parse_ref, read_book, theme

AREA = "Melton"
PEER_ROW = "Peer average"


def _render(report, path: Path) -> Book:
    path.write_bytes(render_workbook(report, load_theme("default")))
    return read_book(AREA, path)


@pytest.fixture(scope="module")
def reports():
    (report,) = prepare(SPEC, areas=[AREA]).reports
    assert len(report.comparisons) >= 2, "the demo spec charts at least two indicators"
    # the demo's own peer groups fill some peer averages: start from none at all
    report = dataclasses.replace(report, comparisons=[dataclasses.replace(c, peer_average=None)
                                                      for c in report.comparisons])
    first, second, *rest = report.comparisons
    peers = [dataclasses.replace(first, peer_average=statistics.fmean(first.rates)),
             dataclasses.replace(second, peer_average=None)] + rest
    return report, dataclasses.replace(report, comparisons=peers)


@pytest.fixture(scope="module")
def books(reports, tmp_path_factory):
    folder = tmp_path_factory.mktemp("peer_average")
    plain, with_peers = reports
    return _render(plain, folder / "plain.xlsx"), _render(with_peers, folder / "peers.xlsx")


def _rates(book: Book) -> tuple[list[list], tuple[int, int, int, int]]:
    ws, table = book.table("sb_comparison_rates")
    min_col, _, max_col, _ = range_boundaries(table.ref)
    first, last = data_rows(table)
    rows = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)] for r in range(first, last + 1)]
    return rows, (min_col, first, max_col, last)


def test_the_rates_table_gains_a_peer_average_row(books, reports):
    plain, with_peers = books
    _, report = reports
    plain_rows, _ = _rates(plain)
    rows, _ = _rates(with_peers)
    assert [r[0] for r in plain_rows][-1].endswith("(benchmark)") and PEER_ROW not in [r[0] for r in plain_rows]
    assert rows[:-1] == plain_rows, "the areas and the benchmark are unchanged"
    peer = rows[-1]
    assert peer[0] == PEER_ROW
    areas = report.comparisons[0].areas
    assert peer[1] == pytest.approx(statistics.fmean(r[1] for r in rows[: len(areas)]))  # the mean of the areas' rates
    assert peer[2] is None, "no peer average: an empty cell, not 0"
    assert all(v is None for v in peer[3:])


def test_every_bar_chart_draws_the_peer_row(books):
    _, book = books
    _, (min_col, first, max_col, last) = _rates(book)
    # the rates table's charts; the published comparators' chart (its alt text says so) draws another table
    bars = [c for c in book.charts if c.sheet == "Comparisons" and c.kind == "bar"
            and "of published rates" not in (c.descr or "")]
    assert len(bars) == max_col - min_col
    peer_colour = theme()["colours"]["peer_average"].lstrip("#").upper()
    value_columns = []
    for chart in bars:
        (series,) = chart.series
        _, cat = parse_ref(series.cat_ref)
        _, val = parse_ref(series.val_ref)
        assert cat == (min_col, first, min_col, last), chart.title  # the names, peer row included
        assert (val[1], val[3]) == (first, last) and val[0] == val[2], chart.title
        value_columns.append(val[0])
        assert series.cat_cache[-1] == PEER_ROW, chart.title
        assert chart.points[last - first] == peer_colour, chart.title  # the last bar
    assert sorted(value_columns) == list(range(min_col + 1, max_col + 1)), "one chart per indicator column"


def test_alt_text_gives_the_peer_average_where_there_is_one(books, reports):
    _, book = books
    _, report = reports
    first, second = report.comparisons[:2]
    bars = {c.title: c for c in book.charts if c.kind == "bar"}
    assert f"peer average {first.peer_average:,.1f}" in bars[f"{first.name}: rate per 1,000"].descr
    assert "peer average" not in bars[f"{second.name}: rate per 1,000"].descr
