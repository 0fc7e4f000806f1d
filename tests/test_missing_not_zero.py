"""Missing is not zero: a partner return's absent or rejected cells are n/a with the reason, never 0.

Fixtures (tests/data/missing/, made for these tests; district names are the real Leicestershire ones):

* ``quarterly_clients.csv``: clients in treatment by district and financial quarter, Q3 2020-21 to
  Q2 2022-23, where Melton has no row for the latest quarter and Rutland has no rows at all;
* ``monthly_referrals.csv``: referrals by district and month, Oct 2020 to Sep 2022, where Melton's
  March 2022 cell reads "not known".

Expected figures are read from the CSVs with plain pandas, never from the engine.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from engine.api import build, prepare
from engine.errors import SpecError
from bundled_geography import geography_yaml
from test_suppression_alignment import number_columns
from workbook_helpers import REPO

DATA = Path(__file__).parent / "data" / "missing"
QUARTERLY = DATA / "quarterly_clients.csv"
MONTHLY = DATA / "monthly_referrals.csv"
LEICESTERSHIRE = ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Leicester", "Melton",
                  "North West Leicestershire", "Oadby and Wigston", "Rutland"]

SPEC = """\
data_root: /  # a spec written to a temporary folder, reading the repository's fixtures
title: Partner return with gaps
sources:
  return:
    type: csv
    path: {path}
{absent}    columns:
      {area}: {{name: partner_area_name, type: code}}
      {period}: {{name: month, type: {period_type}}}
      {value}: {{name: value, type: integer}}
{geography}{quality}indicators:
  - id: clients
    name: Clients in treatment
    unit: clients
    source: return
    measure: {measure}
"""
VALUE = "{{kind: value, value: value, compare: {compare}}}"


def write_spec(tmp_path: Path, path: Path = QUARTERLY, area: str = "District", period: str = "Quarter",
               value: str = "Clients", period_type: str = "quarter", compare: str = "previous_period",
               quality: str = "", absent: str = "", measure: str = VALUE) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(path=path, area=area, period=period, value=value, period_type=period_type,
                                measure=measure.format(compare=compare), quality=quality, absent=absent,
                                geography=geography_yaml()),
                    encoding="utf-8")
    return spec


def kpis(spec: Path) -> dict:
    return {r.partner_area: r for r in prepare(spec).reports}


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory):
    return kpis(write_spec(tmp_path_factory.mktemp("quarterly")))


def test_absent_rows_of_a_return_are_missing_not_zero(quarterly):
    table = pd.read_csv(QUARTERLY)
    latest, before = "Q2 2022-23", "Q1 2022-23"
    for name in ("Melton", "Rutland"):
        assert not ((table.District == name) & (table.Quarter == latest)).any()  # the fixture's gaps
        kpi = quarterly[name].kpis[0]
        assert kpi.current is None and kpi.change is None and kpi.percent_change is None
        assert kpi.band is None and kpi.peer_rank is None and kpi.change_code == 0
        assert "Reduction" not in kpi.direction and "Increase" not in kpi.direction
        assert "no row in source 'return'" in kpi.missing_reason and latest in kpi.missing_reason
        assert not [f for f in quarterly[name].findings if "Clients in treatment" in f.text]
        issues = [i for i in quarterly[name].quality_issues if i.action == "missing"]
        assert len(issues) == 1 and "Clients in treatment" in issues[0].reason
    # Melton's previous quarter is there and shown; Rutland has none.
    melton_before = int(table[(table.District == "Melton") & (table.Quarter == before)].Clients.sum())
    assert quarterly["Melton"].kpis[0].previous == melton_before
    assert quarterly["Rutland"].kpis[0].previous is None


def test_areas_with_figures_are_ranked_among_areas_with_figures_only(quarterly):
    table = pd.read_csv(QUARTERLY)
    latest = table[table.Quarter == "Q2 2022-23"].set_index("District").Clients
    assert len(latest) == 7  # neither Melton nor Rutland
    for name, clients in latest.items():
        kpi = quarterly[name].kpis[0]
        assert kpi.current == clients and kpi.missing_reason is None
        assert kpi.peer_count == len(latest)
    # The benchmark pools the areas with a figure only (a missing area is not a zero in it).
    population = pd.read_csv(REPO / "data/ons/population20_lsoa11_leicestershire.csv")
    lookup = pd.read_csv(REPO / "data/ons/lsoa11_lad22_leicestershire.csv").merge(population, on="LSOA11CD")
    residents = lookup.groupby("LAD22NM")["All Ages (mid-2020)"].sum()
    expected = latest.sum() / residents[latest.index].sum() * 1000
    assert quarterly["Blaby"].kpis[0].benchmark_rate == pytest.approx(expected)


def test_the_workbook_shows_n_a_with_the_reason(tmp_path):
    spec = write_spec(tmp_path)
    path, = build(spec, tmp_path / "out", areas=["Melton"])
    book = load_workbook(path)
    summary = book["Summary"]
    header_row = next(r for r in summary.iter_rows() if any(c.value == "Current" for c in r))
    columns = {c.value: c.column - 1 for c in header_row}
    row = next(r for r in summary.iter_rows(min_row=header_row[0].row + 1) if r[1].value == "Clients in treatment")
    assert row[columns["Current"]].value == "n/a"
    assert row[columns["Change"]].value == "n/a"
    assert row[columns["Comparison with Leicestershire"]].value == "n/a"
    assert not row[columns["Rank among districts (1 = lowest rate)"]].value
    assert "no row in source 'return'" in row[columns["Current"]].comment.text
    texts = [c.value for r in summary.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith("n/a — Clients in treatment: missing, not zero") for t in texts)
    quality = [c.value for r in book["Data Quality"].iter_rows() for c in r]
    assert "missing" in quality
    findings = [c.value for r in book["Key findings"].iter_rows() for c in r if isinstance(c.value, str)]
    assert not any("Clients in treatment" in t for t in findings)


def test_absent_rows_can_be_declared_zero(tmp_path):
    """A source that lists events says so: absent rows are then zero (and Rutland is ranked at 0)."""
    reports = kpis(write_spec(tmp_path, absent="    absent_rows: zero\n"))
    assert reports["Rutland"].kpis[0].current == 0 and reports["Rutland"].kpis[0].missing_reason is None


def test_too_many_missing_cells_is_an_error_naming_the_source(tmp_path):
    # Compared cells: 9 districts x 2 quarters; missing: Melton's latest, Rutland's two.
    table = pd.read_csv(QUARTERLY)
    compared = table[table.Quarter.isin(["Q2 2022-23", "Q1 2022-23"])]
    missing = 9 * 2 - len(compared)
    assert missing == 3
    spec = write_spec(tmp_path, quality="quality: {max_missing_percent: 10}\n")
    with pytest.raises(SpecError) as error:
        prepare(spec)
    text = str(error.value)
    assert f"{spec}:" in text and "sources.return" in text and f"{missing} of the 18" in text
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if t.startswith("  return:"))
    assert f"{spec}:{line}:" in text


@pytest.mark.parametrize("measure", [VALUE, "{{kind: count, compare: {compare}}}"])
def test_a_source_matching_no_partner_area_is_an_error(tmp_path, measure):
    quarters = pd.read_csv(QUARTERLY).Quarter.unique()
    forces = pd.DataFrame([(force, q, 10 + i) for i, q in enumerate(quarters)
                           for force in ("Leicestershire Police", "Nottinghamshire Police")],
                          columns=["Force", "Quarter", "Clients"])
    path = tmp_path / "forces.csv"
    forces.to_csv(path, index=False)
    spec = write_spec(tmp_path, path=path, area="Force", measure=measure)
    with pytest.raises(SpecError) as error:
        prepare(spec)
    text = str(error.value)
    assert "sources.return" in text and "none of its 16 rows" in text and "Leicestershire Police" in text
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if t.startswith("  return:"))
    assert f"{spec}:{line}:" in text


def test_a_rejected_cell_makes_its_window_missing_not_smaller(tmp_path):
    """One text value in a monthly return: that district's 12-month window is refused, not summed without it."""
    raw = pd.read_csv(MONTHLY, dtype=str)
    bad = raw[pd.to_numeric(raw.Referrals, errors="coerce").isna()]
    assert list(bad.District) == ["Melton"] and list(bad.Month) == ["2022-03"]
    reports = kpis(write_spec(tmp_path, path=MONTHLY, period="Month", value="Referrals", period_type="month",
                              compare="rolling"))
    melton = reports["Melton"].kpis[0]
    assert melton.current is None and melton.change is None and melton.band is None and melton.peer_rank is None
    assert "a value rejected" in melton.missing_reason and "Mar 2022" in melton.missing_reason
    # The partial sum the engine used to show, and what it would have claimed:
    numbers = raw.assign(Referrals=pd.to_numeric(raw.Referrals, errors="coerce"))
    current = numbers[(numbers.Month >= "2021-10") & (numbers.Month <= "2022-09")]
    assert current[current.District == "Melton"].Referrals.sum() > 0  # a smaller total, had the month been dropped
    assert melton.previous == numbers[(numbers.District == "Melton") & (numbers.Month >= "2020-10")
                                      & (numbers.Month <= "2021-09")].Referrals.sum()
    for name in LEICESTERSHIRE:
        if name != "Melton":
            assert reports[name].kpis[0].current == current[current.District == name].Referrals.sum()
            assert reports[name].kpis[0].peer_count == 8


def test_a_dashboard_subject_with_a_missing_member_is_n_a_with_the_reason(tmp_path):
    """The county's sum would leave Melton's missing quarter out: it is n/a too, and names Melton."""
    spec = write_spec(tmp_path)
    spec.write_text("dashboard:\n  subject:\n    name: County\n    where:\n      LAD23NM: {in: [Blaby, Melton]}\n"
                    + spec.read_text(), encoding="utf-8")
    path, = build(spec, tmp_path / "out")
    sheet = load_workbook(path)["Dashboard"]
    header_row = next(r for r in sheet.iter_rows() if any(c.value == "Current" for c in r))
    columns = {c.value: c.column - 1 for c in header_row}
    row = next(r for r in sheet.iter_rows(min_row=header_row[0].row + 1) if r[1].value == "Clients in treatment")
    assert row[columns["Current"]].value == "n/a"
    assert "Melton: Current (Q2 2022-23): no row in source 'return'" in row[columns["Current"]].comment.text
    texts = [c.value for r in sheet.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith("n/a — Clients in treatment: missing, not zero") and "Melton" in t for t in texts)
    quality = [c.value for r in load_workbook(path)["Data Quality"].iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith("Melton, Clients in treatment: n/a") for t in quality)
    assert not any(t.startswith("Rutland,") for t in quality)  # not a member: not the county's
    csv_text = (path.parent / (path.stem + "_data_quality.csv")).read_text(encoding="utf-8-sig")
    assert "Melton, Clients in treatment: n/a" in csv_text


def test_absent_rows_missing_on_a_counted_indicator_is_a_located_error(tmp_path):
    spec = write_spec(tmp_path, absent="    absent_rows: missing\n")
    spec.write_text(spec.read_text().replace("    measure: {kind: value, value: value, compare: previous_period}\n", ""),
                    encoding="utf-8")
    with pytest.raises(SpecError) as error:
        prepare(spec)
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if "absent_rows" in t)
    assert f"{spec}:{line}: sources.return.absent_rows: " in str(error.value)
    assert "indicator 'clients' counts its rows as events" in str(error.value)


def test_the_methodology_states_the_rule_for_the_return(quarterly):
    notes = {n.topic: n.text for n in quarterly["Blaby"].methodology}
    assert notes["Missing data"].startswith("Missing is not zero. In return, a district with no row for a period")


def test_the_web_page_shows_n_a_with_the_reason(tmp_path):
    from engine.api import partner_page

    prepared = prepare(write_spec(tmp_path), areas=["Melton"])
    page = partner_page(prepared, prepared.reports[0]).decode("utf-8")
    assert 'title="n/a: Current (Q2 2022-23): no row in source &#39;return&#39;"' in page
    assert "n/a — Clients in treatment: missing, not zero" in page


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")
def test_n_a_in_a_number_column_is_right_aligned(tmp_path):
    """A missing figure's "n/a" in a table's number column sits where the number would, right-aligned, as a hidden
    figure's "suppressed" does: left-aligned text in a column of right-aligned numbers read as a label. Melton has no
    row for the latest quarter: its Summary figures and its Trends value for that quarter are n/a."""
    path, = build(write_spec(tmp_path), tmp_path / "out", areas=["Melton"])
    cells = [(sheet, table, header, c.coordinate, c.alignment.horizontal)
             for sheet, table, header, column in number_columns(path) for c in column if c.value == "n/a"]
    assert {"Summary", "Trends"} <= {sheet for sheet, *_ in cells}, cells  # the test sees n/a on both sheets
    assert [cell for cell in cells if cell[-1] != "right"] == []
