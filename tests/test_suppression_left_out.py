"""A protected build keeps every cut of a sensitive source, with no "left out" note; a breakdown reaching past the
last month counted is kept, its small counts suppressed.

specs/examples/breakdown.yaml (crime by type in three districts, a one-in-ten sample of police.uk) with its
indicator, Total recorded crime, made sensitive below 12, its report (six-month windows) ending in June 2022
while the data run to October, and two more breakdowns of the same rows: every district's crime types side by
side (``layout: partner_areas``) and every row the data hold (``window: all``, reaching past the last month
counted). The comparison chart shows every district's count, and so does the side-by-side table: both are kept,
checked with every district's workbook together (tests/test_suppression_cross_partner.py attacks them). The ``all``
table is kept too: an attacker with scipy's linprog, one unknown
per crime type and month, who knows every count and base both crime-type tables show, the district's shown
6-month counts and shown months, and that the benchmark's counts bound the district's, must not pin a hidden
small count (from pandas on the police.uk files) to less than the threshold.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.optimize import linprog

from engine.api import prepare, render_all
from engine.report import SUPPRESSED
from test_suppression_breakdowns import _table, crimes_by_type
from test_suppression_cuts import example_variant

BELOW = 12
EXTRA = """
  - id: crime_by_district
    title: Crime by type, every district
    source: street_crime
    by: [crime_type]
    layout: partner_areas
    where:
      crime_type: {not_in: [Anti-social behaviour]}
  - id: crime_all_months
    title: Crime by type, every month held
    source: street_crime
    by: [crime_type]
    window: all
    where:
      crime_type: {not_in: [Anti-social behaviour]}

indicators:
"""


def _variant(root: Path) -> Path:
    return example_variant(root, "breakdown.yaml",
                           ("  period_end: latest\n  window_months: 12\n", "  period_end: 2022-06\n  window_months: 6\n"),
                           ("\nindicators:\n", EXTRA),
                           ("    priority: Tackling crime\n",
                            f"    priority: Tackling crime\n    sensitive: true\n    suppress: {{below: {BELOW}}}\n"))


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("left_out")
    spec = _variant(root)
    out = {}
    for protected in (True, False):
        prepared = prepare(spec, suppress=protected)
        out[protected] = (prepared, render_all(prepared, root / ("protected" if protected else "open")))
    return out


def _texts(path: Path, sheet_name: str) -> list[str]:
    sheet = load_workbook(path)[sheet_name]
    return [str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def _tables(path: Path) -> set[str]:
    return {name for ws in load_workbook(path).worksheets for name in ws.tables}


def test_protected_workbook_keeps_every_table_and_says_how_side_by_side_ones_are_checked(builds):
    prepared, paths = builds[True]
    assert any(b.hidden for r in prepared.reports for b in r.breakdowns), "nothing hidden: this tests nothing"
    for report in prepared.reports:
        path = next(p for p in paths if p.name.startswith(f"{report.partner_area}_"))
        tables = _tables(path)
        assert {"sb_breakdown_crime_mix", "sb_breakdown_crime_all_months", "sb_breakdown_crime_by_district",
                "sb_comparison_rates"} <= tables  # the check covers them all
        for sheet in ("Profiles", "Comparisons"):
            assert not any("left out of this protected workbook because" in t for t in _texts(path, sheet))
        assert [c.indicator_id for c in report.comparisons] == ["total_crime"]
        method = " ".join(n.text for n in report.methodology)
        assert "is shown only when every one of them is" in method, method


def test_unprotected_workbook_has_every_table_and_no_such_note(builds):
    prepared, paths = builds[False]
    for report in prepared.reports:
        path = next(p for p in paths if p.name.startswith(f"{report.partner_area}_"))
        assert {"sb_breakdown_crime_mix", "sb_breakdown_crime_by_district",
                "sb_breakdown_crime_all_months"} <= _tables(path)
        for sheet in ("Profiles", "Comparisons"):
            assert not any("left out of this protected workbook" in t for t in _texts(path, sheet))
        assert [c.indicator_id for c in report.comparisons] == ["total_crime"]


def _sum(types: list[str], months: list[str], chosen_types, chosen_months) -> np.ndarray:
    """A row over the unknowns (crime type × month) summing the chosen ones."""
    row = np.zeros((len(types), len(months)))
    row[np.ix_([types.index(t) for t in chosen_types], [months.index(m) for m in chosen_months])] = 1
    return row.ravel()


def test_table_past_the_last_month_keeps_its_small_counts_hidden(builds):
    prepared, paths = builds[True]
    months = [str(m) for m in pd.period_range("2020-11", "2022-10", freq="M")]
    window = {"crime_mix": months[months.index("2022-01"):months.index("2022-06") + 1], "crime_all_months": months}
    previous = months[months.index("2021-07"):months.index("2021-12") + 1]
    hidden_small = 0
    for report in prepared.reports:
        area = report.partner_area
        path = next(p for p in paths if p.name.startswith(f"{area}_"))
        expected = {b: crimes_by_type(m[0], m[-1]).loc[area] for b, m in window.items()}
        types = sorted(expected["crime_all_months"].index)
        eq, values, ub, limits = [], [], [], []
        tables = {}
        for b, m in window.items():
            table, _ = _table(path) if b == "crime_mix" else _table_named(path, f"sb_breakdown_{b}")
            tables[b] = table
            counts = table[f"{area}: crimes"]
            bench = table.get(f"{report.benchmark_name}: crimes")  # the benchmark's counts, where the table shows them
            for t in types:
                if t not in counts.index:
                    eq.append(_sum(types, months, [t], m)), values.append(0.0)
                    continue
                if counts[t] != SUPPRESSED:
                    assert counts[t] == expected[b][t], (area, b, t)
                    eq.append(_sum(types, months, [t], m)), values.append(float(counts[t]))
                if bench is not None and bench[t] != SUPPRESSED:
                    ub.append(_sum(types, months, [t], m)), limits.append(float(bench[t]))
            for base in set(table["Out of"]) - {SUPPRESSED}:
                eq.append(_sum(types, months, types, m)), values.append(float(base))
        kpi = next(k for k in report.kpis if k.indicator_id == "total_crime")
        for shown, span in ((kpi.current, window["crime_mix"]), (kpi.previous, previous)):
            if shown is not None:
                eq.append(_sum(types, months, types, span)), values.append(float(shown))
        series = next(s for s in report.series if s.indicator_id == "total_crime")
        for month, value in zip(series.months, series.monthly):
            if value is not None:
                eq.append(_sum(types, months, types, [f"{month:%Y-%m}"])), values.append(float(value))
        for b, m in window.items():
            counts = tables[b][f"{area}: crimes"]
            for t in counts.index:
                if counts[t] == SUPPRESSED and 1 <= expected[b][t] < BELOW:
                    target = _sum(types, months, [t], m)
                    kwargs = dict(A_eq=np.array(eq), b_eq=values, A_ub=np.array(ub) if ub else None,
                                  b_ub=limits or None, bounds=(0, None), method="highs")
                    low, high = linprog(target, **kwargs), linprog(-target, **kwargs)
                    assert low.status == 0 and high.status in (0, 3), (low.message, high.message)
                    width = np.inf if high.status == 3 else -high.fun - low.fun
                    assert width >= BELOW - 1e-6, (area, b, t, width)
                    hidden_small += b == "crime_all_months"
    assert hidden_small > 0, "the table past the last month must hide a small count, or this tests nothing"


def _table_named(path: Path, name: str) -> tuple[pd.DataFrame, list[str]]:
    sheet = next(ws for ws in load_workbook(path).worksheets if name in ws.tables)
    rows = [[c.value for c in row] for row in sheet[sheet.tables[name].ref]]
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0]), []
