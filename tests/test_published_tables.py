"""Published long-format tables (spec ``published:``): figures as published, the partner's own beside them.

Expected figures come from plain pandas on the bundled CSVs and the generated youth offending extract,
never from the engine.
"""
from __future__ import annotations

import dataclasses
import gzip
from html.parser import HTMLParser
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from scipy.stats import chi2

from engine.api import build, prepare, render_all
from engine.render import load_theme
from engine.web import report_html
from engine.errors import DataError, SpecError

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "specs" / "community_safety.yaml"
PRC_SPEC = REPO / "specs" / "examples" / "published_table.yaml"
YJS = REPO / "data" / "public_partner" / "children_offending.csv.gz"
PRC = REPO / "data" / "public_partner" / "prc_pfa_201718_east_midlands.csv.gz"
POPULATION = REPO / "data" / "ons" / "population23_lad23_aged_10_17.csv"
YOUTH = REPO / "data" / "synthetic" / "generated" / "youth_offending.xlsx"
DASHBOARD = REPO / "specs" / "dashboard.yaml"


def table_rows(path: Path, name: str) -> list[list]:
    """The table's rows, the first cell ('Area\\nfigure: source') split in two and its second part put last."""
    book = load_workbook(path)
    sheet = next(ws for ws in book.worksheets if name in ws.tables)
    rows = [[cell.value for cell in row] for row in sheet[sheet.tables[name].ref]]
    return [["Area", *rows[0][1:], "Figure and source"]] + [[*r[0].split("\n", 1)[:1], *r[1:], r[0].split("\n", 1)[1]]
                                                            for r in rows[1:]]


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's North West Leicestershire workbook, with its web page beside it (the same Report)."""
    paths = render_all(prepare(DEMO, ["North West Leicestershire"]), tmp_path_factory.mktemp("published"), pages=True)
    return next(p for p in paths if p.suffix == ".xlsx")


@pytest.fixture(scope="module")
def demo_table(demo_book: Path) -> list[list]:
    return table_rows(demo_book, "sb_published_youth_justice")


def findings_of(path: Path) -> list[str]:
    """The Key findings sheet's sentences (column B), as the partner reads them."""
    return [row[1] for row in load_workbook(path)["Key findings"].iter_rows(values_only=True)
            if len(row) > 1 and isinstance(row[1], str)]


def own_counts(district: str) -> dict[str, int]:
    """Distinct young people of ``district`` in each April-March year the extract covers in every month."""
    youth = pd.read_excel(YOUTH, sheet_name="Offences", header=4)
    dates = pd.to_datetime(youth["Offence Date"], errors="coerce", dayfirst=True)
    area = youth["Home District"].str.replace(r"[\d*†]+$", "", regex=True).str.strip() == district
    return own_counts_of(youth, dates, area)


def own_counts_of(youth: pd.DataFrame, dates: pd.Series, area: pd.Series) -> dict[str, int]:
    """Distinct YOT case ids of the ``area`` rows in each April-March year the extract covers in every month."""
    months = set(dates.dt.to_period("M").dropna())
    counts = {}
    for first in range(2015, 2030):
        year = pd.period_range(pd.Period(f"{first}-04", "M"), periods=12, freq="M")
        if all(m in months for m in year):
            counts[f"{first}/{str(first + 1)[2:]}"] = youth.loc[area & dates.dt.to_period("M").isin(year),
                                                                 "YOT Case ID"].nunique()
    return counts


def poisson_limits(count: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% limits on a count: exact (chi-squared) below 10 events, Byar's from 10, as public-health tools give them."""
    if count < 10:
        return (chi2.ppf(0.025, 2 * count) / 2 if count else 0.0), chi2.ppf(0.975, 2 * count + 2) / 2
    upper = count + 1
    return (count * (1 - 1 / (9 * count) - z / (3 * count ** 0.5)) ** 3,
            upper * (1 - 1 / (9 * upper) + z / (3 * upper ** 0.5)) ** 3)


def test_key_finding_states_period_both_figures_and_a_tested_relation(demo_book: Path) -> None:
    """The sentence quotes the latest year the extract covers whole, the own count and rate (pandas on the extract
    and the ONS population) and England's published rate for that year (the CSV), and says "significantly" by the
    rate's 95% interval against England's figure taken as fixed."""
    block = next(b for b in yaml.safe_load(DEMO.read_text())["published"] if b["id"] == "youth_justice")
    counts = own_counts("North West Leicestershire")
    period = [p for p in block["periods"] if p in counts][-1]
    count = counts[period]
    population = pd.read_csv(POPULATION, dtype={"Code": str})
    pop = population.loc[population.Code == "E07000134", [str(a) for a in range(10, 18)]].sum(axis=1).iat[0]
    raw = pd.read_csv(YJS, dtype=str, keep_default_na=False)
    england = float(raw[(raw.indicator == "Children cautioned or sentenced") & (raw.measure == "Per 10,000 aged 10-17")
                        & (raw.area_code == "E92000001") & (raw.period == period)].value.iat[0])
    lower, upper = (limit / pop * 10_000 for limit in poisson_limits(count))
    relation = ("significantly higher than" if lower > england else "significantly lower than" if upper < england
                else "not significantly different from")
    expected = (f"Youth justice: North West Leicestershire had {count:,} children cautioned or sentenced in {period}, "
                f"{count / pop * 10_000:.1f} per 10,000 aged 10-17, {relation} the published figure for England "
                f"({england:.1f}), at 95% confidence.")
    assert expected in findings_of(demo_book)
    heading = None
    for row in load_workbook(demo_book)["Key findings"].iter_rows(min_row=5, values_only=True):
        if isinstance(row[0], str) and not row[0].rstrip(".").isdigit():
            heading = row[0]
        if len(row) > 1 and row[1] == expected:
            assert heading == "Profiles"  # listed with the other Profiles sentences


def test_key_finding_without_a_rate_states_both_figures_and_claims_nothing(tmp_path: Path) -> None:
    def change(data: dict) -> None:
        block = next(b for b in data["published"] if b["id"] == "youth_justice")
        del block["own"]["population"]
    (path,) = [p for p in build(_demo_with(tmp_path, change), tmp_path / "out", areas=["Melton"]) if p.suffix == ".xlsx"]
    (sentence,) = [t for t in findings_of(path) if t.startswith("Youth justice:")]
    counts = own_counts("Melton")
    period = [p for p in yaml.safe_load(DEMO.read_text())["published"][0]["periods"] if p in counts][-1]
    raw = pd.read_csv(YJS, dtype=str, keep_default_na=False)
    england = raw[(raw.indicator == "Children cautioned or sentenced") & (raw.measure == "Per 10,000 aged 10-17")
                  & (raw.area_code == "E92000001") & (raw.period == period)].value.iat[0]
    assert sentence == (f"Youth justice: Melton had {counts[period]:,} children cautioned or sentenced in {period}; "
                        f"England's rate per 10,000 aged 10-17 was {float(england):.1f}, as published (no rate is given "
                        f"for Melton, so the two are not compared).")
    assert "significant" not in sentence


def test_published_figures_equal_the_csv(demo_table: list[list]) -> None:
    block = next(b for b in yaml.safe_load(DEMO.read_text())["published"] if b["id"] == "youth_justice")
    raw = pd.read_csv(YJS, dtype=str, keep_default_na=False)
    raw = raw[(raw.indicator == "Children cautioned or sentenced") & (raw.measure == "Per 10,000 aged 10-17")]
    assert demo_table[0][1:-1] == block["periods"]
    shown = {row[0]: row[1:-1] for row in demo_table[1:] if row[-1].endswith("as published")}
    assert list(shown) == [a["label"] for a in block["areas"]]
    for area in block["areas"]:
        for period, value in zip(block["periods"], shown[area["label"]]):
            cell = raw[(raw.area_code == area["code"]) & (raw.period == period)].value
            assert len(cell) == 1
            assert value == (None if cell.iat[0] == "NA" else float(cell.iat[0])), (area, period)


def test_partner_own_count_and_rate_from_the_extract(demo_table: list[list]) -> None:
    """Distinct young people in each financial year the extract covers whole, over the ONS 10-17 population."""
    youth = pd.read_excel(YOUTH, sheet_name="Offences", header=4)
    dates = pd.to_datetime(youth["Offence Date"], errors="coerce", dayfirst=True)
    months = dates.dt.to_period("M").dropna().unique()
    area = youth["Home District"].str.replace(r"[\d*†]+$", "", regex=True).str.strip() == "North West Leicestershire"
    population = pd.read_csv(POPULATION, dtype={"Code": str})
    pop = population.loc[population.Code == "E07000134", [str(a) for a in range(10, 18)]].sum(axis=1).iat[0]
    count_row = next(r for r in demo_table if r[-1].startswith("Children cautioned or sentenced (count)"))
    rate_row = next(r for r in demo_table if r[0] == "North West Leicestershire" and r[-1].startswith("Rate"))
    assert count_row[-1].endswith(": Saferbook, from Youth offending (SYNTHETIC)")
    for offset, label in enumerate(demo_table[0][1:-1]):
        start = pd.Period(f"{label[:4]}-04", "M")
        year = pd.period_range(start, periods=12, freq="M")
        if not all(m in months for m in year):
            assert count_row[1 + offset] is None and rate_row[1 + offset] is None, label
            continue
        inside = area & dates.dt.to_period("M").isin(year)
        expected = youth.loc[inside, "YOT Case ID"].nunique()
        assert count_row[1 + offset] == expected, label
        assert rate_row[1 + offset] == pytest.approx(expected / pop * 10_000, rel=1e-12)
    assert any(v is not None for v in count_row[1:-1])  # at least one whole financial year is computed


def absolute_copy(spec_path: Path, data: dict, folder: Path) -> Path:
    data["data_root"] = "/"
    for source in data["sources"].values():
        source["path"] = str((spec_path.parent / source["path"]).resolve())
    spec = folder / "spec.yaml"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return spec


def test_example_reads_the_prc_table_as_published(tmp_path: Path) -> None:
    """The PRC example: each force's quarterly robbery count, the sum of the group's offence codes in the file."""
    (path,) = [p for p in build(PRC_SPEC, tmp_path / "out") if p.suffix == ".xlsx"][:1]
    rows = table_rows(path, "sb_published_robbery")
    raw = pd.read_csv(PRC, dtype=str, keep_default_na=False)
    raw = raw[raw.Offence_Group == "Robbery"]
    block = yaml.safe_load(PRC_SPEC.read_text())["published"][0]
    assert rows[0][1:-1] == ["2017/18 Q1", "2017/18 Q2", "2017/18 Q3", "2017/18 Q4"]
    for area, row in zip(block["areas"], rows[1:]):
        for quarter, value in zip(["1", "2", "3", "4"], row[1:-1]):
            cells = raw[(raw.Force_Name == area["code"]) & (raw.Financial_Quarter == quarter)].Number_of_Offences
            assert value == sum(int(v) for v in cells)


#: What of the demo spec the tests of its published table build with: the table, what it reads, and what every
#: spec needs. The maps, the other sections and all indicators but the first are not what they look at (a third
#: of the build's time).
PUBLISHED_ALONE = ("spec_version", "data_root", "title", "organisation", "attribution", "theme", "sources", "geography",
                   "periods", "quality", "banding", "change", "suppression", "published")


def _demo_with(tmp_path: Path, change) -> Path:
    """The demo spec's published table with as little else as a spec needs (:data:`PUBLISHED_ALONE`, one
    indicator), ``change`` applied, written into ``tmp_path``."""
    demo = yaml.safe_load(DEMO.read_text())
    data = {key: value for key, value in demo.items() if key in PUBLISHED_ALONE}
    data["indicators"] = demo["indicators"][:1]
    change(data)
    return absolute_copy(DEMO, data, tmp_path)


def test_malformed_value_names_file_row_column_and_value(tmp_path: Path) -> None:
    lines = gzip.open(YJS, "rt").read().splitlines()
    broken = next(i for i, line in enumerate(lines) if line.startswith("E92000001") and "2021/22" in line and "Per 10" in line)
    lines[broken] = lines[broken].replace(",25,", ",2 5,")
    bad = tmp_path / "children_offending.csv"
    bad.write_text("\n".join(lines) + "\n")

    def change(data: dict) -> None:
        data["sources"]["youth_justice_statistics"]["path"] = str(bad)
    with pytest.raises(DataError) as raised:
        build(_demo_with(tmp_path, change), tmp_path / "out", areas=["Melton"])
    message = str(raised.value)
    assert "children_offending.csv" in message and f"row {broken + 1}" in message
    assert "'value'" in message and "'2 5'" in message


def test_marker_is_missing_never_zero(tmp_path: Path) -> None:
    lines = gzip.open(YJS, "rt").read().splitlines()
    marked = next(i for i, line in enumerate(lines) if line.startswith("E92000001") and "2021/22" in line and "Per 10" in line)
    lines[marked] = lines[marked].replace(",25,", ",NA,")
    bad = tmp_path / "children_offending.csv"
    bad.write_text("\n".join(lines) + "\n")

    def change(data: dict) -> None:
        data["sources"]["youth_justice_statistics"]["path"] = str(bad)
    (path,) = [p for p in build(_demo_with(tmp_path, change), tmp_path / "out", areas=["Melton"]) if p.suffix == ".xlsx"]
    rows = table_rows(path, "sb_published_youth_justice")
    england = next(r for r in rows if r[0] == "England")
    assert england[1 + rows[0][1:-1].index("2021/22")] is None


def _misspell_period(block: dict) -> None:
    block["period"] = "perod"


def _code_off_the_column_pattern(block: dict) -> None:
    block["areas"][0]["code"] = "E9200001"


@pytest.mark.parametrize("mistake, expected", [
    (_misspell_period, ("published[0].period", "did you mean 'period'")),
    (_code_off_the_column_pattern, ("published[0].areas[0].code", "E9200001")),
], ids=["unknown column", "area code against the column pattern"])
def test_a_spec_mistake_is_an_error_before_data_is_read(tmp_path: Path, mistake, expected: tuple[str, str]) -> None:
    """The source points at a file that does not exist: the spec error must come first, with file, line and key."""
    def change(data: dict) -> None:
        mistake(next(b for b in data["published"] if b["id"] == "youth_justice"))
        data["sources"]["youth_justice_statistics"]["path"] = str(tmp_path / "not_there.csv")
    with pytest.raises(SpecError) as raised:
        build(_demo_with(tmp_path, change), tmp_path / "out")
    message = str(raised.value)
    assert "spec.yaml:" in message and all(part in message for part in expected)


def test_area_code_not_in_the_table_names_file_column_and_value(tmp_path: Path) -> None:
    def change(data: dict) -> None:
        block = next(b for b in data["published"] if b["id"] == "youth_justice")
        block["areas"][1]["code"] = "E10000099"
    with pytest.raises(DataError) as raised:
        build(_demo_with(tmp_path, change), tmp_path / "out", areas=["Melton"])
    message = str(raised.value)
    assert "children_offending.csv.gz" in message and "'area_code'" in message and "E10000099" in message


def test_without_a_population_the_count_is_shown_and_the_note_says_why(tmp_path: Path) -> None:
    def change(data: dict) -> None:
        block = next(b for b in data["published"] if b["id"] == "youth_justice")
        del block["own"]["population"]
    (path,) = [p for p in build(_demo_with(tmp_path, change), tmp_path / "out", areas=["Melton"]) if p.suffix == ".xlsx"]
    rows = table_rows(path, "sb_published_youth_justice")
    mine = [r for r in rows if r[0] == "Melton"]
    assert [r[-1].split(":")[0] for r in mine] == ["Children cautioned or sentenced (count)"]
    texts = [c for row in load_workbook(path)["Profiles"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("Its rate is not given" in t and "never estimates one" in t for t in texts)
    assert any("(2021/22: Apr 2021 – Mar 2022)" in t for t in texts)  # the own figures' months, April to March


def test_protected_build_hides_small_own_counts_and_their_rates(tmp_path: Path) -> None:
    """Under a rule hiding counts below 100 the own count (and its rate) reads "suppressed"; published figures stay."""
    def change(data: dict) -> None:
        data["suppression"] = {"below": 100}
        for indicator in data["indicators"]:  # the indicators' own protection is tested elsewhere and costs time
            indicator.pop("sensitive", None)
            indicator.pop("suppress", None)
    (path,) = [p for p in build(_demo_with(tmp_path, change), tmp_path / "out", areas=["Melton"], suppress=True)
               if p.suffix == ".xlsx"]
    rows = table_rows(path, "sb_published_youth_justice")
    mine = [r for r in rows if r[0] == "Melton"]
    assert len(mine) == 2 and "suppressed" in mine[0][1:-1] and "suppressed" in mine[1][1:-1]
    assert all(v in (None, "suppressed") for r in mine for v in r[1:-1])
    england = next(r for r in rows if r[0] == "England")
    assert all(isinstance(v, (int, float)) for v in england[1:-1])
    (sentence,) = [t for t in findings_of(path) if t.startswith("Youth justice:")]
    assert "Melton's own figure cannot be shown" in sentence
    counts = own_counts("Melton")
    assert not any(re.search(rf"\b{n}\b", sentence.split(";")[0]) for n in counts.values())  # no hidden count quoted


def test_dashboard_shows_the_subjects_own_figure_under_its_outcome(dashboard_build: Path) -> None:
    """The dashboard spec's published table (it used to be left out without a word): the subject's own count is each
    child once across the member districts (pandas on the extract), its rate over their ONS populations added up,
    the published rows as the CSV has them, and its key finding listed under the outcome the table's section names."""
    spec = yaml.safe_load(DASHBOARD.read_text())
    block = spec["published"][0]
    (members,) = spec["dashboard"]["subject"]["where"].values()
    districts = members["in"]
    path = dashboard_build  # conftest's build of DASHBOARD
    rows = table_rows(path, "sb_published_youth_justice")
    subject = spec["dashboard"]["subject"]["name"]
    youth = pd.read_excel(YOUTH, sheet_name="Offences", header=4)
    dates = pd.to_datetime(youth["Offence Date"], errors="coerce", dayfirst=True)
    inside = youth["Home District"].str.replace(r"[\d*†]+$", "", regex=True).str.strip().isin(districts)
    population = pd.read_csv(POPULATION, dtype={"Code": str})
    lookup = pd.read_csv(REPO / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv", dtype=str)
    codes = lookup.loc[lookup.LAD23NM.isin(districts), "LAD23CD"]
    assert len(codes) == len(districts) == 7
    pop = population.loc[population.Code.isin(codes), [str(a) for a in range(10, 18)]].to_numpy().sum()
    count_row = next(r for r in rows if r[0] == subject and r[-1].startswith("Children cautioned or sentenced (count)"))
    rate_row = next(r for r in rows if r[0] == subject and r[-1].startswith("Rate"))
    counts = own_counts_of(youth, dates, inside)
    assert rows[0][1:-1] == block["periods"]
    for offset, period in enumerate(block["periods"]):
        expected = counts.get(period)
        assert count_row[1 + offset] == expected, period
        assert rate_row[1 + offset] == (None if expected is None else pytest.approx(expected / pop * 10_000, rel=1e-12))
    raw = pd.read_csv(YJS, dtype=str, keep_default_na=False)
    raw = raw[(raw.indicator == "Children cautioned or sentenced") & (raw.measure == "Per 10,000 aged 10-17")]
    england = next(r for r in rows if r[0] == "England")
    assert england[1:-1] == [float(raw[(raw.area_code == "E92000001") & (raw.period == p)].value.iat[0])
                             for p in block["periods"]]
    period = [p for p in block["periods"] if p in counts][-1]
    heading, sentence = None, None
    for row in load_workbook(path)["Key findings"].iter_rows(min_row=5, values_only=True):
        if isinstance(row[0], str) and not row[0].rstrip(".").isdigit():
            heading = row[0]
        if len(row) > 1 and isinstance(row[1], str) and "children cautioned or sentenced" in row[1]:
            sentence = (heading, row[1])
    assert sentence is not None and sentence[0] == block["section"]
    assert sentence[1].startswith(f"{subject} had {counts[period]:,} children cautioned or sentenced in {period}, "
                                  f"{counts[period] / pop * 10_000:.1f} per 10,000 aged 10-17")


class _Tables(HTMLParser):
    """Every ``<table class="published">``'s cells, row by row, as text (the page's own parser, stdlib)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("class") == "published":
            self._table = self.tables.setdefault(str(found["data-table"]), [])
        elif self._table is not None and tag == "tr":
            self._table.append([])
        elif self._table is not None and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_web_page_shows_the_workbooks_published_figures(demo_book: Path, demo_table: list[list]) -> None:
    """The page's table holds the workbook's rows and periods, each figure as the workbook formats it (a rate to
    the table's one decimal, a count whole, an empty cell "n/a")."""
    parser = _Tables()
    parser.feed(demo_book.with_suffix(".html").read_text(encoding="utf-8"))
    page = parser.tables["youth_justice"]
    assert page[0] == ["Area", "Figure: source", *demo_table[0][1:-1]]
    assert len(page) == len(demo_table)
    for shown, row in zip(page[1:], demo_table[1:]):
        assert shown[:2] == [row[0], row[-1]]
        count = row[-1].split(":")[0].endswith("(count)")
        assert shown[2:] == ["n/a" if v is None else f"{v:,.0f}" if count else f"{v:,.1f}" for v in row[1:-1]]


def test_web_page_writes_published_text_as_text(tmp_path: Path) -> None:
    prepared = prepare(_demo_with(tmp_path, lambda data: None), ["Melton"])
    hostile = "<img src=x onerror=alert(1)>"
    report = prepared.reports[0]
    table = report.published[0]
    rows = [dataclasses.replace(table.rows[-1], area=hostile), *table.rows]
    report = dataclasses.replace(report, published=[dataclasses.replace(table, rows=rows, note=hostile)])
    page = report_html(report, load_theme(prepared.spec.theme, prepared.spec_dir)).decode("utf-8")
    assert hostile not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 2
