"""A protected build keeps the cuts that show every partner area side by side, and holding every workbook does not
give a hidden count away.

specs/examples/breakdown.yaml (crime by type in three districts, a one-in-ten sample of police.uk) with Total
recorded crime sensitive below 12, its report (six-month windows) ending in June 2022, and two more breakdowns of
the same rows: every district's crime types side by side (``layout: partner_areas``) and every month held. Each
protected workbook now has the comparison chart and the side-by-side table. Every count from 1 to 11 (pandas on the
police.uk files) reads "suppressed" in every workbook that shows it; every shown count equals pandas.

The attacker holds all three workbooks: one unknown per district, crime type and month (never negative); every count
and base the three crime-type tables show in any workbook, the benchmark's counts (the side-by-side table's benchmark
row, and the benchmark rate's count: the three districts' crimes), each district's shown 6-month counts and months.
scipy's linprog must not pin any hidden small count to an interval narrower than the threshold.
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
from test_suppression_breakdowns import crimes_by_type
from test_suppression_left_out import BELOW, _variant

MONTHS = [str(m) for m in pd.period_range("2020-11", "2022-10", freq="M")]
CURRENT = MONTHS[MONTHS.index("2022-01"):MONTHS.index("2022-06") + 1]
PREVIOUS = MONTHS[MONTHS.index("2021-07"):MONTHS.index("2021-12") + 1]
WINDOWS = {"crime_mix": CURRENT, "crime_by_district": CURRENT, "crime_all_months": MONTHS}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cross_partner")
    prepared = prepare(_variant(root), suppress=True)
    return prepared, render_all(prepared, root / "out")


def _workbook_of(paths: list[Path], area: str) -> Path:
    return next(p for p in paths if p.name.startswith(f"{area}_"))


def _table(path: Path, name: str) -> pd.DataFrame | None:
    for sheet in load_workbook(path).worksheets:
        if name in sheet.tables:
            rows = [[c.value for c in row] for row in sheet[sheet.tables[name].ref]]
            return pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0])
    return None


def _truth() -> dict[str, pd.DataFrame]:
    return {b: crimes_by_type(m[0], m[-1]) for b, m in WINDOWS.items()}


class _Attacker:
    """Linear equations and bounds over (district, crime type, month) >= 0."""

    def __init__(self, areas: list[str], types: list[str]) -> None:
        self.areas, self.types = areas, types
        self.rows: list[np.ndarray] = []
        self.values: list[float] = []

    def vector(self, areas, types, months) -> np.ndarray:
        v = np.zeros((len(self.areas), len(self.types), len(MONTHS)))
        v[np.ix_([self.areas.index(a) for a in areas], [self.types.index(t) for t in types],
                 [MONTHS.index(m) for m in months])] = 1
        return v.ravel()

    def knows(self, areas, types, months, value: float) -> None:
        self.rows.append(self.vector(areas, types, months))
        self.values.append(float(value))

    def width(self, target: np.ndarray) -> float:
        kwargs = dict(A_eq=np.array(self.rows), b_eq=np.array(self.values), bounds=(0, None), method="highs")
        low, high = linprog(target, **kwargs), linprog(-target, **kwargs)
        assert low.status == 0, low.message  # the shown figures are consistent with the true counts
        return np.inf if high.status == 3 else -high.fun - low.fun


def _widths(prepared, paths: list[Path]) -> dict[tuple[str, str, str], float]:
    """Every small count's interval width for the attacker holding all the workbooks, after checking what each
    workbook shows against pandas."""
    truth = _truth()
    areas = [r.partner_area for r in prepared.reports]
    types = sorted(set().union(*(set(t.columns) for t in truth.values())))
    every_month = crimes_by_type(MONTHS[0], MONTHS[-1])
    attacker = _Attacker(areas, types)
    for t in types:  # a crime type a district never had is known to be zero (the tables list only types with rows)
        for area in areas:
            if every_month.loc[area].get(t, 0) == 0:
                attacker.knows([area], [t], MONTHS, 0)
    small: list[tuple[str, str, str]] = []  # (district, breakdown, crime type) of every count 1-11
    district_counts = {a: truth["crime_mix"].loc[a].sum() for a in areas}
    seen_rates: dict[str, set] = {a: set() for a in areas}
    side_by_side: list[pd.DataFrame] = []
    for report in prepared.reports:
        path = _workbook_of(paths, report.partner_area)
        # The comparison chart and its rates are kept: each district's rate, or the word when its count is hidden.
        assert [c.indicator_id for c in report.comparisons] == ["total_crime"]
        assert not report.left_out_breakdowns and not any("left out" in s for s in report.left_out_comparisons)
        rates = _table(path, "sb_comparison_rates")
        assert rates is not None
        for area in areas:
            seen_rates[area].add(rates.loc[area].iloc[0] == SUPPRESSED)
            if 1 <= district_counts[area] < BELOW:
                assert rates.loc[area].iloc[0] == SUPPRESSED
        # The side-by-side table is kept, the same figures shown in every workbook.
        table = _table(path, "sb_breakdown_crime_by_district")
        assert table is not None, "the partner_areas breakdown must be kept"
        side_by_side.append(table)
        own = report.partner_area
        for b in ("crime_mix", "crime_all_months"):
            shown = _table(path, f"sb_breakdown_{b}")
            counts, expected = shown[f"{own}: crimes"], truth[b].loc[own]
            for t in counts.index:
                if counts[t] == SUPPRESSED:
                    if 1 <= expected[t] < BELOW:
                        small.append((own, b, t))
                    continue
                assert counts[t] == expected[t], (own, b, t)
                attacker.knows([own], [t], WINDOWS[b], counts[t])
            for t, value in expected.items():
                if 1 <= value < BELOW:
                    assert t in counts.index and counts[t] == SUPPRESSED, (own, b, t, value)
            for base in set(shown["Out of"]) - {SUPPRESSED}:
                attacker.knows([own], types, WINDOWS[b], base)
            # The benchmark's percentage of a type, with every district's base shown, gives the benchmark's count.
            bench = f"{report.benchmark_name} %"
            bases = [_table(_workbook_of(paths, a), f"sb_breakdown_{b}")["Out of"] for a in areas]
            if all(SUPPRESSED not in set(x) for x in bases):
                total = sum(float(x.iloc[0]) for x in bases)
                for t in counts.index:
                    if shown.loc[t, bench] not in (SUPPRESSED, None):
                        attacker.knows(areas, [t], WINDOWS[b], round(float(shown.loc[t, bench]) * total))
        kpi = next(k for k in report.kpis if k.indicator_id == "total_crime")
        for value, span in ((kpi.current, CURRENT), (kpi.previous, PREVIOUS)):
            if value is not None:
                attacker.knows([own], types, span, value)
        series = next(s for s in report.series if s.indicator_id == "total_crime")
        for month, value in zip(series.months, series.monthly):
            if value is not None:
                attacker.knows([own], types, [f"{month:%Y-%m}"], value)
        comparison = report.comparisons[0]
        for area, count in zip(comparison.areas, comparison.counts):
            if count is not None:
                attacker.knows([area], types, CURRENT, count)
        if comparison.benchmark_rate is not None:  # the benchmark's rate and population give its count
            attacker.knows(areas, types, CURRENT, sum(district_counts.values()))
    assert all(len(s) == 1 for s in seen_rates.values()), seen_rates  # one status for a district's rate
    for table in side_by_side[1:]:
        pd.testing.assert_frame_equal(table, side_by_side[0])
    table = side_by_side[0]
    expected = truth["crime_by_district"]
    benchmark = next(i for i in table.index if i not in areas)
    for t in types:
        if f"{t}: count" not in table.columns:
            continue
        for area in areas:
            shown, value = table.loc[area, f"{t}: count"], expected.loc[area].get(t, 0)
            if 1 <= value < BELOW:
                assert shown == SUPPRESSED, (area, t, value)
                small.append((area, "crime_by_district", t))
            elif shown != SUPPRESSED:
                assert shown == value, (area, t)
                attacker.knows([area], [t], CURRENT, shown)
            base = table.loc[area, f"{t}: Crimes"]
            if base != SUPPRESSED:
                attacker.knows([area], types, CURRENT, base)
        bench_count = table.loc[benchmark, f"{t}: count"]
        if bench_count not in (SUPPRESSED, None):
            assert bench_count == expected[t].sum()
            attacker.knows(areas, [t], CURRENT, bench_count)
    assert small, "the spec must have small counts, or this tests nothing"
    assert any(b == "crime_by_district" for _, b, _ in small)
    return {(area, b, t): attacker.width(attacker.vector([area], [t], WINDOWS[b])) for area, b, t in small}


def test_protected_workbooks_keep_side_by_side_cuts_with_one_status_and_no_small_count_pinned(built):
    prepared, paths = built
    for key, width in _widths(prepared, paths).items():
        assert width >= BELOW - 1e-6, (key, width)
    # The comparison chart draws no hidden rate: a note names what is not drawn.
    for report in prepared.reports:
        gone = [a for a, r in zip(report.comparisons[0].areas, report.comparisons[0].rates) if r is None]
        if gone:
            assert any(all(a in s for a in gone) and "not drawn" in s for s in report.left_out_comparisons)


def test_a_benchmark_shown_whatever_its_summands_is_caught(tmp_path, monkeypatch):
    """The attacker has teeth: with the benchmark's counts shown whatever the partner areas' own checks hide (as
    before this check), holding every workbook pins a small count: the benchmark's less the others' shown counts."""
    import engine.indicators.counted.suppression as suppression

    def apart(problems, totals, jobs=1):
        return [p.hidden() for p in problems], set()

    monkeypatch.setattr(suppression, "protect_partners", apart)
    prepared = prepare(_variant(tmp_path), suppress=True)
    widths = _widths(prepared, render_all(prepared, tmp_path / "out"))
    assert min(widths.values()) < BELOW - 1e-6, widths
