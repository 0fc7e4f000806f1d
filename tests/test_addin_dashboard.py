"""The county dashboard refreshes like a partner workbook: built for one period and refreshed to a later
one, it shows exactly what a fresh build for the later period shows (read independently from that file)."""
from __future__ import annotations

import copy
import gzip
import shutil
from pathlib import Path

import pytest

from addin.config import CONFIG_ENV, AddinConfig, save_config
from addin.refresh import refresh
from engine.api import prepare, workbook_bytes
from engine.contract.settings_sheet import SHEET_SETTINGS
from addin_support import REPO_ROOT, after_refresh, assert_book_shows, shown
from fake_excel import FakeExcel

EXAMPLE = Path("specs") / "examples" / "dashboard.yaml"  # a subject of two districts; police.uk 2020-11 to 2022-10


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example dashboard's project with one month more at the start (November 2020's rows relabelled as
    October's), so that it can be built for 2022-09 and refreshed to 2022-10."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(REPO_ROOT / EXAMPLE.parent, root / EXAMPLE.parent)
    shutil.copytree(REPO_ROOT / "data" / "ons", root / "data" / "ons")
    shutil.copy(REPO_ROOT / "saferbook-project.yaml", root)
    police = root / EXAMPLE.parent / "data" / "police_uk"
    text = gzip.open(police / "2020-11-leicestershire-street.csv.gz", "rt", encoding="utf-8").read()
    with gzip.open(police / "2020-10-leicestershire-street.csv.gz", "wt", encoding="utf-8") as out:
        out.write(text.replace("\n2020-11,", "\n2020-10,"))
    return root / EXAMPLE


def dashboard_bytes(spec: Path, period_end: str | None) -> bytes:
    prepared = prepare(spec, None, period_end)
    assert prepared.dashboard is not None
    return workbook_bytes(prepared, prepared.dashboard.report)


@pytest.fixture(autouse=True)
def registered(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "addin.json"))
    save_config(AddinConfig(projects={"saferbook-demo": str(spec.parents[2])}))


def test_a_refreshed_dashboard_equals_a_fresh_build_for_the_later_period(spec, tmp_path):
    september = dashboard_bytes(spec, "2022-09")
    book = FakeExcel.from_xlsx(september, tmp_path / "Blaby_and_Melton_2022-09.xlsx")
    book.add_sheet("Board notes", {(0, 0): "Agreed at the September board"})
    outcome = refresh(book, period_end="2022-10")
    assert outcome.status == "refreshed", outcome.message
    expected = after_refresh(september, shown(dashboard_bytes(spec, "2022-10")))  # the maps stay as built
    assert expected["tables"] and "sb_dash_kpis" in expected["tables"]
    assert_book_shows(book, expected)
    assert book.cells["Board notes"] == {(0, 0): "Agreed at the September board"}


def test_the_dashboard_names_its_kind_and_subject(spec):
    book = FakeExcel.from_xlsx(dashboard_bytes(spec, None))
    settings = {v: book.cells[SHEET_SETTINGS].get((r, 1)) for (r, c), v in book.cells[SHEET_SETTINGS].items() if c == 0}
    assert settings["kind"] == "dashboard" and settings["partner_area"] == "Blaby and Melton"
    assert settings["spec"] == "specs/examples/dashboard.yaml"
    before = copy.deepcopy(book)
    assert refresh(book).status == "refreshed"  # latest: the same period, the same figures
    assert {n: r for n, r in book.table_rects.items()} == before.table_rects
