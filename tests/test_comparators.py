"""Published comparators (spec ``comparators:``): force, region and national rates read as published.

Expected figures come from the ONS workbook itself, read cell by cell with openpyxl (an independent
reader), never from the engine. The example spec (specs/examples/comparators.yaml) compares a force
other than the demo's, and includes Greater Manchester, whose rates the table marks '..' (not supplied).
"""
from __future__ import annotations

import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from engine.api import build
from engine.errors import DataError

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "specs" / "examples" / "comparators.yaml"
PFA = REPO / "data" / "ons" / "pfatablesdec19.xlsx"
HEADER_ROW = 5  # Table P3's column labels; the codes are in column A


def published(code: str, label: str) -> float | None:
    """Table P3's cell for the area ``code`` under the column labelled ``label`` (None for a '..' marker)."""
    sheet = load_workbook(PFA, read_only=True, data_only=True)["Table P3"]
    rows = list(sheet.iter_rows(values_only=True))
    column = next(i for i, value in enumerate(rows[HEADER_ROW - 1]) if isinstance(value, str) and value.strip() == label)
    row = next(r for r in rows[HEADER_ROW:] if r[0] == code)
    value = row[column]
    return value if isinstance(value, (int, float)) else None


def one_decimal(value: float) -> str:
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths = build(SPEC, tmp_path_factory.mktemp("comparators"), areas=["Melton"])
    return next(p for p in paths if p.suffix == ".xlsx")


def sheet_table(path: Path, name: str) -> list[list]:
    book = load_workbook(path)
    sheet = next(ws for ws in book.worksheets if name in ws.tables)
    return [[cell.value for cell in row] for row in sheet[sheet.tables[name].ref]]


def test_table_holds_the_published_rates(workbook: Path) -> None:
    spec = yaml.safe_load(SPEC.read_text())["comparators"]
    rows = sheet_table(workbook, "sb_comparators")
    assert rows[0][1:1 + len(spec["areas"])] == [a["label"] for a in spec["areas"]]
    labels = {"sexual_offences": "Sexual offences", "robbery": "Robbery", "shoplifting": "Shoplifting"}
    for row, (column, measure) in zip(rows[1:], spec["measures"].items()):
        assert row[0] == measure
        for area, shown in zip(spec["areas"], row[1:]):
            expected = published(area["code"], labels[column])
            assert shown == (None if expected is None else pytest.approx(expected, rel=1e-12)), (area, column)
    assert all(row[1 + 3] is None for row in rows[1:])  # Greater Manchester: '..' is a gap, never 0


def test_words_and_findings_quote_the_published_rates(workbook: Path) -> None:
    """The sentence says lower/higher as the one-decimal figures read, and names the unpublished rate."""
    derbyshire = published("E23000018", "Robbery")
    region, national = published("E12000004", "Robbery"), published("K04000001", "Robbery")
    assert derbyshire < region < national  # the published figures: 0.70, 0.90, 1.49
    expected = (f"the rate of robbery in Derbyshire force area was {one_decimal(derbyshire)} per 1,000 population, "
                f"lower than East Midlands ({one_decimal(region)}) and England and Wales ({one_decimal(national)}); "
                f"Greater Manchester not published.")
    texts = [c for row in load_workbook(workbook)["Key findings"].iter_rows(values_only=True) for c in row if c]
    assert any(isinstance(t, str) and t.endswith(expected) for t in texts), expected
    words = [row[-1] for row in sheet_table(workbook, "sb_comparators")[1:]]
    assert words[1] == expected.split("population, ")[1].rstrip(".")


def test_bars_are_patterned_for_greyscale(workbook: Path) -> None:
    """Every area after the first has a pattern fill (hatching, grid, dots), all different, and a legend."""
    with zipfile.ZipFile(workbook) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    chart = next(c for c in charts if "sb_comparators" in c or "Derbyshire force area" in c)
    patterns = [part.split('"')[0] for part in chart.split('<a:pattFill prst="')[1:]]
    assert len(patterns) == 3 and len(set(patterns)) == 3
    assert "<c:legend>" in chart


def absolute_copy(data: dict, folder: Path) -> Path:
    """An example spec's mapping written to ``folder`` with its paths made absolute (it reads the same files)."""
    data["data_root"] = str(REPO)
    for source in data["sources"].values():
        source["path"] = str((SPEC.parent / source["path"]).resolve())
    spec = folder / "spec.yaml"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return spec


def test_unknown_area_code_names_file_sheet_column_and_value(tmp_path: Path) -> None:
    data = yaml.safe_load(SPEC.read_text())
    data["comparators"]["areas"][1]["code"] = "E12000099"
    spec = absolute_copy(data, tmp_path)
    with pytest.raises(DataError) as raised:
        build(spec, tmp_path / "out")
    message = str(raised.value)
    assert "pfatablesdec19.xlsx" in message and "Table P3" in message and "'Area Code'" in message
    assert "E12000099" in message and "East Midlands" in message


def test_dashboard_has_the_published_comparators(tmp_path: Path) -> None:
    """A county dashboard (the 2019 report) gets the same table, bars and sentences on a Comparisons sheet."""
    example = yaml.safe_load(SPEC.read_text())
    data = yaml.safe_load((SPEC.parent / "dashboard.yaml").read_text())
    data["sources"]["force_rates"] = example["sources"]["force_rates"]
    data["comparators"] = example["comparators"]
    (path,) = [p for p in build(absolute_copy(data, tmp_path), tmp_path / "out") if p.suffix == ".xlsx"]
    book = load_workbook(path)
    assert "Comparisons" in book.sheetnames and "sb_comparators" in book["Comparisons"].tables
    rows = sheet_table(path, "sb_comparators")
    shoplifting = next(r for r in rows if r[0] == "Shoplifting")
    assert shoplifting[1] == pytest.approx(published("E23000018", "Shoplifting"), rel=1e-12)
    texts = [c for row in book["Key findings"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(t.startswith("In the year ending December 2019, the rate of shoplifting in Derbyshire force area") for t in texts)


def test_web_page_has_the_published_table(tmp_path: Path) -> None:
    """The partner's web page carries the same rates, as published, and 'not published' for a marker."""
    from html.parser import HTMLParser

    from engine.api import partner_page, prepare

    prepared = prepare(SPEC, areas=["Melton"])
    page = partner_page(prepared, prepared.reports[0]).decode("utf-8")

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.cells = False, []

        def handle_starttag(self, tag, attrs):
            self.inside = self.inside or (tag == "table" and ("id", "published-table") in attrs)

        def handle_endtag(self, tag):
            self.inside = self.inside and tag != "table"

        def handle_data(self, data):
            if self.inside and data.strip():
                self.cells.append(data.strip())

    parser = Cells()
    parser.feed(page)
    robbery = parser.cells[parser.cells.index("Robbery"):][:6]
    assert robbery[1:5] == [one_decimal(published("E23000018", "Robbery")), one_decimal(published("E12000004", "Robbery")),
                            one_decimal(published("K04000001", "Robbery")), "not published"]


def test_a_rate_column_the_source_does_not_declare_is_a_spec_mistake(tmp_path: Path) -> None:
    """Found before any data is read, with the key path and the close match."""
    from engine.errors import SpecError

    data = yaml.safe_load(SPEC.read_text())
    data["comparators"]["measures"] = {"robery": "Robbery"}
    with pytest.raises(SpecError) as raised:
        build(absolute_copy(data, tmp_path), tmp_path / "out")
    message = str(raised.value)
    assert "comparators.measures.robery" in message and "did you mean 'robbery'" in message
