"""Suppression across a protected workbook's cuts: KPIs, the trend table, monthly series, rolling quarters
and seasonal grids, built from a small spec (specs/examples/counted.yaml with Violence and sexual
offences suppressed below 12, so that Melton and Rutland have many small months to hide).

Every figure the partner sees is recomputed here with pandas from the police.uk rows and written as a
sum over (crime type, month); an attacker who knows every shown figure and that counts are never
negative solves one linear programme per hidden figure per bound (scipy linprog). No small count may
be shown, and none may be pinned into an interval narrower than its threshold.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.optimize import linprog

from engine.api import prepare, render_all
from engine.report import SUPPRESSED
from example_support import example_workspace

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "specs" / "examples"
BELOW = 12
SENSITIVE = "violence_and_sexual_offences"
TYPES = {"total_crime": None, "anti_social_behaviour": ["Anti-social behaviour"], "burglary": ["Burglary"],
         SENSITIVE: ["Violence and sexual offences"]}


def example_variant(root: Path, example: str, *replacements: tuple[str, str]) -> Path:
    """``specs/examples/<example>`` with ``replacements``, under ``root`` with the data it reads linked in."""
    example_workspace(root)
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = root / "specs" / "examples" / f"variant_{example}"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory) -> Path:
    return example_variant(
        tmp_path_factory.mktemp("cuts"), "counted.yaml",
        ("    sensitive: true\n", f"    sensitive: true\n    suppress: {{below: {BELOW}}}\n"),
        ("comparisons: [total_crime, anti_social_behaviour]",
         "comparisons: [total_crime, anti_social_behaviour, violence_and_sexual_offences]\n"
         "seasonality:\n  indicators: [violence_and_sexual_offences]\n"))


@pytest.fixture(scope="module")
def protected(spec_path):
    return prepare(spec_path, suppress=True)


@lru_cache(maxsize=None)
def district_counts() -> pd.DataFrame:
    """(district, crime type, month) -> rows, from the police.uk files and the ONS LSOA lookup."""
    frames = [pd.read_csv(f, usecols=["Month", "LSOA code", "Crime type"])
              for f in sorted((EXAMPLES / "data" / "police_uk").glob("*-street.csv.gz"))]
    rows = pd.concat(frames).merge(pd.read_csv(REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"),
                                   left_on="LSOA code", right_on="LSOA11CD")
    return rows.groupby(["LAD22NM", "Crime type", "Month"]).size().rename("n").reset_index()


def figures(report) -> tuple[list[str], np.ndarray, np.ndarray, list[object]]:
    """Every count the report shows about its own area: (names, vectors over (type, month), pandas values,
    the report's shown value or None)."""
    counts = district_counts()
    own = counts[counts["LAD22NM"] == report.partner_area]
    types = sorted(counts["Crime type"].unique())
    end = dt.date.fromisoformat(report.period_end + "-01")
    months = [f"{(end.year * 12 + end.month - 1 - k) // 12}-{(end.year * 12 + end.month - 1 - k) % 12 + 1:02d}"
              for k in range(48)][::-1]
    grid = own.pivot_table(index="Crime type", columns="Month", values="n", aggfunc="sum").reindex(
        index=types, columns=months, fill_value=0).fillna(0).to_numpy()
    atom = {(t, m): i * len(months) + j for i, t in enumerate(types) for j, m in enumerate(months)}

    def vector(indicator: str, span: list[str], sign: float = 1.0) -> np.ndarray:
        v = np.zeros(len(atom))
        chosen = TYPES[indicator] or [t for t in types if t != "Anti-social behaviour"]
        for t in chosen:
            for m in span:
                v[atom[(t, m)]] = sign
        return v

    names, vectors, shown = [], [], []

    def add(name: str, v: np.ndarray, value: object) -> None:
        names.append(name), vectors.append(v), shown.append(value)

    current, previous = months[-12:], months[-24:-12]
    for k in report.kpis:
        add(f"current {k.indicator_id}", vector(k.indicator_id, current), k.current)
        add(f"previous {k.indicator_id}", vector(k.indicator_id, previous), k.previous)
        add(f"change {k.indicator_id}", vector(k.indicator_id, current) - vector(k.indicator_id, previous, ), k.change)
    label = lambda d: f"{d.year}-{d.month:02d}"  # noqa: E731
    for row in report.trend.rows:
        for d, value in zip(report.trend.months, row.monthly):
            add(f"trend month {row.indicator_id} {label(d)}", vector(row.indicator_id, [label(d)]), value)
    for d, value in zip(report.trend.months, report.trend.monthly_totals):
        add(f"trend month total {label(d)}", sum(vector(r.indicator_id, [label(d)]) for r in report.trend.rows), value)
    for s in report.series:
        for d, value in zip(s.months, s.monthly):
            add(f"series {s.indicator_id} {label(d)}", vector(s.indicator_id, [label(d)]), value)
        for q, value in enumerate(s.quarterly):  # rolling quarters to the period end, oldest first
            span = months[len(months) - 3 * (len(s.quarterly) - q):][:3]
            add(f"quarter {s.indicator_id} {q}", vector(s.indicator_id, span), value)
    for table in report.seasonal:
        first_year = int(table.years[0][:4])
        for r, row in enumerate(table.counts):
            for c, value in enumerate(row):
                month = (first_year + c) * 12 + r  # calendar years, January first
                m = f"{month // 12}-{month % 12 + 1:02d}"
                if m in months and (r, c) not in table.hidden and value is None:
                    continue  # outside the data
                if m in months:
                    add(f"season {table.indicator_id} {m}", vector(table.indicator_id, [m]), value)
    matrix = np.array(vectors)
    return names, matrix, matrix @ grid.ravel(), shown


def interval(vectors, values, shown, target) -> tuple[float, float]:
    kwargs = dict(A_eq=vectors[shown], b_eq=values[shown], bounds=[(0, None)] * vectors.shape[1], method="highs")
    low, high = linprog(vectors[target], **kwargs), linprog(-vectors[target], **kwargs)
    return (low.fun if low.status == 0 else -np.inf), (-high.fun if high.status == 0 else np.inf)


@pytest.mark.parametrize("area", ["Melton", "Rutland"])
def test_no_small_count_is_shown_or_can_be_narrowed_down(protected, area):
    report = next(r for r in protected.reports if r.partner_area == area)
    names, vectors, values, shown_values = figures(report)
    shown = np.array([v is not None for v in shown_values])
    # What is shown is the pandas figure.
    assert [v for v, s in zip(values, shown_values) if s is not None] == \
        pytest.approx([s for s in shown_values if s is not None])
    small = np.array([SENSITIVE in n.split() and not n.startswith("change") for n in names]) & \
        (values >= 1) & (values < BELOW)
    assert small.any(), "the spec should give this area small counts to hide"
    assert not (small & shown).any(), [n for n, s in zip(names, small & shown) if s]
    for t in np.flatnonzero(small):
        low, high = interval(vectors, values, shown, t)
        assert high - low >= BELOW, (names[t], values[t], low, high)
    for t in np.flatnonzero(~shown):  # nothing hidden can be worked out exactly
        low, high = interval(vectors, values, shown, t)
        assert high - low > 0.5, (names[t], low, high)


def test_protected_build_keeps_series_and_seasonal_grids(protected, spec_path):
    plain = {r.partner_area: r for r in prepare(spec_path).reports}
    assert all(SENSITIVE in [c.indicator_id for c in r.comparisons] for r in plain.values())  # analysts see it all
    for report in protected.reports:
        assert [s.indicator_id for s in report.series] == [s.indicator_id for s in plain[report.partner_area].series]
        assert [t.indicator_id for t in report.seasonal] == [SENSITIVE]
        # Every comparison chart is kept, the sensitive indicator's too: each area's count with its own status
        # (tests/test_suppression_cross_partner.py attacks it with every workbook together).
        assert [c.indicator_id for c in report.comparisons] == [c.indicator_id for c in
                                                                plain[report.partner_area].comparisons]
        sensitive = next(c for c in report.comparisons if c.indicator_id == SENSITIVE)
        for other in protected.reports:
            kpi = next(k for k in other.kpis if k.indicator_id == SENSITIVE)
            assert sensitive.counts[sensitive.areas.index(other.partner_area)] == kpi.current


def test_hidden_cells_read_suppressed_never_blank_or_zero(protected, tmp_path):
    rutland = next(r for r in protected.reports if r.partner_area == "Rutland")
    table = rutland.seasonal[0]
    assert table.hidden
    path = next(p for p in render_all(protected, tmp_path) if "Rutland" in p.name)
    sheet = load_workbook(path, read_only=True)["Trends"]
    cells = {(r, c): v for r, row in enumerate(sheet.iter_rows(values_only=True)) for c, v in enumerate(row)}
    heading = next(pos for pos, v in cells.items() if v == f"{table.title}: {table.name}")
    first_row = heading[0] + 2  # the table's header row, then its months
    for r, c in table.hidden:
        assert cells[(first_row + r, 1 + c)] == SUPPRESSED
    assert any("'suppressed': a small count" in str(v) for v in cells.values())
    methodology = next(n.text for n in rutland.methodology if n.topic == "Small numbers")
    assert "linear programme" in methodology and "counts from 1 to 11" in methodology


def _charted_ranges(path: Path, sheet_name: str, title_part: str) -> list[str]:
    """The cell ranges (e.g. "$B$40:$B$63") whose values the charts titled with ``title_part`` on ``sheet_name``
    draw, read from the workbook's chart XML (openpyxl does not load charts)."""
    ranges = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/charts/chart") and name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8")
                if title_part in xml:
                    ranges += [m.split("!")[1] for m in re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", xml)
                               if m.startswith(f"{sheet_name}!") or m.startswith(f"'{sheet_name}'!")]
    return ranges


def test_monthly_chart_draws_no_hidden_month_as_zero(tmp_path):
    """The trend table's chart is bound to its monthly table: a hidden month reads 'suppressed' there, which a line
    chart draws as 0. A line with a hidden month is left out of the chart, and a note under the table names it."""
    spec = example_variant(tmp_path, "counted.yaml",
                           ("    sensitive: true\n", f"    sensitive: true\n    suppress: {{below: {BELOW}}}\n"),
                           ("  rows: [total_crime, burglary]\n", f"  rows: [total_crime, burglary, {SENSITIVE}]\n"))
    protected = prepare(spec, suppress=True)
    paths = render_all(protected, tmp_path / "out")
    hidden_rows = 0
    for report in protected.reports:
        left_out = [r.name for r in report.trend.rows if None in r.monthly]
        hidden_rows += len(left_out)
        path = next(p for p in paths if p.name.startswith(f"{report.partner_area}_"))
        sheet = load_workbook(path)["Trends"]
        charted = _charted_ranges(path, "Trends", "monthly counts")
        assert len(charted) == len(report.trend.rows) - len(left_out), (report.partner_area, charted)
        for ref in charted:
            assert all(c.value != SUPPRESSED for row in sheet[ref.replace("$", "")] for c in row), ref
        notes = [c.value for row in sheet.iter_rows() for c in row
                 if isinstance(c.value, str) and "left out of this protected workbook's chart because" in c.value]
        assert len(notes) == bool(left_out), notes
        assert all(name in notes[0] for name in left_out), (notes, left_out)
    assert hidden_rows > 0, "no trend row has a hidden month: this tests nothing"


def test_a_small_count_of_an_indicator_counted_by_partner_area_is_hidden(tmp_path):
    """MARAC referrals come one row per referral naming the district, so the indicator has no Top 10. The
    disclosure check took its empty Top 10 for a complete one (the area's count known to be 0) and a small
    count could not be hidden: the protected build failed."""
    path = example_variant(tmp_path, "measured.yaml", ("    source: marac_referrals\n    sensitive: true\n",
                                                       "    source: marac_referrals\n    sensitive: true\n"
                                                       "    suppress: {below: 30}\n"))
    log = pd.read_csv(EXAMPLES / "data" / "marac_referrals.csv", skiprows=4)
    log["month"] = pd.to_datetime(log["Referral Month"], format="%b-%y", errors="coerce")  # the log has a typo
    log = log.dropna(subset=["month"])
    end = log["month"].max()
    last_12 = log[log["month"] > end - pd.DateOffset(months=12)].groupby("District").size()
    quarters = log[log["month"] > end - pd.DateOffset(months=24)].assign(
        quarter=lambda f: 7 - ((end.year - f["month"].dt.year) * 12 + end.month - f["month"].dt.month) // 3)
    by_quarter = quarters.groupby(["District", "quarter"]).size()
    prepared = prepare(path, suppress=True)
    for report in prepared.reports:
        kpi = next(k for k in report.kpis if k.indicator_id == "marac_referrals")
        series = next(s for s in report.series if s.indicator_id == "marac_referrals")
        if last_12[report.partner_area] < 30:
            assert kpi.current is None
        assert kpi.current == last_12[report.partner_area] or kpi.current is None
        # Rutland's count is hidden, so the benchmark's (the three districts' sum) is hidden in every workbook, with
        # what would bound it: the band against its rate, the rank among the districts and the pooled-rate comparison.
        assert kpi.benchmark_rate is None and kpi.band is None and kpi.banding_method == "ci"
        assert kpi.peer_rank is None and kpi.peer_comparison is None
        comparison = next(c for c in report.comparisons if c.indicator_id == "marac_referrals")
        assert comparison.benchmark_rate is None
        assert [r is None for r in comparison.rates] == [last_12[a] < 30 for a in comparison.areas]
        for q, value in enumerate(series.quarterly):
            if 0 < by_quarter.get((report.partner_area, q), 0) < 30:
                assert value is None and q in series.hidden_quarters
    assert last_12["Rutland"] < 30  # the case the test is about
    # The Trends sheet's quarterly table says so in words where the quarters are hidden.
    rutland = next(r for r in prepared.reports if r.partner_area == "Rutland")
    series = next(s for s in rutland.series if s.indicator_id == "marac_referrals")
    assert series.hidden_quarters
    book = load_workbook(next(p for p in render_all(prepared, tmp_path / "out") if "Rutland" in p.name), read_only=True)
    row = next(r for r in book["Trends"].iter_rows(values_only=True) if r[0] == "MARAC referrals")
    assert [row[1 + q] for q in series.hidden_quarters] == [SUPPRESSED] * len(series.hidden_quarters)


def test_a_map_is_left_out_when_its_top_10_hides_a_row(tmp_path):
    """A map shades each small area by its Top 10 band and carries its count: where a row of the indicator's
    Top 10 is hidden (here Rutland's total crime, to protect a small count of violence in the same LSOA), the
    map would give the row away, so a protected build leaves it out, and says why."""
    path = example_variant(
        tmp_path, "counted.yaml",
        ("    sensitive: true\n", f"    sensitive: true\n    suppress: {{below: {BELOW}}}\n"),
        ("comparisons: [total_crime, anti_social_behaviour]",
         "comparisons: [total_crime, anti_social_behaviour]\n"
         "maps:\n  boundaries: ../../data/ons/lsoa11_boundaries_leicestershire.geojson.gz\n"
         "  code_property: LSOA11CD\n  indicators: [total_crime, burglary, anti_social_behaviour]\n"
         "  source: ONS LSOA boundaries (OGL v3)\n"))
    reports = {r.partner_area: r for r in prepare(path, suppress=True).reports}
    rutland_total = next(t for t in reports["Rutland"].top_tables if t.indicator_id == "total_crime")
    assert any(row.count is None for row in rutland_total.rows), "the case the test is about"
    # Every partner's maps shade every small area: an indicator with a hidden Top 10 row in any partner is left out.
    kept = [i for i in ("total_crime", "burglary", "anti_social_behaviour")
            if not any(row.count is None for r in reports.values() for t in r.top_tables if t.indicator_id == i
                       for row in t.rows)]
    assert "anti_social_behaviour" in kept  # no small count shares its events: nothing of it is ever hidden
    for report in reports.values():
        assert [m.indicator_id for m in report.maps.maps] == kept
        assert any("total recorded crime is left out" in note for note in report.maps.notes)


# --- area groups: specs/examples/protected.yaml (violence by income deprivation decile, below 10) ---------------

DECILE = "Income deprivation decile (1 = most deprived)"
PROTECTED_BELOW = 10


@lru_cache(maxsize=None)
def violence_by_decile() -> pd.DataFrame:
    """(district, decile) -> violence and sexual offences in the current 12 months, with pandas from the police.uk
    rows, the ONS LSOA lookup and the English Indices of Deprivation (every decile, zeros included)."""
    frames = [pd.read_csv(f, usecols=["Month", "LSOA code", "Crime type"])
              for f in sorted((EXAMPLES / "data" / "police_uk").glob("*-street.csv.gz"))]
    rows = pd.concat(frames).merge(pd.read_csv(REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"),
                                   left_on="LSOA code", right_on="LSOA11CD")
    imd = pd.read_csv(REPO / "data" / "ons" / "imd2019_lsoa11_leicestershire.csv")
    decile = imd.set_index("LSOA Code (2011)")["Income Domain Decile in England (where 1 is most deprived 10% of LSOAs)"]
    current = pd.period_range(end=rows["Month"].max(), periods=12, freq="M").strftime("%Y-%m")
    rows = rows[rows["Month"].isin(current) & (rows["Crime type"] == "Violence and sexual offences")]
    rows = rows.assign(decile=rows["LSOA code"].map(decile))
    return rows.groupby(["LAD22NM", "decile"]).size().unstack(fill_value=0).reindex(columns=range(1, 11), fill_value=0)


def _group_table(path: Path, name: str) -> pd.DataFrame:
    workbook = load_workbook(path)
    sheet = next(ws for ws in workbook.worksheets if name in ws.tables)
    rows = [[c.value for c in row] for row in sheet[sheet.tables[name].ref]]
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index(DECILE)


def test_protected_build_keeps_area_groups_with_small_counts_suppressed(tmp_path):
    """The decile table of a sensitive indicator survives a protected build: every count from 1 to 9 reads
    'suppressed' with its rate and limits, every shown count equals pandas', and no hidden decile can be pinned
    below the threshold from the table (its shown deciles, the benchmark's and the district's shown total)."""
    prepared = prepare(EXAMPLES / "protected.yaml", suppress=True)
    paths = render_all(prepared, tmp_path)
    expected = violence_by_decile()
    hidden_any = 0
    for report in prepared.reports:
        area = report.partner_area
        path = next(p for p in paths if p.name.startswith(f"{area}_"))
        shown = _group_table(path, "sb_group_deprivation_violence")
        counts = shown[f"Crimes in {area}"]
        for decile, value in expected.loc[area].items():
            if 1 <= value < PROTECTED_BELOW:
                assert counts[decile] == SUPPRESSED, (area, decile, value)
            if counts[decile] == SUPPRESSED:
                hidden_any += 1
                assert (shown.loc[decile, [f"{area} rate per 1,000", f"{area}: lower 95% limit",
                                           f"{area}: upper 95% limit"]] == SUPPRESSED).all()
            else:
                assert counts[decile] == value, (area, decile)
        # An attacker's unknowns: the district's and the rest of the benchmark's crimes in each decile (>= 0).
        kpi = next(k for k in report.kpis if k.indicator_id == "violence")
        bench = shown[f"Crimes in {report.benchmark_name}"]
        n = 10
        equations, values = [], []
        for k, decile in enumerate(expected.columns):
            if counts[decile] != SUPPRESSED:
                equations.append(np.eye(2 * n)[k]), values.append(counts[decile])
            if bench[decile] != SUPPRESSED:
                equations.append(np.eye(2 * n)[k] + np.eye(2 * n)[n + k]), values.append(bench[decile])
        if kpi.current is not None and not report.area_groups[0].ungrouped:  # every LSOA has a decile
            equations.append(np.r_[np.ones(n), np.zeros(n)]), values.append(kpi.current)
        for k, decile in enumerate(expected.columns):
            value = expected.loc[area, decile]
            if counts[decile] == SUPPRESSED and 1 <= value < PROTECTED_BELOW:
                target = np.eye(2 * n)[k]
                low = linprog(target, A_eq=np.array(equations), b_eq=values, bounds=[(0, None)] * 2 * n)
                high = linprog(-target, A_eq=np.array(equations), b_eq=values, bounds=[(0, None)] * 2 * n)
                assert low.status == 0 and high.status in (0, 3)
                width = np.inf if high.status == 3 else -high.fun - low.fun
                assert width >= PROTECTED_BELOW, (area, decile, value, width)
    assert hidden_any > 0, "the example must hide something, or this tests nothing"


def test_every_workbook_together_pins_no_hidden_decile(tmp_path):
    """A reader holding all three districts' protected workbooks: one unknown per district and decile (>= 0); every
    district's shown decile counts and 12-month count, and the benchmark's decile counts as every workbook shows them
    (each the three districts' sum, pandas). The benchmark's count of a decile less the other districts' shown counts
    gave a hidden one back while each workbook was checked alone: now a benchmark decile is hidden in every workbook
    whenever a district's own count of it is, and no hidden small count can be pinned below the threshold."""
    prepared = prepare(EXAMPLES / "protected.yaml", suppress=True)
    paths = render_all(prepared, tmp_path)
    expected = violence_by_decile()
    areas = [r.partner_area for r in prepared.reports]
    n = len(expected.columns)

    def unknown(area: str, deciles) -> np.ndarray:
        v = np.zeros((len(areas), n))
        v[areas.index(area), [list(expected.columns).index(d) for d in deciles]] = 1
        return v.ravel()

    equations, values, hidden, benchmark_columns = [], [], [], []
    for report in prepared.reports:
        area = report.partner_area
        shown = _group_table(next(p for p in paths if p.name.startswith(f"{area}_")), "sb_group_deprivation_violence")
        for decile, count in shown[f"Crimes in {area}"].items():
            if count == SUPPRESSED:
                hidden.append((area, decile))
            else:
                equations.append(unknown(area, [decile])), values.append(count)
        kpi = next(k for k in report.kpis if k.indicator_id == "violence")
        if kpi.current is not None and not report.area_groups[0].ungrouped:  # every LSOA has a decile
            equations.append(unknown(area, expected.columns)), values.append(kpi.current)
        benchmark_columns.append(shown[f"Crimes in {report.benchmark_name}"])
    for column in benchmark_columns[1:]:
        pd.testing.assert_series_equal(column, benchmark_columns[0])  # one status, whichever workbook shows it
    for decile, count in benchmark_columns[0].items():
        summands = [(a, decile) for a in areas]
        if any(s in hidden for s in summands):
            assert count == SUPPRESSED, decile
        elif count != SUPPRESSED:
            assert count == expected[decile].sum(), decile
            equations.append(sum(unknown(a, [decile]) for a in areas)), values.append(count)
    small = [(a, d) for a, d in hidden if 1 <= expected.loc[a, d] < PROTECTED_BELOW]
    assert small, "the example must hide a small decile, or this tests nothing"
    for area, decile in small:
        target = unknown(area, [decile])
        low = linprog(target, A_eq=np.array(equations), b_eq=values, bounds=(0, None), method="highs")
        high = linprog(-target, A_eq=np.array(equations), b_eq=values, bounds=(0, None), method="highs")
        assert low.status == 0 and high.status in (0, 3)
        width = np.inf if high.status == 3 else -high.fun - low.fun
        assert width >= PROTECTED_BELOW, (area, decile, expected.loc[area, decile], width)
