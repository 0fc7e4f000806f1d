"""A protected build keeps the breakdowns of a sensitive indicator's source, their small counts suppressed.

specs/examples/breakdown.yaml (crime by type in three districts, from a one-in-ten sample of police.uk) with
its one indicator, Total recorded crime, made sensitive below 12: every crime type's count from 1 to 11 in a
district is a small count of it. The expected counts come from pandas on the police.uk files; an attacker who
knows every figure the table shows and the district's shown total, and that counts are never negative, must
not pin a hidden small count to an interval narrower than the threshold (scipy linprog over the crime types).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.optimize import linprog

from engine.api import prepare, render_all
from engine.report import SUPPRESSED
from test_suppression_cuts import EXAMPLES, REPO, example_variant

BELOW = 12
TABLE = "sb_breakdown_crime_mix"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("breakdowns")
    spec = example_variant(root, "breakdown.yaml", ("    priority: Tackling crime\n",
                                                    f"    priority: Tackling crime\n    sensitive: true\n"
                                                    f"    suppress: {{below: {BELOW}}}\n"))
    prepared = prepare(spec, suppress=True)
    return prepared, render_all(prepared, root / "out")


@lru_cache(maxsize=None)
def crimes_by_type(first: str, last: str) -> pd.DataFrame:
    """(district, crime type) -> crimes (anti-social behaviour left out) from ``first`` to ``last`` (YYYY-MM)."""
    frames = [pd.read_csv(f, usecols=["Month", "LSOA code", "Crime type"])
              for f in sorted((EXAMPLES / "data" / "police_uk").glob("*-street.csv.gz"))]
    rows = pd.concat(frames).merge(pd.read_csv(REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"),
                                   left_on="LSOA code", right_on="LSOA11CD")
    rows = rows[(rows["Month"] >= first) & (rows["Month"] <= last) & (rows["Crime type"] != "Anti-social behaviour")]
    return rows.groupby(["LAD22NM", "Crime type"]).size().unstack(fill_value=0)


def _table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    workbook = load_workbook(path)
    sheet = next(ws for ws in workbook.worksheets if TABLE in ws.tables)
    ref = sheet.tables[TABLE].ref
    rows = [[c.value for c in row] for row in sheet[ref]]
    first_row = sheet[ref.split(":")[0]].row
    notes = [str(c.value) for row in sheet.iter_rows(min_row=1, max_row=first_row) for c in row if c.value]
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0]), notes


def _alignment(path: Path, area: str) -> set[str]:
    """How the word is aligned in the district's count and percentage columns."""
    workbook = load_workbook(path)
    sheet = next(ws for ws in workbook.worksheets if TABLE in ws.tables)
    rows = list(sheet[sheet.tables[TABLE].ref])
    numbers = [k for k, c in enumerate(rows[0]) if c.value in (f"{area}: crimes", f"{area} %")]
    return {row[k].alignment.horizontal for row in rows[1:] for k in numbers if row[k].value == SUPPRESSED}


def test_protected_build_keeps_breakdown_with_small_counts_suppressed(built):
    prepared, paths = built
    hidden_small = 0
    for report in prepared.reports:
        area = report.partner_area
        path = next(p for p in paths if p.name.startswith(f"{area}_"))
        table, notes = _table(path)
        months = pd.period_range(end=pd.Period(report.period_end, "M"), periods=12, freq="M").astype(str)
        expected = crimes_by_type(months[0], months[-1]).loc[area]
        counts = table[f"{area}: crimes"]
        kpi = next(k for k in report.kpis if k.indicator_id == "total_crime")
        for crime_type, value in expected.items():
            if value == 0 and crime_type not in counts.index:
                continue
            shown = counts[crime_type]
            if 1 <= value < BELOW:
                assert shown == SUPPRESSED, (area, crime_type, value)
                hidden_small += 1
                assert table.loc[crime_type, f"{area} %"] == SUPPRESSED
            if shown != SUPPRESSED:
                assert shown == value, (area, crime_type)
        assert set(counts.index) <= set(expected.index)
        # The attacker: one unknown per crime type (>= 0); every shown count, the shown "Out of" bases and the
        # district's total (the KPI) as equations; the benchmark's counts only bound from above.
        types = list(counts.index)
        equations, values = [], []
        for k, crime_type in enumerate(types):
            if counts[crime_type] != SUPPRESSED:
                equations.append(np.eye(len(types))[k]), values.append(float(counts[crime_type]))
        if kpi.current is not None:
            equations.append(np.ones(len(types))), values.append(float(kpi.current))
        if "Out of" in table.columns:
            for base in set(table["Out of"]) - {SUPPRESSED}:
                equations.append(np.ones(len(types))), values.append(float(base))
        bench = table[f"{report.benchmark_name}: crimes"] if f"{report.benchmark_name}: crimes" in table else None
        bounds = [(0, None if bench is None or bench[t] == SUPPRESSED else float(bench[t])) for t in types]
        for k, crime_type in enumerate(types):
            if counts[crime_type] == SUPPRESSED and 1 <= expected[crime_type] < BELOW:
                target = np.eye(len(types))[k]
                kwargs = dict(A_eq=np.array(equations) if equations else None, b_eq=values or None, bounds=bounds)
                low, high = linprog(target, **kwargs), linprog(-target, **kwargs)
                assert low.status == 0 and high.status in (0, 3)
                width = np.inf if high.status == 3 else -high.fun - low.fun
                assert width >= BELOW, (area, crime_type, width)
        if (counts == SUPPRESSED).any():
            assert any(SUPPRESSED in n and "sensitive" in n for n in notes), notes
            assert _alignment(path, area) == {"right"}
    assert hidden_small > 0, "the example must hide something, or this tests nothing"


def test_no_sentence_quotes_a_breakdown_with_hidden_figures(built):
    prepared, _ = built
    for report in prepared.reports:
        table = next(b for b in report.breakdowns if b.breakdown_id == "crime_mix")
        if table.hidden:
            assert not any(f.topic == "share" for f in report.findings), report.partner_area


def _printed_hidden_in_number_columns(path: Path) -> list[tuple[str, str]]:
    """(cell, horizontal alignment) of every hidden figure's word on the printable Profiles sheet whose column, within
    its table (the rows up to the blank rows around it), also holds a number."""
    sheet = load_workbook(path)["Profiles (print)"]
    rows = [list(row) for row in sheet.iter_rows()]
    blank = [all(c.value is None for c in row) for row in rows]
    found = []
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell.value != SUPPRESSED:
                continue
            first, last = r, r
            while first > 0 and not blank[first - 1]:
                first -= 1
            while last + 1 < len(rows) and not blank[last + 1]:
                last += 1
            column = [rows[k][c].value for k in range(first, last + 1)]
            if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in column):
                found.append((cell.coordinate, cell.alignment.horizontal))
    return found


def test_the_printable_copy_right_aligns_hidden_figures_too(built):
    _, paths = built
    cells = [cell for path in paths for cell in _printed_hidden_in_number_columns(path)]
    assert cells, "the example must hide figures in the printable copy, or this tests nothing"
    assert {alignment for _, alignment in cells} == {"right"}, cells
