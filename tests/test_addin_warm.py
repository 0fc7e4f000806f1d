"""Clicks after the first, in the one Python process xlwings keeps between them: nothing changed means nothing
read, computed or rendered; one changed file means that file read again and the workbook a fresh build gives; and
loading the add-in or clicking never imports what Refresh does not use (a map is never drawn by Refresh).

The project is the small counted example (specs/examples/counted.yaml) with a map added, copied with the bundled
lookups into a folder of its own; expected workbooks are fresh builds read back by openpyxl (``shown``).
"""
from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from addin.config import CONFIG_ENV, AddinConfig, save_config
from addin.refresh import refresh
from addin.warm import Warm
from addin_support import REPO_ROOT, _env, after_refresh, assert_book_shows, shown
from engine.api import prepare, workbook_bytes, workbook_cells
from engine.contract.cell_value import Formula
from engine.contract.names import AS_BUILT_SHEETS
from engine.contract.settings_sheet import SHEET_SETTINGS
from engine.project import project_of_spec
from fake_excel import OPENPYXL_ALIGNMENTS, FakeExcel

AREA = "Melton"
POLICE = Path("specs/examples/data/police_uk")
HEAVY = ("matplotlib", "shapely", "scipy", "xlsxwriter", "openpyxl", "pandas")


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The counted example with a Maps sheet, in a project folder of its own, registered on this computer."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / POLICE, root / POLICE)
    shutil.copytree(REPO_ROOT / "data" / "ons", root / "data" / "ons")
    shutil.copy(REPO_ROOT / "saferbook-project.yaml", root / "saferbook-project.yaml")
    text = yaml.safe_load((REPO_ROOT / "specs/examples/counted.yaml").read_text(encoding="utf-8"))
    text["maps"] = {"boundaries": "../../data/ons/lsoa11_boundaries_leicestershire.geojson.gz",
                    "code_property": "LSOA11CD", "indicators": ["total_crime"],
                    "source": "Boundaries: ONS LSOAs (December 2011), Open Government Licence v3.0."}
    path = root / "specs" / "examples" / "counted.yaml"
    path.write_text(yaml.safe_dump(text, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "addin.json"))
    save_config(AddinConfig(projects={project_of_spec(path).id: str(root)}))
    return path


def built(spec: Path) -> bytes:
    prepared = prepare(spec, [AREA])  # no memo: what `saferbook build` makes
    return workbook_bytes(prepared, prepared.reports[0])


def engine_cells(book: FakeExcel) -> dict:
    return {sheet: dict(cells) for sheet, cells in book.cells.items() if sheet != SHEET_SETTINGS}


def test_a_click_with_nothing_changed_reads_computes_and_renders_nothing(spec: Path) -> None:
    data = built(spec)
    warm = Warm()
    first = FakeExcel.from_xlsx(data)
    assert refresh(first, warm=warm).status == "refreshed"
    reads, renders = warm.memo.cache.reads, warm.renders
    second = FakeExcel.from_xlsx(data)
    outcome = refresh(second, warm=warm)
    assert outcome.status == "refreshed", outcome.message
    assert (warm.memo.cache.reads, warm.memo.hits, warm.renders) == (reads, 1, renders)
    assert engine_cells(second) == engine_cells(first)


def test_after_one_file_changes_a_click_reads_it_and_shows_what_a_fresh_build_shows(spec: Path) -> None:
    data = built(spec)
    warm = Warm()
    assert refresh(FakeExcel.from_xlsx(data), warm=warm).status == "refreshed"
    reads = warm.memo.cache.reads
    latest = max((spec.parents[2] / POLICE).glob("*-street.csv.gz"))
    lines = gzip.open(latest, "rt", encoding="utf-8").read().splitlines(keepends=True)
    with gzip.open(latest, "wt", encoding="utf-8") as out:  # the force withdraws a tenth of the month's records
        out.writelines(lines[: len(lines) * 9 // 10])
    book = FakeExcel.from_xlsx(data)
    outcome = refresh(book, warm=warm)
    assert outcome.status == "refreshed", outcome.message
    assert warm.memo.cache.reads == reads + 1  # the police.uk folder only: the lookups and boundaries are unchanged
    fresh = built(spec)
    assert fresh != data
    assert_book_shows(book, after_refresh(data, shown(fresh)))


ENTRY = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
import saferbook
saferbook._own_packages_first()
import addin.refresh
print(" ".join(m for m in {heavy!r} if m in sys.modules) or "-")
if {click!r}:
    from pathlib import Path
    from fake_excel import OPENPYXL_ALIGNMENTS, FakeExcel
    book = FakeExcel.from_xlsx(Path({workbook!r}).read_bytes())
    print(addin.refresh.refresh(book).status, "matplotlib" in sys.modules)
"""


def _entry(tmp_path: Path, click: bool, workbook: Path | None = None) -> list[str]:
    script = ENTRY.format(root=str(REPO_ROOT), tests=str(REPO_ROOT / "tests"), heavy=HEAVY, click=click,
                          workbook=str(workbook or ""))
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=_env(), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def test_loading_the_refresh_entry_point_imports_no_heavy_library(tmp_path: Path) -> None:
    assert _entry(tmp_path, click=False) == ["-"]


def test_a_cold_click_draws_no_map(spec: Path, tmp_path: Path) -> None:
    """The Maps sheet is left as built, so Refresh never loads the drawing library, even in a new process. (Called
    below xlwings: ``import xlwings`` itself imports matplotlib where it is installed, for its picture support.)"""
    data = built(spec)
    assert b"xl/media/" in data  # the built workbook has its map picture
    workbook = tmp_path / "Melton.xlsx"
    workbook.write_bytes(data)
    assert _entry(tmp_path, click=True, workbook=workbook)[-1] == "refreshed False"


def test_warm_state_is_never_shared_with_a_book_of_another_project(spec: Path, tmp_path: Path) -> None:
    """Two copies of a project (the same identifier, registered at different folders on two computers, or one
    with different data) refreshed in turn in one process: each workbook shows its own project's figures."""
    other_root = tmp_path / "other"
    shutil.copytree(spec.parents[2], other_root)
    other = other_root / spec.relative_to(spec.parents[2])
    latest = max((other_root / POLICE).glob("*-street.csv.gz"))
    lines = gzip.open(latest, "rt", encoding="utf-8").read().splitlines(keepends=True)
    with gzip.open(latest, "wt", encoding="utf-8") as out:
        out.writelines(lines[: len(lines) // 2])
    projects = {spec: spec.parents[2], other: other_root}
    expected = {path: shown(built(path))["tables"]["sb_summary"] for path in projects}
    assert expected[spec] != expected[other]
    warm = Warm()
    for path in (spec, other, spec, other):
        book = FakeExcel.from_xlsx(built(path))
        config = AddinConfig(projects={project_of_spec(path).id: str(projects[path])})
        assert refresh(book, config=config, warm=warm).status == "refreshed"
        sheet, rect, values = expected[path]
        r0, c0, r1, c1 = rect
        assert [[book.value(sheet, (r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)] == values, path
    assert warm.memo.hits == 2


def _read_back(data: bytes) -> tuple[dict, dict]:
    """Every sheet's cells as openpyxl reads them from the file (formulas as Formula), and every cell's horizontal
    alignment other than General (by xlwings' names)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        values, alignments = {}, {}
        for sheet in workbook.worksheets:
            cells = [c for row in sheet.iter_rows() for c in row if c.__class__.__name__ != "EmptyCell"]
            values[sheet.title] = {(c.row - 1, c.column - 1): Formula(str(c.value)) if c.data_type == "f" else c.value
                                   for c in cells if c.value is not None}
            alignments[sheet.title] = {(c.row - 1, c.column - 1): OPENPYXL_ALIGNMENTS.get(c.alignment.horizontal,
                                                                                          c.alignment.horizontal)
                                       for c in cells if c.alignment.horizontal not in (None, "general")}
        return values, alignments
    finally:
        workbook.close()


@pytest.mark.parametrize("example", ["counted+maps", "measured.yaml", "dashboard.yaml"])
def test_the_cells_refresh_copies_are_what_the_built_file_holds(spec: Path, example: str) -> None:
    """Refresh takes the fresh workbook's cells from the renderer, not from a file: they must be the file's, value
    and type (an int stays an int, a date a datetime, a formula a formula), and horizontal alignment, on every sheet
    it copies."""
    path = spec if example == "counted+maps" else REPO_ROOT / "specs" / "examples" / example
    prepared = prepare(path)
    for report in prepared.outputs:
        written = workbook_cells(prepared, report)
        file, aligned = _read_back(workbook_bytes(prepared, report))
        assert set(written.values) == set(file) == set(written.alignments)
        for sheet in set(file) - AS_BUILT_SHEETS - {SHEET_SETTINGS}:
            typed = {cell: (type(v), v) for cell, v in written.values[sheet].items()}
            assert typed == {cell: (type(v), v) for cell, v in file[sheet].items()}, sheet
            assert written.alignments[sheet] == aligned[sheet], sheet
        assert any(aligned.values()), "not vacuous: the workbook aligns cells"
    if example == "counted+maps":
        assert AS_BUILT_SHEETS <= set(file)  # the maps sheet is there, and left out of the comparison
