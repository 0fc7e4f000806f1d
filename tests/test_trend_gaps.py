"""A month missing from police.uk data: needed only by the financial-year trend, it leaves that
year labelled partial and the build goes on; inside the rolling windows it stays an error that
names the spec key. Fixture: 36 monthly files built from real rows of ``tests/data/police_uk``;
expected totals counted with the csv module.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.api import prepare
from engine.errors import DataError
from test_police_uk_downloads import months as real_months, write_month
from test_police_uk_quirks import REPO, SPEC, force_lsoas

PERIODS = """
periods:
  period_end: 2022-03
  window_months: 12
  financial_year: {start_month: 4, label: "FY {end_year}"}
  trend_years: 3
trend_table:
  title: Trend
  rows: [all_rows]
"""


def month_list(first: tuple[int, int], count: int) -> list[str]:
    year, month = first
    out = []
    for _ in range(count):
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def build(tmp_path: Path, gap: str) -> tuple[Path, dict[str, int]]:
    """2019-04 to 2022-03 without ``gap``; each month 120 real rows re-dated (IDs made unique per month)."""
    base = real_months()["2021-01"][:120]
    folder, inside, per_month = tmp_path / "street", force_lsoas(), {}
    for month in month_list((2019, 4), 36):
        if month == gap:
            continue
        rows = [dict(r, Month=month, **{"Crime ID": f"{r['Crime ID']}-{month}" if r["Crime ID"] else ""}) for r in base]
        path = write_month(folder, month, rows)
        with path.open(encoding="utf-8", newline="") as handle:
            per_month[month] = sum(row["LSOA code"] in inside for row in csv.DictReader(handle))
    spec = SPEC.format(folder=folder, repo=REPO, extra_source="", more_sources="", small_extra="")
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(spec + PERIODS, encoding="utf-8")
    return spec_file, per_month


def test_a_gap_needed_only_by_the_trend_labels_that_year_partial(tmp_path):
    spec_file, per_month = build(tmp_path, gap="2019-08")
    reports = prepare(spec_file).reports
    trend = reports[0].trend
    assert trend.columns == ["FY 2020 (11 of 12 months)", "FY 2021", "FY 2022"]
    assert any("11 of its 12 months" in note for note in trend.notes)
    fy2020 = [m for m in month_list((2019, 4), 12) if m in per_month]
    assert len(reports) == 9  # the force's partner areas: together, every row placed in its LSOAs
    assert sum(r.trend.grand_total[0] for r in reports) == sum(per_month[m] for m in fy2020)


def test_a_gap_inside_the_windows_is_an_error_naming_the_spec_key(tmp_path):
    spec_file, _ = build(tmp_path, gap="2021-01")
    with pytest.raises(DataError) as caught:
        prepare(spec_file)
    problem = caught.value.problems[0]
    assert problem.key_path == "periods.period_end"
    assert "no rows for 2021-01" in problem.message and str(spec_file.parent / "street") in problem.file
