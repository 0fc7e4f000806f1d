"""Small-number suppression in built Reports and workbooks (``engine.api.prepare(..., suppress=True)``).

The demo spec marks Violence and sexual offences sensitive, but its counts are large; these tests
raise the thresholds (Violence below 60, Robbery below 15) so that Melton and Rutland have many
small counts to hide. Whether any hidden number can still be worked out is checked independently
of the engine: every number is written as a sum over (police.uk crime type, month), read from the
spec's YAML, and a hidden number must not lie in the span of the visible ones (numpy rank).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook

from engine.api import prepare, render_all
from engine.report import SUPPRESSED

REPO = Path(__file__).resolve().parents[1]
SPEC_TEXT = (REPO / "specs" / "community_safety.yaml").read_text(encoding="utf-8")
SENSITIVE = "    sensitive: true             # includes sexual offences: small numbers hidden in partner deliveries\n"
ROBBERY = "  - id: robbery\n    name: Robbery\n"
THRESHOLDS = {"violence_and_sexual_offences": 60, "robbery": 15}
CRIME_TYPES = ["Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
               "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
               "Theft from the person", "Vehicle crime", "Violence and sexual offences"]
MONTHS = [dt.date(2020 + (10 + i) // 12, (10 + i) % 12 + 1, 1) for i in range(24)]  # Nov 2020 – Oct 2022


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("suppression")
    try:
        (root / "data").symlink_to(REPO / "data", target_is_directory=True)
    except OSError:
        shutil.copytree(REPO / "data", root / "data")
    (root / "specs").mkdir()
    assert SPEC_TEXT.count(SENSITIVE) == 1 and SPEC_TEXT.count(ROBBERY) == 1
    text = SPEC_TEXT.replace(SENSITIVE, "    sensitive: true\n    suppress: {below: 60}\n")
    text = text.replace(ROBBERY, ROBBERY + "    sensitive: true\n    suppress: {below: 15}\n")
    path = root / "specs" / "sensitive.yaml"
    path.write_text(text, encoding="utf-8")
    return path


#: The two smallest partner areas: under the raised thresholds they have the most to hide. Each partner's
#: workbook is protected on its own, so checking these two checks the rule; the other seven only cost time.
SMALL_AREAS = ["Melton", "Rutland"]


@pytest.fixture(scope="module")
def plain(spec_path):
    return {r.partner_area: r for r in prepare(spec_path, areas=SMALL_AREAS).reports}


@pytest.fixture(scope="module")
def suppressed(spec_path):
    prepared = prepare(spec_path, areas=SMALL_AREAS, suppress=True)
    assert sorted(r.partner_area for r in prepared.reports) == SMALL_AREAS
    return prepared


def by_area(prepared):
    return {r.partner_area: r for r in prepared.reports}


def test_without_suppression_nothing_is_hidden(plain):
    for report in plain.values():
        assert report.suppression_note is None
        # Counted KPIs show every number; a measured KPI's None is data the partner did not supply (or a
        # snapshot's previous period), never a hidden one.
        assert all(None not in (k.previous, k.current, k.change, k.rate, k.band) for k in report.kpis if not k.measured)
        assert all(k.direction != SUPPRESSED for k in report.kpis)
        assert all(r.count is not None for t in report.top_tables for r in t.rows)
        assert all(v is not None for row in report.trend.rows for v in row.values + row.monthly)
        note = next(n.text for n in report.methodology if n.topic == "Small numbers")
        assert "does not" in note


def test_small_counts_of_sensitive_indicators_are_hidden(plain, suppressed):
    hidden_any = 0
    for area, report in by_area(suppressed).items():
        before = {k.indicator_id: k for k in plain[area].kpis}
        for kpi in report.kpis:
            below = THRESHOLDS.get(kpi.indicator_id)
            for field in ("current", "previous"):
                value = getattr(before[kpi.indicator_id], field)
                if below and 0 < value < below:
                    assert getattr(kpi, field) is None, (area, kpi.indicator_id, field)
                    hidden_any += 1
                elif getattr(kpi, field) is not None:
                    assert getattr(kpi, field) == value  # shown numbers are never altered
        for table, original in zip(report.top_tables, plain[area].top_tables):
            below = THRESHOLDS.get(table.indicator_id)
            for row, row_before in zip(table.rows, original.rows):
                assert row.code == row_before.code and row.rank == row_before.rank
                if below and 0 < row_before.count < below:
                    assert row.count is None, (area, table.indicator_id, row.code)
        for row, row_before in zip(report.trend.rows, plain[area].trend.rows):
            below = THRESHOLDS.get(row.indicator_id)
            for value, value_before in zip(row.values + row.monthly, row_before.values + row_before.monthly):
                if below and 0 < value_before < below:
                    assert value is None
        assert (report.suppression_note is not None) == _any_hidden(report)
    assert hidden_any > 0, "the thresholds must hide something, or these tests test nothing"


def _any_hidden(report) -> bool:
    return (any(None in (k.previous, k.current, k.change) for k in report.kpis)
            or any(r.count is None for t in report.top_tables for r in t.rows)
            or any(v is None for row in report.trend.rows for v in row.values + row.monthly))


def test_what_a_hidden_count_would_give_away_is_hidden(suppressed):
    for report in suppressed.reports:
        for k in report.kpis:
            if k.current is None or k.previous is None:
                assert k.change is None and k.percent_change is None
            if k.current is None:
                assert k.rate is None and k.band is None
        for table in report.top_tables:
            for row in table.rows:
                if row.count is None:
                    assert row.rate is None and row.band is None


@lru_cache(maxsize=None)
def _spec() -> dict:
    """The spec's YAML, parsed once: parsing it is seconds of CPU, and every indicator's lookup needs it."""
    return yaml.safe_load(SPEC_TEXT)


@lru_cache(maxsize=None)
def _types(indicator_id: str) -> frozenset[str]:
    """The crime types an indicator counts, from its ``where: crime_type`` in the YAML."""
    spec = _spec()
    where = next(i for i in spec["indicators"] if i["id"] == indicator_id)["where"]["crime_type"]
    (operator, value), = where.items()
    return frozenset({"equals": [value], "in": value, "not_in": [t for t in CRIME_TYPES if t not in value]}[operator])


def _vector(indicator_ids: list[str], months: list[dt.date], sign: float = 1.0) -> np.ndarray:
    vector = np.zeros((len(CRIME_TYPES), len(MONTHS)))
    for indicator_id in indicator_ids:
        for crime_type in _types(indicator_id):
            for month in months:
                vector[CRIME_TYPES.index(crime_type), MONTHS.index(month)] += sign
    return vector.ravel()


def _fy_months(label: str, shown: list[dt.date]) -> list[dt.date]:
    end_year = int(label.split()[1])  # October–September years, labelled by the year they end
    return [m for m in shown if dt.date(end_year - 1, 10, 1) <= m <= dt.date(end_year, 9, 1)]


@lru_cache(maxsize=None)
def _police_uk(indicator_id: str) -> bool:
    """Whether the indicator counts police.uk rows. The partner extracts' indicators count other records, whose
    numbers lie in other dimensions: no sum of them gives a police.uk count, nor the reverse."""
    spec = _spec()
    source = next(i for i in spec["indicators"] if i["id"] == indicator_id)["source"]
    return spec["sources"][source]["type"] == "police_uk"


def _published(report) -> list[tuple[np.ndarray, bool]]:
    """(vector over crime type × month, hidden?) of every police.uk partner-level number in the workbook."""
    current, previous = MONTHS[12:], MONTHS[:12]
    items = []
    # A measured KPI (a share of two police.uk indicators) is withheld whole in a protected build: nothing shown.
    assert all(k.current is None for k in report.kpis if k.measured and _police_uk(k.indicator_id))
    for k in (k for k in report.kpis if _police_uk(k.indicator_id) and not k.measured):
        items += [(_vector([k.indicator_id], current), k.current is None),
                  (_vector([k.indicator_id], previous), k.previous is None),
                  (_vector([k.indicator_id], current) - _vector([k.indicator_id], previous), k.change is None)]
    trend = report.trend
    ids = [r.indicator_id for r in trend.rows]
    for j, label in enumerate(trend.columns):
        fy = _fy_months(label, trend.months)
        items += [(_vector([r.indicator_id], fy), r.values[j] is None) for r in trend.rows]
        items.append((_vector(ids, fy), trend.grand_total[j] is None))
    for position, month in enumerate(trend.months):
        items += [(_vector([r.indicator_id], [month]), r.monthly[position] is None) for r in trend.rows]
        items.append((_vector(ids, [month]), trend.monthly_totals[position] is None))
    return items


def test_no_hidden_number_can_be_worked_out_from_the_visible_ones(suppressed):
    """Adding and subtracting the numbers shown (KPIs, changes, the trend table, its totals and its
    months) must not give any hidden one: its vector is not in the span of the visible vectors."""
    checked = 0
    for report in suppressed.reports:
        items = _published(report)
        visible = np.array([v for v, hidden in items if not hidden])
        _, sizes, directions = np.linalg.svd(visible, full_matrices=False)
        basis = directions[sizes > 1e-9 * sizes[0]]  # orthonormal basis of what the visible numbers span
        for vector, hidden in items:
            if hidden:
                left_over = vector - basis.T @ (basis @ vector)
                assert np.linalg.norm(left_over) > 1e-6, f"{report.partner_area}: a hidden number is derivable"
                checked += 1
    assert checked > 20


def test_complete_top_tables_do_not_give_away_a_row(suppressed):
    """A table with fewer rows than its limit lists every small area with an event: with the
    partner area's count shown, its rows add up to it, so one hidden row alone would be exposed."""
    for report in suppressed.reports:
        kpis = {k.indicator_id: k for k in report.kpis}
        for table in report.top_tables:
            hidden = [r for r in table.rows if r.count is None]
            if len(table.rows) < 10 and kpis[table.indicator_id].current is not None:
                assert len(hidden) != 1, (report.partner_area, table.indicator_id)


def test_suppressed_workbook_shows_the_word_and_says_why(suppressed, tmp_path):
    rutland = dataclasses.replace(suppressed, reports=[r for r in suppressed.reports if r.partner_area == "Rutland"])
    (path,) = render_all(rutland, tmp_path)
    workbook = load_workbook(path, read_only=True)
    text = {sheet: [str(c) for row in workbook[sheet].iter_rows(values_only=True) for c in row if c is not None]
            for sheet in ("Summary", "Top 10", "Trends", "Methodology")}
    for sheet in ("Summary", "Top 10", "Trends"):
        assert SUPPRESSED in text[sheet], sheet
        assert any(t.startswith(f"'{SUPPRESSED}' = not shown, to protect privacy") for t in text[sheet]), sheet
    assert any("This workbook applies it." in t for t in text["Methodology"])
